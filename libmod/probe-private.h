/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals shared by probe.c (insert) and probe-remove.c (modprobe -r). */
#pragma once

#include "libmod-private.h"
#include "strset.h"

/* Loaded in the sense of kmod: live or builtin (a coming module is not). */
bool probe_is_inkernel(struct mod_module *mod);
/* The context's configuration, or NULL when it could not be read (logged). */
struct mod_config *probe_config(struct mod_ctx *ctx);
/*
 * Run a config command for mod: $CMDLINE_OPTS replaced by options, MODPROBE_MODULE set, through
 * cb->run_command or /bin/sh. kind is "install", "remove", "pre-install", ... for messages.
 * A non-zero exit status is -EINVAL (logged as kmod does).
 */
int probe_run_command(struct mod_module *mod, const char *kind, const char *cmd,
		      const char *options, const struct mod_probe_callbacks *cb, void *data);
/* Resolve softdep names (each through the full lookup) into one list; NULL for no names. */
int probe_resolve_names(struct mod_ctx *ctx, const char *const *names,
			struct mod_module_list **ret);
/* The pre/post softdep modules of mod (NULL lists when none: count 0). */
int probe_get_softdeps(struct mod_module *mod, struct mod_module_list **pre,
		       struct mod_module_list **post, bool *has_line);
/* Is the module refused by a `forbid` line (by its name or the alias it came through)? */
bool probe_is_forbidden(struct mod_module *mod);

/*
 * Walking the module graph (softdeps, holders) with a mark per module. Softdep lines can form
 * cycles (`softdep a post: b` + `softdep b post: a`, or `softdep x pre: x`); the walk remembers
 * every module it entered, so each is expanded once, instead of recursing until the stack runs
 * out as kmod 30 does on `modprobe -r`. A loop made of softdep steps alone is reported as a
 * warning naming it; one through a hard dependency (listed again before each module that needs
 * it, as kmod does) is the normal shape of a plan and is not. The marks live in a hash
 * set: planning tens of thousands of modules stays linear.
 */
struct probe_walk {
	struct mod_ctx *ctx;
	struct strset seen; /* every name entered -> 1 while it is on the stack, then 0 */
	/* The modules being walked, outermost first: what a cycle message shows. */
	struct probe_walk_frame {
		const char *name; /* borrowed from the module, alive while on the stack */
		bool entered;     /* by probe_walk_enter, not only probe_walk_push */
	} *stack;
	size_t depth, cap;
};

void probe_walk_init(struct probe_walk *w, struct mod_ctx *ctx);
void probe_walk_release(struct probe_walk *w);
/*
 * Enter a module. 0: entered (pair with probe_walk_leave); 1: entered before, skip it (a
 * softdep cycle is logged as a warning); -ENOMEM.
 */
int probe_walk_enter(struct probe_walk *w, const char *name) _must_check_;
/*
 * Put a module on the stack without marking it (a hard dependency: kmod lists it again
 * before every module that needs it); pair with probe_walk_leave.
 */
int probe_walk_push(struct probe_walk *w, const char *name) _must_check_;
/* Leave the innermost module. */
void probe_walk_leave(struct probe_walk *w);

/*
 * What an insert probe did, for all or nothing (probe-rollback.c): each module it loaded and
 * each install command it ran, in order.
 */
struct probe_rollback {
	struct probe_rollback_step {
		struct mod_module *mod; /* a reference */
		bool is_command;        /* an install command ran (cannot be undone) */
	} *steps;
	size_t n, cap;
};

void probe_rollback_release(struct probe_rollback *rb);
int probe_rollback_note(struct probe_rollback *rb, struct mod_module *mod, bool is_command)
	_must_check_;
/*
 * failed (a required module) failed with err: remove the modules loaded, newest first, unless
 * MOD_PROBE_NO_ROLLBACK in flags (an RMMOD action each), then log one line naming the failed
 * module, what was rolled back (or left loaded) and the install commands that cannot be undone.
 * Nothing happens when the probe had done nothing.
 */
void probe_rollback_run(struct probe_rollback *rb, struct mod_module *failed, int err,
			unsigned int flags, const struct mod_probe_callbacks *cb, void *data);
