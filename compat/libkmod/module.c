/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmod_module: libkmod's module object over a libmod module, the per-context cache that gives
 * one object per name, the constructors (name, path, lookup, loaded) and what a module says
 * through the configuration (dependencies, softdeps, options, commands, filters).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

/* ---- the cache ------------------------------------------------------------------------- */

static unsigned int pool_hash(const char *key)
{
	/* FNV-1a: keys are short module names; any even spread will do. */
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % POOL_BUCKETS;
}

static struct kmod_module *pool_get(struct kmod_ctx *ctx, const char *key)
{
	for (struct kmod_module *m = ctx->pool[pool_hash(key)]; m; m = m->pool_next)
		if (streq(m->key, key))
			return m;
	return NULL;
}

static void pool_del(struct kmod_module *mod)
{
	struct kmod_module **p = &mod->ctx->pool[pool_hash(mod->key)];

	for (; *p; p = &(*p)->pool_next) {
		if (*p == mod) {
			*p = mod->pool_next;
			return;
		}
	}
}

static int pool_key(struct mod_module *mod, char **ret)
{
	const char *alias = mod_module_get_alias(mod);

	/* libkmod keys alias matches by both, so each alias keeps its own options. */
	if (alias)
		return asprintf(ret, "%s\\%s", mod_module_get_name(mod), alias) < 0 ? -ENOMEM : 0;
	*ret = strdup(mod_module_get_name(mod));
	return *ret ? 0 : -ENOMEM;
}

int module_wrap(struct kmod_ctx *ctx, struct mod_module *mod, struct kmod_module **ret)
{
	struct kmod_module *m;
	char *key;
	int r;

	r = pool_key(mod, &key);
	if (r < 0)
		return r;
	m = pool_get(ctx, key);
	if (m) {
		free(key);
		*ret = kmod_module_ref(m);
		return 0;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		free(key);
		return -ENOMEM;
	}
	m->refcount = 1;
	m->ctx = kmod_ref(ctx);
	m->mod = mod_module_ref(mod);
	m->key = key;
	unsigned int h = pool_hash(key);
	m->pool_next = ctx->pool[h];
	ctx->pool[h] = m;
	*ret = m;
	return 0;
}

int module_from_name(struct kmod_ctx *ctx, const char *name, struct kmod_module **ret)
{
	struct mod_module *mod;
	int r;

	r = mod_module_new_from_name(ctx->mctx, name, &mod);
	if (r < 0)
		return r;
	r = module_wrap(ctx, mod, ret);
	mod_module_unref(mod);
	return r;
}

KMOD_EXPORT struct kmod_module *kmod_module_ref(struct kmod_module *mod)
{
	if (mod)
		mod->refcount++;
	return mod;
}

KMOD_EXPORT struct kmod_module *kmod_module_unref(struct kmod_module *mod)
{
	struct kmod_ctx *ctx;

	if (!mod)
		return NULL;
	if (--mod->refcount > 0)
		return mod;
	ctx = mod->ctx;
	KDBG(ctx, "kmod_module %p released\n", (void *)mod);
	pool_del(mod);
	mod_module_unref(mod->mod);
	for (size_t i = 0; i < mod->n_retired; i++)
		mod_module_unref(mod->retired[i]);
	free(mod->retired);
	free(mod->options);
	free(mod->key);
	free(mod);
	kmod_unref(ctx);
	return NULL;
}

static void unref_module_data(void *data)
{
	kmod_module_unref(data);
}

KMOD_EXPORT int kmod_module_unref_list(struct kmod_list *list)
{
	list_free(list, unref_module_data);
	return 0;
}

KMOD_EXPORT struct kmod_module *kmod_module_get_module(const struct kmod_list *entry)
{
	return entry ? kmod_module_ref(entry->data) : NULL;
}

/* ---- constructors ---------------------------------------------------------------------- */

