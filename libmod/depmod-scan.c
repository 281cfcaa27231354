/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod: which module files get indexed. Reads depmod.d (search, override, external, exclude),
 * walks the module tree and the external dirs in readdir order, settles duplicate module names
 * with the search/override rules, and sorts the module array by modules.order.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "conf-reader.h"
#include "depmod.h"
#include "fileio.h"
#include "strbuf.h"

#define SCAN_MAX_DEPTH 64
#define ORDER_FILE_MAX (64u * 1024 * 1024)

/* A small open-addressing map from a string to an array index, for the scan and the order. */
struct strmap {
	const char **keys;
	size_t *vals;
	size_t cap, n;
};

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void strmap_free(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

static size_t *strmap_slot(struct strmap *m, const char *key, bool *found)
{
	size_t i = str_hash(key) & (m->cap - 1);

	while (m->keys[i]) {
		if (streq(m->keys[i], key)) {
			*found = true;
			return &m->vals[i];
		}
		i = (i + 1) & (m->cap - 1);
	}
	*found = false;
	return &m->vals[i];
}

static int strmap_grow(struct strmap *m)
{
	struct strmap nm = { 0 };

	nm.cap = m->cap ? m->cap * 2 : 1024;
	nm.keys = calloc(nm.cap, sizeof(*nm.keys));
	nm.vals = calloc(nm.cap, sizeof(*nm.vals));
	if (!nm.keys || !nm.vals) {
		strmap_free(&nm);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		bool found;
		size_t *v;

		if (!m->keys[i])
			continue;
		v = strmap_slot(&nm, m->keys[i], &found);
		nm.keys[v - nm.vals] = m->keys[i];
		*v = m->vals[i];
		nm.n++;
	}
	strmap_free(m);
	*m = nm;
	return 0;
}

/* Insert or find: returns the value slot; *found says whether the key was there. */
static int strmap_put(struct strmap *m, const char *key, size_t **slot, bool *found)
{
	size_t *v;

	if ((m->n + 1) * 2 > m->cap) {
		int r = strmap_grow(m);

		if (r < 0)
			return r;
	}
	v = strmap_slot(m, key, found);
	if (!*found) {
		m->keys[v - m->vals] = key;
		m->n++;
	}
	*slot = v;
	return 0;
}

static void strmap_rekey(struct strmap *m, const char *oldkey, const char *newkey)
{
	bool found;
	size_t *v = strmap_slot(m, oldkey, &found);

	if (found)
		m->keys[v - m->vals] = newkey;
}

void depmod_mod_free(struct depmod_mod *m)
{
	if (!m)
		return;
	free(m->path);
	free(m->uncrelpath);
	if (!m->from_cache) {
		free(m->strs);
		free(m->ents);
	}
	free(m->deps);
	free(m);
}

/* ---------------------------------------------------------------------------------------- */
/* depmod.d                                                                                   */

struct cfg_state {
	struct mod_depmod *d;
	char **search_words;   /* in file order */
	size_t n_search_words;
};

static bool kver_matches(const char *pattern, const char *version)
{
	regex_t re;
	int status;

	if (streq(pattern, "*"))
		return true;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	status = regexec(&re, version, 0, NULL, 0);
	regfree(&re);
	return status == 0;
}

static int push_str(char ***v, size_t *n, const char *s)
{
	char **nv;
	char *dup = strdup(s);

	if (!dup)
		return -ENOMEM;
	nv = realloc(*v, (*n + 1) * sizeof(char *));
	if (!nv) {
		free(dup);
		return -ENOMEM;
	}
	nv[(*n)++] = dup;
	*v = nv;
	return 0;
}

static int cfg_line(void *data, const char *file, unsigned int lineno, char *line)
{
	struct cfg_state *st = data;
	struct mod_depmod *d = st->d;
	char *w[64];
	size_t n;
	int r;

	r = conf_split_words(line, w, ARRAY_SIZE(w), &n);
	if (r < 0) {
		ERR(d->ctx, "%s:%u: too many words\n", file, lineno);
		return 0;
	}
	if (n == 0)
		return 0;
	if (streq(w[0], "search")) {
		for (size_t i = 1; i < n; i++) {
			r = push_str(&st->search_words, &st->n_search_words, w[i]);
			if (r < 0)
				return r;
		}
	} else if (streq(w[0], "override")) {
		struct depmod_override *nv;
		struct strbuf sb;
		char *p;

		if (n < 4) {
			ERR(d->ctx, "%s:%u: ignoring bad line starting with '%s'\n", file,
			    lineno, w[0]);
			return 0;
		}
		if (!kver_matches(w[2], d->version))
			return 0;
		strbuf_init(&sb, NULL, 0, PATH_MAX);
		if (strbuf_pushf(&sb, "%s/%s", w[3], w[1]) < 0 || !(p = strbuf_steal(&sb))) {
			strbuf_release(&sb);
			return -ENOMEM;
		}
		nv = realloc(d->overrides, (d->n_overrides + 1) * sizeof(*nv));
		if (!nv) {
			free(p);
			return -ENOMEM;
		}
		d->overrides = nv;
		nv[d->n_overrides].path = p;
		nv[d->n_overrides].len = strlen(p);
		d->n_overrides++;
	} else if (streq(w[0], "external")) {
		if (n < 3) {
			ERR(d->ctx, "%s:%u: ignoring bad line starting with '%s'\n", file,
			    lineno, w[0]);
			return 0;
		}
		if (!kver_matches(w[1], d->version))
			return 0;
		/* a missing directory is reported when scanned, then skipped (as kmod) */
		r = push_str(&d->externals, &d->n_externals, w[2]);
		if (r < 0)
			return r;
	} else if (streq(w[0], "exclude")) {
		for (size_t i = 1; i < n; i++) {
			r = push_str(&d->excludes, &d->n_excludes, w[i]);
			if (r < 0)
				return r;
		}
	} else if (streq(w[0], "include") || streq(w[0], "make_map_files")) {
		INFO(d->ctx, "%s:%u: command %s not implemented yet\n", file, lineno, w[0]);
	} else {
		ERR(d->ctx, "%s:%u: ignoring bad line starting with '%s'\n", file, lineno,
		    w[0]);
	}
	return 0;
}

/*
 * Turn the search words into the priority list. kmod pushes each word onto the front
 * of a list and ranks by list index, so the earliest word ends up with the highest rank; an
 * `external` word expands in place into the external dirs, the first-declared one ranked
 * highest.
 */
static int build_searches(struct mod_depmod *d, char **words, size_t n)
{
	struct depmod_search *v;
	size_t total = 0, k = 0;

	if (n == 0) {
		static const char *def = "updates";

		return build_searches(d, (char **)&def, 1);
	}
	for (size_t i = 0; i < n; i++)
		total += streq(words[i], "external") ? d->n_externals : 1;
	v = calloc(total ? total : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->searches = v;
	for (size_t i = n; i-- > 0;) {
		if (streq(words[i], "external")) {
			for (size_t e = d->n_externals; e-- > 0;) {
				v[k].path = strdup(d->externals[e]);
				if (!v[k].path)
					return -ENOMEM;
				v[k].len = strlen(v[k].path);
				d->n_searches = ++k;
			}
			continue;
		}
		if (!streq(words[i], "built-in")) {
			v[k].path = strdup(words[i]);
			if (!v[k].path)
				return -ENOMEM;
			v[k].len = strlen(v[k].path);
		}
		d->n_searches = ++k;
	}
	return 0;
}

int depmod_load_config(struct mod_depmod *d)
{
	static const char *const defaults[] = {
		SYSCONFDIR "/depmod.d", "/run/depmod.d", "/usr/local/lib/depmod.d",
		DISTCONFDIR "/depmod.d", "/lib/depmod.d", NULL,
	};
	struct cfg_state st = { .d = d };
	const char *const *paths = d->config_paths ? (const char *const *)d->config_paths
						    : defaults;
	char **files = NULL;
	int r;

	r = conf_list_files(d->ctx, paths, NULL, NULL, &files);
	if (r < 0) {
		ERR(d->ctx, "could not list depmod configuration: %s\n", strerror(-r));
		return r;
	}
	for (size_t i = 0; files[i]; i++) {
		depmod_fp_add_file(d, files[i]);
		r = conf_read_file(d->ctx, files[i], cfg_line, &st);
		if (r == -ENOMEM)
			break;
		r = 0;
	}
	conf_strv_free(files);
	if (r == 0)
		r = build_searches(d, st.search_words, st.n_search_words);
	for (size_t i = 0; i < st.n_search_words; i++)
		free(st.search_words[i]);
	free(st.search_words);
	return r;
}

/* ---------------------------------------------------------------------------------------- */
/* Priorities of duplicate module names                                                       */

static bool under_dir(const char *path, size_t len, const char *dir, size_t dirlen)
{
	return len > dirlen && path[dirlen] == '/' && memcmp(path, dir, dirlen) == 0;
}

int depmod_existing_wins(const struct mod_depmod *d, const struct depmod_mod *old,
			 const char *newpath, size_t newnolen)
{
	/* relative forms (NULL for external files) compared with override and search dirs */
	size_t inlen = strlen(d->indir);
	const char *relnew = NULL, *relold = old->uncrelpath ? old->relpath : NULL;
	size_t relnewlen = 0, reloldlen = old->relnolen;
	size_t oldnolen = (size_t)(old->relpath - old->path) + old->relnolen;
	long bprio = -1, newprio = -1, oldprio = -1;

	if (strncmp(newpath, d->indir, inlen) == 0 && newpath[inlen] == '/') {
		relnew = newpath + inlen + 1;
		relnewlen = newnolen - inlen - 1;
	}
	for (size_t i = 0; i < d->n_overrides; i++) {
		const struct depmod_override *ov = &d->overrides[i];

		if (relnew && relnewlen == ov->len && memcmp(ov->path, relnew, relnewlen) == 0)
			return 0;
		if (relold && reloldlen == ov->len && memcmp(ov->path, relold, reloldlen) == 0)
			return 1;
	}
	for (size_t i = 0; i < d->n_searches; i++) {
		const struct depmod_search *se = &d->searches[i];

		if (!se->path) {
			bprio = (long)i;
		} else if (se->path[0] == '/') {
			/* an external dir: absolute paths */
			if (under_dir(newpath, newnolen, se->path, se->len))
				newprio = (long)i;
			else if (under_dir(old->path, oldnolen, se->path, se->len))
				oldprio = (long)i;
		} else if (relnew && under_dir(relnew, relnewlen, se->path, se->len)) {
			newprio = (long)i;
		} else if (relold && under_dir(relold, reloldlen, se->path, se->len)) {
			oldprio = (long)i;
		}
	}
	if (newprio < 0)
		newprio = bprio;
	if (oldprio < 0)
		oldprio = bprio;
	DBG(d->ctx, "priorities: built-in: %ld, old: %ld, new: %ld\n", bprio, oldprio, newprio);
	return newprio <= oldprio;
}

/* ---------------------------------------------------------------------------------------- */
/* Scan                                                                                       */

struct scan {
	struct mod_depmod *d;
	struct strmap names;
	struct depmod_dirset seen;
	/* the directories from the root down to the current one, to tell a loop (a link to one
	 * of them) from a second way into a directory already indexed */
	struct scan_level {
		dev_t dev;
		ino_t ino;
		size_t pathlen;
	} levels[SCAN_MAX_DEPTH + 2];
	size_t depth;
};

static size_t dirid_slot(const struct depmod_dirset *set, dev_t dev, ino_t ino)
{
	uint64_t h = ((uint64_t)dev * 0x9E3779B97F4A7C15u) ^ ((uint64_t)ino * 0xC2B2AE3D27D4EB4Fu);
	size_t i = (size_t)(h ^ (h >> 29)) & (set->cap - 1);

	while ((set->v[i].dev || set->v[i].ino) &&
	       !(set->v[i].dev == dev && set->v[i].ino == ino))
		i = (i + 1) & (set->cap - 1);
	return i;
}

int depmod_dirset_add(struct depmod_dirset *set, const struct stat *dir)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap) {
		struct depmod_dirset ns = { .cap = set->cap ? set->cap * 2 : 256, .n = set->n };

		ns.v = calloc(ns.cap, sizeof(*ns.v));
		if (!ns.v)
			return -ENOMEM;
		for (size_t k = 0; k < set->cap; k++)
			if (set->v[k].dev || set->v[k].ino)
				ns.v[dirid_slot(&ns, set->v[k].dev, set->v[k].ino)] = set->v[k];
		free(set->v);
		*set = ns;
	}
	i = dirid_slot(set, dir->st_dev, dir->st_ino);
	if (set->v[i].dev == dir->st_dev && set->v[i].ino == dir->st_ino &&
	    (dir->st_dev || dir->st_ino))
		return 1;
	set->v[i].dev = dir->st_dev;
	set->v[i].ino = dir->st_ino;
	set->n++;
	return 0;
}

