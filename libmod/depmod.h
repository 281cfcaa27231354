/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the depmod engine, shared by its files: depmod.c (object, run), depmod-scan.c
 * (tree scan, depmod.d, search/override, modules.order), depmod-parse.c (module parsing on a
 * thread pool), depmod-deps.c (symbol table, dependencies, ordering), depmod-write.c (outputs)
 * and depmod-cache.c (what earlier runs learnt from each module file, kept beside the outputs).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "libmod-private.h"

/* The output files (depmod-write.c's table) and the cache, which is committed last. */
#define DEPMOD_N_OUTPUTS 11
#define DEPMOD_CACHE_NAME "modules.libmod-cache"

/* What one piece of a module's extracted info is. */
enum depmod_ent_kind {
	DEPMOD_ENT_ALIAS = 0,
	DEPMOD_ENT_SOFTDEP,
	DEPMOD_ENT_WEAKDEP,
	DEPMOD_ENT_EXPORT,
	DEPMOD_ENT_NEED,
};

/* One string of a module: an offset into the module's string arena. */
struct depmod_ent {
	uint64_t crc;
	uint32_t off;
	uint8_t kind;
	uint8_t weak;
};

/* What identifies one version of a file: any change to it changes one of these. */
struct depmod_key {
	uint64_t size, ino;
	int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

struct depmod_mod {
	char *path;             /* file path as opened and as printed with -v */
	const char *relpath;    /* path written to the outputs: inside path, or path (external) */
	char *uncrelpath;       /* relpath with the compression suffix cut to .ko; NULL external */
	const char *name;       /* normalized module name, interned: lives as long as the object */
	size_t relnolen;        /* length of relpath up to the module name's end (no extension) */
	/* extracted by the parser; the image is dropped right after */
	char *strs;
	size_t strs_len, strs_cap;
	struct depmod_ent *ents;
	size_t n_ents, ents_cap;
	bool parsed;
	bool parse_failed;      /* read error: not cached, so the next run says so again */
	bool has_key;           /* key was taken before the file was read */
	bool from_cache;        /* strs/ents point into the loaded cache (not owned): file not read */
	struct depmod_key key;
	/* dependency resolution */
	uint32_t *deps;         /* direct dependencies (array indexes), first-seen order */
	size_t n_deps;
	size_t users;
	size_t sort_idx;        /* LIFO-Kahn rank */
	long order_key;         /* modules.order rank; LONG_MAX when unlisted */
	size_t scan_idx;        /* discovery order, the tie-breaker for unlisted modules */
};

struct depmod_cache;

struct depmod_search {
	char *path;     /* relative dir (or absolute for external dirs); NULL for built-in */
	size_t len;
};

struct depmod_override {
	char *path;     /* "<subdir>/<modname>" */
	size_t len;
};

struct depmod_sym {
	const char *name;
	uint64_t crc;
	uint32_t hash;
	int32_t owner;  /* module index, -1 for a kernel symbol */
};

/*
 * Strings the API hands out (directories, module names) must live as long as the object
 * (libmod.h), across re-runs and setting changes. They are interned here: kept until the object
 * goes, and deduplicated so that repeated runs over the same tree do not grow the set.
 */
struct depmod_strset {
	char **v; /* open addressing; NULL = empty */
	size_t cap, n;
};

struct mod_depmod {
	int refcount;
	struct mod_ctx *ctx;
	char *basedir;
	char *outdir;
	char *moduledir;
	char *version;
	const char *indir;      /* <basedir><moduledir>/<version>, interned */
	const char *outdirfull; /* <outdir><moduledir>/<version>, interned */
	struct depmod_strset strs;
	char **config_paths;
	size_t n_config_paths;
	char **module_paths;
	size_t n_module_paths;
	char *symvers;
	char *system_map;
	char sym_prefix;
	unsigned int threads;
	unsigned int flags;
	mod_depmod_edge_fn edge_fn;
	void *edge_data;

	/* depmod.d */
	struct depmod_search *searches;  /* index order = priority (larger wins) */
	size_t n_searches;
	struct depmod_override *overrides;
	size_t n_overrides;
	char **externals;
	size_t n_externals;
	char **excludes;
	size_t n_excludes;

	/* the run */
	struct depmod_mod **mods;
	size_t n_mods;
	size_t cap_mods;
	struct depmod_sym *syms; /* open addressing */
	size_t syms_cap;
	size_t n_syms;
	char *kstrs;             /* arena of kernel symbol names (symvers / System.map) */
	size_t kstrs_len, kstrs_cap;
	bool check_symvers;
	bool have_kernel_syms;
	bool ran;

