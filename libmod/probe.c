/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modprobe's insert path as a library call: build the probe list (soft dependencies, hard
 * dependencies in load order, the module), then load each entry or run its install command,
 * with kmod's rules for loaded, builtin, blacklisted and soft-dependency modules, plus
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
	/* Every module reached once (kmod's "visited" mark), cycles reported. */
	struct probe_walk walk;
	/* The module and its hard dependencies: their failures stop the load. */
	struct strset required;
};

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		mod_module_unref(p->entries[i].mod);
	free(p->entries);
	probe_walk_release(&p->walk);
	strset_release(&p->required);
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

/*
 * The plan is built by a loop over an explicit stack of frames, not by recursion: a chain of
 * 32,768 `softdep mI post: mI+1` lines is 65,536 nested steps, which overflowed the C stack
 * (kmod recurses too). Two kinds of frames, kmod's two functions:
 *
 * MODULE (kmod's __kmod_module_get_probe_list): marked on entry (kmod's "visited"; a
 * softdep cycle ends here, reported), its hard dependencies in load order each with their
 * softdeps, then the module itself with its softdeps (or alone with ignorecmd).
 *
 * SOFT (kmod's __kmod_module_fill_softdep): pre-softdeps (each a MODULE), the module, the
 * post-softdeps. A hard dependency is not marked, so it is listed again before every module
 * that needs it, exactly as kmod lists it; its softdeps are marked, so this ends.
 */
enum frame_kind { FRAME_MODULE, FRAME_SOFT };

struct frame {
	enum frame_kind kind;
	struct mod_module *mod; /* borrowed from the frame below (its list) or the caller */
	bool required, ignorecmd; /* MODULE */
	bool entered;             /* SOFT: the module of the MODULE frame below, already entered */
	unsigned int step;
	size_t i;
	struct mod_module_list *deps, *pre, *post;
};

struct frames {
	struct frame *v;
	size_t n, cap;
};

static int frame_push(struct frames *f, struct frame fr)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8; /* small: a plan is usually shallow */
		struct frame *v = reallocarray(f->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = fr;
	return 0;
}

static void frame_drop(struct plan *p, struct frames *f)
{
	struct frame *fr = &f->v[--f->n];

	mod_module_list_free(fr->deps);
	mod_module_list_free(fr->pre);
	mod_module_list_free(fr->post);
	/* Every frame that is still open holds one walk frame (step > 0). */
	if (fr->step > 0 && (fr->kind == FRAME_MODULE || !fr->entered))
		probe_walk_leave(&p->walk);
}

/* One step of the top MODULE frame; may push a frame. */
static int step_module(struct plan *p, struct frames *f)
{
	struct frame *fr = &f->v[f->n - 1];
	struct mod_module *mod = fr->mod;
	size_t ndeps;
	int r;

	switch (fr->step) {
	case 0:
		r = probe_walk_enter(&p->walk, mod_module_get_name(mod));
		if (r != 0) {
			f->n--; /* nothing opened yet */
			return r < 0 ? r : 0;
		}
		fr->step = 1;
		r = mod_module_get_dependencies(mod, &fr->deps);
		if (r == -ENOENT) {
			fr->deps = NULL;
			r = 0;
		}
		if (r < 0 || !fr->required)
			return r;
		ndeps = mod_module_list_count(fr->deps);
		r = strset_add(&p->required, mod_module_get_name(mod), 1);
		for (size_t i = 0; i < ndeps && r >= 0; i++)
			r = strset_add(&p->required,
				       mod_module_get_name(mod_module_list_get(fr->deps, i)), 1);
		return r < 0 ? r : 0;
	case 1:
		/* modules.dep lines are transitive: a dependency's own deps are already listed. */
		if (fr->i < mod_module_list_count(fr->deps))
			return frame_push(f, (struct frame){
						     .kind = FRAME_SOFT,
						     .mod = mod_module_list_get(fr->deps, fr->i++),
					     });
		fr->step = 2;
		if (fr->ignorecmd)
			return plan_append(p, mod, true);
		return frame_push(f, (struct frame){ .kind = FRAME_SOFT, .mod = mod, .entered = true });
	default:
		frame_drop(p, f);
		return 0;
	}
}

