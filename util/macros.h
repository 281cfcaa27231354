/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compiler annotations and cleanup helpers shared by the library and the tools.
 * Internal: never installed, never part of the ABI.
 */
#pragma once

#include <stdlib.h>
#include <stddef.h>
#include <unistd.h>

#define _nonnull_(...) __attribute__((nonnull(__VA_ARGS__)))
#define _must_check_ __attribute__((warn_unused_result))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _cleanup_(f) __attribute__((cleanup(f)))
#define _likely_(x) __builtin_expect(!!(x), 1)
#define _unlikely_(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Hand a pointer out of a _cleanup_ variable: returns it and leaves NULL behind. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _take_tmp = (p);                                                     \
		(p) = NULL;                                                                        \
		_take_tmp;                                                                         \
	})

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/* Overflow-checked arithmetic for parsers: true means the result does not fit. */
#define add_overflows(a, b, res) __builtin_add_overflow((a), (b), (res))
#define mul_overflows(a, b, res) __builtin_mul_overflow((a), (b), (res))

/* Is [off, off + len) inside a buffer of size total? Overflow-safe. */
static inline int range_in_bounds(size_t off, size_t len, size_t total)
{
	return off <= total && len <= total - off;
}

static inline int streq(const char *a, const char *b)
{
	return a == b || (a && b && __builtin_strcmp(a, b) == 0);
}
