/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the index reader and writer: round trips in both layouts, the reference's value
 * and wildcard ordering rules (expected orders worked out by hand from spec section 3), corrupt
 * and hostile files (truncation, cycles, bad child tables, missing NULs, offsets past the end),
 * and atomic file replacement.
 */
#include <dirent.h>
#include <fnmatch.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "libmod.h"

/* ---------------------------------------------------------------------------------------- */
/* helpers                                                                                   */

struct blob {
	uint8_t *data;
	size_t len;
};

static struct blob build(struct mod_index_builder *b, enum mod_index_layout layout)
{
	int fd = memfd_create("idx", MFD_CLOEXEC);
	struct blob bl;
	off_t end;

	assert_true(fd >= 0);
	assert_int_equal(mod_index_builder_write(b, fd, layout), 0);
	end = lseek(fd, 0, SEEK_END);
	assert_true(end >= 12);
	bl.len = (size_t)end;
	bl.data = malloc(bl.len);
	assert_non_null(bl.data);
	assert_int_equal(pread(fd, bl.data, bl.len, 0), (ssize_t)bl.len);
	close(fd);
	return bl;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static struct mod_index *open_mem(const struct blob *bl)
{
	struct mod_index *idx = NULL;

	assert_int_equal(mod_index_new_from_memory(NULL, bl->data, bl->len, &idx), 0);
	return idx;
}

/* A byte buffer for hand-made (corrupt) indexes. */
struct craft {
	uint8_t buf[512];
	size_t len;
};

static void put32(struct craft *c, uint32_t v)
{
	c->buf[c->len++] = (uint8_t)(v >> 24);
	c->buf[c->len++] = (uint8_t)(v >> 16);
	c->buf[c->len++] = (uint8_t)(v >> 8);
	c->buf[c->len++] = (uint8_t)v;
}

static void putb(struct craft *c, const void *p, size_t n)
{
	memcpy(c->buf + c->len, p, n);
	c->len += n;
}

static void header(struct craft *c, uint32_t root)
{
	c->len = 0;
	put32(c, 0xB007F457);
	put32(c, 0x00020001);
	put32(c, root);
}

#define F_PREFIX 0x80000000u
#define F_VALUES 0x40000000u
#define F_CHILDS 0x20000000u

/* Exact-size heap copy so ASan catches any read past the end. */
static struct mod_index *open_craft(const struct craft *c, void **copy)
{
	struct mod_index *idx = NULL;
	int r;

	*copy = malloc(c->len);
	memcpy(*copy, c->buf, c->len);
	r = mod_index_new_from_memory(NULL, *copy, c->len, &idx);
	return r == 0 ? idx : NULL;
}

struct seen {
	char text[4096];
	size_t len;
	int calls;
};

static int record(const char *key, const char *value, unsigned int prio, void *data)
{
	struct seen *s = data;
	int n = snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s=%s/%u;", key, value, prio);

	s->len += (size_t)n;
	s->calls++;
	return 0;
}

static void add(struct mod_index_builder *b, const char *k, const char *v, unsigned int p)
{
	assert_true(mod_index_builder_add(b, k, v, p) >= 0);
}

/* ---------------------------------------------------------------------------------------- */
/* round trips                                                                               */

static struct mod_index_builder *sample(void)
{
	struct mod_index_builder *b;

