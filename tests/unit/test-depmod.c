/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the depmod engine's logic on synthetic data: the LIFO-Kahn ordering and the
 * dependency closures, cycle reports, depmod.d search/override/exclude rules for duplicate
 * names, and modules.order quirks (duplicates, compressed names, a corrupt last line).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "depmod.h"

static char logbuf[4096];

static void capture_log(void *data, int priority, const char *file, int line, const char *fn,
			const char *format, va_list args)
{
	size_t used = strlen(logbuf);

	vsnprintf(logbuf + used, sizeof(logbuf) - used, format, args);
}

static struct mod_depmod *new_depmod(const char *indir)
{
	static const char *const no_config[] = { NULL };
	struct mod_ctx *ctx;
	struct mod_depmod *d;

	assert_int_equal(mod_ctx_new("/nonexistent", no_config, &ctx), 0);
	mod_ctx_set_log_fn(ctx, capture_log, NULL);
	mod_ctx_set_log_priority(ctx, LOG_WARNING);
	assert_int_equal(mod_depmod_new(ctx, &d), 0);
	mod_ctx_unref(ctx);
	assert_int_equal(mod_depmod_set_kernel_version(d, "1.0"), 0);
	d->indir = depmod_intern(d, indir);
	assert_non_null(d->indir);
	logbuf[0] = '\0';
	return d;
}

/* Add a module "<indir>/kernel/<name>.ko" exporting `exports` and needing `needs` (space lists). */
static void add_mod(struct mod_depmod *d, const char *name, const char *exports,
		    const char *needs)
{
	char path[256];
	struct depmod_mod *m;

	snprintf(path, sizeof(path), "%s/kernel/%s.ko", d->indir, name);
	assert_int_equal(depmod_add_file(d, path, strlen(d->indir) + 1, false), 0);
	m = d->mods[d->n_mods - 1];
	for (int kind = 0; kind < 2; kind++) {
		char buf[256], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", kind ? needs : exports);
		for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
			assert_int_equal(depmod_mod_add_ent(m, kind ? DEPMOD_ENT_NEED
								    : DEPMOD_ENT_EXPORT,
							    w, strlen(w), 0, false),
					 0);
	}
}

static int resolve_and_sort(struct mod_depmod *d)
{
	assert_int_equal(depmod_build_symbols(d), 0);
	assert_int_equal(depmod_resolve(d), 0);
	return depmod_sort_deps(d);
}

