/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libkmod compatibility layer against its own libkmod.h, over the real module tree (argv[1]):
 * the conventions callers depend on (not found is 0 and an empty list, one object per name,
 * list walking, positive blacklist returns, the dependency-symbol layout dracut relies on),
 * change detection for udevd, config iterators and probe callbacks. Nothing is loaded into the
 * kernel: probes are dry runs or end in an install command handled by the callback.
 *
 * The same source also runs against Debian's libkmod (TEST_REAL_LIBKMOD): the expectations
 * here are libkmod's behaviour, not just ours. The few checks where we deliberately do better
 * are left out there.
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


static const char *moddir;
static char tmpdir[] = "/tmp/test-libkmod-XXXXXX";

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
	char cmd[3 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), "cp '%s/%s' '%s/%s'", from_dir, name, to_dir, name);
	if (system(cmd) != 0) {
		fprintf(stderr, "%s failed\n", cmd);
		exit(1);
	}
}

/* Is a module of the running kernel using this name? Then probes would see it as loaded. */
static bool loaded_on_host(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

static void test_lookup_conventions(struct kmod_ctx *ctx)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *a, *b;
	int n = 0;

	/* Not found: 0 and a NULL list, never -ENOENT (systemd tests the list). */
	CHECK(kmod_module_new_from_lookup(ctx, "no_such_module_xyz", &list) == 0);
	CHECK(list == NULL);
	/* A list that is not empty is refused. */
	list = (struct kmod_list *)&n;
	CHECK(kmod_module_new_from_lookup(ctx, "ext4", &list) == -ENOSYS);
	list = NULL;
	CHECK(kmod_module_new_from_lookup(NULL, "ext4", &list) == -ENOENT);

	CHECK(kmod_module_new_from_lookup(ctx, "ext4", &list) == 0);
	CHECK(list != NULL);
	kmod_list_foreach(l, list) {
		struct kmod_module *m = kmod_module_get_module(l);

		CHECK(strcmp(kmod_module_get_name(m), "ext4") == 0);
		CHECK(strstr(kmod_module_get_path(m), "/kernel/fs/ext4/ext4.ko") != NULL);
		kmod_module_unref(m);
		n++;
	}
	CHECK(n == 1);
	kmod_module_unref_list(list);

	/* One object per name and context, as libkmod's cache gives. */
	CHECK(kmod_module_new_from_name(ctx, "ext4", &a) == 0);
	CHECK(kmod_module_new_from_name(ctx, "ext4.ko", &b) == 0);
	CHECK(a == b);
	kmod_module_unref(b);
	/* new_from_path of the file modules.dep names: the same object. */
	{
		char path[PATH_MAX];
		struct kmod_module *c = NULL;

		snprintf(path, sizeof(path), "%s", kmod_module_get_path(a));
		CHECK(kmod_module_new_from_path(ctx, path, &c) == 0);
		CHECK(c == a);
		kmod_module_unref(c);
		/* Another file for the same name is refused. */
		snprintf(path, sizeof(path), "%s/ext4.ko", tmpdir);
		write_file(tmpdir, "ext4.ko", "");
		c = NULL;
		CHECK(kmod_module_new_from_path(ctx, path, &c) == -EEXIST);
		CHECK(c == NULL);
		unlink(path);
	}
	kmod_module_unref(a);

	/* new_from_name_lookup: found, and not found leaves *mod alone with 0. */
	a = NULL;
	CHECK(kmod_module_new_from_name_lookup(ctx, "ext4", &a) == 0);
	CHECK(a && strcmp(kmod_module_get_name(a), "ext4") == 0);
	kmod_module_unref(a);
	a = NULL;
	CHECK(kmod_module_new_from_name_lookup(ctx, "no_such_module_xyz", &a) == 0);
	CHECK(a == NULL);
}

