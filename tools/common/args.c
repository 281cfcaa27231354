/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Argument helpers: module parameter joining and $MODPROBE_OPTIONS splitting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "strbuf.h"
#include "tool.h"

void *tool_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		fprintf(stderr, "%s: out of memory\n", program_invocation_short_name);
		exit(EXIT_FAILURE);
	}
	return p;
}

char *tool_join_params(char *const *args, int n)
{
	struct strbuf sb;
	int r = 0;

	strbuf_init(&sb, NULL, 0, 0);
	for (int i = 0; i < n && r == 0; i++) {
		const char *eq = strchr(args[i], '=');

		if (i > 0)
			r = strbuf_pushchar(&sb, ' ');
		/* The kernel splits parameters on spaces outside quotes. */
		if (r == 0 && eq && eq[1] != '"' && eq[1] != '\'' && strchr(eq, ' ')) {
			r = strbuf_pushmem(&sb, args[i], (size_t)(eq + 1 - args[i]));
			if (r == 0)
				r = strbuf_pushf(&sb, "\"%s\"", eq + 1);
		} else if (r == 0) {
			r = strbuf_pushstr(&sb, args[i]);
		}
	}
	if (r < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	if (strbuf_len(&sb) == 0) {
		strbuf_release(&sb);
		return strdup("");
	}
	return strbuf_steal(&sb);
}

char **tool_prepend_env_options(const char *var, int *argc, char **argv)
{
	const char *env = getenv(var);
	char **nargv, *buf, *w;
	size_t nwords = 0, len;
	int i, k;

	if (!env || !*env)
		return argv;
	len = strlen(env);
	/* Worst case: every byte a word; the words are written into one copy. */
	nargv = calloc((size_t)*argc + len + 2, sizeof(char *));
	buf = malloc(len + 1);
	if (!nargv || !buf) {
		free(nargv);
		free(buf);
		return NULL;
	}
	nargv[0] = argv[0];
	w = buf;
	for (const char *p = env; *p;) {
		char quote = 0;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		nargv[1 + nwords++] = w;
		for (; *p && (quote || *p != ' '); p++) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '"' || *p == '\''))
				quote = *p;
			else
				*w++ = *p;
		}
		*w++ = '\0';
	}
	if (nwords == 0) {
		free(buf);
		free(nargv);
		return argv;
	}
	k = 1 + (int)nwords;
	for (i = 1; i < *argc; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	/* The word buffer is parked after the terminator: getopt may permute the words. */
	nargv[k + 1] = buf;
	*argc = k;
	return nargv;
}

void tool_free_env_options(char **argv, int argc, char **orig)
{
	if (argv == orig || !argv)
		return;
	free(argv[argc + 1]);
	free(argv);
}

void tool_print_version(void)
{
	printf("kmod version %s (libmod %s)\n", KMOD_COMPAT_VERSION, PACKAGE_VERSION);
	printf("%s %s %s %s\n", ENABLE_ZSTD ? "+ZSTD" : "-ZSTD", ENABLE_XZ ? "+XZ" : "-XZ",
	       ENABLE_ZLIB ? "+ZLIB" : "-ZLIB", ENABLE_OPENSSL ? "+LIBCRYPTO" : "-LIBCRYPTO");
}

int tool_common_option(int c, bool *use_syslog, int *verbose, void (*help)(void))
{
	switch (c) {
	case 's':
		*use_syslog = true;
		return TOOL_OPTION_CONTINUE;
	case 'v':
		(*verbose)++;
		return TOOL_OPTION_CONTINUE;
	case 'V':
		tool_print_version();
		return EXIT_SUCCESS;
	case 'h':
		help();
		return EXIT_SUCCESS;
	case '?':
		/* getopt_long has said what was wrong. */
		return EXIT_FAILURE;
	default:
		fprintf(stderr, "%s: ERROR: unexpected getopt_long() value '%c'.\n",
			program_invocation_short_name, c);
		return EXIT_FAILURE;
	}
}
