/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the running kernel says about a module (/sys/module, /proc/modules): init state,
 * reference count, size, holders and section addresses, in libkmod's return conventions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

KMOD_EXPORT const char *kmod_module_initstate_str(enum kmod_module_initstate state)
{
	/* Same values in both libraries; anything else is NULL in both. */
	switch (state) {
	case KMOD_MODULE_BUILTIN:
		return mod_initstate_str(MOD_INITSTATE_BUILTIN);
	case KMOD_MODULE_LIVE:
		return mod_initstate_str(MOD_INITSTATE_LIVE);
	case KMOD_MODULE_COMING:
		return mod_initstate_str(MOD_INITSTATE_COMING);
	case KMOD_MODULE_GOING:
		return mod_initstate_str(MOD_INITSTATE_GOING);
	default:
		return NULL;
	}
}

KMOD_EXPORT int kmod_module_get_initstate(const struct kmod_module *mod)
{
	enum mod_initstate st;
	int r;

	if (!mod)
		return -ENOENT;
	r = mod_module_get_initstate(mod->mod, &st);
	/* libmod says ENOSYS when the kernel has no module support; libkmod says ENOENT. */
	if (r == -ENOSYS)
		return -ENOENT;
	if (r < 0)
		return r;
	switch (st) {
	case MOD_INITSTATE_BUILTIN:
		return KMOD_MODULE_BUILTIN;
	case MOD_INITSTATE_LIVE:
		return KMOD_MODULE_LIVE;
	case MOD_INITSTATE_COMING:
		return KMOD_MODULE_COMING;
	case MOD_INITSTATE_GOING:
		return KMOD_MODULE_GOING;
	}
	return -EINVAL;
}

KMOD_EXPORT int kmod_module_get_refcnt(const struct kmod_module *mod)
{
	long v;
	int r;

	if (!mod)
		return -ENOENT;
	r = mod_module_get_refcnt(mod->mod, &v);
	return r < 0 ? r : (int)v;
}

KMOD_EXPORT long kmod_module_get_size(const struct kmod_module *mod)
{
	long v;
	int r;

	if (!mod)
		return -ENOENT;
	r = mod_module_get_size(mod->mod, &v);
	return r < 0 ? r : v;
}

KMOD_EXPORT struct kmod_list *kmod_module_get_holders(const struct kmod_module *mod)
{
	struct mod_module_list *holders = NULL;
	struct kmod_list *list = NULL;
	int r;

	if (!mod)
		return NULL;
	r = mod_module_get_holders(mod->mod, &holders);
	if (r < 0) {
		KERR(mod->ctx, "could not open '/sys/module/%s/holders': %s\n",
		     kmod_module_get_name(mod), strerror(-r));
		return NULL;
	}
	if (list_from_modules(mod->ctx, holders, &list) < 0) {
		kmod_module_unref_list(list);
		list = NULL;
	}
	mod_module_list_free(holders);
	return list;
}

struct section_entry {
	unsigned long address;
	char name[];
};

static int section_append(const char *name, unsigned long address, void *data)
{
	struct kmod_list **list = data, *grown;
	size_t len = strlen(name);
	struct section_entry *e = malloc(sizeof(*e) + len + 1);

	if (!e)
		return -ENOMEM;
	e->address = address;
	memcpy(e->name, name, len + 1);
	grown = list_append(*list, e);
	if (!grown) {
		free(e);
		return -ENOMEM;
	}
	*list = grown;
	return 0;
}

KMOD_EXPORT struct kmod_list *kmod_module_get_sections(const struct kmod_module *mod)
{
	struct kmod_list *list = NULL;
	int r;

	if (!mod)
		return NULL;
	r = mod_module_foreach_loaded_section(mod->mod, section_append, &list);
	if (r < 0) {
		KERR(mod->ctx, "could not open '/sys/module/%s/sections': %s\n",
		     kmod_module_get_name(mod), strerror(-r));
		kmod_module_section_free_list(list);
		return NULL;
	}
	return list;
}

KMOD_EXPORT const char *kmod_module_section_get_name(const struct kmod_list *entry)
{
	const struct section_entry *e = entry ? entry->data : NULL;

	return e ? e->name : NULL;
}

KMOD_EXPORT unsigned long kmod_module_section_get_address(const struct kmod_list *entry)
{
	const struct section_entry *e = entry ? entry->data : NULL;

	/* libkmod's "no address" value. */
	return e ? e->address : (unsigned long)-1;
}

KMOD_EXPORT void kmod_module_section_free_list(struct kmod_list *list)
{
	list_free(list, free);
}
