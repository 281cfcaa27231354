/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod: read every module once, on a pool of threads. Each worker takes the next module slot,
 * opens (and decompresses) the file, keeps only the strings depmod needs (aliases, softdeps,
 * weakdeps, exported and needed symbols) in a per-module arena, and drops the image at once so
 * that peak memory stays at about one image per thread. Results live in the module's own slot,
 * so the output does not depend on the thread count or on scheduling.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "depmod.h"
#include "elf-private.h"

#define DEPMOD_MAX_THREADS 64
#define DEPMOD_STRS_MAX (256u * 1024 * 1024)

int depmod_mod_add_ent(struct depmod_mod *m, enum depmod_ent_kind kind, const char *s,
		       size_t len, uint64_t crc, bool weak)
{
	size_t need;

	if (add_overflows(m->strs_len, len + 1, &need) || need > DEPMOD_STRS_MAX)
		return -E2BIG;
	if (need > m->strs_cap) {
		size_t cap = m->strs_cap ? m->strs_cap : 256;
		char *ns;

		while (cap < need)
			cap *= 2;
		ns = realloc(m->strs, cap);
		if (!ns)
			return -ENOMEM;
		m->strs = ns;
		m->strs_cap = cap;
	}
	if (m->n_ents == m->ents_cap) {
		size_t cap = m->ents_cap ? m->ents_cap * 2 : 16;
		struct depmod_ent *ne = realloc(m->ents, cap * sizeof(*ne));

		if (!ne)
			return -ENOMEM;
		m->ents = ne;
		m->ents_cap = cap;
	}
	memcpy(m->strs + m->strs_len, s, len);
	m->strs[m->strs_len + len] = '\0';
	m->ents[m->n_ents++] = (struct depmod_ent){
		.crc = crc,
		.off = (uint32_t)m->strs_len,
		.kind = (uint8_t)kind,
		.weak = weak,
	};
	m->strs_len = need;
	return 0;
}

static bool key_is(const char *key, size_t keylen, const char *want)
{
	return strlen(want) == keylen && memcmp(key, want, keylen) == 0;
}

int depmod_parse_image(struct mod_ctx *ctx, struct mod_image *img, struct depmod_mod *m)
{
	struct mod_elf *elf = NULL;
	size_t cur;
	int r, it;

	r = mod_elf_new_from_image(img, &elf);
	if (r < 0)
		return r;

	cur = 0;
	for (;;) {
		const char *key, *value;
		size_t keylen;
		enum depmod_ent_kind kind;

		it = mod_elf_modinfo_next(elf, &cur, &key, &keylen, &value);
		if (it != 0)
			break;
		if (key_is(key, keylen, "alias"))
			kind = DEPMOD_ENT_ALIAS;
		else if (key_is(key, keylen, "softdep"))
			kind = DEPMOD_ENT_SOFTDEP;
		else if (key_is(key, keylen, "weakdep"))
			kind = DEPMOD_ENT_WEAKDEP;
		else
			continue;
		r = depmod_mod_add_ent(m, kind, value, strlen(value), 0, false);
		if (r < 0)
			goto out;
	}
	if (it < 0) {
		r = it;
		goto out;
	}

	cur = 0;
	for (;;) {
		const char *sym;
		uint64_t crc;

		it = mod_elf_exports_next(elf, &cur, &sym, &crc);
		if (it != 0)
			break;
		r = depmod_mod_add_ent(m, DEPMOD_ENT_EXPORT, sym, strlen(sym), crc, false);
		if (r < 0)
			goto out;
	}
	if (it < 0) {
		r = it;
		goto out;
	}

	cur = 0;
	for (;;) {
		const char *sym;
		enum mod_symbol_bind bind;
		uint64_t crc;

		it = mod_elf_undefined_next(elf, &cur, &sym, &bind, &crc);
		if (it != 0)
			break;
		r = depmod_mod_add_ent(m, DEPMOD_ENT_NEED, sym, strlen(sym), crc,
				       bind == MOD_SYMBOL_WEAK);
		if (r < 0)
			goto out;
	}
	r = it < 0 ? it : 0;
out:
	mod_elf_unref(elf);
	return r;
}

struct pool {
	struct mod_depmod *d;
	size_t *todo;  /* module indexes to read, largest file first */
	size_t n_todo;
	size_t next;   /* atomic */
	int error;     /* atomic: first fatal error (ENOMEM) */
};

/*
 * Each reader's buffer for whole module files: 99% of Debian's plain modules (and more of the
 * compressed ones) fit in 1 MiB; larger ones are mapped.
 */
#define READ_BUF_SIZE (1024u * 1024)

