/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmod.h promises that a `const char *` a getter returns lives as long as the object it came
 * from. A client keeps such pointers across later calls, so every getter is called, the result
 * kept, the object used again (the same getter, other getters, settings changed, a run) and the
 * old pointer read back: under ASan a string freed behind the client's back is a
 * heap-use-after-free, without it the content check still fails when the memory is reused.
 */
#include <errno.h>
#include <fcntl.h>
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

static const char *const no_config[] = { NULL };

static char tmpdir[] = "/tmp/test-api-lifetime.XXXXXX";

static void put_file(const char *rel, const char *content)
{
	char path[512], *slash;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	for (slash = strchr(path + strlen(tmpdir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void quiet_log(void *data, int priority, const char *file, int line, const char *fn,
		      const char *format, va_list args)
{
}

static struct mod_ctx *new_ctx(const char *moddir)
{
	struct mod_ctx *ctx;

	assert_int_equal(mod_ctx_new(moddir, no_config, &ctx), 0);
	mod_ctx_set_log_fn(ctx, quiet_log, NULL);
	return ctx;
}

static void test_depmod_dirs(void **state)
{
	struct mod_ctx *ctx = new_ctx(tmpdir);
	struct mod_depmod *d;
	const char *in1, *out1, *in2, *out2, *in3;
	char want_in[512], want_out[512], other_in[512], outroot[512];

	assert_int_equal(mod_depmod_new(ctx, &d), 0);
	assert_int_equal(mod_depmod_set_basedir(d, tmpdir), 0);
	assert_int_equal(mod_depmod_set_kernel_version(d, "1.0"), 0);
	snprintf(want_in, sizeof(want_in), "%s/lib/modules/1.0", tmpdir);
	snprintf(want_out, sizeof(want_out), "%s/out/lib/modules/1.0", tmpdir);
	snprintf(other_in, sizeof(other_in), "%s/lib/modules/2.0", tmpdir);
	snprintf(outroot, sizeof(outroot), "%s/out", tmpdir);
	assert_int_equal(mod_depmod_set_outdir(d, outroot), 0);

	in1 = mod_depmod_get_input_dir(d);
	out1 = mod_depmod_get_output_dir(d);
	assert_non_null(in1);
	assert_non_null(out1);
	/* each getter twice, interleaved: the first results must survive */
	in2 = mod_depmod_get_input_dir(d);
	out2 = mod_depmod_get_output_dir(d);
	assert_string_equal(in1, want_in);
	assert_string_equal(out1, want_out);
	assert_string_equal(in2, want_in);
	assert_string_equal(out2, want_out);

	/* a run, then a write */
	assert_int_equal(mod_depmod_run(d), 0);
	assert_string_equal(in1, want_in);
	assert_string_equal(out1, want_out);
	assert_int_equal(mod_depmod_get_module_count(d), 1);
	const char *name = mod_depmod_get_module_name(d, 0);

	assert_string_equal(name, "foo");
	assert_string_equal(mod_depmod_get_module_name(d, 0), "foo");
	assert_int_equal(mod_depmod_write(d, MOD_DEPMOD_OUTPUT_ALL, -1), 0);
	assert_string_equal(in1, want_in);
	assert_string_equal(out1, want_out);

	/* a second run replaces the module list: the names handed out stay readable */
	assert_int_equal(mod_depmod_run(d), 0);
	assert_string_equal(name, "foo");
	assert_string_equal(in1, want_in);

	/* new settings give new strings; the old ones still live with the object */
	assert_int_equal(mod_depmod_set_kernel_version(d, "2.0"), 0);
	in3 = mod_depmod_get_input_dir(d);
	assert_string_equal(in3, other_in);
	assert_string_equal(in1, want_in);
	assert_string_equal(out1, want_out);
	assert_string_equal(name, "foo");

	mod_depmod_unref(d);
	mod_ctx_unref(ctx);
}

static void test_ctx_and_module(void **state)
{
	char moddir[400], path[512];
	struct mod_ctx *ctx;
	struct mod_module *mod, *mod2;
	const char *moddir1, *name1, *path1, *path2;

	snprintf(moddir, sizeof(moddir), "%s/lib/modules/1.0", tmpdir);
	snprintf(path, sizeof(path), "%s/kernel/foo.ko", moddir);
	ctx = new_ctx(moddir);
	moddir1 = mod_ctx_get_moddir(ctx);
	assert_string_equal(mod_ctx_get_moddir(ctx), moddir);
	assert_string_equal(moddir1, moddir);

	assert_int_equal(mod_module_new_from_path(ctx, path, &mod), 0);
	name1 = mod_module_get_name(mod);
	path1 = mod_module_get_path(mod);
	assert_string_equal(mod_module_get_name(mod), "foo");
	path2 = mod_module_get_path(mod);
	assert_string_equal(name1, "foo");
	assert_string_equal(path1, path);
	assert_string_equal(path2, path);
	assert_null(mod_module_get_alias(mod));

	/* by name, the path comes from modules.dep (written by the depmod test): cached once */
	assert_int_equal(mod_module_new_from_name(ctx, "foo", &mod2), 0);
	path1 = mod_module_get_path(mod2);
	if (path1) {
		path2 = mod_module_get_path(mod2);
		mod_module_is_builtin(mod2);
		assert_string_equal(path1, path);
		assert_string_equal(path2, path);
	}
	assert_string_equal(mod_module_get_name(mod2), "foo");
	mod_module_unref(mod2);
	mod_module_unref(mod);
	assert_string_equal(moddir1, moddir);
	mod_ctx_unref(ctx);
}

static void test_config_entries(void **state)
{
	char conf[512];
	const char *paths[2] = { conf, NULL };
	struct mod_ctx *ctx;
	struct mod_config *cfg;
	const struct mod_config_entry *e;
	const char *key, *value, *file, *cmd1, *cmd2;
	size_t cursor = 0;

	put_file("modprobe.d/a.conf", "alias pci:x* foo\ninstall foo /bin/true\n");
	snprintf(conf, sizeof(conf), "%s/modprobe.d", tmpdir);
	assert_int_equal(mod_ctx_new(tmpdir, paths, &ctx), 0);
	mod_ctx_set_log_fn(ctx, quiet_log, NULL);
	assert_int_equal(mod_config_new(ctx, MOD_CONFIG_NO_CMDLINE | MOD_CONFIG_NO_LEGACY, &cfg),
			 0);
	assert_int_equal(mod_config_next(cfg, MOD_CONFIG_ALIAS, &cursor, &e), 0);
	key = mod_config_entry_get_key(e);
	value = mod_config_entry_get_value(e);
	file = mod_config_entry_get_file(e);
	assert_int_equal(mod_config_get_install(cfg, "foo", &cmd1), 0);
	assert_int_equal(mod_config_get_install(cfg, "foo", &cmd2), 0);
	cursor = 0;
	assert_int_equal(mod_config_next(cfg, MOD_CONFIG_ALIAS, &cursor, &e), 0);
	assert_string_equal(mod_config_entry_get_key(e), "pci:x*");
	assert_string_equal(key, "pci:x*");
	assert_string_equal(value, "foo");
	assert_non_null(strstr(file, "a.conf"));
	assert_string_equal(cmd1, "/bin/true");
	assert_string_equal(cmd2, "/bin/true");
	mod_config_unref(cfg);
	mod_ctx_unref(ctx);
}

static int write_index(int fd, void *data)
{
	return mod_index_builder_write(data, fd, MOD_INDEX_LAYOUT_PREORDER);
}

static void test_index_values(void **state)
{
	struct mod_index_builder *b;
	struct mod_index *idx;
	struct mod_index_result *res;
	const char *v1, *v2, *r1;
	char path[512];

	assert_int_equal(mod_index_builder_new(&b), 0);
	assert_int_equal(mod_index_builder_add(b, "foo", "one", 0), 0);
	assert_int_equal(mod_index_builder_add(b, "foo", "two", 1), 0);
	assert_int_equal(mod_index_builder_add(b, "f*", "glob", 0), 0);
	assert_int_equal(mod_write_file_atomic(tmpdir, "test.bin", write_index, b), 0);
	mod_index_builder_free(b);
	snprintf(path, sizeof(path), "%s/test.bin", tmpdir);
	assert_int_equal(mod_index_open(NULL, path, &idx), 0);
	assert_int_equal(mod_index_lookup(idx, "foo", &v1), 0);
	assert_int_equal(mod_index_lookup_wild(idx, "foo", &res), 0);
	r1 = mod_index_result_value(res, 0);
	assert_int_equal(mod_index_lookup(idx, "foo", &v2), 0);
	assert_string_equal(v1, "one");
	assert_string_equal(v2, "one");
	assert_non_null(r1);
	assert_string_equal(r1, mod_index_result_value(res, 0));
	mod_index_result_free(res);
	assert_string_equal(v1, "one");
	mod_index_unref(idx);
	unlink(path);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(tmpdir));
	/* not a valid ELF: depmod keeps it, with no info, which is all these tests need */
	put_file("lib/modules/1.0/kernel/foo.ko", "junk");
	put_file("lib/modules/2.0/kernel/bar.ko", "junk");
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_depmod_dirs),
		cmocka_unit_test(test_ctx_and_module),
		cmocka_unit_test(test_config_entries),
		cmocka_unit_test(test_index_values),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
