/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Module parameters as modinfo shows them: `parm=name:description` and `parmtype=name:type`
 * entries merged by name.
 */
#pragma once

#include <stddef.h>

struct param {
	const char *name;
	size_t namelen;
	const char *desc; /* NULL when there is no parm= entry */
	const char *type; /* NULL when there is no parmtype= entry */
};

struct param_list {
	struct param *items; /* in order of first appearance */
	size_t count;
	size_t capacity;
};

/*
 * Record one parm or parmtype value. Returns 0, -EINVAL for a value without ':' (the caller
 * reports it), or -ENOMEM. The strings are not copied: they must outlive the list.
 */
int param_list_add(struct param_list *list, const char *key, size_t keylen, const char *value);
void param_list_release(struct param_list *list);
