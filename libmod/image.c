/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Module images: a module file read into memory. Plain files are mapped; compressed ones
 * (detected by magic bytes) are decompressed into one heap buffer sized up front from what the
 * format records (zstd frame content size, xz index, gzip ISIZE) so that depmod's pass over
 * thousands of modules does not pay for realloc churn.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "elf-private.h"
#include "image-budget.h"

#include "compress-dl.h"

/* No module comes close; a bigger output is treated as a decompression bomb. */
#define IMAGE_MAX_SIZE IMAGE_BUDGET
/*
 * The xz decoder allocates the dictionary a file asks for up front; a hostile header could ask
 * for gigabytes. xz -9 needs 65 MiB, kbuild's modules 1 MiB: 256 MiB leaves ample room.
 */
#define XZ_MEMLIMIT ((uint64_t)256 << 20)

enum image_storage {
	STORAGE_BORROWED, /* caller memory */
	STORAGE_MAPPED,   /* mmap of a plain file */
	STORAGE_HEAP,     /* decompressed buffer */
};

struct mod_image {
	int refcount;
	struct mod_ctx *ctx;
	char *path;
	const void *data;
	size_t size;
	enum mod_compression compression;
	enum image_storage storage;
	size_t budget; /* bytes taken from the image budget (heap storage) */
};

/*
 * A decompression's output buffer and its share of the image budget. `min` is the size a
 * restart begins with: what the buffer had to grow to when the budget made it start over.
 */
struct outbuf {
	size_t taken;
	size_t min;
};

/* The first output buffer: cap bytes (at least out->min), reserved, waiting for room. */
static uint8_t *out_alloc(struct mod_ctx *ctx, const char *path, struct outbuf *out,
			  size_t *cap, int *err)
{
	uint8_t *buf;

	if (*cap < out->min)
		*cap = out->min;
	*err = image_budget_take(ctx, path, *cap, false);
	if (*err < 0)
		return NULL;
	out->taken = *cap;
	buf = malloc(*cap);
	if (!buf)
		*err = -ENOMEM;
	return buf;
}

LIBMOD_EXPORT enum mod_compression mod_compression_detect(const void *buf, size_t len)
{
	static const uint8_t zstd_magic[] = { 0x28, 0xB5, 0x2F, 0xFD };
	static const uint8_t xz_magic[] = { 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00 };
	static const uint8_t gzip_magic[] = { 0x1F, 0x8B };

	if (!buf)
		return MOD_COMPRESSION_NONE;
	if (len >= sizeof(zstd_magic) && memcmp(buf, zstd_magic, sizeof(zstd_magic)) == 0)
		return MOD_COMPRESSION_ZSTD;
	if (len >= sizeof(xz_magic) && memcmp(buf, xz_magic, sizeof(xz_magic)) == 0)
		return MOD_COMPRESSION_XZ;
	if (len >= sizeof(gzip_magic) && memcmp(buf, gzip_magic, sizeof(gzip_magic)) == 0)
		return MOD_COMPRESSION_GZIP;
	return MOD_COMPRESSION_NONE;
}

LIBMOD_EXPORT const char *mod_compression_name(enum mod_compression c)
{
	switch (c) {
	case MOD_COMPRESSION_NONE:
		return "none";
	case MOD_COMPRESSION_GZIP:
		return "gzip";
	case MOD_COMPRESSION_XZ:
		return "xz";
	case MOD_COMPRESSION_ZSTD:
		return "zstd";
	}
	return "unknown";
}

/* Initial output size when the format does not say: modules compress roughly 3-5x. */
static size_t guess_size(size_t in_len)
{
	size_t g;

	if (mul_overflows(in_len, (size_t)4, &g) || g > IMAGE_MAX_SIZE)
		return IMAGE_MAX_SIZE;
	return g < 4096 ? 4096 : g;
}

/*
 * Grow a decompression buffer, doubling, never past the cap. The budget is asked first; when
 * other threads hold it, -EAGAIN: the caller gives everything back and starts over (out->min).
 */
