/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ELF view tests: a small module is assembled here in all four class/endianness combinations,
 * read back through every iterator, then damaged in the ways hostile files are (truncation, bogus
 * offsets and counts, names past the string table...) to check each gives a clean error.
 *
 * Given a module directory (test-elf <moddir>, run by with-corpus-moddir.sh), only real modules
 * of the corpus are checked instead, against what libkmod reports. That run is a test of its
 * own, so that a missing corpus shows up as a skip rather than as a pass.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <cmocka.h>

#include "config.h"
#include "libmod.h"

#if HAVE_LIBKMOD
#include <libkmod.h>
#endif

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* The corpus module directory, from the command line. */
static const char *corpus;

static char last_log[512];

static void capture_log(void *data, int priority, const char *file, int line, const char *fn,
			const char *format, va_list args)
{
	vsnprintf(last_log, sizeof(last_log), format, args);
}

static struct mod_ctx *new_ctx(void)
{
	struct mod_ctx *ctx = NULL;

	assert_int_equal(mod_ctx_new("/tmp", (const char *const[]){ NULL }, &ctx), 0);
	mod_ctx_set_log_fn(ctx, capture_log, NULL);
	mod_ctx_set_log_priority(ctx, 3);
	last_log[0] = '\0';
	return ctx;
}

/* ---- a tiny ELF writer, independent of the code under test ---- */

struct w {
	uint8_t *b;
	bool be;
	bool is64;
};

static void put(struct w *w, size_t off, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		w->b[off + (w->be ? (size_t)(n - 1 - i) : (size_t)i)] = (uint8_t)(v >> (8 * i));
}

/* a word: 4 bytes on 32-bit, 8 on 64-bit */
static void put_word(struct w *w, size_t off, uint64_t v)
{
	put(w, off, v, w->is64 ? 8 : 4);
}

struct tsec {
	const char *name;
	uint32_t type;
	const void *data;
	size_t len;
	uint32_t link;
	uint64_t flags;
};

enum { S_MODINFO = 1, S_VERSIONS, S_STRTAB, S_SYMTAB, S_KCRCTAB, S_KSYMSTR, S_THIS, NSEC };

struct built {
	uint8_t buf[8192];
	size_t len;
	size_t shoff;
	size_t sec_off[NSEC + 2];
	size_t shstr_off; /* file offset of .shstrtab data */
	size_t name_off[NSEC + 2];
};

