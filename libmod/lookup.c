/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Resolving a name or alias to modules, in kmod's order: the first source that
 * answers wins (config aliases, modules.dep, modules.symbols, install/remove commands,
 * modules.alias, modules.builtin, modules.builtin.alias).
 */
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <string.h>

#include "config-private.h"
#include "module-private.h"

typedef int (*lookup_fn)(struct mod_ctx *ctx, const char *query, struct mod_module_list *out);

/* Append a module named `name` found through `alias` (NULL for a plain name match). */
static int append_module(struct mod_ctx *ctx, struct mod_module_list *out, const char *name,
			 const char *alias, bool builtin, const char *dep_line)
{
	struct mod_module *mod;
	int r;

	r = module_new(ctx, name, strlen(name), alias, &mod);
	if (r < 0)
		return r;
	if (builtin)
		module_mark_builtin(mod);
	if (dep_line)
		module_set_dep_line(mod, dep_line);
	r = mod_module_list_append(out, mod);
	mod_module_unref(mod);
	return r;
}

struct alias_walk {
	struct mod_ctx *ctx;
	struct mod_module_list *out;
};

static int append_config_alias(const struct mod_config_entry *e, void *data)
{
	struct alias_walk *w = data;
	size_t n = mod_module_list_count(w->out);
	struct mod_module *last = mod_module_list_get(w->out, n - 1);

	/*
	 * The same line repeated (20,000 `alias foo bar`) gives the same module each time, as the
	 * reference lists it; one object serves them all instead of a copy per line.
	 */
	if (last && streq(mod_module_get_name(last), e->value) &&
	    streq(mod_module_get_alias(last), e->key))
		return mod_module_list_append(w->out, last);
	return append_module(w->ctx, w->out, e->value, e->key, false, NULL);
}

/* Every config alias whose pattern matches, each found through that pattern. */
static int lookup_config_aliases(struct mod_ctx *ctx, const char *query,
				 struct mod_module_list *out)
{
	struct alias_walk w = { ctx, out };
	struct mod_config *cfg;

	if (mod_ctx_get_config(ctx, &cfg) < 0)
		return 0;
	return config_foreach_match(cfg, MOD_CONFIG_ALIAS, query, true, append_config_alias, &w);
}

static int stop_at_first(const struct mod_config_entry *e, void *data)
{
	return 1;
}

/* A module that has only an install or remove command still "exists" (keys compared as text). */
static int lookup_commands(struct mod_ctx *ctx, const char *query, struct mod_module_list *out)
{
	static const enum mod_config_kind kinds[] = { MOD_CONFIG_INSTALL, MOD_CONFIG_REMOVE };
	struct mod_config *cfg;

	if (mod_ctx_get_config(ctx, &cfg) < 0)
		return 0;
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		int r = config_foreach_match(cfg, kinds[k], query, false, stop_at_first, NULL);

		if (r < 0)
			return r;
		if (r > 0)
			return append_module(ctx, out, query, NULL, false, NULL);
	}
	return 0;
}

static int lookup_moddep(struct mod_ctx *ctx, const char *query, struct mod_module_list *out)
{
	struct mod_index *idx;
	const char *line;
	int r;

	/* Names never contain ':'; aliases like pci:v... must not hit the name index. */
	if (strchr(query, ':'))
		return 0;
	if (mod_ctx_get_index(ctx, MOD_INDEX_DEP, &idx) < 0)
		return 0;
	r = mod_index_lookup(idx, query, &line);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	return append_module(ctx, out, query, NULL, false, line);
}

/* Every value of a wildcard lookup becomes a module found through the query. */
static int lookup_wild(struct mod_ctx *ctx, enum mod_index_kind kind, const char *query,
		       bool builtin, struct mod_module_list *out)
{
	struct mod_index_result *res = NULL;
	struct mod_index *idx;
	int r;

	if (mod_ctx_get_index(ctx, kind, &idx) < 0)
		return 0;
	r = mod_index_lookup_wild(idx, query, &res);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	for (size_t i = 0; i < mod_index_result_count(res) && r >= 0; i++)
		r = append_module(ctx, out, mod_index_result_value(res, i), query, builtin, NULL);
	mod_index_result_free(res);
	return r;
}

static int lookup_symbols(struct mod_ctx *ctx, const char *query, struct mod_module_list *out)
{
	if (strncmp(query, "symbol:", 7) != 0)
		return 0;
	return lookup_wild(ctx, MOD_INDEX_SYMBOL, query, false, out);
}

static int lookup_aliases(struct mod_ctx *ctx, const char *query, struct mod_module_list *out)
{
	return lookup_wild(ctx, MOD_INDEX_ALIAS, query, false, out);
}

static int lookup_builtin(struct mod_ctx *ctx, const char *query, struct mod_module_list *out)
{
	struct mod_index *idx;
	const char *value;
	int r;

	if (mod_ctx_get_index(ctx, MOD_INDEX_BUILTIN, &idx) < 0)
		return 0;
	r = mod_index_lookup(idx, query, &value);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	return append_module(ctx, out, query, NULL, true, NULL);
}

static int lookup_builtin_aliases(struct mod_ctx *ctx, const char *query,
				  struct mod_module_list *out)
{
	return lookup_wild(ctx, MOD_INDEX_BUILTIN_ALIAS, query, true, out);
}

static int run_lookups(struct mod_ctx *ctx, const char *query, const lookup_fn *fns, size_t n,
		       struct mod_module_list **ret)
{
	char norm[PATH_MAX];
	struct mod_module_list *out;
	int r;

	if (!ctx || !query || !ret)
		return -EINVAL;
	r = mod_alias_normalize(query, norm, sizeof(norm));
	if (r < 0) {
		ERR(ctx, "could not normalize alias '%s': %s\n", query,
		    r == -EINVAL ? "unmatched bracket" : strerror(-r));
		return r;
	}
	r = mod_module_list_new(&out);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		r = fns[i](ctx, norm, out);
		if (r < 0) {
			mod_module_list_free(out);
			return r;
		}
		if (mod_module_list_count(out) > 0) {
			*ret = out;
			return 0;
		}
	}
	mod_module_list_free(out);
	return -ENOENT;
}

LIBMOD_EXPORT int mod_module_lookup(struct mod_ctx *ctx, const char *query,
				    struct mod_module_list **ret)
{
	static const lookup_fn fns[] = {
		lookup_config_aliases, lookup_moddep, lookup_symbols, lookup_commands,
		lookup_aliases, lookup_builtin, lookup_builtin_aliases,
	};

	return run_lookups(ctx, query, fns, ARRAY_SIZE(fns), ret);
}

LIBMOD_EXPORT int mod_module_lookup_name(struct mod_ctx *ctx, const char *name,
					 struct mod_module_list **ret)
{
	static const lookup_fn fns[] = {
		lookup_moddep, lookup_builtin, lookup_builtin_aliases,
	};

	return run_lookups(ctx, name, fns, ARRAY_SIZE(fns), ret);
}
