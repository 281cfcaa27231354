/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel side of the libkmod compatibility layer against libmod's fake kernel
 * (tests/shim, preloaded by meson: LIBMOD_SHIM_ROOT names its root): loaded-module state, holders and sections, insert and remove flag
 * mappings, and a full probe into the fake kernel with the real modules of argv[1]. Also
 * libmod's own change detection (mod_ctx_validate), which kmod_validate_resources rests on.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "libkmod.h"
#include "libmod.h"


static char root[] = "/tmp/test-libkmod-kernel-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!text) {
		mkdir(path, 0755);
		return;
	}
	f = fopen(path, "we");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* The fake kernel's log of calls, for the flags and parameters the library passed. */
static bool calls_contain(const char *needle)
{
	char path[PATH_MAX], buf[65536];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/calls.log", root);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static long calls_offset(const char *needle)
{
	char path[PATH_MAX], buf[65536], *hit;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/calls.log", root);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	hit = strstr(buf, needle);
	return hit ? hit - buf : -1;
}

static void make_root(void)
{
	static const char *const dirs[] = {
		"proc", "sys", "sys/module", "sys/module/foo", "sys/module/foo/holders",
		"sys/module/foo/holders/bar", "sys/module/foo/sections", "sys/module/bar",
		"sys/module/bar/holders", "sys/module/coming",
	};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		put(dirs[i], NULL);
	put("proc/modules", "foo 16384 1 bar, Live 0x0000000000000000\n"
			    "bar 8192 0 - Live 0x0000000000000000\n");
	put("proc/cmdline", "quiet\n");
	put("sys/module/foo/initstate", "live\n");
	put("sys/module/foo/refcnt", "1\n");
	put("sys/module/foo/coresize", "16384\n");
	put("sys/module/foo/sections/.text", "0xffffffffc0a01000\n");
	put("sys/module/foo/sections/.data", "0xffffffffc0a05000\n");
	put("sys/module/bar/initstate", "live\n");
	put("sys/module/bar/refcnt", "0\n");
	put("sys/module/bar/coresize", "8192\n");
}

static void test_state(struct kmod_ctx *ctx)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *foo, *m;
	int n = 0, text = 0, data = 0;

	CHECK(kmod_module_new_from_loaded(ctx, &list) == 0);
	kmod_list_foreach(l, list) {
		m = kmod_module_get_module(l);
		CHECK(strcmp(kmod_module_get_name(m), n == 0 ? "foo" : "bar") == 0);
		kmod_module_unref(m);
		n++;
	}
	CHECK(n == 2);
	kmod_module_unref_list(list);

	CHECK(kmod_module_new_from_name(ctx, "foo", &foo) == 0);
	CHECK(kmod_module_get_initstate(foo) == KMOD_MODULE_LIVE);
	CHECK(kmod_module_get_refcnt(foo) == 1);
	CHECK(kmod_module_get_size(foo) == 16384);
	list = kmod_module_get_holders(foo);
	CHECK(list && kmod_list_next(list, list) == NULL);
	if (list) {
		m = kmod_module_get_module(list);
		CHECK(strcmp(kmod_module_get_name(m), "bar") == 0);
		kmod_module_unref(m);
	}
	kmod_module_unref_list(list);
	list = kmod_module_get_sections(foo);
	kmod_list_foreach(l, list) {
		const char *name = kmod_module_section_get_name(l);

		if (strcmp(name, ".text") == 0)
			text += kmod_module_section_get_address(l) == 0xffffffffc0a01000ul;
		else if (strcmp(name, ".data") == 0)
			data += kmod_module_section_get_address(l) == 0xffffffffc0a05000ul;
		else
			CHECK(!"unexpected section");
	}
	CHECK(text == 1 && data == 1);
	kmod_module_section_free_list(list);
	CHECK(kmod_module_section_get_address(NULL) == (unsigned long)-1);
	kmod_module_unref(foo);

	/* A directory without initstate is a module still coming up. */
	CHECK(kmod_module_new_from_name(ctx, "coming", &m) == 0);
	CHECK(kmod_module_get_initstate(m) == KMOD_MODULE_COMING);
	kmod_module_unref(m);
	CHECK(kmod_module_new_from_name(ctx, "absent", &m) == 0);
	CHECK(kmod_module_get_initstate(m) == -ENOENT);
	CHECK(kmod_module_get_refcnt(m) == -ENOENT);
	CHECK(kmod_module_get_size(m) < 0);
	CHECK(kmod_module_get_holders(m) == NULL);
	CHECK(kmod_module_get_sections(m) == NULL);
	kmod_module_unref(m);
}

static int installs;

static int run_install(struct kmod_module *m, const char *cmd, void *data)
{
	installs++;
	return 0;
}

