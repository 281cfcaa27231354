/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The module object's internals, shared by module.c and lookup.c. */
#pragma once

#include "libmod-private.h"

struct mod_module {
	int refcount;
	struct mod_ctx *ctx;
	char *name;
	char *alias;
	char *path; /* absolute; NULL until known */
	/* modules.dep line (points into the context's mapped index), once looked up */
	const char *dep_line;
	bool dep_looked_up;
	int builtin; /* -1: not asked yet */
	struct mod_image *image;
	struct mod_elf *elf;
	struct mod_signature *signature;
	bool signature_looked_up;
	int signature_err; /* what the lookup returned when there is no signature */
};

/* Create a module with a known name (already normalized) and optional alias. */
int module_new(struct mod_ctx *ctx, const char *name, size_t namelen, const char *alias,
	       struct mod_module **ret);
/* Record the modules.dep line a lookup already found. */
void module_set_dep_line(struct mod_module *mod, const char *line);
void module_mark_builtin(struct mod_module *mod);
/* Read the module's file into mod->image once; -ENOENT for builtins and unknown files. */
int module_open_image(struct mod_module *mod);
/* Reverse a list in place (modules.dep order to load order). */
int module_list_reverse(struct mod_module_list *list);