static void build(struct built *out, bool is64, bool be, const struct tsec *secs, size_t n)
{
	struct w w = { out->buf, be, is64 };
	size_t ehsz = is64 ? 64 : 52, shsz = is64 ? 64 : 40, off = ehsz, i;
	char shstr[512];
	size_t shlen = 1;

	memset(out, 0, sizeof(*out));
	memcpy(out->buf, ELFMAG, SELFMAG);
	out->buf[EI_CLASS] = is64 ? ELFCLASS64 : ELFCLASS32;
	out->buf[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	out->buf[EI_VERSION] = EV_CURRENT;
	shstr[0] = '\0';
	for (i = 0; i < n; i++) {
		off = (off + 7) & ~(size_t)7;
		out->sec_off[i + 1] = off;
		memcpy(out->buf + off, secs[i].data, secs[i].len);
		off += secs[i].len;
		out->name_off[i + 1] = shlen;
		memcpy(shstr + shlen, secs[i].name, strlen(secs[i].name) + 1);
		shlen += strlen(secs[i].name) + 1;
	}
	out->name_off[n + 1] = shlen;
	memcpy(shstr + shlen, ".shstrtab", 10);
	shlen += 10;
	out->shstr_off = off;
	memcpy(out->buf + off, shstr, shlen);
	off += shlen;
	off = (off + 7) & ~(size_t)7;
	out->shoff = off;

	put(&w, 16, ET_REL, 2);
	put(&w, 18, is64 ? EM_X86_64 : EM_PPC, 2);
	put(&w, 20, EV_CURRENT, 4);
	put_word(&w, is64 ? 40 : 32, off); /* e_shoff */
	put(&w, is64 ? 52 : 40, ehsz, 2);
	put(&w, is64 ? 58 : 46, shsz, 2);
	put(&w, is64 ? 60 : 48, n + 2, 2);
	put(&w, is64 ? 62 : 50, n + 1, 2);

	for (i = 1; i <= n + 1; i++) {
		size_t h = off + i * shsz;
		bool str = i == n + 1;

		put(&w, h, out->name_off[i], 4);
		put(&w, h + 4, str ? SHT_STRTAB : secs[i - 1].type, 4);
		put_word(&w, h + 8, str ? 0 : secs[i - 1].flags);
		put_word(&w, h + (is64 ? 24 : 16), str ? out->shstr_off : out->sec_off[i]);
		put_word(&w, h + (is64 ? 32 : 20), str ? shlen : secs[i - 1].len);
		put(&w, h + (is64 ? 40 : 24), str ? 0 : secs[i - 1].link, 4);
	}
	out->len = off + (n + 2) * shsz;
	assert_true(out->len <= sizeof(out->buf));
}

static void sym(struct w *w, size_t idx, uint32_t name, uint8_t info, uint16_t shndx,
		uint64_t value)
{
	size_t o = idx * (w->is64 ? 24 : 16);

	put(w, o, name, 4);
	if (w->is64) {
		w->b[o + 4] = info;
		put(w, o + 6, shndx, 2);
		put(w, o + 8, value, 8);
	} else {
		put(w, o + 4, value, 4);
		w->b[o + 12] = info;
		put(w, o + 14, shndx, 2);
	}
}

static const char modinfo[] = "license=GPL\0\0\0vermagic=6.1.0 SMP\0alias=foo\0noeq";
/* strtab offsets: printk 1, __crc_myexp 8, weak_fn 20, local 28 */
static const char strtab[] = "\0printk\0__crc_myexp\0weak_fn\0local";
static const char ksymstr[] = "myexp\0other";

/* Assemble the test module; with_crc=false leaves out the __crc_ symbol. */
static void build_module(struct built *m, bool is64, bool be, bool with_crc)
{
	uint8_t versions[128] = { 0 }, symtab[5 * 24] = { 0 }, kcrc[8] = { 0 }, this[0x380] = { 0 };
	struct w w = { versions, be, is64 };
	size_t crcsz = is64 ? 8 : 4;

	put_word(&w, 0, 0x11223344);
	memcpy(versions + crcsz, "module_layout", 14);
	put_word(&w, 64, 0xaabbccdd);
	memcpy(versions + 64 + crcsz, "printk", 7);

	w.b = symtab;
	sym(&w, 1, 1, (STB_GLOBAL << 4) | STT_NOTYPE, SHN_UNDEF, 0);
	if (with_crc)
		sym(&w, 2, 8, (STB_LOCAL << 4) | STT_NOTYPE, S_KCRCTAB, 4);
	sym(&w, 3, 20, (STB_WEAK << 4) | STT_NOTYPE, SHN_UNDEF, 0);
	sym(&w, 4, 28, (STB_LOCAL << 4) | STT_FUNC, S_MODINFO, 0);

	w.b = kcrc;
	put(&w, 4, 0xdeadbeef, 4);
	memcpy(this + (is64 ? 24 : 12), "testmod", 8);

	const struct tsec secs[] = {
		{ ".modinfo", SHT_PROGBITS, modinfo, sizeof(modinfo), 0, SHF_ALLOC },
		{ "__versions", SHT_PROGBITS, versions, sizeof(versions), 0, SHF_ALLOC },
		{ ".strtab", SHT_STRTAB, strtab, sizeof(strtab), 0, 0 },
		{ ".symtab", SHT_SYMTAB, symtab, 5 * (is64 ? 24u : 16u), S_STRTAB, 0 },
		{ "__kcrctab", SHT_PROGBITS, kcrc, sizeof(kcrc), 0, SHF_ALLOC },
		{ "__ksymtab_strings", SHT_PROGBITS, ksymstr, sizeof(ksymstr), 0, SHF_ALLOC },
		{ ".gnu.linkonce.this_module", SHT_PROGBITS, this, sizeof(this), 0, SHF_ALLOC },
	};
	build(m, is64, be, secs, ARRAY_SIZE(secs));
}

static void check_module(bool is64, bool be)
{
	struct mod_ctx *ctx = new_ctx();
	struct built *m = calloc(1, sizeof(*m));
	struct mod_elf *elf;
	const char *key, *val, *s;
	size_t kl, c = 0;
	uint64_t crc;
	enum mod_symbol_bind b;
	void *copy;
	size_t copy_len;

	build_module(m, is64, be, true);
	assert_int_equal(mod_elf_new(ctx, m->buf, m->len, &elf), 0);
	assert_int_equal(mod_elf_get_class(elf), is64 ? 64 : 32);
	assert_int_equal(mod_elf_is_big_endian(elf), be);
	assert_int_equal(mod_elf_get_machine(elf), is64 ? EM_X86_64 : EM_PPC);

	/* modinfo: padding skipped, unterminated tail ignored, no '=' gives an empty value */
	assert_int_equal(mod_elf_modinfo_next(elf, &c, &key, &kl, &val), 0);
	assert_int_equal(kl, 7);
	assert_memory_equal(key, "license", 7);
	assert_string_equal(val, "GPL");
	assert_int_equal(mod_elf_modinfo_next(elf, &c, &key, &kl, &val), 0);
	assert_memory_equal(key, "vermagic", 8);
	assert_string_equal(val, "6.1.0 SMP");
	assert_int_equal(mod_elf_modinfo_next(elf, &c, &key, &kl, &val), 0);
	assert_memory_equal(key, "alias", 5);
	assert_string_equal(val, "foo");
	assert_int_equal(mod_elf_modinfo_next(elf, &c, &key, &kl, &val), 0);
	assert_int_equal(kl, 4);
	assert_memory_equal(key, "noeq", 4);
	assert_string_equal(val, "");
	assert_int_equal(mod_elf_modinfo_next(elf, &c, &key, &kl, &val), 1);

	c = 0;
	assert_int_equal(mod_elf_versions_next(elf, &c, &s, &crc), 0);
	assert_string_equal(s, "module_layout");
	assert_int_equal(crc, 0x11223344);
	assert_int_equal(mod_elf_versions_next(elf, &c, &s, &crc), 0);
	assert_string_equal(s, "printk");
	assert_int_equal(crc, 0xaabbccdd);
	assert_int_equal(mod_elf_versions_next(elf, &c, &s, &crc), 1);

	c = 0;
	assert_int_equal(mod_elf_exports_next(elf, &c, &s, &crc), 0);
	assert_string_equal(s, "myexp");
	assert_int_equal(crc, 0xdeadbeef);
	assert_int_equal(mod_elf_exports_next(elf, &c, &s, &crc), 1);

	c = 0;
	assert_int_equal(mod_elf_undefined_next(elf, &c, &s, &b, &crc), 0);
	assert_string_equal(s, "printk");
	assert_int_equal(b, MOD_SYMBOL_UNDEF);
	assert_int_equal(crc, 0xaabbccdd);
	assert_int_equal(mod_elf_undefined_next(elf, &c, &s, &b, &crc), 0);
	assert_string_equal(s, "weak_fn");
	assert_int_equal(b, MOD_SYMBOL_WEAK);
	assert_int_equal(crc, 0);
	assert_int_equal(mod_elf_undefined_next(elf, &c, &s, &b, &crc), 0);
	assert_string_equal(s, "module_layout");
	assert_int_equal(b, MOD_SYMBOL_UNDEF);
	assert_int_equal(crc, 0x11223344);
	assert_int_equal(mod_elf_undefined_next(elf, &c, &s, &b, &crc), 1);

	assert_int_equal(mod_elf_get_this_module_name(elf, &s), 0);
	assert_string_equal(s, "testmod");

	/* sections in header order, with the offsets the writer used */
	{
		uint64_t off, sz;
		c = 0;
		assert_int_equal(mod_elf_sections_next(elf, &c, &s, &off, &sz), 0);
		assert_string_equal(s, "");
		assert_int_equal(mod_elf_sections_next(elf, &c, &s, &off, &sz), 0);
		assert_string_equal(s, ".modinfo");
		assert_int_equal(off, m->sec_off[S_MODINFO]);
		assert_int_equal(sz, sizeof(modinfo));
		for (int i = 2; i < NSEC + 1; i++)
			assert_int_equal(mod_elf_sections_next(elf, &c, &s, &off, &sz), 0);
		assert_string_equal(s, ".shstrtab");
		assert_int_equal(mod_elf_sections_next(elf, &c, &s, &off, &sz), 1);
	}

	/* force: __versions loses SHF_ALLOC, the vermagic string is zeroed, the rest is intact */
	assert_int_equal(mod_elf_strip_for_force(elf, true, true, &copy, &copy_len), 0);
	assert_int_equal(copy_len, m->len);
	{
		size_t h = m->shoff + S_VERSIONS * (is64 ? 64 : 40) + 8;
		size_t vm = m->sec_off[S_MODINFO] + 14;
		uint8_t zeros[18] = { 0 };

		assert_int_equal(((uint8_t *)copy)[h + (be ? (is64 ? 7 : 3) : 0)] & SHF_ALLOC, 0);
		assert_int_equal(m->buf[h + (be ? (is64 ? 7 : 3) : 0)] & SHF_ALLOC, SHF_ALLOC);
		assert_memory_equal((uint8_t *)copy + vm, zeros, 18);
		assert_memory_equal(copy, m->buf, vm);
		assert_memory_equal((uint8_t *)copy + vm + 18, m->buf + vm + 18, h - vm - 18);
		free(copy);
	}
	mod_elf_unref(elf);

	/* no __crc_ symbols: exports come from __ksymtab_strings with CRC 0 */
	build_module(m, is64, be, false);
	assert_int_equal(mod_elf_new(ctx, m->buf, m->len, &elf), 0);
	c = 0;
	assert_int_equal(mod_elf_exports_next(elf, &c, &s, &crc), 0);
	assert_string_equal(s, "myexp");
	assert_int_equal(crc, 0);
	assert_int_equal(mod_elf_exports_next(elf, &c, &s, &crc), 0);
	assert_string_equal(s, "other");
	assert_int_equal(mod_elf_exports_next(elf, &c, &s, &crc), 1);
	mod_elf_unref(elf);

	free(m);
	mod_ctx_unref(ctx);
}

static void test_le64(void **state)
{
	check_module(true, false);
}
static void test_be64(void **state)
{
	check_module(true, true);
}
static void test_le32(void **state)
{
	check_module(false, false);
}
static void test_be32(void **state)
{
	check_module(false, true);
}

/* Parse must fail with -ENOEXEC and say why. */
static void expect_bad(struct mod_ctx *ctx, const void *buf, size_t len)
{
	struct mod_elf *elf = NULL;

	last_log[0] = '\0';
	assert_int_equal(mod_elf_new(ctx, buf, len, &elf), -ENOEXEC);
	assert_null(elf);
	assert_true(last_log[0] != '\0');
}

static void test_bad_headers(void **state)
{
	struct mod_ctx *ctx = new_ctx();
	struct built *m = calloc(1, sizeof(*m));
	struct w w;

	for (int v = 0; v < 4; v++) {
		bool is64 = v & 1, be = v & 2;
		size_t shsz = is64 ? 64 : 40;

		w = (struct w){ m->buf, be, is64 };
		build_module(m, is64, be, true);

		expect_bad(ctx, m->buf, 3);                 /* shorter than the magic */
		expect_bad(ctx, m->buf, is64 ? 40 : 30);    /* truncated ELF header */
		expect_bad(ctx, m->buf, m->len - 1);        /* section headers cut */
		expect_bad(ctx, m->buf, m->shoff);          /* section headers gone */

		/* data past the end: .modinfo offset beyond the file */
		build_module(m, is64, be, true);
		put_word(&w, m->shoff + S_MODINFO * shsz + (is64 ? 24 : 16), m->len + 100);
		expect_bad(ctx, m->buf, m->len);

		/* offset + size overflowing */
		build_module(m, is64, be, true);
		put_word(&w, m->shoff + S_MODINFO * shsz + (is64 ? 32 : 20),
		     is64 ? UINT64_MAX - 4 : UINT32_MAX - 4);
		expect_bad(ctx, m->buf, m->len);

		/* section name past the string table */
		build_module(m, is64, be, true);
		put(&w, m->shoff + S_VERSIONS * shsz, 5000, 4);
		expect_bad(ctx, m->buf, m->len);

		/* huge section count */
		build_module(m, is64, be, true);
		put(&w, is64 ? 60 : 48, 0xfff0, 2);
		expect_bad(ctx, m->buf, m->len);

		/* section string table index out of range */
		build_module(m, is64, be, true);
		put(&w, is64 ? 62 : 50, NSEC + 5, 2);
		expect_bad(ctx, m->buf, m->len);

		/* wrong section header size */
		build_module(m, is64, be, true);
		put(&w, is64 ? 58 : 46, shsz + 8, 2);
		expect_bad(ctx, m->buf, m->len);

		/* symtab linked to a non-string table */
		build_module(m, is64, be, true);
		put(&w, m->shoff + S_SYMTAB * shsz + (is64 ? 40 : 24), S_VERSIONS, 4);
		expect_bad(ctx, m->buf, m->len);

		/* unknown class and data encoding */
		build_module(m, is64, be, true);
		m->buf[EI_CLASS] = 3;
		expect_bad(ctx, m->buf, m->len);
		build_module(m, is64, be, true);
		m->buf[EI_DATA] = 0;
		expect_bad(ctx, m->buf, m->len);

		/* class flipped: 64-bit headers read as 32-bit (and back) */
		build_module(m, is64, be, true);
		m->buf[EI_CLASS] = is64 ? ELFCLASS32 : ELFCLASS64;
		{
			struct mod_elf *elf = NULL;
			int r = mod_elf_new(ctx, m->buf, m->len, &elf);

			assert_true(r == 0 || r == -ENOEXEC);
			mod_elf_unref(elf);
		}
		/* endianness flipped */
		build_module(m, is64, be, true);
		m->buf[EI_DATA] = be ? ELFDATA2LSB : ELFDATA2MSB;
		expect_bad(ctx, m->buf, m->len);
	}
	expect_bad(ctx, "not an elf file at all", 22);
	free(m);
	mod_ctx_unref(ctx);
}

/*
 * Extended numbering (ELF gABI, for more than 0xff00 sections): e_shnum 0 puts the count in
 * section 0's sh_size, e_shstrndx SHN_XINDEX puts the name table's index in its sh_link. The
 * header reader must follow both and see the same module as with the plain fields.
 */
static void test_extended_numbering(void **state)
{
	struct mod_ctx *ctx = new_ctx();
	struct built *m = calloc(1, sizeof(*m));

	for (int v = 0; v < 4; v++) {
		bool is64 = v & 1, be = v & 2;
		struct w w = { m->buf, be, is64 };
		struct mod_elf *elf = NULL;
		const char *name, *key, *val;
		size_t kl, c = 0;

		build_module(m, is64, be, true);
		put(&w, is64 ? 60 : 48, 0, 2);                         /* e_shnum */
		put(&w, is64 ? 62 : 50, SHN_XINDEX, 2);                /* e_shstrndx */
		put_word(&w, m->shoff + (is64 ? 32 : 20), NSEC + 1);   /* section 0 sh_size */
		put(&w, m->shoff + (is64 ? 40 : 24), NSEC, 4);         /* section 0 sh_link */
		assert_int_equal(mod_elf_new(ctx, m->buf, m->len, &elf), 0);
		assert_int_equal(mod_elf_get_this_module_name(elf, &name), 0);
		assert_string_equal(name, "testmod");
		assert_int_equal(mod_elf_modinfo_next(elf, &c, &key, &kl, &val), 0);
		assert_memory_equal(key, "license", 7);
		mod_elf_unref(elf);

		/* A count in section 0 that the file cannot hold, or none at all. */
		put_word(&w, m->shoff + (is64 ? 32 : 20), 100000);
		expect_bad(ctx, m->buf, m->len);
		put_word(&w, m->shoff + (is64 ? 32 : 20), 0);
		expect_bad(ctx, m->buf, m->len);
		/* The name table's index in section 0 out of range. */
		put_word(&w, m->shoff + (is64 ? 32 : 20), NSEC + 1);
		put(&w, m->shoff + (is64 ? 40 : 24), NSEC + 1, 4);
		expect_bad(ctx, m->buf, m->len);

		/* An ELF version other than 1 (EV_CURRENT) is refused. */
		build_module(m, is64, be, true);
		m->buf[EI_VERSION] = 2;
		expect_bad(ctx, m->buf, m->len);
	}
	free(m);
	mod_ctx_unref(ctx);
}

static void test_bad_contents(void **state)
{
	struct mod_ctx *ctx = new_ctx();
	struct built *m = calloc(1, sizeof(*m));
	struct mod_elf *elf;
	const char *s;
	uint64_t crc;
	size_t c;
	enum mod_symbol_bind b;
	void *copy;
	size_t copy_len;

	for (int v = 0; v < 4; v++) {
		bool is64 = v & 1, be = v & 2;
		size_t shsz = is64 ? 64 : 40, crcsz = is64 ? 8 : 4;
		struct w w = { m->buf, be, is64 };
		int n;

		/* __versions name without a NUL: versions fail, undefined skips it */
		build_module(m, is64, be, true);
		memset(m->buf + m->sec_off[S_VERSIONS] + crcsz, 'x', 64 - crcsz);
		assert_int_equal(mod_elf_new(ctx, m->buf, m->len, &elf), 0);
		c = 0;
		assert_int_equal(mod_elf_versions_next(elf, &c, &s, &crc), -ENOEXEC);
		c = 0;
		n = 0;
		while (mod_elf_undefined_next(elf, &c, &s, &b, &crc) == 0) {
			assert_null(strchr(s, 'x'));
			n++;
		}
		assert_int_equal(n, 2);
		mod_elf_unref(elf);

		/* CRC offset past its section and a symbol name past the string table */
		build_module(m, is64, be, true);
		w.b = m->buf + m->sec_off[S_SYMTAB];
		sym(&w, 2, 8, STB_LOCAL << 4, S_KCRCTAB, 1000);
		sym(&w, 3, 9999, STB_WEAK << 4, SHN_UNDEF, 0);
		w.b = m->buf;
		assert_int_equal(mod_elf_new(ctx, m->buf, m->len, &elf), 0);
		c = 0;
		assert_int_equal(mod_elf_exports_next(elf, &c, &s, &crc), 0);
		assert_string_equal(s, "myexp");
		assert_int_equal(crc, 0);
		c = 0;
		n = 0;
		while (mod_elf_undefined_next(elf, &c, &s, &b, &crc) == 0)
			n++;
		assert_int_equal(n, 2); /* printk, module_layout */
		mod_elf_unref(elf);

		/* overlapping sections: __versions placed over .modinfo; parses, no crash */
		build_module(m, is64, be, true);
		put_word(&w, m->shoff + S_VERSIONS * shsz + (is64 ? 24 : 16), m->sec_off[S_MODINFO]);
		assert_int_equal(mod_elf_new(ctx, m->buf, m->len, &elf), 0);
		c = 0;
		while (mod_elf_versions_next(elf, &c, &s, &crc) == 0)
			;
		c = 0;
		while (mod_elf_undefined_next(elf, &c, &s, &b, &crc) == 0)
			;
		mod_elf_unref(elf);

		/* this_module too small; no vermagic to strip */
		build_module(m, is64, be, true);
		put_word(&w, m->shoff + S_THIS * shsz + (is64 ? 32 : 20), 16);
		memset(m->buf + m->sec_off[S_MODINFO] + 14, 'V', 8);
		assert_int_equal(mod_elf_new(ctx, m->buf, m->len, &elf), 0);
		assert_int_equal(mod_elf_get_this_module_name(elf, &s), -ENOEXEC);
		assert_int_equal(mod_elf_strip_for_force(elf, false, true, &copy, &copy_len),
				 -ENODATA);
		assert_int_equal(mod_elf_strip_for_force(elf, true, false, &copy, &copy_len), 0);
		free(copy);
		mod_elf_unref(elf);
	}
	free(m);
	mod_ctx_unref(ctx);
}

#if HAVE_LIBKMOD
/* Compare every iterator with libkmod on a few real modules. */
static void test_corpus(void **state)
{
	static const char *const mods[] = {
		"kernel/fs/mbcache.ko",
		"kernel/fs/ext4/ext4.ko",
		"kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko",
		"kernel/net/bluetooth/bluetooth.ko",
		"kernel/arch/x86/crypto/aesni-intel.ko",
	};
	struct kmod_ctx *k;
	struct mod_ctx *ctx;
	int checked = 0;

	k = kmod_new("/", (const char *const[]){ NULL });
	assert_non_null(k);
	ctx = new_ctx();
	for (size_t i = 0; i < ARRAY_SIZE(mods); i++) {
		char path[512];
		struct kmod_module *km;
		struct kmod_list *l = NULL, *it;
		struct mod_image *img;
		struct mod_elf *elf;
		const char *key, *val, *s;
		size_t kl, c = 0;
		uint64_t crc;
		enum mod_symbol_bind b;

		snprintf(path, sizeof(path), "%s/%s", corpus, mods[i]);
		/* Every module listed is in every Debian 6.1 kernel: a missing one is a failure. */
		if (access(path, R_OK) != 0)
			fail_msg("%s: %s", path, strerror(errno));
		assert_int_equal(kmod_module_new_from_path(k, path, &km), 0);
		assert_int_equal(mod_image_open(ctx, path, &img), 0);
		assert_int_equal(mod_elf_new_from_image(img, &elf), 0);
		mod_image_unref(img); /* the ELF keeps it alive */

		assert_true(kmod_module_get_info(km, &l) > 0);
		kmod_list_foreach(it, l) {
			const char *kk = kmod_module_info_get_key(it);

			if (!strncmp(kk, "sig", 3) || !strcmp(kk, "signer"))
				continue;
			assert_int_equal(mod_elf_modinfo_next(elf, &c, &key, &kl, &val), 0);
			assert_int_equal(kl, strlen(kk));
			assert_memory_equal(key, kk, kl);
			assert_string_equal(val, kmod_module_info_get_value(it) ?: "");
		}
		assert_int_equal(mod_elf_modinfo_next(elf, &c, &key, &kl, &val), 1);
		kmod_module_info_free_list(l);

		l = NULL;
		c = 0;
		kmod_module_get_symbols(km, &l);
		kmod_list_foreach(it, l) {
			assert_int_equal(mod_elf_exports_next(elf, &c, &s, &crc), 0);
			assert_string_equal(s, kmod_module_symbol_get_symbol(it));
			assert_int_equal(crc, kmod_module_symbol_get_crc(it));
		}
		assert_int_equal(mod_elf_exports_next(elf, &c, &s, &crc), 1);
		kmod_module_symbols_free_list(l);

		l = NULL;
		c = 0;
		kmod_module_get_dependency_symbols(km, &l);
		kmod_list_foreach(it, l) {
			assert_int_equal(mod_elf_undefined_next(elf, &c, &s, &b, &crc), 0);
			assert_string_equal(s, kmod_module_dependency_symbol_get_symbol(it));
			assert_int_equal(crc, kmod_module_dependency_symbol_get_crc(it));
			assert_int_equal(b, kmod_module_dependency_symbol_get_bind(it));
		}
		assert_int_equal(mod_elf_undefined_next(elf, &c, &s, &b, &crc), 1);
		kmod_module_dependency_symbols_free_list(l);

		l = NULL;
		c = 0;
		kmod_module_get_versions(km, &l);
		kmod_list_foreach(it, l) {
			assert_int_equal(mod_elf_versions_next(elf, &c, &s, &crc), 0);
			assert_string_equal(s, kmod_module_version_get_symbol(it));
			assert_int_equal(crc, kmod_module_version_get_crc(it));
		}
		assert_int_equal(mod_elf_versions_next(elf, &c, &s, &crc), 1);
		kmod_module_versions_free_list(l);

		assert_int_equal(mod_elf_get_this_module_name(elf, &s), 0);
		assert_string_equal(s, kmod_module_get_name(km));

		mod_elf_unref(elf);
		kmod_module_unref(km);
		checked++;
	}
	assert_int_equal(checked, ARRAY_SIZE(mods));
	mod_ctx_unref(ctx);
	kmod_unref(k);
}
#endif

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_le64),
		cmocka_unit_test(test_be64),
		cmocka_unit_test(test_le32),
		cmocka_unit_test(test_be32),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_extended_numbering),
		cmocka_unit_test(test_bad_contents),
	};

	if (argc < 2)
		return cmocka_run_group_tests(tests, NULL, NULL);
	corpus = argv[1];
#if HAVE_LIBKMOD
	const struct CMUnitTest corpus_tests[] = {
		cmocka_unit_test(test_corpus),
	};

	return cmocka_run_group_tests(corpus_tests, NULL, NULL);
#else
	printf("SKIP: built without libkmod (libkmod-dev), nothing to compare %s with\n", corpus);
	return 77;
#endif
}
