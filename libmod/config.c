/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The modprobe configuration: storage of the entries, the command grammar of modprobe.d (plus
 * `forbid` and the legacy modules.conf hooks), and which files are read in which order.
 * Lookups live in config-query.c, the kernel command line in config-cmdline.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf-reader.h"
#include "config-private.h"
#include "config.h"
#include "strbuf.h"

static const char *const kind_names[_MOD_CONFIG_KIND_MAX] = {
	[MOD_CONFIG_ALIAS] = "alias",
	[MOD_CONFIG_OPTIONS] = "options",
	[MOD_CONFIG_INSTALL] = "install",
	[MOD_CONFIG_REMOVE] = "remove",
	[MOD_CONFIG_BLACKLIST] = "blacklist",
	[MOD_CONFIG_SOFTDEP] = "softdep",
	[MOD_CONFIG_WEAKDEP] = "weakdep",
	[MOD_CONFIG_FORBID] = "forbid",
	[MOD_CONFIG_PRE_INSTALL] = "pre-install",
	[MOD_CONFIG_POST_INSTALL] = "post-install",
	[MOD_CONFIG_PRE_REMOVE] = "pre-remove",
	[MOD_CONFIG_POST_REMOVE] = "post-remove",
	[MOD_CONFIG_REQUIRE_SIGNATURE] = "require_signature",
	[MOD_CONFIG_TRUSTED_KEYS] = "trusted_keys",
	[MOD_CONFIG_KEEP] = "keep",
	[MOD_CONFIG_AUTOCLEAN_BOOT] = "autoclean-boot",
};

LIBMOD_EXPORT const char *mod_config_kind_name(enum mod_config_kind kind)
{
	if ((unsigned int)kind >= _MOD_CONFIG_KIND_MAX)
		return NULL;
	return kind_names[kind];
}

void config_strv_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

int config_new_empty(struct mod_ctx *ctx, struct mod_config **ret)
{
	struct mod_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return -ENOMEM;
	cfg->refcount = 1;
	cfg->ctx = ctx;
	*ret = cfg;
	return 0;
}

LIBMOD_EXPORT struct mod_config *mod_config_ref(struct mod_config *cfg)
{
	if (cfg)
		cfg->refcount++;
	return cfg;
}

LIBMOD_EXPORT struct mod_config *mod_config_unref(struct mod_config *cfg)
{
	if (!cfg || --cfg->refcount > 0)
		return NULL;
	for (size_t i = 0; i < cfg->n_entries; i++) {
		struct mod_config_entry *e = &cfg->entries[i];

		free(e->key);
		free(e->value);
		config_strv_free(e->pre);
		config_strv_free(e->post);
	}
	free(cfg->entries);
	stamp_set_clear(&cfg->stamps);
	config_index_release(&cfg->idx);
	for (size_t i = 0; i < cfg->n_files; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg);
	return NULL;
}

/* Grow an array of `size`-byte elements to hold one more; 0 or -ENOMEM. */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t newcap, bytes;
	void *p;

	if (n < *cap)
		return 0;
	newcap = *cap ? *cap : 16;
	if (mul_overflows(newcap, 2, &newcap) || mul_overflows(newcap, size, &bytes))
		return -ENOMEM;
	p = realloc(*v, bytes);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = newcap;
	return 0;
}

/* The file names of a config are few: a linear search from the end (the current file) is fine. */
static const char *intern_file(struct mod_config *cfg, const char *file)
{
	char *copy;

	for (size_t i = cfg->n_files; i > 0; i--)
		if (streq(cfg->files[i - 1], file))
			return cfg->files[i - 1];
	if (grow((void **)&cfg->files, &cfg->cap_files, cfg->n_files, sizeof(char *)) < 0)
		return NULL;
	copy = strdup(file);
	if (!copy)
		return NULL;
	cfg->files[cfg->n_files++] = copy;
	return copy;
}

