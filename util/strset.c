/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* String set with values; see strset.h. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "strset.h"

/* FNV-1a: short keys (module names), no need for anything stronger. */
static size_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return (size_t)h;
}

void strset_release(struct strset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slots[i].key);
	free(s->slots);
	*s = (struct strset)STRSET_INIT;
}

static struct strset_slot *find(const struct strset *s, const char *key, size_t h)
{
	size_t mask = s->cap - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct strset_slot *slot = &s->slots[i];

		if (!slot->key || (slot->hash == h && strcmp(slot->key, key) == 0))
			return slot;
	}
}

static int grow(struct strset *s)
{
	struct strset old = *s;
	/* Small first: most sets (one per probe) hold a handful of names. */
	size_t cap = s->cap ? s->cap * 2 : 8;

	if (cap == 0 || cap > SIZE_MAX / sizeof(*s->slots))
		return -ENOMEM;
	s->slots = calloc(cap, sizeof(*s->slots));
	if (!s->slots) {
		s->slots = old.slots;
		return -ENOMEM;
	}
	s->cap = cap;
	for (size_t i = 0; i < old.cap; i++)
		if (old.slots[i].key)
			*find(s, old.slots[i].key, old.slots[i].hash) = old.slots[i];
	free(old.slots);
	return 0;
}

int strset_add(struct strset *s, const char *key, unsigned int value)
{
	size_t h = hash_str(key);
	struct strset_slot *slot;

	if (s->cap && find(s, key, h)->key)
		return 1;
	/* At most 3/4 full, so probes stay short and an empty slot always ends a search. */
	if ((s->n + 1) * 4 > s->cap * 3 && grow(s) < 0)
		return -ENOMEM;
	slot = find(s, key, h);
	slot->key = strdup(key);
	if (!slot->key)
		return -ENOMEM;
	slot->hash = h;
	slot->value = value;
	s->n++;
	return 0;
}

unsigned int *strset_get(const struct strset *s, const char *key)
{
	struct strset_slot *slot;

	if (!s->cap)
		return NULL;
	slot = find(s, key, hash_str(key));
	return slot->key ? &slot->value : NULL;
}
