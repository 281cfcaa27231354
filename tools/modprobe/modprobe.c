/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modprobe: resolve names and aliases, then load or remove modules with their dependencies
 * (the logic lives in the library: mod_module_probe_insert / mod_module_probe_remove). This file
 * is options, output formats and kmod's messages and exit codes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "autoclean.h"
#include "config.h"
#include "json.h"
#include "tool.h"

#define DEFAULT_VERBOSE LOG_WARNING

static const char short_opts[] = "arw:RibfDcnC:d:S:sqvVh";
enum {
	OPT_FORCE_VERMAGIC = 1,
	OPT_FORCE_MODVERSION,
	OPT_FIRST_TIME,
	OPT_SHOW_MODVERSIONS,
	OPT_REMOVE_HOLDERS,
	OPT_SHOW_EXPORTS,
	OPT_JSON,
	OPT_REQUIRE_SIGNATURE,
	OPT_ALLOW_UNSIGNED,
	OPT_NO_ROLLBACK,
	OPT_AUTOCLEAN,
};
static const struct option long_opts[] = {
	{ "all", no_argument, NULL, 'a' },
	{ "remove", no_argument, NULL, 'r' },
	{ "remove-dependencies", no_argument, NULL, OPT_REMOVE_HOLDERS },
	{ "remove-holders", no_argument, NULL, OPT_REMOVE_HOLDERS },
	{ "wait", required_argument, NULL, 'w' },
	{ "resolve-alias", no_argument, NULL, 'R' },
	{ "show-alias", no_argument, NULL, 'R' },
	{ "first-time", no_argument, NULL, OPT_FIRST_TIME },
	{ "ignore-install", no_argument, NULL, 'i' },
	{ "ignore-remove", no_argument, NULL, 'i' },
	{ "use-blacklist", no_argument, NULL, 'b' },
	{ "force", no_argument, NULL, 'f' },
	{ "force-modversion", no_argument, NULL, OPT_FORCE_MODVERSION },
	{ "force-vermagic", no_argument, NULL, OPT_FORCE_VERMAGIC },
	{ "show-depends", no_argument, NULL, 'D' },
	{ "showconfig", no_argument, NULL, 'c' },
	{ "show-config", no_argument, NULL, 'c' },
	{ "show-modversions", no_argument, NULL, OPT_SHOW_MODVERSIONS },
	{ "dump-modversions", no_argument, NULL, OPT_SHOW_MODVERSIONS },
	{ "show-exports", no_argument, NULL, OPT_SHOW_EXPORTS },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "show", no_argument, NULL, 'n' },
	{ "config", required_argument, NULL, 'C' },
	{ "dirname", required_argument, NULL, 'd' },
	{ "set-version", required_argument, NULL, 'S' },
	{ "syslog", no_argument, NULL, 's' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "require-signature", optional_argument, NULL, OPT_REQUIRE_SIGNATURE },
	{ "allow-unsigned", no_argument, NULL, OPT_ALLOW_UNSIGNED },
	{ "no-rollback", no_argument, NULL, OPT_NO_ROLLBACK },
	{ "autoclean", no_argument, NULL, OPT_AUTOCLEAN },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Command-line state; a tool is one run, so plain statics are fine here. */
static int verbose = DEFAULT_VERBOSE;
static bool do_show, dry_run, ignore_loaded, lookup_only, first_time, ignore_commands,
	use_blacklist, force, strip_modversion, strip_vermagic, remove_holders, json, no_rollback;
/* --require-signature / --allow-unsigned: the policy and trust directory for this run. */
static enum mod_signature_policy sig_policy = MOD_SIGNATURE_POLICY_CONFIG;
static const char *sig_trust_dir;
static unsigned int wait_msec;
static bool json_first = true;