static void test_insert_remove(struct kmod_ctx *ctx)
{
	struct kmod_list *list = NULL;
	struct kmod_module *m;
	char needle[256];

	CHECK(kmod_module_new_from_lookup(ctx, "mbcache", &list) == 0 && list);
	if (!list)
		return;
	m = kmod_module_get_module(list);
	kmod_module_unref_list(list);
	/* libkmod's FORCE_VERMAGIC (0x1) is the kernel's MODULE_INIT_IGNORE_VERMAGIC (2). */
	CHECK(kmod_module_insert_module(m, KMOD_INSERT_FORCE_VERMAGIC, "a=1") == 0);
	snprintf(needle, sizeof(needle), "mbcache flags=2 args=a=1 -> 0");
	CHECK(calls_contain(needle));
	CHECK(kmod_module_get_initstate(m) == KMOD_MODULE_LIVE);
	CHECK(kmod_module_insert_module(m, 0, NULL) == -EEXIST);
	/* FORCE is O_TRUNC, and O_NONBLOCK is always passed. */
	CHECK(kmod_module_remove_module(m, KMOD_REMOVE_FORCE | KMOD_REMOVE_NOLOG) == 0);
	snprintf(needle, sizeof(needle), "delete_module mbcache flags=%#x -> 0",
		 O_NONBLOCK | O_TRUNC);
	CHECK(calls_contain(needle));
	CHECK(kmod_module_get_initstate(m) == -ENOENT);
	CHECK(kmod_module_remove_module(m, KMOD_REMOVE_NOLOG) == -ENOENT);
	kmod_module_unref(m);
}

static void test_probe(struct kmod_ctx *ctx)
{
	struct kmod_list *list = NULL;
	struct kmod_module *m;
	long jbd2, ext4;

	CHECK(kmod_module_new_from_lookup(ctx, "ext4", &list) == 0 && list);
	if (!list)
		return;
	m = kmod_module_get_module(list);
	kmod_module_unref_list(list);
	CHECK(kmod_module_probe_insert_module(m, 0, "x=1", run_install, NULL, NULL) == 0);
	jbd2 = calls_offset("finit_module jbd2 ");
	ext4 = calls_offset("finit_module ext4 flags=0 args=x=1 -> 0");
	CHECK(jbd2 >= 0 && ext4 > jbd2);
	CHECK(kmod_module_get_initstate(m) == KMOD_MODULE_LIVE);
	/* Loaded: 0, or -EEXIST when the caller wants to know. */
	CHECK(kmod_module_probe_insert_module(m, 0, NULL, NULL, NULL, NULL) == 0);
	CHECK(kmod_module_probe_insert_module(m, KMOD_PROBE_FAIL_ON_LOADED, NULL, NULL, NULL,
					      NULL) == -EEXIST);
	CHECK(installs == 0);
	kmod_module_unref(m);
}

/* libmod's own change detection, under kmod_validate_resources. */
static void test_mod_ctx_validate(const char *moddir)
{
	char dir[PATH_MAX], conf[PATH_MAX], cmd[3 * PATH_MAX], path[PATH_MAX + 32];
	const char *paths[2] = { conf, NULL };
	struct mod_config *cfg;
	struct mod_index *idx;
	struct mod_ctx *ctx;
	unsigned int changed = 99;

	snprintf(dir, sizeof(dir), "%s/moddir", root);
	snprintf(conf, sizeof(conf), "%s/conf.d", root);
	mkdir(dir, 0755);
	mkdir(conf, 0755);
	snprintf(cmd, sizeof(cmd), "cp '%s/modules.dep.bin' '%s/'", moddir, dir);
	CHECK(system(cmd) == 0);
	CHECK(mod_ctx_new(dir, paths, &ctx) == 0);
	CHECK(mod_ctx_get_config(ctx, &cfg) == 0);
	CHECK(mod_ctx_get_index(ctx, MOD_INDEX_DEP, &idx) == 0);
	CHECK(mod_ctx_get_index(ctx, MOD_INDEX_ALIAS, &idx) == -ENOENT);
	CHECK(mod_ctx_validate(ctx, &changed) == 0 && changed == 0);
	CHECK(mod_ctx_validate(NULL, &changed) == -EINVAL);

	/* A new file in a config directory. */
	snprintf(path, sizeof(path), "%s/x.conf", conf);
	CHECK(close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) == 0);
	CHECK(mod_ctx_validate(ctx, &changed) == 0 && changed == MOD_CTX_CHANGED_CONFIG);
	mod_ctx_unref(ctx);

	/* An index that was missing appears. */
	CHECK(mod_ctx_new(dir, paths, &ctx) == 0);
	CHECK(mod_ctx_get_index(ctx, MOD_INDEX_ALIAS, &idx) == -ENOENT);
	snprintf(cmd, sizeof(cmd), "cp '%s/modules.alias.bin' '%s/'", moddir, dir);
	CHECK(system(cmd) == 0);
	CHECK(mod_ctx_validate(ctx, &changed) == 0 && changed == MOD_CTX_CHANGED_INDEXES);
	mod_ctx_unref(ctx);
}

int main(int argc, char **argv)
{
	const char *none[] = { NULL };
	struct kmod_ctx *ctx;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MODDIR\n", argv[0]);
		return 2;
	}
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	make_root();
	/* Every context made from here on talks to the fake kernel under root. */
	setenv("LIBMOD_SHIM_ROOT", root, 1);
	ctx = kmod_new(argv[1], none);
	CHECK(ctx != NULL);
	if (ctx) {
		test_state(ctx);
		test_insert_remove(ctx);
		test_probe(ctx);
		kmod_unref(ctx);
	}
	test_mod_ctx_validate(argv[1]);
	return finish(root);
}
