/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod: the per-module cache. Reading a module (decompressing it, walking its ELF) is almost
 * all of a depmod run, yet between two runs few module files change. The cache keeps, for each
 * module file, what the parser extracted (aliases, softdeps, weakdeps, exports with CRCs, needed
 * symbols), keyed by the file's identity (size, inode, mtime and ctime to the nanosecond), so a
 * later run reads only the files whose key changed. It also records a fingerprint of every other
 * input (settings, depmod.d, modules.order, modules.builtin*, -E/-F files, the module list) and
 * the identity of the outputs it was committed with: when all of that still matches, the outputs
 * on disk are what the run would write, and nothing is written.
 *
 * It lives beside the indexes as DEPMOD_CACHE_NAME and is replaced in the same transaction as
 * they are (depmod-commit.c), last, so a cache always describes outputs that were committed.
 * The format (docs/DEPMOD-CACHE.md) is ours and versioned; every byte is checked before use and
 * a cache that fails a check is ignored with a warning, never trusted.
 *
 * Keys are racy the way git's index is: a file changed within the file system's timestamp
 * granularity of being read could keep its key. Files whose mtime or ctime is that close to the
 * run's start are therefore read but not cached (nor trusted for the fingerprint).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "depmod.h"
#include "fileio.h"
#include "strbuf.h"

#define CACHE_MAGIC "LMDCACHE"
/* Bump when the layout or what the parser extracts changes: older caches are then ignored. */
#define CACHE_FORMAT 1u
#define CACHE_BOM 0x01020304u
#define CACHE_MAX (1024u * 1024 * 1024)
/* How close to the run's start a timestamp makes a key untrustworthy (see the header). */
#define RACY_NS (1000000000LL)

struct cache_header {
	char magic[8];
	uint32_t format;
	uint32_t bom;         /* byte order and word size check: written natively */
	uint64_t body_len;
	uint64_t body_hash;   /* cache_hash over the body */
	uint64_t fingerprint;
	uint32_t n_outputs;
	uint32_t n_mods;
	char libver[16];      /* PACKAGE_VERSION: another libmod's parser may extract otherwise */
};

struct cache_output {
	uint64_t ino, size;
	int64_t mtime_sec, mtime_nsec;
};

struct cache_mod {
	struct depmod_key key;
	uint32_t path_len;    /* without the NUL that follows the path */
	uint32_t n_ents;
	uint32_t strs_len;
	uint32_t zero;
};

struct cache_ent {
	uint64_t crc;
	uint32_t off;
	uint8_t kind;
	uint8_t weak;
	uint16_t zero;
};

_Static_assert(sizeof(struct cache_header) == 64, "header layout");
_Static_assert(sizeof(struct cache_output) == 32, "output layout");
_Static_assert(sizeof(struct cache_mod) == 64, "module record layout");
_Static_assert(sizeof(struct cache_ent) == 16, "entry layout");
/* fill_from_record hands cache entries out as depmod_ents */
_Static_assert(sizeof(struct depmod_ent) == sizeof(struct cache_ent) &&
		       offsetof(struct depmod_ent, crc) == offsetof(struct cache_ent, crc) &&
		       offsetof(struct depmod_ent, off) == offsetof(struct cache_ent, off) &&
		       offsetof(struct depmod_ent, kind) == offsetof(struct cache_ent, kind) &&
		       offsetof(struct depmod_ent, weak) == offsetof(struct cache_ent, weak),
	       "a cache entry is a depmod_ent");

/* A loaded cache: the file's bytes and an index from module path to its record. */
struct depmod_cache {
	char *buf;
	size_t len;
	const struct cache_header *hdr;
	const struct cache_output *outputs;
	const struct cache_mod **slots; /* open addressing by path */
	size_t cap;
};

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A fast 64-bit hash over 8-byte words: catches damage, not malice (the dir is root's). */
uint64_t depmod_cache_hash(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15u;
		h ^= h >> 29;
	}
	if (len % 8) {
		uint64_t w = 0;

		memcpy(&w, b + (len & ~(size_t)7), len % 8);
		h = (h ^ w ^ ((uint64_t)len << 56)) * 0x9E3779B97F4A7C15u;
		h ^= h >> 29;
	}
	return h;
}

static uint32_t path_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* ---------------------------------------------------------------------------------------- */
/* Keys and the fingerprint                                                                   */

