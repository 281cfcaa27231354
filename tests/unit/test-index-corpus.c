/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Differential test of the index reader and writer against libkmod on real depmod output.
 *
 * Given a module directory holding kmod's modules.*.bin (the argument: with-corpus-moddir.sh
 * --indexed passes the corpus tree's; exit 77 = skip when it holds no indexes), for each index:
 *  (a) mod_index_dump must equal kmod_dump_index byte for byte;
 *  (b) rebuilding the index from mod_index_foreach with the builder in post-order must give
 *      kmod's file byte for byte, and the pre-order build must dump the same;
 *  (c) for modules.alias.bin, every alias of modules.alias made concrete must give the same
 *      modules in the same order as kmod_module_new_from_lookup.
 * Only the test links libkmod; the library never does.
 */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "libmod.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                       \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

static const struct {
	const char *file;
	enum kmod_index kind;
	const char *prefix;
} indexes[] = {
	{ "modules.dep.bin", KMOD_INDEX_MODULES_DEP, "" },
	{ "modules.alias.bin", KMOD_INDEX_MODULES_ALIAS, "alias " },
	{ "modules.symbols.bin", KMOD_INDEX_MODULES_SYMBOL, "alias " },
	{ "modules.builtin.alias.bin", KMOD_INDEX_MODULES_BUILTIN_ALIAS, "" },
	{ "modules.builtin.bin", KMOD_INDEX_MODULES_BUILTIN, "" },
};

/* Contents of an fd written from offset 0 (memfds). */
static char *fd_contents(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	char *buf;

	if (end < 0)
		return NULL;
	buf = malloc((size_t)end + 1);
	if (!buf)
		return NULL;
	if (pread(fd, buf, (size_t)end, 0) != end) {
		free(buf);
		return NULL;
	}
	*len = (size_t)end;
	return buf;
}

static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;

	if (fd < 0)
		return NULL;
	buf = fd_contents(fd, len);
	close(fd);
	return buf;
}

struct triple {
	char *key, *value;
	unsigned int prio;
};

struct collect {
	struct triple *v;
	size_t n, alloc;
};

static int collect_fn(const char *key, const char *value, unsigned int prio, void *data)
{
	struct collect *c = data;

	if (c->n == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 1024;
		c->v = realloc(c->v, c->alloc * sizeof(*c->v));
		if (!c->v)
			return -ENOMEM;
	}
	c->v[c->n++] = (struct triple){ strdup(key), strdup(value), prio };
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check_index(struct kmod_ctx *kctx, const char *dir, size_t i)
{
	char path[4096];
	struct mod_index *idx = NULL, *re = NULL;
	struct mod_index_builder *b = NULL;
	struct collect c = { 0 };
	char *kdump = NULL, *mdump = NULL, *file = NULL, *built = NULL, *pdump = NULL;
	size_t klen = 0, mlen = 0, flen = 0, blen = 0, plen = 0;
	int kfd = memfd_create("kmod", MFD_CLOEXEC), mfd = memfd_create("mod", MFD_CLOEXEC);
	int bfd = memfd_create("post", MFD_CLOEXEC), pfd = memfd_create("pre", MFD_CLOEXEC);
	int pdfd = memfd_create("predump", MFD_CLOEXEC);
	double t;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, indexes[i].file);
	r = mod_index_open(NULL, path, &idx);
	CHECK(r == 0, "open %s: %d", path, r);
	if (r < 0)
		goto out;

	/* (a) dumps */
	CHECK(kmod_dump_index(kctx, indexes[i].kind, kfd) == 0, "kmod dump %s", path);
	CHECK(mod_index_dump(idx, mfd, indexes[i].prefix) == 0, "dump %s", path);
	kdump = fd_contents(kfd, &klen);
	mdump = fd_contents(mfd, &mlen);
	CHECK(kdump && mdump && klen == mlen && memcmp(kdump, mdump, klen) == 0,
	      "%s: dump differs from kmod (%zu vs %zu bytes)", path, mlen, klen);

	/* (b) rebuild: reverse insertion reproduces the stored order of equal priorities */
	CHECK(mod_index_foreach(idx, collect_fn, &c) == 0, "foreach %s", path);
	CHECK(mod_index_builder_new(&b) == 0, "builder");
	t = now();
	for (size_t k = c.n; k-- > 0;)
		CHECK(mod_index_builder_add(b, c.v[k].key, c.v[k].value, c.v[k].prio) >= 0, "add");
	CHECK(mod_index_builder_write(b, bfd, MOD_INDEX_LAYOUT_POSTORDER) == 0, "write post");
	t = now() - t;
	CHECK(mod_index_builder_write(b, pfd, MOD_INDEX_LAYOUT_PREORDER) == 0, "write pre");
	file = read_file(path, &flen);
	built = fd_contents(bfd, &blen);
	CHECK(file && built && flen == blen && memcmp(file, built, flen) == 0,
	      "%s: post-order rebuild differs from kmod's file (%zu vs %zu bytes)", path, blen,
	      flen);
	free(built);
	built = fd_contents(pfd, &blen);
	CHECK(built && blen == flen, "%s: pre-order size %zu, kmod %zu", path, blen, flen);
	if (built) {
		r = mod_index_new_from_memory(NULL, built, blen, &re);
		CHECK(r == 0, "reopen pre-order: %d", r);
		if (r == 0) {
			CHECK(mod_index_dump(re, pdfd, indexes[i].prefix) == 0, "dump pre");
			pdump = fd_contents(pdfd, &plen);
			CHECK(pdump && plen == klen && memcmp(pdump, kdump, klen) == 0,
			      "%s: pre-order dump differs", path);
		}
	}
	printf("%-28s %8zu bytes %6zu values: dump ok=%d, rebuild %.3fs\n", indexes[i].file, flen,
	       c.n, failures == 0, t);
out:
	for (size_t k = 0; k < c.n; k++) {
		free(c.v[k].key);
		free(c.v[k].value);
	}
	free(c.v);
	mod_index_unref(re);
	mod_index_unref(idx);
	mod_index_builder_free(b);
	free(kdump);
	free(mdump);
	free(file);
	free(built);
	free(pdump);
	close(kfd);
	close(mfd);
	close(bfd);
	close(pfd);
	close(pdfd);
}

