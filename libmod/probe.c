/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modprobe's insert path as a library call: build the probe list (soft dependencies, hard
 * dependencies in load order, the module), then load each entry or run its install command,
 * with the reference's rules for loaded, builtin, blacklisted and soft-dependency modules, plus
 * `forbid` and the legacy pre-/post-install hooks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probe-private.h"

struct plan_entry {
	struct mod_module *mod;
	bool ignorecmd; /* insert even if there is an install command */
};

struct plan {
	struct mod_ctx *ctx;
	struct plan_entry *entries;
	size_t n, cap;
	/* Names already expanded (the reference's "visited" mark) and hard requirements. */
	char **visited;
	size_t nvisited;
	char **required;
	size_t nrequired;
};

static bool name_in(char **set, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (streq(set[i], name))
			return true;
	return false;
}

static int name_add(char ***set, size_t *n, const char *name)
{
	char **grown, *copy;

	if (name_in(*set, *n, name))
		return 0;
	copy = strdup(name);
	grown = copy ? realloc(*set, (*n + 1) * sizeof(char *)) : NULL;
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	grown[(*n)++] = copy;
	*set = grown;
	return 0;
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		mod_module_unref(p->entries[i].mod);
	free(p->entries);
	for (size_t i = 0; i < p->nvisited; i++)
		free(p->visited[i]);
	free(p->visited);
	for (size_t i = 0; i < p->nrequired; i++)
		free(p->required[i]);
	free(p->required);
}

static int plan_append(struct plan *p, struct mod_module *mod, bool ignorecmd)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct plan_entry *e = realloc(p->entries, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		p->entries = e;
		p->cap = cap;
	}
	p->entries[p->n].mod = mod_module_ref(mod);
	p->entries[p->n].ignorecmd = ignorecmd;
	p->n++;
	return 0;
}

static int plan_module(struct plan *p, struct mod_module *mod, bool required, bool ignorecmd);

/* A module with its softdeps around it: pre..., the module, post... */
static int plan_with_softdeps(struct plan *p, struct mod_module *mod)
{
	struct mod_module_list *pre = NULL, *post = NULL;
	size_t npre, npost;
	int r;

	r = probe_get_softdeps(mod, &pre, &post, NULL);
	if (r < 0) {
		ERR(p->ctx, "could not get softdep: %s\n", strerror(-r));
		return r;
	}
	npre = mod_module_list_count(pre);
	npost = mod_module_list_count(post);
	for (size_t i = 0; i < npre && r == 0; i++)
		r = plan_module(p, mod_module_list_get(pre, i), false, false);
	/*
	 * The module's install command is honoured even when it has softdeps: kmod ignores it
	 * then (issue #446), which silently defeats `install X /bin/false` for any module the
	 * kernel gave a softdep. The softdeps are still planned around it.
	 */
	if (r == 0)
		r = plan_append(p, mod, false);
	for (size_t i = 0; i < npost && r == 0; i++)
		r = plan_module(p, mod_module_list_get(post, i), false, false);
	mod_module_list_free(pre);
	mod_module_list_free(post);
	return r;
}

static int plan_module(struct plan *p, struct mod_module *mod, bool required, bool ignorecmd)
{
	struct mod_module_list *deps = NULL;
	size_t ndeps;
	int r;

	if (name_in(p->visited, p->nvisited, mod_module_get_name(mod)))
		return 0;
	r = name_add(&p->visited, &p->nvisited, mod_module_get_name(mod));
	if (r < 0)
		return r;
	r = mod_module_get_dependencies(mod, &deps);
	if (r == -ENOENT) {
		deps = NULL;
		r = 0;
	}
	if (r < 0)
		return r;
	ndeps = mod_module_list_count(deps);
	if (required) {
		r = name_add(&p->required, &p->nrequired, mod_module_get_name(mod));
		for (size_t i = 0; i < ndeps && r == 0; i++)
			r = name_add(&p->required, &p->nrequired,
				     mod_module_get_name(mod_module_list_get(deps, i)));
	}
	/* modules.dep lines are transitive: a dependency's own deps are already listed. */
	for (size_t i = 0; i < ndeps && r == 0; i++)
		r = plan_with_softdeps(p, mod_module_list_get(deps, i));
	if (r == 0)
		r = ignorecmd ? plan_append(p, mod, true) : plan_with_softdeps(p, mod);
	mod_module_list_free(deps);
	return r;
}

static bool is_blacklisted(struct mod_module *mod)
{
	struct mod_config *cfg = probe_config(mod_module_get_ctx(mod));

	return cfg && mod_config_is_blacklisted(cfg, mod_module_get_name(mod));
}

static void report(const struct mod_probe_callbacks *cb, void *data, struct mod_module *mod,
		   enum mod_action_kind kind, const char *text, const char *options)
{
	if (cb && cb->action)
		cb->action(mod, kind, text, options ? options : "", data);
}

static int run_hook(struct mod_module *mod, enum mod_config_kind kind, unsigned int flags,
		    const struct mod_probe_callbacks *cb, void *data)
{
	struct mod_config *cfg = probe_config(mod_module_get_ctx(mod));
	const char *cmd;

	if (!cfg || mod_config_get_command(cfg, kind, mod_module_get_name(mod), &cmd) < 0)
		return 0;
	report(cb, data, mod, MOD_ACTION_HOOK, cmd, "");
	if (flags & MOD_PROBE_DRY_RUN)
		return 0;
	return probe_run_command(mod, mod_config_kind_name(kind), cmd, "", cb, data);
}

