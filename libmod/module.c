/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The module object: a name plus what is known or lazily learnt about it (its file from
 * modules.dep, builtin state, ELF, signature, info), and the typed module list.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "elf-private.h"
#include "module-private.h"

int module_new(struct mod_ctx *ctx, const char *name, size_t namelen, const char *alias,
	       struct mod_module **ret)
{
	struct mod_module *mod;

	if (namelen == 0 || namelen >= PATH_MAX)
		return -EINVAL;
	mod = calloc(1, sizeof(*mod));
	if (!mod)
		return -ENOMEM;
	mod->refcount = 1;
	mod->builtin = -1;
	mod->name = strndup(name, namelen);
	mod->alias = alias ? strdup(alias) : NULL;
	if (!mod->name || (alias && !mod->alias)) {
		free(mod->name);
		free(mod->alias);
		free(mod);
		return -ENOMEM;
	}
	mod->ctx = mod_ctx_ref(ctx);
	*ret = mod;
	return 0;
}

LIBMOD_EXPORT int mod_module_new_from_name(struct mod_ctx *ctx, const char *name,
					   struct mod_module **ret)
{
	char norm[PATH_MAX];
	int r;

	if (!ctx || !name || !ret)
		return -EINVAL;
	r = mod_name_normalize(name, norm, sizeof(norm));
	if (r < 0)
		return r;
	/* Names have no '.': "foo.ko" given as a name means foo, as kmod reads it. */
	return module_new(ctx, norm, strcspn(norm, "."), NULL, ret);
}