static void test_lifo_order(void **state)
{
	struct mod_depmod *d = new_depmod("/m");
	struct depmod_closure c = { 0 };

	/* x and y are both roots needing z: the last pushed root (y) is ranked first */
	add_mod(d, "x", "", "zsym");
	add_mod(d, "y", "", "zsym");
	add_mod(d, "z", "zsym", "");
	assert_int_equal(resolve_and_sort(d), 0);
	assert_int_equal(d->mods[1]->sort_idx, 0);
	assert_int_equal(d->mods[0]->sort_idx, 1);
	assert_int_equal(d->mods[2]->sort_idx, 2);
	assert_int_equal(d->mods[2]->users, 2);
	assert_int_equal(depmod_closure(d, 0, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.out[0], 2);
	depmod_closure_release(&c);
	mod_depmod_unref(d);
}

static void test_closure_order(void **state)
{
	struct mod_depmod *d = new_depmod("/m");
	struct depmod_closure c = { 0 };

	/* ext4 -> jbd2, mbcache, crc16; jbd2 -> crc16 (like the real tree): dependents first */
	add_mod(d, "ext4", "", "crc16 jbd2_x mb_x");
	add_mod(d, "crc16", "crc16", "");
	add_mod(d, "jbd2", "jbd2_x", "crc16");
	add_mod(d, "mbcache", "mb_x", "");
	assert_int_equal(resolve_and_sort(d), 0);
	assert_int_equal(d->mods[0]->n_deps, 3);
	assert_int_equal(depmod_closure(d, 0, &c), 0);
	assert_int_equal(c.n, 3);
	/* every module ranks before all its own dependencies */
	for (size_t i = 0; i < d->n_mods; i++)
		for (size_t k = 0; k < d->mods[i]->n_deps; k++)
			assert_true(d->mods[i]->sort_idx < d->mods[d->mods[i]->deps[k]]->sort_idx);
	/* pops: ext4; pushes crc16? no (users 2->1), jbd2 (0), mbcache (0); mbcache popped next */
	assert_string_equal(d->mods[c.out[0]]->name, "mbcache");
	assert_string_equal(d->mods[c.out[1]]->name, "jbd2");
	assert_string_equal(d->mods[c.out[2]]->name, "crc16");
	depmod_closure_release(&c);
	mod_depmod_unref(d);
}

static void test_last_exporter_wins(void **state)
{
	struct mod_depmod *d = new_depmod("/m");

	add_mod(d, "user", "", "dup");
	add_mod(d, "first", "dup", "");
	add_mod(d, "second", "dup", "");
	assert_int_equal(resolve_and_sort(d), 0);
	assert_int_equal(d->mods[0]->n_deps, 1);
	assert_string_equal(d->mods[d->mods[0]->deps[0]]->name, "second");
	mod_depmod_unref(d);
}

static void test_cycle(void **state)
{
	struct mod_depmod *d = new_depmod("/m");

	add_mod(d, "top", "", "asym");
	add_mod(d, "a", "asym", "bsym");
	add_mod(d, "b", "bsym", "asym");
	assert_int_equal(resolve_and_sort(d), -ELOOP);
	assert_non_null(strstr(logbuf, "Cycle detected: a -> b -> a\n"));
	assert_non_null(strstr(logbuf, "Found 2 modules in dependency cycles!\n"));
	mod_depmod_unref(d);
}

/*
 * kmod's own cycle fixture (testsuite/module-playground/mod-loop-*.c): a -> b -> c -> a (a and
 * b also need the leaves f and g), d <-> e, and h -> i -> j -> {h, k}, k -> h: four elementary
 * cycles over nine modules. With no modules.order the array is in the reference's hash order;
 * the expected lines are kmod 30's correct.txt for that fixture.
 */
static void test_cycles_kmod_fixture(void **state)
{
	struct mod_depmod *d = new_depmod("/nonexistent");

	add_mod(d, "mod_loop_a", "printA", "printB printF printG");
	add_mod(d, "mod_loop_b", "printB", "printC printF printG");
	add_mod(d, "mod_loop_c", "printC", "printA");
	add_mod(d, "mod_loop_d", "printD", "printE");
	add_mod(d, "mod_loop_e", "printE", "printD");
	add_mod(d, "mod_loop_f", "printF", "");
	add_mod(d, "mod_loop_g", "printG", "");
	add_mod(d, "mod_loop_h", "printH", "printI");
	add_mod(d, "mod_loop_i", "printI", "printJ");
	add_mod(d, "mod_loop_j", "printJ", "printH printK");
	add_mod(d, "mod_loop_k", "printK", "printH");
	assert_int_equal(depmod_sort_by_order(d), 0);
	logbuf[0] = '\0';
	assert_int_equal(resolve_and_sort(d), -ELOOP);
	assert_string_equal(logbuf,
			    "Cycle detected: mod_loop_d -> mod_loop_e -> mod_loop_d\n"
			    "Cycle detected: mod_loop_i -> mod_loop_j -> mod_loop_k -> mod_loop_h -> mod_loop_i\n"
			    "Cycle detected: mod_loop_i -> mod_loop_j -> mod_loop_h -> mod_loop_i\n"
			    "Cycle detected: mod_loop_c -> mod_loop_a -> mod_loop_b -> mod_loop_c\n"
			    "Found 9 modules in dependency cycles!\n");
	mod_depmod_unref(d);
}

/*
 * Cycles kmod 30 never finishes on: r1 <-> p, r2 <-> q and p <-> q. Its walk from r1 goes
 * p -> q -> p ... forever; every elementary cycle must come out once, and the count cover all.
 * Also a module downstream of a cycle that has dependencies of its own (x): kmod reports it as
 * a one-module "cycle"; it is on none.
 */
static void test_cycles_complete(void **state)
{
	struct mod_depmod *d = new_depmod("/m");

	add_mod(d, "r1", "r1s", "ps");
	add_mod(d, "p", "ps", "r1s qs");
	add_mod(d, "r2", "r2s", "qs");
	add_mod(d, "q", "qs", "r2s ps xs");
	add_mod(d, "x", "xs", "ys");
	add_mod(d, "y", "ys", "");
	assert_int_equal(resolve_and_sort(d), -ELOOP);
	assert_non_null(strstr(logbuf, "Cycle detected: r1 -> p -> r1\n"));
	assert_non_null(strstr(logbuf, "Cycle detected: r2 -> q -> r2\n"));
	assert_true(strstr(logbuf, "Cycle detected: p -> q -> p\n") ||
		    strstr(logbuf, "Cycle detected: q -> p -> q\n"));
	assert_null(strstr(logbuf, "Cycle detected: x\n"));
	assert_non_null(strstr(logbuf, "Found 4 modules in dependency cycles!\n"));
	/* exactly three cycle lines */
	{
		int n = 0;

		for (const char *p = logbuf; (p = strstr(p, "Cycle detected")); p++)
			n++;
		assert_int_equal(n, 3);
	}
	mod_depmod_unref(d);
}

static char *write_tmp(const char *dir, const char *name, const char *content)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	return path;
}

