/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Questions asked of a loaded configuration: iteration, options merge, install/remove and hook
 * commands, blacklist/forbid, merged soft and weak dependencies, and the `modprobe -c` dump.
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-private.h"
#include "strbuf.h"

/* Names longer than this are not module names (the kernel allows 56 bytes). */
#define NAME_BUF 4096

LIBMOD_EXPORT int mod_config_next(const struct mod_config *cfg, enum mod_config_kind kind,
				  size_t *cursor, const struct mod_config_entry **entry)
{
	if (!cfg || !cursor || !entry || (unsigned int)kind >= _MOD_CONFIG_KIND_MAX)
		return -EINVAL;
	for (size_t i = *cursor; i < cfg->n_entries; i++) {
		if (cfg->entries[i].kind == kind) {
			*entry = &cfg->entries[i];
			*cursor = i + 1;
			return 0;
		}
	}
	*cursor = cfg->n_entries;
	return 1;
}

LIBMOD_EXPORT enum mod_config_kind mod_config_entry_get_kind(const struct mod_config_entry *e)
{
	return e ? e->kind : _MOD_CONFIG_KIND_MAX;
}

LIBMOD_EXPORT const char *mod_config_entry_get_key(const struct mod_config_entry *e)
{
	return e ? e->key : NULL;
}

LIBMOD_EXPORT const char *mod_config_entry_get_value(const struct mod_config_entry *e)
{
	return e ? e->value : NULL;
}

LIBMOD_EXPORT const char *mod_config_entry_get_file(const struct mod_config_entry *e)
{
	return e ? e->file : NULL;
}

