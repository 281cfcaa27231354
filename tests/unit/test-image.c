/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Module image tests: files compressed here with the real libraries (gzip, xz, zstd, and
 * multi-member/multi-frame variants) must come back byte-identical; corrupt and truncated
 * streams must fail with -EBADMSG, not crash.
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
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "libmod.h"
#if ENABLE_ZLIB
#include <zlib.h>
#endif
#if ENABLE_XZ
#include <lzma.h>
#endif
#if ENABLE_ZSTD
#include <zstd.h>
#endif

static char dir[] = "/tmp/test-image-XXXXXX";
static uint8_t plain[200000];

static struct mod_ctx *new_ctx(void)
{
	struct mod_ctx *ctx = NULL;

	assert_int_equal(mod_ctx_new("/tmp", (const char *const[]){ NULL }, &ctx), 0);
	mod_ctx_set_log_priority(ctx, 0); /* corrupt inputs log errors on purpose */
	return ctx;
}

static const char *write_file(const char *name, const void *buf, size_t len)
{
	static char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	return path;
}

static void expect_image(struct mod_ctx *ctx, const char *path, enum mod_compression c,
			 const void *want, size_t want_len)
{
	struct mod_image *img = NULL;

	assert_int_equal(mod_image_open(ctx, path, &img), 0);
	assert_int_equal(mod_image_get_compression(img), c);
	assert_int_equal(mod_image_get_size(img), want_len);
	assert_memory_equal(mod_image_get_data(img), want, want_len);
	assert_string_equal(mod_image_get_path(img), path);
	mod_image_unref(img);
}

/* Damaged copies of a compressed file must fail cleanly. */
static void expect_corrupt(struct mod_ctx *ctx, const uint8_t *z, size_t zlen)
{
	uint8_t *bad = malloc(zlen);
	struct mod_image *img = NULL;
	const char *p;
	int r;

	memcpy(bad, z, zlen);
	/* truncated at half */
	p = write_file("trunc", bad, zlen / 2);
	assert_int_equal(mod_image_open(ctx, p, &img), -EBADMSG);
	/* header kept, body scrambled */
	for (size_t i = 12; i < zlen; i += 7)
		bad[i] ^= 0x5a;
	p = write_file("scrambled", bad, zlen);
	r = mod_image_open(ctx, p, &img);
	assert_int_equal(r, -EBADMSG);
	/* magic only */
	p = write_file("magic", z, 6);
	assert_int_equal(mod_image_open(ctx, p, &img), -EBADMSG);
	assert_null(img);
	free(bad);
}

static void test_plain(void **state)
{
	struct mod_ctx *ctx = new_ctx();
	struct mod_image *img;
	const char *p = write_file("plain.ko", plain, sizeof(plain));

	expect_image(ctx, p, MOD_COMPRESSION_NONE, plain, sizeof(plain));
	p = write_file("empty.ko", plain, 0);
	expect_image(ctx, p, MOD_COMPRESSION_NONE, plain, 0);
	assert_int_equal(mod_image_open(ctx, "/nonexistent/x.ko", &img), -ENOENT);
	assert_int_equal(mod_image_open(ctx, dir, &img), -EISDIR);

	assert_int_equal(mod_image_new_from_memory(ctx, plain, 100, &img), 0);
	assert_ptr_equal(mod_image_get_data(img), plain);
	assert_null(mod_image_get_path(img));
	mod_image_unref(img);

	assert_int_equal(mod_compression_detect("\x28\xb5\x2f\xfd", 4), MOD_COMPRESSION_ZSTD);
	assert_int_equal(mod_compression_detect("\xfd" "7zXZ\0", 6), MOD_COMPRESSION_XZ);
	assert_int_equal(mod_compression_detect("\xfd" "7zXZ", 5), MOD_COMPRESSION_NONE);
	assert_int_equal(mod_compression_detect("\x1f\x8b", 2), MOD_COMPRESSION_GZIP);
	assert_int_equal(mod_compression_detect("\x1f", 1), MOD_COMPRESSION_NONE);
	assert_string_equal(mod_compression_name(MOD_COMPRESSION_XZ), "xz");
	mod_ctx_unref(ctx);
}

#if ENABLE_ZLIB
static size_t gzip_buf(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream zs = { 0 };

	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	return cap - zs.avail_out;
}

