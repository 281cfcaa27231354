/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: parse any bytes as a module with an appended signature trailer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libmod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char magic[] = "~Module signature appended~\n";
	struct mod_signature *sig = NULL;
	size_t n = 0, len, total = size + sizeof(magic) - 1;
	const uint8_t *p;
	/* Append the magic so the fuzzer spends its time past the cheap check. */
	uint8_t *buf = malloc(total);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	memcpy(buf + size, magic, sizeof(magic) - 1);
	for (int pass = 0; pass < 2; pass++) {
		if (mod_signature_parse(NULL, buf, pass ? size : total, &sig) == 0) {
			n += strlen(mod_signature_get_id_type(sig));
			n += strlen(mod_signature_get_signer(sig));
			n += strlen(mod_signature_get_hash_algo(sig));
			p = mod_signature_get_key_id(sig, &len);
			n += len ? p[len - 1] : 0;
			p = mod_signature_get_signature(sig, &len);
			n += len ? p[len - 1] : 0;
			if (mod_signature_get_module_size(sig) > (pass ? size : total))
				abort();
			mod_signature_free(sig);
		}
	}
	free(buf);
	return n == 42424242;
}
