/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lsmod: the loaded modules with size, use count and holders; --json for programs; --verbose
 * adds each module's details (class, taint, signature, parameters, holder tree; details.c) and
 * the kernel's load policy after the table, which stays exactly kmod's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "details.h"
#include "json.h"
#include "tool.h"

static const struct option options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "syslog", no_argument, NULL, 's' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void help(void)
{
	printf("Usage:\n"
	       "\t%s [options]\n"
	       "Options:\n"
	       "\t-j, --json        print JSON (an array of objects)\n"
	       "\t-s, --syslog      print to syslog, not stderr\n"
	       "\t-v, --verbose     enables more messages; after the table each module's\n"
	       "\t                  class, taint, signature, parameters and holders, and\n"
	       "\t                  the load policy\n"
	       "\t-V, --version     show version\n"
	       "\t-h, --help        show this help\n",
	       program_invocation_short_name);
}

static void print_module(struct mod_module *mod, bool json, bool first)
{
	struct mod_module_list *holders = NULL;
	long size = 0, refcnt;
	int r;

	if (mod_module_get_size(mod, &size) < 0)
		size = 0;
	r = mod_module_get_refcnt(mod, &refcnt);
	if (r < 0)
		refcnt = r; /* kmod prints the error value as the count */
	if (mod_module_get_holders(mod, &holders) < 0)
		holders = NULL;
	if (json) {
		printf("%s\n  {\"name\": ", first ? "" : ",");
		json_write_cstr(stdout, mod_module_get_name(mod));
		printf(", \"size\": %ld, \"refcount\": ", size);
		/* No refcnt file (no unload support): null, where the text layout prints -2. */
		if (r < 0)
			fputs("null", stdout);
		else
			printf("%ld", refcnt);
		fputs(", \"holders\": [", stdout);
	} else {
		printf("%-19s %8ld  %ld", mod_module_get_name(mod), size, refcnt);
	}
	for (size_t i = 0; holders && i < mod_module_list_count(holders); i++) {
		const char *h = mod_module_get_name(mod_module_list_get(holders, i));

		if (json) {
			if (i)
				fputs(", ", stdout);
			json_write_cstr(stdout, h);
		} else {
			putchar(i == 0 ? ' ' : ',');
			fputs(h, stdout);
		}
	}
	if (json) {
		fputs("]", stdout);
		lsmod_print_details_json(mod);
		fputs("}", stdout);
	} else {
		putchar('\n');
	}
	mod_module_list_free(holders);
}

/*
 * One footer line, so that a refused load can be understood from one lsmod -v; the table above
 * stays exactly kmod's. A fact whose file could not be read says so.
 */
static void print_policy(struct mod_ctx *ctx)
{
	unsigned int policy, known;

	if (mod_ctx_get_load_policy(ctx, &policy, &known) < 0)
		return;
	fputs("\nLoad policy: modules_disabled=", stdout);
	if (known & MOD_POLICY_MODULES_DISABLED)
		putchar(policy & MOD_POLICY_MODULES_DISABLED ? '1' : '0');
	else
		fputs("unknown", stdout);
	fputs(" lockdown=", stdout);
	fputs(known & MOD_POLICY_LOCKDOWN_INTEGRITY ? mod_load_policy_lockdown_name(policy)
						     : "unknown", stdout);
	fputs(" sig_enforce=", stdout);
	if (known & MOD_POLICY_SIG_ENFORCE)
		putchar(policy & MOD_POLICY_SIG_ENFORCE ? 'Y' : 'N');
	else
		fputs("unknown", stdout);
	putchar('\n');
}

int tool_lsmod_main(int argc, char *argv[])
{
	struct mod_ctx *ctx = NULL;
	struct mod_module_list *list = NULL;
	const char *null_config = NULL;
	bool use_syslog = false, json = false;
	int verbose = LOG_ERR, c, r;

	while ((c = getopt_long(argc, argv, "jsvVh", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		default:
			r = tool_common_option(c, &use_syslog, &verbose, help);
			if (r != TOOL_OPTION_CONTINUE)
				return r;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "Error: %s takes no arguments.\n", program_invocation_short_name);
		return EXIT_FAILURE;
	}
	tool_log_open(use_syslog);
	tool_log_set_priority(verbose);
	r = mod_ctx_new(NULL, &null_config, &ctx);
	if (r < 0) {
		fputs("Error: could not create context.\n", stderr);
		goto end;
	}
	tool_log_attach(ctx);
	r = mod_module_new_from_loaded(ctx, &list);
	if (r == -ENOSYS) {
		TLOG_ERROR("%s\n", mod_strerror(r));
		goto end;
	}
	if (r < 0) {
		fprintf(stderr, "Error: could not get list of modules: %s\n", strerror(-r));
		goto end;
	}
	if (json)
		fputs("[", stdout);
	else
		puts("Module                  Size  Used by");
	for (size_t i = 0; i < mod_module_list_count(list); i++)
		print_module(mod_module_list_get(list, i), json, i == 0);
	if (json)
		puts(mod_module_list_count(list) ? "\n]" : "]");
	if (!json && verbose > LOG_ERR) {
		if (mod_module_list_count(list))
			putchar('\n');
		for (size_t i = 0; i < mod_module_list_count(list); i++)
			lsmod_print_details(mod_module_list_get(list, i));
		print_policy(ctx);
	}
end:
	mod_module_list_free(list);
	mod_ctx_unref(ctx);
	tool_log_close();
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
