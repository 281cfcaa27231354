/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Autoclean: which loaded modules nothing needs, in which order they can go, and their removal.
 * The rules are in libmod.h (mod_autoclean_new); the facts they use come from
 * autoclean-facts.c and boot-list.c. A module is judged on what it provides (its aliases fs-*
 * and rtnl-link-*, read from its file) as well as on its reference count, because neither a
 * bound device nor a network interface holds a reference.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autoclean-private.h"

struct ac_entry {
	struct mod_module *mod;
	enum mod_autoclean_verdict verdict;
	bool decided;	/* a fixed reason (not refcount or holders) was found */
	bool removable; /* chosen for removal */
	long refcnt;
	char **holders; /* names, NULL-terminated */
	char reason[512];
};

struct mod_autoclean {
	struct mod_ctx *ctx;
	struct ac_entry *v;
	size_t n;
};

static const char *const verdict_names[] = {
	[MOD_AUTOCLEAN_REMOVE] = "remove",
	[MOD_AUTOCLEAN_KEEP_STATE] = "state",
	[MOD_AUTOCLEAN_KEEP_CONFIG] = "keep",
	[MOD_AUTOCLEAN_KEEP_BOOT] = "boot",
	[MOD_AUTOCLEAN_KEEP_DEVICE] = "device",
	[MOD_AUTOCLEAN_KEEP_FILESYSTEM] = "filesystem",
	[MOD_AUTOCLEAN_KEEP_NETDEV] = "netdev",
	[MOD_AUTOCLEAN_KEEP_IN_USE] = "in-use",
	[MOD_AUTOCLEAN_KEEP_HELD] = "held",
};

LIBMOD_EXPORT const char *mod_autoclean_verdict_str(enum mod_autoclean_verdict v)
{
	if ((unsigned int)v >= ARRAY_SIZE(verdict_names))
		return NULL;
	return verdict_names[v];
}

static void decide(struct ac_entry *e, enum mod_autoclean_verdict v, const char *fmt, ...)
	_printf_(3, 4);
