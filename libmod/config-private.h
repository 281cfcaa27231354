/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the modprobe configuration (config.c, config-cmdline.c, config-query.c): the
 * entry storage and the entry points unit tests and the fuzzer use to feed text directly.
 */
#pragma once

#include "libmod-private.h"
#include "strset.h"

/* The kernel keeps at most this much command line; kmod reads the same amount. */
#define CONFIG_CMDLINE_MAX 4096u
/* The file name entries of the kernel command line carry. */
#define CONFIG_CMDLINE_FILE "/proc/cmdline"

struct mod_config_entry {
	enum mod_config_kind kind;
	char *key;
	char *value;       /* NULL for blacklist and forbid */
	const char *file;  /* interned in mod_config.files */
	unsigned int line;
	/* softdep: pre and post names; weakdep: the names in pre. NULL-terminated, or NULL. */
	char **pre;
	char **post;
};

/*
 * Lookup tables over the entries, built on the first query and again when entries were added
 * since: every question modprobe asks per module (options, commands, softdeps, blacklist,
 * forbid, config aliases) was a scan of all entries, which made large configurations times
 * many modules quadratic (20,000 `alias foo bar` lines, a 32,768-line softdep chain).
 */
struct config_index {
	bool built;
	size_t n;                                /* entries covered */
	struct strset keys[_MOD_CONFIG_KIND_MAX]; /* key -> first entry of that kind and key */
	size_t *next;                            /* per entry: the next one of its kind and key */
	size_t *globs[_MOD_CONFIG_KIND_MAX];     /* per kind: entries whose key is a pattern */
	size_t n_globs[_MOD_CONFIG_KIND_MAX];
	struct strset blacklist;                 /* blacklist keys, underscored */
};

struct mod_config {
	int refcount;
	struct mod_ctx *ctx; /* borrowed: a config never outlives its context */
	struct mod_config_entry *entries;
	size_t n_entries, cap_entries;
	char **files; /* interned file names */
	size_t n_files, cap_files;
	/* Config directories and files as they were when read (mod_ctx_validate). */
	struct stamp_set stamps;
	struct config_index idx; /* a cache: queries on a const config fill it */
};

/* An empty configuration (nothing read). */
int config_new_empty(struct mod_ctx *ctx, struct mod_config **ret) _must_check_;
/* Parse configuration text as if it were the file `name` (the fuzz and unit-test entry). */
int config_parse_buffer(struct mod_config *cfg, const char *name, const char *buf, size_t len)
	_nonnull_(1, 2);
/* Parse one file; -errno when it cannot be read (parse errors are logged, not returned). */
int config_parse_file(struct mod_config *cfg, const char *path) _nonnull_(1, 2);
/*
 * Read what mod_config_new reads, with the legacy files given explicitly (NULL-terminated, may
 * be NULL) so tests can point them elsewhere; the kernel command line is not read here.
 */
int config_load_files(struct mod_config *cfg, const char *const *legacy_files) _nonnull_(1);
/* Parse kernel command line text (at most CONFIG_CMDLINE_MAX - 1 bytes are used). */
int config_parse_cmdline(struct mod_config *cfg, const char *text) _nonnull_(1, 2);
/* Read the running kernel's command line and parse it. */
int config_read_cmdline(struct mod_config *cfg) _nonnull_(1);

/* Append an entry (strings copied; pre/post taken over on success). */
int config_add(struct mod_config *cfg, enum mod_config_kind kind, const char *key,
	       const char *value, const char *file, unsigned int line, char **pre, char **post)
	_nonnull_(1, 3, 5);
void config_strv_free(char **v);
void config_index_release(struct config_index *idx);

/* Called for each matching entry; a non-zero return stops the walk and is returned. */
typedef int (*config_match_fn)(const struct mod_config_entry *e, void *data);
/*
 * Every entry of `kind` whose key matches `name`, in config order: with `glob`, as fnmatch(key,
 * name) (install, remove, hooks, softdep, weakdep, forbid, alias); without, keys equal to name
 * (options, and the "module exists through a command" test).
 */
int config_foreach_match(const struct mod_config *cfg, enum mod_config_kind kind, const char *name,
			 bool glob, config_match_fn fn, void *data) _nonnull_(1, 3, 5);