static void help(void)
{
	printf("Usage:\n"
	       "\t%s [options] [-i] [-b] modulename\n"
	       "\t%s [options] -a [-i] [-b] modulename [modulename...]\n"
	       "\t%s [options] -r [-i] modulename\n"
	       "\t%s [options] -r -a [-i] modulename [modulename...]\n"
	       "\t%s [options] -c\n"
	       "\t%s [options] --autoclean [-n]\n"
	       "\t%s [options] --show-modversions filename\n"
	       "\t%s [options] --show-exports filename\n"
	       "Management Options:\n"
	       "\t-a, --all                   Consider every non-argument to\n"
	       "\t                            be a module name to be inserted\n"
	       "\t                            or removed (-r)\n"
	       "\t    --autoclean             Remove every loaded module nothing needs\n"
	       "\t                            (see modprobe(8)); with -n only list them\n"
	       "\t-r, --remove                Remove modules instead of inserting\n"
	       "\t    --remove-dependencies   Deprecated: use --remove-holders\n"
	       "\t    --remove-holders        Also remove module holders (use together with -r)\n"
	       "\t-w, --wait <MSEC>           When removing a module, wait up to MSEC for\n"
	       "\t                            module's refcount to become 0 so it can be\n"
	       "\t                            removed (use together with -r)\n"
	       "\t    --first-time            Fail if module already inserted or removed\n"
	       "\t-i, --ignore-install        Ignore install commands\n"
	       "\t-i, --ignore-remove         Ignore remove commands\n"
	       "\t-b, --use-blacklist         Apply blacklist to resolved alias.\n"
	       "\t-f, --force                 Force module insertion or removal.\n"
	       "\t                            implies --force-modversion and\n"
	       "\t                            --force-vermagic\n"
	       "\t    --force-modversion      Ignore module's version\n"
	       "\t    --force-vermagic        Ignore module's version magic\n"
	       "\t    --require-signature[=DIR]\n"
	       "\t                            Refuse modules not signed by a key in DIR\n"
	       "\t                            (default: trusted_keys or %s)\n"
	       "\t    --allow-unsigned        Ignore require_signature in modprobe.d\n"
	       "\t    --no-rollback           Keep what was loaded when a dependency fails\n"
	       "\n"
	       "Query Options:\n"
	       "\t-R, --resolve-alias         Only lookup and print alias and exit\n"
	       "\t-D, --show-depends          Only print module dependencies and exit\n"
	       "\t    --json                  With -D: print the plan as JSON\n"
	       "\t-c, --showconfig            Print out known configuration and exit\n"
	       "\t                            (with -v: the file and line of each entry)\n"
	       "\t-c, --show-config           Same as --showconfig\n"
	       "\t    --show-modversions      Dump module symbol version and exit\n"
	       "\t    --dump-modversions      Same as --show-modversions\n"
	       "\t    --show-exports          Only print module exported symbol versions and exit\n"
	       "\n"
	       "General Options:\n"
	       "\t-n, --dry-run               Do not execute operations, just print out\n"
	       "\t-n, --show                  Same as --dry-run\n"
	       "\t-C, --config=FILE           Use FILE instead of default search paths\n"
	       "\t-d, --dirname=DIR           Use DIR as filesystem root for " MODULE_DIRECTORY "\n"
	       "\t-S, --set-version=VERSION   Use VERSION instead of `uname -r`\n"
	       "\t-s, --syslog                print to syslog, not stderr\n"
	       "\t-q, --quiet                 disable messages\n"
	       "\t-v, --verbose               enables more messages\n"
	       "\t-V, --version               show version\n"
	       "\t-h, --help                  show this help\n",
	       program_invocation_short_name, program_invocation_short_name,
	       program_invocation_short_name, program_invocation_short_name,
	       program_invocation_short_name, program_invocation_short_name,
	       program_invocation_short_name, program_invocation_short_name,
	       mod_signature_default_trust_dir());
}

/* Nested modprobe calls from install/remove commands inherit -C, -q, -s and -v. */
static void env_options_append(const char *value)
{
	const char *old = getenv("MODPROBE_OPTIONS");
	char *s;

	if (asprintf(&s, "%s%s%s", old ? old : "", old && *old ? " " : "", value) < 0)
		return;
	setenv("MODPROBE_OPTIONS", s, 1);
	free(s);
}

static void json_field(const char *key, const char *value, bool last)
{
	printf("\"%s\": ", key);
	json_write_cstr(stdout, value);
	fputs(last ? "}" : ", ", stdout);
}

