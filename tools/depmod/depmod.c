/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod: index a module tree (modules.dep, modules.alias, ... and the *.bin indexes) with the
 * library's depmod engine. This file is only the command line: options (the newest reference
 * set, with kmod 30's deprecated spellings accepted as no-ops), messages and exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "libmod.h"
#include "tool.h"

static const char options_s[] = "aAb:m:o:C:E:F:ej:nP:uqrvwVh";
static const struct option options[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "quick", no_argument, NULL, 'A' },
	{ "basedir", required_argument, NULL, 'b' },
	{ "moduledir", required_argument, NULL, 'm' },
	{ "outdir", required_argument, NULL, 'o' },
	{ "config", required_argument, NULL, 'C' },
	{ "symvers", required_argument, NULL, 'E' },
	{ "filesyms", required_argument, NULL, 'F' },
	{ "errsyms", no_argument, NULL, 'e' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "show", no_argument, NULL, 'n' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "symbol-prefix", required_argument, NULL, 'P' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "warn", no_argument, NULL, 'w' },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	/* the per-module cache (ours; kmod has none) */
	{ "no-cache", no_argument, NULL, 2 },
	{ "rebuild-cache", no_argument, NULL, 3 },
	{ "no-write-cache", no_argument, NULL, 4 },
	/* deprecated no-ops that kmod 30 still accepts */
	{ "unresolved-error", no_argument, NULL, 'u' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "root", no_argument, NULL, 'r' },
	{ "map", no_argument, NULL, 1 },
	{ NULL, 0, NULL, 0 },
};

static void help(void)
{
	printf("Usage:\n"
	       "\t%s -[aA] [options] [forced_version]\n"
	       "\n"
	       "If no arguments (except options) are given, \"depmod -a\" is assumed\n"
	       "\n"
	       "depmod will output a dependency list suitable for the modprobe utility.\n"
	       "\n"
	       "Options:\n"
	       "\t-a, --all            Probe all modules\n"
	       "\t-A, --quick          Only does the work if there's a new module\n"
	       "\t-e, --errsyms        Report not supplied symbols\n"
	       "\t-n, --show           Write the dependency file on stdout only\n"
	       "\t    --dry-run        Same as --show\n"
	       "\t-P, --symbol-prefix  Architecture symbol prefix\n"
	       "\t-C, --config=PATH    Read configuration from PATH\n"
	       "\t-v, --verbose        Enable verbose mode\n"
	       "\t-w, --warn           Warn on duplicates\n"
	       "\t-j, --jobs=N         Read modules with N threads (default: online CPUs)\n"
	       "\t    --no-cache       Neither read nor write the per-module cache\n"
	       "\t    --rebuild-cache  Read every module, then write a new cache\n"
	       "\t    --no-write-cache Use the cache but leave it unchanged\n"
	       "\t-V, --version        show version\n"
	       "\t-h, --help           show this help\n"
	       "\n"
	       "The following options are useful for people managing distributions:\n"
	       "\t-b, --basedir=DIR    Use an image of a module tree.\n"
	       "\t-m, --moduledir=DIR  Module directory under the base (default " MODULE_DIRECTORY
	       ").\n"
	       "\t-o, --outdir=DIR     Output directory root (default: the basedir).\n"
	       "\t-F, --filesyms=FILE  Use the file instead of the\n"
	       "\t                     current kernel symbols.\n"
	       "\t-E, --symvers=FILE   Use Module.symvers file to check\n"
	       "\t                     symbol versions.\n",
	       program_invocation_short_name);
}

static void show_edge(const char *path, const char *symbol, const char *owner_path, void *data)
{
	printf("%s needs \"%s\": %s\n", path, symbol, owner_path);
}

static bool is_version(const char *s)
{
	unsigned int a, b;

	return sscanf(s, "%u.%u", &a, &b) == 2;
}