/* One step of the top SOFT frame; may push a frame. */
static int step_soft(struct plan *p, struct frames *f)
{
	struct frame *fr = &f->v[f->n - 1];
	int r;

	switch (fr->step) {
	case 0:
		if (!fr->entered) {
			r = probe_walk_push(&p->walk, mod_module_get_name(fr->mod));
			if (r < 0) {
				f->n--;
				return r;
			}
		}
		fr->step = 1;
		r = probe_get_softdeps(fr->mod, &fr->pre, &fr->post, NULL);
		if (r < 0)
			ERR(p->ctx, "could not get softdep: %s\n", strerror(-r));
		return r;
	case 1:
		if (fr->i < mod_module_list_count(fr->pre))
			return frame_push(f, (struct frame){
						     .kind = FRAME_MODULE,
						     .mod = mod_module_list_get(fr->pre, fr->i++),
					     });
		fr->step = 2;
		fr->i = 0;
		/*
		 * The module's install command is honoured even when it has softdeps: kmod
		 * ignores it then (issue #446), which silently defeats `install X /bin/false` for
		 * any module the kernel gave a softdep. The softdeps are still planned around it.
		 */
		return plan_append(p, fr->mod, false);
	case 2:
		if (fr->i < mod_module_list_count(fr->post))
			return frame_push(f, (struct frame){
						     .kind = FRAME_MODULE,
						     .mod = mod_module_list_get(fr->post, fr->i++),
					     });
		fr->step = 3;
		return 0;
	default:
		frame_drop(p, f);
		return 0;
	}
}

static int plan_module(struct plan *p, struct mod_module *mod, bool required, bool ignorecmd)
{
	struct frames f = { 0 };
	int r;

	r = frame_push(&f, (struct frame){ .kind = FRAME_MODULE, .mod = mod, .required = required,
					    .ignorecmd = ignorecmd });
	while (r == 0 && f.n > 0)
		r = f.v[f.n - 1].kind == FRAME_MODULE ? step_module(p, &f) : step_soft(p, &f);
	while (f.n > 0)
		frame_drop(p, &f);
	free(f.v);
	return r;
}