static void print_action(struct mod_module *mod, enum mod_action_kind kind, const char *text,
			 const char *options, void *data)
{
	static const char *const kinds[] = { "insmod", "builtin", "install", "rmmod", "remove",
					     "hook" };
	const char *name = mod_module_get_name(mod);

	if (json) {
		printf("%s\n  {", json_first ? "" : ",");
		json_first = false;
		json_field("action", kinds[kind], false);
		json_field("module", name, false);
		json_field(kind == MOD_ACTION_INSMOD ? "path" : "command",
			   kind == MOD_ACTION_INSMOD || kind == MOD_ACTION_INSTALL ||
					   kind == MOD_ACTION_REMOVE || kind == MOD_ACTION_HOOK
				   ? text
				   : NULL,
			   false);
		json_field("options", options, true);
		return;
	}
	switch (kind) {
	case MOD_ACTION_INSMOD:
		printf("insmod %s %s\n", text, options);
		break;
	case MOD_ACTION_BUILTIN:
		printf("builtin %s\n", name);
		break;
	case MOD_ACTION_INSTALL:
		printf("install %s %s\n", text, options);
		break;
	case MOD_ACTION_RMMOD:
		printf("rmmod %s\n", name);
		break;
	default:
		/* Remove commands and hooks are not shown: initramfs tools parse this output. */
		break;
	}
	/*
	 * While loading or removing, keep the actions in step with the messages on stderr. A dry
	 * run (-n, -D) only prints: buffered, as kmod does (a flush per line was 20,000
	 * write calls for a 20,000-module plan).
	 */
	if (!dry_run)
		fflush(stdout);
}

static const struct mod_probe_callbacks show_cb = { .action = print_action };

/*
 * A path (starting with / or ./) names that exact file, when it is a regular file named like a
 * module; any other path is "not found", as kmod says (it never read /etc/passwd or a
 * directory as a module). Anything else is looked up.
 */
static int resolve(struct mod_ctx *ctx, const char *arg, struct mod_module_list **ret)
{
	struct mod_module *mod;
	struct stat st;
	int r;

	if (arg[0] == '/' || strncmp(arg, "./", 2) == 0) {
		if (!mod_path_is_module(arg) || stat(arg, &st) < 0 || !S_ISREG(st.st_mode))
			return -ENOENT;
		r = mod_module_new_from_path(ctx, arg, &mod);
		if (r < 0)
			return r;
		r = mod_module_list_new(ret);
		if (r == 0)
			r = mod_module_list_append(*ret, mod);
		mod_module_unref(mod);
		return r;
	}
	return mod_module_lookup(ctx, arg, ret);
}

/* The probe flags loading and removal take from the same options. */
static unsigned int common_probe_flags(void)
{
	unsigned int flags = 0;

	if (ignore_commands)
		flags |= MOD_PROBE_IGNORE_COMMAND;
	if (ignore_loaded)
		flags |= MOD_PROBE_IGNORE_LOADED;
	if (dry_run)
		flags |= MOD_PROBE_DRY_RUN;
	if (first_time)
		flags |= MOD_PROBE_FAIL_ON_LOADED;
	return flags;
}

/* Actions are printed with -n/-D or one -v above the default. */
static const struct mod_probe_callbacks *action_callbacks(void)
{
	return do_show || verbose > DEFAULT_VERBOSE ? &show_cb : NULL;
}

/*
 * Print the policy's reason when the kernel's refusal has one (modules_disabled, lockdown,
 * sig_enforce). The probe's force flags are the insert flags' bits, which the library maps.
 */
static bool explain_insert(struct mod_module *mod, int err, unsigned int probe_flags)
{
	unsigned int flags = 0;
	char *why = NULL;

	if (probe_flags & MOD_PROBE_FORCE_MODVERSION)
		flags |= MOD_INSERT_FORCE_MODVERSION;
	if (probe_flags & MOD_PROBE_FORCE_VERMAGIC)
		flags |= MOD_INSERT_FORCE_VERMAGIC;
	if (mod_module_explain_insert_error(mod, err, flags, true, &why) < 0)
		return false;
	TLOG_ERROR("could not insert '%s': %s\n", mod_module_get_name(mod), why);
	free(why);
	return true;
}

/*
 * The policy of the command line, also for the modprobe calls of install commands (through
 * MODPROBE_OPTIONS, as -C is). --show-depends is a query: it prints the plan and loads nothing,
 * so the configuration's policy does not apply to it; an explicit --require-signature does.
 */
static int apply_signature_policy(struct mod_ctx *ctx)
{
	enum mod_signature_policy policy = sig_policy;
	int r;

	if (sig_policy == MOD_SIGNATURE_POLICY_REQUIRE) {
		char *opt = NULL;

		if (asprintf(&opt, "--require-signature%s%s", sig_trust_dir ? "=" : "",
			     sig_trust_dir ? sig_trust_dir : "") < 0)
			return -ENOMEM;
		env_options_append(opt);
		free(opt);
	} else if (sig_policy == MOD_SIGNATURE_POLICY_ALLOW) {
		env_options_append("--allow-unsigned");
	} else if (ignore_loaded) {
		policy = MOD_SIGNATURE_POLICY_ALLOW;
	}
	r = mod_ctx_set_signature_policy(ctx, policy, sig_trust_dir);
	if (r < 0)
		TLOG_ERROR("could not set the signature policy: %s\n", strerror(-r));
	return r;
}

