/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modprobe --autoclean: print what the library judged (mod_autoclean_new), one line per loaded
 * module, then remove the unused ones unless this is a dry run (-n).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoclean.h"
#include "tool.h"

static int report_removal(struct mod_module *mod, int err, void *data)
{
	const char *name = mod_module_get_name(mod);
	char *why = NULL;

	if (err == 0) {
		printf("removed %s\n", name);
		return 0;
	}
	if (mod_ctx_explain_remove_error(mod_module_get_ctx(mod), err, &why) == 0) {
		TLOG_ERROR("could not remove '%s': %s\n", name, why);
		free(why);
	} else if (err == -EWOULDBLOCK || err == -EAGAIN) {
		TLOG_ERROR("could not remove '%s': it is in use\n", name);
	} else {
		TLOG_ERROR("could not remove '%s': %s\n", name, strerror(-err));
	}
	return 0;
}

int modprobe_autoclean(struct mod_ctx *ctx, bool dry_run)
{
	struct mod_autoclean *ac = NULL;
	int r;

	r = mod_autoclean_new(ctx, 0, &ac);
	if (r == -ENOSYS) {
		TLOG_ERROR("%s\n", mod_strerror(r));
		return r;
	}
	if (r < 0) {
		TLOG_ERROR("could not judge the loaded modules: %s\n", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < mod_autoclean_count(ac); i++) {
		enum mod_autoclean_verdict v = mod_autoclean_get_verdict(ac, i);

		printf("%s %s: %s\n", v == MOD_AUTOCLEAN_REMOVE ? "remove" : "keep",
		       mod_module_get_name(mod_autoclean_get_module(ac, i)),
		       mod_autoclean_get_reason(ac, i));
	}
	if (!dry_run) {
		fflush(stdout);
		r = mod_autoclean_remove(ac, report_removal, NULL);
	}
	mod_autoclean_free(ac);
	return r;
}