void depmod_dirset_release(struct depmod_dirset *set)
{
	free(set->v);
	*set = (struct depmod_dirset){ 0 };
}

/*
 * Enter the directory open at dfd (path in *path): 1 to walk it, 0 when it was walked already
 * (a symbolic link loop is worth one warning; another way into an indexed directory is not).
 */
static int scan_enter(struct scan *s, int dfd, struct strbuf *path)
{
	struct stat st;
	int r;

	if (fstat(dfd, &st) < 0)
		return 1;
	r = depmod_dirset_add(&s->seen, &st);
	if (r < 0)
		return r;
	if (r == 1) {
		for (size_t k = 0; k < s->depth; k++) {
			const struct scan_level *l = &s->levels[k];

			if (l->dev == st.st_dev && l->ino == st.st_ino) {
				WARN(s->d->ctx, "%s: symbolic link loop back to %.*s, skipped\n",
				     strbuf_str(path), (int)l->pathlen, strbuf_str(path));
				return 0;
			}
		}
		DBG(s->d->ctx, "%s: directory already indexed through another path\n",
		    strbuf_str(path));
		return 0;
	}
	s->levels[s->depth++] = (struct scan_level){ st.st_dev, st.st_ino, strbuf_len(path) };
	return 1;
}

static int make_mod(struct mod_depmod *d, const char *path, size_t relstart, bool external,
		    struct depmod_mod **ret)
{
	struct depmod_mod *m = calloc(1, sizeof(*m));
	const char *base, *dot;
	char name[PATH_MAX];
	int r;

