/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod: the output files, in kmod's order and formats. On disk they are replaced as
 * one transaction (depmod-commit.c); with a dry-run fd the text files go to it one after
 * another and nothing touches the disk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "depmod.h"
#include "fileio.h"
#include "strbuf.h"

#define BUILTIN_FILE_MAX (64u * 1024 * 1024)

/* A growable text buffer: outputs are built in memory, then written in one go. */
struct tbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void tb_put(struct tbuf *t, const char *s, size_t n)
{
	size_t need;

	if (t->failed)
		return;
	if (add_overflows(t->len, n, &need)) {
		t->failed = true;
		return;
	}
	if (need > t->cap) {
		size_t cap = t->cap ? t->cap : 65536;
		char *np;

		while (cap < need)
			cap *= 2;
		np = realloc(t->p, cap);
		if (!np) {
			t->failed = true;
			return;
		}
		t->p = np;
		t->cap = cap;
	}
	memcpy(t->p + t->len, s, n);
	t->len = need;
}

static void tb_puts(struct tbuf *t, const char *s)
{
	tb_put(t, s, strlen(s));
}

/*
 * A message while generating the outputs: counted, so that the cache does not let the next run
 * skip its writes, and with them the message (depmod-cache.c).
 */
#define GEN_WARN(d, ...)                      \
	do {                                  \
		(d)->n_gen_msgs++;            \
		WARN((d)->ctx, __VA_ARGS__);  \
	} while (0)
#define GEN_ERR(d, ...)                       \
	do {                                  \
		(d)->n_gen_msgs++;            \
		ERR((d)->ctx, __VA_ARGS__);   \
	} while (0)

/* ---------------------------------------------------------------------------------------- */
/* Builders                                                                                   */

static int add_index(struct mod_depmod *d, struct mod_index_builder *b, const char *what,
		     const char *key, const char *value, unsigned int prio)
{
	int r = mod_index_builder_add(b, key, value, prio);

	if (r == 1) {
		if (d->flags & MOD_DEPMOD_WARN_DUPS)
			GEN_WARN(d, "duplicate module %s:\n%s %s\n", what, key, value);
		return 0;
	}
	if (r == -EINVAL)
		GEN_ERR(d, "Module index: entry too long for the index format:\n%.64s... %.64s...\n",
		    key, value);
	return r;
}

static int gen_dep(struct mod_depmod *d, struct tbuf *t, struct mod_index_builder *b)
{
	struct depmod_closure c = { 0 };
	struct tbuf line = { 0 };
	int r = 0;

	for (size_t i = 0; i < d->n_mods && r >= 0; i++) {
		const struct depmod_mod *m = d->mods[i];

		r = depmod_closure(d, i, &c);
		if (r < 0)
			break;
		line.len = 0;
		tb_puts(&line, m->relpath);
		tb_put(&line, ":", 1);
		for (size_t k = 0; k < c.n; k++) {
			tb_put(&line, " ", 1);
			tb_puts(&line, d->mods[c.out[k]]->relpath);
		}
		if (t) {
			tb_put(t, line.p, line.len);
			tb_put(t, "\n", 1);
		}
		tb_put(&line, "", 1);
		if (line.failed) {
			r = -ENOMEM;
			break;
		}
		if (b)
			r = add_index(d, b, "deps", m->name, line.p, (unsigned int)i);
	}
	free(line.p);
	depmod_closure_release(&c);
	return r;
}

/* modules.alias / .softdep / .weakdep: "<word> <a> <b>" per entry of one kind. */
static void gen_kind(struct mod_depmod *d, struct tbuf *t, enum depmod_ent_kind kind,
		     const char *header, const char *word)
{
	tb_puts(t, header);
	for (size_t i = 0; i < d->n_mods; i++) {
		const struct depmod_mod *m = d->mods[i];

		for (size_t e = 0; e < m->n_ents; e++) {
			const char *v;

			if (m->ents[e].kind != kind)
				continue;
			v = depmod_ent_str(m, &m->ents[e]);
			tb_puts(t, word);
			tb_put(t, " ", 1);
			/* modules.alias is "alias <alias> <mod>", the others "<w> <mod> <value>" */
			tb_puts(t, kind == DEPMOD_ENT_ALIAS ? v : m->name);
			tb_put(t, " ", 1);
			tb_puts(t, kind == DEPMOD_ENT_ALIAS ? m->name : v);
			tb_put(t, "\n", 1);
		}
	}
}

