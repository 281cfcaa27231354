/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internals shared by probe.c (insert) and probe-remove.c (modprobe -r). */
#pragma once

#include "libmod-private.h"

/* Loaded in the sense of the reference: live or builtin (a coming module is not). */
bool probe_is_inkernel(struct mod_module *mod);
/* The context's configuration, or NULL when it could not be read (logged). */
struct mod_config *probe_config(struct mod_ctx *ctx);
/*
 * Run a config command for mod: $CMDLINE_OPTS replaced by options, MODPROBE_MODULE set, through
 * cb->run_command or /bin/sh. kind is "install", "remove", "pre-install", ... for messages.
 * A non-zero exit status is -EINVAL (logged as the reference does).
 */
int probe_run_command(struct mod_module *mod, const char *kind, const char *cmd,
		      const char *options, const struct mod_probe_callbacks *cb, void *data);
/* Resolve softdep names (each through the full lookup) into one list. */
int probe_resolve_names(struct mod_ctx *ctx, const char *const *names,
			struct mod_module_list **ret);
/* The pre/post softdep modules of mod (empty lists when none). */
int probe_get_softdeps(struct mod_module *mod, struct mod_module_list **pre,
		       struct mod_module_list **post, bool *has_line);
/* Is the module refused by a `forbid` line (by its name or the alias it came through)? */
bool probe_is_forbidden(struct mod_module *mod);
