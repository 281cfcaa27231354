/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Questions asked of a loaded configuration: iteration, options merge, install/remove and hook
 * commands, blacklist/forbid, merged soft and weak dependencies, and the `modprobe -c` dump.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-private.h"
#include "strbuf.h"

/* Names longer than this are not module names (the kernel allows 56 bytes). */
#define NAME_BUF 4096

LIBMOD_EXPORT int mod_config_next(const struct mod_config *cfg, enum mod_config_kind kind,
				  size_t *cursor, const struct mod_config_entry **entry)
{
	if (!cfg || !cursor || !entry || (unsigned int)kind >= _MOD_CONFIG_KIND_MAX)
		return -EINVAL;
	for (size_t i = *cursor; i < cfg->n_entries; i++) {
		if (cfg->entries[i].kind == kind) {
			*entry = &cfg->entries[i];
			*cursor = i + 1;
			return 0;
		}
	}
	*cursor = cfg->n_entries;
	return 1;
}

LIBMOD_EXPORT enum mod_config_kind mod_config_entry_get_kind(const struct mod_config_entry *e)
{
	return e ? e->kind : _MOD_CONFIG_KIND_MAX;
}

LIBMOD_EXPORT const char *mod_config_entry_get_key(const struct mod_config_entry *e)
{
	return e ? e->key : NULL;
}

LIBMOD_EXPORT const char *mod_config_entry_get_value(const struct mod_config_entry *e)
{
	return e ? e->value : NULL;
}

LIBMOD_EXPORT const char *mod_config_entry_get_file(const struct mod_config_entry *e)
{
	return e ? e->file : NULL;
}

LIBMOD_EXPORT unsigned int mod_config_entry_get_line(const struct mod_config_entry *e)
{
	return e ? e->line : 0;
}

LIBMOD_EXPORT int mod_config_get_options(const struct mod_config *cfg, const char *modname,
					 const char *alias, char **ret)
{
	char name[NAME_BUF];
	struct strbuf sb;
	bool found = false;
	int r;

	if (!cfg || !modname || !ret)
		return -EINVAL;
	r = mod_name_normalize(modname, name, sizeof(name));
	if (r < 0)
		return r;
	strbuf_init(&sb, NULL, 0, 0);
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct mod_config_entry *e = &cfg->entries[i];

		if (e->kind != MOD_CONFIG_OPTIONS || !e->value || e->value[0] == '\0')
			continue;
		if (!streq(e->key, name) && !(alias && streq(e->key, alias)))
			continue;
		if ((found && strbuf_pushchar(&sb, ' ') < 0) || strbuf_pushstr(&sb, e->value) < 0) {
			strbuf_release(&sb);
			return -ENOMEM;
		}
		found = true;
	}
	if (!found) {
		strbuf_release(&sb);
		return -ENOENT;
	}
	*ret = strbuf_steal(&sb);
	return *ret ? 0 : -ENOMEM;
}

static bool is_command_kind(enum mod_config_kind kind)
{
	return kind == MOD_CONFIG_INSTALL || kind == MOD_CONFIG_REMOVE ||
	       kind == MOD_CONFIG_PRE_INSTALL || kind == MOD_CONFIG_POST_INSTALL ||
	       kind == MOD_CONFIG_PRE_REMOVE || kind == MOD_CONFIG_POST_REMOVE;
}

LIBMOD_EXPORT int mod_config_get_command(const struct mod_config *cfg, enum mod_config_kind kind,
					 const char *modname, const char **cmd)
{
	char name[NAME_BUF];
	int r;

	if (!cfg || !modname || !cmd || !is_command_kind(kind))
		return -EINVAL;
	r = mod_name_normalize(modname, name, sizeof(name));
	if (r < 0)
		return r;
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct mod_config_entry *e = &cfg->entries[i];

		if (e->kind == kind && fnmatch(e->key, name, 0) == 0) {
			*cmd = e->value;
			return 0;
		}
	}
	return -ENOENT;
}

LIBMOD_EXPORT int mod_config_get_install(const struct mod_config *cfg, const char *modname,
					 const char **cmd)
{
	return mod_config_get_command(cfg, MOD_CONFIG_INSTALL, modname, cmd);
}

LIBMOD_EXPORT int mod_config_get_remove(const struct mod_config *cfg, const char *modname,
					const char **cmd)
{
	return mod_config_get_command(cfg, MOD_CONFIG_REMOVE, modname, cmd);
}

LIBMOD_EXPORT bool mod_config_is_blacklisted(const struct mod_config *cfg, const char *modname)
{
	char name[NAME_BUF], key[NAME_BUF];

	if (!cfg || !modname || mod_name_normalize(modname, name, sizeof(name)) < 0)
		return false;
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct mod_config_entry *e = &cfg->entries[i];

		if (e->kind != MOD_CONFIG_BLACKLIST)
			continue;
		/* Command line entries are stored as written: compare them underscored. */
		if (mod_name_normalize(e->key, key, sizeof(key)) == 0 && streq(key, name))
			return true;
	}
	return false;
}

