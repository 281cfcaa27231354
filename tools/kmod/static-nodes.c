/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmod static-nodes: the device nodes of modules.devname for the running kernel, in a human,
 * systemd-tmpfiles or modules.devname format, so that /dev/fuse and friends exist before their
 * modules are loaded (systemd's kmod-static-nodes.service runs it). Output and messages are
 * kmod's byte for byte; parsing is the library's (mod_devname_next).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "tool.h"

/* modules.devname is a few hundred bytes; this only bounds a hostile file. */
#define DEVNAME_MAX (16u << 20)

typedef void (*write_fn)(FILE *out, const struct mod_devname_entry *e);

static void write_human(FILE *out, const struct mod_devname_entry *e)
{
	fprintf(out,
		"Module: %.*s\n"
		"\tDevice node: /dev/%.*s\n"
		"\t\tType: %s device\n"
		"\t\tMajor: %u\n"
		"\t\tMinor: %u\n",
		(int)e->module_len, e->module, (int)e->node_len, e->node,
		e->type == 'c' ? "character" : "block", e->major, e->minor);
}

static void write_tmpfiles(FILE *out, const struct mod_devname_entry *e)
{
	const char *slash = memrchr(e->node, '/', e->node_len);

	/* systemd-tmpfiles creates no parents for a node: the directory comes first. */
	if (slash)
		fprintf(out, "d /dev/%.*s 0755 - - -\n", (int)(slash - e->node), e->node);
	fprintf(out, "%c! /dev/%.*s 0600 - - - %u:%u\n", e->type, (int)e->node_len, e->node,
		e->major, e->minor);
}

static void write_devname(FILE *out, const struct mod_devname_entry *e)
{
	fprintf(out, "%.*s %.*s %c%u:%u\n", (int)e->module_len, e->module, (int)e->node_len,
		e->node, e->type, e->major, e->minor);
}

static const struct format {
	const char *name;
	write_fn write;
} formats[] = {
	{ "human", write_human },
	{ "tmpfiles", write_tmpfiles },
	{ "devname", write_devname },
};

static const struct option options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void help(void)
{
	printf("Usage:\n"
	       "\t%s static-nodes [options]\n"
	       "\n"
	       "%s static-nodes outputs the static-node information of the currently running "
	       "kernel.\n"
	       "\n"
	       "Options:\n"
	       "\t-f, --format=FORMAT  choose format to use: see \"Formats\"\n"
	       "\t-o, --output=FILE    write output to file\n"
	       "\t-h, --help           show this help\n"
	       "\n"
	       "Formats:\n"
	       "\thuman        (default) a human readable format. Do not parse.\n"
	       "\ttmpfiles     the tmpfiles.d(5) format used by systemd-tmpfiles.\n"
	       "\tdevname      the modules.devname format.\n",
	       program_invocation_short_name, program_invocation_short_name);
}

/* Create the directories leading to path (not path itself), as `mkdir -p $(dirname path)`. */
static int mkdir_parents(const char *path)
{
	char *copy = strdup(path);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *s = strchr(copy + 1, '/'); s && r == 0; s = strchr(s + 1, '/')) {
		struct stat st;

		*s = '\0';
		if (mkdir(copy, 0755) < 0) {
			if (errno != EEXIST)
				r = -errno;
			else if (stat(copy, &st) < 0)
				r = -errno;
			else if (!S_ISDIR(st.st_mode))
				r = -ENOTDIR;
		}
		*s = '/';
	}
	free(copy);
	return r;
}

/* Read modules.devname of the running kernel; 1 (after kmod's warning) if missing. */
static int read_devname(char **buf, size_t *len)
{
	static const char *const no_config[] = { NULL };
	struct mod_ctx *ctx = NULL;
	char *path = NULL;
	int r;

	r = mod_ctx_new(NULL, no_config, &ctx);
	if (r < 0) {
		fputs("Error: uname failed!\n", stderr);
		return r;
	}
	if (asprintf(&path, "%s/modules.devname", mod_ctx_get_moddir(ctx)) < 0) {
		path = NULL;
		r = -ENOMEM;
		fputs("Error: out of memory\n", stderr);
		goto out;
	}
	r = read_file_all(path, DEVNAME_MAX, buf, len);
	if (r == -ENOENT) {
		fprintf(stderr, "Warning: %s not found - ignoring\n", path);
		r = 1;
	} else if (r == -EINVAL) {
		/* Not a regular file: kmod reads nothing from it and says nothing. */
		*buf = NULL;
		*len = 0;
		r = 0;
	} else if (r < 0) {
		fprintf(stderr, "Error: could not open %s - %s\n", path, strerror(-r));
	}
out:
	free(path);
	mod_ctx_unref(ctx);
	return r;
}

static FILE *open_output(const char *output)
{
	FILE *out;
	int r;

	if (!output)
		return stdout;
	r = mkdir_parents(output);
	if (r < 0) {
		fprintf(stderr, "Error: could not create parent directory for %s - %s.\n", output,
			strerror(-r));
		return NULL;
	}
	out = fopen(output, "we");
	if (!out)
		fprintf(stderr, "Error: could not create %s - %m\n", output);
	return out;
}

int tool_static_nodes_main(int argc, char *argv[])
{
	const struct format *format = &formats[0];
	const char *output = NULL;
	struct mod_devname_entry e;
	size_t len = 0, cursor = 0;
	char *buf = NULL;
	FILE *out = NULL;
	int ret = EXIT_SUCCESS, c, r;

	while ((c = getopt_long(argc, argv, "o:f:h", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			format = NULL;
			for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
				if (strcmp(optarg, formats[i].name) == 0)
					format = &formats[i];
			if (!format) {
				fprintf(stderr, "Unknown format: '%s'.\n", optarg);
				help();
				return EXIT_FAILURE;
			}
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		default:
			/* getopt_long has said what was wrong. */
			return EXIT_FAILURE;
		}
	}

	/* A missing file is no error (a kernel without such modules), and no output is made. */
	r = read_devname(&buf, &len);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	out = open_output(output);
	if (!out) {
		free(buf);
		return EXIT_FAILURE;
	}
	while (buf && (r = mod_devname_next(buf, len, &cursor, &e)) != 1) {
		if (r == -EBADMSG) {
			/* Reported and skipped; the other nodes are still written. */
			fprintf(stderr, "Error: invalid devname entry: %.*s", (int)e.line_len, e.line);
			ret = EXIT_FAILURE;
			continue;
		}
		if (r < 0)
			break;
		format->write(out, &e);
	}
	free(buf);
	/* Unlike kmod, a short write (a full disk) is an error: the nodes are missing. */
	if ((out == stdout ? fflush(out) : fclose(out)) != 0 || (out == stdout && ferror(out))) {
		fprintf(stderr, "Error: could not write %s - %m\n", output ? output : "output");
		ret = EXIT_FAILURE;
	}
	return ret;
}
