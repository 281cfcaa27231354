/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mod_signature_verify on crafted trailers: the verdicts that need no key (unsigned, malformed,
 * unsupported), that damaged PKCS#7 is a verdict and never a crash, that verifier problems
 * (missing trust directory) are errors, and the strings. Real keys and signatures are in
 * test-verify.sh, where openssl makes them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "libmod.h"

#define MAGIC "~Module signature appended~\n"

static struct mod_ctx *new_ctx(void)
{
	struct mod_ctx *ctx = NULL;

	assert_int_equal(mod_ctx_new("/tmp", (const char *const[]){ NULL }, &ctx), 0);
	mod_ctx_set_log_priority(ctx, 0);
	return ctx;
}

/* "MODULE" + sig_len bytes of fill + header + magic */
static size_t trailer(uint8_t *b, uint8_t algo, uint8_t hash, uint8_t id, uint8_t pad,
		      uint32_t sig_len, uint8_t fill)
{
	const uint8_t hdr[12] = { algo, hash, id, 0, 0, pad, 0, 0, (uint8_t)(sig_len >> 24),
				  (uint8_t)(sig_len >> 16), (uint8_t)(sig_len >> 8),
				  (uint8_t)sig_len };
	size_t n = 6;

	memcpy(b, "MODULE", 6);
	memset(b + n, fill, sig_len);
	n += sig_len;
	memcpy(b + n, hdr, sizeof(hdr));
	n += sizeof(hdr);
	memcpy(b + n, MAGIC, 28);
	return n + 28;
}

static void expect(struct mod_ctx *ctx, const uint8_t *b, size_t len, const char *dir,
		   enum mod_signature_status status, enum mod_signature_reason reason)
{
	struct mod_signature_verdict *v = NULL;

	assert_int_equal(mod_signature_verify(ctx, b, len, dir, &v), 0);
	assert_non_null(v);
	assert_int_equal(mod_signature_verdict_get_status(v), status);
	assert_int_equal(mod_signature_verdict_get_reason(v), reason);
	assert_non_null(mod_signature_verdict_get_signer(v));
	assert_null(mod_signature_verdict_free(v));
}

static void test_without_key(void **state)
{
	struct mod_ctx *ctx = new_ctx();
	uint8_t b[512];
	size_t n;

	/* Decided from the trailer alone: the trust directory is never read. */
	expect(ctx, (const uint8_t *)"plain module", 12, "/nonexistent", MOD_SIGNATURE_UNSIGNED,
	       MOD_SIGNATURE_REASON_NONE);
	expect(ctx, (const uint8_t *)MAGIC, 28, "/nonexistent", MOD_SIGNATURE_INVALID,
	       MOD_SIGNATURE_REASON_MALFORMED);
	/* Lengths past the start of the file. */
	n = trailer(b, 0, 0, 2, 0, 100, 0x30);
	b[6 + 100 + 10] = 0x7f;
	expect(ctx, b, n, "/nonexistent", MOD_SIGNATURE_INVALID, MOD_SIGNATURE_REASON_MALFORMED);
	/* The kernel reads a trailer this way only as PKCS#7, all else zero. */
	n = trailer(b, 1, 4, 1, 0, 16, 0x41);
	expect(ctx, b, n, "/nonexistent", MOD_SIGNATURE_INVALID, MOD_SIGNATURE_REASON_UNSUPPORTED);
	n = trailer(b, 0, 4, 2, 0, 16, 0x41);
	expect(ctx, b, n, "/nonexistent", MOD_SIGNATURE_INVALID, MOD_SIGNATURE_REASON_MALFORMED);
	n = trailer(b, 0, 0, 2, 1, 16, 0x41);
	expect(ctx, b, n, "/nonexistent", MOD_SIGNATURE_INVALID, MOD_SIGNATURE_REASON_MALFORMED);
	n = trailer(b, 0, 0, 2, 0, 0, 0);
	expect(ctx, b, n, "/nonexistent", MOD_SIGNATURE_INVALID, MOD_SIGNATURE_REASON_MALFORMED);
	mod_ctx_unref(ctx);
}

static void test_damaged_pkcs7(void **state)
{
	struct mod_signature_verdict *v = NULL;
	struct mod_ctx *ctx = new_ctx();
	char dir[] = "/tmp/libmod-trust.XXXXXX";
	uint8_t b[512];
	size_t n;

	if (!ENABLE_OPENSSL) {
		mod_ctx_unref(ctx);
		skip();
	}
	assert_non_null(mkdtemp(dir));
	/* A DER header claiming more than there is, noise, and a cut SEQUENCE. */
	for (uint8_t fill = 0x30; fill != 0; fill = fill == 0x30 ? 0xff : 0) {
		n = trailer(b, 0, 0, 2, 0, 300, fill);
		expect(ctx, b, n, dir, MOD_SIGNATURE_INVALID, MOD_SIGNATURE_REASON_MALFORMED);
	}
	n = trailer(b, 0, 0, 2, 0, 4, 0);
	memcpy(b + 6, "\x30\x82\x01\x00", 4);
	expect(ctx, b, n, dir, MOD_SIGNATURE_INVALID, MOD_SIGNATURE_REASON_MALFORMED);

	/* A PKCS#7 trailer needs the trust directory: missing is an error, not a verdict. */
	n = trailer(b, 0, 0, 2, 0, 300, 0x30);
	assert_int_equal(mod_signature_verify(ctx, b, n, "/nonexistent/trust", &v), -ENOENT);
	assert_null(v);
	assert_int_equal(rmdir(dir), 0);
	mod_ctx_unref(ctx);
}

static void test_strings_and_args(void **state)
{
	struct mod_signature_verdict *v = NULL;
	struct mod_ctx *ctx = new_ctx();

	assert_string_equal(mod_signature_status_str(MOD_SIGNATURE_VALID), "valid");
	assert_string_equal(mod_signature_status_str(MOD_SIGNATURE_UNKNOWN_KEY), "unknown key");
	assert_null(mod_signature_status_str((enum mod_signature_status)99));
	assert_string_equal(mod_signature_reason_str(MOD_SIGNATURE_REASON_NONE), "");
	assert_string_equal(mod_signature_reason_str(MOD_SIGNATURE_REASON_DIGEST_MISMATCH),
			    "digest mismatch");
	assert_null(mod_signature_reason_str((enum mod_signature_reason)99));
	assert_string_equal(mod_signature_default_trust_dir(), SYSCONFDIR "/libmod/trusted-keys");
	assert_int_equal(mod_signature_verify(NULL, "x", 1, NULL, &v), -EINVAL);
	assert_int_equal(mod_signature_verify(ctx, NULL, 1, NULL, &v), -EINVAL);
	assert_int_equal(mod_signature_verify(ctx, "x", 1, NULL, NULL), -EINVAL);
	assert_int_equal(mod_module_verify_signature(NULL, NULL, &v), -EINVAL);
	assert_null(v);
	assert_null(mod_signature_verdict_free(NULL));
	mod_ctx_unref(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_key),
		cmocka_unit_test(test_damaged_pkcs7),
		cmocka_unit_test(test_strings_and_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