KMOD_EXPORT int kmod_module_new_from_name(struct kmod_ctx *ctx, const char *name,
					  struct kmod_module **mod)
{
	/* libkmod answers -ENOENT to every missing argument. */
	if (!ctx || !name || !mod)
		return -ENOENT;
	return module_from_name(ctx, name, mod);
}

/* Put a file under an existing object: libkmod fills in the path of a module made by name. */
static int module_set_path(struct kmod_module *m, struct mod_module *with_path)
{
	struct mod_module **grown = reallocarray(m->retired, m->n_retired + 1, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	m->retired = grown;
	m->retired[m->n_retired++] = m->mod;
	m->mod = mod_module_ref(with_path);
	m->path_known = true;
	return 0;
}

KMOD_EXPORT int kmod_module_new_from_path(struct kmod_ctx *ctx, const char *path,
					  struct kmod_module **mod)
{
	struct mod_module *fresh;
	struct kmod_module *m;
	const char *old;
	int r;

	if (!ctx || !path || !mod)
		return -ENOENT;
	r = mod_module_new_from_path(ctx->mctx, path, &fresh);
	if (r < 0) {
		/* A debug message only: callers probe paths that may not exist. */
		KDBG(ctx, "stat %s: %s\n", path, strerror(-r));
		return r;
	}
	m = pool_get(ctx, mod_module_get_name(fresh));
	if (!m) {
		r = module_wrap(ctx, fresh, mod);
		if (r == 0)
			(*mod)->path_known = true;
		mod_module_unref(fresh);
		return r;
	}
	/* libkmod's rule: one object per name; a second file for the same name is refused. */
	old = m->path_known ? mod_module_get_path(m->mod) : NULL;
	if (!old)
		r = module_set_path(m, fresh);
	else if (!streq(old, mod_module_get_path(fresh))) {
		KERR(ctx, "kmod_module '%s' already exists with different path: new-path='%s' "
			  "old-path='%s'\n",
		     mod_module_get_name(fresh), mod_module_get_path(fresh), old);
		r = -EEXIST;
	}
	mod_module_unref(fresh);
	if (r < 0)
		return r;
	*mod = kmod_module_ref(m);
	return 0;
}

KMOD_EXPORT int kmod_module_new_from_lookup(struct kmod_ctx *ctx, const char *given_alias,
					    struct kmod_list **list)
{
	struct mod_module_list *found = NULL;
	char norm[PATH_MAX];
	int r;

	if (!ctx || !given_alias)
		return -ENOENT;
	if (!list || *list) {
		KERR(ctx, "An empty list is needed to create lookup\n");
		return -ENOSYS;
	}
	/*
	 * An alias with an unmatched bracket is the caller's input, not a fault: libkmod says so
	 * at debug level (libmod's lookup logs it as an error, which udevd would forward for
	 * every odd modalias).
	 */
	if (mod_alias_normalize(given_alias, norm, sizeof(norm)) == -EINVAL) {
		KDBG(ctx, "invalid alias: %s\n", given_alias);
		return -EINVAL;
	}
	r = mod_module_lookup(ctx->mctx, given_alias, &found);
	/* libkmod: nothing found is success with an empty list; callers test the list. */
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = list_from_modules(ctx, found, list);
	mod_module_list_free(found);
	if (r < 0) {
		kmod_module_unref_list(*list);
		*list = NULL;
	}
	return r;
}

KMOD_EXPORT int kmod_module_new_from_name_lookup(struct kmod_ctx *ctx, const char *modname,
						 struct kmod_module **mod)
{
	struct mod_module_list *found = NULL;
	char norm[PATH_MAX];
	int r;

	if (!ctx || !modname || !mod)
		return -ENOENT;
	/* A module name, not an alias: "foo-bar.ko" is foo_bar. */
	r = mod_name_normalize(modname, norm, sizeof(norm));
	if (r < 0)
		return r;
	norm[strcspn(norm, ".")] = '\0';
	r = mod_module_lookup_name(ctx->mctx, norm, &found);
	/* Not found: 0 and *mod untouched, as libkmod. */
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = module_wrap(ctx, mod_module_list_get(found, 0), mod);
	mod_module_list_free(found);
	return r;
}

KMOD_EXPORT int kmod_module_new_from_loaded(struct kmod_ctx *ctx, struct kmod_list **list)
{
	struct mod_module_list *loaded = NULL;
	struct kmod_list *l = NULL;
	int r;

	if (!ctx || !list)
		return -ENOENT;
	r = mod_module_new_from_loaded(ctx->mctx, &loaded);
	/* libmod says ENOSYS for a kernel without /proc/modules; libkmod passes fopen's ENOENT. */
	if (r == -ENOSYS)
		r = -ENOENT;
	if (r < 0) {
		KERR(ctx, "could not open /proc/modules: %s\n", strerror(-r));
		return r;
	}
	r = list_from_modules(ctx, loaded, &l);
	mod_module_list_free(loaded);
	if (r < 0) {
		kmod_module_unref_list(l);
		return r;
	}
	*list = l;
	return 0;
}

/* ---- properties ------------------------------------------------------------------------ */

KMOD_EXPORT const char *kmod_module_get_name(const struct kmod_module *mod)
{
	return mod ? mod_module_get_name(mod->mod) : NULL;
}

KMOD_EXPORT const char *kmod_module_get_path(const struct kmod_module *mod)
{
	struct kmod_module *m = (struct kmod_module *)mod;
	const char *path;

	if (!m)
		return NULL;
	path = mod_module_get_path(m->mod);
	/* Once libkmod has looked the path up, it is fixed for kmod_module_new_from_path. */
	if (path)
		m->path_known = true;
	return path;
}

/* The configuration the module was made with: strings from it live as long as the module. */
static struct mod_config *module_config(const struct kmod_module *m)
{
	struct mod_config *cfg;

	if (mod_ctx_get_config(mod_module_get_ctx(m->mod), &cfg) < 0)
		return NULL;
	return cfg;
}

KMOD_EXPORT const char *kmod_module_get_options(const struct kmod_module *mod)
{
	struct kmod_module *m = (struct kmod_module *)mod;
	struct mod_config *cfg;

	if (!m)
		return NULL;
	if (!m->options_read) {
		/* Every options line for the name or the alias, joined; NULL when none. */
		cfg = module_config(m);
		if (cfg && mod_config_get_options(cfg, mod_module_get_name(m->mod),
						  mod_module_get_alias(m->mod), &m->options) < 0)
			m->options = NULL;
		m->options_read = true;
	}
	return m->options;
}

static const char *module_command(const struct kmod_module *mod, enum mod_config_kind kind)
{
	struct mod_config *cfg;
	const char *cmd;

	if (!mod)
		return NULL;
	cfg = module_config(mod);
	if (!cfg || mod_config_get_command(cfg, kind, mod_module_get_name(mod->mod), &cmd) < 0)
		return NULL;
	return cmd;
}

KMOD_EXPORT const char *kmod_module_get_install_commands(const struct kmod_module *mod)
{
	return module_command(mod, MOD_CONFIG_INSTALL);
}

KMOD_EXPORT const char *kmod_module_get_remove_commands(const struct kmod_module *mod)
{
	return module_command(mod, MOD_CONFIG_REMOVE);
}

KMOD_EXPORT struct kmod_list *kmod_module_get_dependencies(const struct kmod_module *mod)
{
	struct mod_module_list *deps = NULL;
	struct kmod_list *list = NULL;

	if (!mod)
		return NULL;
	/* Load order (the modules.dep line reversed), as libkmod lists them. */
	if (mod_module_get_dependencies(mod->mod, &deps) < 0)
		return NULL;
	if (list_from_modules(mod->ctx, deps, &list) < 0) {
		KERR(mod->ctx, "out of memory\n");
		kmod_module_unref_list(list);
		list = NULL;
	}
	mod_module_list_free(deps);
	return list;
}

static bool list_has_name(const struct kmod_list *list, const char *name)
{
	const struct kmod_list *l;

	kmod_list_foreach(l, list) {
		if (streq(kmod_module_get_name(l->data), name))
			return true;
	}
	return false;
}

/*
 * Resolve softdep names each through the full lookup, as libkmod does; failures are skipped.
 * Merged lines often name one module twice under different aliases ("crc32c" in a modprobe.d
 * file, "crypto-crc32c" in modules.softdep): a module is listed once.
 */
static struct kmod_list *lookup_softdeps(struct kmod_ctx *ctx, const char *const *names)
{
	struct kmod_list *out = NULL;

	for (size_t i = 0; names && names[i]; i++) {
		struct kmod_list *found = NULL;

		if (kmod_module_new_from_lookup(ctx, names[i], &found) < 0) {
			KERR(ctx, "failed to lookup soft dependency '%s', continuing anyway.\n",
			     names[i]);
			continue;
		}
		/* Splice found onto out. */
		while (found) {
			struct kmod_list *grown;

			if (list_has_name(out, kmod_module_get_name(found->data))) {
				kmod_module_unref(found->data);
				found = list_remove(found, found);
				continue;
			}
			grown = list_append(out, found->data);
			if (!grown) {
				kmod_module_unref_list(found);
				break;
			}
			out = grown;
			found = list_remove(found, found);
		}
	}
	return out;
}

KMOD_EXPORT int kmod_module_get_softdeps(const struct kmod_module *mod, struct kmod_list **pre,
					 struct kmod_list **post)
{
	const char **pre_names = NULL, **post_names = NULL;
	struct mod_config *cfg;
	int r;

	if (!mod || !pre || !post)
		return -ENOENT;
	cfg = module_config(mod);
	if (!cfg)
		return 0;
	/*
	 * Deliberately libmod's rule, not kmod 30's: every matching softdep line is merged
	 * (docs/DIFFERENCES.md), so one distribution file cannot hide another's softdeps.
	 */
	r = mod_config_get_softdeps(cfg, mod_module_get_name(mod->mod), &pre_names, &post_names);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	*pre = lookup_softdeps(mod->ctx, pre_names);
	*post = lookup_softdeps(mod->ctx, post_names);
	free(pre_names);
	free(post_names);
	return 0;
}

bool module_is_blacklisted(const struct kmod_module *m)
{
	struct mod_config *cfg = module_config(m);

	return cfg && mod_config_is_blacklisted(cfg, mod_module_get_name(m->mod));
}

KMOD_EXPORT int kmod_module_apply_filter(const struct kmod_ctx *ctx,
					 enum kmod_filter filter_type,
					 const struct kmod_list *input, struct kmod_list **output)
{
	const struct kmod_list *l;

	if (!ctx || !output)
		return -ENOENT;
	*output = NULL;
	kmod_list_foreach(l, input) {
		struct kmod_module *m = l->data;
		struct kmod_list *grown;

		if ((filter_type & KMOD_FILTER_BLACKLIST) && module_is_blacklisted(m))
			continue;
		if ((filter_type & KMOD_FILTER_BUILTIN) && mod_module_is_builtin(m->mod))
			continue;
		grown = list_append(*output, m);
		if (!grown) {
			kmod_module_unref_list(*output);
			*output = NULL;
			return -ENOMEM;
		}
		*output = grown;
		kmod_module_ref(m);
	}
	return 0;
}

KMOD_EXPORT int kmod_module_get_filtered_blacklist(const struct kmod_ctx *ctx,
						   const struct kmod_list *input,
						   struct kmod_list **output)
{
	return kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, input, output);
}
