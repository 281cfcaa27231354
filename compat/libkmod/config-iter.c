/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmod_config_iter: libkmod's walk over one kind of configuration entry (what `modprobe -c`
 * prints), on libmod's per-kind config iterator.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

struct kmod_config_iter {
	struct mod_config *cfg;
	enum mod_config_kind kind;
	size_t cursor;
	const struct mod_config_entry *curr;
	char *value; /* softdep text rebuilt in libkmod's spelling, for curr */
};

static struct kmod_config_iter *iter_new(const struct kmod_ctx *ctx, enum mod_config_kind kind)
{
	struct kmod_config_iter *iter;
	struct mod_config *cfg;

	if (!ctx)
		return NULL;
	cfg = ctx_config(ctx);
	iter = calloc(1, sizeof(*iter));
	if (!iter)
		return NULL;
	/* No configuration reads as an empty one, as libkmod's empty lists do. */
	iter->cfg = mod_config_ref(cfg);
	iter->kind = kind;
	return iter;
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_blacklists(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MOD_CONFIG_BLACKLIST);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_install_commands(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MOD_CONFIG_INSTALL);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_remove_commands(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MOD_CONFIG_REMOVE);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_aliases(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MOD_CONFIG_ALIAS);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_options(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MOD_CONFIG_OPTIONS);
}

KMOD_EXPORT struct kmod_config_iter *kmod_config_get_softdeps(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MOD_CONFIG_SOFTDEP);
}

KMOD_EXPORT const char *kmod_config_iter_get_key(const struct kmod_config_iter *iter)
{
	if (!iter || !iter->curr)
		return NULL;
	return mod_config_entry_get_key(iter->curr);
}

/*
 * kmod 30 writes a softdep back without a space between the pre list and "post:"
 * ("pre: a bpost: c"); libmod keeps the space. Callers of this API (modprobe -c clones,
 * differential tests) see libkmod's text.
 */
static char *softdep_kmod_spelling(const char *value)
{
	const char *post = strncmp(value, "pre: ", 5) == 0 ? strstr(value, " post: ") : NULL;
	char *s;

	if (!post)
		return strdup(value);
	s = malloc(strlen(value));
	if (!s)
		return NULL;
	memcpy(s, value, (size_t)(post - value));
	memcpy(s + (post - value), post + 1, strlen(post + 1) + 1);
	return s;
}

KMOD_EXPORT const char *kmod_config_iter_get_value(const struct kmod_config_iter *iter)
{
	struct kmod_config_iter *it = (struct kmod_config_iter *)iter;
	const char *value;

	if (!it || !it->curr)
		return NULL;
	value = mod_config_entry_get_value(it->curr);
	if (it->kind != MOD_CONFIG_SOFTDEP || !value)
		return value;
	if (!it->value)
		it->value = softdep_kmod_spelling(value);
	return it->value;
}

KMOD_EXPORT bool kmod_config_iter_next(struct kmod_config_iter *iter)
{
	if (!iter || !iter->cfg)
		return false;
	free(iter->value);
	iter->value = NULL;
	if (mod_config_next(iter->cfg, iter->kind, &iter->cursor, &iter->curr) != 0)
		iter->curr = NULL;
	return iter->curr != NULL;
}

KMOD_EXPORT void kmod_config_iter_free_iter(struct kmod_config_iter *iter)
{
	if (!iter)
		return;
	free(iter->value);
	mod_config_unref(iter->cfg);
	free(iter);
}
