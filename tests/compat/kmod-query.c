/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kmod-query: ask libkmod every question it answers about one module tree and print the
 * answers as a canonical text report. Written against <libkmod.h> only, so one binary runs on
 * Debian's libkmod.so.2 and, through LD_LIBRARY_PATH, on libmod's compat libkmod.so.2;
 * tests/compat/libkmod-diff.sh compares the two reports line by line.
 *
 * The report is deterministic for a given tree, configuration, /sys/module and /proc/cmdline:
 * everything libkmod returns in an order it does not promise (holders, sections, loaded
 * modules) is sorted first, and every string is escaped so one answer is one line.
 *
 * Usage: kmod-query [options] MODDIR   (see usage() below)
 */
#include <dlfcn.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <libkmod.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

/* The report sections; each can be selected alone for a quick run. */
enum {
	SEC_CTX = 1 << 0,
	SEC_CONFIG = 1 << 1,
	SEC_DUMP = 1 << 2,
	SEC_MODULES = 1 << 3,
	SEC_LOOKUP = 1 << 4,
	SEC_PATHS = 1 << 5,
	SEC_FILTERS = 1 << 6,
	SEC_PROBE = 1 << 7,
	SEC_ALL = (1 << 8) - 1,
	/* Not in "all": it calls the kernel, so it runs only under tests/compat/fake-kernel.so. */
	SEC_INSERT = 1 << 8,
};

static const struct {
	const char *name;
	unsigned int bit;
} section_names[] = {
	{ "ctx", SEC_CTX },	      { "config", SEC_CONFIG },	  { "dump", SEC_DUMP },
	{ "modules", SEC_MODULES },   { "lookup", SEC_LOOKUP },	  { "paths", SEC_PATHS },
	{ "filters", SEC_FILTERS },   { "probe", SEC_PROBE },	  { "insert", SEC_INSERT },
};

struct strv {
	char **v;
	size_t n, cap;
};

struct options {
	const char *moddir;
	struct strv configs;
	bool system_config; /* kmod_new(moddir, NULL): the library's default directories */
	unsigned int sections;
	size_t every;	    /* take every Nth module / alias (1: the whole corpus) */
	size_t probe_every; /* the same, for the probe sample */
	bool no_load;	    /* skip kmod_load_resources: exercise the file-per-lookup paths */
	bool verbose;	    /* pass the library's log through to stderr */
};

/* print_action has no user data pointer (a libkmod API wart), so the report stream is global. */
static FILE *out;
static bool verbose;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("kmod-query: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die("out of memory");
	return d;
}

