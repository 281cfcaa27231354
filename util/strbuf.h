/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A bounded string builder: starts in a caller-provided buffer (usually on the stack), spills
 * to the heap when that is full, and refuses to grow past a maximum so that hostile input cannot
 * exhaust memory.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include "macros.h"

/* Default cap for strings built from untrusted input. */
#define STRBUF_DEFAULT_MAX (16u * 1024 * 1024)

struct strbuf {
	char *buf;
	size_t used;
	size_t size;
	size_t max;
	bool on_heap;
};

/* Start with a fixed buffer (may be NULL with size 0) and a growth cap (0 = default). */
void strbuf_init(struct strbuf *sb, char *stack_buf, size_t stack_size, size_t max) _nonnull_(1);
void strbuf_release(struct strbuf *sb) _nonnull_(1);

/* Each returns 0, or -ENOMEM when the cap or memory runs out (the buffer is left unchanged). */
int strbuf_pushchar(struct strbuf *sb, char c) _nonnull_(1) _must_check_;
int strbuf_pushmem(struct strbuf *sb, const void *mem, size_t len) _nonnull_(1) _must_check_;
int strbuf_pushstr(struct strbuf *sb, const char *s) _nonnull_(1, 2) _must_check_;
int strbuf_pushf(struct strbuf *sb, const char *fmt, ...) _nonnull_(1, 2) _printf_(2, 3)
	_must_check_;

/* The NUL-terminated contents; valid until the next push or release. Never NULL. */
const char *strbuf_str(struct strbuf *sb) _nonnull_(1);
static inline size_t strbuf_len(const struct strbuf *sb)
{
	return sb->used;
}
void strbuf_clear(struct strbuf *sb) _nonnull_(1);
/* Drop the last n bytes (n is clamped to the length). */
void strbuf_popn(struct strbuf *sb, size_t n) _nonnull_(1);
/* Move the contents into a fresh heap string and reset the builder; NULL on ENOMEM. */
char *strbuf_steal(struct strbuf *sb) _nonnull_(1);
