/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Signature trailer tests: a legacy trailer crafted here, damaged trailers (truncated, lengths
 * overflowing the file, invalid header fields). Given a module directory (test-signature
 * <moddir>, run by with-corpus-moddir.sh), the PKCS#7 fields of a real module of the corpus
 * instead, against the values kmod's modinfo prints for it: a test of its own, so that a missing
 * corpus shows up as a skip rather than as a pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "libmod.h"

#define MAGIC "~Module signature appended~\n"
/* The corpus module directory, from the command line. */
static const char *corpus;

static struct mod_ctx *new_ctx(void)
{
	struct mod_ctx *ctx = NULL;

	assert_int_equal(mod_ctx_new("/tmp", (const char *const[]){ NULL }, &ctx), 0);
	mod_ctx_set_log_priority(ctx, 0);
	return ctx;
}

/* module bytes, signer "Tester", key id 01..04, signature 00..07, then header and magic */
static size_t legacy(uint8_t *b, uint8_t algo, uint8_t hash, uint8_t id, uint32_t sig_len)
{
	size_t n = 0;
	const uint8_t hdr[12] = { algo, hash, id, 6, 4, 0, 0, 0, (uint8_t)(sig_len >> 24),
				  (uint8_t)(sig_len >> 16), (uint8_t)(sig_len >> 8),
				  (uint8_t)sig_len };

	memcpy(b, "MODULEBYTES", 11);
	n = 11;
	memcpy(b + n, "Tester", 6);
	n += 6;
	memcpy(b + n, "\x01\x02\x03\x04", 4);
	n += 4;
	for (int i = 0; i < 8; i++)
		b[n++] = (uint8_t)i;
	memcpy(b + n, hdr, 12);
	n += 12;
	memcpy(b + n, MAGIC, 28);
	return n + 28;
}

static void test_legacy(void **state)
{
	struct mod_ctx *ctx = new_ctx();
	struct mod_signature *sig = NULL;
	uint8_t b[128];
	size_t n = legacy(b, 1, 4, 1, 8), len;
	const uint8_t *p;

	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), 0);
	assert_string_equal(mod_signature_get_id_type(sig), "X509");
	assert_string_equal(mod_signature_get_signer(sig), "Tester");
	assert_string_equal(mod_signature_get_hash_algo(sig), "sha256");
	p = mod_signature_get_key_id(sig, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(p, "\x01\x02\x03\x04", 4);
	p = mod_signature_get_signature(sig, &len);
	assert_int_equal(len, 8);
	assert_memory_equal(p, "\x00\x01\x02\x03\x04\x05\x06\x07", 8);
	assert_int_equal(mod_signature_get_module_size(sig), 11);
	mod_signature_free(sig);

	n = legacy(b, 0, 8, 0, 8);
	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), 0);
	assert_string_equal(mod_signature_get_id_type(sig), "PGP");
	assert_string_equal(mod_signature_get_hash_algo(sig), "sm3");
	mod_signature_free(sig);
	mod_ctx_unref(ctx);
}

static void test_bad(void **state)
{
	struct mod_ctx *ctx = new_ctx();
	struct mod_signature *sig = NULL;
	uint8_t b[128];
	size_t n;

	assert_int_equal(mod_signature_parse(ctx, "hello", 5, &sig), -ENODATA);
	n = legacy(b, 1, 4, 1, 8);
	b[n - 1] = 'X';
	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), -ENODATA);
	/* header cut: magic with less than 12 bytes before it */
	assert_int_equal(mod_signature_parse(ctx, MAGIC, 28, &sig), -EBADMSG);
	assert_int_equal(mod_signature_parse(ctx, "12345" MAGIC, 33, &sig), -EBADMSG);
	/* lengths overflowing the file */
	n = legacy(b, 1, 4, 1, 9);
	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), 0);
	sig = mod_signature_free(sig);
	n = legacy(b, 1, 4, 1, 30);
	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), -EBADMSG);
	n = legacy(b, 1, 4, 1, UINT32_MAX);
	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), -EBADMSG);
	/* invalid fields */
	n = legacy(b, 2, 4, 1, 8);
	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), -EBADMSG);
	n = legacy(b, 1, 9, 1, 8);
	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), -EBADMSG);
	n = legacy(b, 1, 4, 3, 8);
	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), -EBADMSG);
	n = legacy(b, 1, 4, 1, 0);
	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), -EBADMSG);
#if ENABLE_OPENSSL
	/* PKCS#7 whose DER is garbage */
	n = legacy(b, 0, 0, 2, 8);
	assert_int_equal(mod_signature_parse(ctx, b, n, &sig), -EBADMSG);
#endif
	assert_null(sig);
	mod_ctx_unref(ctx);
}

static void test_pkcs7_corpus(void **state)
{
	struct mod_ctx *ctx;
	struct mod_signature *sig = NULL;
	struct stat st;
	uint8_t *b;
	const uint8_t *p;
	size_t len;
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/kernel/fs/mbcache.ko", corpus);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("%s: %s", path, strerror(errno));
	ctx = new_ctx();
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	assert_int_equal(mod_signature_parse(ctx, b, (size_t)st.st_size, &sig), 0);
	assert_string_equal(mod_signature_get_id_type(sig), "PKCS#7");
	/* 681 bytes of DER + 12 + 28 */
	assert_int_equal(mod_signature_get_module_size(sig), (size_t)st.st_size - 721);
#if ENABLE_OPENSSL
	/* as `modinfo mbcache.ko` (kmod 30) prints them for the pinned kernel, 6.1.0-56-amd64 */
	assert_string_equal(mod_signature_get_signer(sig), "Build time autogenerated kernel key");
	assert_string_equal(mod_signature_get_hash_algo(sig), "sha256");
	p = mod_signature_get_key_id(sig, &len);
	assert_int_equal(len, 20);
	assert_memory_equal(p, "\x66\xF5\x4E\x15\x66\xA0\x43\xCC\x30\x30\x42\x0E\x18\x1C\xF8\x50"
			       "\xFB\x9F\x42\xAC", 20);
	p = mod_signature_get_signature(sig, &len);
	assert_int_equal(len, 512);
	assert_memory_equal(p, "\x07\x0B\x5C\x7A\xB9\x28\x02\x91", 8);
	assert_memory_equal(p + len - 4, "\x0A\xB2\x3F\x4C", 4);
#else
	assert_string_equal(mod_signature_get_hash_algo(sig), "unknown");
#endif
	mod_signature_free(sig);
	free(b);
	mod_ctx_unref(ctx);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_bad),
	};
	const struct CMUnitTest corpus_tests[] = {
		cmocka_unit_test(test_pkcs7_corpus),
	};

	if (argc < 2)
		return cmocka_run_group_tests(tests, NULL, NULL);
	corpus = argv[1];
	return cmocka_run_group_tests(corpus_tests, NULL, NULL);
}
