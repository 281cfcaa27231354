/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * File stamps and mod_ctx_validate: long-lived users (udevd through the libkmod compatibility
 * layer) keep one context for hours and must notice when depmod rewrote the indexes or a
 * package dropped a file into modprobe.d, without re-reading everything on every event.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config-private.h"
#include "stamp.h"

void file_stamp_take(struct file_stamp *st, const char *path)
{
	struct stat s;

	st->exists = stat(path, &s) == 0;
	if (!st->exists)
		return;
	st->dev = s.st_dev;
	st->ino = s.st_ino;
	st->size = s.st_size;
	st->mtime = s.st_mtim;
}

bool file_stamp_changed(const struct file_stamp *st)
{
	struct file_stamp now = { 0 };

	file_stamp_take(&now, st->path);
	if (now.exists != st->exists)
		return true;
	if (!now.exists)
		return false;
	/*
	 * depmod and package managers replace files by rename (new inode); an editor may write
	 * in place (new mtime or size). A directory's mtime moves when an entry is added,
	 * removed or renamed, which is what a new modprobe.d file looks like.
	 */
	return now.dev != st->dev || now.ino != st->ino || now.size != st->size ||
	       now.mtime.tv_sec != st->mtime.tv_sec || now.mtime.tv_nsec != st->mtime.tv_nsec;
}

int stamp_set_add(struct stamp_set *set, const char *path)
{
	struct file_stamp *st;

	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i].path, path) == 0)
			return 0;
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		struct file_stamp *v = reallocarray(set->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
	}
	st = &set->v[set->n];
	memset(st, 0, sizeof(*st));
	st->path = strdup(path);
	if (!st->path)
		return -ENOMEM;
	file_stamp_take(st, path);
	set->n++;
	return 0;
}

bool stamp_set_changed(const struct stamp_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		if (file_stamp_changed(&set->v[i]))
			return true;
	return false;
}

void stamp_set_clear(struct stamp_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i].path);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

LIBMOD_EXPORT int mod_ctx_validate(struct mod_ctx *ctx, unsigned int *changed)
{
	unsigned int mask = 0;

	if (!ctx || !changed)
		return -EINVAL;
	if (ctx->config && stamp_set_changed(&ctx->config->stamps))
		mask |= MOD_CTX_CHANGED_CONFIG;
	if (stamp_set_changed(&ctx->index_stamps))
		mask |= MOD_CTX_CHANGED_INDEXES;
	*changed = mask;
	return 0;
}
