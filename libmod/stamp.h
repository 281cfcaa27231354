/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * File stamps for change detection (mod_ctx_validate): what a file looked like when the context
 * read it, so a later call can tell that depmod or a package replaced it.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

struct file_stamp {
	char *path;
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct stamp_set {
	struct file_stamp *v;
	size_t n, cap;
};

/* Record the current state of path, including "does not exist" (its creation is a change). */
int stamp_set_add(struct stamp_set *set, const char *path);
/* Does any recorded file differ from what is on disk now? */
bool stamp_set_changed(const struct stamp_set *set);
void stamp_set_clear(struct stamp_set *set);

/* The same for one file kept outside a set. */
void file_stamp_take(struct file_stamp *st, const char *path);
bool file_stamp_changed(const struct file_stamp *st);
