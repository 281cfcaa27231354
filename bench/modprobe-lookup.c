/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * In-process alias resolution benchmark: the same concrete modalias strings resolved to module
 * lists through libkmod (kmod_module_new_from_lookup) and libmod (mod_module_lookup) on the same
 * index files, no configuration on either side. Answers must be identical; prints throughput.
 * Usage: modprobe-lookup MODDIR ALIASFILE [ROUNDS]
 */
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "libmod.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void append(char **out, size_t *len, const char *name)
{
	size_t n = strlen(name);

	*out = realloc(*out, *len + n + 2);
	if (!*out)
		abort();
	memcpy(*out + *len, name, n);
	(*out)[*len + n] = ',';
	*len += n + 1;
	(*out)[*len] = '\0';
}

int main(int argc, char **argv)
{
	const char *none[] = { NULL };
	char **aliases = NULL, **ans_kmod, **ans_ours, line[4096];
	size_t n = 0, cap = 0, mismatches = 0, rounds;
	struct kmod_ctx *kctx;
	struct mod_ctx *mctx;
	double t0, tk = 0, to = 0;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: %s MODDIR ALIASFILE [ROUNDS]\n", argv[0]);
		return 2;
	}
	rounds = argc > 3 ? strtoul(argv[3], NULL, 10) : 3;
	f = fopen(argv[2], "re");
	if (!f)
		return 2;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			aliases = realloc(aliases, cap * sizeof(char *));
		}
		aliases[n++] = strdup(line);
	}
	fclose(f);
	ans_kmod = calloc(n, sizeof(char *));
	ans_ours = calloc(n, sizeof(char *));

	kctx = kmod_new(argv[1], none);
	if (!kctx || kmod_load_resources(kctx) < 0)
		return 2;
	if (mod_ctx_new(argv[1], none, &mctx) < 0 || mod_ctx_load_indexes(mctx) < 0)
		return 2;

	for (size_t r = 0; r < rounds; r++) {
		t0 = now();
		for (size_t i = 0; i < n; i++) {
			struct kmod_list *list = NULL, *l;
			char *out = NULL;
			size_t len = 0;

			append(&out, &len, "");
			if (kmod_module_new_from_lookup(kctx, aliases[i], &list) == 0) {
				kmod_list_foreach(l, list) {
					struct kmod_module *m = kmod_module_get_module(l);

					append(&out, &len, kmod_module_get_name(m));
					kmod_module_unref(m);
				}
				kmod_module_unref_list(list);
			}
			free(ans_kmod[i]);
			ans_kmod[i] = out;
		}
		tk += now() - t0;
		t0 = now();
		for (size_t i = 0; i < n; i++) {
			struct mod_module_list *list = NULL;
			char *out = NULL;
			size_t len = 0;

			append(&out, &len, "");
			if (mod_module_lookup(mctx, aliases[i], &list) == 0) {
				for (size_t j = 0; j < mod_module_list_count(list); j++)
					append(&out, &len,
					       mod_module_get_name(mod_module_list_get(list, j)));
				mod_module_list_free(list);
			}
			free(ans_ours[i]);
			ans_ours[i] = out;
		}
		to += now() - t0;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(ans_kmod[i], ans_ours[i]) != 0) {
			if (mismatches++ < 10)
				fprintf(stderr, "MISMATCH %s: kmod '%s' ours '%s'\n", aliases[i],
					ans_kmod[i], ans_ours[i]);
		}
	}
	printf("aliases %zu rounds %zu  kmod %.0f/s  libmod %.0f/s  speedup %.2fx  mismatches %zu\n",
	       n, rounds, (double)(n * rounds) / tk, (double)(n * rounds) / to, tk / to,
	       mismatches);
	kmod_unref(kctx);
	mod_ctx_unref(mctx);
	return mismatches ? 1 : 0;
}