static void parse_one(struct mod_ctx *ctx, struct depmod_mod *m, uint8_t *buf)
{
	struct mod_image *img = NULL;
	int r;

	r = buf ? mod_image_open_buffered(ctx, m->path, buf, READ_BUF_SIZE, &img)
		: mod_image_open(ctx, m->path, &img);
	if (r >= 0) {
		r = depmod_parse_image(ctx, img, m);
		mod_image_unref(img);
	}
	if (r < 0) {
		/* kmod keeps the module, with no info, and goes on */
		ERR(ctx, "failed to read %s: %s\n", m->path, strerror(-r));
		m->parse_failed = true;
		free(m->strs);
		free(m->ents);
		m->strs = NULL;
		m->ents = NULL;
		m->strs_len = m->n_ents = 0;
		m->strs_cap = m->ents_cap = 0;
	} else {
		/* give back the arena's slack: thousands of modules stay in memory */
		char *ns = m->strs_len ? realloc(m->strs, m->strs_len) : NULL;
		struct depmod_ent *ne = m->n_ents ? realloc(m->ents, m->n_ents * sizeof(*ne)) : NULL;

		if (ns)
			m->strs = ns;
		if (ne)
			m->ents = ne;
	}
	m->parsed = true;
}

/*
 * Workers get a private context: context reference counts are not atomic, and images and ELF
 * handles take references. The log settings are copied so messages look the same.
 */
static struct mod_ctx *worker_ctx(struct mod_depmod *d)
{
	static const char *const no_config[] = { NULL };
	struct mod_ctx *c = NULL;

	if (mod_ctx_new(d->indir, no_config, &c) < 0)
		return NULL;
	c->log_fn = d->ctx->log_fn;
	c->log_data = d->ctx->log_data;
	c->log_priority = d->ctx->log_priority;
	c->sys = d->ctx->sys;
	c->sys_data = d->ctx->sys_data;
	return c;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct mod_depmod *d = p->d;
	struct mod_ctx *c = worker_ctx(d);
	uint8_t *buf = malloc(READ_BUF_SIZE); /* NULL: map every file */

	if (!c) {
		free(buf);
		__atomic_store_n(&p->error, -ENOMEM, __ATOMIC_RELAXED);
		return NULL;
	}
	for (;;) {
		size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);

		if (i >= p->n_todo)
			break;
		parse_one(c, d->mods[p->todo[i]], buf);
	}
	free(buf);
	mod_ctx_unref(c);
	return NULL;
}

struct sized {
	off_t size;
	size_t idx;
};

static int cmp_larger_first(const void *a, const void *b)
{
	const struct sized *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * The modules still to read (those the cache did not know), in the order workers take them:
 * largest file first, so that the slowest decompressions start early and no thread is left alone
 * with a big module at the end (longest-processing-time scheduling). Output does not depend on
 * it: results land in each module's own slot.
 */
static int schedule_largest_first(const struct mod_depmod *d, size_t **ret, size_t *n_ret)
{
	struct sized *sz = calloc(d->n_mods ? d->n_mods : 1, sizeof(*sz));
	size_t *todo, n = 0;

	if (!sz)
		return -ENOMEM;
	for (size_t i = 0; i < d->n_mods; i++) {
		const struct depmod_mod *m = d->mods[i];

		if (m->parsed)
			continue;
		sz[n].idx = i;
		/* the size in the key was taken just before; a stat here otherwise */
		if (m->has_key) {
			sz[n].size = (off_t)m->key.size;
		} else {
			struct stat st;

			sz[n].size = stat(m->path, &st) == 0 ? st.st_size : 0;
		}
		n++;
	}
	qsort(sz, n, sizeof(*sz), cmp_larger_first);
	todo = malloc((n ? n : 1) * sizeof(*todo));
	if (!todo) {
		free(sz);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		todo[i] = sz[i].idx;
	free(sz);
	*ret = todo;
	*n_ret = n;
	return 0;
}

int depmod_parse_all(struct mod_depmod *d)
{
	pthread_t tids[DEPMOD_MAX_THREADS];
	struct pool p = { .d = d };
	size_t nthreads = d->threads;
	size_t started = 0;
	int r;

	r = schedule_largest_first(d, &p.todo, &p.n_todo);
	if (r < 0)
		return r;
	if (nthreads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		nthreads = n > 0 ? (size_t)n : 1;
	}
	if (nthreads > DEPMOD_MAX_THREADS)
		nthreads = DEPMOD_MAX_THREADS;
	if (nthreads > p.n_todo)
		nthreads = p.n_todo;

	if (nthreads <= 1) {
		/* array order, as before the cache: messages come out in the modules' order */
		uint8_t *buf = malloc(READ_BUF_SIZE);

		for (size_t i = 0; i < d->n_mods; i++)
			if (!d->mods[i]->parsed)
				parse_one(d->ctx, d->mods[i], buf);
		free(buf);
		free(p.todo);
		return 0;
	}
	for (size_t t = 0; t < nthreads; t++) {
		if (pthread_create(&tids[t], NULL, worker, &p) != 0)
			break;
		started++;
	}
	if (started == 0)
		worker(&p);
	for (size_t t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	free(p.todo);
	if (p.error < 0)
		return p.error;
	/* a worker that could not start leaves its slots; finish them here */
	for (size_t i = 0; i < d->n_mods; i++)
		if (!d->mods[i]->parsed)
			parse_one(d->ctx, d->mods[i], NULL);
	return 0;
}