static int insmod(struct mod_ctx *ctx, const char *alias, const char *extra_options)
{
	struct mod_module_list *list = NULL;
	unsigned int flags = MOD_PROBE_BLACKLIST_ALIAS;
	const struct mod_probe_callbacks *cb;
	int r;

	r = resolve(ctx, alias, &list);
	if (r == -ENOENT || (r == 0 && mod_module_list_count(list) == 0)) {
		TLOG_FATAL("Module %s not found in directory %s\n", alias, mod_ctx_get_moddir(ctx));
		mod_module_list_free(list);
		return -ENOENT;
	}
	if (r < 0)
		return r;
	if (strip_modversion || force)
		flags |= MOD_PROBE_FORCE_MODVERSION;
	if (strip_vermagic || force)
		flags |= MOD_PROBE_FORCE_VERMAGIC;
	if (use_blacklist)
		flags |= MOD_PROBE_BLACKLIST;
	if (no_rollback)
		flags |= MOD_PROBE_NO_ROLLBACK;
	flags |= common_probe_flags();
	cb = action_callbacks();

	for (size_t i = 0; i < mod_module_list_count(list); i++) {
		struct mod_module *mod = mod_module_list_get(list, i);
		const char *name = mod_module_get_name(mod);

		if (lookup_only) {
			printf("%s\n", name);
			continue;
		}
		r = mod_module_probe_insert(mod, flags, extra_options, cb, NULL, NULL);
		if (r >= 0)
			r = 0;
		else if (r == -ENOKEY)
			/* The library named each refused module and why, one line each. */
			TLOG_ERROR("could not insert '%s': refused by the signature policy; nothing "
				   "was loaded\n",
				   name);
		else if (explain_insert(mod, r, flags))
			;
		else if (r == -EEXIST || r == -ENOENT || r == -ENOSYS)
			TLOG_ERROR("could not insert '%s': %s\n", name, mod_strerror_probe(r));
		else
			TLOG_ERROR("could not insert '%s': %s\n", name, strerror(-r));
	}
	mod_module_list_free(list);
	return r;
}

static int rmmod(struct mod_ctx *ctx, const char *alias)
{
	struct mod_module_list *list = NULL;
	unsigned int flags = 0;
	const struct mod_probe_callbacks *cb;
	int r;

	r = resolve(ctx, alias, &list);
	if (r == -ENOENT || (r == 0 && mod_module_list_count(list) == 0)) {
		TLOG_FATAL("Module %s not found.\n", alias);
		mod_module_list_free(list);
		return -ENOENT;
	}
	if (r < 0)
		return r;
	if (remove_holders)
		flags |= MOD_PROBE_REMOVE_HOLDERS;
	if (force)
		flags |= MOD_PROBE_FORCE_REMOVE;
	flags |= common_probe_flags();
	cb = action_callbacks();
	for (size_t i = 0; i < mod_module_list_count(list); i++) {
		r = mod_module_probe_remove(mod_module_list_get(list, i), flags, wait_msec, cb,
					    NULL, NULL);
		if (r < 0)
			break;
	}
	mod_module_list_free(list);
	return r;
}

static int show_config(struct mod_ctx *ctx)
{
	struct mod_config *cfg;
	struct mod_index *idx;
	int r;

	r = mod_ctx_get_config(ctx, &cfg);
	if (r < 0) {
		TLOG_ERROR("could not read the configuration: %s\n", strerror(-r));
		return r;
	}
	fflush(stdout);
	r = mod_config_dump(cfg, STDOUT_FILENO, verbose > DEFAULT_VERBOSE);
	if (r < 0)
		return r;
	fputs("\n# End of configuration files. Dumping indexes now:\n\n", stdout);
	fflush(stdout);
	if (mod_ctx_get_index(ctx, MOD_INDEX_ALIAS, &idx) == 0)
		mod_index_dump(idx, STDOUT_FILENO, "alias ");
	if (mod_ctx_get_index(ctx, MOD_INDEX_SYMBOL, &idx) == 0)
		mod_index_dump(idx, STDOUT_FILENO, "alias ");
	return 0;
}

