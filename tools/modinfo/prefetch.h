/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading module files ahead on worker threads, one per core: while modinfo prints one module,
 * the next ones are decompressed in parallel. For xz modules decompression is nearly all of
 * modinfo's time, and kmod uses one core. At most one image per worker plus one wait
 * ready at once (memory stays bounded).
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