static bool is_required(const struct plan *p, struct mod_module *mod)
{
	return strset_get(&p->required, mod_module_get_name(mod)) != NULL;
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

/* The install command that replaces loading this plan entry, or NULL. */
static const char *install_command(struct mod_module *m, bool ignorecmd)
{
	struct mod_config *cfg = probe_config(mod_module_get_ctx(m));
	const char *cmd;

	if (ignorecmd || !cfg || mod_config_get_install(cfg, mod_module_get_name(m), &cmd) < 0)
		return NULL;
	return cmd;
}

/*
 * Load one plan entry: hooks, then the install command or the file. What was done is noted in
 * rb (a module loaded, a command run) even when a later step (the post-install hook) fails.
 */
static int probe_one(struct mod_module *m, bool ignorecmd, unsigned int flags,
		     const char *options, const struct mod_probe_callbacks *cb, void *data,
		     struct probe_rollback *rb)
{
	unsigned int iflags = 0;
	const char *cmd = install_command(m, ignorecmd);
	int r;

	r = run_hook(m, MOD_CONFIG_PRE_INSTALL, flags, cb, data);
	if (r < 0)
		return r;
	if (cmd) {
		report(cb, data, m, MOD_ACTION_INSTALL, cmd, options);
		if (!(flags & MOD_PROBE_DRY_RUN)) {
			r = probe_run_command(m, "install", cmd, options, cb, data);
			/* A failed command may have done part of its work: it is named too. */
			if (probe_rollback_note(rb, m, true) < 0)
				return -ENOMEM;
		}
	} else {
		if (mod_module_get_path(m))
			report(cb, data, m, MOD_ACTION_INSMOD, mod_module_get_path(m), options);
		else if (mod_module_is_builtin(m))
			report(cb, data, m, MOD_ACTION_BUILTIN, NULL, options);
		if (flags & MOD_PROBE_FORCE_MODVERSION)
			iflags |= MOD_INSERT_FORCE_MODVERSION;
		if (flags & MOD_PROBE_FORCE_VERMAGIC)
			iflags |= MOD_INSERT_FORCE_VERMAGIC;
		if (!(flags & MOD_PROBE_DRY_RUN)) {
			r = module_insert(m, iflags, options);
			if (r == 0 && probe_rollback_note(rb, m, false) < 0)
				return -ENOMEM;
		}
	}
	if (r < 0)
		return r;
	return run_hook(m, MOD_CONFIG_POST_INSTALL, flags, cb, data);
}

/*
 * The signature policy over the whole plan, before anything is loaded: every entry that would
 * be loaded from its file (not loaded yet, not builtin, not replaced by an install command) and
 * that the policy covers is checked once. Every refusal is logged, so one run names them all.
 */
static int check_plan_signatures(struct plan *p, unsigned int flags)
{
	struct strset checked = STRSET_INIT;
	bool refused = false;
	int r = 0;

	for (size_t i = 0; i < p->n; i++) {
		struct mod_module *m = p->entries[i].mod;
		const char *name = mod_module_get_name(m);

		/* Cheapest first: with the policy off, no file or /sys/module state is read. */
		if (!trust_policy_applies(m, true) || strset_get(&checked, name) ||
		    !mod_module_get_path(m) || install_command(m, p->entries[i].ignorecmd) ||
		    (!(flags & MOD_PROBE_IGNORE_LOADED) && probe_is_inkernel(m)))
			continue;
		r = strset_add(&checked, name, 1);
		if (r < 0)
			break;
		r = trust_policy_check(m);
		if (r == -ENOKEY) {
			refused = true;
			r = 0;
		} else if (r < 0) {
			/* Cannot check at all (logged once): the same for every other module. */
			refused = r != -ENOMEM;
			break;
		}
	}
	strset_release(&checked);
	if (r == -ENOMEM)
		return r;
	return refused ? -ENOKEY : 0;
}

LIBMOD_EXPORT int mod_module_probe_insert(struct mod_module *mod, unsigned int flags,
					  const char *extra_options,
					  const struct mod_probe_callbacks *cb, void *data,
					  enum mod_probe_outcome *outcome)
{
	struct plan p = { .required = STRSET_INIT };
	struct probe_rollback rb = { 0 };
	struct mod_module *failed = NULL;
	struct mod_ctx *ctx;
	size_t kept = 0;
	enum mod_probe_outcome out = MOD_PROBE_OUTCOME_DONE;
	int r;

	if (!mod)
		return -EINVAL;
	ctx = mod_module_get_ctx(mod);
	p.ctx = ctx;
	probe_walk_init(&p.walk, ctx);

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

	/*
	 * Refuse the whole load when a module it needs is forbidden; drop forbidden softdeps.
	 * Kept entries are compacted in one pass (a removal per entry was quadratic).
	 */
	for (size_t i = 0; i < p.n; i++) {
		struct mod_module *m = p.entries[i].mod;

		if (!probe_is_forbidden(m) &&
		    !((flags & MOD_PROBE_BLACKLIST_ALL) && is_blacklisted(m))) {
			p.entries[kept++] = p.entries[i];
			continue;
		}
		if (is_required(&p, m) && probe_is_forbidden(m)) {
			ERR(ctx, "module %s needs %s, which is forbidden by the configuration "
				 "('forbid'), not loading it\n",
			    mod_module_get_name(mod), mod_module_get_name(m));
			/* The entries not yet looked at stay owned by the plan. */
			memmove(&p.entries[kept], &p.entries[i], (p.n - i) * sizeof(p.entries[0]));
			p.n = kept + (p.n - i);
			r = -EPERM;
			goto out;
		}
		mod_module_unref(m);
	}
	p.n = kept;
	if (p.n == 0) {
		out = MOD_PROBE_OUTCOME_BLACKLISTED;
		goto out;
	}
	r = check_plan_signatures(&p, flags);
	if (r < 0)
		goto out;

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
				r = probe_one(m, p.entries[i].ignorecmd, flags, options, cb, data,
					      &rb);
			free(options);
		}
		/* A parallel load may have won the race: EEXIST is success, except --first-time. */
		if (r == -EEXIST && m == mod && (flags & MOD_PROBE_FAIL_ON_LOADED))
			break;
		if (r == -EEXIST || !is_required(&p, m)) {
			r = 0;
		} else if (r < 0) {
			failed = m;
			break;
		}
	}
	/* All or nothing: a required module failed, so undo what this probe loaded before it. */
	if (failed && r != -ENOMEM)
		probe_rollback_run(&rb, failed, r, flags, cb, data);
out:
	probe_rollback_release(&rb);
	plan_free(&p);
	if (r < 0)
		return r;
	if (outcome)
		*outcome = out;
	return 0;
}