static struct mod_depmod *with_config(const char *conf, char *dir)
{
	struct mod_depmod *d;
	char *path;

	assert_non_null(mkdtemp(dir));
	path = write_tmp(dir, "test.conf", conf);
	d = new_depmod("/m");
	assert_int_equal(mod_depmod_add_config_path(d, path), 0);
	assert_int_equal(depmod_load_config(d), 0);
	unlink(path);
	free(path);
	rmdir(dir);
	return d;
}

static void test_search_default(void **state)
{
	char dir[] = "/tmp/test-depmod-XXXXXX";
	struct mod_depmod *d = with_config("# nothing\n", dir);

	assert_int_equal(depmod_add_file(d, "/m/kernel/foo.ko", 3, false), 0);
	assert_int_equal(depmod_add_file(d, "/m/updates/foo.ko.xz", 3, false), 0);
	assert_int_equal(d->n_mods, 1);
	assert_string_equal(d->mods[0]->relpath, "updates/foo.ko.xz");
	/* a whole path component: updatesfoo/ is not updates/ */
	assert_int_equal(depmod_add_file(d, "/m/updatesfoo/foo.ko", 3, false), 0);
	assert_string_equal(d->mods[0]->relpath, "updates/foo.ko.xz");
	/* two plain kernel copies: the first found stays */
	assert_int_equal(depmod_add_file(d, "/m/kernel/bar.ko", 3, false), 0);
	assert_int_equal(depmod_add_file(d, "/m/kernel/other/bar.ko", 3, false), 0);
	assert_string_equal(d->mods[1]->relpath, "kernel/bar.ko");
	mod_depmod_unref(d);
}

static void test_search_override(void **state)
{
	char dir[] = "/tmp/test-depmod-XXXXXX";
	struct mod_depmod *d = with_config("search extra built-in updates\n"
					   "override foo * kernel/special\n"
					   "override foo 9.9 kernel/never\n"
					   "bogus line\n",
					   dir);

	assert_non_null(strstr(logbuf, "ignoring bad line starting with 'bogus'"));
	/* earlier words rank higher: extra > built-in > updates */
	assert_int_equal(depmod_add_file(d, "/m/updates/bar.ko", 3, false), 0);
	assert_int_equal(depmod_add_file(d, "/m/kernel/bar.ko", 3, false), 0);
	assert_string_equal(d->mods[0]->relpath, "kernel/bar.ko");
	assert_int_equal(depmod_add_file(d, "/m/extra/bar.ko", 3, false), 0);
	assert_string_equal(d->mods[0]->relpath, "extra/bar.ko");
	assert_int_equal(depmod_add_file(d, "/m/kernel/bar.ko", 3, false), 0);
	assert_string_equal(d->mods[0]->relpath, "extra/bar.ko");
	/* an override beats every search rule, whichever file comes first */
	assert_int_equal(depmod_add_file(d, "/m/kernel/special/foo.ko", 3, false), 0);
	assert_int_equal(depmod_add_file(d, "/m/extra/foo.ko", 3, false), 0);
	assert_string_equal(d->mods[1]->relpath, "kernel/special/foo.ko");
	/* the override with a non-matching kernel version is not applied */
	assert_int_equal(depmod_add_file(d, "/m/kernel/never/foo.ko", 3, false), 0);
	assert_string_equal(d->mods[1]->relpath, "kernel/special/foo.ko");
	mod_depmod_unref(d);
}

static void sort_with_order(struct mod_depmod *d, const char *order)
{
	char dir[] = "/tmp/test-depmod-XXXXXX";
	char *path;

	assert_non_null(mkdtemp(dir));
	d->indir = depmod_intern(d, dir);
	path = write_tmp(dir, "modules.order", order);
	assert_int_equal(depmod_sort_by_order(d), 0);
	unlink(path);
	free(path);
	rmdir(dir);
}

static void add_rel(struct mod_depmod *d, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", d->indir, rel);
	assert_int_equal(depmod_add_file(d, path, strlen(d->indir) + 1, false), 0);
}

