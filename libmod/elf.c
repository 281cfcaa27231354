/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ELF view of a module: the headers are read and validated once, the sections are indexed
 * into a small table, and every iterator then reads the untrusted bytes in place (endian-aware,
 * range-checked), so modinfo and depmod pay for no copies. No libelf: nothing is needed from
 * it but the section header table, and linking it made every short-lived modprobe find, map
 * and relocate libelf and zlib before doing any work. Forced-load stripping lives here too
 * because it edits the same headers.
 */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "elf-private.h"

#ifndef STT_SPARC_REGISTER
#define STT_SPARC_REGISTER 13
#endif

/* struct modversion_info: { unsigned long crc; char name[64 - sizeof(unsigned long)]; } */
#define MODVERSION_SIZE 64
#define CRC_PREFIX "__crc_"

/* Readers must skip SHT_NOBITS/SHT_NULL entries: only the others were checked against the file. */
struct elf_section {
	const char *name; /* never NULL: "" when unnamed */
	uint64_t offset;
	uint64_t size;
	uint64_t flags;
	uint32_t type;
	uint32_t link;
};

struct undef_sym {
	const char *name;
	uint64_t crc;
	char bind;
};

struct mod_elf {
	int refcount;
	struct mod_ctx *ctx;
	struct mod_image *img; /* keeps the buffer alive when opened from an image */
	const char *path;      /* the image's file (owned by img), NULL for a memory buffer */
	const uint8_t *buf;
	size_t len;
	int class;
	bool be;
	unsigned int machine;
	uint64_t shoff;
	size_t shentsize;
	size_t shnum;
	struct elf_section *secs;

	/* Section indexes of interest; 0 means absent (section 0 is always SHT_NULL). */
	size_t modinfo, versions, ksymtab_strings, this_module, symtab;
	/* The symbol string table, cut after its last NUL so every in-range name is terminated. */
	const char *strtab;
	size_t strtab_len;
	size_t sym_size;
	size_t nsyms;

	/* Lazily computed (the handle is logically const; not thread-safe, like libkmod). */
	int has_crc_syms; /* -1 unknown, 0, 1 */
	struct undef_sym *undef;
	size_t n_undef;
	bool undef_done;
};

/*
 * Messages name the file when there is one, so a tool run over thousands of modules says which
 * one is damaged ("/x/y.ko: bad ELF: ...").
 */