	if (!m)
		return -ENOMEM;
	m->path = strdup(path);
	if (!m->path)
		goto nomem;
	m->relpath = external ? m->path : m->path + relstart;
	base = strrchr(m->relpath, '/');
	base = base ? base + 1 : m->relpath;
	dot = strchr(base, '.');
	m->relnolen = (size_t)((dot ? dot : base + strlen(base)) - m->relpath);
	r = mod_name_from_path(path, name, sizeof(name));
	if (r < 0) {
		depmod_mod_free(m);
		return r;
	}
	m->name = depmod_intern(d, name);
	if (!m->name)
		goto nomem;
	if (!external) {
		/* the modules.order key: the compression suffix replaced by .ko */
		const char *ko = strstr(base, ".ko");
		size_t keep = ko ? (size_t)(ko - m->relpath) + 3 : strlen(m->relpath);

		m->uncrelpath = strndup(m->relpath, keep);
		if (!m->uncrelpath)
			goto nomem;
	}
	m->order_key = LONG_MAX;
	*ret = m;
	return 0;
nomem:
	depmod_mod_free(m);
	return -ENOMEM;
}

static int scan_add(struct scan *s, const char *path, size_t relstart, bool external,
		    const struct stat *st)
{
	struct mod_depmod *d = s->d;
	struct depmod_mod *m;
	size_t *slot;
	bool found;
	int r;

	r = make_mod(d, path, relstart, external, &m);
	if (r < 0)
		return r;
	if (st) {
		/* the cache's key for the file, taken here where the directory is open */
		depmod_key_from_stat(&m->key, st);
		m->has_key = true;
	}
	r = strmap_put(&s->names, m->name, &slot, &found);
	if (r < 0) {
		depmod_mod_free(m);
		return r;
	}
	if (found) {
		struct depmod_mod *old = d->mods[*slot];
		size_t newnolen = (size_t)(m->relpath - m->path) + m->relnolen;

		if (depmod_existing_wins(d, old, m->path, newnolen)) {
			DBG(d->ctx, "Ignored lower priority: %s, higher: %s\n", m->path, old->path);
			depmod_mod_free(m);
			return 0;
		}
		DBG(d->ctx, "Replace lower priority %s with new module %s\n", old->path, m->path);
		m->scan_idx = old->scan_idx;
		strmap_rekey(&s->names, old->name, m->name);
		d->mods[*slot] = m;
		depmod_mod_free(old);
		return 0;
	}
	if (d->n_mods == d->cap_mods) {
		size_t ncap = d->cap_mods ? d->cap_mods * 2 : 1024;
		struct depmod_mod **nv = realloc(d->mods, ncap * sizeof(*nv));

		if (!nv) {
			/* keep the map consistent: the key points into m */
			strmap_rekey(&s->names, m->name, "");
			depmod_mod_free(m);
			return -ENOMEM;
		}
		d->mods = nv;
		d->cap_mods = ncap;
	}
	m->scan_idx = d->n_mods;
	*slot = d->n_mods;
	d->mods[d->n_mods++] = m;
	return 0;
}

