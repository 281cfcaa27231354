/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fake kernel for tool tests. A directory stands in for / as far as /proc and /sys go:
 *   <root>/proc/modules, <root>/proc/cmdline, <root>/proc/sys/kernel/osrelease (uname -r),
 *   <root>/sys/module/<name>/{initstate,refcnt,coresize,holders/,parameters/},
 *   <root>/sys/module/compression.
 * Loads create the /sys/module entry and a /proc/modules line; removals delete them and obey the
 * refcount like the kernel does with O_NONBLOCK. Every call is appended to <root>/calls.log so
 * tests can see the flags and parameters the tools passed. LIBMOD_TEST_FAIL_LOAD and
 * LIBMOD_TEST_FAIL_REMOVE ("name=ERRNO,...", ERRNO a number or a name like EEXIST) make chosen
 * modules fail.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "libmod-private.h"
#include "strbuf.h"
#include "sys.h"

static int fake_path(const char *root, const char *path, char *out, size_t size)
{
	int n = snprintf(out, size, "%s%s", root, path);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int fake_kernel_release(void *data, char *buf, size_t size)
{
	char path[PATH_MAX];
	struct utsname u;
	ssize_t n;
	int fd;

	if (fake_path(data, "/proc/sys/kernel/osrelease", path, sizeof(path)) == 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			n = read(fd, buf, size - 1);
			close(fd);
			if (n <= 0)
				return -EIO;
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			return 0;
		}
	}
	if (uname(&u) < 0)
		return -errno;
	if (strlen(u.release) + 1 > size)
		return -ENAMETOOLONG;
	memcpy(buf, u.release, strlen(u.release) + 1);
	return 0;
}

