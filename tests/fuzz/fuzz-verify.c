/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target: verify any bytes as a signed module. The PKCS#7 decoding, signer matching and
 * trailer rules of verify.c see hostile input; the trust directory is empty (made once), so
 * every well-formed signer is an unknown key and the fuzzer's time goes into the parsing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libmod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char trust_dir[] = "/tmp/libmod-fuzz-trust.XXXXXX";
static struct mod_ctx *ctx;

static void cleanup(void)
{
	rmdir(trust_dir);
	mod_ctx_unref(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char magic[] = "~Module signature appended~\n";
	struct mod_signature_verdict *v = NULL;
	size_t total = size + sizeof(magic) - 1, len;
	uint8_t *buf;

	if (!ctx) {
		if (!mkdtemp(trust_dir) || mod_ctx_new("/tmp", (const char *const[]){ NULL }, &ctx))
			abort();
		mod_ctx_set_log_priority(ctx, 0);
		atexit(cleanup);
	}
	/* Append the magic so the fuzzer spends its time past the cheap check. */
	buf = malloc(total);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	memcpy(buf + size, magic, sizeof(magic) - 1);
	if (mod_signature_verify(ctx, buf, total, trust_dir, &v) == 0) {
		/* Nothing in the directory: a fuzzed input can never be valid. */
		if (mod_signature_verdict_get_status(v) == MOD_SIGNATURE_VALID ||
		    !mod_signature_status_str(mod_signature_verdict_get_status(v)) ||
		    !mod_signature_reason_str(mod_signature_verdict_get_reason(v)))
			abort();
		mod_signature_verdict_get_key_id(v, &len);
		len += strlen(mod_signature_verdict_get_signer(v));
		mod_signature_verdict_free(v);
	}
	free(buf);
	return 0;
}
