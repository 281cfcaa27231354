/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the index reader: the input is an index file. Exact, all-values and wildcard
 * lookups with a few keys (some taken from the input itself, so deep paths get exercised), and a
 * full walk. Any crash, sanitizer report or hang is a bug: a corrupt file must give -EBADMSG.
 */
#include <stdint.h>
#include <string.h>

#include "libmod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keeps the reads above from being optimized away. */
static volatile size_t sink;

static int count(const char *key, const char *value, unsigned int prio, void *d)
{
	size_t *n = d;

	/* Touch the strings so a missing NUL would be seen by the sanitizer. */
	*n += strlen(key) + strlen(value) + prio;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {
		"", "a", "snd", "pci:v00008086d00001234sv00001028sd00000001bc02sc00i00",
		"usb:v046Dp0825d0010dcEFdsc02dp01ic0Eisc01ip00in00", "acpi:PNP0A03:", "x*?[",
	};
	struct mod_index *idx;
	struct mod_index_result *res;
	const char *v;
	char key[64];
	size_t n = 0;

	if (mod_index_new_from_memory(NULL, data, size, &idx) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (mod_index_lookup(idx, keys[i], &v) == 0)
			n += strlen(v);
		if (mod_index_lookup_all(idx, keys[i], &res) == 0) {
			for (size_t j = 0; j < mod_index_result_count(res); j++)
				n += strlen(mod_index_result_value(res, j));
			mod_index_result_free(res);
		}
		if (mod_index_lookup_wild(idx, keys[i], &res) == 0) {
			for (size_t j = 0; j < mod_index_result_count(res); j++)
				n += strlen(mod_index_result_value(res, j));
			mod_index_result_free(res);
		}
	}
	/* A key made of the file's own printable bytes reaches nodes the fixed keys miss. */
	size_t k = 0;
	for (size_t i = 12; i < size && k + 1 < sizeof(key); i++) {
		if (data[i] >= 0x20 && data[i] < 0x7f)
			key[k++] = (char)data[i];
	}
	key[k] = '\0';
	if (mod_index_lookup(idx, key, &v) == 0)
		n += strlen(v);
	if (mod_index_lookup_wild(idx, key, &res) == 0)
		mod_index_result_free(res);
	mod_index_foreach(idx, count, &n);
	mod_index_unref(idx);
	sink = n;
	return 0;
}
