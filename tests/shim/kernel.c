/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake kernel's module state, kept under the fake root in the files the real kernel shows:
 * a load creates /sys/module/<name>/{initstate,refcnt,coresize,taint,holders/,parameters/} and puts
 * its line first in /proc/modules (newest first, like the kernel); the modules named in its
 * .modinfo depends= get it as a holder and one more reference. A removal obeys the reference
 * count as delete_module(2) does with O_NONBLOCK (O_TRUNC forces it) and undoes all of that.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"

int shim_read_line(const char *rootrel, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;
	int r;

	r = shim_root_path(path, sizeof(path), "%s", rootrel);
	if (r < 0)
		return r;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* Write text into <root>/sys/module/<name>/<file>. */
static int write_module_file(const char *name, const char *file, const char *text)
{
	char path[PATH_MAX];
	int r = shim_root_path(path, sizeof(path), "/sys/module/%s/%s", name, file);

	return r < 0 ? r : write_file(path, text);
}

/* Rewrite /proc/modules without the line of drop (if any), with add (if any) in front. */
static int proc_modules_update(const char *drop, const char *add)
{
	char path[PATH_MAX], *text = NULL, *line = NULL;
	size_t textlen = 0, linecap = 0;
	FILE *in, *out;
	int r;

	r = shim_root_path(path, sizeof(path), "/proc/modules");
	if (r < 0)
		return r;
	out = open_memstream(&text, &textlen);
	if (!out)
		return -ENOMEM;
	if (add)
		fputs(add, out);
	in = fopen(path, "re");
	while (in && getline(&line, &linecap, in) > 0) {
		size_t n = strcspn(line, " \n");

		if (!drop || strlen(drop) != n || strncmp(line, drop, n) != 0)
			fputs(line, out);
	}
	if (in)
		fclose(in);
	free(line);
	r = fclose(out) == 0 ? write_file(path, text) : -ENOMEM;
	free(text);
	return r;
}

/* A missing or unreadable refcnt counts as 0, as it did for a module without unload support. */
static long refcnt_get(const char *name)
{
	char rel[PATH_MAX], buf[32];

	if (snprintf(rel, sizeof(rel), "/sys/module/%s/refcnt", name) >= (int)sizeof(rel) ||
	    shim_read_line(rel, buf, sizeof(buf)) < 0)
		return 0;
	return strtol(buf, NULL, 10);
}

static void refcnt_add(const char *name, long delta)
{
	char buf[32];
	long v = refcnt_get(name) + delta;

	snprintf(buf, sizeof(buf), "%ld\n", v < 0 ? 0 : v);
	write_module_file(name, "refcnt", buf);
}

/* Every loaded module listed in depends= holds one reference to it; sysfs shows a link. */
static void hold_dependencies(const char *name, const struct shim_image *img)
{
	char depends[4096], path[PATH_MAX], target[PATH_MAX];
	char *save = NULL;

	if (shim_image_modinfo(img->data, img->len, "depends", depends, sizeof(depends)) < 0)
		return;
	for (char *dep = strtok_r(depends, ",", &save); dep; dep = strtok_r(NULL, ",", &save)) {
		/* Module names in the kernel use '_' where file names may use '-'. */
		for (char *c = dep; *c; c++)
			if (*c == '-')
				*c = '_';
		if (shim_root_path(path, sizeof(path), "/sys/module/%s/holders/%s", dep, name) < 0)
			continue;
		snprintf(target, sizeof(target), "../../%s", name);
		/* A dependency that is not loaded has no holders directory: nothing to hold. */
		if (symlink(target, path) == 0)
			refcnt_add(dep, 1);
	}
}

/* <root>/sys/module/<name>; -EINVAL for a name that is no module name (no escaping the root). */
static int module_dir(const char *name, char *buf, size_t size)
{
	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/'))
		return -EINVAL;
	return shim_root_path(buf, size, "/sys/module/%s", name);
}

static bool is_unsigned(const struct shim_image *img)
{
	static const char marker[] = "~Module signature appended~\n";
	size_t n = sizeof(marker) - 1;

	return img->len < n || memcmp((const char *)img->data + img->len - n, marker, n) != 0;
}

static bool has_module_signing(void)
{
	char path[PATH_MAX];

	return shim_root_path(path, sizeof(path), "/sys/module/module/parameters/sig_enforce") ==
		       0 &&
	       access(path, F_OK) == 0;
}

int shim_kernel_load(const char *name, const struct shim_image *img)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], text[512];
	int r;

	r = module_dir(name, dir, sizeof(dir));
	if (r < 0)
		return r;
	if (mkdir(dir, 0755) < 0)
		return -errno; /* EEXIST: loaded already, or another load is coming up */
	snprintf(path, sizeof(path), "%s/holders", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/parameters", dir);
	mkdir(path, 0755);
	snprintf(text, sizeof(text), "%zu\n", img->len);
	r = write_module_file(name, "initstate", "live\n");
	if (r == 0)
		r = write_module_file(name, "refcnt", "0\n");
	if (r == 0)
		r = write_module_file(name, "coresize", text);
	/*
	 * Taint E as the kernel sets it: an image without a signature, on a kernel with module
	 * signing (it has sig_enforce). The fake checks no signature: a signed image is valid.
	 */
	if (r == 0)
		r = write_module_file(name, "taint", is_unsigned(img) && has_module_signing() ? "E\n"
										      : "\n");
	snprintf(text, sizeof(text), "%s %zu 0 - Live 0x0000000000000000\n", name, img->len);
	if (r == 0)
		r = proc_modules_update(NULL, text);
	if (r == 0)
		hold_dependencies(name, img);
	return r;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path) < 0 ? -1 : 0;
}

/* The module no longer holds what it depended on: drop its holder links and their references. */
static void release_dependencies(const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	struct dirent *e;
	DIR *d;

	if (shim_root_path(dir, sizeof(dir), "/sys/module") < 0)
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/holders/%s", dir, e->d_name, name);
		if (remove(path) == 0)
			refcnt_add(e->d_name, -1);
	}
	closedir(d);
}

int shim_kernel_unload(const char *name, unsigned int flags)
{
	char dir[PATH_MAX];
	struct stat st;
	int r;

	r = module_dir(name, dir, sizeof(dir));
	if (r < 0 || stat(dir, &st) < 0)
		return r == -ENAMETOOLONG ? r : -ENOENT;
	if (refcnt_get(name) > 0 && !(flags & O_TRUNC))
		return -EWOULDBLOCK;
	if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return -errno;
	release_dependencies(name);
	return proc_modules_update(name, NULL);
}
