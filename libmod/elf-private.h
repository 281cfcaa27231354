/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals shared by image.c, elf.c and signature.c (and their unit tests): endian-aware reads
 * of untrusted bytes and the image's context.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "libmod-private.h"

/* The context an image was opened with (borrowed). */
struct mod_ctx *mod_image_get_ctx_internal(const struct mod_image *img);
/*
 * The first `size` bytes of a compressed module, decoded from the start of fd with a streaming
 * decoder that stops there: the kernel decompresses the whole file itself, and the loader only
 * needs the ELF header to refuse what is no module for this machine. *got < size when the
 * stream ends first. -EPROTONOSUPPORT when this build cannot decode `c`, -EBADMSG when the
 * start is not valid data.
 */
int mod_image_read_head(struct mod_ctx *ctx, int fd, const char *path, enum mod_compression c,
			void *out, size_t size, size_t *got);

/*
 * mod_image_open for a caller that reads many files in a row (depmod): a regular file of at
 * most cap bytes is read into buf instead of mapped, and the image borrows buf (or holds what it
 * decompressed from it) until unreferenced. Mapping and unmapping thousands of small files from
 * several threads costs a TLB shootdown on every other CPU per munmap; a read does not. Larger
 * or unusual files are mapped as mod_image_open does.
 */
int mod_image_open_buffered(struct mod_ctx *ctx, const char *path, uint8_t *buf, size_t cap,
			    struct mod_image **ret);

/*
 * mod_elf_new_from_image, but logging through ctx instead of the image's context (an image read
 * on another thread with its own context); the image's path still names the file in messages.
 */
int mod_elf_new_from_image_internal(struct mod_ctx *ctx, struct mod_image *img,
				    struct mod_elf **ret);

/*
 * The end of the ELF data: the last byte the section headers or the section header table
 * describe. What follows it in a module file is the signature trailer, if anything.
 */
uint64_t mod_elf_get_extent_internal(const struct mod_elf *elf);

/*
 * The fields of a signature trailer, read without judging them: the parser (signature.c) and the
 * verifier (verify.c) apply different rules to the same bytes, the second the kernel's.
 */
struct sig_trailer {
	uint8_t algo, hash, id_type, signer_len, key_id_len;
	bool has_zero_pad;
	size_t sig_len;
	size_t module_size;  /* the bytes the signature covers: everything before the blobs */
	const uint8_t *sig;  /* sig_len bytes, inside the buffer */
};

/*
 * -ENODATA: no magic (unsigned); -EMSGSIZE: magic without room for the header; -EOVERFLOW: the
 * header is filled in but its lengths overflow the file (module_size and sig are not set).
 */
int mod_signature_trailer_internal(const void *buf, size_t len, struct sig_trailer *t);

/* mod_signature_parse with messages naming `path` (NULL: no name). */
int mod_signature_parse_internal(struct mod_ctx *ctx, const char *path, const void *buf,
				 size_t len, struct mod_signature **ret);

static inline uint16_t mod_rd16(const void *p, bool be)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return be == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) ? v : __builtin_bswap16(v);
}

static inline uint32_t mod_rd32(const void *p, bool be)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return be == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) ? v : __builtin_bswap32(v);
}

static inline uint64_t mod_rd64(const void *p, bool be)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be == (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) ? v : __builtin_bswap64(v);
}

static inline void mod_wr32(void *p, uint32_t v, bool be)
{
	if (be != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__))
		v = __builtin_bswap32(v);
	memcpy(p, &v, sizeof(v));
}

static inline void mod_wr64(void *p, uint64_t v, bool be)
{
	if (be != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__))
		v = __builtin_bswap64(v);
	memcpy(p, &v, sizeof(v));
}