	/* the cache (depmod-cache.c) */
	unsigned int cache_flags;        /* enum mod_depmod_cache_flags */
	struct depmod_cache *cache;      /* loaded for this run; NULL when none or not trusted */
	uint64_t fingerprint;            /* every input besides the modules, see depmod-cache.c */
	bool fingerprint_racy;           /* an input changed too recently to trust its key */
	unsigned int n_gen_msgs;         /* warnings while writing outputs: the next run repeats */
	int64_t run_start_ns;            /* wall clock when the run began, for racy keys */
	size_t n_cache_hits;
	struct stat out_st[DEPMOD_N_OUTPUTS]; /* the outputs as the running commit wrote them */
};

/* depmod.c: the interned copy of s (NULL without memory). */
const char *depmod_intern(struct mod_depmod *d, const char *s);

/*
 * Directories already walked, by device and inode: each is entered once, so symbolic links back
 * up the tree (a -> ..) cannot make the walk exponential. Zero-initialize; release when done.
 */
struct depmod_dirset {
	struct depmod_dirid {
		dev_t dev;
		ino_t ino;
	} *v;
	size_t cap, n;
};
/* 1 when dir was there already, 0 when added, -ENOMEM. */
int depmod_dirset_add(struct depmod_dirset *set, const struct stat *dir);
void depmod_dirset_release(struct depmod_dirset *set);

/* depmod-scan.c */
int depmod_load_config(struct mod_depmod *d);
int depmod_scan(struct mod_depmod *d);
int depmod_sort_by_order(struct mod_depmod *d);
/* 1 when an existing module at `old` keeps its place against a new file at `newrel`. */
int depmod_existing_wins(const struct mod_depmod *d, const struct depmod_mod *old,
			 const char *newrel, size_t newlen);
/* Add a file (absolute path, relpath inside it or NULL for external). */
int depmod_add_file(struct mod_depmod *d, const char *path, size_t relstart, bool external);
void depmod_mod_free(struct depmod_mod *m);

/* depmod-parse.c */
int depmod_parse_all(struct mod_depmod *d);
/* Parse one module from memory into m (for tests and the pool). */
int depmod_parse_image(struct mod_ctx *ctx, struct mod_image *img, struct depmod_mod *m);
static inline const char *depmod_ent_str(const struct depmod_mod *m, const struct depmod_ent *e)
{
	return m->strs + e->off;
}
/* Append one entry; for tests and the parser. */
int depmod_mod_add_ent(struct depmod_mod *m, enum depmod_ent_kind kind, const char *s,
		       size_t len, uint64_t crc, bool weak);

/* depmod-deps.c */
uint32_t depmod_hash_superfast(const char *key, size_t len);
int depmod_load_kernel_symbols(struct mod_depmod *d);
int depmod_build_symbols(struct mod_depmod *d);
int depmod_resolve(struct mod_depmod *d);
/* LIFO-Kahn; -ELOOP (cycles logged) when some modules could not be ordered. */
int depmod_sort_deps(struct mod_depmod *d);
/* depmod-cycles.c: log every elementary cycle among the modules left unordered, and the count. */
int depmod_report_cycles(const struct mod_depmod *d);
const struct depmod_sym *depmod_sym_find(const struct mod_depmod *d, const char *name);
/* Scratch for closures, reused across modules; zero-initialize, release when done. */
struct depmod_closure {
	uint32_t *stamp;
	uint32_t gen;
	uint32_t *stack;
	uint64_t *keys;
	uint32_t *out; /* the closure: module indexes sorted by sort_idx */
	size_t n;
};
/* The transitive closure of module idx's deps, sorted by sort_idx (the modules.dep order). */
int depmod_closure(const struct mod_depmod *d, size_t idx, struct depmod_closure *c);
void depmod_closure_release(struct depmod_closure *c);

/* depmod-write.c */
int depmod_write(struct mod_depmod *d, unsigned int outputs, int dry_run_fd);

/* depmod-cache.c */
void depmod_key_from_stat(struct depmod_key *k, const struct stat *st);
/* The body hash of the format (docs/DEPMOD-CACHE.md), continued from h. */
uint64_t depmod_cache_hash(uint64_t h, const void *p, size_t len);
/*
 * Check a cache file's bytes (buf, owned from here on) and index them. On failure the reason in
 * *why, and *is_other_version when only the version differs.
 */
int depmod_cache_parse(char *buf, size_t len, struct depmod_cache **ret, const char **why,
		       bool *is_other_version);
void depmod_cache_release(struct depmod_cache *c);
size_t depmod_cache_count(const struct depmod_cache *c);
/* Module path rel's record: its key in *key, m's entries pointed at its own (not copied). */
bool depmod_cache_find(const struct depmod_cache *c, const char *rel, struct depmod_key *key,
		       struct depmod_mod *m);
/* Fold bytes, or a file's key (or its absence), into the run's fingerprint. */
void depmod_fp_add(struct mod_depmod *d, const void *p, size_t len);
void depmod_fp_add_str(struct mod_depmod *d, const char *s);
void depmod_fp_add_file(struct mod_depmod *d, const char *path);
/* Read the cache in the output dir, unless told not to; a bad one is logged and dropped. */
void depmod_cache_load(struct mod_depmod *d);
/* Take every module's key and fill those the cache knows; the rest are left to the parser. */
int depmod_cache_apply(struct mod_depmod *d);
/* True when the outputs on disk are exactly what this run would write (nothing changed). */
bool depmod_cache_outputs_current(struct mod_depmod *d);
/* Write the new cache into fd (the commit's generator for DEPMOD_CACHE_NAME). */
int depmod_cache_write(struct mod_depmod *d, int fd);
void depmod_cache_free(struct mod_depmod *d);

/* depmod-commit.c: write output i of names[] into fd. */
typedef int (*depmod_gen_fn)(struct mod_depmod *d, size_t i, int fd);
/*
 * Replace the files names[] (NULL entries skipped) in the output dir as one transaction (see the
 * file's header): under the directory's lock, finish an interrupted earlier commit, write
 * every file durably, journal, rename. On error the previous files are kept (and said so).
 * Files are written in order; once file i is written, its stat is in d->out_st[i] (for i below
 * DEPMOD_N_OUTPUTS), so a later generator (the cache's) can record it.
 */
int depmod_commit(struct mod_depmod *d, const char *const *names, size_t n, depmod_gen_fn gen);
/* An interrupted commit waits to be finished in the output dir. */
bool depmod_commit_pending(const struct mod_depmod *d);
