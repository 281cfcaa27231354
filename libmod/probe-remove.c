/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modprobe -r as a library call: remove command or delete_module (after the holders with
 * MOD_PROBE_REMOVE_HOLDERS), post-softdeps first, then every dependency nobody uses any more
 * (repeated until nothing more can go, unlike kmod's single pass), then pre-softdeps.
 * Every module removed on the way (holder, softdep) gets the same treatment, as in kmod.
 * Softdeps are best effort: one that is in use, not loaded or fails to go is left as it is.
 * Messages are kmod's words.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "probe-private.h"

/*
 * modprobe reports these refusals at its FATAL level; logging them at LOG_CRIT keeps the words
 * here and lets the tool print them with its prefix.
 */
#define FATAL(ctx, ...) mod_log_cond(ctx, LOG_CRIT, __VA_ARGS__)

/* How a removal frame treats its module, by the way it was reached. */
#define RM_HOLDERS 0x1 /* remove its holders first (MOD_PROBE_REMOVE_HOLDERS) */
#define RM_IGNORE_BUILTIN 0x2 /* a builtin is no error (softdeps, holders) */
#define RM_SOFTDEP 0x4 /* a softdep: never an error, and left loaded while in use */

struct rm {
	struct mod_ctx *ctx;
	unsigned int flags;
	unsigned int wait_ms;
	const struct mod_probe_callbacks *cb;
	void *data;
	/* Each module (target, softdep, holder) is handled once; softdep cycles are reported. */
	struct probe_walk walk;
};

static void report(struct rm *rm, struct mod_module *mod, enum mod_action_kind kind,
		   const char *text)
{
	if (rm->cb && rm->cb->action)
		rm->cb->action(mod, kind, text, "", rm->data);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* delete_module, retrying a busy module with exponential backoff until wait_ms is up. */
static int remove_one(struct rm *rm, struct mod_module *mod)
{
	unsigned int flags = (rm->flags & MOD_PROBE_FORCE_REMOVE) ? MOD_REMOVE_FORCE : 0;
	long long deadline = now_ms() + rm->wait_ms;
	unsigned int delay = 1;
	int r;

	report(rm, mod, MOD_ACTION_RMMOD, NULL);
	if (rm->flags & MOD_PROBE_DRY_RUN)
		return 0;
	if (rm->wait_ms)
		flags |= MOD_REMOVE_NOLOG;
	for (;;) {
		long long left;
		struct timespec ts;

		r = mod_module_remove(mod, flags);
		if (r != -EAGAIN || !rm->wait_ms)
			break;
		left = deadline - now_ms();
		if (left <= 0) {
			ERR(rm->ctx, "could not remove '%s': timed out after %u ms, module in use\n",
			    mod_module_get_name(mod), rm->wait_ms);
			return -ETIME;
		}
		if (delay > left)
			delay = (unsigned int)left;
		ts.tv_sec = delay / 1000;
		ts.tv_nsec = (long)(delay % 1000) * 1000000;
		nanosleep(&ts, NULL);
		delay *= 2;
	}
	if (r < 0 && rm->wait_ms)
		ERR(rm->ctx, "could not remove '%s': %s\n", mod_module_get_name(mod), strerror(-r));
	return r;
}

static bool is_loaded(struct mod_module *mod)
{
	enum mod_initstate st;

	return mod_module_get_initstate(mod, &st) == 0 && st != MOD_INITSTATE_BUILTIN;
}

/* Dependencies nobody holds any more, until a pass removes nothing. */
static void rm_unused_deps(struct rm *rm, struct mod_module *mod)
{
	struct mod_module_list *deps = NULL;
	bool progress = true;

	if (mod_module_get_dependencies(mod, &deps) < 0)
		return;
	while (progress) {
		progress = false;
		for (size_t i = 0; i < mod_module_list_count(deps); i++) {
			struct mod_module *dep = mod_module_list_get(deps, i);
			long refcnt;

			if (!is_loaded(dep) || mod_module_get_refcnt(dep, &refcnt) < 0 || refcnt != 0)
				continue;
			if (remove_one(rm, dep) == 0 && !(rm->flags & MOD_PROBE_DRY_RUN))
				progress = true;
		}
	}
	mod_module_list_free(deps);
}

/*
 * The removal of one module, as a frame of an explicit stack: softdeps and holders are removed
 * by pushing frames, not by recursion, so a 32,768-module softdep chain cannot overflow the C
 * stack (kmod recurses). The steps, in kmod's order:
 *   STEP_BEGIN    mark the module (a softdep cycle ends here), fetch softdeps and command,
 *                 check the state;
 *   STEP_POST     post-softdeps, in reverse order, errors ignored;
 *   STEP_HOLDERS  with RM_HOLDERS, the holders in reverse order, stopping at the first error;
 *   STEP_ACT      in-use check, pre-remove hook, remove command or delete_module, post-remove
 *                 hook, unused dependencies;
 *   STEP_PRE      pre-softdeps, in reverse order, errors ignored.
 */
enum rm_step { STEP_BEGIN, STEP_POST, STEP_HOLDERS, STEP_ACT, STEP_PRE, STEP_END };

struct rm_frame {
	struct mod_module *mod; /* borrowed from the frame below (its list) or the caller */
	int how;
	enum rm_step step;
	bool entered;    /* holds a walk frame */
	const char *cmd; /* remove command, or NULL */
	size_t i;        /* items of the current list still to do */
	int r;           /* the outcome so far; a holder's failure lands here */
	struct mod_module_list *pre, *post, *holders;
};

/* STEP_BEGIN. Returns the next step; STEP_END with f->r set when there is nothing (more) to do. */
static enum rm_step rm_begin(struct rm *rm, struct rm_frame *f)
{
	struct mod_config *cfg = probe_config(rm->ctx);
	const char *name = mod_module_get_name(f->mod);
	enum mod_initstate st;
	int r;

	r = probe_walk_enter(&rm->walk, name);
	if (r != 0) {
		f->r = r < 0 ? r : 0;
		return STEP_END;
	}
	f->entered = true;
	if (!(rm->flags & MOD_PROBE_IGNORE_COMMAND)) {
		r = probe_get_softdeps(f->mod, &f->pre, &f->post, NULL);
		if (r < 0) {
			WARN(rm->ctx, "could not get softdeps of '%s': %s\n", name, strerror(-r));
			f->r = r;
			return STEP_END;
		}
		if (cfg && mod_config_get_remove(cfg, name, &f->cmd) < 0)
			f->cmd = NULL;
	}
	if (!f->cmd && !(rm->flags & MOD_PROBE_IGNORE_LOADED)) {
		r = mod_module_get_initstate(f->mod, &st);
		if (r == -ENOSYS) {
			/* Not "not loaded": nothing is, and nothing can be (no module support). */
			FATAL(rm->ctx, "%s\n", mod_strerror_probe(r));
			f->r = r;
			return STEP_END;
		}
		if (r < 0) {
			/* --first-time is about the named module, not its softdeps. */
			if ((rm->flags & MOD_PROBE_FAIL_ON_LOADED) && !(f->how & RM_SOFTDEP)) {
				FATAL(rm->ctx, "Module %s is not in kernel.\n", name);
				f->r = -ENOENT;
			}
			return STEP_END;
		}
		if (st == MOD_INITSTATE_BUILTIN) {
			if (!(f->how & RM_IGNORE_BUILTIN)) {
				FATAL(rm->ctx, "Module %s is builtin.\n", name);
				f->r = -ENOENT;
			}
			return STEP_END;
		}
	}
	f->i = mod_module_list_count(f->post);
	return STEP_POST;
}

/* STEP_ACT: the module itself. */
static int rm_act(struct rm *rm, struct rm_frame *f)
{
	struct mod_config *cfg = probe_config(rm->ctx);
	struct mod_module *mod = f->mod;
	const char *name = mod_module_get_name(mod), *hook;
	int r;

	if (!f->cmd && !rm->wait_ms && !(rm->flags & MOD_PROBE_FORCE_REMOVE)) {
		long refcnt;

		if (mod_module_get_refcnt(mod, &refcnt) == 0 && refcnt > 0) {
			if (f->how & RM_SOFTDEP) {
				INFO(rm->ctx, "Module %s is in use: softdep left loaded.\n", name);
			} else {
				FATAL(rm->ctx, "Module %s is in use.\n", name);
			}
			return -EBUSY;
		}
	}
	if (cfg && mod_config_get_command(cfg, MOD_CONFIG_PRE_REMOVE, name, &hook) == 0) {
		report(rm, mod, MOD_ACTION_HOOK, hook);
		if (!(rm->flags & MOD_PROBE_DRY_RUN)) {
			r = probe_run_command(mod, "pre-remove", hook, "", rm->cb, rm->data);
			if (r < 0)
				return r;
		}
	}
	if (f->cmd) {
		report(rm, mod, MOD_ACTION_REMOVE, f->cmd);
		r = 0;
		if (!(rm->flags & MOD_PROBE_DRY_RUN))
			r = probe_run_command(mod, "remove", f->cmd, "", rm->cb, rm->data);
	} else if (!(rm->flags & MOD_PROBE_IGNORE_LOADED) && !is_loaded(mod)) {
		/*
		 * It was loaded when checked above, so a holder's removal took it away with that
		 * holder's unused dependencies: do not delete it twice (kmod 30 did, and failed).
		 */
		r = 0;
	} else {
		r = remove_one(rm, mod);
	}
	if (r < 0)
		return r;
	if (cfg && mod_config_get_command(cfg, MOD_CONFIG_POST_REMOVE, name, &hook) == 0) {
		report(rm, mod, MOD_ACTION_HOOK, hook);
		if (!(rm->flags & MOD_PROBE_DRY_RUN)) {
			r = probe_run_command(mod, "post-remove", hook, "", rm->cb, rm->data);
			if (r < 0)
				return r;
		}
	}
	if (!f->cmd)
		rm_unused_deps(rm, mod);
	return 0;
}

struct rm_stack {
	struct rm_frame *v;
	size_t n, cap;
};

static int rm_push(struct rm_stack *st, struct mod_module *mod, int how)
{
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 16;
		struct rm_frame *v = reallocarray(st->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = (struct rm_frame){ .mod = mod, .how = how };
	return 0;
}

/* Close the top frame; its outcome goes to the frame below, which decides what it means. */
static int rm_pop(struct rm *rm, struct rm_stack *st)
{
	struct rm_frame *f = &st->v[--st->n];
	int r = f->r;

	mod_module_list_free(f->holders);
	mod_module_list_free(f->pre);
	mod_module_list_free(f->post);
	if (f->entered)
		probe_walk_leave(&rm->walk);
	/* Only a holder's failure counts: softdeps are best effort. */
	if (st->n > 0 && st->v[st->n - 1].step == STEP_HOLDERS && r < 0)
		st->v[st->n - 1].r = r;
	return r;
}

static int rm_run(struct rm *rm, struct mod_module *mod, int how)
{
	struct rm_stack st = { 0 };
	int r = rm_push(&st, mod, how);

	while (r == 0 && st.n > 0) {
		struct rm_frame *f = &st.v[st.n - 1];

		switch (f->step) {
		case STEP_BEGIN:
			f->step = rm_begin(rm, f);
			break;
		case STEP_POST:
			if (f->i > 0) {
				r = rm_push(&st, mod_module_list_get(f->post, --f->i),
					    RM_IGNORE_BUILTIN | RM_SOFTDEP);
				break;
			}
			f->step = STEP_HOLDERS;
			if ((f->how & RM_HOLDERS) && mod_module_get_holders(f->mod, &f->holders) == 0)
				f->i = mod_module_list_count(f->holders);
			break;
		case STEP_HOLDERS:
			/* A holder's own holders go too (kmod stops with "in use"). */
			if (f->r < 0) {
				f->step = STEP_END;
			} else if (f->i > 0) {
				r = rm_push(&st, mod_module_list_get(f->holders, --f->i),
					    RM_IGNORE_BUILTIN | RM_HOLDERS);
			} else {
				f->step = STEP_ACT;
			}
			break;
		case STEP_ACT:
			f->r = rm_act(rm, f);
			f->step = f->r < 0 ? STEP_END : STEP_PRE;
			f->i = mod_module_list_count(f->pre);
			break;
		case STEP_PRE:
			if (f->i > 0) {
				r = rm_push(&st, mod_module_list_get(f->pre, --f->i),
					    RM_IGNORE_BUILTIN | RM_SOFTDEP);
				break;
			}
			f->step = STEP_END;
			break;
		case STEP_END:
			if (st.n == 1)
				r = f->r;
			rm_pop(rm, &st);
			break;
		}
	}
	while (st.n > 0)
		rm_pop(rm, &st);
	free(st.v);
	return r;
}

LIBMOD_EXPORT int mod_module_probe_remove(struct mod_module *mod, unsigned int flags,
					  unsigned int wait_ms,
					  const struct mod_probe_callbacks *cb, void *data,
					  enum mod_probe_outcome *outcome)
{
	struct rm rm;
	enum mod_initstate st;
	bool was_loaded;
	int r;

	if (!mod)
		return -EINVAL;
	rm = (struct rm){ mod_module_get_ctx(mod), flags, wait_ms, cb, data };
	probe_walk_init(&rm.walk, rm.ctx);
	was_loaded = mod_module_get_initstate(mod, &st) == 0;
	r = rm_run(&rm, mod, (flags & MOD_PROBE_REMOVE_HOLDERS) ? RM_HOLDERS : 0);
	probe_walk_release(&rm.walk);
	if (r < 0)
		return r;
	if (outcome)
		*outcome = was_loaded ? MOD_PROBE_OUTCOME_DONE : MOD_PROBE_OUTCOME_ALREADY;
	return 0;
}