static bool is_excluded(const struct mod_depmod *d, const char *name)
{
	if (streq(name, "build") || streq(name, "source"))
		return true;
	for (size_t i = 0; i < d->n_excludes; i++)
		if (streq(name, d->excludes[i]))
			return true;
	return false;
}

static int scan_dir(struct scan *s, int dfd, struct strbuf *path, size_t relstart, bool external,
		    int depth)
{
	struct mod_depmod *d = s->d;
	DIR *dir;
	struct dirent *de;
	size_t baselen = strbuf_len(path);
	int r = 0;

	r = scan_enter(s, dfd, path);
	if (r <= 0) {
		close(dfd);
		return r;
	}
	r = 0;
	dir = fdopendir(dfd);
	if (!dir) {
		r = -errno;
		close(dfd);
		s->depth--;
		return r;
	}
	while ((de = readdir(dir))) {
		const char *name = de->d_name;
		struct stat st;
		bool have_st = false, is_dir;

		if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
			continue;
		if (is_excluded(d, name))
			continue;
		if (de->d_type == DT_REG) {
			is_dir = false;
		} else if (de->d_type == DT_DIR) {
			is_dir = true;
		} else {
			if (fstatat(dirfd(dir), name, &st, 0) < 0) {
				/* dangling symlinks are common (weak-updates, DKMS): warn only */
				WARN(d->ctx, "fstatat(%s/%s): %m\n", strbuf_str(path), name);
				continue;
			}
			is_dir = S_ISDIR(st.st_mode);
			if (!is_dir && !S_ISREG(st.st_mode))
				continue;
			have_st = true;
		}
		if (!is_dir && !mod_path_is_module(name))
			continue;
		if (strbuf_pushchar(path, '/') < 0 || strbuf_pushstr(path, name) < 0) {
			r = -ENOMEM;
			break;
		}
		if (is_dir) {
			int fd;

			if (depth >= SCAN_MAX_DEPTH) {
				WARN(d->ctx, "%s: too deep, skipped\n", strbuf_str(path));
			} else {
				fd = openat(dirfd(dir), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (fd < 0)
					ERR(d->ctx, "opendir(%s): %m\n", strbuf_str(path));
				else
					r = scan_dir(s, fd, path, relstart, external, depth + 1);
			}
		} else {
			/* a module: its stat is the cache's key (a failure leaves it to be taken later) */
			if (!have_st)
				have_st = fstatat(dirfd(dir), name, &st, 0) == 0;
			r = scan_add(s, strbuf_str(path), relstart, external, have_st ? &st : NULL);
		}
		strbuf_popn(path, strbuf_len(path) - baselen);
		if (r < 0)
			break;
	}
	closedir(dir);
	s->depth--;
	return r;
}

static int scan_root(struct scan *s, const char *root, bool external)
{
	struct strbuf path;
	int fd, r;

	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		ERR(s->d->ctx, "could not open directory %s: %m\n", root);
		/* a missing or unreadable external dir is skipped, as kmod does */
		return external ? 0 : r;
	}
	strbuf_init(&path, NULL, 0, PATH_MAX * 4);
	if (strbuf_pushstr(&path, root) < 0) {
		close(fd);
		return -ENOMEM;
	}
	/* once per directory and root: an external dir inside the tree is read again, as the
	 * reference does, with its own (absolute) paths */
	depmod_dirset_release(&s->seen);
	s->depth = 0;
	r = scan_dir(s, fd, &path, strlen(root) + 1, external, 0);
	strbuf_release(&path);
	return r;
}