/* --show-modversions / --show-exports: `0x%08x\t<symbol>` per entry. */
static int show_symbols(struct mod_ctx *ctx, const char *arg, bool exports)
{
	struct mod_module_list *list = NULL;
	struct mod_module *mod = NULL;
	struct mod_elf *elf;
	const char *sym;
	uint64_t crc;
	size_t cursor = 0;
	int r;

	if (arg[0] == '/' || strncmp(arg, "./", 2) == 0 || access(arg, F_OK) == 0) {
		r = mod_module_new_from_path(ctx, arg, &mod);
	} else {
		r = mod_module_lookup(ctx, arg, &list);
		if (r == 0 && mod_module_list_count(list) > 0)
			mod = mod_module_ref(mod_module_list_get(list, 0));
		else if (r == 0)
			r = -ENOENT;
		mod_module_list_free(list);
	}
	if (r < 0) {
		TLOG_FATAL("Module %s not found.\n", arg);
		return r;
	}
	r = mod_module_get_elf(mod, &elf);
	if (r < 0) {
		TLOG_FATAL("could not get %s of %s: %s\n", exports ? "exports" : "modversions",
			   arg, strerror(-r));
		mod_module_unref(mod);
		return r;
	}
	while ((r = exports ? mod_elf_exports_next(elf, &cursor, &sym, &crc)
			    : mod_elf_versions_next(elf, &cursor, &sym, &crc)) == 0)
		printf("0x%08" PRIx64 "\t%s\n", crc, sym);
	mod_module_unref(mod);
	return r < 0 ? r : 0;
}