/* "[abc]" -> "a", "*" / "?" -> "x": a literal string the pattern matches. */
static void make_concrete(const char *pat, char *out, size_t outsz)
{
	size_t o = 0;

	for (const char *p = pat; *p && o + 1 < outsz; p++) {
		if (*p == '*' || *p == '?') {
			out[o++] = 'x';
		} else if (*p == '[') {
			const char *e = strchr(p + 1, ']');

			out[o++] = p[1] == '!' || p[1] == '^' ? '#' : p[1];
			if (e)
				p = e;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

static void check_aliases(struct kmod_ctx *kctx, const char *dir, long max)
{
	char path[4096], line[4096], pat[2048], mod[512], raw[2048], key[2048];
	struct mod_index *idx, *dep = NULL;
	long n = 0, same = 0, hits = 0, names = 0;
	double tk = 0, tm = 0, t;
	FILE *f;

	snprintf(path, sizeof(path), "%s/modules.alias.bin", dir);
	if (mod_index_open(NULL, path, &idx) < 0)
		return;
	snprintf(path, sizeof(path), "%s/modules.dep.bin", dir);
	CHECK(mod_index_open(NULL, path, &dep) == 0, "open %s", path);
	snprintf(path, sizeof(path), "%s/modules.alias", dir);
	f = fopen(path, "re");
	CHECK(f, "open %s", path);
	if (!f) {
		mod_index_unref(idx);
		return;
	}
	while (fgets(line, sizeof(line), f) && n < max) {
		struct kmod_list *list = NULL, *l;
		struct mod_index_result *res = NULL;
		size_t cnt, k = 0;
		bool ok = true;
		int r, kr;

		if (sscanf(line, "alias %2047s %511s", pat, mod) != 2)
			continue;
		make_concrete(pat, raw, sizeof(raw));
		/* kmod looks up the normalized alias; so must we. */
		if (mod_alias_normalize(raw, key, sizeof(key)) < 0)
			continue;
		/* kmod resolves a module name through modules.dep before any alias. */
		if (dep && mod_index_lookup(dep, key, &(const char *){ NULL }) == 0) {
			names++;
			continue;
		}
		n++;
		t = now();
		kr = kmod_module_new_from_lookup(kctx, key, &list);
		tk += now() - t;
		t = now();
		r = mod_index_lookup_wild(idx, key, &res);
		tm += now() - t;
		cnt = mod_index_result_count(res);
		if (r == 0)
			hits++;
		kmod_list_foreach(l, list) {
			struct kmod_module *m = kmod_module_get_module(l);

			if (k >= cnt || strcmp(kmod_module_get_name(m), mod_index_result_value(res, k)))
				ok = false;
			k++;
			kmod_module_unref(m);
		}
		if (k != cnt || kr < 0)
			ok = false;
		if (ok)
			same++;
		else if (n - same <= 10)
			fprintf(stderr, "alias mismatch for %s (from %s): kmod %zu, libmod %zu results\n",
				key, pat, k, cnt);
		kmod_module_unref_list(list);
		mod_index_result_free(res);
	}
	fclose(f);
	mod_index_unref(idx);
	mod_index_unref(dep);
	printf("aliases: %ld looked up (%ld skipped: module names), %ld found, %ld identical to kmod;"
	       " kmod_module_new_from_lookup %.3fs, mod_index_lookup_wild %.3fs\n",
	       n, names, hits, same, tk, tm);
	CHECK(same == n, "%ld alias lookups differ from kmod", n - same);
}

int main(int argc, char **argv)
{
	const char *dir = argv[1];
	const char *no_config[] = { "/nonexistent/libmod-test", NULL };
	struct kmod_ctx *kctx;
	char path[4096];
	struct stat st;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MODULE-DIRECTORY [MAX-ALIASES]\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/modules.dep.bin", dir);
	if (stat(path, &st) < 0) {
		printf("SKIP: no indexes in %s\n", dir);
		return 77;
	}
	kctx = kmod_new(dir, no_config);
	if (!kctx || kmod_load_resources(kctx) < 0) {
		fprintf(stderr, "libkmod cannot load %s\n", dir);
		return 1;
	}
	for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++)
		check_index(kctx, dir, i);
	check_aliases(kctx, dir, argc > 2 ? strtol(argv[2], NULL, 10) : 100000);
	kmod_unref(kctx);
	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures ? 1 : 0;
}