int depmod_add_file(struct mod_depmod *d, const char *path, size_t relstart, bool external)
{
	struct scan s = { .d = d };
	int r = 0;

	/* rebuild the name map for a single addition (tests and explicit paths) */
	for (size_t i = 0; i < d->n_mods && r >= 0; i++) {
		size_t *slot;
		bool found;

		r = strmap_put(&s.names, d->mods[i]->name, &slot, &found);
		if (r >= 0)
			*slot = i;
	}
	if (r >= 0)
		r = scan_add(&s, path, relstart, external, NULL);
	strmap_free(&s.names);
	return r;
}

int depmod_scan(struct mod_depmod *d)
{
	struct scan s = { .d = d };
	size_t inlen = strlen(d->indir);
	int r = 0;

	if (d->n_module_paths > 0) {
		for (size_t i = 0; i < d->n_module_paths && r >= 0; i++) {
			const char *p = d->module_paths[i];
			bool inside = strncmp(p, d->indir, inlen) == 0 && p[inlen] == '/';

			r = scan_add(&s, p, inside ? inlen + 1 : 0, !inside, NULL);
		}
		strmap_free(&s.names);
		return r;
	}
	r = scan_root(&s, d->indir, false);
	/* kmod keeps externals on a push-front list: the last declared is scanned first */
	for (size_t i = d->n_externals; r >= 0 && i-- > 0;)
		r = scan_root(&s, d->externals[i], true);
	strmap_free(&s.names);
	depmod_dirset_release(&s.seen);
	return r;
}

