/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lsmod --verbose and --json: what each loaded module is (its class), its taint flags, whether
 * the kernel found its signature valid, its parameters and the tree of modules holding it. All
 * of it comes from the library (mod_module_get_class and friends); this file only formats.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "details.h"
#include "json.h"

/* Deeper than any real chain of holders; stops a cycle in a broken sysfs. */
#define HOLDER_DEPTH_MAX 16

static void text_holders(struct mod_module *mod, unsigned int depth)
{
	struct mod_module_list *holders = NULL;

	if (depth > HOLDER_DEPTH_MAX || mod_module_get_holders(mod, &holders) < 0)
		return;
	for (size_t i = 0; i < mod_module_list_count(holders); i++) {
		struct mod_module *h = mod_module_list_get(holders, i);

		printf("%*s%s\n", (int)(2 * depth + 4), "", mod_module_get_name(h));
		text_holders(h, depth + 1);
	}
	mod_module_list_free(holders);
}

static int text_param(const char *name, const char *value, void *data)
{
	bool *first = data;

	printf("%s%s=%s", *first ? " " : ", ", name, value ? value : "(unreadable)");
	*first = false;
	return 0;
}

/* "valid", "not valid (taint E: ...)" or "unknown (...)": the state with its evidence. */
static const char *signature_words(struct mod_module *mod)
{
	enum mod_loaded_signature s;

	if (mod_module_get_loaded_signature(mod, &s) < 0)
		return "unknown (no taint file)";
	switch (s) {
	case MOD_LOADED_SIG_VALID:
		return "valid (kernel with module signing, no taint E)";
	case MOD_LOADED_SIG_NOT_VALID:
		return "not valid (taint E: unsigned, bad signature or unknown key)";
	default:
		return "unknown (kernel without module signing)";
	}
}

void lsmod_print_details(struct mod_module *mod)
{
	struct mod_module_list *holders = NULL;
	struct mod_class_info ci;
	char taint[64], fs[512];
	bool first = true;

	printf("%s\n", mod_module_get_name(mod));
	if (mod_module_get_class(mod, &ci) == 0)
		printf("  class: %s%s%s%s, from %s\n", mod_class_str(ci.cls),
		       ci.kind[0] ? " (" : "", ci.kind, ci.kind[0] ? ")" : "", ci.basis);
	else
		puts("  class: unknown (no module file)");
	if (mod_module_get_registered_filesystems(mod, fs, sizeof(fs)) == 0 && fs[0])
		printf("  registered filesystems: %s\n", fs);
	if (mod_module_get_taint(mod, taint, sizeof(taint)) == 0)
		printf("  taint: %s\n", taint[0] ? taint : "none");
	printf("  signature: %s\n", signature_words(mod));
	fputs("  parameters:", stdout);
	mod_module_foreach_parameter(mod, text_param, &first);
	puts(first ? " none" : "");
	if (mod_module_get_holders(mod, &holders) == 0 && mod_module_list_count(holders)) {
		puts("  holders:");
		text_holders(mod, 0);
	} else {
		puts("  holders: none");
	}
	mod_module_list_free(holders);
}

static void json_holders(struct mod_module *mod, unsigned int depth)
{
	struct mod_module_list *holders = NULL;

	fputs("[", stdout);
	if (depth <= HOLDER_DEPTH_MAX && mod_module_get_holders(mod, &holders) == 0) {
		for (size_t i = 0; i < mod_module_list_count(holders); i++) {
			struct mod_module *h = mod_module_list_get(holders, i);

			fputs(i ? ", {\"name\": " : "{\"name\": ", stdout);
			json_write_cstr(stdout, mod_module_get_name(h));
			fputs(", \"holders\": ", stdout);
			json_holders(h, depth + 1);
			fputs("}", stdout);
		}
	}
	fputs("]", stdout);
	mod_module_list_free(holders);
}

static int json_param(const char *name, const char *value, void *data)
{
	bool *first = data;

	fputs(*first ? "" : ", ", stdout);
	json_write_cstr(stdout, name);
	fputs(": ", stdout);
	if (value)
		json_write_cstr(stdout, value);
	else
		fputs("null", stdout);
	*first = false;
	return 0;
}

static void json_str_or_null(const char *key, const char *s)
{
	printf(", \"%s\": ", key);
	if (s)
		json_write_cstr(stdout, s);
	else
		fputs("null", stdout);
}

void lsmod_print_details_json(struct mod_module *mod)
{
	enum mod_loaded_signature sig;
	struct mod_class_info ci;
	char taint[64], fs[512];
	bool has_class = mod_module_get_class(mod, &ci) == 0, first = true;

	json_str_or_null("class", has_class ? mod_class_str(ci.cls) : NULL);
	json_str_or_null("driver_kind", has_class && ci.kind[0] ? ci.kind : NULL);
	json_str_or_null("class_basis", has_class ? ci.basis : NULL);
	fputs(", \"filesystems\": [", stdout);
	if (mod_module_get_registered_filesystems(mod, fs, sizeof(fs)) == 0) {
		char *save = NULL;

		for (char *w = strtok_r(fs, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			fputs(w == fs ? "" : ", ", stdout);
			json_write_cstr(stdout, w);
		}
	}
	fputs("]", stdout);
	json_str_or_null("taint", mod_module_get_taint(mod, taint, sizeof(taint)) == 0 ? taint
										       : NULL);
	json_str_or_null("signature", mod_module_get_loaded_signature(mod, &sig) == 0
					      ? mod_loaded_signature_str(sig)
					      : NULL);
	fputs(", \"parameters\": {", stdout);
	mod_module_foreach_parameter(mod, json_param, &first);
	fputs("}, \"holder_tree\": ", stdout);
	json_holders(mod, 0);
}