static void decide(struct ac_entry *e, enum mod_autoclean_verdict v, const char *fmt, ...)
{
	va_list ap;

	e->verdict = v;
	e->decided = true;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

/* Names whose /proc/modules line says "[permanent]": no exit function, never unloadable. */
static bool is_permanent(struct mod_ctx *ctx, const char *name)
{
	char line[4096];
	size_t n = strlen(name);
	bool found = false;
	FILE *f;

	if (mod_sys_fopen(ctx, "/proc/modules", &f) < 0)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strncmp(line, name, n) == 0 && line[n] == ' ' &&
			strstr(line, "[permanent]") != NULL;
	fclose(f);
	return found;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int read_holders(struct ac_entry *e)
{
	struct mod_module_list *list = NULL;
	size_t n;
	int r;

	r = mod_module_get_holders(e->mod, &list);
	if (r == -ENOENT) {
		e->holders = calloc(1, sizeof(char *));
		return e->holders ? 0 : -ENOMEM;
	}
	if (r < 0)
		return r;
	n = mod_module_list_count(list);
	e->holders = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; e->holders && i < n; i++) {
		e->holders[i] = strdup(mod_module_get_name(mod_module_list_get(list, i)));
		if (!e->holders[i]) {
			strv_free(e->holders);
			e->holders = NULL;
		}
	}
	mod_module_list_free(list);
	return e->holders ? 0 : -ENOMEM;
}

/* The first `keep` line whose glob matches, for the reason text. */
static const struct mod_config_entry *keep_line(struct mod_config *cfg, const char *name)
{
	const struct mod_config_entry *ce;
	size_t cursor = 0;

	while (mod_config_next(cfg, MOD_CONFIG_KEEP, &cursor, &ce) == 0)
		if (fnmatch(mod_config_entry_get_key(ce), name, 0) == 0)
			return ce;
	return NULL;
}

/* What its aliases say it provides: filesystems and network interface kinds in use. */
static void check_provides(struct ac_entry *e, const struct ac_facts *f)
{
	const char *key, *value;
	size_t cursor = 0, keylen;
	bool any = false;
	int r;

	while (!e->decided &&
	       (r = mod_module_info_next(e->mod, &cursor, &key, &keylen, &value)) == 0) {
		any = true;
		if (keylen != 5 || strncmp(key, "alias", 5) != 0)
			continue;
		if (strncmp(value, "fs-", 3) == 0) {
			for (size_t i = 0; i < f->n_mounts && !e->decided; i++)
				if (streq(f->mounts[i].type, value + 3))
					decide(e, MOD_AUTOCLEAN_KEEP_FILESYSTEM,
					       "filesystem %s mounted on %s", value + 3,
					       f->mounts[i].dir);
		} else if (strncmp(value, "rtnl-link-", 10) == 0) {
			if (f->links_error < 0) {
				decide(e, MOD_AUTOCLEAN_KEEP_NETDEV,
				       "it registers %s interfaces, which could not be listed: %s",
				       value + 10, strerror(-f->links_error));
				break;
			}
			for (size_t i = 0; i < f->n_links && !e->decided; i++)
				if (streq(f->links[i].kind, value + 10))
					decide(e, MOD_AUTOCLEAN_KEEP_NETDEV,
					       "network interface %s (%s)", f->links[i].name,
					       value + 10);
		}
	}
	if (!e->decided && !any)
		decide(e, MOD_AUTOCLEAN_KEEP_STATE,
		       "its module file is missing or unreadable: what it provides is unknown");
}

/*
 * The reasons that do not depend on what else is removed, in the order they are reported; the
 * first that applies decides. Nothing here is an error: what cannot be read keeps the module.
 */
static void judge_fixed(struct mod_autoclean *ac, struct ac_entry *e, struct mod_config *cfg,
			const struct ac_facts *f)
{
	const char *name = mod_module_get_name(e->mod);
	const struct mod_config_entry *ce;
	enum mod_initstate st;
	char dev[600], *sp;
	int r;

	r = mod_module_get_initstate(e->mod, &st);
	if (r < 0 || st != MOD_INITSTATE_LIVE) {
		decide(e, MOD_AUTOCLEAN_KEEP_STATE, "not live (%s)",
		       r < 0 ? strerror(-r) : mod_initstate_str(st));
		return;
	}
	if (mod_module_get_refcnt(e->mod, &e->refcnt) < 0) {
		decide(e, MOD_AUTOCLEAN_KEEP_STATE,
		       "no reference count (kernel without module unloading?)");
		return;
	}
	if (is_permanent(ac->ctx, name)) {
		decide(e, MOD_AUTOCLEAN_KEEP_STATE, "permanent (it has no exit function)");
		return;
	}
	ce = keep_line(cfg, name);
	if (ce) {
		decide(e, MOD_AUTOCLEAN_KEEP_CONFIG, "keep line at %s:%u",
		       mod_config_entry_get_file(ce), mod_config_entry_get_line(ce));
		return;
	}
	for (size_t i = 0; i < f->n_boot && !mod_config_is_boot_cleanable(cfg, name); i++) {
		if (streq(f->boot[i].name, name)) {
			decide(e, MOD_AUTOCLEAN_KEEP_BOOT, "loaded at boot (%s)", f->boot[i].source);
			return;
		}
	}
	r = ac_bound_device(ac->ctx, name, dev, sizeof(dev));
	if (r < 0) {
		decide(e, MOD_AUTOCLEAN_KEEP_DEVICE, "its drivers could not be read: %s",
		       strerror(-r));
		return;
	}
	if (r > 0) {
		sp = strchr(dev, ' ');
		*sp = '\0';
		decide(e, MOD_AUTOCLEAN_KEEP_DEVICE, "device %s bound to %s", sp + 1, dev);
		return;
	}
	check_provides(e, f);
}

static int judge(struct mod_autoclean *ac, struct ac_entry *e, struct mod_config *cfg,
		 const struct ac_facts *f)
{
	int r = read_holders(e);

	if (r < 0)
		return r;
	judge_fixed(ac, e, cfg, f);
	return 0;
}

static struct ac_entry *find(struct mod_autoclean *ac, const char *name)
{
	for (size_t i = 0; i < ac->n; i++)
		if (streq(mod_module_get_name(ac->v[i].mod), name))
			return &ac->v[i];
	return NULL;
}

/* Removable once all its holders are, if they are its only references. */
static bool can_go(struct mod_autoclean *ac, struct ac_entry *e)
{
	long n = 0;

	if (e->decided || e->removable)
		return false;
	for (char **h = e->holders; *h; h++, n++) {
		struct ac_entry *he = find(ac, *h);

		if (!he || !he->removable)
			return false;
	}
	return e->refcnt == n;
}

/* The remaining reason of a module that stays for its references or holders. */
static void explain_kept(struct mod_autoclean *ac, struct ac_entry *e)
{
	size_t used = 0, nh = 0, staying = 0;

	for (char **h = e->holders; *h; h++) {
		struct ac_entry *he = find(ac, *h);

		nh++;
		staying += !he || !he->removable;
	}
	if (e->refcnt > (long)nh) {
		decide(e, MOD_AUTOCLEAN_KEEP_IN_USE, "reference count %ld", e->refcnt);
		return;
	}
	if (staying == 0) {
		/* Fewer references than holders: the kernel's view is changing, leave it. */
		decide(e, MOD_AUTOCLEAN_KEEP_IN_USE, "reference count %ld with %zu holders",
		       e->refcnt, nh);
		return;
	}
	decide(e, MOD_AUTOCLEAN_KEEP_HELD, "held by ");
	used = strlen(e->reason);
	for (char **h = e->holders; *h; h++) {
		struct ac_entry *he = find(ac, *h);

		if (he && he->removable)
			continue;
		used += (size_t)snprintf(e->reason + used,
					 used < sizeof(e->reason) ? sizeof(e->reason) - used : 0,
					 "%s%s", used > 9 ? ", " : "", *h);
		if (used >= sizeof(e->reason))
			break;
	}
}

static void explain_removed(struct ac_entry *e)
{
	size_t used;

	e->verdict = MOD_AUTOCLEAN_REMOVE;
	if (!e->holders[0]) {
		snprintf(e->reason, sizeof(e->reason), "unused");
		return;
	}
	used = (size_t)snprintf(e->reason, sizeof(e->reason), "unused once ");
	for (char **h = e->holders; *h && used < sizeof(e->reason); h++)
		used += (size_t)snprintf(e->reason + used, sizeof(e->reason) - used, "%s%s",
					 h == e->holders ? "" : ", ", *h);
	if (used < sizeof(e->reason))
		snprintf(e->reason + used, sizeof(e->reason) - used, " %s removed",
			 e->holders[1] ? "are" : "is");
}

/* Choose the removals to a fixed point, each appended after its holders. */
static int order(struct mod_autoclean *ac)
{
	struct ac_entry *sorted = calloc(ac->n ? ac->n : 1, sizeof(*sorted));
	size_t k = 0;
	bool changed = true;

	if (!sorted)
		return -ENOMEM;
	while (changed) {
		changed = false;
		for (size_t i = 0; i < ac->n; i++) {
			if (!can_go(ac, &ac->v[i]))
				continue;
			ac->v[i].removable = true;
			explain_removed(&ac->v[i]);
			sorted[k++] = ac->v[i];
			changed = true;
		}
	}
	for (size_t i = 0; i < ac->n; i++) {
		if (ac->v[i].removable)
			continue;
		if (!ac->v[i].decided)
			explain_kept(ac, &ac->v[i]);
		sorted[k++] = ac->v[i];
	}
	free(ac->v);
	ac->v = sorted;
	return 0;
}

LIBMOD_EXPORT int mod_autoclean_new(struct mod_ctx *ctx, unsigned int flags,
				    struct mod_autoclean **ret)
{
	struct mod_module_list *loaded = NULL;
	struct mod_config *cfg = NULL;
	struct mod_autoclean *ac;
	struct ac_facts facts;
	int r;

	if (!ctx || !ret || flags != 0)
		return -EINVAL;
	r = mod_module_new_from_loaded(ctx, &loaded);
	if (r < 0)
		return r;
	ac = calloc(1, sizeof(*ac));
	if (!ac) {
		mod_module_list_free(loaded);
		return -ENOMEM;
	}
	ac->ctx = ctx;
	r = mod_ctx_get_config(ctx, &cfg);
	if (r < 0)
		goto out;
	r = ac_facts_read(ctx, &facts);
	if (r < 0)
		goto out;
	ac->v = calloc(mod_module_list_count(loaded) + 1, sizeof(*ac->v));
	if (!ac->v) {
		r = -ENOMEM;
		goto facts;
	}
	for (size_t i = 0; r == 0 && i < mod_module_list_count(loaded); i++) {
		struct ac_entry *e = &ac->v[ac->n++];

		e->mod = mod_module_ref(mod_module_list_get(loaded, i));
		r = judge(ac, e, cfg, &facts);
	}
	if (r == 0)
		r = order(ac);
facts:
	ac_facts_release(&facts);
out:
	mod_module_list_free(loaded);
	if (r < 0) {
		mod_autoclean_free(ac);
		return r;
	}
	*ret = ac;
	return 0;
}

LIBMOD_EXPORT struct mod_autoclean *mod_autoclean_free(struct mod_autoclean *ac)
{
	if (!ac)
		return NULL;
	for (size_t i = 0; i < ac->n; i++) {
		mod_module_unref(ac->v[i].mod);
		strv_free(ac->v[i].holders);
	}
	free(ac->v);
	free(ac);
	return NULL;
}

LIBMOD_EXPORT size_t mod_autoclean_count(const struct mod_autoclean *ac)
{
	return ac ? ac->n : 0;
}

LIBMOD_EXPORT struct mod_module *mod_autoclean_get_module(const struct mod_autoclean *ac, size_t i)
{
	return ac && i < ac->n ? ac->v[i].mod : NULL;
}

LIBMOD_EXPORT enum mod_autoclean_verdict mod_autoclean_get_verdict(const struct mod_autoclean *ac,
								   size_t i)
{
	return ac && i < ac->n ? ac->v[i].verdict : MOD_AUTOCLEAN_KEEP_STATE;
}

LIBMOD_EXPORT const char *mod_autoclean_get_reason(const struct mod_autoclean *ac, size_t i)
{
	return ac && i < ac->n ? ac->v[i].reason : NULL;
}

LIBMOD_EXPORT int mod_autoclean_remove(struct mod_autoclean *ac, mod_autoclean_fn fn, void *data)
{
	int first = 0;

	if (!ac)
		return -EINVAL;
	for (size_t i = 0; i < ac->n; i++) {
		int r;

		if (ac->v[i].verdict != MOD_AUTOCLEAN_REMOVE)
			continue;
		r = mod_module_remove(ac->v[i].mod, MOD_REMOVE_NOLOG);
		if (r < 0 && first == 0)
			first = r;
		if (fn && fn(ac->v[i].mod, r, data) != 0)
			break;
	}
	return first;
}
