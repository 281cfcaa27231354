/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel's entry points as the tools reach them: uname(2), and the module syscalls through
 * glibc's init_module and delete_module symbols and syscall(SYS_finit_module, ...). None of them
 * ever reaches the real kernel: without a fake root, or with one that has no proc/modules (a
 * kernel without module support), they fail with ENOSYS. Every module call is appended to
 * <root>/calls.log with its flags and parameters, so a test sees what was asked.
 */
#include <errno.h>
#include <limits.h>
#include <linux/module.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "shim.h"

/* The kernel's MODULE_NAME_LEN is 56; anything longer is not a name it would take. */
#define NAME_SIZE 64

static void log_call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_call(const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	FILE *f;

	if (shim_root_path(path, sizeof(path), "/calls.log") < 0)
		return;
	f = fopen(path, "ae");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

int shim_errno_from_string(const char *s, size_t len)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s + len && len > 0)
		return v > 0 && v < 4096 ? (int)v : 0;
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && strlen(n) == len && memcmp(n, s, len) == 0)
			return e;
	}
	return 0;
}

/* The errno the test asked this module's load or removal to fail with (var is "name=E,..."). */
static int injected_failure(const char *var, const char *name)
{
	const char *p = getenv(var);
	size_t namelen = strlen(name);

	while (p && *p) {
		size_t len = strcspn(p, ",");
		const char *eq = memchr(p, '=', len);

		if (eq && (size_t)(eq - p) == namelen && memcmp(p, name, namelen) == 0)
			return shim_errno_from_string(eq + 1, len - namelen - 1);
		p += len + (p[len] == ',');
	}
	return 0;
}

/* A kernel built without module support has no /proc/modules and no module syscalls. */
static int kernel_has_modules(void)
{
	char path[PATH_MAX];

	return shim_root_path(path, sizeof(path), "/proc/modules") == 0 && access(path, F_OK) == 0;
}

/*
 * Like the kernel, take the name from the image itself (the kernel reads struct module in
 * .gnu.linkonce.this_module; modpost writes the same name into .modinfo, which is simpler to
 * find), then apply the failure the test asked for, then load.
 */
static int load_image(const struct shim_image *img, char name[NAME_SIZE])
{
	int r, e;

	r = shim_image_modinfo(img->data, img->len, "name", name, NAME_SIZE);
	if (r < 0)
		return r == -ENAMETOOLONG ? r : -ENOEXEC;
	e = injected_failure("LIBMOD_SHIM_FAIL_LOAD", name);
	return e ? -e : shim_kernel_load(name, img);
}

static int syscall_result(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

static int fake_finit_module(int fd, const char *args, int flags)
{
	const int known = MODULE_INIT_IGNORE_MODVERSIONS | MODULE_INIT_IGNORE_VERMAGIC |
			  MODULE_INIT_COMPRESSED_FILE;
	char name[NAME_SIZE] = "?", format[16];
	struct shim_image img = { NULL, 0 };
	int r = 0;

	if (!kernel_has_modules())
		r = -ENOSYS;
	else if (flags & ~known)
		r = -EINVAL;
	if (r == 0 && (flags & MODULE_INIT_COMPRESSED_FILE)) {
		/* The format the fake kernel was built to decompress; none without the file. */
		r = shim_read_line("/sys/module/compression", format, sizeof(format));
		if (r == -ENOENT)
			r = -EOPNOTSUPP;
	}
	if (r == 0)
		r = shim_image_read_fd(fd, (flags & MODULE_INIT_COMPRESSED_FILE) ? format : NULL,
				       &img);
	if (r == 0)
		r = load_image(&img, name);
	shim_image_release(&img);
	log_call("finit_module %s flags=%d args=%s -> %d\n", name, flags, args, r);
	return syscall_result(r);
}

SHIM_EXPORT int init_module(void *image, unsigned long len, const char *args)
{
	struct shim_image img = { image, len };
	char name[NAME_SIZE] = "?";
	int r;

	r = kernel_has_modules() ? load_image(&img, name) : -ENOSYS;
	log_call("init_module %s len=%lu args=%s -> %d\n", name, len, args, r);
	return syscall_result(r);
}

SHIM_EXPORT int delete_module(const char *name, unsigned int flags)
{
	int r, e;

	if (!kernel_has_modules())
		r = -ENOSYS;
	else if ((e = injected_failure("LIBMOD_SHIM_FAIL_REMOVE", name)))
		r = -e;
	else
		r = shim_kernel_unload(name, flags);
	log_call("delete_module %s flags=%#x -> %d\n", name, flags, r);
	return syscall_result(r);
}

SHIM_EXPORT long syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	/*
	 * syscall() cannot know how many arguments it got; like glibc's own syscall(), take six.
	 * The extra ones are whatever the registers hold and are ignored by the callee.
	 */
	va_start(ap, nr);
	for (size_t i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	switch (nr) {
	case SYS_finit_module:
		return fake_finit_module((int)a[0], (const char *)a[1], (int)a[2]);
	case SYS_init_module:
		return init_module((void *)a[0], (unsigned long)a[1], (const char *)a[2]);
	case SYS_delete_module:
		return delete_module((const char *)a[0], (unsigned int)a[1]);
	}
	return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* The fake kernel's release is its /proc/sys/kernel/osrelease; the rest is the machine's. */
SHIM_EXPORT int uname(struct utsname *u)
{
	char release[sizeof(u->release)];

	if (REAL(uname)(u) < 0)
		return -1;
	if (shim_read_line("/proc/sys/kernel/osrelease", release, sizeof(release)) == 0 &&
	    release[0])
		memcpy(u->release, release, sizeof(release));
	return 0;
}
