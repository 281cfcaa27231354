/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Merging parm/parmtype entries by parameter name; see params.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "params.h"

int param_list_add(struct param_list *list, const char *key, size_t keylen, const char *value)
{
	const char *colon = strchr(value, ':');
	size_t namelen;
	struct param *p = NULL;
	bool is_type = keylen == strlen("parmtype");

	if (!colon)
		return -EINVAL;
	namelen = (size_t)(colon - value);
	for (size_t i = 0; i < list->count; i++) {
		if (list->items[i].namelen == namelen &&
		    memcmp(list->items[i].name, value, namelen) == 0) {
			p = &list->items[i];
			break;
		}
	}
	if (!p) {
		if (list->count == list->capacity) {
			size_t cap = list->capacity ? list->capacity * 2 : 8;
			struct param *items = reallocarray(list->items, cap, sizeof(*items));

			if (!items)
				return -ENOMEM;
			list->items = items;
			list->capacity = cap;
		}
		p = &list->items[list->count++];
		*p = (struct param){ .name = value, .namelen = namelen };
	}
	if (is_type)
		p->type = colon + 1;
	else
		p->desc = colon + 1;
	return 0;
}

void param_list_release(struct param_list *list)
{
	free(list->items);
	*list = (struct param_list){ 0 };
}