	assert_int_equal(mod_index_builder_new(&b), 0);
	add(b, "snd_hda_intel", "kernel/sound/hda.ko:", 3);
	add(b, "snd", "kernel/sound/snd.ko:", 1);
	add(b, "snd_hda_codec", "kernel/sound/codec.ko: kernel/sound/snd.ko", 2);
	add(b, "e1000", "kernel/net/e1000.ko:", 0);
	add(b, "e1000e", "kernel/net/e1000e.ko:", 5);
	add(b, "", "empty-key", 9);
	return b;
}

static void check_sample(struct mod_index *idx)
{
	const char *v;
	struct seen s = { 0 };

	assert_int_equal(mod_index_lookup(idx, "snd", &v), 0);
	assert_string_equal(v, "kernel/sound/snd.ko:");
	assert_int_equal(mod_index_lookup(idx, "snd_hda_codec", &v), 0);
	assert_string_equal(v, "kernel/sound/codec.ko: kernel/sound/snd.ko");
	assert_int_equal(mod_index_lookup(idx, "e1000e", &v), 0);
	assert_string_equal(v, "kernel/net/e1000e.ko:");
	assert_int_equal(mod_index_lookup(idx, "", &v), 0);
	assert_string_equal(v, "empty-key");
	/* Inner nodes without values, prefixes of keys and extensions are misses. */
	assert_int_equal(mod_index_lookup(idx, "snd_hda", &v), -ENOENT);
	assert_int_equal(mod_index_lookup(idx, "sn", &v), -ENOENT);
	assert_int_equal(mod_index_lookup(idx, "e1000ee", &v), -ENOENT);
	assert_int_equal(mod_index_lookup(idx, "x", &v), -ENOENT);

	assert_int_equal(mod_index_foreach(idx, record, &s), 0);
	assert_string_equal(s.text, "=empty-key/9;e1000=kernel/net/e1000.ko:/0;"
				    "e1000e=kernel/net/e1000e.ko:/5;snd=kernel/sound/snd.ko:/1;"
				    "snd_hda_codec=kernel/sound/codec.ko: kernel/sound/snd.ko/2;"
				    "snd_hda_intel=kernel/sound/hda.ko:/3;");
}

static void test_roundtrip_layouts(void **state)
{
	struct mod_index_builder *b = sample();
	struct blob pre = build(b, MOD_INDEX_LAYOUT_PREORDER);
	struct blob post = build(b, MOD_INDEX_LAYOUT_POSTORDER);
	struct mod_index *a = open_mem(&pre), *c = open_mem(&post);

	/* Same bytes, different placement: root first vs root last. */
	assert_int_equal(pre.len, post.len);
	assert_int_equal(be32(pre.data) , 0xB007F457);
	assert_int_equal(be32(pre.data + 4), 0x00020001);
	assert_int_equal(be32(pre.data + 8) & 0x0FFFFFFF, 12);
	assert_true((be32(post.data + 8) & 0x0FFFFFFF) > 12);
	assert_true(memcmp(pre.data, post.data, pre.len) != 0);
	check_sample(a);
	check_sample(c);
	mod_index_unref(a);
	mod_index_unref(c);
	mod_index_builder_free(b);
	free(pre.data);
	free(post.data);
}

static void test_canonical(void **state)
{
	/* The same key set in another order gives the same file (distinct priorities). */
	struct mod_index_builder *b1 = sample(), *b2;
	struct blob x, y;

	assert_int_equal(mod_index_builder_new(&b2), 0);
	add(b2, "", "empty-key", 9);
	add(b2, "e1000e", "kernel/net/e1000e.ko:", 5);
	add(b2, "snd_hda_codec", "kernel/sound/codec.ko: kernel/sound/snd.ko", 2);
	add(b2, "e1000", "kernel/net/e1000.ko:", 0);
	add(b2, "snd_hda_intel", "kernel/sound/hda.ko:", 3);
	add(b2, "snd", "kernel/sound/snd.ko:", 1);
	x = build(b1, MOD_INDEX_LAYOUT_PREORDER);
	y = build(b2, MOD_INDEX_LAYOUT_PREORDER);
	assert_int_equal(x.len, y.len);
	assert_memory_equal(x.data, y.data, x.len);
	mod_index_builder_free(b1);
	mod_index_builder_free(b2);
	free(x.data);
	free(y.data);
}

static void test_exact_layout_bytes(void **state)
{
	/* Two keys "ab" and "ac": root -'a'-> node(children b,c) -> two leaves. Post-order bytes
	 * worked out by hand from the format. */
	static const uint8_t expect[] = {
		0xB0, 0x07, 0xF4, 0x57, 0x00, 0x02, 0x00, 0x01, 0x20, 0x00, 0x00, 0x2a,
		/* 12: leaf "ab": values: count 1, prio 7, "X" */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 'X', 0,
		/* 22: leaf "ac": count 1, prio 8, "Y" */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x08, 'Y', 0,
		/* 32: node "a": children b..c */
		'b', 'c', 0x40, 0x00, 0x00, 0x0c, 0x40, 0x00, 0x00, 0x16,
		/* 42: root: children 'a'..'a' -> node at 32 (CHILDS) */
		'a', 'a', 0x20, 0x00, 0x00, 0x20,
	};
	struct mod_index_builder *b;
	struct blob bl;

	assert_int_equal(mod_index_builder_new(&b), 0);
	add(b, "ac", "Y", 8);
	add(b, "ab", "X", 7);
	bl = build(b, MOD_INDEX_LAYOUT_POSTORDER);
	assert_int_equal(bl.len, sizeof(expect));
	assert_memory_equal(bl.data, expect, sizeof(expect));
	mod_index_builder_free(b);
	free(bl.data);
}

static void test_empty_index(void **state)
{
	struct mod_index_builder *b;
	struct mod_index *idx;
	struct mod_index_result *res = NULL;
	struct seen s = { 0 };
	struct blob bl;
	const char *v;

	assert_int_equal(mod_index_builder_new(&b), 0);
	bl = build(b, MOD_INDEX_LAYOUT_PREORDER);
	assert_int_equal(bl.len, 12);
	idx = open_mem(&bl);
	assert_int_equal(mod_index_lookup(idx, "a", &v), -ENOENT);
	assert_int_equal(mod_index_lookup_wild(idx, "a", &res), -ENOENT);
	assert_int_equal(mod_index_foreach(idx, record, &s), 0);
	assert_int_equal(s.calls, 0);
	mod_index_unref(idx);
	mod_index_builder_free(b);
	free(bl.data);
}

/*
 * Bytes >= 0x80 (a module file named café.ko, an alias with a Latin-1 byte): kmod 30 indexes
 * them, so must we, both inside a node prefix (what kmod writes correctly) and where two keys
 * part at such a byte (where kmod's signed char indexes its child table out of bounds): then
 * the child table spans bytes above 0x7f, which both layouts write and the reader follows.
 */
static void test_high_bytes(void **state)
{
	static const enum mod_index_layout layouts[] = { MOD_INDEX_LAYOUT_PREORDER,
							 MOD_INDEX_LAYOUT_POSTORDER };

	for (size_t l = 0; l < 2; l++) {
		struct mod_index_builder *b;
		struct mod_index *idx;
		struct blob bl;
		const char *v;

		assert_int_equal(mod_index_builder_new(&b), 0);
		assert_int_equal(mod_index_builder_add(b, "caf\xc3\xa9", "kernel/caf\xc3\xa9.ko:", 0),
				 0);
		assert_int_equal(mod_index_builder_add(b, "caf\xc3\xa8", "\xff", 1), 0);
		assert_int_equal(mod_index_builder_add(b, "cafe", "ascii", 2), 0);
		assert_int_equal(mod_index_builder_add(b, "\x80", "low edge", 3), 0);
		bl = build(b, layouts[l]);
		mod_index_builder_free(b);
		idx = open_mem(&bl);
		assert_int_equal(mod_index_lookup(idx, "caf\xc3\xa9", &v), 0);
		assert_string_equal(v, "kernel/caf\xc3\xa9.ko:");
		assert_int_equal(mod_index_lookup(idx, "caf\xc3\xa8", &v), 0);
		assert_string_equal(v, "\xff");
		assert_int_equal(mod_index_lookup(idx, "cafe", &v), 0);
		assert_string_equal(v, "ascii");
		assert_int_equal(mod_index_lookup(idx, "\x80", &v), 0);
		assert_string_equal(v, "low edge");
		assert_int_equal(mod_index_lookup(idx, "caf\xc3", &v), -ENOENT);
		mod_index_unref(idx);
		free(bl.data);
	}
}

static void test_value_order_and_dups(void **state)
{
	struct mod_index_builder *b;
	struct mod_index_result *res = NULL;
	struct mod_index *idx;
	struct blob bl;
	const char *v;

	assert_int_equal(mod_index_builder_new(&b), 0);
	assert_int_equal(mod_index_builder_add(b, "k", "v1", 1), 0);
	assert_int_equal(mod_index_builder_add(b, "k", "v2", 1), 0);
	assert_int_equal(mod_index_builder_add(b, "k", "v3", 0), 0);
	assert_int_equal(mod_index_builder_add(b, "k", "v4", 2), 0);
	/* The same pair again is reported and still stored. */
	assert_int_equal(mod_index_builder_add(b, "k", "v1", 1), 1);
	bl = build(b, MOD_INDEX_LAYOUT_PREORDER);
	idx = open_mem(&bl);
	/* Stored: priority ascending, later insert first among equals: v3 v1' v2 v1 v4 */
	assert_int_equal(mod_index_lookup(idx, "k", &v), 0);
	assert_string_equal(v, "v3");
	assert_int_equal(mod_index_lookup_all(idx, "k", &res), 0);
	assert_int_equal(mod_index_result_count(res), 5);
	assert_string_equal(mod_index_result_value(res, 0), "v3");
	assert_string_equal(mod_index_result_value(res, 1), "v1");
	assert_string_equal(mod_index_result_value(res, 2), "v2");
	assert_string_equal(mod_index_result_value(res, 3), "v1");
	assert_string_equal(mod_index_result_value(res, 4), "v4");
	assert_int_equal(mod_index_result_priority(res, 4), 2);
	assert_null(mod_index_result_value(res, 5));
	mod_index_result_free(res);
	assert_int_equal(mod_index_lookup_all(idx, "kk", &res), -ENOENT);
	mod_index_unref(idx);
	mod_index_builder_free(b);
	free(bl.data);
}

/* ---------------------------------------------------------------------------------------- */
/* wildcards                                                                                 */

static void expect_wild(struct mod_index *idx, const char *key, const char *want)
{
	struct mod_index_result *res = NULL;
	char got[512] = "";
	size_t len = 0;
	int r = mod_index_lookup_wild(idx, key, &res);

	if (r == -ENOENT) {
		assert_string_equal("", want);
		return;
	}
	assert_int_equal(r, 0);
	for (size_t i = 0; i < mod_index_result_count(res); i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s ",
					mod_index_result_value(res, i));
	assert_string_equal(got, want);
	mod_index_result_free(res);
}

static void test_wild_order(void **state)
{
	struct mod_index_builder *b;
	struct mod_index *idx;
	struct blob bl;

	assert_int_equal(mod_index_builder_new(&b), 0);
	add(b, "pci:v*", "a", 5);
	add(b, "pci:v0001*", "b", 5);
	add(b, "pci:v?001d", "c", 1);
	add(b, "pci:v0001d", "d", 5);
	add(b, "pci:v1*", "e", 0);
	add(b, "pci:v[0-9]001d", "f", 5);
	add(b, "pci:v[!0]001d", "g", 0);
	add(b, "usb:v*p*d[0-1]*", "h", 2);
	add(b, "usb:v*p\\*", "i", 2);
	for (int layout = 0; layout < 2; layout++) {
		bl = build(b, layout);
		idx = open_mem(&bl);
		/* Discovery order at node "pci:v": '*' (a), '?' (c), '[' (f; g fails), then
		 * "0001": '*' (b), end 'd' (d). Sorted by priority, ties in reverse discovery:
		 * c(1) then d b f a (5). */
		expect_wild(idx, "pci:v0001d", "c d b f a ");
		expect_wild(idx, "pci:v1001d", "e g c f a ");
		expect_wild(idx, "pci:v0002", "a ");
		expect_wild(idx, "pci:", "");
		expect_wild(idx, "usb:v12p34d1x", "h ");
		expect_wild(idx, "usb:v12p34d2x", "");
		/* Escaped star in the pattern is literal (fnmatch semantics). */
		expect_wild(idx, "usb:v1p*", "i ");
		expect_wild(idx, "usb:v1px", "");
		mod_index_unref(idx);
		free(bl.data);
	}
	mod_index_builder_free(b);
}

static void test_wild_in_prefix(void **state)
{
	struct mod_index_builder *b;
	struct mod_index *idx;
	struct blob bl;

	/* A lone key keeps its wildcard inside a compressed prefix. */
	assert_int_equal(mod_index_builder_new(&b), 0);
	add(b, "acpi*:PNP0A03:*", "pcihost", 4);
	add(b, "acpi*:PNP0C0A:*", "battery", 3);
	bl = build(b, MOD_INDEX_LAYOUT_POSTORDER);
	idx = open_mem(&bl);
	expect_wild(idx, "acpi:PNP0A03:", "pcihost ");
	expect_wild(idx, "acpiX:PNP0C0A:foo", "battery ");
	expect_wild(idx, "acp", "");
	expect_wild(idx, "acpi:PNP0A04:", "");
	mod_index_unref(idx);
	mod_index_builder_free(b);
	free(bl.data);
}

static uint32_t rng_state = 12345;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (rng_state >> 8) % n;
}

