/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modules.devname parsing (devname.c). Expected results are what kmod 30's static-nodes does
 * with each line (its sscanf("%s %s %c%u:%u")); tests/kmod/static-nodes-diff.sh checks the
 * same lines against the real kmod.
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

static void expect_entry(const char *buf, size_t len, size_t *cursor, const char *module,
			 const char *node, char type, unsigned int major, unsigned int minor)
{
	struct mod_devname_entry e;

	assert_int_equal(mod_devname_next(buf, len, cursor, &e), 0);
	assert_int_equal(e.module_len, strlen(module));
	assert_memory_equal(e.module, module, e.module_len);
	assert_int_equal(e.node_len, strlen(node));
	assert_memory_equal(e.node, node, e.node_len);
	assert_int_equal(e.type, type);
	assert_int_equal(e.major, major);
	assert_int_equal(e.minor, minor);
}

static void expect_bad(const char *buf, size_t len, size_t *cursor, const char *line)
{
	struct mod_devname_entry e;

	assert_int_equal(mod_devname_next(buf, len, cursor, &e), -EBADMSG);
	assert_int_equal(e.line_len, strlen(line));
	assert_memory_equal(e.line, line, e.line_len);
}

static void test_devname_real(void **state)
{
	static const char buf[] = "# Device nodes to trigger on-demand module loading.\n"
				  "fuse fuse c10:229\n"
				  "tun net/tun c10:200\n"
				  "loop loop-control c10:237\n";
	size_t cursor = 0;
	struct mod_devname_entry e;

	(void)state;
	expect_entry(buf, strlen(buf), &cursor, "fuse", "fuse", 'c', 10, 229);
	expect_entry(buf, strlen(buf), &cursor, "tun", "net/tun", 'c', 10, 200);
	expect_entry(buf, strlen(buf), &cursor, "loop", "loop-control", 'c', 10, 237);
	assert_int_equal(mod_devname_next(buf, strlen(buf), &cursor, &e), 1);
	assert_int_equal(mod_devname_next(buf, strlen(buf), &cursor, &e), 1);
}

static void test_devname_lenient(void **state)
{
	/* scanf skips blanks before each conversion, takes a sign and ignores what follows. */
	static const char buf[] = "  foo\tbar  c 1:2 extra words\n"
				  "m n b-1:+3\n"
				  "m n c1: 3\n"
				  "m n c99999999999:1\n"
				  "m n c99999999999999999999999:1\n"
				  "last x b1:1";
	size_t cursor = 0;

	(void)state;
	expect_entry(buf, strlen(buf), &cursor, "foo", "bar", 'c', 1, 2);
	expect_entry(buf, strlen(buf), &cursor, "m", "n", 'b', 4294967295u, 3);
	expect_entry(buf, strlen(buf), &cursor, "m", "n", 'c', 1, 3);
	/* cut to 32 bits as glibc stores %u */
	expect_entry(buf, strlen(buf), &cursor, "m", "n", 'c', 1215752191u, 1);
	expect_entry(buf, strlen(buf), &cursor, "m", "n", 'c', 4294967295u, 1);
	expect_entry(buf, strlen(buf), &cursor, "last", "x", 'b', 1, 1);
}

static void test_devname_bad(void **state)
{
	static const char buf[] = "\n"
				  "x y z1:2\n"
				  "m n c1 :3\n"
				  "bad\n"
				  "q r c7:\n"
				  "q r c:7\n"
				  "#\n"
				  "ok ok c1:2\n"
				  "nolf";
	size_t cursor = 0;
	struct mod_devname_entry e;

	(void)state;
	expect_bad(buf, strlen(buf), &cursor, "\n");
	expect_bad(buf, strlen(buf), &cursor, "x y z1:2\n");
	expect_bad(buf, strlen(buf), &cursor, "m n c1 :3\n");
	expect_bad(buf, strlen(buf), &cursor, "bad\n");
	expect_bad(buf, strlen(buf), &cursor, "q r c7:\n");
	expect_bad(buf, strlen(buf), &cursor, "q r c:7\n");
	/* the caller goes on after a bad line */
	expect_entry(buf, strlen(buf), &cursor, "ok", "ok", 'c', 1, 2);
	expect_bad(buf, strlen(buf), &cursor, "nolf");
	assert_int_equal(mod_devname_next(buf, strlen(buf), &cursor, &e), 1);
}

static void test_devname_nul(void **state)
{
	/* A NUL ends the line as sscanf and printf see it; the next line starts after '\n'. */
	static const char buf[] = "a b c1:2\0junk\nq r\0 c1:2\nz z c3:4\n";
	size_t cursor = 0;

	(void)state;
	expect_entry(buf, sizeof(buf) - 1, &cursor, "a", "b", 'c', 1, 2);
	expect_bad(buf, sizeof(buf) - 1, &cursor, "q r");
	expect_entry(buf, sizeof(buf) - 1, &cursor, "z", "z", 'c', 3, 4);
}

static void test_devname_misuse(void **state)
{
	struct mod_devname_entry e = { .major = 42 };
	size_t cursor = 5;

	(void)state;
	assert_int_equal(mod_devname_next(NULL, 0, &cursor, &e), -EINVAL);
	assert_int_equal(mod_devname_next("abc", 3, &cursor, &e), -EINVAL);
	assert_int_equal(mod_devname_next("abc", 3, NULL, &e), -EINVAL);
	assert_int_equal(e.major, 42);
	cursor = 0;
	assert_int_equal(mod_devname_next("", 0, &cursor, &e), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devname_real),
		cmocka_unit_test(test_devname_lenient),
		cmocka_unit_test(test_devname_bad),
		cmocka_unit_test(test_devname_nul),
		cmocka_unit_test(test_devname_misuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