LIBMOD_EXPORT bool mod_config_is_forbidden(const struct mod_config *cfg, const char *modname)
{
	char name[NAME_BUF];

	if (!cfg || !modname || mod_name_normalize(modname, name, sizeof(name)) < 0)
		return false;
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct mod_config_entry *e = &cfg->entries[i];

		if (e->kind == MOD_CONFIG_FORBID && fnmatch(e->key, name, 0) == 0)
			return true;
	}
	return false;
}

/* A growing NULL-terminated array of borrowed strings without duplicates. */
struct namelist {
	const char **v;
	size_t n, cap;
};

static int namelist_add_all(struct namelist *l, char *const *names)
{
	for (size_t i = 0; names && names[i]; i++) {
		bool dup = false;

		for (size_t j = 0; j < l->n && !dup; j++)
			dup = streq(l->v[j], names[i]);
		if (dup)
			continue;
		if (l->n + 1 >= l->cap) {
			size_t cap = l->cap ? l->cap * 2 : 8;
			const char **v = realloc(l->v, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			l->v = v;
			l->cap = cap;
		}
		l->v[l->n++] = names[i];
		l->v[l->n] = NULL;
	}
	return 0;
}

/* An empty result is still an array holding NULL. */
static const char **namelist_take(struct namelist *l)
{
	if (!l->v)
		l->v = calloc(1, sizeof(*l->v));
	return TAKE_PTR(l->v);
}

static int get_deps(const struct mod_config *cfg, enum mod_config_kind kind, const char *modname,
		    const char ***pre, const char ***post)
{
	struct namelist lpre = { 0 }, lpost = { 0 };
	char name[NAME_BUF];
	bool found = false;
	int r;

	r = mod_name_normalize(modname, name, sizeof(name));
	if (r < 0)
		return r;
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const struct mod_config_entry *e = &cfg->entries[i];

		if (e->kind != kind || fnmatch(e->key, name, 0) != 0)
			continue;
		found = true;
		r = namelist_add_all(&lpre, e->pre);
		if (r == 0 && post)
			r = namelist_add_all(&lpost, e->post);
		if (r < 0)
			goto out;
	}
	if (!found) {
		r = -ENOENT;
		goto out;
	}
	const char **p = namelist_take(&lpre), **q = post ? namelist_take(&lpost) : NULL;
	if (!p || (post && !q)) {
		free(p);
		free(q);
		r = -ENOMEM;
		goto out;
	}
	*pre = p;
	if (post)
		*post = q;
	r = 0;
out:
	free(lpre.v);
	free(lpost.v);
	return r;
}

LIBMOD_EXPORT int mod_config_get_softdeps(const struct mod_config *cfg, const char *modname,
					  const char ***pre, const char ***post)
{
	if (!cfg || !modname || !pre || !post)
		return -EINVAL;
	return get_deps(cfg, MOD_CONFIG_SOFTDEP, modname, pre, post);
}

LIBMOD_EXPORT int mod_config_get_weakdeps(const struct mod_config *cfg, const char *modname,
					  const char ***deps)
{
	if (!cfg || !modname || !deps)
		return -EINVAL;
	return get_deps(cfg, MOD_CONFIG_WEAKDEP, modname, deps, NULL);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The dump order: the reference's sections first, then what only libmod knows. */
static const enum mod_config_kind dump_order[] = {
	MOD_CONFIG_BLACKLIST,   MOD_CONFIG_INSTALL,      MOD_CONFIG_REMOVE,
	MOD_CONFIG_ALIAS,       MOD_CONFIG_OPTIONS,      MOD_CONFIG_SOFTDEP,
	MOD_CONFIG_WEAKDEP,     MOD_CONFIG_FORBID,       MOD_CONFIG_PRE_INSTALL,
	MOD_CONFIG_POST_INSTALL, MOD_CONFIG_PRE_REMOVE,  MOD_CONFIG_POST_REMOVE,
};

LIBMOD_EXPORT int mod_config_dump(const struct mod_config *cfg, int fd, bool verbose)
{
	struct strbuf sb;
	int r = 0;

	if (!cfg || fd < 0)
		return -EINVAL;
	/* Built whole, then written: the output is small and a failed write leaves no half line. */
	strbuf_init(&sb, NULL, 0, 0);
	for (size_t k = 0; k < ARRAY_SIZE(dump_order) && r == 0; k++) {
		for (size_t i = 0; i < cfg->n_entries && r == 0; i++) {
			const struct mod_config_entry *e = &cfg->entries[i];

			if (e->kind != dump_order[k])
				continue;
			if (verbose)
				r = strbuf_pushf(&sb, "# %s:%u\n", e->file, e->line);
			if (r == 0)
				r = strbuf_pushf(&sb, "%s %s%s%s\n", mod_config_kind_name(e->kind),
						 e->key, e->value ? " " : "",
						 e->value ? e->value : "");
		}
	}
	if (r == 0)
		r = write_all(fd, strbuf_str(&sb), strbuf_len(&sb));
	strbuf_release(&sb);
	return r;
}