/*
 * Random glob keys against random queries: the set must be exactly the keys fnmatch accepts
 * for the whole query (the literal part before a wildcard is matched by the descent), ordered
 * by priority (all distinct here). This pits the reader's own matcher against glibc's fnmatch.
 */
static void test_wild_random(void **state)
{
	static const char *const tok[] = { "a", "b", "c", "-", "*", "?", "[ab]", "[!a]", "[a-c]",
					   "[]a]", "[^b]", "[c-a]", "[a-]", "[", "]", "[[:alpha:]]" };
	enum { NKEYS = 400, NQ = 3000 };
	char keys[NKEYS][40];
	struct mod_index_builder *b;
	struct mod_index *idx;
	struct blob bl;

	assert_int_equal(mod_index_builder_new(&b), 0);
	for (int i = 0; i < NKEYS; i++) {
		size_t len = 0;
		int ntok = 1 + (int)rnd(6);

		keys[i][0] = '\0';
		for (int t = 0; t < ntok; t++) {
			const char *x = tok[rnd(sizeof(tok) / sizeof(tok[0]))];

			memcpy(keys[i] + len, x, strlen(x) + 1);
			len += strlen(x);
		}
		add(b, keys[i], keys[i], (unsigned int)i);
	}
	bl = build(b, rnd(2) ? MOD_INDEX_LAYOUT_PREORDER : MOD_INDEX_LAYOUT_POSTORDER);
	idx = open_mem(&bl);
	for (int q = 0; q < NQ; q++) {
		/* No '*', '?' or '[' in queries: the reference (and so the reader) also follows
		 * such a byte literally and reports those matches twice. */
		static const char qc[] = "abc-]";
		struct mod_index_result *res = NULL;
		char query[16];
		size_t qlen = rnd(8), got = 0;
		int r;

		for (size_t i = 0; i < qlen; i++)
			query[i] = qc[rnd(q < NQ / 2 ? 3 : sizeof(qc) - 1)];
		query[qlen] = '\0';
		r = mod_index_lookup_wild(idx, query, &res);
		assert_true(r == 0 || r == -ENOENT);
		for (int i = 0; i < NKEYS; i++) {
			if (fnmatch(keys[i], query, 0) != 0)
				continue;
			/* Priorities are the insertion numbers, so the expected order is i. */
			if (got >= mod_index_result_count(res) ||
			    strcmp(mod_index_result_value(res, got), keys[i])) {
				print_message("query '%s', want '%s' (prio %d) at %zu; got:", query,
					      keys[i], i, got);
				for (size_t k = 0; k < mod_index_result_count(res); k++)
					print_message(" '%s'/%u", mod_index_result_value(res, k),
						      mod_index_result_priority(res, k));
				print_message("\n");
			}
			assert_true(got < mod_index_result_count(res));
			assert_string_equal(mod_index_result_value(res, got), keys[i]);
			assert_int_equal(mod_index_result_priority(res, got), i);
			got++;
		}
		assert_int_equal(got, mod_index_result_count(res));
		mod_index_result_free(res);
	}
	mod_index_unref(idx);
	mod_index_builder_free(b);
	free(bl.data);
}

