/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * zlib, liblzma and libzstd, loaded on first use as libcrypto is (crypto-dl.h): a plain-module
 * tree, modprobe of a module the kernel decompresses itself, and every index lookup never map
 * them, which is most of what start-up costs. Pointers are typed from each library's own
 * header, so a mismatch is a compile error. Each getter returns NULL when the library is not
 * installed; the caller then reports the compression as unsupported.
 */
#pragma once

#include "config.h"

#if ENABLE_ZLIB
#include <zlib.h>
struct zlib_fns {
	__typeof__(inflateInit2_) *inflateInit2_;
	__typeof__(inflate) *inflate;
	__typeof__(inflateReset) *inflateReset;
	__typeof__(inflateEnd) *inflateEnd;
};
const struct zlib_fns *zlib_get(void);
#define ZLIB_SONAME "libz.so.1"
#endif

#if ENABLE_XZ
#include <lzma.h>
struct lzma_fns {
	__typeof__(lzma_stream_footer_decode) *lzma_stream_footer_decode;
	__typeof__(lzma_index_buffer_decode) *lzma_index_buffer_decode;
	__typeof__(lzma_index_uncompressed_size) *lzma_index_uncompressed_size;
	__typeof__(lzma_index_end) *lzma_index_end;
	__typeof__(lzma_stream_decoder) *lzma_stream_decoder;
	__typeof__(lzma_code) *lzma_code;
	__typeof__(lzma_end) *lzma_end;
};
const struct lzma_fns *lzma_get(void);
#define LZMA_SONAME "liblzma.so.5"
#endif

#if ENABLE_ZSTD
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
struct zstd_fns {
	__typeof__(ZSTD_getFrameContentSize) *ZSTD_getFrameContentSize;
	__typeof__(ZSTD_findFrameCompressedSize) *ZSTD_findFrameCompressedSize;
	__typeof__(ZSTD_decompress) *ZSTD_decompress;
	__typeof__(ZSTD_isError) *ZSTD_isError;
	__typeof__(ZSTD_getErrorName) *ZSTD_getErrorName;
	__typeof__(ZSTD_createDStream) *ZSTD_createDStream;
	__typeof__(ZSTD_decompressStream) *ZSTD_decompressStream;
	__typeof__(ZSTD_freeDStream) *ZSTD_freeDStream;
};
const struct zstd_fns *zstd_get(void);
#define ZSTD_SONAME "libzstd.so.1"
#endif