int tool_modprobe_main(int argc, char *argv[])
{
	struct mod_ctx *ctx = NULL;
	char **args, **orig_argv, **config_paths = NULL, dirname_buf[4096], release[256];
	const char *root = NULL, *kversion = NULL, *dirname = NULL;
	bool do_remove = false, do_load_all = false, do_show_config = false, use_syslog = false;
	bool do_show_modversions = false, do_show_exports = false, do_autoclean = false;
	size_t nconfig = 0;
	int c, r = 0, nargs;
	struct stat st;
	char *end;

	orig_argv = argv;
	argv = tool_prepend_env_options("MODPROBE_OPTIONS", &argc, argv);
	if (!argv) {
		fprintf(stderr, "modprobe: FATAL: could not prepend MODPROBE_OPTIONS\n");
		return EXIT_FAILURE;
	}
	while ((c = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			/* As kmod: what is FATAL for one module is a WARNING among many. */
			tool_log_set_fatal_priority(LOG_WARNING);
			do_load_all = true;
			break;
		case 'r':
			do_remove = true;
			break;
		case OPT_REMOVE_HOLDERS:
			remove_holders = true;
			break;
		case 'w':
			wait_msec = (unsigned int)strtoul(optarg, &end, 0);
			if (*end != '\0' || *optarg == '\0') {
				TLOG_ERROR("unexpected wait value '%s'.\n", optarg);
				r = -EINVAL;
				goto done;
			}
			break;
		case OPT_FIRST_TIME:
			first_time = true;
			break;
		case 'i':
			ignore_commands = true;
			break;
		case 'b':
			use_blacklist = true;
			break;
		case 'f':
			force = true;
			break;
		case OPT_FORCE_MODVERSION:
			strip_modversion = true;
			break;
		case OPT_FORCE_VERMAGIC:
			strip_vermagic = true;
			break;
		case 'D':
			ignore_loaded = dry_run = do_show = true;
			break;
		case 'R':
			lookup_only = true;
			break;
		case 'c':
			do_show_config = true;
			break;
		case OPT_SHOW_MODVERSIONS:
			do_show_modversions = true;
			break;
		case OPT_SHOW_EXPORTS:
			do_show_exports = true;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'C': {
			char **grown = realloc(config_paths, (nconfig + 2) * sizeof(char *));

			if (!grown) {
				r = -ENOMEM;
				goto done;
			}
			config_paths = grown;
			config_paths[nconfig++] = optarg;
			config_paths[nconfig] = NULL;
			env_options_append("-C");
			env_options_append(optarg);
			break;
		}
		case 'd':
			root = optarg;
			break;
		case 'S':
			kversion = optarg;
			break;
		case 's':
			env_options_append("-s");
			use_syslog = true;
			break;
		case 'q':
			env_options_append("-q");
			verbose = LOG_EMERG;
			break;
		case 'v':
			env_options_append("-v");
			verbose++;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_REQUIRE_SIGNATURE:
			if (optarg && !*optarg) {
				TLOG_ERROR("--require-signature= needs a directory\n");
				r = -EINVAL;
				goto done;
			}
			sig_policy = MOD_SIGNATURE_POLICY_REQUIRE;
			sig_trust_dir = optarg;
			break;
		case OPT_ALLOW_UNSIGNED:
			sig_policy = MOD_SIGNATURE_POLICY_ALLOW;
			sig_trust_dir = NULL;
			break;
		case OPT_NO_ROLLBACK:
			no_rollback = true;
			break;
		case OPT_AUTOCLEAN:
			do_autoclean = true;
			break;
		case 'V':
			tool_print_version();
			goto done;
		case 'h':
			help();
			goto done;
		case '?':
			r = -EINVAL;
			goto done;
		default:
			fprintf(stderr, "modprobe: ERROR: unexpected getopt_long() value '%c'.\n", c);
			r = -EINVAL;
			goto done;
		}
	}
	args = argv + optind;
	nargs = argc - optind;
	/* Without a usable stderr (early boot), messages go to syslog. */
	if (!use_syslog && fstat(STDERR_FILENO, &st) < 0)
		use_syslog = true;
	tool_log_open(use_syslog);
	tool_log_set_priority(verbose);

	if (do_autoclean && (nargs > 0 || do_remove || do_show_config || do_load_all)) {
		TLOG_ERROR("--autoclean takes no module names and no other mode. See -h.\n");
		r = -EINVAL;
		goto done;
	}
	if (!do_show_config && !do_autoclean && nargs < 1) {
		TLOG_ERROR("missing parameters. See -h.\n");
		r = -EINVAL;
		goto done;
	}
	if (root || kversion) {
		if (!kversion) {
			r = mod_kernel_release(release, sizeof(release));
			if (r < 0) {
				TLOG_ERROR("uname() failed: %s\n", strerror(-r));
				goto done;
			}
			kversion = release;
		}
		if (snprintf(dirname_buf, sizeof(dirname_buf), "%s" MODULE_DIRECTORY "/%s",
			     root ? root : "", kversion) >= (int)sizeof(dirname_buf)) {
			TLOG_ERROR("path too long\n");
			r = -ENAMETOOLONG;
			goto done;
		}
		dirname = dirname_buf;
	}
	r = mod_ctx_new(dirname, (const char *const *)config_paths, &ctx);
	if (r < 0) {
		TLOG_ERROR("kmod_new() failed!\n");
		goto done;
	}
	tool_log_attach(ctx);
	/*
	 * No mod_ctx_load_indexes() here, unlike kmod's kmod_load_resources(): the library opens
	 * each index on its first lookup, and most calls need one or two of the five (a module
	 * name is answered by modules.dep.bin and modules.builtin.bin). Each index not needed
	 * cost six syscalls (stat, open, fstat, mmap, close, munmap) and its page faults.
	 */
	r = apply_signature_policy(ctx);
	if (r < 0)
		goto done;

	if (do_show_config) {
		r = show_config(ctx);
	} else if (do_autoclean) {
		r = modprobe_autoclean(ctx, dry_run);
	} else if (do_show_modversions || do_show_exports) {
		r = show_symbols(ctx, args[0], do_show_exports);
	} else if (do_remove) {
		for (int i = 0; i < nargs; i++) {
			int k = rmmod(ctx, args[i]);

			if (k < 0)
				r = k;
			/* Without module support no other module can go either: one line said so. */
			if (k == -ENOSYS)
				break;
		}
	} else if (do_load_all) {
		for (int i = 0; i < nargs; i++) {
			int k = insmod(ctx, args[i], NULL);

			if (k < 0)
				r = k;
		}
	} else {
		char *opts = tool_join_params(args + 1, nargs - 1);

		if (!opts) {
			r = -ENOMEM;
			goto done;
		}
		if (json && do_show)
			fputs("[", stdout);
		r = insmod(ctx, args[0], opts);
		if (json && do_show)
			puts(json_first ? "]" : "\n]");
		free(opts);
	}
done:
	mod_ctx_unref(ctx);
	free(config_paths);
	tool_free_env_options(argv, argc, orig_argv);
	tool_log_close();
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
