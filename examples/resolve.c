/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * resolve: what modprobe would load for a name or alias, with each module's file,
 * dependencies and description. The example of libmod(3): the build compiles it and a test
 * runs it, so the manual page cannot drift from the API.
 *
 * Usage: resolve [MODULE_DIRECTORY] NAME_OR_ALIAS
 */
#include <stdio.h>
#include <string.h>

#include <libmod.h>

static void print_module(struct mod_module *mod)
{
	struct mod_module_list *deps = NULL;
	const char *key, *value;
	size_t cursor = 0, keylen;
	const char *path = mod_module_get_path(mod);

	printf("%s: %s\n", mod_module_get_name(mod),
	       path ? path : mod_module_is_builtin(mod) ? "(builtin)" : "(no file)");
	/* Dependencies come in load order: load them first to last, then the module. */
	if (mod_module_get_dependencies(mod, &deps) == 0) {
		for (size_t i = 0; i < mod_module_list_count(deps); i++)
			printf("  needs %s\n", mod_module_get_name(mod_module_list_get(deps, i)));
		mod_module_list_free(deps);
	}
	/* The .modinfo key/values; keys are not NUL-terminated. */
	while (mod_module_info_next(mod, &cursor, &key, &keylen, &value) == 0) {
		if (keylen == strlen("description") && memcmp(key, "description", keylen) == 0)
			printf("  description: %s\n", value);
	}
}

int main(int argc, char *argv[])
{
	struct mod_ctx *ctx = NULL;
	struct mod_module_list *found = NULL;
	const char *moddir = argc > 2 ? argv[1] : NULL; /* NULL: the running kernel's */
	int r;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s [MODULE_DIRECTORY] NAME_OR_ALIAS\n", argv[0]);
		return 2;
	}
	/* Every call returns 0 or a negative errno. NULL config paths: the default modprobe.d. */
	r = mod_ctx_new(moddir, NULL, &ctx);
	if (r < 0) {
		fprintf(stderr, "mod_ctx_new: %s\n", strerror(-r));
		return 1;
	}
	r = mod_module_lookup(ctx, argv[argc - 1], &found);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[argc - 1], strerror(-r));
	} else {
		for (size_t i = 0; i < mod_module_list_count(found); i++)
			print_module(mod_module_list_get(found, i));
		mod_module_list_free(found);
	}
	/* The context goes last: modules hold a reference on it anyway. */
	mod_ctx_unref(ctx);
	return r < 0 ? 1 : 0;
}