void depmod_key_from_stat(struct depmod_key *k, const struct stat *st)
{
	*k = (struct depmod_key){
		.size = (uint64_t)st->st_size,
		.ino = (uint64_t)st->st_ino,
		.mtime_sec = st->st_mtim.tv_sec,
		.mtime_nsec = st->st_mtim.tv_nsec,
		.ctime_sec = st->st_ctim.tv_sec,
		.ctime_nsec = st->st_ctim.tv_nsec,
	};
}

static bool key_eq(const struct depmod_key *a, const struct depmod_key *b)
{
	return a->size == b->size && a->ino == b->ino && a->mtime_sec == b->mtime_sec &&
	       a->mtime_nsec == b->mtime_nsec && a->ctime_sec == b->ctime_sec &&
	       a->ctime_nsec == b->ctime_nsec;
}

static bool key_is_racy(const struct mod_depmod *d, const struct depmod_key *k)
{
	int64_t m = k->mtime_sec * 1000000000LL + k->mtime_nsec;
	int64_t c = k->ctime_sec * 1000000000LL + k->ctime_nsec;

	return m > d->run_start_ns - RACY_NS || c > d->run_start_ns - RACY_NS;
}

void depmod_fp_add(struct mod_depmod *d, const void *p, size_t len)
{
	/* the length first, so that ("ab","c") and ("a","bc") differ */
	uint64_t n = len;

	d->fingerprint = depmod_cache_hash(d->fingerprint, &n, sizeof(n));
	d->fingerprint = depmod_cache_hash(d->fingerprint, p, len);
}

void depmod_fp_add_str(struct mod_depmod *d, const char *s)
{
	depmod_fp_add(d, s ? s : "", s ? strlen(s) + 1 : 0);
}

void depmod_fp_add_file(struct mod_depmod *d, const char *path)
{
	struct depmod_key k = { 0 };
	struct stat st;

	depmod_fp_add_str(d, path);
	if (stat(path, &st) == 0) {
		depmod_key_from_stat(&k, &st);
		if (key_is_racy(d, &k))
			d->fingerprint_racy = true;
	}
	depmod_fp_add(d, &k, sizeof(k));
}

/* ---------------------------------------------------------------------------------------- */
/* Reading                                                                                    */

void depmod_cache_free(struct mod_depmod *d)
{
	depmod_cache_release(d->cache);
	d->cache = NULL;
}

static const struct cache_mod **cache_slot(const struct depmod_cache *c, const char *path,
					   size_t len)
{
	size_t i = path_hash(path, len) & (c->cap - 1);

	for (;; i = (i + 1) & (c->cap - 1)) {
		const struct cache_mod *r = c->slots[i];

		if (!r)
			return &c->slots[i];
		if (r->path_len == len && memcmp((const char *)(r + 1), path, len) == 0)
			return &c->slots[i];
	}
}

/* Check one module record at off; its end in *next. NULL (and the reason) when damaged. */
static const struct cache_mod *check_record(const struct depmod_cache *c, size_t off,
					    size_t *next, const char **why)
{
	const struct cache_mod *r;
	const struct cache_ent *ents;
	const char *path, *strs;
	size_t need;

	if (c->len - off < sizeof(*r)) {
		*why = "truncated module record";
		return NULL;
	}
	r = (const struct cache_mod *)(c->buf + off);
	if (r->zero != 0 || r->path_len == 0 || r->path_len > PATH_MAX * 4 ||
	    r->n_ents > c->len / sizeof(*ents) || r->strs_len > c->len) {
		*why = "bad module record size";
		return NULL;
	}
	/* each part is bounded by the file length (at most CACHE_MAX): the sum cannot overflow */
	need = sizeof(*r) + pad8((size_t)r->path_len + 1) + (size_t)r->n_ents * sizeof(*ents) +
	       pad8(r->strs_len);
	if (c->len - off < need) {
		*why = "bad module record size";
		return NULL;
	}
	path = (const char *)(r + 1);
	if (memchr(path, '\0', r->path_len) || path[r->path_len] != '\0') {
		*why = "bad module path";
		return NULL;
	}
	ents = (const struct cache_ent *)(path + pad8((size_t)r->path_len + 1));
	strs = (const char *)(ents + r->n_ents);
	if (r->strs_len > 0 && strs[r->strs_len - 1] != '\0') {
		*why = "unterminated strings";
		return NULL;
	}
	for (uint32_t i = 0; i < r->n_ents; i++) {
		if (ents[i].off >= r->strs_len || ents[i].kind > DEPMOD_ENT_NEED ||
		    ents[i].weak > 1 || ents[i].zero != 0) {
			*why = "bad symbol or modinfo entry";
			return NULL;
		}
	}
	*next = off + need;
	return r;
}

