/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Whole-buffer writes with EINTR and short-write handling, and a small buffered writer on top,
 * for everything that produces files (indexes, dumps, depmod's text outputs); and reading a
 * small file whole.
 */
#pragma once

#include <stddef.h>
#include "macros.h"

/*
 * Read a whole regular file into a fresh buffer with a NUL after the last byte (so text parsers
 * can stop on it). -EFBIG past max bytes, -EINVAL for anything but a regular file, else -errno.
 */
int read_file_all(const char *path, size_t max, char **ret, size_t *len) _must_check_;

/* Write all len bytes; retries on EINTR and short writes. 0 or -errno (-EIO if write returns 0). */
int write_all(int fd, const void *buf, size_t len) _must_check_;

/*
 * A buffered writer: bytes collect in buf and go out in large writes. The first error sticks:
 * later puts are dropped and wbuf_flush returns it, so callers check once at the end.
 */
#define WBUF_SIZE (64u * 1024)
struct wbuf {
	int fd;
	int err;
	size_t used;
	char buf[WBUF_SIZE];
};

void wbuf_init(struct wbuf *w, int fd) _nonnull_(1);
void wbuf_put(struct wbuf *w, const void *mem, size_t len) _nonnull_(1);
void wbuf_puts(struct wbuf *w, const char *s) _nonnull_(1, 2);
static inline void wbuf_putc(struct wbuf *w, char c)
{
	if (_likely_(w->used < WBUF_SIZE))
		w->buf[w->used++] = c;
	else
		wbuf_put(w, &c, 1);
}
/* Write out what is buffered; returns the first error seen so far (0 when none). */
int wbuf_flush(struct wbuf *w) _nonnull_(1) _must_check_;