/* ---------------------------------------------------------------------------------------- */
/* hostile files                                                                             */

static void test_bad_headers(void **state)
{
	struct craft c;
	struct mod_index *idx = NULL;

	header(&c, 0);
	assert_int_equal(mod_index_new_from_memory(NULL, c.buf, 11, &idx), -EBADMSG);
	c.buf[0] = 0xB0, c.buf[3] = 0x58;
	assert_int_equal(mod_index_new_from_memory(NULL, c.buf, c.len, &idx), -EBADMSG);
	header(&c, 0);
	c.buf[5] = 3; /* major 3 */
	assert_int_equal(mod_index_new_from_memory(NULL, c.buf, c.len, &idx), -EBADMSG);
	header(&c, 0);
	c.buf[7] = 9; /* other minor: fine */
	assert_int_equal(mod_index_new_from_memory(NULL, c.buf, c.len, &idx), 0);
	mod_index_unref(idx);
	header(&c, 100 | F_VALUES); /* root past the end */
	assert_int_equal(mod_index_new_from_memory(NULL, c.buf, c.len, &idx), -EBADMSG);
	header(&c, 4 | F_VALUES); /* root inside the header */
	assert_int_equal(mod_index_new_from_memory(NULL, c.buf, c.len, &idx), -EBADMSG);
}