/* kmod makes relative paths absolute by prefixing the working directory, verbatim. */
static int path_make_absolute(const char *path, char **ret)
{
	char cwd[PATH_MAX];

	if (path[0] == '/') {
		*ret = strdup(path);
		return *ret ? 0 : -ENOMEM;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	return asprintf(ret, "%s/%s", cwd, path) < 0 ? -ENOMEM : 0;
}

LIBMOD_EXPORT int mod_module_new_from_path(struct mod_ctx *ctx, const char *path,
					   struct mod_module **ret)
{
	char name[PATH_MAX];
	struct mod_module *mod;
	int r;

	if (!ctx || !path || !ret)
		return -EINVAL;
	if (access(path, F_OK) < 0)
		return -errno;
	r = mod_name_from_path(path, name, sizeof(name));
	if (r < 0)
		return r;
	r = module_new(ctx, name, strlen(name), NULL, &mod);
	if (r < 0)
		return r;
	r = path_make_absolute(path, &mod->path);
	if (r < 0) {
		mod_module_unref(mod);
		return r;
	}
	/* A module given by its file is never the builtin one. */
	mod->builtin = 0;
	*ret = mod;
	return 0;
}

LIBMOD_EXPORT int mod_module_new_from_image(struct mod_ctx *ctx, struct mod_image *img,
					    struct mod_module **ret)
{
	const char *path;
	struct mod_module *mod;
	int r;

	if (!ctx || !img || !ret)
		return -EINVAL;
	path = mod_image_get_path(img);
	if (!path)
		return -EINVAL;
	r = mod_module_new_from_path(ctx, path, &mod);
	if (r < 0)
		return r;
	mod->image = mod_image_ref(img);
	*ret = mod;
	return 0;
}

LIBMOD_EXPORT struct mod_module *mod_module_ref(struct mod_module *mod)
{
	if (mod)
		mod->refcount++;
	return mod;
}

LIBMOD_EXPORT struct mod_module *mod_module_unref(struct mod_module *mod)
{
	if (!mod || --mod->refcount > 0)
		return NULL;
	mod_signature_free(mod->signature);
	mod_elf_unref(mod->elf);
	mod_image_unref(mod->image);
	free(mod->name);
	free(mod->alias);
	free(mod->path);
	mod_ctx_unref(mod->ctx);
	free(mod);
	return NULL;
}

LIBMOD_EXPORT struct mod_ctx *mod_module_get_ctx(const struct mod_module *mod)
{
	return mod ? mod->ctx : NULL;
}

LIBMOD_EXPORT const char *mod_module_get_name(const struct mod_module *mod)
{
	return mod ? mod->name : NULL;
}

LIBMOD_EXPORT const char *mod_module_get_alias(const struct mod_module *mod)
{
	return mod ? mod->alias : NULL;
}

void module_set_dep_line(struct mod_module *mod, const char *line)
{
	mod->dep_line = line;
	mod->dep_looked_up = true;
}

/* The modules.dep line of this module, from the context's index; NULL when absent. */
static const char *module_dep_line(struct mod_module *mod)
{
	struct mod_index *idx;
	const char *line;

	if (mod->dep_looked_up)
		return mod->dep_line;
	mod->dep_looked_up = true;
	if (mod_ctx_get_index(mod->ctx, MOD_INDEX_DEP, &idx) < 0)
		return NULL;
	if (mod_index_lookup(idx, mod->name, &line) < 0)
		return NULL;
	mod->dep_line = line;
	return line;
}

/* A path from modules.dep: relative to the module directory unless absolute (external). */
static int dep_path_to_absolute(const struct mod_ctx *ctx, const char *rel, size_t len,
				char **ret)
{
	size_t dirlen = rel[0] == '/' ? 0 : strlen(ctx->moddir);
	char *p;

	if (len == 0)
		return -EBADMSG;
	/* Joined by hand: asprintf was a tenth of planning a many-module load. */
	p = malloc(dirlen + 1 + len + 1);
	if (!p)
		return -ENOMEM;
	if (dirlen) {
		memcpy(p, ctx->moddir, dirlen);
		p[dirlen++] = '/';
	}
	memcpy(p + dirlen, rel, len);
	p[dirlen + len] = '\0';
	*ret = p;
	return 0;
}

LIBMOD_EXPORT const char *mod_module_get_path(struct mod_module *mod)
{
	const char *line, *colon;

	if (!mod)
		return NULL;
	if (mod->path)
		return mod->path;
	line = module_dep_line(mod);
	if (!line)
		return NULL;
	colon = strchr(line, ':');
	if (!colon)
		return NULL;
	if (dep_path_to_absolute(mod->ctx, line, (size_t)(colon - line), &mod->path) < 0)
		return NULL;
	return mod->path;
}

LIBMOD_EXPORT bool mod_module_is_builtin(struct mod_module *mod)
{
	struct mod_index *idx;
	const char *value;

	if (!mod)
		return false;
	if (mod->builtin < 0)
		mod->builtin = mod_ctx_get_index(mod->ctx, MOD_INDEX_BUILTIN, &idx) == 0 &&
			       mod_index_lookup(idx, mod->name, &value) == 0;
	return mod->builtin;
}

void module_mark_builtin(struct mod_module *mod)
{
	mod->builtin = 1;
}

LIBMOD_EXPORT int mod_module_get_dependencies(struct mod_module *mod,
					      struct mod_module_list **ret)
{
	struct mod_module_list *list = NULL;
	const char *line, *p;
	int r;

	if (!mod || !ret)
		return -EINVAL;
	r = mod_module_list_new(&list);
	if (r < 0)
		return r;
	line = module_dep_line(mod);
	p = line ? strchr(line, ':') : NULL;
	if (!p) {
		*ret = list;
		return 0;
	}
	/*
	 * modules.dep lists dependents before their dependencies; load order is the reverse, so
	 * the tokens are collected and then walked backwards.
	 */
	p++;
	while (*p) {
		const char *tok, *end;
		char name[PATH_MAX];
		struct mod_module *dep;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		tok = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		end = p;
		{
			_cleanup_free_ char *tokpath = strndup(tok, (size_t)(end - tok));

			if (!tokpath) {
				r = -ENOMEM;
				goto fail;
			}
			r = mod_name_from_path(tokpath, name, sizeof(name));
			if (r < 0)
				goto fail;
		}
		r = module_new(mod->ctx, name, strlen(name), NULL, &dep);
		if (r < 0)
			goto fail;
		r = dep_path_to_absolute(mod->ctx, tok, (size_t)(end - tok), &dep->path);
		if (r == 0)
			r = mod_module_list_append(list, dep);
		mod_module_unref(dep);
		if (r < 0)
			goto fail;
	}
	r = module_list_reverse(list);
	if (r < 0)
		goto fail;
	*ret = list;
	return 0;
fail:
	mod_module_list_free(list);
	return r;
}

int module_open_image(struct mod_module *mod)
{
	const char *path;
	int r;

	if (mod->image)
		return 0;
	if (mod_module_is_builtin(mod) && !mod->path)
		return -ENOENT;
	path = mod_module_get_path(mod);
	if (!path)
		return -ENOENT;
	r = mod_image_open(mod->ctx, path, &mod->image);
	return r;
}

LIBMOD_EXPORT int mod_module_get_elf(struct mod_module *mod, struct mod_elf **ret)
{
	int r;

	if (!mod || !ret)
		return -EINVAL;
	if (!mod->elf) {
		r = module_open_image(mod);
		if (r < 0)
			return r;
		/*
		 * The module's own context, not the image's: an image may come from another
		 * (e.g. a prefetching thread's) context. The image's path still names the file
		 * in ELF errors.
		 */
		r = mod_elf_new_from_image_internal(mod->ctx, mod->image, &mod->elf);
		if (r < 0)
			return r;
	}
	*ret = mod->elf;
	return 0;
}

/*
 * No signature magic at the end. Kernel-built modules end exactly where their ELF data ends, so
 * bytes past it mean a signature cut short (the magic is the very last thing written) or some
 * other damage: report that rather than calling the module unsigned.
 */
static int check_unsigned_tail(struct mod_module *mod)
{
	struct mod_elf *elf;
	uint64_t end;
	size_t size = mod_image_get_size(mod->image);

	/* An unparsable ELF is reported by whoever asks for it. */
	if (mod_module_get_elf(mod, &elf) < 0)
		return -ENODATA;
	end = mod_elf_get_extent_internal(elf);
	if (end >= size)
		return -ENODATA;
	ERR(mod->ctx,
	    "%s: %llu bytes after the end of the ELF data but no signature magic: truncated "
	    "signature or damaged file\n",
	    mod_image_get_path(mod->image), (unsigned long long)(size - end));
	return -EBADMSG;
}

LIBMOD_EXPORT int mod_module_get_signature(struct mod_module *mod,
					   const struct mod_signature **ret)
{
	int r;

	if (!mod || !ret)
		return -EINVAL;
	if (!mod->signature_looked_up) {
		r = module_open_image(mod);
		if (r < 0)
			return r;
		mod->signature_looked_up = true;
		r = mod_signature_parse_internal(mod->ctx, mod_image_get_path(mod->image),
						 mod_image_get_data(mod->image),
						 mod_image_get_size(mod->image), &mod->signature);
		if (r == -ENODATA)
			r = check_unsigned_tail(mod);
		mod->signature_err = r;
	}
	if (!mod->signature)
		return mod->signature_err < 0 ? mod->signature_err : -ENODATA;
	*ret = mod->signature;
	return 0;
}

/* Builtin info: iterate the module's strings of modules.builtin.modinfo. */
static int builtin_info_next(struct mod_module *mod, size_t *cursor, const char **key,
			     size_t *keylen, const char **value)
{
	const struct builtin_modinfo *bm;
	size_t start, end, namelen = strlen(mod->name);
	const char *s, *eq;
	int r;

	r = builtin_modinfo_get(mod->ctx, &bm);
	if (r < 0)
		return r;
	r = builtin_modinfo_find(bm, mod->name, &start, &end);
	if (r < 0)
		return r == -ENOENT && *cursor ? 1 : r;
	if (*cursor < start)
		*cursor = start;
	if (*cursor >= end)
		return 1;
	s = bm->data + *cursor;
	*cursor += strlen(s) + 1;
	s += namelen + 1;
	eq = strchr(s, '=');
	*key = s;
	*keylen = eq ? (size_t)(eq - s) : strlen(s);
	*value = eq ? eq + 1 : s + strlen(s);
	return 0;
}

LIBMOD_EXPORT int mod_module_info_next(struct mod_module *mod, size_t *cursor, const char **key,
				       size_t *keylen, const char **value)
{
	struct mod_elf *elf;
	int r;

	if (!mod || !cursor || !key || !keylen || !value)
		return -EINVAL;
	if (!mod->path && mod_module_is_builtin(mod))
		return builtin_info_next(mod, cursor, key, keylen, value);
	r = mod_module_get_elf(mod, &elf);
	if (r < 0)
		return r;
	return mod_elf_modinfo_next(elf, cursor, key, keylen, value);
}

/* ------------------------------------------------------------------------------------------ */
/* Module lists                                                                               */

struct mod_module_list {
	struct mod_module **items;
	size_t count;
	size_t capacity;
};

LIBMOD_EXPORT int mod_module_list_new(struct mod_module_list **ret)
{
	if (!ret)
		return -EINVAL;
	*ret = calloc(1, sizeof(**ret));
	return *ret ? 0 : -ENOMEM;
}

LIBMOD_EXPORT int mod_module_list_append(struct mod_module_list *list, struct mod_module *mod)
{
	if (!list || !mod)
		return -EINVAL;
	if (list->count == list->capacity) {
		size_t cap = list->capacity ? list->capacity * 2 : 4;
		struct mod_module **items = reallocarray(list->items, cap, sizeof(*items));

		if (!items)
			return -ENOMEM;
		list->items = items;
		list->capacity = cap;
	}
	list->items[list->count++] = mod_module_ref(mod);
	return 0;
}

int module_list_reverse(struct mod_module_list *list)
{
	for (size_t i = 0, j = list->count; i + 1 < j; i++, j--) {
		struct mod_module *t = list->items[i];

		list->items[i] = list->items[j - 1];
		list->items[j - 1] = t;
	}
	return 0;
}

LIBMOD_EXPORT size_t mod_module_list_count(const struct mod_module_list *list)
{
	return list ? list->count : 0;
}

LIBMOD_EXPORT struct mod_module *mod_module_list_get(const struct mod_module_list *list,
						     size_t i)
{
	return list && i < list->count ? list->items[i] : NULL;
}

LIBMOD_EXPORT struct mod_module_list *mod_module_list_free(struct mod_module_list *list)
{
	if (!list)
		return NULL;
	for (size_t i = 0; i < list->count; i++)
		mod_module_unref(list->items[i]);
	free(list->items);
	free(list);
	return NULL;
}