/* A builtin module of the corpus kernel: found by lookup, no path, initstate builtin. */
static void test_builtin(struct kmod_ctx *ctx)
{
	char path[PATH_MAX], line[PATH_MAX], name[PATH_MAX];
	struct kmod_list *list = NULL;
	struct kmod_module *m;
	FILE *f;

	snprintf(path, sizeof(path), "%s/modules.builtin", moddir);
	f = fopen(path, "re");
	CHECK(f != NULL);
	if (!f || !fgets(line, sizeof(line), f)) {
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	/* kernel/dir/name.ko -> name, underscored */
	snprintf(name, sizeof(name), "%s", strrchr(line, '/') + 1);
	name[strcspn(name, ".")] = '\0';
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	CHECK(kmod_module_new_from_lookup(ctx, name, &list) == 0);
	CHECK(list != NULL);
	if (!list)
		return;
	m = kmod_module_get_module(list);
	CHECK(kmod_module_get_path(m) == NULL);
	CHECK(kmod_module_get_initstate(m) == KMOD_MODULE_BUILTIN);
	CHECK(strcmp(kmod_module_initstate_str(KMOD_MODULE_BUILTIN), "builtin") == 0);
	{
		struct kmod_list *filtered = (struct kmod_list *)1;

		CHECK(kmod_module_apply_filter(ctx, KMOD_FILTER_BUILTIN, list, &filtered) == 0);
		CHECK(filtered == NULL);
	}
	kmod_module_unref(m);
	kmod_module_unref_list(list);
}

/* Dependencies: load order, and every list walk libkmod offers agrees. */
static void test_lists(struct kmod_ctx *ctx)
{
	const char *names[64];
	struct kmod_list *deps, *l;
	struct kmod_module *m;
	int n = 0, i;

	CHECK(kmod_module_new_from_name(ctx, "snd_hda_intel", &m) == 0);
	deps = kmod_module_get_dependencies(m);
	CHECK(deps != NULL);
	kmod_list_foreach(l, deps) {
		struct kmod_module *d = kmod_module_get_module(l);

		if (n < 64)
			names[n] = kmod_module_get_name(d);
		n++;
		kmod_module_unref(d);
	}
	CHECK(n > 3 && n < 64);
	/* snd (the core) is needed by everything else: it loads before snd_pcm. */
	{
		int snd = -1, pcm = -1;

		for (i = 0; i < n && i < 64; i++) {
			if (strcmp(names[i], "snd") == 0)
				snd = i;
			if (strcmp(names[i], "snd_pcm") == 0)
				pcm = i;
		}
		CHECK(snd >= 0 && pcm >= 0 && snd < pcm);
	}
	i = n;
	kmod_list_foreach_reverse(l, deps) {
		struct kmod_module *d = kmod_module_get_module(l);

		i--;
		CHECK(i >= 0 && i < 64 && strcmp(names[i], kmod_module_get_name(d)) == 0);
		kmod_module_unref(d);
	}
	CHECK(i == 0);
	CHECK(kmod_list_prev(deps, deps) == NULL);
	CHECK(kmod_list_next(deps, kmod_list_last(deps)) == NULL);
	CHECK(kmod_list_next(NULL, deps) == NULL);
	CHECK(kmod_list_last(NULL) == NULL);
	kmod_module_unref_list(deps);
	kmod_module_unref(m);
}

static void test_info(struct kmod_ctx *ctx)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *m;
	int count, n = 0;
	bool sig_id = false, license = false;

	CHECK(kmod_module_new_from_name(ctx, "ext4", &m) == 0);
	count = kmod_module_get_info(m, &list);
	kmod_list_foreach(l, list) {
		const char *key = kmod_module_info_get_key(l);
		const char *value = kmod_module_info_get_value(l);

		if (strcmp(key, "sig_id") == 0)
			sig_id = strcmp(value, "PKCS#7") == 0;
		if (strcmp(key, "license") == 0)
			license = strcmp(value, "GPL") == 0;
		/* libkmod's hex: upper case, ':' between bytes, a line break every 20 bytes. */
		if (strcmp(key, "signature") == 0)
			CHECK(value[2] == ':' && strchr(value, '\n') && value[60] == '\n' &&
			      value[61] == '\t' && value[62] == '\t');
		n++;
	}
	CHECK(count == n && count > 5);
	CHECK(sig_id && license);
	kmod_module_info_free_list(list);

	/*
	 * dracut-install's --mod-filter-nosymbol reads a dependency-symbol list with the
	 * exported-symbol getter: it must get the bind byte followed by the name, as with libkmod.
	 */
	list = NULL;
	count = kmod_module_get_dependency_symbols(m, &list);
	CHECK(count > 10 && list != NULL);
	if (list) {
		const char *sym = kmod_module_dependency_symbol_get_symbol(list);
		const char *trap = kmod_module_symbol_get_symbol(list);
		int bind = kmod_module_dependency_symbol_get_bind(list);

		CHECK(bind == KMOD_SYMBOL_UNDEF || bind == KMOD_SYMBOL_WEAK);
		CHECK(trap[0] == (char)bind && strcmp(trap + 1, sym) == 0);
		CHECK(kmod_module_dependency_symbol_get_crc(list) != 0);
	}
	kmod_module_dependency_symbols_free_list(list);

	list = NULL;
	count = kmod_module_get_versions(m, &list);
	CHECK(count > 10 && kmod_module_version_get_symbol(list) != NULL);
	kmod_module_versions_free_list(list);
	/* ext4 exports nothing: libkmod says -ENOENT rather than an empty list. */
	list = NULL;
	CHECK(kmod_module_get_symbols(m, &list) == -ENOENT && list == NULL);
	kmod_module_unref(m);
	CHECK(kmod_module_new_from_name(ctx, "jbd2", &m) == 0);
	count = kmod_module_get_symbols(m, &list);
	CHECK(count > 10 && kmod_module_symbol_get_symbol(list) != NULL);
	CHECK(kmod_module_symbol_get_crc(list) != 0);
	kmod_module_symbols_free_list(list);
	kmod_module_unref(m);

	/* Unknown modules: libkmod's -ENOENT. */
	CHECK(kmod_module_new_from_name(ctx, "no_such_module_xyz", &m) == 0);
	list = NULL;
	CHECK(kmod_module_get_info(m, &list) == -ENOENT && list == NULL);
	CHECK(kmod_module_get_initstate(m) == -ENOENT);
	kmod_module_unref(m);
}