LIBMOD_EXPORT unsigned int mod_config_entry_get_line(const struct mod_config_entry *e)
{
	return e ? e->line : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The lookup tables (see struct config_index)                                                  */

void config_index_release(struct config_index *idx)
{
	for (size_t k = 0; k < _MOD_CONFIG_KIND_MAX; k++) {
		strset_release(&idx->keys[k]);
		free(idx->globs[k]);
	}
	strset_release(&idx->blacklist);
	free(idx->next);
	*idx = (struct config_index){ 0 };
}

/* Does fnmatch treat the key as a pattern? Otherwise fnmatch(key, name) is key == name. */
static bool is_pattern(const char *key)
{
	return strpbrk(key, "*?[\\") != NULL;
}

static int index_build(struct mod_config *cfg)
{
	struct config_index *idx = &cfg->idx;
	size_t n = cfg->n_entries;
	char name[NAME_BUF];
	int r = 0;

	config_index_release(idx);
	idx->next = malloc((n ? n : 1) * sizeof(*idx->next));
	if (!idx->next)
		return -ENOMEM;
	/* Backwards, so that each key's chain starts at its first entry and runs forwards. */
	for (size_t i = n; i > 0 && r >= 0; i--) {
		const struct mod_config_entry *e = &cfg->entries[i - 1];
		struct strset *keys = &idx->keys[e->kind];
		unsigned int *head = strset_get(keys, e->key);

		if (i - 1 > UINT_MAX)
			return -EOVERFLOW;
		idx->next[i - 1] = head ? *head : SIZE_MAX;
		if (head)
			*head = (unsigned int)(i - 1);
		else
			r = strset_add(keys, e->key, (unsigned int)(i - 1));
		/* Command line entries are stored as written: matched underscored. */
		if (r >= 0 && e->kind == MOD_CONFIG_BLACKLIST &&
		    mod_name_normalize(e->key, name, sizeof(name)) == 0)
			r = strset_add(&idx->blacklist, name, 0);
	}
	for (size_t i = 0; i < n && r >= 0; i++) {
		const struct mod_config_entry *e = &cfg->entries[i];
		size_t **g = &idx->globs[e->kind], *grown;

		if (!is_pattern(e->key))
			continue;
		grown = reallocarray(*g, idx->n_globs[e->kind] + 1, sizeof(**g));
		if (!grown)
			return -ENOMEM;
		*g = grown;
		(*g)[idx->n_globs[e->kind]++] = i;
	}
	if (r < 0)
		return r;
	idx->built = true;
	idx->n = n;
	return 0;
}

/*
 * The tables, current with the entries; NULL when they cannot be built (out of memory), and the
 * callers then scan. A query on a const config fills this cache: the entries never change
 * through it.
 */
static const struct config_index *index_get(const struct mod_config *cfg)
{
	struct mod_config *mut = (struct mod_config *)(uintptr_t)cfg;

	if (cfg->idx.built && cfg->idx.n == cfg->n_entries)
		return &cfg->idx;
	if (index_build(mut) < 0) {
		config_index_release(&mut->idx);
		return NULL;
	}
	return &cfg->idx;
}

/* Can any entry of this kind match? Lets queries skip normalising names for absent kinds. */
static bool has_kind(const struct mod_config *cfg, enum mod_config_kind kind)
{
	const struct config_index *idx = index_get(cfg);

	return !idx || idx->keys[kind].n > 0;
}

static bool entry_matches(const struct mod_config_entry *e, const char *name, bool glob)
{
	return glob ? fnmatch(e->key, name, 0) == 0 : streq(e->key, name);
}

int config_foreach_match(const struct mod_config *cfg, enum mod_config_kind kind, const char *name,
			 bool glob, config_match_fn fn, void *data)
{
	const struct config_index *idx = index_get(cfg);
	const unsigned int *head;
	size_t exact, g = 0;
	int r;

	if ((unsigned int)kind >= _MOD_CONFIG_KIND_MAX)
		return -EINVAL;
	if (!idx) {
		for (size_t i = 0; i < cfg->n_entries; i++) {
			const struct mod_config_entry *e = &cfg->entries[i];

			if (e->kind == kind && entry_matches(e, name, glob) && (r = fn(e, data)))
				return r;
		}
		return 0;
	}
	head = strset_get(&idx->keys[kind], name);
	exact = head ? *head : SIZE_MAX;
	/* Merge the entries keyed exactly `name` with the patterns that match it, in order. */
	for (;;) {
		size_t i;

		/* A pattern key equal to name is fnmatch's business, on the pattern side. */
		while (glob && exact != SIZE_MAX && is_pattern(cfg->entries[exact].key))
			exact = idx->next[exact];
		while (glob && g < idx->n_globs[kind] &&
		       fnmatch(cfg->entries[idx->globs[kind][g]].key, name, 0) != 0)
			g++;
		if (glob && g < idx->n_globs[kind] && idx->globs[kind][g] < exact) {
			i = idx->globs[kind][g++];
		} else if (exact != SIZE_MAX) {
			i = exact;
			exact = idx->next[exact];
		} else {
			return 0;
		}
		r = fn(&cfg->entries[i], data);
		if (r)
			return r;
	}
}

struct options_walk {
	struct strbuf sb;
	bool found;
	/* Entries of the second key (the alias), merged in order with the module name's. */
	const struct mod_config_entry **alias;
	size_t n_alias, cap_alias, alias_pos;
};

static int options_push(struct options_walk *w, const struct mod_config_entry *e)
{
	if (!e->value || e->value[0] == '\0')
		return 0;
	if ((w->found && strbuf_pushchar(&w->sb, ' ') < 0) || strbuf_pushstr(&w->sb, e->value) < 0)
		return -ENOMEM;
	w->found = true;
	return 0;
}

static int collect_alias_options(const struct mod_config_entry *e, void *data)
{
	struct options_walk *w = data;

	if (w->n_alias == w->cap_alias) {
		size_t cap = w->cap_alias ? w->cap_alias * 2 : 8;
		const struct mod_config_entry **v = reallocarray(w->alias, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->alias = v;
		w->cap_alias = cap;
	}
	w->alias[w->n_alias++] = e;
	return 0;
}

/* Entries of the module name, with the alias's entries that come before each one. */
static int push_name_options(const struct mod_config_entry *e, void *data)
{
	struct options_walk *w = data;
	int r = 0;

	/* Entries are one array: their addresses are their order. */
	while (r == 0 && w->alias_pos < w->n_alias && w->alias[w->alias_pos] < e)
		r = options_push(w, w->alias[w->alias_pos++]);
	return r ? r : options_push(w, e);
}

LIBMOD_EXPORT int mod_config_get_options(const struct mod_config *cfg, const char *modname,
					 const char *alias, char **ret)
{
	struct options_walk w = { 0 };
	char name[NAME_BUF];
	int r;

	if (!cfg || !modname || !ret)
		return -EINVAL;
	if (!has_kind(cfg, MOD_CONFIG_OPTIONS))
		return -ENOENT;
	r = mod_name_normalize(modname, name, sizeof(name));
	if (r < 0)
		return r;
	strbuf_init(&w.sb, NULL, 0, 0);
	/* Entries keyed by the name or by the alias the module came through, in config order. */
	if (alias && !streq(alias, name))
		r = config_foreach_match(cfg, MOD_CONFIG_OPTIONS, alias, false,
					 collect_alias_options, &w);
	if (r == 0)
		r = config_foreach_match(cfg, MOD_CONFIG_OPTIONS, name, false, push_name_options,
					 &w);
	while (r == 0 && w.alias_pos < w.n_alias)
		r = options_push(&w, w.alias[w.alias_pos++]);
	free(w.alias);
	if (r < 0 || !w.found) {
		strbuf_release(&w.sb);
		return r < 0 ? r : -ENOENT;
	}
	*ret = strbuf_steal(&w.sb);
	return *ret ? 0 : -ENOMEM;
}

static bool is_command_kind(enum mod_config_kind kind)
{
	return kind == MOD_CONFIG_INSTALL || kind == MOD_CONFIG_REMOVE ||
	       kind == MOD_CONFIG_PRE_INSTALL || kind == MOD_CONFIG_POST_INSTALL ||
	       kind == MOD_CONFIG_PRE_REMOVE || kind == MOD_CONFIG_POST_REMOVE;
}

/* Stops at the first match, handing its entry out. */
static int first_match(const struct mod_config_entry *e, void *data)
{
	*(const struct mod_config_entry **)data = e;
	return 1;
}

LIBMOD_EXPORT int mod_config_get_command(const struct mod_config *cfg, enum mod_config_kind kind,
					 const char *modname, const char **cmd)
{
	const struct mod_config_entry *e = NULL;
	char name[NAME_BUF];
	int r;

	if (!cfg || !modname || !cmd || !is_command_kind(kind))
		return -EINVAL;
	if (!has_kind(cfg, kind))
		return -ENOENT;
	r = mod_name_normalize(modname, name, sizeof(name));
	if (r < 0)
		return r;
	r = config_foreach_match(cfg, kind, name, true, first_match, &e);
	if (r < 0)
		return r;
	if (!e)
		return -ENOENT;
	*cmd = e->value;
	return 0;
}

LIBMOD_EXPORT int mod_config_get_install(const struct mod_config *cfg, const char *modname,
					 const char **cmd)
{
	return mod_config_get_command(cfg, MOD_CONFIG_INSTALL, modname, cmd);
}

LIBMOD_EXPORT int mod_config_get_remove(const struct mod_config *cfg, const char *modname,
					const char **cmd)
{
	return mod_config_get_command(cfg, MOD_CONFIG_REMOVE, modname, cmd);
}

LIBMOD_EXPORT bool mod_config_is_blacklisted(const struct mod_config *cfg, const char *modname)
{
	const struct config_index *idx;
	char name[NAME_BUF], key[NAME_BUF];

	if (!cfg || !modname || mod_name_normalize(modname, name, sizeof(name)) < 0)
		return false;
	idx = index_get(cfg);
	if (idx)
		return strset_get(&idx->blacklist, name) != NULL;
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct mod_config_entry *e = &cfg->entries[i];

		if (e->kind != MOD_CONFIG_BLACKLIST)
			continue;
		/* Command line entries are stored as written: compare them underscored. */
		if (mod_name_normalize(e->key, key, sizeof(key)) == 0 && streq(key, name))
			return true;
	}
	return false;
}

static bool glob_matches(const struct mod_config *cfg, enum mod_config_kind kind,
			 const char *modname)
{
	const struct mod_config_entry *e = NULL;
	char name[NAME_BUF];

	if (!cfg || !modname || !has_kind(cfg, kind) ||
	    mod_name_normalize(modname, name, sizeof(name)) < 0)
		return false;
	return config_foreach_match(cfg, kind, name, true, first_match, &e) == 1;
}

LIBMOD_EXPORT bool mod_config_is_forbidden(const struct mod_config *cfg, const char *modname)
{
	return glob_matches(cfg, MOD_CONFIG_FORBID, modname);
}

LIBMOD_EXPORT bool mod_config_is_kept(const struct mod_config *cfg, const char *modname)
{
	return glob_matches(cfg, MOD_CONFIG_KEEP, modname);
}

LIBMOD_EXPORT bool mod_config_is_boot_cleanable(const struct mod_config *cfg,
						const char *modname)
{
	return glob_matches(cfg, MOD_CONFIG_AUTOCLEAN_BOOT, modname);
}

LIBMOD_EXPORT bool mod_config_requires_signature(const struct mod_config *cfg,
						 const char *modname)
{
	return glob_matches(cfg, MOD_CONFIG_REQUIRE_SIGNATURE, modname);
}

LIBMOD_EXPORT int mod_config_get_trusted_keys(const struct mod_config *cfg, const char **dir)
{
	if (!cfg || !dir)
		return -EINVAL;
	/* The last line wins, as a later file overrides an earlier one's setting. */
	for (size_t i = cfg->n_entries; i > 0; i--) {
		if (cfg->entries[i - 1].kind == MOD_CONFIG_TRUSTED_KEYS) {
			*dir = cfg->entries[i - 1].key;
			return 0;
		}
	}
	return -ENOENT;
}

/* A growing NULL-terminated array of borrowed strings without duplicates. */
struct namelist {
	const char **v;
	size_t n, cap;
	struct strset seen; /* a module can match thousands of lines: no linear duplicate test */
};

static int namelist_add_all(struct namelist *l, char *const *names)
{
	for (size_t i = 0; names && names[i]; i++) {
		int r = strset_add(&l->seen, names[i], 0);

		if (r < 0)
			return r;
		if (r > 0)
			continue;
		if (l->n + 1 >= l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 8;
			const char **v = realloc(l->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			l->v = v;
			l->cap = cap;
		}
		l->v[l->n++] = names[i];
		l->v[l->n] = NULL;
	}
	return 0;
}

/* An empty result is still an array holding NULL. */
static const char **namelist_take(struct namelist *l)
{
	if (!l->v)
		l->v = calloc(1, sizeof(*l->v));
	return TAKE_PTR(l->v);
}

struct deps_walk {
	struct namelist pre, post;
	bool with_post, found;
};

static int collect_deps(const struct mod_config_entry *e, void *data)
{
	struct deps_walk *w = data;
	int r;

	w->found = true;
	r = namelist_add_all(&w->pre, e->pre);
	if (r == 0 && w->with_post)
		r = namelist_add_all(&w->post, e->post);
	return r;
}

static int get_deps(const struct mod_config *cfg, enum mod_config_kind kind, const char *modname,
		    const char ***pre, const char ***post)
{
	struct deps_walk w = { .with_post = post != NULL };
	char name[NAME_BUF];
	int r;

	if (!has_kind(cfg, kind))
		return -ENOENT;
	r = mod_name_normalize(modname, name, sizeof(name));
	if (r < 0)
		return r;
	r = config_foreach_match(cfg, kind, name, true, collect_deps, &w);
	if (r < 0)
		goto out;
	if (!w.found) {
		r = -ENOENT;
		goto out;
	}
	const char **p = namelist_take(&w.pre), **q = post ? namelist_take(&w.post) : NULL;
	if (!p || (post && !q)) {
		free(p);
		free(q);
		r = -ENOMEM;
		goto out;
	}
	*pre = p;
	if (post)
		*post = q;
	r = 0;
out:
	free(w.pre.v);
	free(w.post.v);
	strset_release(&w.pre.seen);
	strset_release(&w.post.seen);
	return r;
}

LIBMOD_EXPORT int mod_config_get_softdeps(const struct mod_config *cfg, const char *modname,
					  const char ***pre, const char ***post)
{
	if (!cfg || !modname || !pre || !post)
		return -EINVAL;
	return get_deps(cfg, MOD_CONFIG_SOFTDEP, modname, pre, post);
}

LIBMOD_EXPORT int mod_config_get_weakdeps(const struct mod_config *cfg, const char *modname,
					  const char ***deps)
{
	if (!cfg || !modname || !deps)
		return -EINVAL;
	return get_deps(cfg, MOD_CONFIG_WEAKDEP, modname, deps, NULL);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The dump order: kmod's sections first, then what only libmod knows. */
static const enum mod_config_kind dump_order[] = {
	MOD_CONFIG_BLACKLIST,   MOD_CONFIG_INSTALL,      MOD_CONFIG_REMOVE,
	MOD_CONFIG_ALIAS,       MOD_CONFIG_OPTIONS,      MOD_CONFIG_SOFTDEP,
	MOD_CONFIG_WEAKDEP,     MOD_CONFIG_FORBID,       MOD_CONFIG_PRE_INSTALL,
	MOD_CONFIG_POST_INSTALL, MOD_CONFIG_PRE_REMOVE,  MOD_CONFIG_POST_REMOVE,
	MOD_CONFIG_REQUIRE_SIGNATURE, MOD_CONFIG_TRUSTED_KEYS,
	MOD_CONFIG_KEEP,        MOD_CONFIG_AUTOCLEAN_BOOT,
};

LIBMOD_EXPORT int mod_config_dump(const struct mod_config *cfg, int fd, bool verbose)
{
	struct strbuf sb;
	int r = 0;

	if (!cfg || fd < 0)
		return -EINVAL;
	/* Built whole, then written: the output is small and a failed write leaves no half line. */
	strbuf_init(&sb, NULL, 0, 0);
	for (size_t k = 0; k < ARRAY_SIZE(dump_order) && r == 0; k++) {
		for (size_t i = 0; i < cfg->n_entries && r == 0; i++) {
			const struct mod_config_entry *e = &cfg->entries[i];

			if (e->kind != dump_order[k])
				continue;
			if (verbose)
				r = strbuf_pushf(&sb, "# %s:%u\n", e->file, e->line);
			if (r == 0)
				r = strbuf_pushf(&sb, "%s %s%s%s\n", mod_config_kind_name(e->kind),
						 e->key, e->value ? " " : "",
						 e->value ? e->value : "");
		}
	}
	if (r == 0)
		r = write_all(fd, strbuf_str(&sb), strbuf_len(&sb));
	strbuf_release(&sb);
	return r;
}