static void strv_push(struct strv *sv, char *s)
{
	if (sv->n + 1 >= sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 64;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

static void strv_free(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strv){ 0 };
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and drop repeats: queries are asked once each. */
static void strv_sort_unique(struct strv *sv)
{
	size_t j = 0;

	if (sv->n == 0)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	for (size_t i = 1; i < sv->n; i++) {
		if (strcmp(sv->v[i], sv->v[j]) == 0)
			free(sv->v[i]);
		else
			sv->v[++j] = sv->v[i];
	}
	sv->n = j + 1;
	sv->v[sv->n] = NULL;
}

/* One answer is one line: NULL is spelled out, anything but printable ASCII is escaped. */
static void put_str(const char *s)
{
	if (!s) {
		fputs("(null)", out);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", out);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
}

/* "<name>" of each module in a list, space separated: the order is part of the answer. */
static void put_module_names(const struct kmod_list *list)
{
	const struct kmod_list *it;

	kmod_list_foreach(it, list)
	{
		struct kmod_module *m = kmod_module_get_module(it);

		fputc(' ', out);
		put_str(kmod_module_get_name(m));
		kmod_module_unref(m);
	}
}

/* The same, sorted: for lists built from readdir(), whose order nobody promises. */
static void put_sorted_module_names(const struct kmod_list *list)
{
	const struct kmod_list *it;
	struct strv names = { 0 };

	kmod_list_foreach(it, list)
	{
		struct kmod_module *m = kmod_module_get_module(it);

		strv_push(&names, xstrdup(kmod_module_get_name(m)));
		kmod_module_unref(m);
	}
	if (names.n)
		if (names.n > 1)
			qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		fputc(' ', out);
		put_str(names.v[i]);
	}
	strv_free(&names);
}

/* Walking a list backwards must give the forward order reversed (kmod_list_last/prev). */
static bool list_reverse_ok(const struct kmod_list *list)
{
	const struct kmod_list *it;
	size_t n = 0, k = 0;
	const struct kmod_list **fw = NULL;
	bool ok = true;

	kmod_list_foreach(it, list)
	{
		fw = xrealloc(fw, (n + 1) * sizeof(*fw));
		fw[n++] = it;
	}
	kmod_list_foreach_reverse(it, list)
	{
		if (k >= n || fw[n - 1 - k] != it) {
			ok = false;
			break;
		}
		k++;
	}
	free(fw);
	return ok && k == n;
}

/* ---- reading the tree's text files ------------------------------------------------------- */

static void read_lines(const char *path, struct strv *lines)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t size = 0;
	ssize_t len;

	if (!f)
		die("%s: %s", path, strerror(errno));
	while ((len = getline(&line, &size, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		strv_push(lines, xstrdup(line));
	}
	free(line);
	fclose(f);
}

/* "kernel/x/snd-hda-intel.ko.xz" -> "snd_hda_intel", as the kernel names modules. */
static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name, *p;

	name = xstrdup(base ? base + 1 : path);
	p = strstr(name, ".ko");
	if (p)
		*p = '\0';
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

/*
 * A string that the fnmatch pattern matches: '*' matches nothing, '?' matches '0', a bracket
 * class matches the first printable character it accepts (found by asking fnmatch itself, so
 * ranges and negation need no parser here). Returns false when the result does not match after
 * all (a pattern this scheme cannot satisfy); the caller counts those.
 */
static bool concretize(const char *pat, char *buf, size_t size)
{
	size_t o = 0;

	for (const char *p = pat; *p; p++) {
		char c = *p;

		if (o + 2 > size)
			return false;
		if (c == '*')
			continue;
		if (c == '?') {
			buf[o++] = '0';
			continue;
		}
		if (c == '\\' && p[1]) {
			buf[o++] = *++p;
			continue;
		}
		if (c == '[') {
			const char *q = p + 1;
			char cls[256], one[2] = { 0, 0 };
			size_t clen;
			int ch;

			if (*q == '!' || *q == '^')
				q++;
			if (*q == ']')
				q++;
			while (*q && *q != ']')
				q++;
			clen = (size_t)(q - p) + 1;
			if (*q == ']' && clen < sizeof(cls)) {
				memcpy(cls, p, clen);
				cls[clen] = '\0';
				for (ch = 0x21; ch < 0x7f; ch++) {
					one[0] = (char)ch;
					if (fnmatch(cls, one, 0) == 0)
						break;
				}
				if (ch == 0x7f)
					return false;
				buf[o++] = (char)ch;
				p = q;
				continue;
			}
			/* No closing bracket: fnmatch takes '[' literally, and so do we. */
		}
		buf[o++] = c;
	}
	buf[o] = '\0';
	return fnmatch(pat, buf, 0) == 0;
}

/* ---- the context --------------------------------------------------------------------------- */

/*
 * What a client's log function receives at libkmod's default priority (LOG_ERR, KMOD_LOG
 * unset; systemd forwards it to the journal) is part of the answer: priority and message go
 * into the report, in the block that caused them, with pointers masked. Debug traces word the
 * two libraries' internals and are not compared; -v passes everything to stderr instead.
 */
static void log_fn(void *data, int priority, const char *file, int line, const char *fn,
		   const char *format, va_list args)
{
	char msg[1024];

	if (verbose) {
		vfprintf(stderr, format, args);
		return;
	}
	if (priority > LOG_INFO)
		return;
	vsnprintf(msg, sizeof(msg), format, args);
	fprintf(out, "  log %d ", priority);
	for (const char *p = msg; *p && *p != '\n'; p++) {
		if (p[0] == '0' && p[1] == 'x') {
			fputs("PTR", out);
			p += 1 + strspn(p + 2, "0123456789abcdef");
			continue;
		}
		/* This program's mkdtemp directories differ per run. */
		if (strncmp(p, "/kmod-query.", 12) == 0 && strlen(p) >= 18) {
			fputs("/kmod-query.TMP", out);
			p += 17;
			continue;
		}
		fputc(*p, out);
	}
	fputc('\n', out);
}

static struct kmod_ctx *ctx_new(const struct options *o)
{
	static const char *const no_config[] = { NULL };
	const char *const *paths = o->system_config ? NULL :
				   o->configs.n ? (const char *const *)o->configs.v :
						  no_config;
	struct kmod_ctx *ctx = kmod_new(o->moddir, paths);

	if (!ctx)
		die("kmod_new(%s) failed", o->moddir);
	kmod_set_log_fn(ctx, log_fn, NULL);
	if (verbose)
		kmod_set_log_priority(ctx, 7);
	if (!o->no_load) {
		int r = kmod_load_resources(ctx);

		if (r < 0)
			die("kmod_load_resources: %s", strerror(-r));
	}
	return ctx;
}

static void report_ctx(struct kmod_ctx *ctx, const struct options *o)
{
	static int token;
	struct kmod_list *loaded = NULL;
	int prio, r;

	fputs("ctx dirname ", out);
	put_str(kmod_get_dirname(ctx));
	fputc('\n', out);
	fprintf(out, "ctx validate_resources %d\n", kmod_validate_resources(ctx));
	/* The default priority comes from KMOD_LOG; the script runs both sides without it. */
	prio = kmod_get_log_priority(ctx);
	kmod_set_log_priority(ctx, 6);
	fprintf(out, "ctx log_priority default=%d after_set=%d\n", verbose ? 7 : prio,
		kmod_get_log_priority(ctx));
	kmod_set_log_priority(ctx, prio);
	kmod_set_userdata(ctx, &token);
	fprintf(out, "ctx userdata %s\n", kmod_get_userdata(ctx) == &token ? "kept" : "LOST");
	kmod_set_userdata(ctx, NULL);
	fprintf(out, "ctx ref %s\n", kmod_ref(ctx) == ctx ? "same" : "OTHER");
	fprintf(out, "ctx unref %s\n", kmod_unref(ctx) == ctx ? "ctx" : "NULL");
	fprintf(out, "ctx unref(NULL) %s\n", kmod_unref(NULL) ? "ctx" : "NULL");
	for (int s = -1; s <= 4; s++) {
		fprintf(out, "ctx initstate_str %d ", s);
		put_str(kmod_module_initstate_str((enum kmod_module_initstate)s));
		fputc('\n', out);
	}

	/* /proc/modules: none on a host without module support, a fake one under the harness. */
	r = kmod_module_new_from_loaded(ctx, &loaded);
	fprintf(out, "ctx new_from_loaded ret=%d", r);
	put_sorted_module_names(loaded);
	fputc('\n', out);
	kmod_module_unref_list(loaded);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		die("out of memory");
	f = fopen(path, "we");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
	free(path);
}

/*
 * kmod_validate_resources is how udevd notices that depmod or modprobe.d changed under it:
 * a context over a configuration directory of its own, which then changes.
 */
static void report_validate(const struct options *o)
{
	char dir[] = "/tmp/kmod-query-conf.XXXXXX", *path;
	const char *paths[] = { dir, NULL };
	struct kmod_ctx *ctx;

	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));
	write_file(dir, "a.conf", "options dummy from_a=1\n");
	ctx = kmod_new(o->moddir, paths);
	if (!ctx)
		die("kmod_new failed");
	kmod_set_log_fn(ctx, log_fn, NULL);
	fprintf(out, "validate before-load %d\n", kmod_validate_resources(ctx));
	fprintf(out, "validate load %d\n", kmod_load_resources(ctx));
	fprintf(out, "validate unchanged %d\n", kmod_validate_resources(ctx));
	write_file(dir, "b.conf", "options dummy from_b=1\n");
	fprintf(out, "validate config-file-added %d\n", kmod_validate_resources(ctx));
	kmod_unload_resources(ctx);
	fprintf(out, "validate after-unload %d\n", kmod_validate_resources(ctx));
	kmod_unref(ctx);
	for (const char *const *n = (const char *const[]){ "a.conf", "b.conf", NULL }; *n; n++) {
		if (asprintf(&path, "%s/%s", dir, *n) < 0)
			die("out of memory");
		unlink(path);
		free(path);
	}
	rmdir(dir);
}

/*
 * libkmod answers NULL arguments with an error value instead of crashing, and callers lean on
 * it (a failed lookup's NULL flows into the next call). A drop-in must do the same.
 * Left out: what kmod 30 itself crashes on (kmod_get_dirname(NULL),
 * kmod_config_iter_free_iter(NULL)).
 */
static void report_null(struct kmod_ctx *ctx)
{
	struct kmod_list *l = (struct kmod_list *)&l; /* a sentinel: must come back untouched or NULL */
	struct kmod_module *m = NULL;
	struct kmod_list *pre = NULL, *post = NULL;

	fprintf(out, "null get_name %s\n", kmod_module_get_name(NULL) ? "set" : "NULL");
	fprintf(out, "null get_path %s\n", kmod_module_get_path(NULL) ? "set" : "NULL");
	fprintf(out, "null get_options %s\n", kmod_module_get_options(NULL) ? "set" : "NULL");
	fprintf(out, "null get_install %s\n",
		kmod_module_get_install_commands(NULL) ? "set" : "NULL");
	fprintf(out, "null get_remove %s\n",
		kmod_module_get_remove_commands(NULL) ? "set" : "NULL");
	fprintf(out, "null get_initstate %d\n", kmod_module_get_initstate(NULL));
	fprintf(out, "null get_refcnt %d\n", kmod_module_get_refcnt(NULL));
	fprintf(out, "null get_size %ld\n", kmod_module_get_size(NULL));
	fprintf(out, "null get_dependencies %s\n",
		kmod_module_get_dependencies(NULL) ? "set" : "NULL");
	fprintf(out, "null get_holders %s\n", kmod_module_get_holders(NULL) ? "set" : "NULL");
	fprintf(out, "null get_sections %s\n", kmod_module_get_sections(NULL) ? "set" : "NULL");
	fprintf(out, "null get_softdeps %d\n", kmod_module_get_softdeps(NULL, &pre, &post));
	fprintf(out, "null get_info %d\n", kmod_module_get_info(NULL, &l));
	fprintf(out, "null get_versions %d\n", kmod_module_get_versions(NULL, &l));
	fprintf(out, "null get_symbols %d\n", kmod_module_get_symbols(NULL, &l));
	fprintf(out, "null get_dependency_symbols %d\n",
		kmod_module_get_dependency_symbols(NULL, &l));
	fprintf(out, "null out-list %s\n", l == (struct kmod_list *)&l ? "untouched" :
					     l ? "CHANGED" : "NULL");
	fprintf(out, "null new_from_name ctx %d\n", kmod_module_new_from_name(NULL, "dummy", &m));
	fprintf(out, "null new_from_name name %d\n", kmod_module_new_from_name(ctx, NULL, &m));
	fprintf(out, "null new_from_path path %d\n", kmod_module_new_from_path(ctx, NULL, &m));
	l = NULL;
	fprintf(out, "null new_from_lookup alias %d\n", kmod_module_new_from_lookup(ctx, NULL, &l));
	fprintf(out, "null new_from_lookup ctx %d\n",
		kmod_module_new_from_lookup(NULL, "dummy", &l));
	kmod_module_unref_list(l);
	fprintf(out, "null new_from_name_lookup %d\n",
		kmod_module_new_from_name_lookup(ctx, NULL, &m));
	fprintf(out, "null insert %d\n", kmod_module_insert_module(NULL, 0, NULL));
	fprintf(out, "null remove %d\n", kmod_module_remove_module(NULL, 0));
	fprintf(out, "null probe %d\n",
		kmod_module_probe_insert_module(NULL, KMOD_PROBE_DRY_RUN, NULL, NULL, NULL, NULL));
	fprintf(out, "null apply_filter %d\n",
		kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, NULL, &l));
	fprintf(out, "null list_next %s\n", kmod_list_next(NULL, NULL) ? "set" : "NULL");
	fprintf(out, "null list_prev %s\n", kmod_list_prev(NULL, NULL) ? "set" : "NULL");
	fprintf(out, "null list_last %s\n", kmod_list_last(NULL) ? "set" : "NULL");
	fprintf(out, "null get_module %s\n", kmod_module_get_module(NULL) ? "set" : "NULL");
	fprintf(out, "null config_iter_next %d\n", kmod_config_iter_next(NULL));
	fprintf(out, "null config_iter_key %s\n", kmod_config_iter_get_key(NULL) ? "set" : "NULL");
	fprintf(out, "null config_get_blacklists %s\n",
		kmod_config_get_blacklists(NULL) ? "set" : "NULL");
	fprintf(out, "null load_resources %d\n", kmod_load_resources(NULL));
	fprintf(out, "null validate_resources %d\n", kmod_validate_resources(NULL));
	fprintf(out, "null dump_index %d\n", kmod_dump_index(NULL, KMOD_INDEX_MODULES_DEP, 1));
	fprintf(out, "null dump_index bad-type %d\n",
		kmod_dump_index(ctx, (enum kmod_index)(KMOD_INDEX_MODULES_BUILTIN + 1), 1));
	fprintf(out, "null unref %s\n", kmod_module_unref(NULL) ? "set" : "NULL");
	fprintf(out, "null ref %s\n", kmod_module_ref(NULL) ? "set" : "NULL");
	fprintf(out, "null unref_list %d\n", kmod_module_unref_list(NULL));
	kmod_module_info_free_list(NULL);
	kmod_module_versions_free_list(NULL);
	kmod_module_symbols_free_list(NULL);
	kmod_module_dependency_symbols_free_list(NULL);
	kmod_module_section_free_list(NULL);
	fputs("null free_lists survived\n", out);
}