struct actions {
	char names[64][64];
	bool install[64];
	int n;
} *seen;

static void print_action(struct kmod_module *m, bool install, const char *options)
{
	if (seen->n < 64) {
		snprintf(seen->names[seen->n], sizeof(seen->names[0]), "%s", kmod_module_get_name(m));
		seen->install[seen->n] = install;
	}
	seen->n++;
}

static char install_cmd[256];

static int run_install(struct kmod_module *m, const char *cmd, void *data)
{
	CHECK(data == (void *)install_cmd);
	snprintf(install_cmd, sizeof(install_cmd), "%s", cmd);
	return 0;
}

static void test_config_and_probe(struct kmod_ctx *ctx)
{
	struct kmod_config_iter *it;
	struct kmod_list *list = NULL, *filtered = NULL;
	struct kmod_module *m;
	struct actions acts = { .n = 0 };
	int n;

	/* Iterators: keys, values, and kmod 30's softdep spelling. */
	it = kmod_config_get_softdeps(ctx);
	n = 0;
	while (kmod_config_iter_next(it)) {
		if (strcmp(kmod_config_iter_get_key(it), "compat_test") == 0) {
			CHECK(strcmp(kmod_config_iter_get_value(it), "pre: a bpost: c") == 0);
			n++;
		}
	}
	CHECK(n == 1);
	kmod_config_iter_free_iter(it);
	it = kmod_config_get_blacklists(ctx);
	CHECK(kmod_config_iter_get_key(it) == NULL);
	n = 0;
	while (kmod_config_iter_next(it)) {
		CHECK(kmod_config_iter_get_value(it) == NULL);
		n += strcmp(kmod_config_iter_get_key(it), "snd_hda_intel") == 0;
	}
	CHECK(n == 1);
	kmod_config_iter_free_iter(it);
	it = kmod_config_get_options(ctx);
	CHECK(kmod_config_iter_next(it));
	CHECK(strcmp(kmod_config_iter_get_key(it), "snd_hda_intel") == 0);
	CHECK(strcmp(kmod_config_iter_get_value(it), "model=auto") == 0);
	kmod_config_iter_free_iter(it);
	CHECK(kmod_config_get_aliases(NULL) == NULL);

	/* Blacklist: the flag that stopped the probe comes back, positive. */
	CHECK(kmod_module_new_from_lookup(ctx, "snd_hda_intel", &list) == 0 && list);
	m = kmod_module_get_module(list);
	CHECK(strcmp(kmod_module_get_options(m), "model=auto") == 0);
	if (!loaded_on_host("snd_hda_intel")) {
		CHECK(kmod_module_probe_insert_module(m, KMOD_PROBE_APPLY_BLACKLIST |
								 KMOD_PROBE_DRY_RUN,
						      NULL, NULL, NULL, NULL) ==
		      KMOD_PROBE_APPLY_BLACKLIST);
		/* Found by name, not alias: the alias-only blacklist does not apply. */
		seen = &acts;
		CHECK(kmod_module_probe_insert_module(m, KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY |
								 KMOD_PROBE_DRY_RUN |
								 KMOD_PROBE_IGNORE_LOADED,
						      "extra=1", NULL, NULL, print_action) == 0);
		/* Dependencies first, the module last, all as loads. */
		CHECK(acts.n > 3 && acts.n < 64);
		CHECK(strcmp(acts.names[acts.n - 1], "snd_hda_intel") == 0);
		for (int i = 0; i < acts.n && i < 64; i++)
			CHECK(!acts.install[i]);
	}
	CHECK(kmod_module_apply_filter(ctx, KMOD_FILTER_BLACKLIST, list, &filtered) == 0 &&
	      filtered == NULL);
	kmod_module_unref(m);
	kmod_module_unref_list(list);

	/* A module that is only an install command: run_install gets it, expanded. */
	list = NULL;
	CHECK(kmod_module_new_from_lookup(ctx, "compat_cmd", &list) == 0 && list);
	if (list) {
		m = kmod_module_get_module(list);
		CHECK(strcmp(kmod_module_get_install_commands(m), "/bin/true $CMDLINE_OPTS") == 0);
		CHECK(strcmp(kmod_module_get_remove_commands(m), "/bin/false") == 0);
		CHECK(kmod_module_probe_insert_module(m, 0, "x=1", run_install, install_cmd,
						      NULL) == 0);
		CHECK(strcmp(install_cmd, "/bin/true x=1") == 0);
		kmod_module_unref(m);
		kmod_module_unref_list(list);
	}
}

