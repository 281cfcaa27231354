/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod: the symbol table (kernel symbols from Module.symvers or System.map, then every
 * module's exports in array order, the last owner winning), dependency resolution, the
 * LIFO-Kahn ordering kmod uses for modules.dep (cycles are reported by depmod-cycles.c)
 * and dependency closures.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depmod.h"
#include "strbuf.h"

#define KSYM_FILE_MAX (256u * 1024 * 1024)

/*
 * Paul Hsieh's SuperFastHash as kmod's hash table computes it (16-bit reads in host
 * byte order). Only its low bits matter: they give modules.symbols its order.
 */
uint32_t depmod_hash_superfast(const char *key, size_t len)
{
	uint32_t tmp, hash = (uint32_t)len;
	size_t rem = len & 3;
	uint16_t a, b;

	for (len /= 4; len > 0; len--) {
		memcpy(&a, key, 2);
		memcpy(&b, key + 2, 2);
		hash += a;
		tmp = ((uint32_t)b << 11) ^ hash;
		hash = (hash << 16) ^ tmp;
		key += 4;
		hash += hash >> 11;
	}
	switch (rem) {
	case 3:
		memcpy(&a, key, 2);
		hash += a;
		hash ^= hash << 16;
		hash ^= (uint32_t)((int32_t)(signed char)key[2] * (1 << 18));
		hash += hash >> 11;
		break;
	case 2:
		memcpy(&a, key, 2);
		hash += a;
		hash ^= hash << 11;
		hash += hash >> 17;
		break;
	case 1:
		hash += (uint32_t)(int32_t)(signed char)*key;
		hash ^= hash << 10;
		hash += hash >> 1;
		break;
	}
	hash ^= hash << 3;
	hash += hash >> 5;
	hash ^= hash << 4;
	hash += hash >> 17;
	hash ^= hash << 25;
	hash += hash >> 6;
	return hash;
}

/* ---------------------------------------------------------------------------------------- */
/* Symbol table                                                                               */

static struct depmod_sym *sym_slot(struct depmod_sym *tab, size_t cap, const char *name,
				   uint32_t hash)
{
	size_t i = hash & (cap - 1);

	while (tab[i].name) {
		if (tab[i].hash == hash && streq(tab[i].name, name))
			return &tab[i];
		i = (i + 1) & (cap - 1);
	}
	return &tab[i];
}

static int syms_grow(struct mod_depmod *d)
{
	size_t ncap = d->syms_cap ? d->syms_cap * 2 : 16384;
	struct depmod_sym *nt = calloc(ncap, sizeof(*nt));

	if (!nt)
		return -ENOMEM;
	for (size_t i = 0; i < d->syms_cap; i++) {
		if (d->syms[i].name)
			*sym_slot(nt, ncap, d->syms[i].name, d->syms[i].hash) = d->syms[i];
	}
	free(d->syms);
	d->syms = nt;
	d->syms_cap = ncap;
	return 0;
}

/* Add or replace: a later owner takes the symbol over, as in kmod. */
static int sym_add(struct mod_depmod *d, const char *name, uint64_t crc, int32_t owner)
{
	struct depmod_sym *s;
	uint32_t h;

	if ((d->n_syms + 1) * 2 > d->syms_cap) {
		int r = syms_grow(d);

		if (r < 0)
			return r;
	}
	h = depmod_hash_superfast(name, strlen(name));
	s = sym_slot(d->syms, d->syms_cap, name, h);
	if (!s->name)
		d->n_syms++;
	*s = (struct depmod_sym){ .name = name, .crc = crc, .hash = h, .owner = owner };
	return 0;
}

const struct depmod_sym *depmod_sym_find(const struct mod_depmod *d, const char *name)
{
	const struct depmod_sym *s;

	if (name[0] == '.') /* PPC64: .foo is foo */
		name++;
	if (d->sym_prefix && name[0] == d->sym_prefix)
		name++;
	if (!d->syms_cap)
		return NULL;
	s = sym_slot(d->syms, d->syms_cap, name, depmod_hash_superfast(name, strlen(name)));
	return s->name ? s : NULL;
}

/* Kernel symbol names are copied into one arena; entries keep offsets until it stops moving. */
static int kstr_add(struct mod_depmod *d, const char *s, size_t *off)
{
	size_t len = strlen(s) + 1, need;

	if (add_overflows(d->kstrs_len, len, &need) || need > KSYM_FILE_MAX)
		return -E2BIG;
	if (need > d->kstrs_cap) {
		size_t cap = d->kstrs_cap ? d->kstrs_cap : 65536;
		char *n;

		while (cap < need)
			cap *= 2;
		n = realloc(d->kstrs, cap);
		if (!n)
			return -ENOMEM;
		d->kstrs = n;
		d->kstrs_cap = cap;
	}
	memcpy(d->kstrs + d->kstrs_len, s, len);
	*off = d->kstrs_len;
	d->kstrs_len = need;
	return 0;
}

struct koff {
	size_t off;
	uint64_t crc;
};

static int koff_push(struct mod_depmod *d, struct koff **v, size_t *n, size_t *cap,
		     const char *name, uint64_t crc)
{
	size_t off;
	int r = kstr_add(d, name, &off);

	if (r < 0)
		return r;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct koff *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = (struct koff){ off, crc };
	return 0;
}

static char *next_tok(char **p)
{
	char *s = *p, *e;

	s += strspn(s, " \t");
	if (!*s)
		return NULL;
	e = s + strcspn(s, " \t");
	if (*e)
		*e++ = '\0';
	*p = e;
	return s;
}

static int load_ksyms_file(struct mod_depmod *d, const char *path, bool symvers,
			   struct koff **v, size_t *n, size_t *cap)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t linesz = 0;
	unsigned int lineno = 0;
	int r = 0;

	if (!f) {
		r = -errno;
		ERR(d->ctx, "could not open %s: %m\n", path);
		return r;
	}
	while (r >= 0 && getline(&line, &linesz, f) > 0) {
		char *p = line, *nl = strchr(line, '\n');

		lineno++;
		if (nl)
			*nl = '\0';
		if (symvers) {
			char *ver = next_tok(&p), *sym = next_tok(&p), *where = next_tok(&p);
			char *end;
			uint64_t crc;

			if (!ver || !sym || !where || !streq(where, "vmlinux"))
				continue;
			errno = 0;
			crc = strtoull(ver, &end, 16);
			if (*end != '\0' || errno) {
				ERR(d->ctx, "%s:%u Invalid symbol version %s\n", path, lineno, ver);
				continue;
			}
			if (d->sym_prefix && sym[0] == d->sym_prefix)
				sym++;
			r = koff_push(d, v, n, cap, sym, crc);
		} else {
			/* "<addr> <type> <name>": kernel exports appear as __ksymtab_<name> */
			char *q = strchr(p, ' ');

			if (q)
				q = strchr(q + 1, ' ');
			if (!q) {
				ERR(d->ctx, "%s:%u: invalid line: %s\n", path, lineno, line);
				continue;
			}
			q++;
			if (d->sym_prefix && q[0] == d->sym_prefix)
				q++;
			if (strncmp(q, "__ksymtab_", 10) != 0)
				continue;
			r = koff_push(d, v, n, cap, q + 10, 0);
		}
	}
	free(line);
	fclose(f);
	return r;
}