/* Check the whole file and index it; the reason in *why when it cannot be trusted. */
static int cache_index(struct depmod_cache *c, const char **why, bool *is_other_version)
{
	const struct cache_header *h = (const struct cache_header *)c->buf;
	size_t off;

	if (c->len < sizeof(*h) || memcmp(h->magic, CACHE_MAGIC, 8) != 0) {
		*why = "not a libmod depmod cache";
		return -EINVAL;
	}
	if (h->bom != CACHE_BOM) {
		*why = "written on a machine of another byte order";
		return -EINVAL;
	}
	if (h->format != CACHE_FORMAT ||
	    strncmp(h->libver, PACKAGE_VERSION, sizeof(h->libver)) != 0) {
		*is_other_version = true;
		*why = "written by another libmod version";
		return -EINVAL;
	}
	if (h->body_len != c->len - sizeof(*h) || h->n_outputs != DEPMOD_N_OUTPUTS) {
		*why = "truncated or wrong size";
		return -EINVAL;
	}
	if (depmod_cache_hash(0, c->buf + sizeof(*h), c->len - sizeof(*h)) != h->body_hash) {
		*why = "checksum mismatch (damaged)";
		return -EINVAL;
	}
	if (c->len - sizeof(*h) < DEPMOD_N_OUTPUTS * sizeof(struct cache_output) ||
	    h->n_mods > c->len / sizeof(struct cache_mod)) {
		*why = "bad counts";
		return -EINVAL;
	}
	c->hdr = h;
	c->outputs = (const struct cache_output *)(c->buf + sizeof(*h));
	c->cap = 16;
	while (c->cap < (size_t)h->n_mods * 2)
		c->cap *= 2;
	c->slots = calloc(c->cap, sizeof(*c->slots));
	if (!c->slots)
		return -ENOMEM;
	off = sizeof(*h) + DEPMOD_N_OUTPUTS * sizeof(struct cache_output);
	for (uint32_t i = 0; i < h->n_mods; i++) {
		size_t next;
		const struct cache_mod *r = check_record(c, off, &next, why);
		const struct cache_mod **slot;

		if (!r)
			return -EINVAL;
		slot = cache_slot(c, (const char *)(r + 1), r->path_len);
		if (*slot) {
			*why = "a module path recorded twice";
			return -EINVAL;
		}
		*slot = r;
		off = next;
	}
	if (off != c->len) {
		*why = "trailing bytes";
		return -EINVAL;
	}
	return 0;
}

static int cache_path(const struct mod_depmod *d, struct strbuf *sb)
{
	return strbuf_pushf(sb, "%s/" DEPMOD_CACHE_NAME, d->outdirfull);
}

/*
 * Point m at a record's entries and strings where they lie in the cache's buffer (the entry
 * layout is struct depmod_ent's): no copy, and the buffer lives until the run is reset.
 */
static void fill_from_record(struct depmod_mod *m, const struct cache_mod *r)
{
	const char *ents = (const char *)(r + 1) + pad8((size_t)r->path_len + 1);

	m->ents = r->n_ents ? (struct depmod_ent *)ents : NULL;
	m->strs = r->strs_len ? (char *)(ents + (size_t)r->n_ents * sizeof(struct cache_ent)) : NULL;
	m->n_ents = m->ents_cap = r->n_ents;
	m->strs_len = m->strs_cap = r->strs_len;
	m->parsed = true;
	m->from_cache = true;
}

int depmod_cache_parse(char *buf, size_t len, struct depmod_cache **ret, const char **why,
		       bool *is_other_version)
{
	struct depmod_cache *c = calloc(1, sizeof(*c));
	int r;

	*is_other_version = false;
	*why = NULL;
	if (!c) {
		free(buf);
		return -ENOMEM;
	}
	c->buf = buf;
	c->len = len;
	r = cache_index(c, why, is_other_version);
	if (r < 0) {
		depmod_cache_release(c);
		return r;
	}
	*ret = c;
	return 0;
}