int config_add(struct mod_config *cfg, enum mod_config_kind kind, const char *key,
	       const char *value, const char *file, unsigned int line, char **pre, char **post)
{
	struct mod_config_entry e = { .kind = kind, .line = line };

	if (grow((void **)&cfg->entries, &cfg->cap_entries, cfg->n_entries, sizeof(e)) < 0)
		return -ENOMEM;
	e.file = intern_file(cfg, file);
	e.key = strdup(key);
	e.value = value ? strdup(value) : NULL;
	if (!e.file || !e.key || (value && !e.value)) {
		free(e.key);
		free(e.value);
		return -ENOMEM;
	}
	e.pre = pre;
	e.post = post;
	cfg->entries[cfg->n_entries++] = e;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The grammar                                                                                   */

/* The next word separated by spaces/tabs; the separator after it is consumed (strtok-like). */
static char *next_word(char **pos)
{
	char *s = *pos, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0') {
		*pos = s;
		return NULL;
	}
	w = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*pos = s;
	return w;
}

/*
 * The raw rest of the line after the separator that ended the previous word: it keeps any
 * further leading blanks, as kmod's options text does. NULL when empty.
 */
static char *rest_of_line(char **pos)
{
	char *s = *pos;

	if (*s == '\0')
		return NULL;
	*pos = s + strlen(s);
	return s;
}

/* '-' -> '_' outside brackets, in place; false on an unbalanced bracket. */
static bool underscore(char *s)
{
	return s && mod_alias_normalize(s, s, strlen(s) + 1) == 0;
}

/* Append a copy of word to a NULL-terminated vector. */
static int strv_push(char ***v, size_t *n, const char *word)
{
	char **p = realloc(*v, (*n + 2) * sizeof(char *));

	if (!p)
		return -ENOMEM;
	*v = p;
	p[*n] = strdup(word);
	if (!p[*n])
		return -ENOMEM;
	p[++*n] = NULL;
	return 0;
}