static int grow(struct mod_ctx *ctx, const char *path, struct outbuf *out, uint8_t **buf,
		size_t *cap)
{
	size_t ncap;
	uint8_t *n;
	int r;

	if (*cap >= IMAGE_MAX_SIZE) {
		ERR(ctx, "%s: decompressed size exceeds %zu bytes\n", path, IMAGE_MAX_SIZE);
		return -EFBIG;
	}
	ncap = *cap > IMAGE_MAX_SIZE / 2 ? IMAGE_MAX_SIZE : *cap * 2;
	r = image_budget_take(ctx, path, ncap - *cap, true);
	if (r == -EAGAIN)
		out->min = ncap;
	if (r < 0)
		return r;
	out->taken += ncap - *cap;
	n = realloc(*buf, ncap);
	if (!n)
		return -ENOMEM;
	*buf = n;
	*cap = ncap;
	return 0;
}

#if ENABLE_ZLIB || ENABLE_XZ || ENABLE_ZSTD
/* Built with the library, but it is not installed (it is loaded on first use). */
static int library_missing(struct mod_ctx *ctx, const char *path, const char *what,
			   const char *soname)
{
	ERR(ctx, "%s: cannot decompress %s data: %s could not be loaded\n", path, what, soname);
	return -EPROTONOSUPPORT;
}
#endif

#if ENABLE_ZLIB
static int decompress_gzip(struct mod_ctx *ctx, const char *path, const uint8_t *in, size_t len,
			   struct outbuf *obuf, uint8_t **out, size_t *out_len)
{
	_cleanup_free_ uint8_t *buf = NULL;
	z_stream zs = { 0 };
	size_t cap, used = 0, consumed = 0;
	int zr, err = 0;
	const struct zlib_fns *z = zlib_get();

	if (!z)
		return library_missing(ctx, path, "gzip", ZLIB_SONAME);

	/* ISIZE (last 4 bytes, little-endian) is the size mod 2^32 of the last member: a hint. */
	cap = guess_size(len);
	if (len >= 18) {
		const uint8_t *t = in + len - 4;
		size_t isize = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 |
			       (size_t)t[3] << 24;

		/* One spare byte so a correct hint finishes without a grow. */
		if (isize > 0 && isize < IMAGE_MAX_SIZE)
			cap = isize + 1;
	}
	buf = out_alloc(ctx, path, obuf, &cap, &err);
	if (!buf)
		return err;

	/* 16 + MAX_WBITS: gzip wrapper only. */
	if (z->inflateInit2_(&zs, 16 + MAX_WBITS, ZLIB_VERSION, (int)sizeof(zs)) != Z_OK)
		return -ENOMEM;

	for (;;) {
		size_t in_chunk = len - consumed, out_chunk = cap - used;

		if (in_chunk > UINT32_MAX)
			in_chunk = UINT32_MAX;
		if (out_chunk > UINT32_MAX)
			out_chunk = UINT32_MAX;
		zs.next_in = (Bytef *)(uintptr_t)(in + consumed);
		zs.avail_in = (uInt)in_chunk;
		zs.next_out = buf + used;
		zs.avail_out = (uInt)out_chunk;
		zr = z->inflate(&zs, Z_NO_FLUSH);
		consumed += in_chunk - zs.avail_in;
		used += out_chunk - zs.avail_out;

		if (zr == Z_STREAM_END) {
			/* Concatenated members are valid gzip (gzread accepts them); padding is not. */
			if (consumed + 2 <= len && in[consumed] == 0x1F && in[consumed + 1] == 0x8B) {
				z->inflateReset(&zs);
				continue;
			}
			break;
		}
		if (zr == Z_BUF_ERROR && zs.avail_out == 0) {
			err = grow(ctx, path, obuf, &buf, &cap);
			if (err < 0)
				goto out;
			continue;
		}
		if (zr != Z_OK) {
			ERR(ctx, "%s: corrupt gzip data: %s\n", path, zs.msg ? zs.msg : "error");
			err = -EBADMSG;
			goto out;
		}
		if (zs.avail_out == 0) {
			err = grow(ctx, path, obuf, &buf, &cap);
			if (err < 0)
				goto out;
		} else if (consumed == len) {
			ERR(ctx, "%s: truncated gzip data\n", path);
			err = -EBADMSG;
			goto out;
		}
	}
out:
	z->inflateEnd(&zs);
	if (err < 0)
		return err;
	*out = TAKE_PTR(buf);
	*out_len = used;
	return 0;
}
#endif

