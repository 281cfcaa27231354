/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading the decompression libraries on first use, and declaring them; see compress-dl.h. */
#include "compress-dl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "dlopen-note.h"

struct dl_symbol {
	const char *name;
	size_t offset; /* of its pointer in the library's function table */
};
#define DL_SYMBOL(table, fn) { #fn, offsetof(struct table, fn) }

/*
 * Open a library and fill its function table. Each library is opened once per process, on the
 * first thread that needs it, and kept open: the pointers must stay valid. A missing symbol
 * means an unusable library: it is closed again and false returned.
 */
static bool dl_load(const char *soname, const struct dl_symbol *syms, size_t n, void *table)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return false;
	for (size_t i = 0; i < n; i++) {
		void *fn = dlsym(h, syms[i].name);

		if (!fn) {
			dlclose(h);
			return false;
		}
		*(void **)((char *)table + syms[i].offset) = fn;
	}
	return true;
}

#define N_SYMBOLS(a) (sizeof(a) / sizeof((a)[0]))

#if ENABLE_ZLIB
DLOPEN_NOTE(note_zlib, DLOPEN_NOTE_JSON("zlib", "Support for uncompressing gzip-compressed modules",
					"recommended", ZLIB_SONAME));

static struct zlib_fns zlib_fns;
static const struct zlib_fns *zlib_loaded;
static pthread_once_t zlib_once = PTHREAD_ONCE_INIT;
static const struct dl_symbol zlib_symbols[] = {
	DL_SYMBOL(zlib_fns, inflateInit2_),
	DL_SYMBOL(zlib_fns, inflate),
	DL_SYMBOL(zlib_fns, inflateReset),
	DL_SYMBOL(zlib_fns, inflateEnd),
};

static void zlib_load(void)
{
	if (dl_load(ZLIB_SONAME, zlib_symbols, N_SYMBOLS(zlib_symbols), &zlib_fns))
		zlib_loaded = &zlib_fns;
}

const struct zlib_fns *zlib_get(void)
{
	pthread_once(&zlib_once, zlib_load);
	return zlib_loaded;
}
#endif

#if ENABLE_XZ
DLOPEN_NOTE(note_xz, DLOPEN_NOTE_JSON("xz", "Support for uncompressing xz-compressed modules",
				      "recommended", LZMA_SONAME));

static struct lzma_fns lzma_fns;
static const struct lzma_fns *lzma_loaded;
static pthread_once_t lzma_once = PTHREAD_ONCE_INIT;
static const struct dl_symbol lzma_symbols[] = {
	DL_SYMBOL(lzma_fns, lzma_stream_footer_decode),
	DL_SYMBOL(lzma_fns, lzma_index_buffer_decode),
	DL_SYMBOL(lzma_fns, lzma_index_uncompressed_size),
	DL_SYMBOL(lzma_fns, lzma_index_end),
	DL_SYMBOL(lzma_fns, lzma_stream_decoder),
	DL_SYMBOL(lzma_fns, lzma_code),
	DL_SYMBOL(lzma_fns, lzma_end),
};

static void lzma_load(void)
{
	if (dl_load(LZMA_SONAME, lzma_symbols, N_SYMBOLS(lzma_symbols), &lzma_fns))
		lzma_loaded = &lzma_fns;
}

const struct lzma_fns *lzma_get(void)
{
	pthread_once(&lzma_once, lzma_load);
	return lzma_loaded;
}
#endif

#if ENABLE_ZSTD
DLOPEN_NOTE(note_zstd, DLOPEN_NOTE_JSON("zstd", "Support for uncompressing zstd-compressed modules",
					"recommended", ZSTD_SONAME));

static struct zstd_fns zstd_fns;
static const struct zstd_fns *zstd_loaded;
static pthread_once_t zstd_once = PTHREAD_ONCE_INIT;
static const struct dl_symbol zstd_symbols[] = {
	DL_SYMBOL(zstd_fns, ZSTD_getFrameContentSize),
	DL_SYMBOL(zstd_fns, ZSTD_findFrameCompressedSize),
	DL_SYMBOL(zstd_fns, ZSTD_decompress),
	DL_SYMBOL(zstd_fns, ZSTD_isError),
	DL_SYMBOL(zstd_fns, ZSTD_getErrorName),
	DL_SYMBOL(zstd_fns, ZSTD_createDStream),
	DL_SYMBOL(zstd_fns, ZSTD_decompressStream),
	DL_SYMBOL(zstd_fns, ZSTD_freeDStream),
};

static void zstd_load(void)
{
	if (dl_load(ZSTD_SONAME, zstd_symbols, N_SYMBOLS(zstd_symbols), &zstd_fns))
		zstd_loaded = &zstd_fns;
}

const struct zstd_fns *zstd_get(void)
{
	pthread_once(&zstd_once, zstd_load);
	return zstd_loaded;
}
#endif