static void report_config(struct kmod_ctx *ctx)
{
	static const struct {
		const char *kind;
		struct kmod_config_iter *(*get)(const struct kmod_ctx *);
	} kinds[] = {
		{ "blacklist", kmod_config_get_blacklists },
		{ "install", kmod_config_get_install_commands },
		{ "remove", kmod_config_get_remove_commands },
		{ "alias", kmod_config_get_aliases },
		{ "options", kmod_config_get_options },
		{ "softdep", kmod_config_get_softdeps },
	};

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct kmod_config_iter *iter = kinds[k].get(ctx);

		if (!iter) {
			fprintf(out, "config %s (no iterator)\n", kinds[k].kind);
			continue;
		}
		while (kmod_config_iter_next(iter)) {
			fprintf(out, "config %s ", kinds[k].kind);
			put_str(kmod_config_iter_get_key(iter));
			fputs(" = ", out);
			put_str(kmod_config_iter_get_value(iter));
			fputc('\n', out);
		}
		kmod_config_iter_free_iter(iter);
	}
}

static void report_dump(struct kmod_ctx *ctx)
{
	static const char *const index_names[] = { "dep", "alias", "symbol", "builtin-alias",
						   "builtin" };

	for (int type = KMOD_INDEX_MODULES_DEP; type <= KMOD_INDEX_MODULES_BUILTIN; type++) {
		int fd = memfd_create("kmod-dump", MFD_CLOEXEC);
		FILE *f;
		char *line = NULL;
		size_t size = 0;
		ssize_t len;
		int r;

		if (fd < 0)
			die("memfd_create: %s", strerror(errno));
		r = kmod_dump_index(ctx, (enum kmod_index)type, fd);
		fprintf(out, "dump %s ret=%d\n", index_names[type], r);
		if (lseek(fd, 0, SEEK_SET) < 0 || !(f = fdopen(fd, "r")))
			die("reading the dump back: %s", strerror(errno));
		while ((len = getline(&line, &size, f)) >= 0) {
			if (len > 0 && line[len - 1] == '\n')
				line[len - 1] = '\0';
			fprintf(out, "dump %s ", index_names[type]);
			put_str(line);
			fputc('\n', out);
		}
		free(line);
		fclose(f);
	}
}