static void test_order(void **state)
{
	struct mod_depmod *d = new_depmod("/m");

	add_rel(d, "kernel/a.ko.xz");
	add_rel(d, "kernel/b.ko");
	add_rel(d, "kernel/c.ko");
	add_rel(d, "kernel/d.ko");
	/* listed first in file order; a duplicate line keeps its first place; c, d unlisted */
	sort_with_order(d, "kernel/b.ko\nkernel/nothere.ko\nkernel/a.ko\nkernel/b.ko\n");
	assert_string_equal(d->mods[0]->name, "b");
	assert_string_equal(d->mods[1]->name, "a");
	assert_string_equal(d->mods[2]->name, "c");
	assert_string_equal(d->mods[3]->name, "d");
	mod_depmod_unref(d);
}

static void test_order_corrupt(void **state)
{
	struct mod_depmod *d = new_depmod("/m");

	add_rel(d, "kernel/a.ko");
	add_rel(d, "kernel/b.ko");
	sort_with_order(d, "kernel/b.ko\nkernel/a.ko");
	assert_non_null(strstr(logbuf, "corrupted line misses '\\n'"));
	/* unsorted: the reference's hash order (below), in which b comes before a */
	assert_string_equal(d->mods[0]->name, "b");
	assert_string_equal(d->mods[1]->name, "a");
	mod_depmod_unref(d);
}

/*
 * Modules missing from modules.order keep the reference's name-hash iteration order. The
 * expected order is what kmod 30's depmod wrote into modules.dep for these 13 corpus modules with
 * no modules.order; they are added here in two different scan orders.
 */
static void test_order_unlisted(void **state)
{
	static const char *const want[] = {
		"fuse", "nf_defrag_ipv4", "nf_defrag_ipv6", "loop", "crc16", "dummy", "libcrc32c",
		"mbcache", "ext4", "jbd2", "nf_conntrack", "tun", "crc32c_generic",
	};
	size_t n = ARRAY_SIZE(want);

	for (int pass = 0; pass < 2; pass++) {
		struct mod_depmod *d = new_depmod("/m");
		char rel[64];

		for (size_t i = 0; i < n; i++) {
			size_t j = pass ? n - 1 - i : (i * 5) % n;

			snprintf(rel, sizeof(rel), "kernel/%s.ko", want[j]);
			add_rel(d, rel);
		}
		/* one listed module goes first; the rest follow in hash order */
		sort_with_order(d, "kernel/tun.ko\n");
		assert_int_equal(d->n_mods, n);
		assert_string_equal(d->mods[0]->name, "tun");
		for (size_t i = 0, k = 1; i < n; i++) {
			if (strcmp(want[i], "tun") == 0)
				continue;
			assert_string_equal(d->mods[k++]->name, want[i]);
		}
		mod_depmod_unref(d);
	}
}

static void test_api_checks(void **state)
{
	struct mod_depmod *d = new_depmod("/m");

	assert_int_equal(mod_depmod_add_module_path(d, "relative.ko"), -EINVAL);
	assert_int_equal(mod_depmod_set_kernel_version(d, "../x"), -EINVAL);
	assert_int_equal(mod_depmod_set_flags(d, 1u << 20), -EINVAL);
	assert_int_equal(mod_depmod_set_cache_flags(d, 1u << 2), -EINVAL);
	assert_int_equal(mod_depmod_set_cache_flags(NULL, 0), -EINVAL);
	assert_int_equal(mod_depmod_set_cache_flags(d, MOD_DEPMOD_CACHE_NO_READ |
						       MOD_DEPMOD_CACHE_NO_WRITE), 0);
	/* writing before a run is refused */
	assert_int_equal(mod_depmod_write(d, MOD_DEPMOD_OUTPUT_ALL, -1), -EINVAL);
	assert_int_equal(mod_depmod_set_moduledir(d, "//usr/lib/modules/"), 0);
	assert_int_equal(mod_depmod_set_basedir(d, "/root/"), 0);
	assert_string_equal(mod_depmod_get_input_dir(d), "/root/usr/lib/modules/1.0");
	mod_depmod_unref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifo_order),
		cmocka_unit_test(test_closure_order),
		cmocka_unit_test(test_last_exporter_wins),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_cycles_kmod_fixture),
		cmocka_unit_test(test_cycles_complete),
		cmocka_unit_test(test_search_default),
		cmocka_unit_test(test_search_override),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_order_corrupt),
		cmocka_unit_test(test_order_unlisted),
		cmocka_unit_test(test_api_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
