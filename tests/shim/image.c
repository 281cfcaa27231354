/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake kernel's view of a module image: the bytes finit_module reads from its file
 * (decompressed when the caller asks the kernel to decompress), and the .modinfo strings the
 * kernel takes the module's name and dependencies from.
 */
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "shim.h"

#if ENABLE_ZLIB
#include <zlib.h>
#endif
#if ENABLE_XZ
#include <lzma.h>
#endif
#if ENABLE_ZSTD
#include <zstd.h>
#endif

/* No real module comes close; a bound keeps a broken test from eating the machine. */
#define IMAGE_MAX ((size_t)512 << 20)

void shim_image_release(struct shim_image *img)
{
	free(img->data);
	img->data = NULL;
	img->len = 0;
}

/* Make room for at least one more byte after used; the buffer doubles. */
static int grow(struct shim_image *img, size_t used, size_t *cap)
{
	void *p;

	if (used < *cap)
		return 0;
	if (*cap >= IMAGE_MAX)
		return -EFBIG;
	*cap = *cap ? *cap * 2 : 1 << 20;
	p = realloc(img->data, *cap);
	if (!p)
		return -ENOMEM;
	img->data = p;
	return 0;
}

#if ENABLE_ZLIB
static int gunzip(const struct shim_image *in, struct shim_image *out)
{
	z_stream z = { .next_in = in->data, .avail_in = (uInt)in->len };
	size_t cap = 0;
	int r = 0, zr = Z_OK;

	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -ENOMEM;
	while (r == 0 && zr != Z_STREAM_END) {
		r = grow(out, z.total_out, &cap);
		if (r < 0)
			break;
		z.next_out = (Bytef *)out->data + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END)
			r = -EINVAL;
	}
	out->len = z.total_out;
	inflateEnd(&z);
	return r;
}
#endif

#if ENABLE_XZ
static int unxz(const struct shim_image *in, struct shim_image *out)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr = LZMA_OK;
	size_t cap = 0;
	int r = 0;

	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK)
		return -ENOMEM;
	s.next_in = in->data;
	s.avail_in = in->len;
	while (r == 0 && lr != LZMA_STREAM_END) {
		r = grow(out, s.total_out, &cap);
		if (r < 0)
			break;
		s.next_out = (uint8_t *)out->data + s.total_out;
		s.avail_out = cap - s.total_out;
		lr = lzma_code(&s, LZMA_FINISH);
		if (lr != LZMA_OK && lr != LZMA_STREAM_END)
			r = -EINVAL;
	}
	out->len = s.total_out;
	lzma_end(&s);
	return r;
}
#endif

#if ENABLE_ZSTD
static int unzstd(const struct shim_image *in, struct shim_image *out)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	ZSTD_inBuffer src = { in->data, in->len, 0 };
	size_t cap = 0, left = 1;
	int r = 0;

	if (!z)
		return -ENOMEM;
	out->len = 0;
	while (r == 0 && left != 0) {
		ZSTD_outBuffer dst;

		r = grow(out, out->len, &cap);
		if (r < 0)
			break;
		dst = (ZSTD_outBuffer){ out->data, cap, out->len };
		left = ZSTD_decompressStream(z, &dst, &src);
		out->len = dst.pos;
		if (ZSTD_isError(left) || (left != 0 && src.pos == src.size && dst.pos < cap))
			r = -EINVAL; /* damaged, or the input ended inside a frame */
	}
	ZSTD_freeDStream(z);
	return r;
}
#endif

/*
 * A kernel decompresses the one format it was built for (/sys/module/compression) and checks
 * its magic first; anything else is -EINVAL, as in the kernel's module_decompress().
 */