/* ---- one module, every question ------------------------------------------------------------ */

/* Holders and sections come from readdir(): sorted, so the report does not depend on it. */
static void report_state(struct kmod_module *mod)
{
	struct kmod_list *holders, *sections;
	const struct kmod_list *it;
	struct strv sv = { 0 };

	fprintf(out, "  refcnt %d\n", kmod_module_get_refcnt(mod));
	fprintf(out, "  size %ld\n", kmod_module_get_size(mod));
	holders = kmod_module_get_holders(mod);
	fputs("  holders", out);
	put_sorted_module_names(holders);
	fputc('\n', out);
	kmod_module_unref_list(holders);

	sections = kmod_module_get_sections(mod);
	kmod_list_foreach(it, sections)
	{
		char *s;

		if (asprintf(&s, "%s %#lx", kmod_module_section_get_name(it),
			     kmod_module_section_get_address(it)) < 0)
			die("out of memory");
		strv_push(&sv, s);
	}
	kmod_module_section_free_list(sections);
	if (sv.n > 1)
		qsort(sv.v, sv.n, sizeof(*sv.v), cmp_str);
	for (size_t i = 0; i < sv.n; i++) {
		fputs("  section ", out);
		put_str(sv.v[i]);
		fputc('\n', out);
	}
	strv_free(&sv);
}

static const struct {
	const char *label;
	int (*get)(const struct kmod_module *, struct kmod_list **);
	const char *(*symbol)(const struct kmod_list *);
	uint64_t (*crc)(const struct kmod_list *);
	void (*free_list)(struct kmod_list *);
} crc_lists[] = {
	{ "version", kmod_module_get_versions, kmod_module_version_get_symbol,
	  kmod_module_version_get_crc, kmod_module_versions_free_list },
	{ "symbol", kmod_module_get_symbols, kmod_module_symbol_get_symbol,
	  kmod_module_symbol_get_crc, kmod_module_symbols_free_list },
};

static void report_elf(struct kmod_module *mod)
{
	struct kmod_list *list = NULL;
	const struct kmod_list *it;
	int r;

	r = kmod_module_get_info(mod, &list);
	fprintf(out, "  info ret=%d\n", r);
	kmod_list_foreach(it, list)
	{
		fputs("  info ", out);
		put_str(kmod_module_info_get_key(it));
		fputs(" = ", out);
		put_str(kmod_module_info_get_value(it));
		fputc('\n', out);
	}
	kmod_module_info_free_list(list);

	/* __versions and the exported symbols: the same shape of list, one loop. */
	for (size_t k = 0; k < sizeof(crc_lists) / sizeof(crc_lists[0]); k++) {
		list = NULL;
		r = crc_lists[k].get(mod, &list);
		fprintf(out, "  %ss ret=%d\n", crc_lists[k].label, r);
		kmod_list_foreach(it, list)
		{
			fprintf(out, "  %s ", crc_lists[k].label);
			put_str(crc_lists[k].symbol(it));
			fprintf(out, " %#018" PRIx64 "\n", crc_lists[k].crc(it));
		}
		crc_lists[k].free_list(list);
	}

	list = NULL;
	r = kmod_module_get_dependency_symbols(mod, &list);
	fprintf(out, "  depsyms ret=%d\n", r);
	kmod_list_foreach(it, list)
	{
		int bind = kmod_module_dependency_symbol_get_bind(it);

		fputs("  depsym ", out);
		put_str(kmod_module_dependency_symbol_get_symbol(it));
		fprintf(out, " bind=%d %#018" PRIx64 "\n", bind,
			kmod_module_dependency_symbol_get_crc(it));
	}
	kmod_module_dependency_symbols_free_list(list);
}