/* Rebuild a name list as text: "a b c". */
static int join_words(struct strbuf *sb, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++) {
		if (i > 0 && strbuf_pushchar(sb, ' ') < 0)
			return -ENOMEM;
		if (strbuf_pushstr(sb, v[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

/*
 * softdep: words switch between the pre: and post: lists; words before any marker are ignored
 * (as kmod does). The stored value is rebuilt as "pre: a b post: c".
 */
static int add_softdep(struct mod_config *cfg, const char *file, unsigned int line,
		       const char *mod, char *text)
{
	char **pre = NULL, **post = NULL;
	size_t npre = 0, npost = 0;
	enum { NONE, PRE, POST } mode = NONE;
	struct strbuf sb;
	char *w;
	int r = 0;

	strbuf_init(&sb, NULL, 0, CONF_LINE_MAX);
	while ((w = next_word(&text))) {
		if (streq(w, "pre:"))
			mode = PRE;
		else if (streq(w, "post:"))
			mode = POST;
		else if (mode == PRE)
			r = strv_push(&pre, &npre, w);
		else if (mode == POST)
			r = strv_push(&post, &npost, w);
		if (r < 0)
			goto out;
	}
	if (npre > 0 && (strbuf_pushstr(&sb, "pre: ") < 0 || join_words(&sb, pre) < 0))
		r = -ENOMEM;
	if (r == 0 && npost > 0 &&
	    ((npre > 0 && strbuf_pushchar(&sb, ' ') < 0) || strbuf_pushstr(&sb, "post: ") < 0 ||
	     join_words(&sb, post) < 0))
		r = -ENOMEM;
	if (r == 0)
		r = config_add(cfg, MOD_CONFIG_SOFTDEP, mod, strbuf_str(&sb), file, line, pre, post);
	if (r == 0)
		pre = post = NULL;
out:
	config_strv_free(pre);
	config_strv_free(post);
	strbuf_release(&sb);
	return r;
}

static int add_weakdep(struct mod_config *cfg, const char *file, unsigned int line,
		       const char *mod, char *text)
{
	char **deps = NULL;
	size_t n = 0;
	struct strbuf sb;
	char *w;
	int r = 0;

	strbuf_init(&sb, NULL, 0, CONF_LINE_MAX);
	while (r == 0 && (w = next_word(&text)))
		r = strv_push(&deps, &n, w);
	if (r == 0 && join_words(&sb, deps) < 0)
		r = -ENOMEM;
	if (r == 0)
		r = config_add(cfg, MOD_CONFIG_WEAKDEP, mod, strbuf_str(&sb), file, line, deps, NULL);
	if (r < 0)
		config_strv_free(deps);
	strbuf_release(&sb);
	return r;
}

static bool kind_from_name(const char *cmd, enum mod_config_kind *kind)
{
	for (unsigned int k = 0; k < _MOD_CONFIG_KIND_MAX; k++) {
		if (streq(cmd, kind_names[k])) {
			*kind = (enum mod_config_kind)k;
			return true;
		}
	}
	return false;
}

/* One logical line. Errors are logged with file and line; only -ENOMEM stops the reading. */
static int parse_line(void *data, const char *file, unsigned int line, char *text)
{
	struct mod_config *cfg = data;
	enum mod_config_kind kind;
	char *pos = text, *cmd, *key, *rest;
	int r;

	cmd = next_word(&pos);
	if (!cmd)
		return 0;
	if (streq(cmd, "include") || streq(cmd, "config")) {
		ERR(cfg->ctx, "%s line %u: command %s is deprecated and not parsed anymore\n", file,
		    line, cmd);
		return 0;
	}
	if (!kind_from_name(cmd, &kind))
		goto bad;
	key = next_word(&pos);
	/*
	 * A directory, not a module name: kept as written (underscoring would change the path),
	 * and absolute, because a relative one would depend on where modprobe was started.
	 */
	if (kind == MOD_CONFIG_TRUSTED_KEYS) {
		if (!key || key[0] != '/' || next_word(&pos))
			goto bad;
		r = config_add(cfg, kind, key, NULL, file, line, NULL, NULL);
		goto added;
	}
	if (!underscore(key))
		goto bad;
	switch (kind) {
	case MOD_CONFIG_ALIAS: {
		char *mod = next_word(&pos);

		if (!underscore(mod))
			goto bad;
		r = config_add(cfg, kind, key, mod, file, line, NULL, NULL);
		break;
	}
	case MOD_CONFIG_BLACKLIST:
	case MOD_CONFIG_FORBID:
	case MOD_CONFIG_REQUIRE_SIGNATURE:
	case MOD_CONFIG_KEEP:
	case MOD_CONFIG_AUTOCLEAN_BOOT:
		r = config_add(cfg, kind, key, NULL, file, line, NULL, NULL);
		break;
	case MOD_CONFIG_SOFTDEP:
		rest = rest_of_line(&pos);
		if (!rest)
			goto bad;
		r = add_softdep(cfg, file, line, key, rest);
		break;
	case MOD_CONFIG_WEAKDEP:
		rest = rest_of_line(&pos);
		if (!rest)
			goto bad;
		r = add_weakdep(cfg, file, line, key, rest);
		break;
	case MOD_CONFIG_OPTIONS:
		rest = rest_of_line(&pos);
		if (!rest)
			goto bad;
		/* The kernel splits parameters on spaces only. */
		for (char *p = rest; *p; p++)
			if (*p == '\t')
				*p = ' ';
		r = config_add(cfg, kind, key, rest, file, line, NULL, NULL);
		break;
	default: /* install, remove and the hooks: the command is the raw rest of the line */
		rest = rest_of_line(&pos);
		if (!rest)
			goto bad;
		r = config_add(cfg, kind, key, rest, file, line, NULL, NULL);
		break;
	}
added:
	if (r < 0) {
		ERR(cfg->ctx, "%s line %u: %s\n", file, line, strerror(-r));
		return r;
	}
	return 0;
bad:
	ERR(cfg->ctx, "%s line %u: ignoring bad line starting with '%s'\n", file, line, cmd);
	return 0;
}

int config_parse_buffer(struct mod_config *cfg, const char *name, const char *buf, size_t len)
{
	return conf_read_buffer(cfg->ctx, name, buf, len, parse_line, cfg);
}

int config_parse_file(struct mod_config *cfg, const char *path)
{
	return conf_read_file(cfg->ctx, path, parse_line, cfg);
}

/* ------------------------------------------------------------------------------------------ */
/* Which files                                                                                   */

static const char *const default_dirs[] = {
	SYSCONFDIR "/modprobe.d",
	"/run/modprobe.d",
	"/usr/local/lib/modprobe.d",
	DISTCONFDIR "/modprobe.d",
	"/lib/modprobe.d",
	NULL,
};

static const char *const legacy_files[] = {
	SYSCONFDIR "/modules.conf",
	SYSCONFDIR "/modprobe.conf",
	NULL,
};

/*
 * Stamp what the configuration came from: the directories (a new or removed *.conf moves their
 * mtime), every file read (edits in place), and the optional files whether or not they exist
 * (their creation is a change too).
 */
static int config_stamp_sources(struct mod_config *cfg, const char *const *dirs,
				const char *const *extra, char **files, const char *const *legacy)
{
	int r = 0;

	for (size_t i = 0; r == 0 && dirs[i]; i++)
		r = stamp_set_add(&cfg->stamps, dirs[i]);
	for (size_t i = 0; r == 0 && extra[i]; i++)
		r = stamp_set_add(&cfg->stamps, extra[i]);
	for (size_t i = 0; r == 0 && files[i]; i++)
		r = stamp_set_add(&cfg->stamps, files[i]);
	for (size_t i = 0; r == 0 && legacy && legacy[i]; i++)
		r = stamp_set_add(&cfg->stamps, legacy[i]);
	return r;
}

int config_load_files(struct mod_config *cfg, const char *const *legacy)
{
	struct mod_ctx *ctx = cfg->ctx;
	const char *const *paths = mod_ctx_get_config_paths(ctx);
	const char *moddir = mod_ctx_get_moddir(ctx);
	_cleanup_free_ char *softdep = NULL, *weakdep = NULL;
	char **files = NULL;
	int r;

	if (!moddir)
		return -EINVAL;
	if (asprintf(&softdep, "%s/modules.softdep", moddir) < 0) {
		softdep = NULL;
		return -ENOMEM;
	}
	if (asprintf(&weakdep, "%s/modules.weakdep", moddir) < 0) {
		weakdep = NULL;
		return -ENOMEM;
	}
	const char *enames[] = { "modules.softdep", "modules.weakdep", NULL };
	const char *epaths[] = { softdep, weakdep, NULL };

	r = conf_list_files(ctx, paths ? paths : default_dirs, enames, epaths, &files);
	if (r < 0)
		return r;
	r = config_stamp_sources(cfg, paths ? paths : default_dirs, epaths, files,
				 paths ? NULL : legacy);
	if (r < 0) {
		conf_strv_free(files);
		return r;
	}
	for (size_t i = 0; files[i]; i++) {
		r = config_parse_file(cfg, files[i]);
		if (r == -ENOMEM)
			break;
		if (r < 0 && r != -ENOENT)
			ERR(ctx, "%s: cannot read: %s\n", files[i], strerror(-r));
		r = 0;
	}
	conf_strv_free(files);
	if (r < 0)
		return r;
	/* The legacy single files only stand in for the default directories, never for -C. */
	for (size_t i = 0; !paths && legacy && legacy[i]; i++) {
		if (access(legacy[i], F_OK) < 0)
			continue;
		DBG(ctx, "reading legacy configuration %s\n", legacy[i]);
		r = config_parse_file(cfg, legacy[i]);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			ERR(ctx, "%s: cannot read: %s\n", legacy[i], strerror(-r));
	}
	return 0;
}

LIBMOD_EXPORT int mod_config_new(struct mod_ctx *ctx, unsigned int flags,
				 struct mod_config **ret)
{
	struct mod_config *cfg = NULL;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	r = config_new_empty(ctx, &cfg);
	if (r < 0)
		return r;
	r = config_load_files(cfg, (flags & MOD_CONFIG_NO_LEGACY) ? NULL : legacy_files);
	if (r < 0)
		goto fail;
	if (!(flags & MOD_CONFIG_NO_CMDLINE)) {
		r = config_read_cmdline(cfg);
		if (r == -ENOMEM)
			goto fail;
	}
	*ret = cfg;
	return 0;
fail:
	mod_config_unref(cfg);
	return r;
}