#if ENABLE_XZ
/* The uncompressed size from the stream footer and index, or 0 when it cannot be found. */
static size_t xz_known_size(const struct lzma_fns *x, const uint8_t *in, size_t len)
{
	lzma_stream_flags flags;
	lzma_index *idx = NULL;
	uint64_t memlimit = UINT64_MAX, usize;
	size_t pos = 0, ipos;

	if (len < 2 * LZMA_STREAM_HEADER_SIZE)
		return 0;
	if (x->lzma_stream_footer_decode(&flags, in + len - LZMA_STREAM_HEADER_SIZE) != LZMA_OK)
		return 0;
	if (flags.backward_size > len - 2 * LZMA_STREAM_HEADER_SIZE)
		return 0;
	ipos = len - LZMA_STREAM_HEADER_SIZE - (size_t)flags.backward_size;
	pos = ipos;
	if (x->lzma_index_buffer_decode(&idx, &memlimit, NULL, in, &pos,
				     len - LZMA_STREAM_HEADER_SIZE) != LZMA_OK)
		return 0;
	usize = x->lzma_index_uncompressed_size(idx);
	x->lzma_index_end(idx, NULL);
	if (usize == 0 || usize > IMAGE_MAX_SIZE)
		return 0;
	return (size_t)usize;
}

static int decompress_xz(struct mod_ctx *ctx, const char *path, const uint8_t *in, size_t len,
			 struct outbuf *obuf, uint8_t **out, size_t *out_len)
{
	_cleanup_free_ uint8_t *buf = NULL;
	lzma_stream strm = LZMA_STREAM_INIT;
	size_t cap, known;
	lzma_ret r;
	int err = 0;
	const struct lzma_fns *x = lzma_get();

	if (!x)
		return library_missing(ctx, path, "xz", LZMA_SONAME);
	known = xz_known_size(x, in, len);
	/* One spare byte: reaching LZMA_STREAM_END without a full buffer avoids a grow. */
	cap = known ? known + 1 : guess_size(len);
	buf = out_alloc(ctx, path, obuf, &cap, &err);
	if (!buf)
		return err;

	r = x->lzma_stream_decoder(&strm, XZ_MEMLIMIT, LZMA_CONCATENATED);
	if (r != LZMA_OK)
		return -ENOMEM;
	strm.next_in = in;
	strm.avail_in = len;
	strm.next_out = buf;
	strm.avail_out = cap;
	for (;;) {
		r = x->lzma_code(&strm, LZMA_FINISH);
		if (r == LZMA_STREAM_END)
			break;
		if (r == LZMA_OK || (r == LZMA_BUF_ERROR && strm.avail_out == 0)) {
			size_t used = cap - strm.avail_out;

			if (strm.avail_out != 0) {
				ERR(ctx, "%s: truncated xz data\n", path);
				err = -EBADMSG;
				break;
			}
			err = grow(ctx, path, obuf, &buf, &cap);
			if (err < 0)
				break;
			strm.next_out = buf + used;
			strm.avail_out = cap - used;
			continue;
		}
		if (r == LZMA_MEM_ERROR) {
			err = -ENOMEM;
			break;
		}
		if (r == LZMA_MEMLIMIT_ERROR) {
			ERR(ctx, "%s: xz data needs more than %llu MiB of memory to decompress\n", path,
			    (unsigned long long)(XZ_MEMLIMIT >> 20));
			err = -EFBIG;
			break;
		}
		ERR(ctx, "%s: corrupt xz data (lzma error %d)\n", path, (int)r);
		err = -EBADMSG;
		break;
	}
	x->lzma_end(&strm);
	if (err < 0)
		return err;
	*out_len = cap - strm.avail_out;
	*out = TAKE_PTR(buf);
	return 0;
}
#endif

