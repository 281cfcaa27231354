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

static int read_whole_file(const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t got = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((unsigned long long)st.st_size > BUILTIN_MODINFO_MAX)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = got;
	return 0;
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
	r = read_whole_file(path, &bm->data, &bm->len);
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
