/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where the kernel put a loaded module's sections (/sys/module/X/sections/<name>, one hex
 * address per file): what debuggers and the libkmod compatibility layer ask for. Read through
 * the sys layer so a fake root answers for tests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmod-private.h"

static int read_section_address(struct mod_ctx *ctx, const char *dir, const char *name,
				unsigned long *ret)
{
	char path[PATH_MAX], buf[64], *end;
	unsigned long v;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = mod_sys_read_file(ctx, path, buf, sizeof(buf), NULL);
	if (r < 0)
		return r;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno != 0 || end == buf || (*end != '\0' && *end != '\n'))
		return -EINVAL;
	*ret = v;
	return 0;
}

LIBMOD_EXPORT int mod_module_foreach_loaded_section(struct mod_module *mod,
						    mod_section_visit_fn fn, void *data)
{
	struct mod_ctx *ctx;
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (!mod || !fn)
		return -EINVAL;
	ctx = mod_module_get_ctx(mod);
	if (strchr(mod_module_get_name(mod), '/'))
		return -EINVAL;
	if (snprintf(dir, sizeof(dir), "/sys/module/%s/sections", mod_module_get_name(mod)) >=
	    (int)sizeof(dir))
		return -ENAMETOOLONG;
	r = mod_sys_opendir(ctx, dir, &d);
	if (r < 0)
		return r;
	while (r == 0 && (e = readdir(d))) {
		unsigned long addr;

		/* Section names start with '.' themselves: skip only the directory entries. */
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		r = read_section_address(ctx, dir, e->d_name, &addr);
		if (r < 0) {
			ERR(ctx, "could not read section address %s/%s: %s\n", dir, e->d_name,
			    strerror(-r));
			break;
		}
		r = fn(e->d_name, addr, data);
	}
	closedir(d);
	return r;
}