static void test_cycles(void **state)
{
	struct mod_index_result *res = NULL;
	struct seen s = { 0 };
	struct mod_index *idx;
	struct craft c;
	void *copy;
	const char *v;

	/* Root whose only child, under 'a', is the root itself. */
	header(&c, 12 | F_CHILDS);
	putb(&c, "aa", 2);
	put32(&c, 12 | F_CHILDS);
	idx = open_craft(&c, &copy);
	assert_non_null(idx);
	assert_int_equal(mod_index_foreach(idx, record, &s), -EBADMSG);
	/* Descents consume a key byte per edge, so they end. */
	assert_int_equal(mod_index_lookup(idx, "aaaaaaaa", &v), -ENOENT);
	mod_index_unref(idx);
	free(copy);

	/* The same under '*', reached by a wildcard walk. */
	header(&c, 12 | F_CHILDS);
	putb(&c, "**", 2);
	put32(&c, 12 | F_CHILDS);
	idx = open_craft(&c, &copy);
	assert_int_equal(mod_index_lookup_wild(idx, "x", &res), -EBADMSG);
	mod_index_unref(idx);
	free(copy);

	/* Shared children: every slot of a wide table points at one node that points back.
	 * The walk must give up, not run exponentially. */
	header(&c, 12 | F_CHILDS);
	c.buf[c.len++] = 0;
	c.buf[c.len++] = 63;
	for (int i = 0; i < 64; i++)
		put32(&c, 12 | F_CHILDS);
	idx = open_craft(&c, &copy);
	assert_int_equal(mod_index_foreach(idx, record, &s), -EBADMSG);
	assert_int_equal(mod_index_lookup_wild(idx, "***", &res), -EBADMSG);
	mod_index_unref(idx);
	free(copy);
}