static void test_dump_index(struct kmod_ctx *ctx)
{
	char path[PATH_MAX], buf[256];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/dump", tmpdir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(kmod_dump_index(ctx, KMOD_INDEX_MODULES_ALIAS, fd) == 0);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	n = read(fd, buf, sizeof(buf) - 1);
	CHECK(n > 6);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(strncmp(buf, "alias ", 6) == 0);
	CHECK(kmod_dump_index(ctx, (enum kmod_index)17, fd) == -ENOENT);
	close(fd);
	unlink(path);
}

/* udevd's loop: validate, and reload or recreate when depmod or modprobe.d changed. */
static void test_validate(void)
{
	static const char *const files[] = {
		"modules.dep.bin", "modules.alias.bin", "modules.symbols.bin",
		"modules.builtin.alias.bin", "modules.builtin.bin",
	};
	char dir[PATH_MAX], conf[PATH_MAX], from[PATH_MAX + 32], to[PATH_MAX + 32];
	const char *paths[2] = { conf, NULL };
	struct kmod_ctx *ctx;

	snprintf(dir, sizeof(dir), "%s/moddir", tmpdir);
	snprintf(conf, sizeof(conf), "%s/validate.d", tmpdir);
	mkdir(dir, 0755);
	mkdir(conf, 0755);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		copy_file(moddir, dir, files[i]);
	write_file(conf, "a.conf", "options foo bar=1\n");

	ctx = kmod_new(dir, paths);
	CHECK(ctx != NULL);
	if (!ctx)
		return;
	CHECK(kmod_load_resources(ctx) == 0);
	CHECK(kmod_validate_resources(ctx) == KMOD_RESOURCES_OK);

	/* depmod replaces an index by rename: reload. */
	copy_file(moddir, tmpdir, "modules.dep.bin");
	snprintf(from, sizeof(from), "%s/modules.dep.bin", tmpdir);
	snprintf(to, sizeof(to), "%s/modules.dep.bin", dir);
	CHECK(rename(from, to) == 0);
	CHECK(kmod_validate_resources(ctx) == KMOD_RESOURCES_MUST_RELOAD);
	kmod_unload_resources(ctx);
	CHECK(kmod_load_resources(ctx) == 0);
	CHECK(kmod_validate_resources(ctx) == KMOD_RESOURCES_OK);

	/* A new modprobe.d file: the configuration is per context, recreate. */
	write_file(conf, "b.conf", "blacklist foo\n");
	CHECK(kmod_validate_resources(ctx) == KMOD_RESOURCES_MUST_RECREATE);
	kmod_unref(ctx);
	ctx = kmod_new(dir, paths);
	CHECK(kmod_validate_resources(ctx) == KMOD_RESOURCES_OK);
#ifndef TEST_REAL_LIBKMOD
	/* An edit in place of a file read is a change too (kmod 30 stamps directories only). */
	write_file(conf, "a.conf", "options foo bar=2 baz=3\n");
	CHECK(kmod_validate_resources(ctx) == KMOD_RESOURCES_MUST_RECREATE);
#endif
	/* A missing index makes loading fail with libkmod's -ENOENT. */
	unlink(to);
	kmod_unref(ctx);
	ctx = kmod_new(dir, paths);
	CHECK(kmod_load_resources(ctx) == -ENOENT);
	kmod_unref(ctx);

	CHECK(system("rm -rf -- \"$TEST_LIBKMOD_DIR\"/moddir \"$TEST_LIBKMOD_DIR\"/validate.d") ==
	      0);
}