#if ENABLE_ZSTD
static int decompress_zstd(struct mod_ctx *ctx, const char *path, const uint8_t *in, size_t len,
			   struct outbuf *obuf, uint8_t **out, size_t *out_len)
{
	_cleanup_free_ uint8_t *buf = NULL;
	unsigned long long fsize;
	ZSTD_DStream *ds;
	ZSTD_inBuffer ib = { in, len, 0 };
	ZSTD_outBuffer ob;
	size_t cap, zr;
	int err = 0;
	const struct zstd_fns *Z = zstd_get();

	if (!Z)
		return library_missing(ctx, path, "zstd", ZSTD_SONAME);
	fsize = Z->ZSTD_getFrameContentSize(in, len);
	if (fsize == ZSTD_CONTENTSIZE_ERROR) {
		ERR(ctx, "%s: corrupt zstd frame header\n", path);
		return -EBADMSG;
	}
	/* A single frame of known size decodes in one shot, straight into its final buffer. */
	if (fsize != ZSTD_CONTENTSIZE_UNKNOWN && fsize <= IMAGE_MAX_SIZE &&
	    Z->ZSTD_findFrameCompressedSize(in, len) == len) {
		cap = fsize ? (size_t)fsize : 1;
		buf = out_alloc(ctx, path, obuf, &cap, &err);
		if (!buf)
			return err;
		zr = Z->ZSTD_decompress(buf, cap, in, len);
		if (Z->ZSTD_isError(zr) || zr != fsize) {
			ERR(ctx, "%s: corrupt zstd data: %s\n", path,
			    Z->ZSTD_isError(zr) ? Z->ZSTD_getErrorName(zr) : "size mismatch");
			return -EBADMSG;
		}
		*out = TAKE_PTR(buf);
		*out_len = (size_t)fsize;
		return 0;
	}
	if (fsize != ZSTD_CONTENTSIZE_UNKNOWN && fsize > IMAGE_MAX_SIZE) {
		ERR(ctx, "%s: decompressed size exceeds %zu bytes\n", path, IMAGE_MAX_SIZE);
		return -EFBIG;
	}

	/* Unknown size or several frames: stream into a growing buffer. */
	cap = guess_size(len);
	buf = out_alloc(ctx, path, obuf, &cap, &err);
	if (!buf)
		return err;
	ds = Z->ZSTD_createDStream();
	if (!ds)
		return -ENOMEM;
	ob.dst = buf;
	ob.size = cap;
	ob.pos = 0;
	for (;;) {
		zr = Z->ZSTD_decompressStream(ds, &ob, &ib);
		if (Z->ZSTD_isError(zr)) {
			ERR(ctx, "%s: corrupt zstd data: %s\n", path, Z->ZSTD_getErrorName(zr));
			err = -EBADMSG;
			break;
		}
		if (zr == 0 && ib.pos == ib.size)
			break;
		if (ob.pos == ob.size) {
			err = grow(ctx, path, obuf, &buf, &cap);
			if (err < 0)
				break;
			ob.dst = buf;
			ob.size = cap;
			continue;
		}
		if (ib.pos == ib.size) {
			ERR(ctx, "%s: truncated zstd data\n", path);
			err = -EBADMSG;
			break;
		}
	}
	Z->ZSTD_freeDStream(ds);
	if (err < 0)
		return err;
	*out = TAKE_PTR(buf);
	*out_len = ob.pos;
	return 0;
}
#endif