static int fake_open(void *data, const char *path, int flags)
{
	char p[PATH_MAX];
	int fd, r;

	r = fake_path(data, path, p, sizeof(p));
	if (r < 0)
		return r;
	fd = open(p, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void fake_log(const char *root, const char *fmt, ...) _printf_(2, 3);
static void fake_log(const char *root, const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	FILE *f;

	if (fake_path(root, "/calls.log", p, sizeof(p)) < 0)
		return;
	f = fopen(p, "ae");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static const struct {
	const char *name;
	int value;
} errno_names[] = {
	{ "EEXIST", EEXIST }, { "ENOEXEC", ENOEXEC }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH },
	{ "EINVAL", EINVAL }, { "EPERM", EPERM },     { "EBUSY", EBUSY },   { "EAGAIN", EAGAIN },
	{ "ENOSYS", ENOSYS }, { "ENOMEM", ENOMEM },   { "EKEYREJECTED", EKEYREJECTED },
	{ "EFAULT", EFAULT }, { "ENODEV", ENODEV },
};

/* The errno LIBMOD_TEST_FAIL_<op> assigns to this module, or 0. */
static int fake_failure(const char *var, const char *name)
{
	const char *spec = secure_getenv(var), *p;
	size_t namelen = strlen(name);

	for (p = spec; p && *p;) {
		const char *end = p + strcspn(p, ",");
		const char *eq = memchr(p, '=', (size_t)(end - p));

		if (eq && (size_t)(eq - p) == namelen && memcmp(p, name, namelen) == 0) {
			const char *v = eq + 1;
			size_t vlen = (size_t)(end - v);

			for (size_t i = 0; i < ARRAY_SIZE(errno_names); i++)
				if (strlen(errno_names[i].name) == vlen &&
				    memcmp(errno_names[i].name, v, vlen) == 0)
					return errno_names[i].value;
			return (int)strtol(v, NULL, 10);
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

static int write_text(const char *path, const char *text, int flags)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);
	size_t len = strlen(text);

	if (fd < 0)
		return -errno;
	if (write(fd, text, len) != (ssize_t)len)
		return -EIO;
	return 0;
}

/* Rewrite <root>/proc/modules: drop the line of `drop` and/or put `add` in front (newest first). */
static int fake_proc_modules_update(const char *root, const char *drop, const char *add)
{
	char p[PATH_MAX], line[4096];
	struct strbuf sb;
	FILE *f;
	int r = 0;

	if (fake_path(root, "/proc/modules", p, sizeof(p)) < 0)
		return -ENAMETOOLONG;
	strbuf_init(&sb, NULL, 0, 0);
	if (add && strbuf_pushstr(&sb, add) < 0)
		r = -ENOMEM;
	f = fopen(p, "re");
	while (r == 0 && f && fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, " \n");

		if (drop && n == strlen(drop) && memcmp(line, drop, n) == 0)
			continue;
		if (strbuf_pushstr(&sb, line) < 0)
			r = -ENOMEM;
	}
	if (f)
		fclose(f);
	if (r == 0)
		r = write_text(p, strbuf_str(&sb), O_TRUNC);
	strbuf_release(&sb);
	return r;
}

/* Adjust a module's refcnt file by delta (the fake kernel's use count). */
static void fake_refcnt_add(const char *root, const char *name, long delta)
{
	char p[PATH_MAX], buf[32];
	long v = 0;
	FILE *f;

	if (snprintf(p, sizeof(p), "%s/sys/module/%s/refcnt", root, name) >= (int)sizeof(p))
		return;
	f = fopen(p, "re");
	if (!f)
		return;
	if (fscanf(f, "%ld", &v) != 1)
		v = 0;
	fclose(f);
	snprintf(buf, sizeof(buf), "%ld\n", v + delta < 0 ? 0 : v + delta);
	write_text(p, buf, O_TRUNC);
}

/*
 * Like the kernel, a new module holds the modules it uses: its .modinfo `depends=` names (found
 * in the uncompressed bytes; compressed images hold none we can see) get it as a holder and one
 * more reference.
 */
static void fake_hold_deps(const char *root, const char *name, const void *img, size_t len)
{
	static const char key[] = "depends=";
	const char *p = img, *end = p + len;

	while (p && p < end) {
		const char *hit = memmem(p, (size_t)(end - p), key, sizeof(key) - 1);
		const char *v, *vend;

		if (!hit)
			return;
		if (hit > (const char *)img && hit[-1] != '\0') {
			p = hit + 1;
			continue;
		}
		v = hit + sizeof(key) - 1;
		vend = memchr(v, '\0', (size_t)(end - v));
		if (!vend)
			return;
		while (v < vend) {
			size_t n = strcspn(v, ",");
			char dep[256], h[PATH_MAX];

			if (n > (size_t)(vend - v))
				n = (size_t)(vend - v);
			if (n > 0 && n < sizeof(dep)) {
				memcpy(dep, v, n);
				dep[n] = '\0';
				for (char *c = dep; *c; c++)
					if (*c == '-')
						*c = '_';
				if (snprintf(h, sizeof(h), "%s/sys/module/%s/holders", root, dep) <
					    (int)sizeof(h) &&
				    access(h, F_OK) == 0) {
					size_t hl = strlen(h);

					if (snprintf(h + hl, sizeof(h) - hl, "/%s", name) <
					    (int)(sizeof(h) - hl))
						mkdir(h, 0755);
					fake_refcnt_add(root, dep, 1);
				}
			}
			v += n + 1;
		}
		return;
	}
}

static int fake_load(const char *root, const char *name, off_t size, const char *args)
{
	char dir[PATH_MAX], p[PATH_MAX + 32], line[512];
	int err, r;

	err = fake_failure("LIBMOD_TEST_FAIL_LOAD", name);
	if (err > 0)
		return -err;
	if (strchr(name, '/') ||
	    snprintf(dir, sizeof(dir), "%s/sys/module/%s", root, name) >= (int)sizeof(dir))
		return -EINVAL;
	if (mkdir(dir, 0755) < 0)
		return errno == EEXIST ? -EEXIST : -errno;
	snprintf(p, sizeof(p), "%s/holders", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/parameters", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/initstate", dir);
	r = write_text(p, "live\n", O_TRUNC);
	snprintf(p, sizeof(p), "%s/refcnt", dir);
	if (r == 0)
		r = write_text(p, "0\n", O_TRUNC);
	snprintf(p, sizeof(p), "%s/coresize", dir);
	snprintf(line, sizeof(line), "%lld\n", (long long)size);
	if (r == 0)
		r = write_text(p, line, O_TRUNC);
	snprintf(line, sizeof(line), "%s %lld 0 - Live 0x0000000000000000\n", name, (long long)size);
	if (r == 0)
		r = fake_proc_modules_update(root, NULL, line);
	return r;
}

static int fake_finit_module(void *data, const char *name, int fd, const char *args, int flags)
{
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	r = fake_load(data, name, st.st_size, args);
	if (r == 0 && !(flags & 4) && st.st_size > 0 && st.st_size < (64 << 20)) {
		void *img = malloc((size_t)st.st_size);

		if (img && pread(fd, img, (size_t)st.st_size, 0) == st.st_size)
			fake_hold_deps(data, name, img, (size_t)st.st_size);
		free(img);
	}
	fake_log(data, "finit_module %s flags=%d args=%s -> %d\n", name, flags, args, r);
	return r;
}

static int fake_init_module(void *data, const char *name, const void *mem, size_t len,
			    const char *args)
{
	int r = fake_load(data, name, (off_t)len, args);

	if (r == 0)
		fake_hold_deps(data, name, mem, len);

	fake_log(data, "init_module %s len=%zu args=%s -> %d\n", name, len, args, r);
	return r;
}

static void remove_tree_at(int parent, const char *name)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d;

	if (fd >= 0) {
		d = fdopendir(fd);
		if (d) {
			struct dirent *e;

			while ((e = readdir(d)))
				if (!streq(e->d_name, ".") && !streq(e->d_name, ".."))
					remove_tree_at(dirfd(d), e->d_name);
			closedir(d);
		} else {
			close(fd);
		}
		unlinkat(parent, name, AT_REMOVEDIR);
	} else {
		unlinkat(parent, name, 0);
	}
}

static int fake_unload(const char *root, const char *name, unsigned int flags)
{
	char p[PATH_MAX];
	_cleanup_close_ int mfd = -1;
	long refcnt = 0;
	FILE *f;
	DIR *d;
	int err;

	err = fake_failure("LIBMOD_TEST_FAIL_REMOVE", name);
	if (err > 0)
		return -err;
	if (fake_path(root, "/sys/module", p, sizeof(p)) < 0)
		return -ENAMETOOLONG;
	mfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0 || strchr(name, '/') || faccessat(mfd, name, F_OK, 0) < 0)
		return -ENOENT;
	if (snprintf(p, sizeof(p), "%s/sys/module/%s/refcnt", root, name) >= (int)sizeof(p))
		return -ENAMETOOLONG;
	f = fopen(p, "re");
	if (f) {
		if (fscanf(f, "%ld", &refcnt) != 1)
			refcnt = 0;
		fclose(f);
	}
	if (refcnt > 0 && !(flags & O_TRUNC))
		return -EWOULDBLOCK;
	remove_tree_at(mfd, name);
	/* The module no longer holds anything it depended on. */
	d = fdopendir(dup(mfd));
	if (d) {
		struct dirent *e;

		while ((e = readdir(d))) {
			char h[NAME_MAX * 2 + 16];

			if (e->d_name[0] == '.')
				continue;
			snprintf(h, sizeof(h), "%s/holders/%s", e->d_name, name);
			if (unlinkat(dirfd(d), h, AT_REMOVEDIR) == 0 || unlinkat(dirfd(d), h, 0) == 0)
				fake_refcnt_add(root, e->d_name, -1);
		}
		closedir(d);
	}
	return fake_proc_modules_update(root, name, NULL);
}

static int fake_delete_module(void *data, const char *name, unsigned int flags)
{
	int r = fake_unload(data, name, flags);

	fake_log(data, "delete_module %s flags=%#x -> %d\n", name, flags, r);
	return r;
}

/* The fake root holds the module tree too: lib/modules/<its osrelease>. */
static const char *fake_root_prefix(void *data)
{
	return data;
}

const struct mod_sys_ops mod_sys_fake_ops = {
	.kernel_release = fake_kernel_release,
	.open = fake_open,
	.finit_module = fake_finit_module,
	.init_module = fake_init_module,
	.delete_module = fake_delete_module,
	.root_prefix = fake_root_prefix,
};