static int decompress(const char *format, const struct shim_image *in, struct shim_image *out)
{
	static const struct {
		const char *name;
		unsigned char magic[6];
		size_t magic_len;
		int (*fn)(const struct shim_image *in, struct shim_image *out);
	} formats[] = {
#if ENABLE_ZLIB
		{ "gzip", { 0x1f, 0x8b }, 2, gunzip },
#endif
#if ENABLE_XZ
		{ "xz", { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, unxz },
#endif
#if ENABLE_ZSTD
		{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4, unzstd },
#endif
	};

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(format, formats[i].name) != 0)
			continue;
		if (in->len < formats[i].magic_len ||
		    memcmp(in->data, formats[i].magic, formats[i].magic_len) != 0)
			return -EINVAL;
		return formats[i].fn(in, out);
	}
	return -EINVAL;
}

int shim_image_read_fd(int fd, const char *format, struct shim_image *img)
{
	struct shim_image raw = { NULL, 0 };
	size_t cap = 0;
	int r = 0;

	for (;;) {
		ssize_t n;

		r = grow(&raw, raw.len, &cap);
		if (r < 0)
			break;
		/* pread: the caller's file offset is none of the fake kernel's business. */
		n = pread(fd, (char *)raw.data + raw.len, cap - raw.len, (off_t)raw.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		if (n <= 0)
			break;
		raw.len += (size_t)n;
	}
	if (r == 0 && format) {
		*img = (struct shim_image){ NULL, 0 };
		r = decompress(format, &raw, img);
		if (r < 0)
			shim_image_release(img);
		shim_image_release(&raw);
		return r;
	}
	if (r < 0) {
		shim_image_release(&raw);
		return r;
	}
	*img = raw;
	return 0;
}

/* The .modinfo section's bytes, after checking every header field used against len. */
static int modinfo_section(const unsigned char *data, size_t len, const char **sec, size_t *size)
{
	Elf64_Ehdr eh;
	Elf64_Shdr names, sh;

	if (len < sizeof(eh) || memcmp(data, ELFMAG, SELFMAG) != 0 ||
	    data[EI_CLASS] != ELFCLASS64 ||
	    data[EI_DATA] != (BYTE_ORDER == LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB))
		return -ENOEXEC;
	memcpy(&eh, data, sizeof(eh));
	if (eh.e_shentsize != sizeof(sh) || eh.e_shstrndx >= eh.e_shnum ||
	    eh.e_shoff > len || (len - eh.e_shoff) / sizeof(sh) < eh.e_shnum)
		return -ENOEXEC;
	memcpy(&names, data + eh.e_shoff + (size_t)eh.e_shstrndx * sizeof(sh), sizeof(sh));
	if (names.sh_offset > len || names.sh_size > len - names.sh_offset)
		return -ENOEXEC;
	for (size_t i = 0; i < eh.e_shnum; i++) {
		memcpy(&sh, data + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		/* The name with its NUL must lie inside the string table. */
		if (sh.sh_name >= names.sh_size ||
		    names.sh_size - sh.sh_name < sizeof(".modinfo") ||
		    memcmp(data + names.sh_offset + sh.sh_name, ".modinfo", sizeof(".modinfo")) != 0)
			continue;
		if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
			return -ENOEXEC;
		*sec = (const char *)data + sh.sh_offset;
		*size = sh.sh_size;
		return 0;
	}
	return -ENOEXEC; /* the kernel refuses a module without one too */
}

int shim_image_modinfo(const void *data, size_t len, const char *key, char *buf, size_t size)
{
	size_t keylen = strlen(key), secsize;
	const char *sec, *p, *end;
	int r;

	r = modinfo_section(data, len, &sec, &secsize);
	if (r < 0)
		return r;
	/* NUL-separated "key=value" strings; the last one may lack its NUL in a damaged file. */
	for (p = sec, end = sec + secsize; p < end; p += strnlen(p, (size_t)(end - p)) + 1) {
		size_t n = strnlen(p, (size_t)(end - p));

		if (n <= keylen || memcmp(p, key, keylen) != 0 || p[keylen] != '=')
			continue;
		n -= keylen + 1;
		if (n >= size)
			return -ENAMETOOLONG;
		memcpy(buf, p + keylen + 1, n);
		buf[n] = '\0';
		return 0;
	}
	return -ENOENT;
}