#define PATH_ERR(ctx, path, fmt, ...)                                                              \
	ERR(ctx, "%s%s" fmt, (path) ? (path) : "", (path) ? ": " : "", ##__VA_ARGS__)
#define ELF_ERR(elf, fmt, ...) PATH_ERR((elf)->ctx, (elf)->path, fmt, ##__VA_ARGS__)

static const uint8_t *sec_data(const struct mod_elf *elf, size_t idx)
{
	return elf->buf + elf->secs[idx].offset;
}

/*
 * Section header i, endian-aware. The table was bounded against the file before: entry 0 by
 * check_header(), all of them by index_sections().
 */
static void read_shdr(const struct mod_elf *elf, size_t i, struct elf_section *s, uint32_t *name)
{
	const uint8_t *p = elf->buf + elf->shoff + i * elf->shentsize;
	bool be = elf->be;

	if (elf->class == 64) {
		*name = mod_rd32(p + offsetof(Elf64_Shdr, sh_name), be);
		s->type = mod_rd32(p + offsetof(Elf64_Shdr, sh_type), be);
		s->flags = mod_rd64(p + offsetof(Elf64_Shdr, sh_flags), be);
		s->offset = mod_rd64(p + offsetof(Elf64_Shdr, sh_offset), be);
		s->size = mod_rd64(p + offsetof(Elf64_Shdr, sh_size), be);
		s->link = mod_rd32(p + offsetof(Elf64_Shdr, sh_link), be);
	} else {
		*name = mod_rd32(p + offsetof(Elf32_Shdr, sh_name), be);
		s->type = mod_rd32(p + offsetof(Elf32_Shdr, sh_type), be);
		s->flags = mod_rd32(p + offsetof(Elf32_Shdr, sh_flags), be);
		s->offset = mod_rd32(p + offsetof(Elf32_Shdr, sh_offset), be);
		s->size = mod_rd32(p + offsetof(Elf32_Shdr, sh_size), be);
		s->link = mod_rd32(p + offsetof(Elf32_Shdr, sh_link), be);
	}
}

/*
 * e_shnum and e_shstrndx are the ELF header's; with extended numbering (more than 0xff00
 * sections) the real values are in section 0's sh_size and sh_link.
 */
static int index_sections(struct mod_elf *elf, uint16_t e_shnum, uint16_t e_shstrndx)
{
	struct elf_section s0;
	uint32_t name;
	uint64_t count;
	size_t shstrndx, i;
	const char *shstr = NULL;
	size_t shstr_len = 0;

	read_shdr(elf, 0, &s0, &name);
	count = e_shnum ? e_shnum : s0.size;
	if (count == 0) {
		ELF_ERR(elf, "bad ELF: no sections\n");
		return -ENOEXEC;
	}
	/* The count may come from section 0 (extended numbering): the table must still fit. */
	if (count > (elf->len - elf->shoff) / elf->shentsize) {
		ELF_ERR(elf, "truncated or corrupt: %llu section headers do not fit in the file\n",
			(unsigned long long)count);
		return -ENOEXEC;
	}
	elf->shnum = (size_t)count;
	shstrndx = e_shstrndx == SHN_XINDEX ? s0.link : e_shstrndx;
	if (shstrndx >= elf->shnum) {
		ELF_ERR(elf, "bad ELF: invalid section name string table index\n");
		return -ENOEXEC;
	}
	elf->secs = calloc(elf->shnum, sizeof(*elf->secs));
	if (!elf->secs)
		return -ENOMEM;

	for (i = 0; i < elf->shnum; i++) {
		struct elf_section *s = &elf->secs[i];

		read_shdr(elf, i, s, &name);
		s->name = (const char *)(uintptr_t)name; /* resolved below */
		if (s->type != SHT_NOBITS && s->type != SHT_NULL &&
		    (s->offset > elf->len || s->size > elf->len - s->offset)) {
			ELF_ERR(elf,
			    "bad ELF: section %zu (offset %llu, size %llu) is outside the file "
			    "(%zu bytes)\n",
			    i, (unsigned long long)s->offset, (unsigned long long)s->size,
			    elf->len);
			return -ENOEXEC;
		}
	}

	if (elf->secs[shstrndx].type != SHT_NOBITS && elf->secs[shstrndx].type != SHT_NULL) {
		shstr = (const char *)sec_data(elf, shstrndx);
		shstr_len = elf->secs[shstrndx].size;
	}
	for (i = 0; i < elf->shnum; i++) {
		struct elf_section *s = &elf->secs[i];
		size_t off = (size_t)(uintptr_t)s->name;

		if (i == 0 && off == 0) {
			s->name = "";
			continue;
		}
		if (!shstr || off >= shstr_len || !memchr(shstr + off, '\0', shstr_len - off)) {
			ELF_ERR(elf, "bad ELF: name of section %zu is past the string table\n", i);
			return -ENOEXEC;
		}
		s->name = shstr + off;
	}
	return 0;
}

static void find_sections(struct mod_elf *elf)
{
	size_t i;

	for (i = 1; i < elf->shnum; i++) {
		const struct elf_section *s = &elf->secs[i];

		/* No file bytes behind these: their offsets were never checked. */
		if (s->type == SHT_NOBITS || s->type == SHT_NULL)
			continue;
		if (s->type == SHT_SYMTAB) {
			if (!elf->symtab)
				elf->symtab = i;
		} else if (streq(s->name, ".modinfo")) {
			elf->modinfo = i;
		} else if (streq(s->name, "__versions")) {
			elf->versions = i;
		} else if (streq(s->name, "__ksymtab_strings")) {
			elf->ksymtab_strings = i;
		} else if (streq(s->name, ".gnu.linkonce.this_module")) {
			elf->this_module = i;
		}
	}
}

static int setup_symtab(struct mod_elf *elf)
{
	const struct elf_section *st, *str;
	size_t n;

	if (!elf->symtab)
		return 0;
	st = &elf->secs[elf->symtab];
	if (st->link == 0 || st->link >= elf->shnum || elf->secs[st->link].type != SHT_STRTAB) {
		ELF_ERR(elf, "bad ELF: symbol table links to section %u, not a string table\n",
		    st->link);
		return -ENOEXEC;
	}
	str = &elf->secs[st->link];
	elf->sym_size = elf->class == 64 ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
	elf->nsyms = st->size / elf->sym_size;
	elf->strtab = (const char *)sec_data(elf, st->link);
	/* Cut after the last NUL: a name starting before it is then always terminated. */
	n = str->size;
	while (n > 0 && elf->strtab[n - 1] != '\0')
		n--;
	elf->strtab_len = n;
	return 0;
}

static void elf_unrefp(struct mod_elf **elf)
{
	mod_elf_unref(*elf);
}

/*
 * The identification and the ELF header: the header fits, and the section header table lies
 * inside the file. A module cut short (a partial download or copy) fails here with the offsets
 * that show it was truncated.
 */
static int check_header(struct mod_ctx *ctx, const char *path, const uint8_t *buf, size_t len)
{
	bool is64, be;
	size_t ehsize, shentsize, want_shentsize;
	uint64_t shoff, shnum, need, end;

	if (len == 0) {
		PATH_ERR(ctx, path, "empty file, not a module\n");
		return -ENOEXEC;
	}
	if (len < SELFMAG || memcmp(buf, ELFMAG, SELFMAG) != 0) {
		PATH_ERR(ctx, path, "not an ELF file (no ELF magic)\n");
		return -ENOEXEC;
	}
	if (len < EI_NIDENT) {
		PATH_ERR(ctx, path, "truncated: %zu bytes, shorter than an ELF identification\n",
			 len);
		return -ENOEXEC;
	}
	if (buf[EI_CLASS] != ELFCLASS32 && buf[EI_CLASS] != ELFCLASS64) {
		PATH_ERR(ctx, path, "bad ELF: unknown class %u\n", buf[EI_CLASS]);
		return -ENOEXEC;
	}
	if (buf[EI_DATA] != ELFDATA2LSB && buf[EI_DATA] != ELFDATA2MSB) {
		PATH_ERR(ctx, path, "bad ELF: unknown data encoding %u\n", buf[EI_DATA]);
		return -ENOEXEC;
	}
	/* Version 1 is the only one there is; libelf refused others too. */
	if (buf[EI_VERSION] != EV_CURRENT) {
		PATH_ERR(ctx, path, "bad ELF: unknown ELF version %u\n", buf[EI_VERSION]);
		return -ENOEXEC;
	}
	is64 = buf[EI_CLASS] == ELFCLASS64;
	be = buf[EI_DATA] == ELFDATA2MSB;
	ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (len < ehsize) {
		PATH_ERR(ctx, path, "truncated: %zu bytes, shorter than the %zu-byte ELF header\n",
			 len, ehsize);
		return -ENOEXEC;
	}
	if (is64) {
		shoff = mod_rd64(buf + offsetof(Elf64_Ehdr, e_shoff), be);
		shentsize = mod_rd16(buf + offsetof(Elf64_Ehdr, e_shentsize), be);
		shnum = mod_rd16(buf + offsetof(Elf64_Ehdr, e_shnum), be);
		want_shentsize = sizeof(Elf64_Shdr);
	} else {
		shoff = mod_rd32(buf + offsetof(Elf32_Ehdr, e_shoff), be);
		shentsize = mod_rd16(buf + offsetof(Elf32_Ehdr, e_shentsize), be);
		shnum = mod_rd16(buf + offsetof(Elf32_Ehdr, e_shnum), be);
		want_shentsize = sizeof(Elf32_Shdr);
	}
	if (shoff == 0) {
		PATH_ERR(ctx, path, "bad ELF: no section header table\n");
		return -ENOEXEC;
	}
	if (shentsize != want_shentsize) {
		PATH_ERR(ctx, path, "bad ELF: section header size %zu, expected %zu\n", shentsize,
			 want_shentsize);
		return -ENOEXEC;
	}
	/* e_shnum 0 means the count is in section 0 (extended numbering): check that one here. */
	need = (shnum ? shnum : 1) * (uint64_t)shentsize;
	if (add_overflows(shoff, need, &end) || end > len) {
		PATH_ERR(ctx, path,
			 "truncated or corrupt: section headers at offset %llu (%llu bytes) end past "
			 "the end of the file (%zu bytes)\n",
			 (unsigned long long)shoff, (unsigned long long)need, len);
		return -ENOEXEC;
	}
	return 0;
}

static int elf_new(struct mod_ctx *ctx, struct mod_image *img, const void *buf, size_t len,
		   struct mod_elf **ret)
{
	_cleanup_(elf_unrefp) struct mod_elf *elf = NULL;
	const char *path = img ? mod_image_get_path(img) : NULL;
	const uint8_t *ident = buf;
	uint16_t e_shnum, e_shstrndx;
	int err;

	if (!buf || !ret)
		return -EINVAL;
	err = check_header(ctx, path, buf, len);
	if (err < 0)
		return err;

	elf = calloc(1, sizeof(*elf));
	if (!elf)
		return -ENOMEM;
	elf->refcount = 1;
	elf->ctx = mod_ctx_ref(ctx);
	elf->img = mod_image_ref(img);
	elf->path = path;
	elf->buf = buf;
	elf->len = len;
	elf->class = ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
	elf->be = ident[EI_DATA] == ELFDATA2MSB;
	elf->has_crc_syms = -1;

	/* check_header() made sure the whole ELF header is there. */
	if (elf->class == 64) {
		elf->machine = mod_rd16(ident + offsetof(Elf64_Ehdr, e_machine), elf->be);
		elf->shoff = mod_rd64(ident + offsetof(Elf64_Ehdr, e_shoff), elf->be);
		elf->shentsize = mod_rd16(ident + offsetof(Elf64_Ehdr, e_shentsize), elf->be);
		e_shnum = mod_rd16(ident + offsetof(Elf64_Ehdr, e_shnum), elf->be);
		e_shstrndx = mod_rd16(ident + offsetof(Elf64_Ehdr, e_shstrndx), elf->be);
	} else {
		elf->machine = mod_rd16(ident + offsetof(Elf32_Ehdr, e_machine), elf->be);
		elf->shoff = mod_rd32(ident + offsetof(Elf32_Ehdr, e_shoff), elf->be);
		elf->shentsize = mod_rd16(ident + offsetof(Elf32_Ehdr, e_shentsize), elf->be);
		e_shnum = mod_rd16(ident + offsetof(Elf32_Ehdr, e_shnum), elf->be);
		e_shstrndx = mod_rd16(ident + offsetof(Elf32_Ehdr, e_shstrndx), elf->be);
	}
	err = index_sections(elf, e_shnum, e_shstrndx);
	if (err < 0)
		return err;
	find_sections(elf);
	err = setup_symtab(elf);
	if (err < 0)
		return err;
	*ret = TAKE_PTR(elf);
	return 0;
}

LIBMOD_EXPORT int mod_elf_new(struct mod_ctx *ctx, const void *buf, size_t len,
			      struct mod_elf **ret)
{
	return elf_new(ctx, NULL, buf, len, ret);
}

LIBMOD_EXPORT int mod_elf_new_from_image(struct mod_image *img, struct mod_elf **ret)
{
	if (!img)
		return -EINVAL;
	return elf_new(mod_image_get_ctx_internal(img), img, mod_image_get_data(img),
		       mod_image_get_size(img), ret);
}

int mod_elf_new_from_image_internal(struct mod_ctx *ctx, struct mod_image *img,
				    struct mod_elf **ret)
{
	if (!ctx || !img)
		return -EINVAL;
	return elf_new(ctx, img, mod_image_get_data(img), mod_image_get_size(img), ret);
}

LIBMOD_EXPORT struct mod_elf *mod_elf_ref(struct mod_elf *elf)
{
	if (elf)
		elf->refcount++;
	return elf;
}

LIBMOD_EXPORT struct mod_elf *mod_elf_unref(struct mod_elf *elf)
{
	if (!elf || --elf->refcount > 0)
		return NULL;
	free(elf->undef);
	free(elf->secs);
	mod_image_unref(elf->img);
	mod_ctx_unref(elf->ctx);
	free(elf);
	return NULL;
}

LIBMOD_EXPORT int mod_elf_get_class(const struct mod_elf *elf)
{
	return elf->class;
}

LIBMOD_EXPORT bool mod_elf_is_big_endian(const struct mod_elf *elf)
{
	return elf->be;
}

LIBMOD_EXPORT unsigned int mod_elf_get_machine(const struct mod_elf *elf)
{
	return elf->machine;
}

/*
 * Next NUL-terminated string of a string section at or after *cursor, skipping padding NULs.
 * An unterminated tail is ignored (it cannot be handed out as a C string in place).
 */
static int next_string(const struct mod_elf *elf, size_t sec, size_t *cursor, const char **str,
		       size_t *slen)
{
	const char *base;
	const char *end;
	size_t size, off = *cursor;

	if (!sec)
		return 1;
	base = (const char *)sec_data(elf, sec);
	size = elf->secs[sec].size;
	while (off < size && base[off] == '\0')
		off++;
	if (off >= size)
		return 1;
	end = memchr(base + off, '\0', size - off);
	if (!end) {
		DBG(elf->ctx, "%s: section %s ends in an unterminated string; ignored\n",
		    elf->path ? elf->path : "ELF", elf->secs[sec].name);
		return 1;
	}
	*str = base + off;
	*slen = (size_t)(end - (base + off));
	*cursor = (size_t)(end - base) + 1;
	return 0;
}

LIBMOD_EXPORT int mod_elf_modinfo_next(const struct mod_elf *elf, size_t *cursor,
				       const char **key, size_t *keylen, const char **value)
{
	const char *s, *eq;
	size_t len, c;
	int r;

	if (!elf || !cursor)
		return -EINVAL;
	c = *cursor;
	r = next_string(elf, elf->modinfo, &c, &s, &len);
	if (r != 0)
		return r;
	eq = memchr(s, '=', len);
	*cursor = c;
	*key = s;
	*keylen = eq ? (size_t)(eq - s) : len;
	*value = eq ? eq + 1 : s + len;
	return 0;
}

/* A __versions entry; -ENOEXEC when its name is not terminated. */
static int read_version(const struct mod_elf *elf, size_t i, const char **symbol, uint64_t *crc)
{
	const uint8_t *ent = sec_data(elf, elf->versions) + i * MODVERSION_SIZE;
	size_t crcsz = elf->class == 64 ? 8 : 4;

	if (!memchr(ent + crcsz, '\0', MODVERSION_SIZE - crcsz)) {
		ELF_ERR(elf, "bad ELF: __versions entry %zu has an unterminated name\n", i);
		return -ENOEXEC;
	}
	*symbol = (const char *)ent + crcsz;
	*crc = crcsz == 8 ? mod_rd64(ent, elf->be) : mod_rd32(ent, elf->be);
	return 0;
}

static size_t n_versions(const struct mod_elf *elf)
{
	return elf->versions ? elf->secs[elf->versions].size / MODVERSION_SIZE : 0;
}

LIBMOD_EXPORT int mod_elf_versions_next(const struct mod_elf *elf, size_t *cursor,
					const char **symbol, uint64_t *crc)
{
	const char *s;
	uint64_t c;
	int r;

	if (!elf || !cursor)
		return -EINVAL;
	if (*cursor >= n_versions(elf))
		return 1;
	r = read_version(elf, *cursor, &s, &c);
	if (r < 0)
		return r;
	(*cursor)++;
	*symbol = s;
	*crc = c;
	return 0;
}

struct sym {
	const char *name;
	uint64_t value;
	uint16_t shndx;
	uint8_t bind;
	uint8_t type;
};

/* Symbol i of .symtab; false when its name is outside the string table. */
static bool read_sym(const struct mod_elf *elf, size_t i, struct sym *out)
{
	const uint8_t *p = sec_data(elf, elf->symtab) + i * elf->sym_size;
	uint32_t name = mod_rd32(p, elf->be);
	uint8_t info;

	if (elf->class == 64) {
		info = p[4];
		out->shndx = mod_rd16(p + 6, elf->be);
		out->value = mod_rd64(p + 8, elf->be);
	} else {
		out->value = mod_rd32(p + 4, elf->be);
		info = p[12];
		out->shndx = mod_rd16(p + 14, elf->be);
	}
	out->bind = ELF64_ST_BIND(info) /* the same for both classes */;
	out->type = ELF64_ST_TYPE(info);
	if (name >= elf->strtab_len) {
		DBG(elf->ctx, "symbol %zu: name offset %u is past the string table\n", i, name);
		return false;
	}
	out->name = elf->strtab + name;
	return true;
}

static bool is_crc_sym(const struct sym *s)
{
	return strncmp(s->name, CRC_PREFIX, sizeof(CRC_PREFIX) - 1) == 0;
}

/*
 * The CRC of a __crc_ symbol: older kernels make it an absolute symbol whose value is the CRC;
 * since 5.19 it labels a 32-bit word in __kcrctab (value = offset in that section).
 */
static uint64_t resolve_crc(const struct mod_elf *elf, const struct sym *s)
{
	const struct elf_section *sec;

	if (s->shndx == SHN_ABS || s->shndx == SHN_UNDEF)
		return s->value;
	if (s->shndx >= elf->shnum || elf->secs[s->shndx].type == SHT_NOBITS ||
	    elf->secs[s->shndx].type == SHT_NULL) {
		DBG(elf->ctx, "%s: CRC in section %u which has no data\n", s->name, s->shndx);
		return 0;
	}
	sec = &elf->secs[s->shndx];
	if (sec->size < 4 || s->value > sec->size - 4) {
		DBG(elf->ctx, "%s: CRC offset %llu is outside its section\n", s->name,
		    (unsigned long long)s->value);
		return 0;
	}
	return mod_rd32(elf->buf + sec->offset + s->value, elf->be);
}

static bool has_crc_syms(const struct mod_elf *elf)
{
	struct mod_elf *m = (struct mod_elf *)(uintptr_t)elf;
	size_t i;

	if (elf->has_crc_syms < 0) {
		m->has_crc_syms = 0;
		for (i = 1; i < elf->nsyms; i++) {
			struct sym s;

			if (read_sym(elf, i, &s) && is_crc_sym(&s)) {
				m->has_crc_syms = 1;
				break;
			}
		}
	}
	return elf->has_crc_syms > 0;
}

LIBMOD_EXPORT int mod_elf_exports_next(const struct mod_elf *elf, size_t *cursor,
				       const char **symbol, uint64_t *crc)
{
	size_t i, len;

	if (!elf || !cursor)
		return -EINVAL;
	if (has_crc_syms(elf)) {
		for (i = *cursor > 0 ? *cursor : 1; i < elf->nsyms; i++) {
			struct sym s;

			if (!read_sym(elf, i, &s) || !is_crc_sym(&s))
				continue;
			*cursor = i + 1;
			*symbol = s.name + sizeof(CRC_PREFIX) - 1;
			*crc = resolve_crc(elf, &s);
			return 0;
		}
		return 1;
	}
	/* No CRCs (CONFIG_MODVERSIONS off): the export names alone. */
	i = *cursor;
	if (next_string(elf, elf->ksymtab_strings, &i, symbol, &len) != 0)
		return 1;
	*cursor = i;
	*crc = 0;
	return 0;
}

/* Open-addressing table of __versions names, so matching thousands of symbols stays linear. */
struct vtab {
	size_t mask;
	uint32_t *slots; /* entry index + 1; 0 = empty */
};

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static int build_undefined(const struct mod_elf *elf)
{
	struct mod_elf *m = (struct mod_elf *)(uintptr_t)elf;
	size_t nver = n_versions(elf), i, n = 0, cap;
	_cleanup_free_ const char **vname = NULL;
	_cleanup_free_ uint64_t *vcrc = NULL;
	_cleanup_free_ bool *matched = NULL;
	_cleanup_free_ uint32_t *slots = NULL;
	_cleanup_free_ struct undef_sym *out = NULL;
	struct vtab vt = { 0, NULL };

	if (nver > 0) {
		size_t tsize = 16;

		vname = calloc(nver, sizeof(*vname));
		vcrc = calloc(nver, sizeof(*vcrc));
		matched = calloc(nver, sizeof(*matched));
		while (tsize < nver * 2)
			tsize *= 2;
		slots = calloc(tsize, sizeof(*slots));
		if (!vname || !vcrc || !matched || !slots)
			return -ENOMEM;
		vt.mask = tsize - 1;
		vt.slots = slots;
		for (i = 0; i < nver; i++) {
			size_t h;

			if (read_version(elf, i, &vname[i], &vcrc[i]) < 0) {
				/* Unusable entry: never matched, never reported. */
				vname[i] = NULL;
				matched[i] = true;
				continue;
			}
			for (h = hash_str(vname[i]) & vt.mask; slots[h];
			     h = (h + 1) & vt.mask) {
				if (streq(vname[slots[h] - 1], vname[i]))
					break;
			}
			if (!slots[h])
				slots[h] = (uint32_t)(i + 1);
		}
	}

	cap = elf->nsyms + nver;
	out = calloc(cap ? cap : 1, sizeof(*out));
	if (!out)
		return -ENOMEM;

	for (i = 1; i < elf->nsyms; i++) {
		struct sym s;
		uint64_t crc = 0;

		if (!read_sym(elf, i, &s) || s.shndx != SHN_UNDEF || s.name[0] == '\0')
			continue;
		if ((elf->machine == EM_SPARC || elf->machine == EM_SPARCV9) &&
		    s.type == STT_SPARC_REGISTER)
			continue;
		if (nver > 0) {
			size_t h;

			for (h = hash_str(s.name) & vt.mask; slots[h]; h = (h + 1) & vt.mask) {
				size_t v = slots[h] - 1;

				if (streq(vname[v], s.name)) {
					crc = vcrc[v];
					matched[v] = true;
					break;
				}
			}
		}
		out[n].name = s.name;
		out[n].crc = crc;
		out[n].bind = s.bind == STB_WEAK ? MOD_SYMBOL_WEAK : MOD_SYMBOL_UNDEF;
		n++;
	}
	/* Versioned symbols no undefined symbol asked for (e.g. module_layout) come last. */
	for (i = 0; i < nver; i++) {
		if (matched[i])
			continue;
		out[n].name = vname[i];
		out[n].crc = vcrc[i];
		out[n].bind = MOD_SYMBOL_UNDEF;
		n++;
	}
	m->undef = TAKE_PTR(out);
	m->n_undef = n;
	m->undef_done = true;
	return 0;
}

LIBMOD_EXPORT int mod_elf_undefined_next(const struct mod_elf *elf, size_t *cursor,
					 const char **symbol, enum mod_symbol_bind *bind,
					 uint64_t *crc)
{
	const struct undef_sym *u;

	if (!elf || !cursor)
		return -EINVAL;
	if (!elf->undef_done) {
		int r = build_undefined(elf);

		if (r < 0)
			return r;
	}
	if (*cursor >= elf->n_undef)
		return 1;
	u = &elf->undef[(*cursor)++];
	*symbol = u->name;
	*bind = (enum mod_symbol_bind)u->bind;
	*crc = u->crc;
	return 0;
}

LIBMOD_EXPORT int mod_elf_sections_next(const struct mod_elf *elf, size_t *cursor,
					const char **name, uint64_t *offset, uint64_t *size)
{
	const struct elf_section *s;

	if (!elf || !cursor)
		return -EINVAL;
	if (*cursor >= elf->shnum)
		return 1;
	s = &elf->secs[(*cursor)++];
	*name = s->name;
	*offset = s->offset;
	*size = s->size;
	return 0;
}

LIBMOD_EXPORT int mod_elf_get_this_module_name(const struct mod_elf *elf, const char **name)
{
	/* struct module starts { enum state; struct list_head list; char name[64 - sizeof(long)] } */
	size_t off, max;
	const struct elf_section *s;
	const char *p;

	if (!elf || !name)
		return -EINVAL;
	off = elf->class == 64 ? 24 : 12;
	max = elf->class == 64 ? 56 : 60;
	if (!elf->this_module)
		return -ENODATA;
	s = &elf->secs[elf->this_module];
	if (s->size < off + max) {
		ELF_ERR(elf, "bad ELF: .gnu.linkonce.this_module is too small (%llu bytes)\n",
		    (unsigned long long)s->size);
		return -ENOEXEC;
	}
	p = (const char *)elf->buf + s->offset + off;
	if (!memchr(p, '\0', max)) {
		ELF_ERR(elf, "bad ELF: module name in .gnu.linkonce.this_module is unterminated\n");
		return -ENOEXEC;
	}
	*name = p;
	return 0;
}

uint64_t mod_elf_get_extent_internal(const struct mod_elf *elf)
{
	/* Both were checked against the file length, so neither sum overflows. */
	uint64_t end = elf->shoff + (uint64_t)elf->shnum * elf->shentsize;

	for (size_t i = 1; i < elf->shnum; i++) {
		const struct elf_section *s = &elf->secs[i];

		if (s->type != SHT_NOBITS && s->type != SHT_NULL && s->offset + s->size > end)
			end = s->offset + s->size;
	}
	return end;
}

LIBMOD_EXPORT int mod_elf_get_build_id(const struct mod_elf *elf, const uint8_t **id,
				       size_t *len)
{
	size_t i;

	if (!elf || !id || !len)
		return -EINVAL;
	for (i = 1; i < elf->shnum; i++) {
		const struct elf_section *s = &elf->secs[i];
		const uint8_t *p;
		uint32_t namesz, descsz, type;
		size_t namepad, descoff;

		if (s->type != SHT_NOTE || !streq(s->name, ".note.gnu.build-id"))
			continue;
		if (s->size < 12)
			break;
		p = sec_data(elf, i);
		namesz = mod_rd32(p, elf->be);
		descsz = mod_rd32(p + 4, elf->be);
		type = mod_rd32(p + 8, elf->be);
		namepad = ((size_t)namesz + 3) & ~(size_t)3;
		descoff = 12 + namepad;
		if (type != NT_GNU_BUILD_ID || namesz > s->size || descoff > s->size ||
		    descsz > s->size - descoff || descsz == 0)
			break;
		*id = p + descoff;
		*len = descsz;
		return 0;
	}
	return -ENODATA;
}

LIBMOD_EXPORT int mod_elf_strip_for_force(const struct mod_elf *elf, bool strip_modversions,
					  bool strip_vermagic, void **copy, size_t *copy_len)
{
	_cleanup_free_ uint8_t *c = NULL;

	if (!elf || !copy || !copy_len)
		return -EINVAL;
	c = malloc(elf->len ? elf->len : 1);
	if (!c)
		return -ENOMEM;
	memcpy(c, elf->buf, elf->len);

	/* The kernel skips __versions when it is not SHF_ALLOC; no __versions is fine. */
	if (strip_modversions && elf->versions) {
		uint64_t hdr, flags_off;

		if (mul_overflows((uint64_t)elf->versions, (uint64_t)elf->shentsize, &hdr) ||
		    add_overflows(hdr, elf->shoff, &hdr) || add_overflows(hdr, 8, &flags_off) ||
		    !range_in_bounds(flags_off, elf->class == 64 ? 8 : 4, elf->len)) {
			ELF_ERR(elf, "bad ELF: __versions section header is outside the file\n");
			return -ENOEXEC;
		}
		if (elf->class == 64)
			mod_wr64(c + flags_off, elf->secs[elf->versions].flags & ~(uint64_t)SHF_ALLOC,
				 elf->be);
		else
			mod_wr32(c + flags_off,
				 (uint32_t)(elf->secs[elf->versions].flags & ~(uint64_t)SHF_ALLOC),
				 elf->be);
	}

	/* The whole "vermagic=..." string goes, so the kernel finds no vermagic at all. */
	if (strip_vermagic) {
		size_t cur = 0, len;
		const char *s;
		bool found = false;

		while (next_string(elf, elf->modinfo, &cur, &s, &len) == 0) {
			if (len >= 9 && memcmp(s, "vermagic=", 9) == 0) {
				memset(c + ((const uint8_t *)s - elf->buf), 0, len);
				found = true;
			}
		}
		if (!found) {
			ELF_ERR(elf, "no vermagic in .modinfo to strip\n");
			return -ENODATA;
		}
	}
	*copy_len = elf->len;
	*copy = TAKE_PTR(c);
	return 0;
}
