/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The module layer over a small fixture tree built in a temporary directory: indexes written
 * with our own builder, a modules.builtin.modinfo, and a modprobe.d file. Checks the lookup
 * order, dependency load order, paths, builtin detection and info iteration.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "libmod.h"

struct fixture {
	char dir[PATH_MAX];  /* module directory */
	char conf[PATH_MAX + 16]; /* modprobe.d directory */
	struct mod_ctx *ctx;
};

struct kv {
	const char *key;
	const char *value;
	unsigned int prio;
};

static void write_index(const char *dir, const char *name, const struct kv *kvs, size_t n)
{
	struct mod_index_builder *b;
	char path[PATH_MAX + 64];
	int fd;

	assert_int_equal(mod_index_builder_new(&b), 0);
	for (size_t i = 0; i < n; i++)
		assert_true(mod_index_builder_add(b, kvs[i].key, kvs[i].value, kvs[i].prio) >= 0);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(mod_index_builder_write(b, fd, MOD_INDEX_LAYOUT_PREORDER), 0);
	close(fd);
	mod_index_builder_free(b);
}

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int setup(void **state)
{
	static const struct kv dep[] = {
		{ "foo", "kernel/foo.ko: kernel/bar.ko kernel/baz.ko.xz", 0 },
		{ "bar", "kernel/bar.ko: kernel/baz.ko.xz", 1 },
		{ "baz", "kernel/baz.ko.xz:", 2 },
		{ "ext", "/opt/extra/ext.ko:", 3 },
	};
	static const struct kv alias[] = {
		{ "pci:v0001d*", "foo", 0 },
		{ "pci:v0001d0002*", "bar", 1 },
		{ "fs_baz", "baz", 2 },
	};
	static const struct kv symbols[] = { { "symbol:baz_fn", "baz", 2 } };
	static const struct kv builtin[] = { { "unix", "", 0 }, { "ext9", "", 0 } };
	static const struct kv builtin_alias[] = { { "net_pf_1", "unix", 0 } };
	static const char modinfo[] = "ext9.license=X\0unix.alias=net-pf-1\0unix.license=GPL\0"
				      "unix.file=net/unix/unix\0zz.noeq";
	static const char conf[] = "alias my-alias bar\ninstall only_cmd /bin/true\n"
				   "alias fs_baz foo\n";
	struct fixture *f = calloc(1, sizeof(*f));
	const char *paths[2];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/libmod-test-module-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->conf, sizeof(f->conf), "%s/modprobe.d", f->dir);
	assert_int_equal(mkdir(f->conf, 0755), 0);
	write_index(f->dir, "modules.dep.bin", dep, 4);
	write_index(f->dir, "modules.alias.bin", alias, 3);
	write_index(f->dir, "modules.symbols.bin", symbols, 1);
	write_index(f->dir, "modules.builtin.bin", builtin, 2);
	write_index(f->dir, "modules.builtin.alias.bin", builtin_alias, 1);
	write_file(f->dir, "modules.builtin.modinfo", modinfo, sizeof(modinfo) - 1);
	write_file(f->conf, "test.conf", conf, sizeof(conf) - 1);
	paths[0] = f->conf;
	paths[1] = NULL;
	assert_int_equal(mod_ctx_new(f->dir, paths, &f->ctx), 0);
	/* No kernel command line from the host in these tests. */
	{
		struct mod_config *cfg;

		assert_int_equal(mod_config_new(f->ctx, MOD_CONFIG_NO_CMDLINE | MOD_CONFIG_NO_LEGACY,
						&cfg),
				 0);
		mod_ctx_set_config(f->ctx, cfg);
		mod_config_unref(cfg);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[PATH_MAX + 16];

	mod_ctx_unref(f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Resolve and return the names found, space separated. */
static char *lookup_names(struct mod_ctx *ctx, const char *query, int *err)
{
	static char buf[512];
	struct mod_module_list *list;

	buf[0] = '\0';
	*err = mod_module_lookup(ctx, query, &list);
	if (*err < 0)
		return buf;
	for (size_t i = 0; i < mod_module_list_count(list); i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, mod_module_get_name(mod_module_list_get(list, i)));
	}
	mod_module_list_free(list);
	return buf;
}

static void test_lookup_order(void **state)
{
	struct fixture *f = *state;
	int err;

	/* A module name. */
	assert_string_equal(lookup_names(f->ctx, "foo", &err), "foo");
	/* Wildcard aliases: every match, by priority. */
	assert_string_equal(lookup_names(f->ctx, "pci:v0001d0002sv01", &err), "foo bar");
	assert_string_equal(lookup_names(f->ctx, "pci:v0001d0003", &err), "foo");
	/* Config aliases win over the alias index; '-' is normalized first. */
	assert_string_equal(lookup_names(f->ctx, "fs-baz", &err), "foo");
	assert_string_equal(lookup_names(f->ctx, "my-alias", &err), "bar");
	/* Symbols only for symbol: queries. */
	assert_string_equal(lookup_names(f->ctx, "symbol:baz_fn", &err), "baz");
	/* A module with only an install command exists. */
	assert_string_equal(lookup_names(f->ctx, "only-cmd", &err), "only_cmd");
	/* Builtins, by name and by alias. */
	assert_string_equal(lookup_names(f->ctx, "unix", &err), "unix");
	assert_string_equal(lookup_names(f->ctx, "net-pf-1", &err), "unix");
	lookup_names(f->ctx, "nothing", &err);
	assert_int_equal(err, -ENOENT);
	/* An unmatched bracket is a bad query, not a miss. */
	lookup_names(f->ctx, "pci[", &err);
	assert_int_equal(err, -EINVAL);
}

static void test_lookup_name_only(void **state)
{
	struct fixture *f = *state;
	struct mod_module_list *list;

	assert_int_equal(mod_module_lookup_name(f->ctx, "fs_baz", &list), -ENOENT);
	assert_int_equal(mod_module_lookup_name(f->ctx, "my-alias", &list), -ENOENT);
	assert_int_equal(mod_module_lookup_name(f->ctx, "bar", &list), 0);
	assert_int_equal(mod_module_list_count(list), 1);
	mod_module_list_free(list);
}

static void test_paths_and_dependencies(void **state)
{
	struct fixture *f = *state;
	struct mod_module_list *deps;
	struct mod_module *mod;
	char want[PATH_MAX + 64];

	assert_int_equal(mod_module_new_from_name(f->ctx, "foo", &mod), 0);
	snprintf(want, sizeof(want), "%s/kernel/foo.ko", f->dir);
	assert_string_equal(mod_module_get_path(mod), want);
	assert_false(mod_module_is_builtin(mod));
	/* modules.dep lists dependents first; the API gives load order. */
	assert_int_equal(mod_module_get_dependencies(mod, &deps), 0);
	assert_int_equal(mod_module_list_count(deps), 2);
	assert_string_equal(mod_module_get_name(mod_module_list_get(deps, 0)), "baz");
	assert_string_equal(mod_module_get_name(mod_module_list_get(deps, 1)), "bar");
	snprintf(want, sizeof(want), "%s/kernel/baz.ko.xz", f->dir);
	assert_string_equal(mod_module_get_path(mod_module_list_get(deps, 0)), want);
	mod_module_list_free(deps);
	mod_module_unref(mod);

	/* External modules keep their absolute path. */
	assert_int_equal(mod_module_new_from_name(f->ctx, "ext", &mod), 0);
	assert_string_equal(mod_module_get_path(mod), "/opt/extra/ext.ko");
	mod_module_unref(mod);

	/* Unknown module: no path, no dependencies, no ELF. */
	assert_int_equal(mod_module_new_from_name(f->ctx, "ghost-mod", &mod), 0);
	assert_string_equal(mod_module_get_name(mod), "ghost_mod");
	{
		struct mod_module *dotted;

		/* A name given with an extension means the module, as in the reference. */
		assert_int_equal(mod_module_new_from_name(f->ctx, "ghost-mod.ko.xz", &dotted), 0);
		assert_string_equal(mod_module_get_name(dotted), "ghost_mod");
		mod_module_unref(dotted);
		assert_int_equal(mod_module_new_from_name(f->ctx, ".ko", &dotted), -EINVAL);
	}
	assert_null(mod_module_get_path(mod));
	assert_int_equal(mod_module_get_dependencies(mod, &deps), 0);
	assert_int_equal(mod_module_list_count(deps), 0);
	mod_module_list_free(deps);
	{
		struct mod_elf *elf;

		assert_int_equal(mod_module_get_elf(mod, &elf), -ENOENT);
	}
	mod_module_unref(mod);
}

static void test_builtin_info(void **state)
{
	struct fixture *f = *state;
	struct mod_module *mod;
	const char *key, *value;
	size_t keylen, cursor = 0;
	char seen[256] = "";

	assert_int_equal(mod_module_new_from_name(f->ctx, "unix", &mod), 0);
	assert_true(mod_module_is_builtin(mod));
	assert_null(mod_module_get_path(mod));
	while (mod_module_info_next(mod, &cursor, &key, &keylen, &value) == 0) {
		char line[64];

		snprintf(line, sizeof(line), "%.*s=%s;", (int)keylen, key, value);
		strcat(seen, line);
	}
	/* Only unix's strings, in file order; ext9's and zz's are not mixed in. */
	assert_string_equal(seen, "alias=net-pf-1;license=GPL;file=net/unix/unix;");
	mod_module_unref(mod);

	/* A builtin whose info has no '=' gives an empty value; a module with none ends at once. */
	assert_int_equal(mod_module_new_from_name(f->ctx, "ext9", &mod), 0);
	cursor = 0;
	assert_int_equal(mod_module_info_next(mod, &cursor, &key, &keylen, &value), 0);
	assert_int_equal(keylen, 7);
	assert_string_equal(value, "X");
	assert_int_equal(mod_module_info_next(mod, &cursor, &key, &keylen, &value), 1);
	mod_module_unref(mod);
}

static void test_from_path(void **state)
{
	struct fixture *f = *state;
	struct mod_module *mod;
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/modules.builtin.modinfo", f->dir);
	/* A missing file is an error; an existing one gives its name and absolute path. */
	assert_int_equal(mod_module_new_from_path(f->ctx, "/nonexistent/x.ko", &mod), -ENOENT);
	assert_int_equal(mod_module_new_from_path(f->ctx, path, &mod), 0);
	assert_string_equal(mod_module_get_name(mod), "modules");
	assert_string_equal(mod_module_get_path(mod), path);
	assert_false(mod_module_is_builtin(mod));
	/* Not an ELF file: a clean error. */
	{
		struct mod_elf *elf;

		assert_true(mod_module_get_elf(mod, &elf) < 0);
	}
	mod_module_unref(mod);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_name_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_and_dependencies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_builtin_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