void depmod_cache_release(struct depmod_cache *c)
{
	if (!c)
		return;
	free(c->buf);
	free(c->slots);
	free(c);
}

size_t depmod_cache_count(const struct depmod_cache *c)
{
	return c->hdr->n_mods;
}

/* The record of module path rel, or NULL; its key in *key and its entries in m. */
bool depmod_cache_find(const struct depmod_cache *c, const char *rel, struct depmod_key *key,
		       struct depmod_mod *m)
{
	const struct cache_mod *r = *cache_slot(c, rel, strlen(rel));

	if (!r)
		return false;
	*key = r->key;
	fill_from_record(m, r);
	return true;
}

void depmod_cache_load(struct mod_depmod *d)
{
	struct strbuf sb;
	const char *why = NULL;
	bool other_version = false;
	char *buf = NULL;
	size_t len = 0;
	int r;

	depmod_cache_free(d);
	if (d->cache_flags & MOD_DEPMOD_CACHE_NO_READ)
		return;
	strbuf_init(&sb, NULL, 0, PATH_MAX * 4);
	r = cache_path(d, &sb);
	if (r >= 0)
		r = read_file_all(strbuf_str(&sb), CACHE_MAX, &buf, &len);
	if (r == -ENOENT) {
		DBG(d->ctx, "no cache at %s\n", strbuf_str(&sb));
		goto out;
	}
	if (r < 0) {
		errno = -r;
		WARN(d->ctx, "ignoring the depmod cache %s: %m\n", strbuf_str(&sb));
		goto out;
	}
	r = depmod_cache_parse(buf, len, &d->cache, &why, &other_version);
	if (r < 0 && r != -ENOMEM) {
		/* after an upgrade this is expected: not worth a warning */
		if (other_version)
			INFO(d->ctx, "ignoring the depmod cache %s: %s\n", strbuf_str(&sb), why);
		else
			WARN(d->ctx, "ignoring the depmod cache %s: %s\n", strbuf_str(&sb), why);
	}
out:
	strbuf_release(&sb);
}

int depmod_cache_apply(struct mod_depmod *d)
{
	d->n_cache_hits = 0;
	for (size_t i = 0; i < d->n_mods; i++) {
		struct depmod_mod *m = d->mods[i];
		const struct cache_mod *r;
		struct stat st;

		/* the key is taken before the file is read (the scan took most): a change after
		 * that is a miss next time */
		if (!m->has_key) {
			if (stat(m->path, &st) < 0)
				continue;
			depmod_key_from_stat(&m->key, &st);
			m->has_key = true;
		}
		if (!d->cache || key_is_racy(d, &m->key))
			continue;
		r = *cache_slot(d->cache, m->relpath, strlen(m->relpath));
		if (!r || !key_eq(&r->key, &m->key))
			continue;
		fill_from_record(m, r);
		d->n_cache_hits++;
	}
	INFO(d->ctx, "depmod cache: %zu of %zu modules known, %zu to read\n", d->n_cache_hits,
	     d->n_mods, d->n_mods - d->n_cache_hits);
	return 0;
}

static bool output_matches(const struct cache_output *o, const struct stat *st)
{
	return o->ino == (uint64_t)st->st_ino && o->size == (uint64_t)st->st_size &&
	       o->mtime_sec == st->st_mtim.tv_sec && o->mtime_nsec == st->st_mtim.tv_nsec;
}

