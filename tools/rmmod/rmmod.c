/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rmmod: remove modules by name or path, after kmod's in-use checks. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "strbuf.h"
#include "tool.h"

static const struct option options[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "syslog", no_argument, NULL, 's' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void help(void)
{
	printf("Usage:\n"
	       "\t%s [options] modulename ...\n"
	       "Options:\n"
	       "\t-f, --force       forces a module unload and may crash your\n"
	       "\t                  machine. This requires Forced Module Removal\n"
	       "\t                  option in your kernel. DANGEROUS\n"
	       "\t-s, --syslog      print to syslog, not stderr\n"
	       "\t-v, --verbose     enables more messages\n"
	       "\t-V, --version     show version\n"
	       "\t-h, --help        show this help\n",
	       program_invocation_short_name);
}

static int check_in_use(struct mod_module *mod)
{
	const char *name = mod_module_get_name(mod);
	struct mod_module_list *holders = NULL;
	enum mod_initstate state;
	long refcnt;
	int r;

	r = mod_module_get_initstate(mod, &state);
	if (r == -ENOSYS) {
		TLOG_ERROR("%s\n", mod_strerror(r));
		return r;
	}
	if (r == 0 && state == MOD_INITSTATE_BUILTIN) {
		TLOG_ERROR("Module %s is builtin.\n", name);
		return -ENOENT;
	}
	if (r < 0) {
		TLOG_ERROR("Module %s is not currently loaded\n", name);
		return -ENOENT;
	}
	if (mod_module_get_holders(mod, &holders) == 0 && mod_module_list_count(holders) > 0) {
		struct strbuf sb;
		int w = 0;

		strbuf_init(&sb, NULL, 0, 0);
		for (size_t i = 0; i < mod_module_list_count(holders) && w == 0; i++)
			w = strbuf_pushf(&sb, " %s",
					 mod_module_get_name(mod_module_list_get(holders, i)));
		TLOG_ERROR("Module %s is in use by:%s\n", name, strbuf_str(&sb));
		strbuf_release(&sb);
		mod_module_list_free(holders);
		return -EBUSY;
	}
	mod_module_list_free(holders);
	r = mod_module_get_refcnt(mod, &refcnt);
	if (r == 0 && refcnt > 0) {
		TLOG_ERROR("Module %s is in use\n", name);
		return -EBUSY;
	}
	if (r == -ENOENT)
		TLOG_ERROR("Module unloading is not supported\n");
	return r < 0 ? r : 0;
}

int tool_rmmod_main(int argc, char *argv[])
{
	struct mod_ctx *ctx = NULL;
	const char *null_config = NULL;
	unsigned int flags = 0;
	bool use_syslog = false;
	int verbose = LOG_ERR, c, r, failed = 0;

	while ((c = getopt_long(argc, argv, "fsvVh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			flags |= MOD_REMOVE_FORCE;
			break;
		default:
			r = tool_common_option(c, &use_syslog, &verbose, help);
			if (r != TOOL_OPTION_CONTINUE)
				return r;
			break;
		}
	}
	tool_log_open(use_syslog);
	tool_log_set_priority(verbose);
	if (optind >= argc) {
		TLOG_ERROR("missing module name.\n");
		failed = 1;
		goto end;
	}
	r = mod_ctx_new(NULL, &null_config, &ctx);
	if (r < 0) {
		TLOG_ERROR("kmod_new() failed!\n");
		failed = 1;
		goto end;
	}
	tool_log_attach(ctx);
	for (int i = optind; i < argc; i++) {
		const char *arg = argv[i];
		struct mod_module *mod;
		struct stat st;

		if (stat(arg, &st) == 0)
			r = mod_module_new_from_path(ctx, arg, &mod);
		else
			r = mod_module_new_from_name(ctx, arg, &mod);
		if (r < 0) {
			TLOG_ERROR("could not use module %s: %s\n", arg, strerror(-r));
			failed++;
			break;
		}
		r = flags & MOD_REMOVE_FORCE ? 0 : check_in_use(mod);
		if (r == 0) {
			r = mod_module_remove(mod, flags);
			if (r < 0) {
				/* modules_disabled stops removals too, with a bare EPERM. */
				char *why = NULL;

				if (mod_ctx_explain_remove_error(ctx, r, &why) < 0)
					why = NULL;
				TLOG_ERROR("could not remove module %s: %s\n", arg,
					   why ? why : strerror(-r));
				free(why);
			}
		}
		mod_module_unref(mod);
		if (r < 0)
			failed++;
		/* Without module support no other module can go either: one line said so. */
		if (r == -ENOSYS)
			break;
	}
end:
	mod_ctx_unref(ctx);
	tool_log_close();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
