/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the shared configuration lexer: logical lines, words, the merged file list. */
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

#include "conf-reader.h"

struct collected {
	char lines[16][128];
	unsigned int linenos[16];
	size_t n;
	int stop_after; /* 0 = never */
};

static int collect(void *data, const char *file, unsigned int lineno, char *line)
{
	struct collected *c = data;

	assert_true(c->n < 16);
	snprintf(c->lines[c->n], sizeof(c->lines[c->n]), "%s", line);
	c->linenos[c->n] = lineno;
	c->n++;
	if (c->stop_after && (int)c->n == c->stop_after)
		return -ECANCELED;
	return 0;
}

static void read_str(const char *text, struct collected *c)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(conf_read_buffer(NULL, "t", text, strlen(text), collect, c), 0);
}

static void test_lines(void **state)
{
	struct collected c;

	read_str("alias a b\n\n# comment\n   \t \n  # indented\nlast", &c);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.lines[0], "alias a b");
	assert_int_equal(c.linenos[0], 1);
	/* An indented '#' is not a comment: the grammar must see it and complain. */
	assert_string_equal(c.lines[1], "  # indented");
	assert_int_equal(c.linenos[1], 5);
	assert_string_equal(c.lines[2], "last");
	assert_int_equal(c.linenos[2], 6);
}

static void test_continuation(void **state)
{
	struct collected c;

	read_str("one \\\ntwo \\\nthree\nx\\ y\\#z\\\\w\nafter\\", &c);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.lines[0], "one two three");
	assert_int_equal(c.linenos[0], 1);
	assert_string_equal(c.lines[1], "x y#z\\w");
	assert_int_equal(c.linenos[1], 4);
	/* A backslash at the very end of the data is dropped. */
	assert_string_equal(c.lines[2], "after");
	assert_int_equal(c.linenos[2], 5);
}

static void test_stop_and_nul(void **state)
{
	struct collected c = { .stop_after = 1 };
	static const char text[] = "a\0b\nc\n";

	assert_int_equal(conf_read_buffer(NULL, "t", text, sizeof(text) - 1, collect, &c),
			 -ECANCELED);
	assert_int_equal(c.n, 1);
	/* An embedded NUL cuts the line for the grammar, nothing is read past the buffer. */
	assert_string_equal(c.lines[0], "a");
	memset(&c, 0, sizeof(c));
	assert_int_equal(conf_read_buffer(NULL, "t", "", 0, collect, &c), 0);
	assert_int_equal(c.n, 0);
}

static void test_too_long(void **state)
{
	size_t len = CONF_LINE_MAX + 10;
	char *big = malloc(len + 8);
	struct collected c = { 0 };

	assert_non_null(big);
	memset(big, 'x', len);
	memcpy(big + len, "\nok\n", 4);
	assert_int_equal(conf_read_buffer(NULL, "t", big, len + 4, collect, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.lines[0], "ok");
	assert_int_equal(c.linenos[0], 2);
	free(big);
}

static void test_split(void **state)
{
	char line[] = "  alias\tfoo  bar \t";
	char *w[3];
	size_t n = 99;

	assert_int_equal(conf_split_words(line, w, 3, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(w[0], "alias");
	assert_string_equal(w[1], "foo");
	assert_string_equal(w[2], "bar");

	char line2[] = "a b c d";
	n = 99;
	assert_int_equal(conf_split_words(line2, w, 3, &n), -E2BIG);
	assert_int_equal(n, 99);

	char line3[] = " \t ";
	assert_int_equal(conf_split_words(line3, w, 3, &n), 0);
	assert_int_equal(n, 0);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_list_files(void **state)
{
	char root[] = "/tmp/test-conf-reader-XXXXXX";
	char d1[600], d2[600], single[600], softdep[600], sub[700];
	char **files = NULL;

	assert_non_null(mkdtemp(root));
	snprintf(d1, sizeof(d1), "%s/etc", root);
	snprintf(d2, sizeof(d2), "%s/lib", root);
	snprintf(single, sizeof(single), "%s/single.txt", root);
	snprintf(softdep, sizeof(softdep), "%s/modules.softdep", root);
	assert_int_equal(mkdir(d1, 0755), 0);
	assert_int_equal(mkdir(d2, 0755), 0);
	write_file(d1, "b.conf", "");
	write_file(d1, "zz.conf", "");
	write_file(d1, ".hidden.conf", "");
	write_file(d1, "notconf.txt", "");
	write_file(d2, "a.conf", "");
	write_file(d2, "b.conf", ""); /* masked by etc/b.conf */
	write_file(d2, "n.conf", "");
	write_file(root, "single.txt", "");
	write_file(root, "modules.softdep", "");
	snprintf(sub, sizeof(sub), "%s/sub.conf", d2);
	assert_int_equal(mkdir(sub, 0755), 0);

	const char *paths[] = { d1, "/nonexistent-dir-for-test", d2, single, NULL };
	const char *enames[] = { "modules.softdep", "modules.weakdep", NULL };
	char weakdep[600];
	snprintf(weakdep, sizeof(weakdep), "%s/modules.weakdep", root); /* does not exist */
	const char *epaths[] = { softdep, weakdep, NULL };

	assert_int_equal(conf_list_files(NULL, paths, enames, epaths, &files), 0);
	const char *expect[] = { "lib/a.conf", "etc/b.conf", "/modules.softdep", "lib/n.conf",
				 "/single.txt", "etc/zz.conf" };
	size_t i;
	for (i = 0; files[i]; i++) {
		assert_true(i < ARRAY_SIZE(expect));
		size_t fl = strlen(files[i]), el = strlen(expect[i]);
		assert_true(fl > el);
		assert_string_equal(files[i] + fl - el, expect[i]);
		assert_memory_equal(files[i], root, strlen(root));
	}
	assert_int_equal(i, ARRAY_SIZE(expect));
	conf_strv_free(files);

	/* No paths at all: only the extras. */
	const char *none[] = { NULL };
	assert_int_equal(conf_list_files(NULL, none, enames, epaths, &files), 0);
	assert_non_null(files[0]);
	assert_string_equal(files[0], softdep);
	assert_null(files[1]);
	conf_strv_free(files);

	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_read_file(void **state)
{
	char root[] = "/tmp/test-conf-reader-XXXXXX";
	struct collected c = { 0 };
	char path[600];

	assert_non_null(mkdtemp(root));
	write_file(root, "x.conf", "options a b\n#c\nblacklist \\\n z\n");
	snprintf(path, sizeof(path), "%s/x.conf", root);
	assert_int_equal(conf_read_file(NULL, path, collect, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.lines[1], "blacklist  z");
	assert_int_equal(c.linenos[1], 3);
	unlink(path);
	assert_int_equal(conf_read_file(NULL, path, collect, &c), -ENOENT);
	rmdir(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_stop_and_nul),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_list_files),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
