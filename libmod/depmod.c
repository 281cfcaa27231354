/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The depmod engine's public object: settings, the run (scan, parse, resolve, order) and the
 * -A freshness check. The work itself lives in depmod-scan/parse/deps/write.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "depmod.h"
#include "strbuf.h"

LIBMOD_EXPORT int mod_depmod_new(struct mod_ctx *ctx, struct mod_depmod **ret)
{
	struct mod_depmod *d;

	if (!ctx || !ret)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->refcount = 1;
	d->ctx = mod_ctx_ref(ctx);
	d->moduledir = strdup(MODULE_DIRECTORY);
	d->basedir = strdup("");
	if (!d->moduledir || !d->basedir) {
		mod_depmod_unref(d);
		return -ENOMEM;
	}
	*ret = d;
	return 0;
}

LIBMOD_EXPORT struct mod_depmod *mod_depmod_ref(struct mod_depmod *d)
{
	if (d)
		d->refcount++;
	return d;
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void depmod_reset_run(struct mod_depmod *d)
{
	for (size_t i = 0; i < d->n_mods; i++)
		depmod_mod_free(d->mods[i]);
	free(d->mods);
	d->mods = NULL;
	d->n_mods = d->cap_mods = 0;
	free(d->syms);
	d->syms = NULL;
	d->syms_cap = d->n_syms = 0;
	free(d->kstrs);
	d->kstrs = NULL;
	d->kstrs_len = d->kstrs_cap = 0;
	for (size_t i = 0; i < d->n_searches; i++)
		free(d->searches[i].path);
	free(d->searches);
	d->searches = NULL;
	d->n_searches = 0;
	for (size_t i = 0; i < d->n_overrides; i++)
		free(d->overrides[i].path);
	free(d->overrides);
	d->overrides = NULL;
	d->n_overrides = 0;
	strv_free_n(d->externals, d->n_externals);
	d->externals = NULL;
	d->n_externals = 0;
	strv_free_n(d->excludes, d->n_excludes);
	d->excludes = NULL;
	d->n_excludes = 0;
	depmod_cache_free(d);
	d->fingerprint = 0;
	d->fingerprint_racy = false;
	d->n_cache_hits = 0;
	d->ran = false;
	d->check_symvers = false;
	d->have_kernel_syms = false;
}

LIBMOD_EXPORT struct mod_depmod *mod_depmod_unref(struct mod_depmod *d)
{
	if (!d || --d->refcount > 0)
		return NULL;
	depmod_reset_run(d);
	free(d->basedir);
	free(d->outdir);
	free(d->moduledir);
	free(d->version);
	for (size_t i = 0; i < d->strs.cap; i++)
		free(d->strs.v[i]);
	free(d->strs.v);
	strv_free_n(d->config_paths, d->n_config_paths);
	strv_free_n(d->module_paths, d->n_module_paths);
	free(d->symvers);
	free(d->system_map);
	mod_ctx_unref(d->ctx);
	free(d);
	return NULL;
}

static uint32_t strset_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static char **strset_slot(char **v, size_t cap, const char *s)
{
	size_t i = strset_hash(s) & (cap - 1);

	while (v[i] && !streq(v[i], s))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

const char *depmod_intern(struct mod_depmod *d, const char *s)
{
	struct depmod_strset *set = &d->strs;
	char **slot;

	if (set->cap && *(slot = strset_slot(set->v, set->cap, s)))
		return *slot;
	if ((set->n + 1) * 2 > set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 1024;
		char **nv = calloc(ncap, sizeof(*nv));

		if (!nv)
			return NULL;
		for (size_t i = 0; i < set->cap; i++)
			if (set->v[i])
				*strset_slot(nv, ncap, set->v[i]) = set->v[i];
		free(set->v);
		set->v = nv;
		set->cap = ncap;
	}
	slot = strset_slot(set->v, set->cap, s);
	*slot = strdup(s);
	if (!*slot)
		return NULL;
	set->n++;
	return *slot;
}

static int set_str(char **dst, const char *src)
{
	char *s = NULL;

	if (src) {
		s = strdup(src);
		if (!s)
			return -ENOMEM;
	}
	free(*dst);
	*dst = s;
	return 0;
}

/* A root directory made absolute against the current directory, without a trailing '/'. */
static int make_root(const char *dir, char **ret)
{
	struct strbuf sb;
	size_t len;
	char *s;

	strbuf_init(&sb, NULL, 0, PATH_MAX * 4);
	if (dir[0] != '/') {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		if (strbuf_pushstr(&sb, cwd) < 0 || strbuf_pushchar(&sb, '/') < 0)
			goto nomem;
	}
	if (strbuf_pushstr(&sb, dir) < 0)
		goto nomem;
	len = strbuf_len(&sb);
	while (len > 0 && strbuf_str(&sb)[len - 1] == '/')
		len--;
	strbuf_popn(&sb, strbuf_len(&sb) - len);
	s = strbuf_steal(&sb);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
nomem:
	strbuf_release(&sb);
	return -ENOMEM;
}

LIBMOD_EXPORT int mod_depmod_set_basedir(struct mod_depmod *d, const char *dir)
{
	char *s;
	int r;

	if (!d || !dir)
		return -EINVAL;
	r = make_root(dir, &s);
	if (r < 0)
		return r;
	free(d->basedir);
	d->basedir = s;
	return 0;
}

LIBMOD_EXPORT int mod_depmod_set_outdir(struct mod_depmod *d, const char *dir)
{
	char *s;
	int r;

	if (!d)
		return -EINVAL;
	if (!dir)
		return set_str(&d->outdir, NULL);
	r = make_root(dir, &s);
	if (r < 0)
		return r;
	free(d->outdir);
	d->outdir = s;
	return 0;
}

LIBMOD_EXPORT int mod_depmod_set_moduledir(struct mod_depmod *d, const char *dir)
{
	struct strbuf sb;
	char *s;
	size_t len;

	if (!d || !dir)
		return -EINVAL;
	/* always relative to the roots: one leading '/', none trailing */
	while (*dir == '/')
		dir++;
	strbuf_init(&sb, NULL, 0, PATH_MAX);
	if (strbuf_pushchar(&sb, '/') < 0 || strbuf_pushstr(&sb, dir) < 0) {
		strbuf_release(&sb);
		return -ENOMEM;
	}
	len = strbuf_len(&sb);
	while (len > 1 && strbuf_str(&sb)[len - 1] == '/')
		len--;
	strbuf_popn(&sb, strbuf_len(&sb) - len);
	s = strbuf_steal(&sb);
	if (!s)
		return -ENOMEM;
	free(d->moduledir);
	d->moduledir = s;
	return 0;
}

LIBMOD_EXPORT int mod_depmod_set_kernel_version(struct mod_depmod *d, const char *version)
{
	if (!d || !version || !*version || strchr(version, '/'))
		return -EINVAL;
	return set_str(&d->version, version);
}

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv;
	char *dup = strdup(s);

	if (!dup)
		return -ENOMEM;
	nv = realloc(*v, (*n + 2) * sizeof(char *));
	if (!nv) {
		free(dup);
		return -ENOMEM;
	}
	nv[(*n)++] = dup;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

LIBMOD_EXPORT int mod_depmod_add_config_path(struct mod_depmod *d, const char *path)
{
	if (!d || !path)
		return -EINVAL;
	return strv_push(&d->config_paths, &d->n_config_paths, path);
}

LIBMOD_EXPORT int mod_depmod_add_module_path(struct mod_depmod *d, const char *path)
{
	if (!d || !path || path[0] != '/')
		return -EINVAL;
	return strv_push(&d->module_paths, &d->n_module_paths, path);
}

LIBMOD_EXPORT int mod_depmod_set_symvers(struct mod_depmod *d, const char *path)
{
	if (!d)
		return -EINVAL;
	return set_str(&d->symvers, path);
}

LIBMOD_EXPORT int mod_depmod_set_system_map(struct mod_depmod *d, const char *path)
{
	if (!d)
		return -EINVAL;
	return set_str(&d->system_map, path);
}

LIBMOD_EXPORT int mod_depmod_set_symbol_prefix(struct mod_depmod *d, char prefix)
{
	if (!d)
		return -EINVAL;
	d->sym_prefix = prefix;
	return 0;
}

LIBMOD_EXPORT int mod_depmod_set_threads(struct mod_depmod *d, unsigned int n)
{
	if (!d || n > 1024)
		return -EINVAL;
	d->threads = n;
	return 0;
}

LIBMOD_EXPORT int mod_depmod_set_flags(struct mod_depmod *d, unsigned int flags)
{
	if (!d || (flags & ~(unsigned int)(MOD_DEPMOD_ERRSYMS | MOD_DEPMOD_WARN_DUPS)))
		return -EINVAL;
	d->flags = flags;
	return 0;
}

LIBMOD_EXPORT int mod_depmod_set_cache_flags(struct mod_depmod *d, unsigned int flags)
{
	if (!d || (flags & ~(unsigned int)(MOD_DEPMOD_CACHE_NO_READ | MOD_DEPMOD_CACHE_NO_WRITE)))
		return -EINVAL;
	d->cache_flags = flags;
	return 0;
}

LIBMOD_EXPORT int mod_depmod_set_edge_fn(struct mod_depmod *d, mod_depmod_edge_fn fn,
					 void *data)
{
	if (!d)
		return -EINVAL;
	d->edge_fn = fn;
	d->edge_data = data;
	return 0;
}

/* The input and output dirs from the settings; interned, so earlier results stay valid. */
static int build_dirs(struct mod_depmod *d)
{
	struct strbuf sb;
	const char *in, *out;

	if (!d->version)
		return -EINVAL;
	strbuf_init(&sb, NULL, 0, PATH_MAX * 4);
	if (strbuf_pushf(&sb, "%s%s/%s", d->basedir, d->moduledir, d->version) < 0)
		goto nomem;
	in = depmod_intern(d, strbuf_str(&sb));
	strbuf_clear(&sb);
	if (!in || strbuf_pushf(&sb, "%s%s/%s", d->outdir ? d->outdir : d->basedir,
				d->moduledir, d->version) < 0)
		goto nomem;
	out = depmod_intern(d, strbuf_str(&sb));
	if (!out)
		goto nomem;
	strbuf_release(&sb);
	d->indir = in;
	d->outdirfull = out;
	return 0;
nomem:
	strbuf_release(&sb);
	return -ENOMEM;
}

LIBMOD_EXPORT const char *mod_depmod_get_input_dir(struct mod_depmod *d)
{
	if (!d || build_dirs(d) < 0)
		return NULL;
	return d->indir;
}

LIBMOD_EXPORT const char *mod_depmod_get_output_dir(struct mod_depmod *d)
{
	if (!d || build_dirs(d) < 0)
		return NULL;
	return d->outdirfull;
}

/* Is any module file under dir (recursively) newer than mtime? Each directory is read once. */
static int newer_module(int dirfd, const struct timespec *mtime, int depth,
			struct depmod_dirset *seen)
{
	DIR *dir;
	struct dirent *de;
	struct stat dst;
	int found = 0;

	if (depth > 64 || fstat(dirfd, &dst) < 0 || depmod_dirset_add(seen, &dst) != 0) {
		close(dirfd);
		return 0;
	}
	dir = fdopendir(dirfd);
	if (!dir) {
		close(dirfd);
		return 0;
	}
	while (!found && (de = readdir(dir))) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (fstatat(dirfd, de->d_name, &st, 0) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd, de->d_name,
					O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (fd >= 0)
				found = newer_module(fd, mtime, depth + 1, seen);
		} else if (mod_path_is_module(de->d_name)) {
			if (st.st_mtim.tv_sec > mtime->tv_sec ||
			    (st.st_mtim.tv_sec == mtime->tv_sec &&
			     st.st_mtim.tv_nsec > mtime->tv_nsec))
				found = 1;
		}
	}
	closedir(dir);
	return found;
}

LIBMOD_EXPORT int mod_depmod_is_up_to_date(struct mod_depmod *d, bool *ret)
{
	struct depmod_dirset seen = { 0 };
	struct strbuf sb;
	struct stat st;
	int r, fd;
	char buf[PATH_MAX];

	if (!d || !ret)
		return -EINVAL;
	r = build_dirs(d);
	if (r < 0)
		return r;
	strbuf_init(&sb, buf, sizeof(buf), PATH_MAX * 4);
	if (strbuf_pushf(&sb, "%s/modules.dep", d->outdirfull) < 0) {
		strbuf_release(&sb);
		return -ENOMEM;
	}
	r = stat(strbuf_str(&sb), &st);
	strbuf_release(&sb);
	if (r == 0 && depmod_commit_pending(d)) {
		/* an interrupted run left the set half renamed: not fresh, whatever the dates */
		*ret = false;
		return 0;
	}
	if (r < 0) {
		/* kmod says so, then indexes as usual */
		ERR(d->ctx, "could not fstatat(%s, modules.dep): %m\n", d->outdirfull);
		*ret = false;
		return 0;
	}
	fd = open(d->indir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret = !newer_module(fd, &st.st_mtim, 0, &seen);
	depmod_dirset_release(&seen);
	return 0;
}

/*
 * The inputs besides the module files that shape the outputs, into the fingerprint that lets a
 * run with nothing changed skip its writes (depmod-cache.c). depmod.d files are added as they
 * are listed (depmod-scan.c), the module list once it is sorted.
 */
static void fingerprint_settings(struct mod_depmod *d)
{
	static const char *const inputs[] = {
		"modules.order", "modules.builtin", "modules.builtin.modinfo",
	};
	char path[PATH_MAX];
	uint32_t flags = d->flags;

	depmod_fp_add_str(d, d->indir);
	depmod_fp_add_str(d, d->outdirfull);
	depmod_fp_add(d, &d->sym_prefix, 1);
	depmod_fp_add(d, &flags, sizeof(flags));
	for (size_t i = 0; i < d->n_module_paths; i++)
		depmod_fp_add_str(d, d->module_paths[i]);
	for (size_t i = 0; i < d->n_config_paths; i++)
		depmod_fp_add_str(d, d->config_paths[i]);
	depmod_fp_add_str(d, d->symvers);
	if (d->symvers)
		depmod_fp_add_file(d, d->symvers);
	depmod_fp_add_str(d, d->system_map);
	if (d->system_map)
		depmod_fp_add_file(d, d->system_map);
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++)
		if (snprintf(path, sizeof(path), "%s/%s", d->indir, inputs[i]) < (int)sizeof(path))
			depmod_fp_add_file(d, path);
}

static void fingerprint_modules(struct mod_depmod *d)
{
	for (size_t i = 0; i < d->n_mods; i++) {
		depmod_fp_add_str(d, d->mods[i]->path);
		depmod_fp_add_str(d, d->mods[i]->relpath);
	}
}

LIBMOD_EXPORT int mod_depmod_run(struct mod_depmod *d)
{
	struct timespec now;
	int r;

	if (!d)
		return -EINVAL;
	r = build_dirs(d);
	if (r < 0) {
		ERR(d->ctx, "no kernel version given\n");
		return r;
	}
	depmod_reset_run(d);
	clock_gettime(CLOCK_REALTIME, &now);
	d->run_start_ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
	fingerprint_settings(d);
	depmod_cache_load(d);

	r = depmod_load_kernel_symbols(d);
	if (r < 0)
		return r;
	if (d->n_module_paths == 0) {
		r = depmod_load_config(d);
		if (r < 0)
			return r;
	}
	r = depmod_scan(d);
	if (r < 0)
		return r;
	r = depmod_sort_by_order(d);
	if (r < 0)
		return r;
	fingerprint_modules(d);
	r = depmod_cache_apply(d);
	if (r < 0)
		return r;
	r = depmod_parse_all(d);
	if (r < 0)
		return r;
	r = depmod_build_symbols(d);
	if (r < 0)
		return r;
	r = depmod_resolve(d);
	if (r < 0)
		return r;
	r = depmod_sort_deps(d);
	if (r < 0)
		return r;
	d->ran = true;
	return 0;
}

LIBMOD_EXPORT size_t mod_depmod_get_module_count(const struct mod_depmod *d)
{
	return d ? d->n_mods : 0;
}

LIBMOD_EXPORT const char *mod_depmod_get_module_name(const struct mod_depmod *d, size_t i)
{
	if (!d || i >= d->n_mods)
		return NULL;
	return d->mods[i]->name;
}

LIBMOD_EXPORT int mod_depmod_write(struct mod_depmod *d, unsigned int outputs, int dry_run_fd)
{
	if (!d || (outputs & ~(unsigned int)MOD_DEPMOD_OUTPUT_ALL))
		return -EINVAL;
	if (!d->ran)
		return -EINVAL;
	return depmod_write(d, outputs, dry_run_fd);
}