static int log_count;

static void count_log(void *data, int priority, const char *file, int line, const char *fn,
		      const char *format, va_list args)
{
	CHECK(data == (void *)&log_count);
	log_count++;
}

static void test_ctx(void)
{
	const char *none[] = { NULL };
	struct kmod_ctx *ctx = kmod_new(moddir, none);
	int x;

	CHECK(ctx != NULL);
	CHECK(strcmp(kmod_get_dirname(ctx), moddir) == 0);
	CHECK(kmod_ref(ctx) == ctx);
	CHECK(kmod_unref(ctx) == ctx);
	kmod_set_userdata(ctx, &x);
	CHECK(kmod_get_userdata(ctx) == &x);
	CHECK(kmod_get_log_priority(ctx) == 3); /* KMOD_LOG=err */
	kmod_set_log_priority(ctx, 7);
	CHECK(kmod_get_log_priority(ctx) == 7);
	/* The caller's function gets messages with its data pointer. */
	kmod_set_log_fn(ctx, count_log, &log_count);
	{
		struct kmod_list *list = NULL;

		CHECK(kmod_module_new_from_lookup(ctx, "ext4", &list) == 0);
		kmod_module_unref_list(list);
	}
	CHECK(log_count > 0);
	CHECK(kmod_unref(ctx) == NULL);
	CHECK(kmod_get_log_priority(NULL) < 0);
#ifndef TEST_REAL_LIBKMOD
	/* libkmod dereferences NULL here. */
	CHECK(kmod_get_dirname(NULL) == NULL);
#endif
}

int main(int argc, char **argv)
{
	char conf[PATH_MAX];
	const char *paths[2] = { conf, NULL };
	struct kmod_ctx *ctx;

	if (argc < 2) {
		fprintf(stderr, "usage: %s MODDIR\n", argv[0]);
		return 2;
	}
	moddir = argv[1];
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	setenv("TEST_LIBKMOD_DIR", tmpdir, 1);
	snprintf(conf, sizeof(conf), "%s/modprobe.d", tmpdir);
	mkdir(conf, 0755);
	write_file(conf, "test.conf",
		   "options snd_hda_intel model=auto\n"
		   "blacklist snd_hda_intel\n"
		   "softdep compat_test pre: a b post: c\n"
		   "install compat_cmd /bin/true $CMDLINE_OPTS\n"
		   "remove compat_cmd /bin/false\n");

	test_ctx();
	ctx = kmod_new(moddir, paths);
	if (!ctx) {
		fprintf(stderr, "kmod_new failed\n");
		return 1;
	}
	CHECK(kmod_load_resources(ctx) == 0);
	test_lookup_conventions(ctx);
	test_builtin(ctx);
	test_lists(ctx);
	test_info(ctx);
	test_config_and_probe(ctx);
	test_dump_index(ctx);
	kmod_unref(ctx);
	test_validate();

	return finish(tmpdir);
}
