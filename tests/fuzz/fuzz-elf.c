/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: parse any bytes as a module ELF and run every iterator and the force strip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elf-private.h"
#include "libmod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mod_elf *elf = NULL;
	const char *key, *val, *s;
	size_t kl, c, sink = 0;
	uint64_t crc, off, sz;
	enum mod_symbol_bind b;
	const uint8_t *id;
	void *copy;
	size_t copy_len;
	/* Parsers may rely on nothing past size: give them an exact-size heap copy (ASan sees it). */
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (mod_elf_new(NULL, buf, size, &elf) == 0) {
		c = 0;
		while (mod_elf_modinfo_next(elf, &c, &key, &kl, &val) == 0)
			sink += kl + strlen(val) + (key[0] != 0);
		c = 0;
		while (mod_elf_versions_next(elf, &c, &s, &crc) == 0)
			sink += strlen(s) + crc;
		c = 0;
		while (mod_elf_exports_next(elf, &c, &s, &crc) == 0)
			sink += strlen(s) + crc;
		c = 0;
		while (mod_elf_undefined_next(elf, &c, &s, &b, &crc) == 0)
			sink += strlen(s) + crc + b;
		c = 0;
		while (mod_elf_sections_next(elf, &c, &s, &off, &sz) == 0)
			sink += strlen(s);
		/* The ELF extent (where a signature trailer would start) lies inside the input. */
		if (mod_elf_get_extent_internal(elf) > size)
			abort();
		if (mod_elf_get_this_module_name(elf, &s) == 0)
			sink += strlen(s);
		if (mod_elf_get_build_id(elf, &id, &sz) == 0)
			sink += id[0] + id[sz - 1];
		for (int m = 1; m < 4; m++) {
			if (mod_elf_strip_for_force(elf, m & 1, m & 2, &copy, &copy_len) == 0) {
				struct mod_elf *e2 = NULL;

				/* The stripped copy must still parse. */
				if (mod_elf_new(NULL, copy, copy_len, &e2) != 0)
					abort();
				mod_elf_unref(e2);
				free(copy);
			}
		}
		mod_elf_unref(elf);
	}
	free(buf);
	return sink == 42424242; /* keep the reads alive */
}