static void test_bad_nodes(void **state)
{
	struct mod_index_result *res = NULL;
	struct seen s = { 0 };
	struct mod_index *idx;
	struct craft c;
	void *copy;
	const char *v;

	/* first > last */
	header(&c, 12 | F_CHILDS);
	putb(&c, "ba", 2);
	put32(&c, 0);
	put32(&c, 0);
	idx = open_craft(&c, &copy);
	assert_int_equal(mod_index_lookup(idx, "a", &v), -EBADMSG);
	assert_int_equal(mod_index_foreach(idx, record, &s), -EBADMSG);
	mod_index_unref(idx);
	free(copy);

	/* last >= 128 */
	header(&c, 12 | F_CHILDS);
	c.buf[c.len++] = 'a';
	c.buf[c.len++] = 0x80;
	idx = open_craft(&c, &copy);
	assert_int_equal(mod_index_lookup(idx, "a", &v), -EBADMSG);
	mod_index_unref(idx);
	free(copy);

	/* child table longer than the file */
	header(&c, 12 | F_CHILDS);
	putb(&c, "az", 2);
	put32(&c, 0);
	idx = open_craft(&c, &copy);
	assert_int_equal(mod_index_lookup(idx, "a", &v), -EBADMSG);
	mod_index_unref(idx);
	free(copy);

	/* child offset past the end */
	header(&c, 12 | F_CHILDS);
	putb(&c, "aa", 2);
	put32(&c, 0x0FFFFFF0 | F_VALUES);
	idx = open_craft(&c, &copy);
	assert_int_equal(mod_index_lookup(idx, "a", &v), -EBADMSG);
	assert_int_equal(mod_index_lookup(idx, "b", &v), -ENOENT);
	assert_int_equal(mod_index_lookup_wild(idx, "a", &res), -EBADMSG);
	mod_index_unref(idx);
	free(copy);

	/* value string without NUL at the end of the file */
	header(&c, 12 | F_VALUES);
	put32(&c, 1);
	put32(&c, 0);
	putb(&c, "abc", 3);
	idx = open_craft(&c, &copy);
	assert_int_equal(mod_index_lookup(idx, "", &v), -EBADMSG);
	assert_int_equal(mod_index_foreach(idx, record, &s), -EBADMSG);
	mod_index_unref(idx);
	free(copy);

	/* prefix without NUL */
	header(&c, 12 | F_PREFIX | F_VALUES);
	putb(&c, "abc", 3);
	idx = open_craft(&c, &copy);
	assert_int_equal(mod_index_lookup(idx, "abc", &v), -EBADMSG);
	assert_int_equal(mod_index_lookup(idx, "abd", &v), -ENOENT);
	assert_int_equal(mod_index_foreach(idx, record, &s), -EBADMSG);
	mod_index_unref(idx);
	free(copy);

	/* value count far beyond the file */
	header(&c, 12 | F_VALUES);
	put32(&c, 0x7fffffff);
	put32(&c, 0);
	putb(&c, "x", 2);
	idx = open_craft(&c, &copy);
	assert_int_equal(mod_index_lookup(idx, "", &v), -EBADMSG);
	mod_index_unref(idx);
	free(copy);
}