int depmod_load_kernel_symbols(struct mod_depmod *d)
{
	static const char *const fake[] = { "__this_module", "_GLOBAL_OFFSET_TABLE_", "TOC." };
	struct koff *v = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	if (d->symvers)
		r = load_ksyms_file(d, d->symvers, true, &v, &n, &cap);
	else if (d->system_map)
		r = load_ksyms_file(d, d->system_map, false, &v, &n, &cap);
	else
		return 0;
	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(fake); i++)
		r = koff_push(d, &v, &n, &cap, fake[i], 0);
	/* the arena no longer moves: hand the names to the table */
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = sym_add(d, d->kstrs + v[i].off, v[i].crc, -1);
	free(v);
	if (r < 0)
		return r;
	d->have_kernel_syms = true;
	d->check_symvers = d->symvers != NULL;
	return 0;
}

int depmod_build_symbols(struct mod_depmod *d)
{
	for (size_t i = 0; i < d->n_mods; i++) {
		const struct depmod_mod *m = d->mods[i];

		for (size_t e = 0; e < m->n_ents; e++) {
			const struct depmod_ent *ent = &m->ents[e];
			const char *name;
			int r;

			if (ent->kind != DEPMOD_ENT_EXPORT)
				continue;
			name = depmod_ent_str(m, ent);
			if (d->sym_prefix && name[0] == d->sym_prefix)
				name++;
			r = sym_add(d, name, ent->crc, (int32_t)i);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Dependencies                                                                               */

static int add_dep(struct mod_depmod *d, size_t idx, const struct depmod_sym *sym)
{
	struct depmod_mod *m = d->mods[idx];
	uint32_t *nv;

	if (sym->owner < 0)
		return 0;
	for (size_t i = 0; i < m->n_deps; i++)
		if (m->deps[i] == (uint32_t)sym->owner)
			return 0;
	nv = realloc(m->deps, (m->n_deps + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	m->deps = nv;
	m->deps[m->n_deps++] = (uint32_t)sym->owner;
	d->mods[sym->owner]->users++;
	if (d->edge_fn)
		d->edge_fn(m->path, sym->name, d->mods[sym->owner]->path, d->edge_data);
	return 0;
}

int depmod_resolve(struct mod_depmod *d)
{
	bool print_unknown = (d->flags & MOD_DEPMOD_ERRSYMS) && d->have_kernel_syms;

	for (size_t i = 0; i < d->n_mods; i++) {
		const struct depmod_mod *m = d->mods[i];

		for (size_t e = 0; e < m->n_ents; e++) {
			const struct depmod_ent *ent = &m->ents[e];
			const struct depmod_sym *sym;
			const char *name;
			int r;

			if (ent->kind != DEPMOD_ENT_NEED)
				continue;
			name = depmod_ent_str(m, ent);
			sym = depmod_sym_find(d, name);
			if (!sym) {
				if (print_unknown && !ent->weak)
					WARN(d->ctx, "%s needs unknown symbol %s\n", m->path, name);
				continue;
			}
			if (d->check_symvers && sym->crc != ent->crc && !ent->weak && print_unknown)
				WARN(d->ctx, "%s disagrees about version of symbol %s\n", m->path,
				     name);
			r = add_dep(d, i, sym);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int depmod_sort_deps(struct mod_depmod *d)
{
	size_t n = d->n_mods, top = 0, sorted = 0;
	size_t *users = malloc((n ? n : 1) * sizeof(*users));
	uint32_t *stack = malloc((n ? n : 1) * sizeof(*stack));
	int r = 0;

	if (!users || !stack) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		users[i] = d->mods[i]->users;
		d->mods[i]->sort_idx = SIZE_MAX;
		if (users[i] == 0)
			stack[top++] = (uint32_t)i;
	}
	while (top > 0) {
		struct depmod_mod *m = d->mods[stack[--top]];

		m->sort_idx = sorted++;
		for (size_t k = 0; k < m->n_deps; k++) {
			uint32_t dep = m->deps[k];

			if (--users[dep] == 0)
				stack[top++] = dep;
		}
	}
	if (sorted < n) {
		r = depmod_report_cycles(d);
		if (r >= 0)
			r = -ELOOP;
	}
out:
	free(users);
	free(stack);
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int depmod_closure(const struct mod_depmod *d, size_t idx, struct depmod_closure *c)
{
	size_t top = 0;

	if (!c->stamp) {
		size_t n = d->n_mods ? d->n_mods : 1;

		c->stamp = calloc(n, sizeof(*c->stamp));
		c->stack = malloc(n * sizeof(*c->stack));
		c->keys = malloc(n * sizeof(*c->keys));
		c->out = malloc(n * sizeof(*c->out));
		if (!c->stamp || !c->stack || !c->keys || !c->out)
			return -ENOMEM;
	}
	c->gen++;
	c->n = 0;
	c->stamp[idx] = c->gen;
	c->stack[top++] = (uint32_t)idx;
	while (top > 0) {
		const struct depmod_mod *m = d->mods[c->stack[--top]];

		for (size_t k = 0; k < m->n_deps; k++) {
			uint32_t dep = m->deps[k];

			if (c->stamp[dep] == c->gen)
				continue;
			c->stamp[dep] = c->gen;
			c->keys[c->n++] = ((uint64_t)d->mods[dep]->sort_idx << 32) | dep;
			c->stack[top++] = dep;
		}
	}
	qsort(c->keys, c->n, sizeof(*c->keys), cmp_u64);
	for (size_t i = 0; i < c->n; i++)
		c->out[i] = (uint32_t)(c->keys[i] & 0xffffffffu);
	return 0;
}

void depmod_closure_release(struct depmod_closure *c)
{
	free(c->stamp);
	free(c->stack);
	free(c->keys);
	free(c->out);
	*c = (struct depmod_closure){ 0 };
}