/* ---------------------------------------------------------------------------------------- */
/* modules.order                                                                              */

static int cmp_order(const void *a, const void *b)
{
	const struct depmod_mod *x = *(struct depmod_mod *const *)a;
	const struct depmod_mod *y = *(struct depmod_mod *const *)b;

	uint32_t hx, hy;

	if (x->order_key != y->order_key)
		return x->order_key < y->order_key ? -1 : 1;
	if (x->order_key != LONG_MAX)
		return x->scan_idx < y->scan_idx ? -1 : x->scan_idx > y->scan_idx;
	/*
	 * Modules missing from modules.order (DKMS and out-of-tree ones, or all of them when the
	 * file is absent or damaged): kmod leaves them in the iteration order of its
	 * 512-bucket name hash (SuperFastHash; names sorted within a bucket), which its stable
	 * sort keeps. Reproducing it keeps modules.dep byte-identical for such trees too.
	 */
	hx = depmod_hash_superfast(x->name, strlen(x->name)) & 511;
	hy = depmod_hash_superfast(y->name, strlen(y->name)) & 511;
	if (hx != hy)
		return hx < hy ? -1 : 1;
	return strcmp(x->name, y->name);
}

int depmod_sort_by_order(struct mod_depmod *d)
{
	struct strmap map = { 0 };
	struct strbuf sb;
	char *buf = NULL;
	size_t len = 0, lineno = 0;
	int r;

	strbuf_init(&sb, NULL, 0, PATH_MAX * 4);
	if (strbuf_pushf(&sb, "%s/modules.order", d->indir) < 0) {
		strbuf_release(&sb);
		return -ENOMEM;
	}
	r = read_file_all(strbuf_str(&sb), ORDER_FILE_MAX, &buf, &len);
	if (r < 0) {
		errno = -r;
		WARN(d->ctx, "could not open modules.order at %s: %m\n", d->indir);
		strbuf_release(&sb);
		goto sort;
	}
	for (size_t i = 0; i < d->n_mods && r >= 0; i++) {
		size_t *slot;
		bool found;

		if (!d->mods[i]->uncrelpath)
			continue;
		r = strmap_put(&map, d->mods[i]->uncrelpath, &slot, &found);
		if (r >= 0)
			*slot = i;
	}
	if (r < 0 || map.cap == 0)
		goto out_sort;
	for (char *p = buf; p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		size_t *slot;
		bool found;

		lineno++;
		if (!nl) {
			ERR(d->ctx, "%s:%zu corrupted line misses '\\n'\n", strbuf_str(&sb), lineno);
			/* kmod leaves the array unsorted */
			for (size_t i = 0; i < d->n_mods; i++)
				d->mods[i]->order_key = LONG_MAX;
			break;
		}
		*nl = '\0';
		slot = strmap_slot(&map, p, &found);
		if (found && d->mods[*slot]->order_key == LONG_MAX)
			d->mods[*slot]->order_key = (long)lineno; /* first occurrence wins */
		p = nl + 1;
	}
out_sort:
	if (r < 0)
		goto out;
sort:
	qsort(d->mods, d->n_mods, sizeof(*d->mods), cmp_order);
	r = 0;
out:
	strbuf_release(&sb);
	strmap_free(&map);
	free(buf);
	return r;
}
