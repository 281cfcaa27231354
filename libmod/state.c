/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the running kernel says about modules: init state, reference count, size, holders, the
 * loaded list and the kernel's own decompression support. Everything is read through the sys
 * layer (ctx->sys), so a fake root answers for tests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "libmod-private.h"

static int module_sys_path(const struct mod_module *mod, const char *file, char *buf,
			   size_t size)
{
	const char *name = mod_module_get_name(mod);
	int n;

	if (strchr(name, '/'))
		return -EINVAL;
	n = snprintf(buf, size, "/sys/module/%s%s%s", name, file ? "/" : "", file ? file : "");
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * A kernel built without module support has no /proc/modules (and its module syscalls fail with
 * ENOSYS). Asked only when a module is not found, so the usual queries cost nothing more.
 */
static bool kernel_has_modules(const struct mod_ctx *ctx)
{
	int fd = mod_sys_open(ctx, "/proc/modules", O_RDONLY);

	if (fd < 0)
		return fd != -ENOENT;
	close(fd);
	return true;
}

LIBMOD_EXPORT const char *mod_initstate_str(enum mod_initstate state)
{
	switch (state) {
	case MOD_INITSTATE_BUILTIN:
		return "builtin";
	case MOD_INITSTATE_LIVE:
		return "live";
	case MOD_INITSTATE_COMING:
		return "coming";
	case MOD_INITSTATE_GOING:
		return "going";
	}
	return NULL;
}

LIBMOD_EXPORT int mod_module_get_initstate(struct mod_module *mod, enum mod_initstate *ret)
{
	struct mod_ctx *ctx;
	char path[PATH_MAX], buf[32];
	int r, fd;

	if (!mod || !ret)
		return -EINVAL;
	ctx = mod_module_get_ctx(mod);
	if (mod_module_is_builtin(mod)) {
		*ret = MOD_INITSTATE_BUILTIN;
		return 0;
	}
	r = module_sys_path(mod, "initstate", path, sizeof(path));
	if (r < 0)
		return r;
	r = mod_sys_read_file(ctx, path, buf, sizeof(buf), NULL);
	if (r == -ENOENT) {
		/*
		 * The kernel creates the directory before the file: a directory alone is a
		 * module still coming up, not a builtin (kmod's rule since v20).
		 */
		r = module_sys_path(mod, NULL, path, sizeof(path));
		if (r < 0)
			return r;
		fd = mod_sys_open(ctx, path, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return kernel_has_modules(ctx) ? -ENOENT : -ENOSYS;
		close(fd);
		*ret = MOD_INITSTATE_COMING;
		return 0;
	}
	if (r < 0)
		return r;
	buf[strcspn(buf, "\n")] = '\0';
	if (streq(buf, "live"))
		*ret = MOD_INITSTATE_LIVE;
	else if (streq(buf, "coming"))
		*ret = MOD_INITSTATE_COMING;
	else if (streq(buf, "going"))
		*ret = MOD_INITSTATE_GOING;
	else {
		ERR(ctx, "unknown %s: '%s'\n", path, buf);
		return -EINVAL;
	}
	return 0;
}

LIBMOD_EXPORT int mod_module_get_refcnt(struct mod_module *mod, long *ret)
{
	char path[PATH_MAX];
	int r;

	if (!mod || !ret)
		return -EINVAL;
	r = module_sys_path(mod, "refcnt", path, sizeof(path));
	if (r < 0)
		return r;
	return mod_sys_read_long(mod_module_get_ctx(mod), path, ret);
}

/* The size column of this module's /proc/modules line. */
static int proc_modules_size(struct mod_ctx *ctx, const char *name, long *ret)
{
	char line[4096];
	size_t namelen = strlen(name);
	FILE *f;
	int r;

	r = mod_sys_fopen(ctx, "/proc/modules", &f);
	if (r < 0)
		return r;
	r = -ENOENT; /* until the module's line is found */
	while (fgets(line, sizeof(line), f)) {
		char *end;
		long v;

		if (strncmp(line, name, namelen) != 0 || line[namelen] != ' ')
			continue;
		errno = 0;
		v = strtol(line + namelen + 1, &end, 10);
		r = (errno || end == line + namelen + 1) ? -EINVAL : 0;
		if (r == 0)
			*ret = v;
		break;
	}
	fclose(f);
	return r;
}

LIBMOD_EXPORT int mod_module_get_size(struct mod_module *mod, long *ret)
{
	char path[PATH_MAX];
	long v;
	int r;

	if (!mod || !ret)
		return -EINVAL;
	r = module_sys_path(mod, "coresize", path, sizeof(path));
	if (r < 0)
		return r;
	r = mod_sys_read_long(mod_module_get_ctx(mod), path, &v);
	if (r < 0)
		r = proc_modules_size(mod_module_get_ctx(mod), mod_module_get_name(mod), &v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

LIBMOD_EXPORT int mod_module_get_holders(struct mod_module *mod, struct mod_module_list **ret)
{
	struct mod_module_list *list = NULL;
	struct mod_ctx *ctx;
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int r;

	if (!mod || !ret)
		return -EINVAL;
	ctx = mod_module_get_ctx(mod);
	r = module_sys_path(mod, "holders", path, sizeof(path));
	if (r < 0)
		return r;
	r = mod_sys_opendir(ctx, path, &d);
	if (r < 0)
		return r;
	r = mod_module_list_new(&list);
	while (r == 0 && (e = readdir(d))) {
		struct mod_module *h;

		if (e->d_name[0] == '.')
			continue;
		r = mod_module_new_from_name(ctx, e->d_name, &h);
		if (r < 0)
			break;
		r = mod_module_list_append(list, h);
		mod_module_unref(h);
	}
	closedir(d);
	if (r < 0) {
		mod_module_list_free(list);
		return r;
	}
	*ret = list;
	return 0;
}

LIBMOD_EXPORT int mod_module_new_from_loaded(struct mod_ctx *ctx, struct mod_module_list **ret)
{
	struct mod_module_list *list = NULL;
	char line[4096];
	FILE *f;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	r = mod_sys_fopen(ctx, "/proc/modules", &f);
	if (r == -ENOENT)
		return -ENOSYS; /* no module support: the caller says so (mod_strerror) */
	if (r < 0) {
		ERR(ctx, "could not open /proc/modules: %s\n", strerror(-r));
		return r;
	}
	r = mod_module_list_new(&list);
	while (r == 0 && fgets(line, sizeof(line), f)) {
		struct mod_module *m;
		size_t n = strcspn(line, " \n");

		/* A line longer than the buffer: skip its tail, it holds no name. */
		if (!strchr(line, '\n') && !feof(f)) {
			int c;

			while ((c = fgetc(f)) != EOF && c != '\n')
				;
		}
		if (n == 0)
			continue;
		line[n] = '\0';
		r = mod_module_new_from_name(ctx, line, &m);
		if (r < 0) {
			ERR(ctx, "could not get module '%s' from /proc/modules: %s\n", line,
			    strerror(-r));
			break;
		}
		r = mod_module_list_append(list, m);
		mod_module_unref(m);
	}
	fclose(f);
	if (r < 0) {
		mod_module_list_free(list);
		return r;
	}
	*ret = list;
	return 0;
}

LIBMOD_EXPORT int mod_ctx_get_kernel_compression(struct mod_ctx *ctx, enum mod_compression *ret)
{
	enum mod_compression c;
	char buf[32];
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	if (ctx->kernel_compression_read) {
		*ret = ctx->kernel_compression;
		return 0;
	}
	r = mod_sys_read_file(ctx, "/sys/module/compression", buf, sizeof(buf), NULL);
	if (r == -ENOENT) {
		/* Kernels before 6.4 or without CONFIG_MODULE_DECOMPRESS. */
		c = MOD_COMPRESSION_NONE;
	} else if (r < 0) {
		/* A read error is not an answer: not kept, the next load asks again. */
		return r;
	} else {
		buf[strcspn(buf, "\n")] = '\0';
		if (streq(buf, "zstd")) {
			c = MOD_COMPRESSION_ZSTD;
		} else if (streq(buf, "xz")) {
			c = MOD_COMPRESSION_XZ;
		} else if (streq(buf, "gzip")) {
			c = MOD_COMPRESSION_GZIP;
		} else {
			ERR(ctx, "unknown kernel compression '%s' in /sys/module/compression\n",
			    buf);
			c = MOD_COMPRESSION_NONE;
		}
	}
	ctx->kernel_compression = c;
	ctx->kernel_compression_read = true;
	*ret = c;
	return 0;
}
