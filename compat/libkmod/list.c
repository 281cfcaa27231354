/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * struct kmod_list: libkmod's circular doubly-linked list. libmod's lists are typed arrays;
 * libkmod callers walk nodes with kmod_list_foreach and take entries with per-type getters,
 * so the shim keeps nodes of its own and converts at the boundary.
 */
#include <errno.h>
#include <stdlib.h>

#include "shim.h"

struct kmod_list *list_append(struct kmod_list *list, void *data)
{
	struct kmod_list *node = malloc(sizeof(*node));

	if (!node)
		return NULL;
	node->data = data;
	if (!list) {
		node->next = node->prev = node;
		return node;
	}
	node->prev = list->prev;
	node->next = list;
	list->prev->next = node;
	list->prev = node;
	return list;
}

struct kmod_list *list_remove(struct kmod_list *list, struct kmod_list *node)
{
	struct kmod_list *head = list;

	if (node->next == node) {
		free(node);
		return NULL;
	}
	node->prev->next = node->next;
	node->next->prev = node->prev;
	if (node == head)
		head = node->next;
	free(node);
	return head;
}

void list_free(struct kmod_list *list, void (*free_data)(void *data))
{
	while (list) {
		if (free_data)
			free_data(list->data);
		list = list_remove(list, list);
	}
}

int list_from_modules(struct kmod_ctx *ctx, const struct mod_module_list *in,
		      struct kmod_list **out)
{
	struct kmod_list *list = *out, *grown;

	for (size_t i = 0; i < mod_module_list_count(in); i++) {
		struct kmod_module *m;
		int r = module_wrap(ctx, mod_module_list_get(in, i), &m);

		if (r < 0)
			return r;
		grown = list_append(list, m);
		if (!grown) {
			kmod_module_unref(m);
			*out = list;
			return -ENOMEM;
		}
		list = grown;
	}
	*out = list;
	return 0;
}

KMOD_EXPORT struct kmod_list *kmod_list_next(const struct kmod_list *list,
					     const struct kmod_list *curr)
{
	if (!list || !curr || curr->next == list)
		return NULL;
	return curr->next;
}

KMOD_EXPORT struct kmod_list *kmod_list_prev(const struct kmod_list *list,
					     const struct kmod_list *curr)
{
	if (!list || !curr || curr == list)
		return NULL;
	return curr->prev;
}

KMOD_EXPORT struct kmod_list *kmod_list_last(const struct kmod_list *list)
{
	return list ? list->prev : NULL;
}
