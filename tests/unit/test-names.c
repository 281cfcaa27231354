/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Name rules (names.c): module name and alias normalisation, the module name of a file, and
 * which paths are module files. Expected values follow the kernel's and the reference's rules:
 * '-' and '_' are the same character in names, but not inside an alias's [...] class.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "libmod.h"

#define SENTINEL "untouched"

static void test_name_normalize(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(mod_name_normalize("snd-hda-intel", out, sizeof(out)), 0);
	assert_string_equal(out, "snd_hda_intel");
	assert_int_equal(mod_name_normalize("already_ok", out, sizeof(out)), 0);
	assert_string_equal(out, "already_ok");
	assert_int_equal(mod_name_normalize("-", out, sizeof(out)), 0);
	assert_string_equal(out, "_");
	assert_int_equal(mod_name_normalize("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_name_normalize_bounds(void **state)
{
	char out[8];

	(void)state;
	/* 7 characters + NUL fit exactly in 8 bytes; 8 characters do not. */
	assert_int_equal(mod_name_normalize("a-b-c-d", out, sizeof(out)), 0);
	assert_string_equal(out, "a_b_c_d");
	memcpy(out, SENTINEL, 7);
	out[7] = '\0';
	assert_int_equal(mod_name_normalize("a-b-c-de", out, sizeof(out)), -ENAMETOOLONG);
	/* Nothing is written on failure. */
	assert_string_equal(out, "untouch");
	assert_int_equal(mod_name_normalize("x", out, 0), -ENAMETOOLONG);
	assert_int_equal(mod_name_normalize(NULL, out, sizeof(out)), -EINVAL);
	assert_int_equal(mod_name_normalize("x", NULL, sizeof(out)), -EINVAL);
}

static void test_alias_normalize(void **state)
{
	char out[128];

	(void)state;
	assert_int_equal(mod_alias_normalize("char-major-10-175", out, sizeof(out)), 0);
	assert_string_equal(out, "char_major_10_175");
	/* Inside a bracket class '-' is a range and stays. */
	assert_int_equal(mod_alias_normalize("pci:v-x[a-f]-y", out, sizeof(out)), 0);
	assert_string_equal(out, "pci:v_x[a-f]_y");
	assert_int_equal(mod_alias_normalize("a[0-9]b[x-z]c-d", out, sizeof(out)), 0);
	assert_string_equal(out, "a[0-9]b[x-z]c_d");
	/* A '[' inside a class is an ordinary character of it; the first ']' closes. */
	assert_int_equal(mod_alias_normalize("[[-]-", out, sizeof(out)), 0);
	assert_string_equal(out, "[[-]_");
	/* Wildcards are kept for the index lookup. */
	assert_int_equal(mod_alias_normalize("usb:v*p*-*", out, sizeof(out)), 0);
	assert_string_equal(out, "usb:v*p*_*");
}

static void test_alias_normalize_errors(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(mod_alias_normalize("a]b", out, sizeof(out)), -EINVAL);
	assert_int_equal(mod_alias_normalize("a[b-c", out, sizeof(out)), -EINVAL);
	assert_int_equal(mod_alias_normalize("[]]", out, sizeof(out)), -EINVAL);
	assert_int_equal(mod_alias_normalize("0123456789abcdef", out, sizeof(out)),
			 -ENAMETOOLONG);
	assert_int_equal(mod_alias_normalize("0123456789abcde", out, sizeof(out)), 0);
	assert_string_equal(out, "0123456789abcde");
	assert_int_equal(mod_alias_normalize(NULL, out, sizeof(out)), -EINVAL);
}

static void test_name_from_path(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(mod_name_from_path("/lib/modules/6.1/kernel/sound/snd-hda-intel.ko.xz",
					    out, sizeof(out)),
			 0);
	assert_string_equal(out, "snd_hda_intel");
	assert_int_equal(mod_name_from_path("vfat.ko", out, sizeof(out)), 0);
	assert_string_equal(out, "vfat");
	/* Dots in directories do not count; the basename is cut at its first dot. */
	assert_int_equal(mod_name_from_path("/a.b/c-d.ko.zst", out, sizeof(out)), 0);
	assert_string_equal(out, "c_d");
	assert_int_equal(mod_name_from_path("dir/noext", out, sizeof(out)), 0);
	assert_string_equal(out, "noext");
	assert_int_equal(mod_name_from_path("x.y.ko", out, sizeof(out)), 0);
	assert_string_equal(out, "x");
}

static void test_name_from_path_errors(void **state)
{
	char out[4];

	(void)state;
	assert_int_equal(mod_name_from_path(".ko", out, sizeof(out)), -EINVAL);
	assert_int_equal(mod_name_from_path("/lib/modules/", out, sizeof(out)), -EINVAL);
	assert_int_equal(mod_name_from_path("", out, sizeof(out)), -EINVAL);
	assert_int_equal(mod_name_from_path("abcd.ko", out, sizeof(out)), -ENAMETOOLONG);
	assert_int_equal(mod_name_from_path("abc.ko", out, sizeof(out)), 0);
	assert_string_equal(out, "abc");
	assert_int_equal(mod_name_from_path(NULL, out, sizeof(out)), -EINVAL);
}

static void test_path_is_module(void **state)
{
	(void)state;
	assert_true(mod_path_is_module("a.ko"));
	assert_true(mod_path_is_module("/x/y/a.ko.gz"));
	assert_true(mod_path_is_module("a.ko.xz"));
	assert_true(mod_path_is_module("a.ko.zst"));
	assert_true(mod_path_is_module(".ko"));
	assert_false(mod_path_is_module("a.ko.bz2"));
	assert_false(mod_path_is_module("a.o"));
	assert_false(mod_path_is_module("ko"));
	assert_false(mod_path_is_module("a.kox"));
	assert_false(mod_path_is_module("a.ko/"));
	assert_false(mod_path_is_module("a.KO"));
	assert_false(mod_path_is_module(""));
	assert_false(mod_path_is_module(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_normalize),
		cmocka_unit_test(test_name_normalize_bounds),
		cmocka_unit_test(test_alias_normalize),
		cmocka_unit_test(test_alias_normalize_errors),
		cmocka_unit_test(test_name_from_path),
		cmocka_unit_test(test_name_from_path_errors),
		cmocka_unit_test(test_path_is_module),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