/* Load one plan entry: hooks, then the install command or the file. */
static int probe_one(struct mod_module *m, bool ignorecmd, unsigned int flags,
		     const char *options, const struct mod_probe_callbacks *cb, void *data)
{
	struct mod_config *cfg = probe_config(mod_module_get_ctx(m));
	unsigned int iflags = 0;
	const char *cmd = NULL;
	int r;

	if (!ignorecmd && cfg && mod_config_get_install(cfg, mod_module_get_name(m), &cmd) < 0)
		cmd = NULL;
	r = run_hook(m, MOD_CONFIG_PRE_INSTALL, flags, cb, data);
	if (r < 0)
		return r;
	if (cmd) {
		report(cb, data, m, MOD_ACTION_INSTALL, cmd, options);
		if (!(flags & MOD_PROBE_DRY_RUN))
			r = probe_run_command(m, "install", cmd, options, cb, data);
	} else {
		if (mod_module_get_path(m))
			report(cb, data, m, MOD_ACTION_INSMOD, mod_module_get_path(m), options);
		else if (mod_module_is_builtin(m))
			report(cb, data, m, MOD_ACTION_BUILTIN, NULL, options);
		if (flags & MOD_PROBE_FORCE_MODVERSION)
			iflags |= MOD_INSERT_FORCE_MODVERSION;
		if (flags & MOD_PROBE_FORCE_VERMAGIC)
			iflags |= MOD_INSERT_FORCE_VERMAGIC;
		if (!(flags & MOD_PROBE_DRY_RUN))
			r = mod_module_insert(m, iflags, options);
	}
	if (r < 0)
		return r;
	return run_hook(m, MOD_CONFIG_POST_INSTALL, flags, cb, data);
}

LIBMOD_EXPORT int mod_module_probe_insert(struct mod_module *mod, unsigned int flags,
					  const char *extra_options,
					  const struct mod_probe_callbacks *cb, void *data,
					  enum mod_probe_outcome *outcome)
{
	struct plan p = { 0 };
	struct mod_ctx *ctx;
	enum mod_probe_outcome out = MOD_PROBE_OUTCOME_DONE;
	int r;

	if (!mod)
		return -EINVAL;
	ctx = mod_module_get_ctx(mod);
	p.ctx = ctx;

	if (!(flags & MOD_PROBE_IGNORE_LOADED) && probe_is_inkernel(mod)) {
		if (flags & MOD_PROBE_FAIL_ON_LOADED)
			return -EEXIST;
		if (outcome)
			*outcome = mod_module_is_builtin(mod) ? MOD_PROBE_OUTCOME_BUILTIN
							      : MOD_PROBE_OUTCOME_ALREADY;
		return 0;
	}
	if (((flags & MOD_PROBE_BLACKLIST_ALIAS) && mod_module_get_alias(mod)) ||
	    (flags & (MOD_PROBE_BLACKLIST | MOD_PROBE_BLACKLIST_ALL))) {
		if (is_blacklisted(mod)) {
			DBG(ctx, "module %s is blacklisted\n", mod_module_get_name(mod));
			if (outcome)
				*outcome = MOD_PROBE_OUTCOME_BLACKLISTED;
			return 0;
		}
	}
	if (probe_is_forbidden(mod)) {
		ERR(ctx, "module %s is forbidden by the configuration ('forbid'), not loading it\n",
		    mod_module_get_name(mod));
		return -EPERM;
	}

	r = plan_module(&p, mod, true, flags & MOD_PROBE_IGNORE_COMMAND);
	if (r < 0)
		goto out;

	/* Refuse the whole load when a module it needs is forbidden; drop forbidden softdeps. */
	for (size_t i = 0; i < p.n; i++) {
		struct mod_module *m = p.entries[i].mod;
		bool required = name_in(p.required, p.nrequired, mod_module_get_name(m));

		if (!probe_is_forbidden(m) &&
		    !((flags & MOD_PROBE_BLACKLIST_ALL) && is_blacklisted(m)))
			continue;
		if (required && probe_is_forbidden(m)) {
			ERR(ctx, "module %s needs %s, which is forbidden by the configuration "
				 "('forbid'), not loading it\n",
			    mod_module_get_name(mod), mod_module_get_name(m));
			r = -EPERM;
			goto out;
		}
		mod_module_unref(m);
		memmove(&p.entries[i], &p.entries[i + 1], (p.n - i - 1) * sizeof(p.entries[0]));
		p.n--;
		i--;
	}
	if (p.n == 0) {
		out = MOD_PROBE_OUTCOME_BLACKLISTED;
		goto out;
	}

	for (size_t i = 0; i < p.n; i++) {
		struct mod_module *m = p.entries[i].mod;
		char *options = NULL;

		if (!(flags & MOD_PROBE_IGNORE_LOADED) && probe_is_inkernel(m)) {
			DBG(ctx, "Ignoring module '%s': already loaded\n", mod_module_get_name(m));
			r = -EEXIST;
		} else {
			/*
			 * The target can be in the plan twice (a post softdep that depends on it):
			 * each occurrence gets the extra options, as in the reference, where both
			 * are one object. A target found through an alias is a separate object there.
			 */
			bool target = m == mod || (!mod_module_get_alias(mod) &&
						   streq(mod_module_get_name(m), mod_module_get_name(mod)));

			r = mod_module_get_options(m, target ? extra_options : NULL, &options);
			if (r == 0)
				r = probe_one(m, p.entries[i].ignorecmd, flags, options, cb, data);
			free(options);
		}
		/* A parallel load may have won the race: EEXIST is success, except --first-time. */
		if (r == -EEXIST && m == mod && (flags & MOD_PROBE_FAIL_ON_LOADED))
			break;
		if (r == -EEXIST || !name_in(p.required, p.nrequired, mod_module_get_name(m)))
			r = 0;
		else if (r < 0)
			break;
	}
out:
	plan_free(&p);
	if (r < 0)
		return r;
	if (outcome)
		*outcome = out;
	return 0;
}
