/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmod_list_append for kmod's test-blacklist, which builds its input list by hand with this
 * libkmod-internal function (libkmod-internal.h). No libkmod.so.2 exports it, Debian's
 * included, so run.py links this stand-in into that one test program.
 *
 * The node layout is the one libkmod's own list code uses and test-blacklist's
 * kmod_list_foreach (redefined in libkmod-internal.h) walks directly: a circular doubly-linked
 * list of { next, prev, data }, the head being the first node. compat/libkmod/list.c keeps the
 * same layout, so a list built here is a list either library accepts.
 */
#include <stdlib.h>

struct kmod_list {
	struct kmod_list *next, *prev;
	void *data;
};

struct kmod_list *kmod_list_append(struct kmod_list *list, const void *data);

struct kmod_list *kmod_list_append(struct kmod_list *list, const void *data)
{
	struct kmod_list *node = malloc(sizeof(*node));

	if (!node)
		return NULL;
	node->data = (void *)data;
	if (!list) {
		node->next = node->prev = node;
		return node;
	}
	node->next = list;
	node->prev = list->prev;
	list->prev->next = node;
	list->prev = node;
	return list;
}