static void report_module(struct kmod_ctx *ctx, const char *name)
{
	struct kmod_module *mod = NULL, *found = NULL;
	struct kmod_list *deps, *pre = NULL, *post = NULL;
	int r, state;

	fputs("module ", out);
	put_str(name);
	fputc('\n', out);

	r = kmod_module_new_from_name_lookup(ctx, name, &found);
	fprintf(out, "  name_lookup ret=%d ", r);
	put_str(found ? kmod_module_get_name(found) : "(none)");
	fputc('\n', out);
	kmod_module_unref(found);

	r = kmod_module_new_from_name(ctx, name, &mod);
	if (r < 0) {
		fprintf(out, "  new_from_name ret=%d\n", r);
		return;
	}
	fputs("  path ", out);
	put_str(kmod_module_get_path(mod));
	fputc('\n', out);

	state = kmod_module_get_initstate(mod);
	fprintf(out, "  initstate %d\n", state);
	if (state >= 0 && state != KMOD_MODULE_BUILTIN)
		report_state(mod);

	fputs("  options ", out);
	put_str(kmod_module_get_options(mod));
	fputs("\n  install ", out);
	put_str(kmod_module_get_install_commands(mod));
	fputs("\n  remove ", out);
	put_str(kmod_module_get_remove_commands(mod));

	deps = kmod_module_get_dependencies(mod);
	fputs("\n  deps", out);
	put_module_names(deps);
	fputc('\n', out);
	if (!list_reverse_ok(deps))
		fputs("  deps reverse-walk MISMATCH\n", out);
	kmod_module_unref_list(deps);

	r = kmod_module_get_softdeps(mod, &pre, &post);
	fprintf(out, "  softdeps ret=%d pre:", r);
	put_module_names(pre);
	fputs(" post:", out);
	put_module_names(post);
	fputc('\n', out);
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);

	report_elf(mod);
	kmod_module_unref(mod);
}

/* ---- lookups -------------------------------------------------------------------------------- */

static void report_lookup(struct kmod_ctx *ctx, const char *query)
{
	struct kmod_list *list = NULL;
	int r = kmod_module_new_from_lookup(ctx, query, &list);

	fputs("lookup ", out);
	put_str(query);
	/* libkmod says "not found" with 0 and an empty list; systemd relies on exactly that. */
	fprintf(out, " ret=%d%s", r, r >= 0 && !list ? " (empty)" : ":");
	put_module_names(list);
	fputc('\n', out);
	kmod_module_unref_list(list);
}

/* ---- paths: kmod_module_new_from_path, in a context of its own ----------------------------- */

static void report_paths(const struct options *o, const struct strv *dep_lines)
{
	struct kmod_ctx *ctx = ctx_new(o);
	char tmpl[] = "/tmp/kmod-query.XXXXXX", *p;
	struct kmod_module *named = NULL, *mod = NULL;
	int r;

	for (size_t i = 0; i < dep_lines->n; i += o->every) {
		char *colon = strchr(dep_lines->v[i], ':');

		if (!colon)
			continue;
		if (asprintf(&p, "%s/%.*s", o->moddir, (int)(colon - dep_lines->v[i]),
			     dep_lines->v[i]) < 0)
			die("out of memory");
		mod = NULL;
		r = kmod_module_new_from_path(ctx, p, &mod);
		fputs("path ", out);
		put_str(p + strlen(o->moddir));
		fprintf(out, " ret=%d name=", r);
		put_str(mod ? kmod_module_get_name(mod) : "(none)");
		fputs(" path=", out);
		put_str(mod && kmod_module_get_path(mod) ? kmod_module_get_path(mod) + strlen(o->moddir) :
							   "(none)");
		fputc('\n', out);
		kmod_module_unref(mod);
		free(p);
	}

	/* A path that does not exist. */
	mod = NULL;
	if (asprintf(&p, "%s/kernel/no-such-module.ko", o->moddir) < 0)
		die("out of memory");
	r = kmod_module_new_from_path(ctx, p, &mod);
	fprintf(out, "path /kernel/no-such-module.ko ret=%d\n", r);
	kmod_module_unref(mod);
	free(p);

	/*
	 * libkmod keeps one module object per name: a second file with the same name while the
	 * first is alive is refused with -EEXIST. dracut-install creates modules by path.
	 */
	if (!mkdtemp(tmpl))
		die("mkdtemp: %s", strerror(errno));
	if (asprintf(&p, "%s/e1000e.ko", tmpl) < 0)
		die("out of memory");
	write_file(tmpl, "e1000e.ko", "");
	r = kmod_module_new_from_name(ctx, "e1000e", &named);
	fprintf(out, "path same-name new_from_name ret=%d path=%s\n", r,
		named && kmod_module_get_path(named) ? "set" : "(none)");
	mod = NULL;
	r = kmod_module_new_from_path(ctx, p, &mod);
	fprintf(out, "path same-name other-file ret=%d name=", r);
	put_str(mod ? kmod_module_get_name(mod) : "(none)");
	fputc('\n', out);
	kmod_module_unref(mod);
	kmod_module_unref(named);
	unlink(p);
	rmdir(tmpl);
	free(p);
	kmod_unref(ctx);
}

/* ---- filters ------------------------------------------------------------------------------ */

