/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmod: the multi-call binary. Run as `kmod` it takes kmod's commands (help, list,
 * static-nodes); run through a link named like one of the six tools, it is that tool, so a
 * distribution can install one file and symlinks, as it does with kmod.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct command {
	const char *name;
	int (*run)(int argc, char *argv[]);
	const char *help;
};

static int cmd_help(int argc, char *argv[]);

/* In kmod's order: help prints them as listed. */
static const struct command commands[] = {
	{ "help", cmd_help, "Show help message" },
	{ "list", tool_lsmod_main, "list currently loaded modules" },
	{ "static-nodes", tool_static_nodes_main,
	  "outputs the static-node information installed with the currently running kernel" },
};

static const struct command compat_commands[] = {
	{ "lsmod", tool_lsmod_main, "compat lsmod command" },
	{ "rmmod", tool_rmmod_main, "compat rmmod command" },
	{ "insmod", tool_insmod_main, "compat insmod command" },
	{ "modinfo", tool_modinfo_main, "compat modinfo command" },
	{ "modprobe", tool_modprobe_main, "compat modprobe command" },
	{ "depmod", tool_depmod_main, "compat depmod command" },
};

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static const struct option options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* name: "kmod" for -h, "help" for the help command, as kmod prints it. */
static void help(const char *name)
{
	printf("kmod - Manage kernel modules: list, load, unload, etc\n"
	       "Usage:\n"
	       "\t%s [options] command [command_options]\n\n"
	       "Options:\n"
	       "\t-V, --version     show version\n"
	       "\t-h, --help        show this help\n\n"
	       "Commands:\n",
	       name);
	for (size_t i = 0; i < N_ELEMENTS(commands); i++)
		printf("  %-12s %s\n", commands[i].name, commands[i].help);
	puts("\nkmod also handles gracefully if called from following symlinks:");
	for (size_t i = 0; i < N_ELEMENTS(compat_commands); i++)
		printf("  %-12s %s\n", compat_commands[i].name, compat_commands[i].help);
}

static int cmd_help(int argc, char *argv[])
{
	help(argv[0]);
	return EXIT_SUCCESS;
}

static int run_kmod(int argc, char *argv[])
{
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+hV", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			help(program_invocation_short_name);
			return EXIT_SUCCESS;
		case 'V':
			tool_print_version();
			return EXIT_SUCCESS;
		default:
			/* getopt_long has said what was wrong. */
			return EXIT_FAILURE;
		}
	}
	if (optind >= argc) {
		fputs("missing command\n", stderr);
		help(program_invocation_short_name);
		return EXIT_FAILURE;
	}
	cmd = argv[optind];
	for (size_t i = 0; i < N_ELEMENTS(commands); i++) {
		if (strcmp(cmd, commands[i].name) != 0)
			continue;
		argc -= optind;
		argv += optind;
		/*
		 * The command parses its own options from argv[1]: restart getopt (0 makes glibc
		 * forget its state too). Its messages then name the command ("list: ...").
		 */
		optind = 0;
		return commands[i].run(argc, argv);
	}
	fprintf(stderr, "invalid command '%s'\n", cmd);
	help(program_invocation_short_name);
	return EXIT_FAILURE;
}

int main(int argc, char *argv[])
{
	if (strcmp(program_invocation_short_name, "kmod") == 0)
		return run_kmod(argc, argv);
	for (size_t i = 0; i < N_ELEMENTS(compat_commands); i++) {
		if (strcmp(program_invocation_short_name, compat_commands[i].name) == 0)
			return compat_commands[i].run(argc, argv);
	}
	/* kmod exits with 254 and no word; say why. */
	fprintf(stderr,
		"%s: unknown name: link kmod as lsmod, rmmod, insmod, modinfo, modprobe or depmod\n",
		program_invocation_short_name);
	return EXIT_FAILURE;
}
