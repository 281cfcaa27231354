/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loading and removing: kmod_module_insert_module, kmod_module_remove_module and
 * kmod_module_probe_insert_module on libmod's insert, remove and probe. The work is libmod's;
 * this file translates flags, callbacks and libkmod's return conventions (0, -errno, or the
 * positive blacklist flag that stopped a probe).
 */
#include <errno.h>
#include <stdlib.h>

#include "shim.h"

KMOD_EXPORT int kmod_module_insert_module(struct kmod_module *mod, unsigned int flags,
					  const char *options)
{
	unsigned int mflags = 0;

	if (!mod)
		return -ENOENT;
	/* The bits are swapped between the two libraries. */
	if (flags & KMOD_INSERT_FORCE_VERMAGIC)
		mflags |= MOD_INSERT_FORCE_VERMAGIC;
	if (flags & KMOD_INSERT_FORCE_MODVERSION)
		mflags |= MOD_INSERT_FORCE_MODVERSION;
	return mod_module_insert(mod->mod, mflags, options ? options : "");
}

KMOD_EXPORT int kmod_module_remove_module(struct kmod_module *mod, unsigned int flags)
{
	unsigned int mflags = 0;

	if (!mod)
		return -ENOENT;
	/*
	 * O_NONBLOCK is always passed (KMOD_REMOVE_NOWAIT is implied). KMOD_REMOVE_NOLOG is
	 * honoured as documented; kmod 30 masks it away before testing it and always logs.
	 */
	if (flags & KMOD_REMOVE_FORCE)
		mflags |= MOD_REMOVE_FORCE;
	if (flags & KMOD_REMOVE_NOLOG)
		mflags |= MOD_REMOVE_NOLOG;
	return mod_module_remove(mod->mod, mflags);
}

/* What libmod's callbacks need to reach the libkmod caller's. */
struct probe_cb {
	struct kmod_ctx *ctx;
	int (*run_install)(struct kmod_module *m, const char *cmdline, void *data);
	void *data;
	void (*print_action)(struct kmod_module *m, bool install, const char *options);
	/* Modules handed to the callbacks stay alive until the probe ends, as in libkmod. */
	struct kmod_list *seen;
	int err;
};

static struct kmod_module *probe_module(struct probe_cb *cb, struct mod_module *mod)
{
	struct kmod_module *m;
	struct kmod_list *grown;

	if (module_wrap(cb->ctx, mod, &m) < 0)
		return NULL;
	grown = list_append(cb->seen, m);
	if (!grown) {
		kmod_module_unref(m);
		return NULL;
	}
	cb->seen = grown;
	return m;
}

static void action_trampoline(struct mod_module *mod, enum mod_action_kind kind, const char *text,
			      const char *options, void *data)
{
	struct probe_cb *cb = data;
	struct kmod_module *m;

	/* libkmod reports loads and install commands only; libmod's legacy hooks are ours. */
	if (!cb->print_action || (kind != MOD_ACTION_INSMOD && kind != MOD_ACTION_BUILTIN &&
				  kind != MOD_ACTION_INSTALL))
		return;
	m = probe_module(cb, mod);
	if (m)
		cb->print_action(m, kind == MOD_ACTION_INSTALL, options ? options : "");
}

static int run_trampoline(struct mod_module *mod, const char *cmd, void *data)
{
	struct probe_cb *cb = data;
	struct kmod_module *m = probe_module(cb, mod);

	if (!m)
		return -ENOMEM;
	return cb->run_install(m, cmd, cb->data);
}

static bool is_inkernel(struct kmod_module *mod)
{
	enum mod_initstate st;

	if (mod_module_get_initstate(mod->mod, &st) < 0)
		return false;
	return st == MOD_INITSTATE_LIVE || st == MOD_INITSTATE_BUILTIN;
}

KMOD_EXPORT int kmod_module_probe_insert_module(
	struct kmod_module *mod, unsigned int flags, const char *extra_options,
	int (*run_install)(struct kmod_module *m, const char *cmdline, void *data),
	const void *data, void (*print_action)(struct kmod_module *m, bool install,
					       const char *options))
{
	static const struct {
		unsigned int kmod, mod;
	} flag_map[] = {
		{ KMOD_PROBE_FORCE_VERMAGIC, MOD_PROBE_FORCE_VERMAGIC },
		{ KMOD_PROBE_FORCE_MODVERSION, MOD_PROBE_FORCE_MODVERSION },
		{ KMOD_PROBE_IGNORE_COMMAND, MOD_PROBE_IGNORE_COMMAND },
		{ KMOD_PROBE_IGNORE_LOADED, MOD_PROBE_IGNORE_LOADED },
		{ KMOD_PROBE_DRY_RUN, MOD_PROBE_DRY_RUN },
		{ KMOD_PROBE_FAIL_ON_LOADED, MOD_PROBE_FAIL_ON_LOADED },
		{ KMOD_PROBE_APPLY_BLACKLIST_ALL, MOD_PROBE_BLACKLIST_ALL },
		/* The target's own blacklist check is made here (see below). */
	};
	struct probe_cb cb = {
		.run_install = run_install,
		.data = (void *)data,
		.print_action = print_action,
	};
	struct mod_probe_callbacks mcb = {
		.action = action_trampoline,
		.run_command = run_install ? run_trampoline : NULL,
	};
	enum mod_probe_outcome outcome = MOD_PROBE_OUTCOME_DONE;
	/*
	 * libkmod leaves loaded what a failed probe loaded, and its callers (udev, systemd) expect
	 * exactly libkmod's calls and actions: the rollback is modprobe's, not this layer's.
	 */
	unsigned int mflags = MOD_PROBE_NO_ROLLBACK;
	int r;

	if (!mod)
		return -ENOENT;
	cb.ctx = mod->ctx;
	if (!(flags & KMOD_PROBE_IGNORE_LOADED) && is_inkernel(mod))
		return (flags & KMOD_PROBE_FAIL_ON_LOADED) ? -EEXIST : 0;
	/*
	 * The blacklist that stops the probe is returned as its (positive) flag value; systemd
	 * compares the result with KMOD_PROBE_APPLY_BLACKLIST. libkmod's order of checks decides
	 * which flag is reported when several are set.
	 */
	if (module_is_blacklisted(mod)) {
		if ((flags & KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY) && mod_module_get_alias(mod->mod))
			return KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY;
		if (flags & KMOD_PROBE_APPLY_BLACKLIST_ALL)
			return KMOD_PROBE_APPLY_BLACKLIST_ALL;
		if (flags & KMOD_PROBE_APPLY_BLACKLIST)
			return KMOD_PROBE_APPLY_BLACKLIST;
	}
	for (size_t i = 0; i < ARRAY_SIZE(flag_map); i++)
		if (flags & flag_map[i].kmod)
			mflags |= flag_map[i].mod;

	r = mod_module_probe_insert(mod->mod, mflags, extra_options, &mcb, &cb, &outcome);
	kmod_module_unref_list(cb.seen);
	if (r < 0)
		return r;
	/* Everything was filtered out by the blacklist applied to the whole probe list. */
	if (outcome == MOD_PROBE_OUTCOME_BLACKLISTED)
		return KMOD_PROBE_APPLY_BLACKLIST_ALL;
	return 0;
}