/*
 * kmod_module_apply_filter over each module's lookup list and over its dependency list (a
 * list of several modules, so the order of what is kept is checked too). Only lists that lose
 * something are printed, with what they keep.
 */
static void report_filters(struct kmod_ctx *ctx, const struct strv *names)
{
	static const struct {
		const char *name;
		int type; /* 0: the deprecated kmod_module_get_filtered_blacklist */
	} filters[] = {
		{ "blacklist", KMOD_FILTER_BLACKLIST },
		{ "builtin", KMOD_FILTER_BUILTIN },
		{ "blacklist+builtin", KMOD_FILTER_BLACKLIST | KMOD_FILTER_BUILTIN },
		{ "filtered_blacklist", 0 },
	};

	for (size_t f = 0; f < sizeof(filters) / sizeof(filters[0]); f++) {
		size_t changed = 0;

		for (size_t i = 0; i < names->n; i++) {
			struct kmod_list *lists[2] = { NULL, NULL };
			struct kmod_module *mod = NULL;

			kmod_module_new_from_lookup(ctx, names->v[i], &lists[0]);
			if (kmod_module_new_from_name(ctx, names->v[i], &mod) == 0)
				lists[1] = kmod_module_get_dependencies(mod);
			kmod_module_unref(mod);
			for (int k = 0; k < 2; k++) {
				struct kmod_list *o = NULL;
				const struct kmod_list *a, *b;
				size_t na = 0, nb = 0;
				int r;

				if (!lists[k])
					continue;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
				r = filters[f].type ?
					    kmod_module_apply_filter(
						    ctx, (enum kmod_filter)filters[f].type,
						    lists[k], &o) :
					    kmod_module_get_filtered_blacklist(ctx, lists[k], &o);
#pragma GCC diagnostic pop
				kmod_list_foreach(a, lists[k]) na++;
				kmod_list_foreach(b, o) nb++;
				if (r != 0 || na != nb) {
					changed++;
					fprintf(out, "filter %s %s ", filters[f].name,
						k ? "deps-of" : "lookup");
					put_str(names->v[i]);
					fprintf(out, " ret=%d kept:", r);
					put_module_names(o);
					fputc('\n', out);
				}
				kmod_module_unref_list(o);
				kmod_module_unref_list(lists[k]);
			}
		}
		fprintf(out, "filter %s lists-changed=%zu\n", filters[f].name, changed);
	}
}

/* ---- probe: dry runs, every flag that changes the plan ------------------------------------- */

static const struct {
	const char *name;
	unsigned int flags;
} probe_flags[] = {
	{ "none", 0 },
	{ "ignore-command", KMOD_PROBE_IGNORE_COMMAND },
	{ "ignore-loaded", KMOD_PROBE_IGNORE_LOADED },
	{ "fail-on-loaded", KMOD_PROBE_FAIL_ON_LOADED },
	{ "blacklist-all", KMOD_PROBE_APPLY_BLACKLIST_ALL },
	{ "blacklist", KMOD_PROBE_APPLY_BLACKLIST },
	{ "blacklist-alias-only", KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY },
};

static void print_action(struct kmod_module *m, bool install, const char *options)
{
	fprintf(out, "  action %s ", install ? "install" : "insmod");
	put_str(kmod_module_get_name(m));
	fputs(" opts=", out);
	put_str(options);
	if (install) {
		fputs(" cmd=", out);
		put_str(kmod_module_get_install_commands(m));
	}
	fputc('\n', out);
}

/* A dry run must never run a command; if it does, the report says so. */
static int run_install(struct kmod_module *m, const char *cmdline, void *data)
{
	fputs("  RAN-INSTALL ", out);
	put_str(kmod_module_get_name(m));
	fputc(' ', out);
	put_str(cmdline);
	fputc('\n', out);
	return 0;
}

static void probe_one(struct kmod_module *mod, size_t first_flag, size_t last_flag)
{
	for (size_t f = first_flag; f <= last_flag; f++) {
		int r;

		/* The plain run also passes extra options, to show how they merge with the config's. */
		r = kmod_module_probe_insert_module(mod, KMOD_PROBE_DRY_RUN | probe_flags[f].flags,
						    f == 0 ? "compat_extra=1" : NULL, run_install,
						    NULL, print_action);
		/* Blacklisting answers with the positive flag value (systemd compares against it). */
		fprintf(out, "  = %s ret=%d\n", probe_flags[f].name, r);
	}
}

static void report_probe(struct kmod_ctx *ctx, const struct strv *names,
			 const struct strv *queries, size_t every)
{
	const size_t nflags = sizeof(probe_flags) / sizeof(probe_flags[0]);

	/* By name: mod->alias is unset, so ALIAS_ONLY must not refuse anything here. */
	for (size_t i = 0; i < names->n; i += every) {
		struct kmod_module *mod = NULL;

		if (kmod_module_new_from_name(ctx, names->v[i], &mod) < 0)
			continue;
		fputs("probe name ", out);
		put_str(names->v[i]);
		fputc('\n', out);
		probe_one(mod, 0, nflags - 1);
		kmod_module_unref(mod);
	}
	/* Through a lookup, as udev and modules-load do: the blacklist flags (from index 4). */
	for (size_t i = 0; i < queries->n; i += every) {
		struct kmod_list *list = NULL;
		const struct kmod_list *it;

		kmod_module_new_from_lookup(ctx, queries->v[i], &list);
		kmod_list_foreach(it, list)
		{
			struct kmod_module *mod = kmod_module_get_module(it);

			fputs("probe lookup ", out);
			put_str(queries->v[i]);
			fputs(" -> ", out);
			put_str(kmod_module_get_name(mod));
			fputc('\n', out);
			probe_one(mod, 4, nflags - 1);
			kmod_module_unref(mod);
		}
		kmod_module_unref_list(list);
	}
}

/* ---- insert and remove, against fake-kernel.so -------------------------------------------- */