bool depmod_cache_outputs_current(struct mod_depmod *d)
{
	static const char *const names[DEPMOD_N_OUTPUTS] = {
		"modules.dep", "modules.dep.bin", "modules.alias", "modules.alias.bin",
		"modules.softdep", "modules.weakdep", "modules.symbols", "modules.symbols.bin",
		"modules.builtin.bin", "modules.builtin.alias.bin", "modules.devname",
	};
	int dfd;
	bool ok = true;

	if (!d->cache || d->fingerprint_racy || d->n_cache_hits != d->n_mods ||
	    d->cache->hdr->fingerprint == 0 || d->cache->hdr->fingerprint != d->fingerprint ||
	    depmod_commit_pending(d))
		return false;
	dfd = open(d->outdirfull, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return false;
	for (size_t i = 0; i < DEPMOD_N_OUTPUTS && ok; i++) {
		struct stat st;

		ok = fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		     output_matches(&d->cache->outputs[i], &st);
	}
	close(dfd);
	return ok;
}

/* ---------------------------------------------------------------------------------------- */
/* Writing                                                                                    */

/* The body goes out through a wbuf, hashed on the way; the header is written last. */
struct cache_writer {
	struct wbuf w;
	uint64_t hash;
	uint64_t len;
};

static void cw_put(struct cache_writer *cw, const void *p, size_t len)
{
	static const char zeros[8];
	size_t padded = pad8(len);

	/* every piece is padded to 8 bytes, so hashing piecewise equals hashing the body */
	cw->hash = depmod_cache_hash(cw->hash, p, len & ~(size_t)7);
	if (len % 8) {
		char tail[8] = { 0 };

		memcpy(tail, (const char *)p + (len & ~(size_t)7), len % 8);
		cw->hash = depmod_cache_hash(cw->hash, tail, 8);
	}
	wbuf_put(&cw->w, p, len);
	wbuf_put(&cw->w, zeros, padded - len);
	cw->len += padded;
}

static bool is_cacheable(const struct mod_depmod *d, const struct depmod_mod *m)
{
	return m->has_key && m->parsed && !m->parse_failed && !key_is_racy(d, &m->key) &&
	       strlen(m->relpath) <= PATH_MAX * 4;
}

int depmod_cache_write(struct mod_depmod *d, int fd)
{
	struct cache_writer *cw = malloc(sizeof(*cw));
	struct cache_header h = { .magic = CACHE_MAGIC };
	int r;

	if (!cw)
		return -ENOMEM;
	wbuf_init(&cw->w, fd);
	cw->hash = 0;
	cw->len = 0;
	h.format = CACHE_FORMAT;
	h.bom = CACHE_BOM;
	h.n_outputs = DEPMOD_N_OUTPUTS;
	/*
	 * 0 never matches: a racy input must not let the next run skip its writes, nor may a run
	 * whose outputs came with warnings (the next run must say them again, as kmod would)
	 */
	h.fingerprint = d->fingerprint_racy || d->n_gen_msgs ? 0 : d->fingerprint;
	snprintf(h.libver, sizeof(h.libver), "%s", PACKAGE_VERSION);
	/* the header's place; rewritten once the body's hash is known */
	wbuf_put(&cw->w, &h, sizeof(h));
	for (size_t i = 0; i < DEPMOD_N_OUTPUTS; i++) {
		const struct stat *st = &d->out_st[i];
		struct cache_output o = {
			.ino = (uint64_t)st->st_ino,
			.size = (uint64_t)st->st_size,
			.mtime_sec = st->st_mtim.tv_sec,
			.mtime_nsec = st->st_mtim.tv_nsec,
		};

		cw_put(cw, &o, sizeof(o));
	}
	for (size_t i = 0; i < d->n_mods; i++) {
		const struct depmod_mod *m = d->mods[i];
		struct cache_mod rec = { 0 };

		if (!is_cacheable(d, m))
			continue;
		rec.key = m->key;
		rec.path_len = (uint32_t)strlen(m->relpath);
		rec.n_ents = (uint32_t)m->n_ents;
		rec.strs_len = (uint32_t)m->strs_len;
		cw_put(cw, &rec, sizeof(rec));
		cw_put(cw, m->relpath, rec.path_len + 1);
		for (size_t e = 0; e < m->n_ents; e++) {
			struct cache_ent ce = {
				.crc = m->ents[e].crc,
				.off = m->ents[e].off,
				.kind = m->ents[e].kind,
				.weak = m->ents[e].weak,
			};

			cw_put(cw, &ce, sizeof(ce));
		}
		if (m->strs_len)
			cw_put(cw, m->strs, m->strs_len);
		h.n_mods++;
	}
	r = wbuf_flush(&cw->w);
	h.body_len = cw->len;
	h.body_hash = cw->hash;
	if (r >= 0) {
		ssize_t n = pwrite(fd, &h, sizeof(h), 0);

		if (n < 0)
			r = -errno;
		else if (n != (ssize_t)sizeof(h))
			r = -EIO;
	}
	free(cw);
	return r;
}
