/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Removing one module from the kernel (delete_module), always non-blocking. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "libmod-private.h"

LIBMOD_EXPORT int mod_module_remove(struct mod_module *mod, unsigned int flags)
{
	struct mod_ctx *ctx;
	unsigned int kflags = O_NONBLOCK;
	int r;

	if (!mod)
		return -EINVAL;
	ctx = mod_module_get_ctx(mod);
	/* Blocking waits went away in Linux 3.13: O_NONBLOCK always, O_TRUNC forces. */
	if (flags & MOD_REMOVE_FORCE)
		kflags |= O_TRUNC;
	r = ctx->sys->delete_module(ctx->sys_data, mod_module_get_name(mod), kflags);
	if (r < 0 && !(flags & MOD_REMOVE_NOLOG)) {
		/* modules_disabled refuses removals with a bare EPERM too: say so (policy.c). */
		char *why = NULL;

		if (mod_ctx_explain_remove_error(ctx, r, &why) < 0)
			why = NULL;
		ERR(ctx, "could not remove '%s': %s\n", mod_module_get_name(mod),
		    why ? why : strerror(-r));
		free(why);
	}
	return r;
}