/*
 * The fake kernel's log, read and emptied after each call, goes into the report: the flags a
 * library hands to finit_module and delete_module are the answer here (libkmod's insert flags
 * and the kernel's are numbered the other way round).
 */
static void drain_kernel_log(const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t size = 0;
	ssize_t len;

	if (!f)
		return;
	while ((len = getline(&line, &size, f)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[len - 1] = '\0';
		fputs("  kernel ", out);
		put_str(line);
		fputc('\n', out);
	}
	free(line);
	fclose(f);
	if (truncate(path, 0) < 0)
		die("%s: %s", path, strerror(errno));
}

static void report_insert(struct kmod_ctx *ctx)
{
	static const char *const modules[] = { "psmouse", "8139too", "floppy", "dummy", "unix",
					       "no_such_module" };
	static const struct {
		const char *name;
		unsigned int insert, remove;
	} rounds[] = {
		{ "plain", 0, 0 },
		{ "force-vermagic/force", KMOD_INSERT_FORCE_VERMAGIC, KMOD_REMOVE_FORCE },
		{ "force-modversion/nolog", KMOD_INSERT_FORCE_MODVERSION, KMOD_REMOVE_NOLOG },
		{ "force-both/nowait", KMOD_INSERT_FORCE_VERMAGIC | KMOD_INSERT_FORCE_MODVERSION,
		  KMOD_REMOVE_NOWAIT },
	};
	const char *klog = getenv("FAKE_KERNEL_LOG");

	/* Never against a real kernel: the marker is only in the interposer. */
	if (!klog || !dlsym(RTLD_DEFAULT, "fake_kernel_is_loaded"))
		die("the insert section needs tests/compat/fake-kernel.so preloaded and FAKE_KERNEL_LOG");
	drain_kernel_log(klog);
	for (size_t i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		struct kmod_module *mod = NULL;

		fprintf(out, "insert %s\n", modules[i]);
		if (kmod_module_new_from_name(ctx, modules[i], &mod) < 0) {
			fputs("  new_from_name failed\n", out);
			continue;
		}
		for (size_t k = 0; k < sizeof(rounds) / sizeof(rounds[0]); k++) {
			int r = kmod_module_insert_module(mod, rounds[k].insert,
							  k == 0 ? "opt=1 other=\"a b\"" : NULL);

			fprintf(out, "  %s insert ret=%d initstate=%d\n", rounds[k].name, r,
				kmod_module_get_initstate(mod));
			drain_kernel_log(klog);
			/* Again while it is live: the kernel says -EEXIST. */
			r = kmod_module_insert_module(mod, rounds[k].insert, NULL);
			fprintf(out, "  %s again ret=%d\n", rounds[k].name, r);
			drain_kernel_log(klog);
			r = kmod_module_remove_module(mod, rounds[k].remove);
			fprintf(out, "  %s remove ret=%d initstate=%d\n", rounds[k].name, r,
				kmod_module_get_initstate(mod));
			drain_kernel_log(klog);
		}
		kmod_module_unref(mod);
	}
}

/* ---- main ----------------------------------------------------------------------------------- */

/* Names no module has, and queries the lookup must reject or survive. */
static const char *const not_found[] = {
	"no_such_module",
	"no-such-module",
	"",
	"-",
	"_",
	"symbol:no_such_symbol",
	"symbol:",
	"pci:v0000FFFFd0000FFFFsv00000000sd00000000bc00sc00i00",
	"foo[bar",
	"foo]bar",
	"foo*",
	"kernel/drivers/net/dummy.ko",
	"dummy.ko",
	"snd-hda-intel.ko.xz",
};

static void usage(void)
{
	fputs("usage: kmod-query [options] MODDIR\n"
	      "  -c, --config=PATH     a configuration path for kmod_new (repeatable; none: no config)\n"
	      "      --system-config   kmod_new(MODDIR, NULL): the library's default directories\n"
	      "  -s, --sections=LIST   comma-separated: ctx,config,dump,modules,lookup,paths,filters,probe\n"
	      "                        (default: all), and insert (real inserts and removals: only\n"
	      "                        under tests/compat/fake-kernel.so, never in \"all\")\n"
	      "  -e, --every=N         only every Nth module and alias (default 1: the whole corpus)\n"
	      "  -p, --probe-every=N   only every Nth module and alias for the probe dry runs\n"
	      "      --no-load         skip kmod_load_resources (lookups read the index files)\n"
	      "  -o, --output=FILE     write the report there (default: stdout)\n"
	      "  -v, --verbose         the library's log on stderr\n"
	      "      --which-lib       print the file libkmod was loaded from, and exit\n",
	      stderr);
}

/* The harness checks that LD_LIBRARY_PATH really swapped the library before trusting a pass. */
static void which_lib(void)
{
	Dl_info info;
	char *real;

	if (!dladdr((void *)kmod_new, &info) || !info.dli_fname)
		die("dladdr(kmod_new) failed");
	real = realpath(info.dli_fname, NULL);
	printf("%s\n", real ? real : info.dli_fname);
	free(real);
}

static unsigned int parse_sections(const char *arg)
{
	unsigned int bits = 0;
	char *copy = xstrdup(arg), *save = NULL;

	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t k;

		for (k = 0; k < sizeof(section_names) / sizeof(section_names[0]); k++)
			if (strcmp(tok, section_names[k].name) == 0)
				break;
		if (k == sizeof(section_names) / sizeof(section_names[0]))
			die("unknown section '%s'", tok);
		bits |= section_names[k].bit;
	}
	free(copy);
	return bits;
}

static size_t parse_count(const char *arg)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v == 0)
		die("'%s' is not a positive count", arg);
	return v;
}