static int dummy(const char *k, const char *v, unsigned int p, void *d)
{
	return 0;
}

static void test_truncated(void **state)
{
	struct mod_index_builder *b = sample();
	struct blob bl = build(b, MOD_INDEX_LAYOUT_POSTORDER);

	for (size_t len = 0; len < bl.len; len++) {
		void *copy = malloc(len ? len : 1);
		struct mod_index *idx = NULL;
		struct mod_index_result *res = NULL;
		const char *v;
		int r;

		memcpy(copy, bl.data, len);
		r = mod_index_new_from_memory(NULL, copy, len, &idx);
		if (len < 12) {
			assert_int_equal(r, -EBADMSG);
		} else if (r == 0) {
			/* The root is the last node: any cut damages it or puts it out of range. */
			assert_int_equal(mod_index_foreach(idx, dummy, NULL), -EBADMSG);
			/* Children come first, so a lookup may still reach intact data. */
			r = mod_index_lookup(idx, "snd_hda_intel", &v);
			assert_true(r == -EBADMSG || r == -ENOENT || r == 0);
			if (r == 0)
				assert_string_equal(v, "kernel/sound/hda.ko:");
			r = mod_index_lookup_wild(idx, "snd", &res);
			assert_true(r == -EBADMSG || r == -ENOENT || r == 0);
			if (r == 0) {
				assert_int_equal(mod_index_result_count(res), 1);
				assert_string_equal(mod_index_result_value(res, 0),
						    "kernel/sound/snd.ko:");
				mod_index_result_free(res);
			}
			mod_index_unref(idx);
		}
		free(copy);
	}
	mod_index_builder_free(b);
	free(bl.data);
}

/* ---------------------------------------------------------------------------------------- */
/* files: open, dump, atomic write                                                           */

static int write_index(int fd, void *data)
{
	return mod_index_builder_write(data, fd, MOD_INDEX_LAYOUT_PREORDER);
}

