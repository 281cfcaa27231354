/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Builtin modules' info: modules.builtin.modinfo, the kernel's list of `modname.key=value`
 * strings for code linked into vmlinux. Read once per context into memory (it is small, a few
 * hundred KiB) so lookups are plain scans with no further I/O.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "libmod-private.h"

/* The file is kernel-generated, but still bounded: refuse anything absurd. */
#define BUILTIN_MODINFO_MAX (64u * 1024 * 1024)

void builtin_modinfo_free(struct builtin_modinfo *bm)
{
	if (!bm)
		return;
	free(bm->data);
	free(bm);
}

int builtin_modinfo_get(struct mod_ctx *ctx, const struct builtin_modinfo **ret)
{
	_cleanup_free_ char *path = NULL;
	struct builtin_modinfo *bm;
	int r;

	if (ctx->builtin_modinfo) {
		*ret = ctx->builtin_modinfo;
		return 0;
	}
	if (asprintf(&path, "%s/modules.builtin.modinfo", ctx->moddir) < 0)
		return -ENOMEM;
	bm = calloc(1, sizeof(*bm));
	if (!bm)
		return -ENOMEM;
	r = read_file_all(path, BUILTIN_MODINFO_MAX, &bm->data, &bm->len);
	if (r < 0) {
		free(bm);
		if (r != -ENOENT)
			ERR(ctx, "could not read %s: %s\n", path, strerror(-r));
		return r;
	}
	ctx->builtin_modinfo = bm;
	*ret = bm;
	return 0;
}

int builtin_modinfo_find(const struct builtin_modinfo *bm, const char *name, size_t *start,
			 size_t *end)
{
	size_t namelen = strlen(name), pos = 0, first = 0;
	bool found = false;

	while (pos < bm->len) {
		const char *s = bm->data + pos;
		/* data[len] is NUL, so this stops inside the buffer even for a last unterminated string */
		size_t n = strlen(s);
		bool match = n > namelen && memcmp(s, name, namelen) == 0 && s[namelen] == '.';

		if (match && !found) {
			found = true;
			first = pos;
		} else if (!match && found) {
			break;
		}
		pos += n + 1;
	}
	if (!found)
		return -ENOENT;
	*start = first;
	*end = pos < bm->len ? pos : bm->len;
	return 0;
}
