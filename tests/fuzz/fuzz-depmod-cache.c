/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for depmod's cache reader (libmod/depmod-cache.c): the input is a cache file. So
 * that mutations get past the body hash (which a mutated file fails at once), the target writes
 * the right body length and hash into the header unless the input's last byte is odd; then it
 * looks up every NUL-terminated string of the input as a module path and touches every string
 * of the records found. A crash, sanitizer report or hang is a bug: a bad file must be refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "depmod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps the reads above from being optimized away. */
static volatile size_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct depmod_cache *c = NULL;
	const char *why;
	bool other;
	char *buf = malloc(size ? size : 1);
	size_t n = 0, lookups = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (size >= 64 && !(data[size - 1] & 1)) {
		uint64_t body_len = size - 64;
		uint64_t h = depmod_cache_hash(0, buf + 64, size - 64);

		memcpy(buf + 16, &body_len, 8);
		memcpy(buf + 24, &h, 8);
	}
	if (depmod_cache_parse(buf, size, &c, &why, &other) < 0)
		return 0;
	n += depmod_cache_count(c);
	for (size_t i = 0; i < size && lookups < 256;) {
		const char *s = (const char *)data + i;
		size_t len = strnlen(s, size - i);

		if (len > 0 && len < size - i) {
			struct depmod_mod m = { 0 };
			struct depmod_key key;

			lookups++;
			if (depmod_cache_find(c, s, &key, &m)) {
				n += (size_t)key.size;
				for (size_t e = 0; e < m.n_ents; e++)
					n += strlen(depmod_ent_str(&m, &m.ents[e])) + m.ents[e].kind;
			}
		}
		i += len + 1;
	}
	depmod_cache_release(c);
	sink = n;
	return 0;
}