int tool_depmod_main(int argc, char *argv[])
{
	struct mod_ctx *ctx = NULL;
	struct mod_depmod *d = NULL;
	const char *basedir = NULL, *outdir = NULL, *moduledir = NULL, *symvers = NULL,
		   *system_map = NULL, *version = NULL;
	const char **configs = NULL;
	int n_configs = 0, verbose = LOG_WARNING, ret = EXIT_FAILURE, r;
	unsigned int flags = 0, threads = 0, cache_flags = 0;
	bool quick = false, dry_run = false;
	char prefix = '\0';
	struct utsname u;

	configs = tool_xmalloc((size_t)argc * sizeof(*configs));
	/* messages while parsing (deprecated options) at the default level */
	tool_log_open(false);
	tool_log_set_priority(verbose);
	for (;;) {
		int idx = -1;
		int c = getopt_long(argc, argv, options_s, options, &idx);

		if (c == -1)
			break;
		switch (c) {
		case 'a':
			break;
		case 'A':
			quick = true;
			break;
		case 'b':
			basedir = optarg;
			break;
		case 'm':
			moduledir = optarg;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'C':
			configs[n_configs++] = optarg;
			break;
		case 'E':
			symvers = optarg;
			break;
		case 'F':
			system_map = optarg;
			break;
		case 'e':
			flags |= MOD_DEPMOD_ERRSYMS;
			break;
		case 'j': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);

			if (*optarg == '\0' || *end != '\0' || n > 1024) {
				TLOG_ERROR("invalid number of jobs: %s\n", optarg);
				goto out;
			}
			threads = (unsigned int)n;
			break;
		}
		case 'n':
			dry_run = true;
			break;
		case 'P':
			if (optarg[0] == '\0' || optarg[1] != '\0') {
				TLOG_FATAL("-P only takes a single char\n");
				goto out;
			}
			prefix = optarg[0];
			break;
		case 'v':
			verbose++;
			break;
		case 'w':
			flags |= MOD_DEPMOD_WARN_DUPS;
			break;
		case 'u':
		case 'q':
		case 'r':
		case 1:
			/* kmod 30's deprecated no-ops, with its warning */
			if (idx >= 0)
				TLOG_WARN("Ignored deprecated option --%s\n", options[idx].name);
			else
				TLOG_WARN("Ignored deprecated option -%c\n", c);
			break;
		case 2:
			cache_flags = MOD_DEPMOD_CACHE_NO_READ | MOD_DEPMOD_CACHE_NO_WRITE;
			break;
		case 3:
			cache_flags = MOD_DEPMOD_CACHE_NO_READ;
			break;
		case 4:
			cache_flags = MOD_DEPMOD_CACHE_NO_WRITE;
			break;
		case 'V':
			tool_print_version();
			ret = EXIT_SUCCESS;
			goto out;
		case 'h':
			help();
			ret = EXIT_SUCCESS;
			goto out;
		case '?':
			/* getopt_long has said what is wrong */
			goto out;
		default:
			TLOG_ERROR("unexpected getopt_long() value '%c'.\n", c);
			goto out;
		}
	}
	tool_log_set_priority(verbose);

	if (optind < argc) {
		if (!is_version(argv[optind])) {
			TLOG_ERROR("Bad version passed %s\n", argv[optind]);
			goto out;
		}
		version = argv[optind++];
	} else {
		if (uname(&u) < 0) {
			TLOG_ERROR("uname() failed: %m\n");
			goto out;
		}
		version = u.release;
	}
	if ((flags & MOD_DEPMOD_ERRSYMS) && !symvers && !system_map)
		TLOG_WARN("-e needs -E or -F\n");

	static const char *const no_config[] = { NULL };

	r = mod_ctx_new(NULL, no_config, &ctx);
	if (r < 0) {
		TLOG_ERROR("could not create context: %s\n", strerror(-r));
		goto out;
	}
	tool_log_attach(ctx);
	r = mod_depmod_new(ctx, &d);
	if (r >= 0 && basedir)
		r = mod_depmod_set_basedir(d, basedir);
	if (r >= 0 && outdir)
		r = mod_depmod_set_outdir(d, outdir);
	if (r >= 0 && moduledir)
		r = mod_depmod_set_moduledir(d, moduledir);
	if (r >= 0)
		r = mod_depmod_set_kernel_version(d, version);
	for (int i = 0; r >= 0 && i < n_configs; i++)
		r = mod_depmod_add_config_path(d, configs[i]);
	if (r >= 0 && symvers)
		r = mod_depmod_set_symvers(d, symvers);
	if (r >= 0 && system_map)
		r = mod_depmod_set_system_map(d, system_map);
	if (r >= 0)
		r = mod_depmod_set_symbol_prefix(d, prefix);
	if (r >= 0)
		r = mod_depmod_set_threads(d, threads);
	if (r >= 0)
		r = mod_depmod_set_flags(d, flags);
	if (r >= 0)
		r = mod_depmod_set_cache_flags(d, cache_flags);
	if (r >= 0 && verbose > LOG_WARNING)
		r = mod_depmod_set_edge_fn(d, show_edge, NULL);
	for (int i = optind; r >= 0 && i < argc; i++) {
		if (argv[i][0] != '/') {
			TLOG_FATAL("%s: not absolute path.\n", argv[i]);
			goto out;
		}
		r = mod_depmod_add_module_path(d, argv[i]);
	}
	if (r < 0) {
		TLOG_ERROR("could not set up depmod: %s\n", strerror(-r));
		goto out;
	}

	/*
	 * The reference loads the symbol file (-E, else -F) before anything else and stops with
	 * FATAL when it cannot; check here so that the message and the exit are the same.
	 */
	if (symvers || system_map) {
		const char *f = symvers ? symvers : system_map;
		int fd = open(f, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			TLOG_FATAL("could not load %s: %m\n", f);
		close(fd);
	}

	if (quick && !dry_run) {
		bool fresh = false;

		r = mod_depmod_is_up_to_date(d, &fresh);
		if (r >= 0 && fresh) {
			ret = EXIT_SUCCESS;
			goto out;
		}
	}

	r = mod_depmod_run(d);
	if (r < 0)
		goto out;
	if (dry_run)
		fflush(stdout);
	r = mod_depmod_write(d, MOD_DEPMOD_OUTPUT_ALL, dry_run ? STDOUT_FILENO : -1);
	if (r < 0)
		goto out;
	ret = EXIT_SUCCESS;
out:
	mod_depmod_unref(d);
	mod_ctx_unref(ctx);
	free(configs);
	tool_log_close();
	return ret;
}