static int fail_after_write(int fd, void *data)
{
	assert_int_equal(write(fd, "partial", 7), 7);
	return -ENOSPC;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while ((e = readdir(d)))
		if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")))
			n++;
	closedir(d);
	return n;
}

static void test_files(void **state)
{
	char dir[] = "/tmp/libmod-index-XXXXXX", path[128], out[512];
	struct mod_index_builder *b = sample();
	struct mod_index *idx;
	const char *v;
	struct stat st;
	ssize_t n;
	int fd;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(mod_write_file_atomic(dir, "modules.dep.bin", write_index, b), 0);
	assert_int_equal(count_entries(dir), 1);
	snprintf(path, sizeof(path), "%s/modules.dep.bin", dir);
	assert_int_equal(mod_index_open(NULL, path, &idx), 0);
	check_sample(idx);

	/* dump */
	fd = memfd_create("dump", MFD_CLOEXEC);
	assert_int_equal(mod_index_dump(idx, fd, "alias "), 0);
	n = pread(fd, out, sizeof(out) - 1, 0);
	assert_true(n > 0);
	out[n] = '\0';
	assert_string_equal(out, "alias  empty-key\n"
				 "alias e1000 kernel/net/e1000.ko:\n"
				 "alias e1000e kernel/net/e1000e.ko:\n"
				 "alias snd kernel/sound/snd.ko:\n"
				 "alias snd_hda_codec kernel/sound/codec.ko: kernel/sound/snd.ko\n"
				 "alias snd_hda_intel kernel/sound/hda.ko:\n");
	close(fd);
	mod_index_unref(idx);

	/* A failing writer leaves the old file and no temporary behind. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(mod_write_file_atomic(dir, "modules.dep.bin", fail_after_write, NULL),
			 -ENOSPC);
	assert_int_equal(count_entries(dir), 1);
	assert_int_equal(mod_index_open(NULL, path, &idx), 0);
	assert_int_equal(mod_index_lookup(idx, "snd", &v), 0);
	mod_index_unref(idx);
	assert_int_equal(mod_write_file_atomic(dir, "a/b", write_index, b), -EINVAL);
	assert_int_equal(mod_write_file_atomic("/nonexistent-dir", "x", write_index, b), -ENOENT);

	/* Not an index / missing */
	snprintf(path, sizeof(path), "%s/nothing", dir);
	assert_int_equal(mod_index_open(NULL, path, &idx), -ENOENT);
	assert_int_equal(mod_index_open(NULL, dir, &idx), -EBADMSG);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\xb0\x07", 2), 2);
	close(fd);
	assert_int_equal(mod_index_open(NULL, path, &idx), -EBADMSG);

	/*
	 * An empty file is an index without keys (depmod writes empty builtin indexes for trees
	 * without modules.builtin): it opens, and every kind of lookup finds nothing.
	 */
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(mod_index_open(NULL, path, &idx), 0);
	assert_int_equal(mod_index_lookup(idx, "snd", &v), -ENOENT);
	assert_int_equal(mod_index_lookup(idx, "", &v), -ENOENT);
	{
		struct mod_index_result *res = NULL;

		assert_int_equal(mod_index_lookup_all(idx, "snd", &res), -ENOENT);
		assert_int_equal(mod_index_lookup_wild(idx, "snd", &res), -ENOENT);
		assert_null(res);
	}
	fd = memfd_create("dump", MFD_CLOEXEC);
	assert_int_equal(mod_index_dump(idx, fd, "alias "), 0);
	assert_int_equal(pread(fd, out, sizeof(out), 0), 0);
	close(fd);
	mod_index_unref(idx);
	unlink(path);

	snprintf(path, sizeof(path), "%s/modules.dep.bin", dir);
	unlink(path);
	rmdir(dir);
	mod_index_builder_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_layouts),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_exact_layout_bytes),
		cmocka_unit_test(test_empty_index),
		cmocka_unit_test(test_value_order_and_dups),
		cmocka_unit_test(test_high_bytes),
		cmocka_unit_test(test_wild_order),
		cmocka_unit_test(test_wild_in_prefix),
		cmocka_unit_test(test_wild_random),
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_bad_nodes),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
