/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modprobe -r as a library call: remove command or delete_module (after the holders with
 * MOD_PROBE_REMOVE_HOLDERS), post-softdeps first, then every dependency nobody uses any more
 * (repeated until nothing more can go, unlike the reference's single pass), then pre-softdeps.
 * Every module removed on the way (holder, softdep) gets the same treatment, as in the reference.
 * Softdeps are best effort: one that is in use, not loaded or fails to go is left as it is.
 * Messages are the reference's words.
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

/* How rm_module treats one module, by the way it was reached. */
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

static int rm_module(struct rm *rm, struct mod_module *mod, int how);

/*
 * Remove softdeps in reverse order, ignoring errors (the reference's rule: a softdep was loaded
 * as a courtesy, and one that other modules still use simply stays).
 */
static void rm_softdeps(struct rm *rm, struct mod_module_list *list)
{
	for (size_t i = mod_module_list_count(list); i > 0; i--)
		rm_module(rm, mod_module_list_get(list, i - 1), RM_IGNORE_BUILTIN | RM_SOFTDEP);
}

/*
 * Remove holders in reverse order, stopping at the first error: the module they hold cannot go
 * while one of them stays. A holder's own holders go too (the reference stops with "in use").
 */
static int rm_holders(struct rm *rm, struct mod_module_list *list)
{
	for (size_t i = mod_module_list_count(list); i > 0; i--) {
		int r = rm_module(rm, mod_module_list_get(list, i - 1),
				  RM_IGNORE_BUILTIN | RM_HOLDERS);

		if (r < 0)
			return r;
	}
	return 0;
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

static int rm_module_once(struct rm *rm, struct mod_module *mod, int how);

/* Softdeps may loop back (a post: b, b post: a): a module already reached is left alone. */
static int rm_module(struct rm *rm, struct mod_module *mod, int how)
{
	int r = probe_walk_enter(&rm->walk, mod_module_get_name(mod));

	if (r != 0)
		return r < 0 ? r : 0;
	r = rm_module_once(rm, mod, how);
	probe_walk_leave(&rm->walk);
	return r;
}

static int rm_module_once(struct rm *rm, struct mod_module *mod, int how)
{
	struct mod_config *cfg = probe_config(rm->ctx);
	struct mod_module_list *pre = NULL, *post = NULL, *holders = NULL;
	const char *name = mod_module_get_name(mod);
	const char *cmd = NULL, *hook;
	int r = 0;

	if (!(rm->flags & MOD_PROBE_IGNORE_COMMAND)) {
		r = probe_get_softdeps(mod, &pre, &post, NULL);
		if (r < 0) {
			WARN(rm->ctx, "could not get softdeps of '%s': %s\n", name, strerror(-r));
			return r;
		}
		if (cfg && mod_config_get_remove(cfg, name, &cmd) < 0)
			cmd = NULL;
	}
	if (!cmd && !(rm->flags & MOD_PROBE_IGNORE_LOADED)) {
		enum mod_initstate st;

		if (mod_module_get_initstate(mod, &st) < 0) {
			/* --first-time is about the named module, not its softdeps. */
			if ((rm->flags & MOD_PROBE_FAIL_ON_LOADED) && !(how & RM_SOFTDEP)) {
				FATAL(rm->ctx, "Module %s is not in kernel.\n", name);
				r = -ENOENT;
			}
			goto out;
		}
		if (st == MOD_INITSTATE_BUILTIN) {
			if (!(how & RM_IGNORE_BUILTIN)) {
				FATAL(rm->ctx, "Module %s is builtin.\n", name);
				r = -ENOENT;
			}
			goto out;
		}
	}
	rm_softdeps(rm, post);
	if (how & RM_HOLDERS) {
		if (mod_module_get_holders(mod, &holders) == 0) {
			r = rm_holders(rm, holders);
			if (r < 0)
				goto out;
		}
	}
	if (!cmd && !rm->wait_ms && !(rm->flags & MOD_PROBE_FORCE_REMOVE)) {
		long refcnt;

		if (mod_module_get_refcnt(mod, &refcnt) == 0 && refcnt > 0) {
			if (how & RM_SOFTDEP) {
				INFO(rm->ctx, "Module %s is in use: softdep left loaded.\n", name);
			} else {
				FATAL(rm->ctx, "Module %s is in use.\n", name);
			}
			r = -EBUSY;
			goto out;
		}
	}
	if (cfg && mod_config_get_command(cfg, MOD_CONFIG_PRE_REMOVE, name, &hook) == 0) {
		report(rm, mod, MOD_ACTION_HOOK, hook);
		if (!(rm->flags & MOD_PROBE_DRY_RUN)) {
			r = probe_run_command(mod, "pre-remove", hook, "", rm->cb, rm->data);
			if (r < 0)
				goto out;
		}
	}
	if (cmd) {
		report(rm, mod, MOD_ACTION_REMOVE, cmd);
		if (!(rm->flags & MOD_PROBE_DRY_RUN))
			r = probe_run_command(mod, "remove", cmd, "", rm->cb, rm->data);
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
		goto out;
	if (cfg && mod_config_get_command(cfg, MOD_CONFIG_POST_REMOVE, name, &hook) == 0) {
		report(rm, mod, MOD_ACTION_HOOK, hook);
		if (!(rm->flags & MOD_PROBE_DRY_RUN)) {
			r = probe_run_command(mod, "post-remove", hook, "", rm->cb, rm->data);
			if (r < 0)
				goto out;
		}
	}
	if (!cmd)
		rm_unused_deps(rm, mod);
	rm_softdeps(rm, pre);
out:
	mod_module_list_free(holders);
	mod_module_list_free(pre);
	mod_module_list_free(post);
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
	r = rm_module(&rm, mod, (flags & MOD_PROBE_REMOVE_HOLDERS) ? RM_HOLDERS : 0);
	probe_walk_release(&rm.walk);
	if (r < 0)
		return r;
	if (outcome)
		*outcome = was_loaded ? MOD_PROBE_OUTCOME_DONE : MOD_PROBE_OUTCOME_ALREADY;
	return 0;
}
