/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* insmod: load one module file with the given parameters. No dependency or config handling. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tool.h"

static const struct option options[] = {
	{ "force", no_argument, NULL, 'f' },
	{ "force-modversion", no_argument, NULL, 2 },
	{ "force-vermagic", no_argument, NULL, 3 },
	{ "require-signature", optional_argument, NULL, 4 },
	{ "syslog", no_argument, NULL, 's' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void help(void)
{
	printf("Usage:\n"
	       "\t%s [options] filename [args]\n"
	       "Options:\n"
	       "\t-f, --force       DANGEROUS: forces a module load, may cause\n"
	       "\t                  data corruption and crash your machine.\n"
	       "\t                  implies --force-modversion and\n"
	       "\t                  --force-vermagic\n"
	       "\t    --force-modversion  Ignore module's version\n"
	       "\t    --force-vermagic    Ignore module's version magic\n"
	       "\t    --require-signature[=DIR]\n"
	       "\t                  Refuse a module not signed by a key in DIR\n"
	       "\t                  (default %s)\n"
	       "\t-s, --syslog      print to syslog, not stderr\n"
	       "\t-v, --verbose     enables more messages\n"
	       "\t-V, --version     show version\n"
	       "\t-h, --help        show this help\n",
	       program_invocation_short_name, mod_signature_default_trust_dir());
}

int tool_insmod_main(int argc, char *argv[])
{
	struct mod_ctx *ctx = NULL;
	struct mod_module *mod = NULL;
	const char *null_config = NULL;
	unsigned int flags = 0;
	bool use_syslog = false;
	int verbose = LOG_ERR, c, r;
	char *opts = NULL;
	const char *filename, *trust_dir = NULL;
	bool require_signature = false;

	while ((c = getopt_long(argc, argv, "fsvVh", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			flags |= MOD_INSERT_FORCE_MODVERSION | MOD_INSERT_FORCE_VERMAGIC;
			break;
		case 2:
			flags |= MOD_INSERT_FORCE_MODVERSION;
			break;
		case 3:
			flags |= MOD_INSERT_FORCE_VERMAGIC;
			break;
		case 4:
			if (optarg && !*optarg) {
				fprintf(stderr, "insmod: ERROR: --require-signature= needs a directory\n");
				return EXIT_FAILURE;
			}
			require_signature = true;
			trust_dir = optarg;
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
		TLOG_ERROR("missing filename.\n");
		r = -EINVAL;
		goto end;
	}
	filename = argv[optind];
	if (strcmp(filename, "-") == 0) {
		TLOG_ERROR("this tool does not support loading from stdin!\n");
		r = -EINVAL;
		goto end;
	}
	opts = tool_join_params(argv + optind + 1, argc - optind - 1);
	if (!opts) {
		TLOG_ERROR("could not gather module options: out-of-memory\n");
		r = -ENOMEM;
		goto end;
	}
	/* insmod reads no modprobe.d: an empty config list. */
	r = mod_ctx_new(NULL, &null_config, &ctx);
	if (r < 0) {
		TLOG_ERROR("kmod_new() failed!\n");
		goto end;
	}
	tool_log_attach(ctx);
	if (require_signature) {
		r = mod_ctx_set_signature_policy(ctx, MOD_SIGNATURE_POLICY_REQUIRE, trust_dir);
		if (r < 0) {
			TLOG_ERROR("could not set the signature policy: %s\n", strerror(-r));
			goto end;
		}
	}
	r = mod_module_new_from_path(ctx, filename, &mod);
	if (r < 0) {
		TLOG_ERROR("could not load module %s: %s\n", filename, strerror(-r));
		goto end;
	}
	r = mod_module_insert(mod, flags, opts);
	if (r == -ENOKEY) {
		/* The library said which module and why in one line: nothing more to add. */
	} else if (r < 0) {
		/* The kernel's bare EPERM/EKEYREJECTED hides which policy refused the load. */
		char *why = NULL;

		if (mod_module_explain_insert_error(mod, r, flags, false, &why) < 0)
			why = NULL;
		TLOG_ERROR("could not insert module %s: %s\n", filename,
			   why ? why : mod_strerror(r));
		free(why);
	}
end:
	mod_module_unref(mod);
	mod_ctx_unref(ctx);
	free(opts);
	tool_log_close();
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
