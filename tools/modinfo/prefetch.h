/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading module files ahead on a second thread: while modinfo prints one module, the next is
 * decompressed. For xz modules, decompression is nearly all of modinfo's time, so this uses the
 * second core the reference leaves idle. At most PREFETCH_AHEAD images wait at once (memory).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "libmod.h"

struct prefetch;

/*
 * Start reading paths[i] for every i where wanted[i] (both arrays of n entries, kept by the
 * caller until prefetch_stop). The worker uses its own silent context on moddir: a failure is
 * not reported there; the caller reads that file again the normal way and reports it.
 */
int prefetch_start(const char *moddir, char *const *paths, const bool *wanted, size_t n,
		   struct prefetch **ret);
/* The image of paths[i] (a reference for the caller), waiting for it; NULL when it failed. */
struct mod_image *prefetch_take(struct prefetch *p, size_t i);
/* Stop the worker and drop images nobody took. NULL is fine. */
void prefetch_stop(struct prefetch *p);
