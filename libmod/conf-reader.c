/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Configuration file lexing shared by modprobe.d and depmod.d: the merged, masked file list and
 * the logical-line reader (see conf-reader.h for the exact rules).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf-reader.h"
#include "strbuf.h"

/* ------------------------------------------------------------------------------------------ */
/* Logical lines                                                                                */

static bool line_is_skipped(const char *line)
{
	if (line[0] == '#')
		return true;
	for (const char *p = line; *p; p++)
		if (*p != ' ' && *p != '\t')
			return false;
	return true;
}

int conf_read_buffer(struct mod_ctx *ctx, const char *name, const char *buf, size_t len,
		     conf_line_fn fn, void *data)
{
	char stackbuf[512];
	struct strbuf sb;
	unsigned int lineno = 1, start = 1;
	bool too_long = false;
	int r = 0;

	if (!buf && len)
		return -EINVAL;
	strbuf_init(&sb, stackbuf, sizeof(stackbuf), CONF_LINE_MAX);
	for (size_t i = 0; i <= len; i++) {
		bool eol = i == len || buf[i] == '\n';

		if (!eol) {
			size_t run = 1;

			if (buf[i] == '\\') {
				/* A trailing backslash at the end of the data is dropped. */
				if (i + 1 == len)
					continue;
				if (buf[++i] == '\n') {
					lineno++;
					continue;
				}
			} else {
				/* A run of plain characters goes in with one copy, not a call each. */
				while (i + run < len && buf[i + run] != '\n' && buf[i + run] != '\\')
					run++;
			}
			if (!too_long && strbuf_pushmem(&sb, buf + i, run) < 0) {
				ERR(ctx, "%s line %u: line too long, ignoring it\n", name, start);
				too_long = true;
			}
			i += run - 1;
			continue;
		}
		/* The last line needs no newline, but the data's final newline opens no new line. */
		if (i == len && strbuf_len(&sb) == 0 && !too_long)
			break;
		if (!too_long) {
			/* The callback may modify the line in place: hand it the builder's storage. */
			char *line = (char *)strbuf_str(&sb);

			if (!line_is_skipped(line)) {
				r = fn(data, name, start, line);
				if (r < 0)
					break;
				r = 0;
			}
		}
		strbuf_clear(&sb);
		too_long = false;
		lineno++;
		start = lineno;
	}
	strbuf_release(&sb);
	return r;
}

static int read_all(struct mod_ctx *ctx, const char *path, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	struct strbuf sb;
	char chunk[4096];

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	strbuf_init(&sb, NULL, 0, CONF_FILE_MAX);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			strbuf_release(&sb);
			return (int)n;
		}
		if (n == 0)
			break;
		if (strbuf_pushmem(&sb, chunk, (size_t)n) < 0) {
			ERR(ctx, "%s: file larger than %u bytes, not read\n", path, CONF_FILE_MAX);
			strbuf_release(&sb);
			return -EFBIG;
		}
	}
	*ret_len = strbuf_len(&sb);
	*ret = strbuf_steal(&sb);
	if (!*ret)
		return -ENOMEM;
	return 0;
}

int conf_read_file(struct mod_ctx *ctx, const char *path, conf_line_fn fn, void *data)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	r = read_all(ctx, path, &buf, &len);
	if (r < 0) {
		DBG(ctx, "%s: cannot read: %s\n", path, strerror(-r));
		return r;
	}
	return conf_read_buffer(ctx, path, buf, len, fn, data);
}

int conf_split_words(char *line, char **words, size_t max, size_t *count)
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (n == max)
			return -E2BIG;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
	}
	*count = n;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The merged file list                                                                          */

struct conf_file {
	char *name; /* basename: the sort and masking key */
	char *path;
};

struct conf_file_list {
	struct conf_file *v;
	size_t n, cap;
};

void conf_strv_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static void conf_file_list_release(struct conf_file_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
	}
	free(l->v);
}

/* Insert sorted by name; an existing name wins (masking). 0 added, 1 masked, -errno. */
static int list_insert(struct mod_ctx *ctx, struct conf_file_list *l, const char *name,
		       const char *path)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(l->v[mid].name, name);

		if (c == 0) {
			DBG(ctx, "%s masked by %s\n", path, l->v[mid].path);
			return 1;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16, bytes;
		struct conf_file *v;

		if (mul_overflows(cap, sizeof(*v), &bytes))
			return -ENOMEM;
		v = realloc(l->v, bytes);
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	struct conf_file f = { strdup(name), strdup(path) };
	if (!f.name || !f.path) {
		free(f.name);
		free(f.path);
		return -ENOMEM;
	}
	memmove(&l->v[lo + 1], &l->v[lo], (l->n - lo) * sizeof(*l->v));
	l->v[lo] = f;
	l->n++;
	return 0;
}

static bool name_is_conf(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static int list_add_dir(struct mod_ctx *ctx, struct conf_file_list *l, const char *dir)
{
	_cleanup_close_ int dfd = -1;
	DIR *d;
	struct dirent *de;
	int r = 0;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ERR(ctx, "%s: cannot open directory: %s\n", dir, strerror(errno));
		return 0;
	}
	d = fdopendir(dfd);
	if (!d)
		return -errno;
	dfd = -1; /* owned by d now */
	while ((de = readdir(d))) {
		_cleanup_free_ char *path = NULL;
		struct stat st;

		if (!name_is_conf(de->d_name)) {
			if (de->d_name[0] != '.')
				DBG(ctx, "%s/%s: not a .conf file, ignored\n", dir, de->d_name);
			continue;
		}
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0) {
			DBG(ctx, "%s/%s: %s\n", dir, de->d_name, strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			ERR(ctx, "Directories inside directories are not supported: %s/%s\n", dir,
			    de->d_name);
			continue;
		}
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			path = NULL;
			r = -ENOMEM;
			break;
		}
		r = list_insert(ctx, l, de->d_name, path);
		if (r < 0)
			break;
		r = 0;
	}
	closedir(d);
	return r;
}

int conf_list_files(struct mod_ctx *ctx, const char *const *paths, const char *const *extra_names,
		    const char *const *extra_paths, char ***ret_paths)
{
	struct conf_file_list l = { 0 };
	char **out;
	int r = 0;

	for (size_t i = 0; extra_names && extra_paths && extra_names[i] && extra_paths[i]; i++) {
		if (access(extra_paths[i], F_OK) < 0)
			continue;
		r = list_insert(ctx, &l, extra_names[i], extra_paths[i]);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; paths && paths[i]; i++) {
		const char *base;
		struct stat st;

		if (stat(paths[i], &st) < 0) {
			DBG(ctx, "%s: %s, skipped\n", paths[i], strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			r = list_add_dir(ctx, &l, paths[i]);
		} else {
			base = strrchr(paths[i], '/');
			base = base ? base + 1 : paths[i];
			if (*base == '\0') {
				ERR(ctx, "%s: not a file name\n", paths[i]);
				continue;
			}
			r = list_insert(ctx, &l, base, paths[i]);
		}
		if (r < 0)
			goto out;
	}
	out = calloc(l.n + 1, sizeof(char *));
	if (!out) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < l.n; i++)
		out[i] = TAKE_PTR(l.v[i].path);
	*ret_paths = out;
	r = 0;
out:
	conf_file_list_release(&l);
	return r;
}