static void parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "system-config", no_argument, NULL, 'S' },
		{ "sections", required_argument, NULL, 's' },
		{ "every", required_argument, NULL, 'e' },
		{ "probe-every", required_argument, NULL, 'p' },
		{ "no-load", no_argument, NULL, 'N' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "which-lib", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ .sections = SEC_ALL, .every = 1, .probe_every = 1 };
	while ((c = getopt_long(argc, argv, "c:s:e:p:o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			strv_push(&o->configs, xstrdup(optarg));
			break;
		case 'S':
			o->system_config = true;
			break;
		case 's':
			o->sections = parse_sections(optarg);
			break;
		case 'e':
			o->every = parse_count(optarg);
			break;
		case 'p':
			o->probe_every = parse_count(optarg);
			break;
		case 'N':
			o->no_load = true;
			break;
		case 'o':
			if (!freopen(optarg, "we", stdout))
				die("%s: %s", optarg, strerror(errno));
			break;
		case 'v':
			o->verbose = verbose = true;
			break;
		case 'W':
			which_lib();
			exit(0);
		case 'h':
			usage();
			exit(0);
		default:
			usage();
			exit(2);
		}
	}
	if (optind + 1 != argc) {
		usage();
		exit(2);
	}
	o->moddir = argv[optind];
}

/* Every name and query the report asks about, from the tree's text files. */
static void collect(const struct options *o, struct kmod_ctx *ctx, struct strv *dep_lines,
		    struct strv *names, struct strv *queries)
{
	struct strv lines = { 0 };
	struct kmod_config_iter *iter;
	size_t patterns = 0, unmatched = 0, nbuiltin = 0;
	char buf[4096], *path;

	if (asprintf(&path, "%s/modules.dep", o->moddir) < 0)
		die("out of memory");
	read_lines(path, dep_lines);
	free(path);
	for (size_t i = 0; i < dep_lines->n; i += o->every) {
		char *colon = strchr(dep_lines->v[i], ':');

		if (colon) {
			*colon = '\0';
			strv_push(names, name_from_path(dep_lines->v[i]));
			*colon = ':';
		}
	}

	if (asprintf(&path, "%s/modules.builtin", o->moddir) < 0)
		die("out of memory");
	read_lines(path, &lines);
	free(path);
	for (size_t i = 0; i < lines.n; i += o->every, nbuiltin++)
		strv_push(names, name_from_path(lines.v[i]));
	strv_free(&lines);

	/* "alias PATTERN MODULE" and "alias symbol:NAME MODULE": each pattern made concrete. */
	if (asprintf(&path, "%s/modules.alias", o->moddir) < 0)
		die("out of memory");
	read_lines(path, &lines);
	free(path);
	if (asprintf(&path, "%s/modules.symbols", o->moddir) < 0)
		die("out of memory");
	read_lines(path, &lines);
	free(path);
	for (size_t i = 0; i < lines.n; i += o->every) {
		char *pat = lines.v[i], *sp;

		if (strncmp(pat, "alias ", 6) != 0)
			continue;
		pat += 6;
		sp = strchr(pat, ' ');
		if (sp)
			*sp = '\0';
		patterns++;
		if (concretize(pat, buf, sizeof(buf)))
			strv_push(queries, xstrdup(buf));
		else
			unmatched++;
	}
	strv_free(&lines);

	/* The configuration's own aliases, made concrete the same way. */
	iter = kmod_config_get_aliases(ctx);
	while (iter && kmod_config_iter_next(iter)) {
		patterns++;
		if (concretize(kmod_config_iter_get_key(iter), buf, sizeof(buf)))
			strv_push(queries, xstrdup(buf));
		else
			unmatched++;
	}
	kmod_config_iter_free_iter(iter);

	/* Names as people type them: dashes for underscores. */
	for (size_t i = 0; i < names->n; i++) {
		char *dashed = xstrdup(names->v[i]);

		for (char *p = dashed; *p; p++)
			if (*p == '_')
				*p = '-';
		strv_push(queries, dashed);
	}
	for (size_t i = 0; i < sizeof(not_found) / sizeof(not_found[0]); i++)
		strv_push(queries, xstrdup(not_found[i]));
	strv_sort_unique(queries);

	fprintf(out, "corpus modules=%zu builtins=%zu patterns=%zu unmatched-patterns=%zu "
		     "queries=%zu every=%zu\n",
		names->n - nbuiltin, nbuiltin, patterns, unmatched, queries->n, o->every);
}

int main(int argc, char **argv)
{
	struct options o;
	struct strv dep_lines = { 0 }, names = { 0 }, queries = { 0 };
	struct kmod_ctx *ctx;

	parse_args(argc, argv, &o);
	out = stdout;
	/* Large, fully buffered: the whole-corpus report is tens of megabytes. */
	setvbuf(out, NULL, _IOFBF, 1 << 20);

	ctx = ctx_new(&o);
	collect(&o, ctx, &dep_lines, &names, &queries);

	if (o.sections & SEC_CTX) {
		report_ctx(ctx, &o);
		report_validate(&o);
		report_null(ctx);
	}
	if (o.sections & SEC_CONFIG)
		report_config(ctx);
	if (o.sections & SEC_DUMP)
		report_dump(ctx);
	if (o.sections & SEC_MODULES)
		for (size_t i = 0; i < names.n; i++)
			report_module(ctx, names.v[i]);
	if (o.sections & SEC_LOOKUP)
		for (size_t i = 0; i < queries.n; i++)
			report_lookup(ctx, queries.v[i]);
	if (o.sections & SEC_PATHS)
		report_paths(&o, &dep_lines);
	if (o.sections & SEC_FILTERS)
		report_filters(ctx, &names);
	if (o.sections & SEC_PROBE)
		report_probe(ctx, &names, &queries, o.probe_every);
	if (o.sections & SEC_INSERT)
		report_insert(ctx);
	fputs("end\n", out);

	kmod_unref(ctx);
	strv_free(&dep_lines);
	strv_free(&names);
	strv_free(&queries);
	strv_free(&o.configs);
	if (fflush(out) != 0 || ferror(out))
		die("writing the report: %s", strerror(errno));
	return 0;
}
