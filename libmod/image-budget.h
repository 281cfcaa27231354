/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The memory budget for decompressed module images, shared by every thread and context of the
 * process (image-budget.c).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "libmod-private.h"

/* Bytes of decompressed images all threads together may hold: the per-file cap fits alone. */
#define IMAGE_BUDGET ((size_t)1 << 30)

/*
 * Take n bytes from the budget for path's image. Holding nothing else (holding == false), wait
 * for other threads to give back enough. Already holding part of an image (holding == true),
 * never wait (two growing images could wait for each other): -EAGAIN tells the caller to give
 * everything back and start over with a full reservation. -EFBIG, logged naming the file, when
 * n can never fit.
 */
int image_budget_take(struct mod_ctx *ctx, const char *path, size_t n, bool holding);
/* The decompression that took its first share (holding == false) has ended, either way. */
void image_budget_finished(void);
void image_budget_give(size_t n);
