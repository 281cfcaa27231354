/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded string builder; see strbuf.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

void strbuf_init(struct strbuf *sb, char *stack_buf, size_t stack_size, size_t max)
{
	sb->buf = stack_size ? stack_buf : NULL;
	sb->size = stack_buf ? stack_size : 0;
	sb->used = 0;
	sb->max = max ? max : STRBUF_DEFAULT_MAX;
	sb->on_heap = false;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->on_heap)
		free(sb->buf);
	sb->buf = NULL;
	sb->size = sb->used = 0;
	sb->on_heap = false;
}

/* Make room for `extra` more bytes plus the terminating NUL. */
static int strbuf_reserve(struct strbuf *sb, size_t extra)
{
	size_t need, newsize;
	char *p;

	if (add_overflows(sb->used, extra, &need) || add_overflows(need, 1, &need))
		return -ENOMEM;
	if (need <= sb->size)
		return 0;
	if (need > sb->max + 1)
		return -ENOMEM;
	newsize = sb->size ? sb->size : 64;
	while (newsize < need) {
		if (mul_overflows(newsize, 2, &newsize))
			return -ENOMEM;
	}
	if (newsize > sb->max + 1)
		newsize = sb->max + 1;
	if (sb->on_heap) {
		p = realloc(sb->buf, newsize);
		if (!p)
			return -ENOMEM;
	} else {
		p = malloc(newsize);
		if (!p)
			return -ENOMEM;
		if (sb->used)
			memcpy(p, sb->buf, sb->used);
	}
	sb->buf = p;
	sb->size = newsize;
	sb->on_heap = true;
	sb->buf[sb->used] = '\0';
	return 0;
}

int strbuf_pushmem(struct strbuf *sb, const void *mem, size_t len)
{
	int r = strbuf_reserve(sb, len);

	if (r < 0)
		return r;
	if (len)
		memcpy(sb->buf + sb->used, mem, len);
	sb->used += len;
	sb->buf[sb->used] = '\0';
	return 0;
}

int strbuf_pushchar(struct strbuf *sb, char c)
{
	return strbuf_pushmem(sb, &c, 1);
}

int strbuf_pushstr(struct strbuf *sb, const char *s)
{
	return strbuf_pushmem(sb, s, strlen(s));
}

int strbuf_pushf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	r = strbuf_reserve(sb, (size_t)n);
	if (r < 0)
		return r;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->used, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->used += (size_t)n;
	return 0;
}

const char *strbuf_str(struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

void strbuf_clear(struct strbuf *sb)
{
	sb->used = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

void strbuf_popn(struct strbuf *sb, size_t n)
{
	if (n > sb->used)
		n = sb->used;
	sb->used -= n;
	if (sb->buf)
		sb->buf[sb->used] = '\0';
}

char *strbuf_steal(struct strbuf *sb)
{
	char *s;

	if (sb->on_heap) {
		s = sb->buf;
	} else {
		s = strndup(sb->buf ? sb->buf : "", sb->used);
		if (!s)
			return NULL;
	}
	sb->buf = NULL;
	sb->size = sb->used = 0;
	sb->on_heap = false;
	return s;
}