static int decompress_once(struct mod_ctx *ctx, const char *path, enum mod_compression c,
			   const uint8_t *in, size_t len, struct outbuf *ob, uint8_t **out,
			   size_t *out_len)
{
	switch (c) {
#if ENABLE_ZLIB
	case MOD_COMPRESSION_GZIP:
		return decompress_gzip(ctx, path, in, len, ob, out, out_len);
#endif
#if ENABLE_XZ
	case MOD_COMPRESSION_XZ:
		return decompress_xz(ctx, path, in, len, ob, out, out_len);
#endif
#if ENABLE_ZSTD
	case MOD_COMPRESSION_ZSTD:
		return decompress_zstd(ctx, path, in, len, ob, out, out_len);
#endif
	default:
		ERR(ctx, "%s: %s compression is not supported by this build\n", path,
		    mod_compression_name(c));
		return -EPROTONOSUPPORT;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Only the start of a compressed file                                                          */

/* Compressed input is read in chunks this size: the head of a module needs one, rarely two. */
#define HEAD_CHUNK 4096

struct head_reader {
	int fd;
	off_t off;
	uint8_t buf[HEAD_CHUNK];
};

/* The next chunk of input: its length, 0 at the end of the file, or -errno. */
static ssize_t head_next(struct head_reader *h)
{
	ssize_t n = pread(h->fd, h->buf, sizeof(h->buf), h->off);

	if (n < 0)
		return -errno;
	h->off += n;
	return n;
}

#if ENABLE_ZLIB
static int head_gzip(struct head_reader *h, uint8_t *out, size_t size, size_t *got)
{
	const struct zlib_fns *z = zlib_get();
	z_stream zs = { 0 };
	int zr = Z_OK, err = 0;

	if (!z)
		return -EPROTONOSUPPORT;
	if (z->inflateInit2_(&zs, 16 + MAX_WBITS, ZLIB_VERSION, (int)sizeof(zs)) != Z_OK)
		return -ENOMEM;
	zs.next_out = out;
	zs.avail_out = (uInt)size;
	while (zs.avail_out > 0 && zr != Z_STREAM_END) {
		if (zs.avail_in == 0) {
			ssize_t n = head_next(h);

			if (n <= 0) {
				err = n < 0 ? (int)n : 0;
				break;
			}
			zs.next_in = h->buf;
			zs.avail_in = (uInt)n;
		}
		zr = z->inflate(&zs, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			err = -EBADMSG;
			break;
		}
	}
	*got = size - zs.avail_out;
	z->inflateEnd(&zs);
	return err;
}
#endif

#if ENABLE_XZ
static int head_xz(struct head_reader *h, uint8_t *out, size_t size, size_t *got)
{
	const struct lzma_fns *x = lzma_get();
	lzma_stream strm = LZMA_STREAM_INIT;
	lzma_ret r = LZMA_OK;
	int err = 0;

	if (!x)
		return -EPROTONOSUPPORT;
	if (x->lzma_stream_decoder(&strm, XZ_MEMLIMIT, 0) != LZMA_OK)
		return -ENOMEM;
	strm.next_out = out;
	strm.avail_out = size;
	while (strm.avail_out > 0 && r != LZMA_STREAM_END) {
		if (strm.avail_in == 0) {
			ssize_t n = head_next(h);

			if (n <= 0) {
				err = n < 0 ? (int)n : 0;
				break;
			}
			strm.next_in = h->buf;
			strm.avail_in = (size_t)n;
		}
		r = x->lzma_code(&strm, LZMA_RUN);
		if (r != LZMA_OK && r != LZMA_STREAM_END) {
			err = r == LZMA_MEM_ERROR ? -ENOMEM : -EBADMSG;
			break;
		}
	}
	*got = size - strm.avail_out;
	x->lzma_end(&strm);
	return err;
}
#endif

#if ENABLE_ZSTD
static int head_zstd(struct head_reader *h, uint8_t *out, size_t size, size_t *got)
{
	const struct zstd_fns *Z = zstd_get();
	ZSTD_DStream *ds = Z ? Z->ZSTD_createDStream() : NULL;
	ZSTD_outBuffer ob = { out, size, 0 };
	ZSTD_inBuffer ib = { h->buf, 0, 0 };
	int err = 0;

	if (!Z)
		return -EPROTONOSUPPORT;
	if (!ds)
		return -ENOMEM;
	while (ob.pos < ob.size) {
		size_t zr;

		if (ib.pos == ib.size) {
			ssize_t n = head_next(h);

			if (n <= 0) {
				err = n < 0 ? (int)n : 0;
				break;
			}
			ib.size = (size_t)n;
			ib.pos = 0;
		}
		zr = Z->ZSTD_decompressStream(ds, &ob, &ib);
		if (Z->ZSTD_isError(zr)) {
			err = -EBADMSG;
			break;
		}
		if (zr == 0)
			break; /* end of the frame */
	}
	*got = ob.pos;
	Z->ZSTD_freeDStream(ds);
	return err;
}
#endif

int mod_image_read_head(struct mod_ctx *ctx, int fd, const char *path, enum mod_compression c,
			void *out, size_t size, size_t *got)
{
	struct head_reader *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return -ENOMEM;
	h->fd = fd;
	*got = 0;
	switch (c) {
#if ENABLE_ZLIB
	case MOD_COMPRESSION_GZIP:
		r = head_gzip(h, out, size, got);
		break;
#endif
#if ENABLE_XZ
	case MOD_COMPRESSION_XZ:
		r = head_xz(h, out, size, got);
		break;
#endif
#if ENABLE_ZSTD
	case MOD_COMPRESSION_ZSTD:
		r = head_zstd(h, out, size, got);
		break;
#endif
	default:
		r = -EPROTONOSUPPORT;
		break;
	}
	if (r == -EBADMSG)
		ERR(ctx, "%s: corrupt %s data at the start of the file\n", path,
		    mod_compression_name(c));
	free(h);
	return r;
}

/*
 * Decompress within the image budget; *taken is what the output holds of it. A buffer that
 * could not grow because other threads hold the budget starts over, waiting for the whole size.
 */
static int decompress(struct mod_ctx *ctx, const char *path, enum mod_compression c,
		      const uint8_t *in, size_t len, uint8_t **out, size_t *out_len,
		      size_t *taken)
{
	struct outbuf ob = { 0 };
	int r;

	for (;;) {
		ob.taken = 0;
		r = decompress_once(ctx, path, c, in, len, &ob, out, out_len);
		if (ob.taken > 0)
			image_budget_finished();
		if (r >= 0)
			break;
		image_budget_give(ob.taken);
		ob.taken = 0;
		if (r != -EAGAIN)
			return r;
		DBG(ctx, "%s: image budget busy, starting over with %zu bytes\n", path, ob.min);
	}
	*taken = ob.taken;
	return 0;
}

/* A new image of the file at path (NULL for memory), holding a reference to ctx. */
static struct mod_image *image_alloc(struct mod_ctx *ctx, const char *path)
{
	struct mod_image *img = calloc(1, sizeof(*img));

	if (!img)
		return NULL;
	if (path) {
		img->path = strdup(path);
		if (!img->path) {
			free(img);
			return NULL;
		}
	}
	img->refcount = 1;
	img->ctx = mod_ctx_ref(ctx);
	return img;
}

static void image_unrefp(struct mod_image **img)
{
	mod_image_unref(*img);
}

/*
 * Make the file's bytes the image's content: in place (kept as `storage` says) when they are a
 * plain module, else decompressed onto the heap, after which the caller may drop them.
 */
static int image_set_bytes(struct mod_image *img, const uint8_t *bytes, size_t len,
			   enum image_storage storage)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	int err;

	img->compression = mod_compression_detect(bytes, len);
	if (img->compression == MOD_COMPRESSION_NONE) {
		img->data = bytes;
		img->size = len;
		img->storage = storage;
		return 0;
	}
	err = decompress(img->ctx, img->path, img->compression, bytes, len, &out, &out_len,
			 &img->budget);
	if (err < 0)
		return err;
	img->data = out;
	img->size = out_len;
	img->storage = STORAGE_HEAP;
	return 0;
}

LIBMOD_EXPORT int mod_image_open(struct mod_ctx *ctx, const char *path, struct mod_image **ret)
{
	_cleanup_(image_unrefp) struct mod_image *img = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;
	void *map;
	size_t len;
	int err;

	if (!ctx || !path || !ret)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		DBG(ctx, "%s: open: %s\n", path, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		ERR(ctx, "%s: not a regular file\n", path);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if ((uint64_t)st.st_size > SIZE_MAX)
		return -EFBIG;
	len = (size_t)st.st_size;

	img = image_alloc(ctx, path);
	if (!img)
		return -ENOMEM;

	if (len == 0) {
		/* Nothing to map; the ELF parser reports the empty file. */
		img->data = "";
		img->storage = STORAGE_BORROWED;
		*ret = TAKE_PTR(img);
		return 0;
	}

	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		err = -errno;
		ERR(ctx, "%s: mmap: %s\n", path, strerror(errno));
		return err;
	}
	/* Compressed bytes are read once, front to back; a plain module is read where it is. */
	if (mod_compression_detect(map, len) != MOD_COMPRESSION_NONE)
		(void)madvise(map, len, MADV_SEQUENTIAL);
	err = image_set_bytes(img, map, len, STORAGE_MAPPED);
	if (err < 0 || img->storage != STORAGE_MAPPED)
		munmap(map, len);
	if (err < 0)
		return err;
	*ret = TAKE_PTR(img);
	return 0;
}

int mod_image_open_buffered(struct mod_ctx *ctx, const char *path, uint8_t *buf, size_t cap,
			    struct mod_image **ret)
{
	_cleanup_(image_unrefp) struct mod_image *img = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t len, got = 0;
	int err;

	/* Anything unusual goes the mapped way, which also says what went wrong. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > cap)
		return mod_image_open(ctx, path, ret);
	len = (size_t)st.st_size;
	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return mod_image_open(ctx, path, ret);
		got += (size_t)n;
	}
	img = image_alloc(ctx, path);
	if (!img)
		return -ENOMEM;
	err = image_set_bytes(img, buf, len, STORAGE_BORROWED);
	if (err < 0)
		return err;
	*ret = TAKE_PTR(img);
	return 0;
}

LIBMOD_EXPORT int mod_image_new_from_memory(struct mod_ctx *ctx, const void *buf, size_t len,
					    struct mod_image **ret)
{
	struct mod_image *img;

	if (!ctx || (!buf && len) || !ret)
		return -EINVAL;
	img = image_alloc(ctx, NULL);
	if (!img)
		return -ENOMEM;
	img->data = buf ? buf : "";
	img->size = len;
	img->storage = STORAGE_BORROWED;
	img->compression = mod_compression_detect(buf, len);
	*ret = img;
	return 0;
}

LIBMOD_EXPORT struct mod_image *mod_image_ref(struct mod_image *img)
{
	if (img)
		img->refcount++;
	return img;
}

LIBMOD_EXPORT struct mod_image *mod_image_unref(struct mod_image *img)
{
	if (!img || --img->refcount > 0)
		return NULL;
	if (img->storage == STORAGE_MAPPED)
		munmap((void *)(uintptr_t)img->data, img->size);
	else if (img->storage == STORAGE_HEAP) {
		free((void *)(uintptr_t)img->data);
		image_budget_give(img->budget);
	}
	free(img->path);
	mod_ctx_unref(img->ctx);
	free(img);
	return NULL;
}

LIBMOD_EXPORT const void *mod_image_get_data(const struct mod_image *img)
{
	return img ? img->data : NULL;
}

LIBMOD_EXPORT size_t mod_image_get_size(const struct mod_image *img)
{
	return img ? img->size : 0;
}

LIBMOD_EXPORT enum mod_compression mod_image_get_compression(const struct mod_image *img)
{
	return img ? img->compression : MOD_COMPRESSION_NONE;
}

LIBMOD_EXPORT const char *mod_image_get_path(const struct mod_image *img)
{
	return img ? img->path : NULL;
}

struct mod_ctx *mod_image_get_ctx_internal(const struct mod_image *img)
{
	return img->ctx;
}