static int gen_alias_bin(struct mod_depmod *d, struct mod_index_builder *b)
{
	char alias[PATH_MAX];

	for (size_t i = 0; i < d->n_mods; i++) {
		const struct depmod_mod *m = d->mods[i];

		for (size_t e = 0; e < m->n_ents; e++) {
			const char *v;
			int r;

			if (m->ents[e].kind != DEPMOD_ENT_ALIAS)
				continue;
			v = depmod_ent_str(m, &m->ents[e]);
			r = mod_alias_normalize(v, alias, sizeof(alias));
			if (r < 0) {
				GEN_WARN(d, "Unmatched bracket in %s\n", v);
				continue;
			}
			r = add_index(d, b, "alias", alias, m->name, (unsigned int)i);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

struct symref {
	const struct depmod_sym *sym;
	uint32_t bucket;
};

/* kmod's hash-table order: 2048 buckets of SuperFastHash, strcmp inside a bucket. */
static int cmp_symref(const void *a, const void *b)
{
	const struct symref *x = a, *y = b;

	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	return strcmp(x->sym->name, y->sym->name);
}

static int gen_symbols(struct mod_depmod *d, struct tbuf *t, struct mod_index_builder *b)
{
	struct symref *v = malloc((d->n_syms ? d->n_syms : 1) * sizeof(*v));
	struct strbuf key;
	size_t n = 0;
	int r = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < d->syms_cap; i++) {
		const struct depmod_sym *s = &d->syms[i];

		if (s->name && s->owner >= 0)
			v[n++] = (struct symref){ s, s->hash & 2047 };
	}
	qsort(v, n, sizeof(*v), cmp_symref);
	strbuf_init(&key, NULL, 0, 0);
	if (t)
		tb_puts(t, "# Aliases for symbols, used by symbol_request().\n");
	for (size_t i = 0; i < n && r >= 0; i++) {
		const struct depmod_mod *owner = d->mods[v[i].sym->owner];

		if (t) {
			tb_puts(t, "alias symbol:");
			tb_puts(t, v[i].sym->name);
			tb_put(t, " ", 1);
			tb_puts(t, owner->name);
			tb_put(t, "\n", 1);
		}
		if (b) {
			strbuf_clear(&key);
			if (strbuf_pushstr(&key, "symbol:") < 0 ||
			    strbuf_pushstr(&key, v[i].sym->name) < 0) {
				r = -ENOMEM;
				break;
			}
			r = add_index(d, b, "syms", strbuf_str(&key), owner->name,
				      (unsigned int)v[i].sym->owner);
		}
	}
	strbuf_release(&key);
	free(v);
	return r;
}

static int read_input(struct mod_depmod *d, const char *name, char **ret, size_t *len)
{
	struct strbuf sb;
	int r;

	strbuf_init(&sb, NULL, 0, PATH_MAX * 4);
	if (strbuf_pushf(&sb, "%s/%s", d->indir, name) < 0) {
		strbuf_release(&sb);
		return -ENOMEM;
	}
	r = read_file_all(strbuf_str(&sb), BUILTIN_FILE_MAX, ret, len);
	strbuf_release(&sb);
	return r;
}

/* modules.builtin: one path per line; the key is the module name. *empty when no input. */
static int gen_builtin(struct mod_depmod *d, struct mod_index_builder *b, bool *empty)
{
	char *buf, name[PATH_MAX];
	size_t len;
	int r = read_input(d, "modules.builtin", &buf, &len);

	if (r < 0) {
		*empty = true;
		return 0;
	}
	for (char *p = buf; r >= 0 && p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		char *end = nl ? nl : buf + len;

		*end = '\0';
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
			if (*p || nl)
				GEN_ERR(d, "Invalid modules.builtin line: %s\n", p);
		} else if (mod_name_from_path(p, name, sizeof(name)) >= 0) {
			r = add_index(d, b, "builtin", name, "", 0);
		}
		p = end + 1;
	}
	free(buf);
	*empty = false;
	return r;
}

/* modules.builtin.modinfo: NUL-separated "module.key=value"; the alias keys are indexed. */
static int gen_builtin_alias(struct mod_depmod *d, struct mod_index_builder *b, bool *empty)
{
	char *buf, alias[PATH_MAX], modname[PATH_MAX];
	size_t len, count = 0;
	int r = read_input(d, "modules.builtin.modinfo", &buf, &len);

	modname[0] = '\0';
	if (r < 0) {
		*empty = true;
		return 0;
	}
	for (char *p = buf; r >= 0 && p < buf + len;) {
		size_t sl = strnlen(p, (size_t)(buf + len - p));
		char *dot = memchr(p, '.', sl), *eq;
		size_t nl;

		if (!dot || dot == p)
			goto next;
		nl = (size_t)(dot - p);
		if (nl >= sizeof(modname))
			goto next;
		if (strncmp(modname, p, nl) != 0 || modname[nl] != '\0') {
			memcpy(modname, p, nl);
			modname[nl] = '\0';
			count++;
		}
		eq = memchr(dot, '=', sl - nl);
		if (!eq || eq - dot - 1 != 5 || memcmp(dot + 1, "alias", 5) != 0)
			goto next;
		p[sl] = '\0';
		if (mod_alias_normalize(eq + 1, alias, sizeof(alias)) < 0) {
			GEN_WARN(d, "Unmatched bracket in %s\n", eq + 1);
			goto next;
		}
		r = add_index(d, b, "builtin alias", alias, modname, 0);
next:
		p += sl + 1;
	}
	free(buf);
	*empty = count == 0;
	return r;
}

static bool parse_major_minor(const char *s, const char *prefix, unsigned int *maj,
			      unsigned int *min)
{
	size_t pl = strlen(prefix);
	char *end;
	unsigned long a, b;

	if (strncmp(s, prefix, pl) != 0)
		return false;
	s += pl;
	if (*s < '0' || *s > '9')
		return false;
	a = strtoul(s, &end, 10);
	if (*end != '-' || end[1] < '0' || end[1] > '9')
		return false;
	b = strtoul(end + 1, &end, 10);
	if (a > UINT_MAX || b > UINT_MAX)
		return false;
	*maj = (unsigned int)a;
	*min = (unsigned int)b;
	return true;
}

static void gen_devname(struct mod_depmod *d, struct tbuf *t)
{
	bool empty = true;

	for (size_t i = 0; i < d->n_mods; i++) {
		const struct depmod_mod *m = d->mods[i];
		const char *devname = NULL;
		char type = '\0';
		unsigned int major = 0, minor = 0;
		char line[64];

		for (size_t e = 0; e < m->n_ents; e++) {
			const char *v;
			unsigned int a, b;

			if (m->ents[e].kind != DEPMOD_ENT_ALIAS)
				continue;
			v = depmod_ent_str(m, &m->ents[e]);
			if (strncmp(v, "devname:", 8) == 0) {
				devname = v + 8;
			} else if (parse_major_minor(v, "char-major-", &a, &b)) {
				type = 'c';
				major = a;
				minor = b;
			} else if (parse_major_minor(v, "block-major-", &a, &b)) {
				type = 'b';
				major = a;
				minor = b;
			}
			if (type && devname)
				break;
		}
		if (!devname)
			continue;
		if (!type) {
			GEN_ERR(d,
			    "Module '%s' has devname (%s) but lacks major and minor information. Ignoring.\n",
			    m->name, devname);
			continue;
		}
		if (empty) {
			tb_puts(t, "# Device nodes to trigger on-demand module loading.\n");
			empty = false;
		}
		tb_puts(t, m->name);
		tb_put(t, " ", 1);
		tb_puts(t, devname);
		snprintf(line, sizeof(line), " %c%u:%u\n", type, major, minor);
		tb_puts(t, line);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Output set                                                                                 */

static const struct output {
	unsigned int bit;
	const char *name;
	bool binary;
} outputs_tab[] = {
	{ MOD_DEPMOD_OUTPUT_DEP, "modules.dep", false },
	{ MOD_DEPMOD_OUTPUT_DEP_BIN, "modules.dep.bin", true },
	{ MOD_DEPMOD_OUTPUT_ALIAS, "modules.alias", false },
	{ MOD_DEPMOD_OUTPUT_ALIAS_BIN, "modules.alias.bin", true },
	{ MOD_DEPMOD_OUTPUT_SOFTDEP, "modules.softdep", false },
	{ MOD_DEPMOD_OUTPUT_WEAKDEP, "modules.weakdep", false },
	{ MOD_DEPMOD_OUTPUT_SYMBOLS, "modules.symbols", false },
	{ MOD_DEPMOD_OUTPUT_SYMBOLS_BIN, "modules.symbols.bin", true },
	{ MOD_DEPMOD_OUTPUT_BUILTIN_BIN, "modules.builtin.bin", true },
	{ MOD_DEPMOD_OUTPUT_BUILTIN_ALIAS_BIN, "modules.builtin.alias.bin", true },
	{ MOD_DEPMOD_OUTPUT_DEVNAME, "modules.devname", false },
};
_Static_assert(ARRAY_SIZE(outputs_tab) == DEPMOD_N_OUTPUTS, "the cache records every output");

/* Produce one output into fd. */
static int gen_output(struct mod_depmod *d, const struct output *o, int fd)
{
	struct mod_index_builder *b = NULL;
	struct tbuf t = { 0 };
	bool empty = false;
	int r = 0;

	if (o->binary) {
		r = mod_index_builder_new(&b);
		if (r < 0)
			return r;
	}
	switch (o->bit) {
	case MOD_DEPMOD_OUTPUT_DEP:
		r = gen_dep(d, &t, NULL);
		break;
	case MOD_DEPMOD_OUTPUT_DEP_BIN:
		r = gen_dep(d, NULL, b);
		break;
	case MOD_DEPMOD_OUTPUT_ALIAS:
		gen_kind(d, &t, DEPMOD_ENT_ALIAS, "# Aliases extracted from modules themselves.\n",
			 "alias");
		break;
	case MOD_DEPMOD_OUTPUT_ALIAS_BIN:
		r = gen_alias_bin(d, b);
		break;
	case MOD_DEPMOD_OUTPUT_SOFTDEP:
		gen_kind(d, &t, DEPMOD_ENT_SOFTDEP,
			 "# Soft dependencies extracted from modules themselves.\n", "softdep");
		break;
	case MOD_DEPMOD_OUTPUT_WEAKDEP:
		gen_kind(d, &t, DEPMOD_ENT_WEAKDEP,
			 "# Weak dependencies extracted from modules themselves.\n", "weakdep");
		break;
	case MOD_DEPMOD_OUTPUT_SYMBOLS:
		r = gen_symbols(d, &t, NULL);
		break;
	case MOD_DEPMOD_OUTPUT_SYMBOLS_BIN:
		r = gen_symbols(d, NULL, b);
		break;
	case MOD_DEPMOD_OUTPUT_BUILTIN_BIN:
		r = gen_builtin(d, b, &empty);
		break;
	case MOD_DEPMOD_OUTPUT_BUILTIN_ALIAS_BIN:
		r = gen_builtin_alias(d, b, &empty);
		break;
	case MOD_DEPMOD_OUTPUT_DEVNAME:
		gen_devname(d, &t);
		break;
	}
	if (r >= 0 && t.failed)
		r = -ENOMEM;
	if (r >= 0) {
		if (b && !empty)
			r = mod_index_builder_write(b, fd, MOD_INDEX_LAYOUT_PREORDER);
		else if (!b)
			r = write_all(fd, t.p, t.len);
	}
	free(t.p);
	mod_index_builder_free(b);
	return r;
}

/* The generator depmod_commit calls: outputs_tab[i] into fd, then the cache. */
static int gen_output_at(struct mod_depmod *d, size_t i, int fd)
{
	if (i == DEPMOD_N_OUTPUTS)
		return depmod_cache_write(d, fd);
	return gen_output(d, &outputs_tab[i], fd);
}

int depmod_write(struct mod_depmod *d, unsigned int outputs, int dry_run_fd)
{
	const char *names[DEPMOD_N_OUTPUTS + 1] = { 0 };
	int r = 0;

	if (dry_run_fd >= 0) {
		for (size_t i = 0; i < ARRAY_SIZE(outputs_tab) && r >= 0; i++)
			if ((outputs & outputs_tab[i].bit) && !outputs_tab[i].binary)
				r = gen_output(d, &outputs_tab[i], dry_run_fd);
		return r;
	}
	d->n_gen_msgs = 0;
	if (outputs == MOD_DEPMOD_OUTPUT_ALL && depmod_cache_outputs_current(d)) {
		/* every input and output is as the cache recorded: the files are already right */
		INFO(d->ctx, "%s: nothing changed since the last run, nothing written\n",
		     d->outdirfull);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(outputs_tab); i++)
		if (outputs & outputs_tab[i].bit)
			names[i] = outputs_tab[i].name;
	/*
	 * Last, so that it records the outputs as written. Only a whole set of the whole tree is
	 * worth recording: a run over a few explicit files would replace a cache of every module.
	 */
	if (outputs == MOD_DEPMOD_OUTPUT_ALL && d->n_module_paths == 0 &&
	    !(d->cache_flags & MOD_DEPMOD_CACHE_NO_WRITE))
		names[DEPMOD_N_OUTPUTS] = DEPMOD_CACHE_NAME;
	return depmod_commit(d, names, ARRAY_SIZE(names), gen_output_at);
}