static void test_gzip(void **state)
{
	struct mod_ctx *ctx = new_ctx();
	size_t cap = sizeof(plain) + 1024, n, n2;
	uint8_t *z = malloc(2 * cap);

	n = gzip_buf(plain, sizeof(plain), z, cap);
	expect_image(ctx, write_file("a.ko.gz", z, n), MOD_COMPRESSION_GZIP, plain, sizeof(plain));
	/* two members: the first half then the second, like `cat a.gz b.gz` */
	n = gzip_buf(plain, 1000, z, cap);
	n2 = gzip_buf(plain + 1000, sizeof(plain) - 1000, z + n, cap);
	expect_image(ctx, write_file("m.ko.gz", z, n + n2), MOD_COMPRESSION_GZIP, plain,
		     sizeof(plain));
	n = gzip_buf(plain, sizeof(plain), z, cap);
	/* a lying ISIZE is only a size hint to us, but zlib's length check rejects it */
	z[n - 4] = 1;
	z[n - 3] = z[n - 2] = z[n - 1] = 0;
	{
		struct mod_image *img;
		assert_int_equal(mod_image_open(ctx, write_file("l.ko.gz", z, n), &img), -EBADMSG);
	}
	n = gzip_buf(plain, sizeof(plain), z, cap);
	expect_corrupt(ctx, z, n);
	free(z);
	mod_ctx_unref(ctx);
}
#endif

#if ENABLE_XZ
static void test_xz(void **state)
{
	struct mod_ctx *ctx = new_ctx();
	size_t cap = sizeof(plain) + 4096, n = 0, n2 = 0;
	uint8_t *z = malloc(2 * cap);

	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, plain, sizeof(plain),
						 z, &n, cap),
			 LZMA_OK);
	expect_image(ctx, write_file("a.ko.xz", z, n), MOD_COMPRESSION_XZ, plain, sizeof(plain));
	/* concatenated streams: the index of the last one is not the whole size */
	n = 0;
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, plain, 5000, z, &n,
						 cap),
			 LZMA_OK);
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, plain + 5000,
						 sizeof(plain) - 5000, z + n, &n2, cap),
			 LZMA_OK);
	expect_image(ctx, write_file("m.ko.xz", z, n + n2), MOD_COMPRESSION_XZ, plain,
		     sizeof(plain));
	n = 0;
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, plain, sizeof(plain),
						 z, &n, cap),
			 LZMA_OK);
	expect_corrupt(ctx, z, n);
	free(z);
	mod_ctx_unref(ctx);
}
#endif

#if ENABLE_ZSTD
static void test_zstd(void **state)
{
	struct mod_ctx *ctx = new_ctx();
	size_t cap = ZSTD_compressBound(sizeof(plain)), n, n2;
	uint8_t *z = malloc(2 * cap);
	ZSTD_CCtx *cc = ZSTD_createCCtx();

	n = ZSTD_compress(z, cap, plain, sizeof(plain), 3);
	assert_false(ZSTD_isError(n));
	expect_image(ctx, write_file("a.ko.zst", z, n), MOD_COMPRESSION_ZSTD, plain,
		     sizeof(plain));
	/* no content size in the frame header: the streaming path */
	ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
	n = ZSTD_compress2(cc, z, cap, plain, sizeof(plain));
	assert_false(ZSTD_isError(n));
	expect_image(ctx, write_file("u.ko.zst", z, n), MOD_COMPRESSION_ZSTD, plain,
		     sizeof(plain));
	/* two frames */
	n = ZSTD_compress(z, cap, plain, 3000, 3);
	n2 = ZSTD_compress(z + n, cap, plain + 3000, sizeof(plain) - 3000, 3);
	expect_image(ctx, write_file("m.ko.zst", z, n + n2), MOD_COMPRESSION_ZSTD, plain,
		     sizeof(plain));
	n = ZSTD_compress(z, cap, plain, sizeof(plain), 3);
	expect_corrupt(ctx, z, n);
	ZSTD_freeCCtx(cc);
	free(z);
	mod_ctx_unref(ctx);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
#if ENABLE_ZLIB
		cmocka_unit_test(test_gzip),
#endif
#if ENABLE_XZ
		cmocka_unit_test(test_xz),
#endif
#if ENABLE_ZSTD
		cmocka_unit_test(test_zstd),
#endif
	};
	uint32_t x = 12345;
	int r;

	/* compressible but not trivial: text-like runs with noise */
	for (size_t i = 0; i < sizeof(plain); i++) {
		x = x * 1103515245u + 12345u;
		plain[i] = (i % 64 < 40) ? (uint8_t)("modinfo_license=GPL "[i % 20]) : (uint8_t)(x >> 24);
	}
	assert_non_null(mkdtemp(dir));
	r = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			r = r ? r : 1;
	}
	return r;
}
