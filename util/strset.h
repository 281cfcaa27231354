/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A set of strings, each with a small value: an open-addressing hash table. Planning a load or a
 * removal asks "seen this module?" once per module it reaches; with a linear list that made
 * inputs of tens of thousands of modules quadratic.
 */
#pragma once

#include <stddef.h>

#include "macros.h"

struct strset_slot {
	char *key; /* owned; NULL: empty slot */
	size_t hash;
	unsigned int value;
};

struct strset {
	struct strset_slot *slots;
	size_t cap; /* 0 or a power of two */
	size_t n;
};

#define STRSET_INIT { NULL, 0, 0 }

void strset_release(struct strset *s) _nonnull_(1);
/*
 * Add key with value unless it is present. Returns 0 when added, 1 when the key was already
 * there (its value unchanged), -ENOMEM.
 */
int strset_add(struct strset *s, const char *key, unsigned int value) _nonnull_(1, 2) _must_check_;
/* The value slot of key, NULL when absent. Valid until the next strset_add. */
unsigned int *strset_get(const struct strset *s, const char *key) _nonnull_(1, 2);
