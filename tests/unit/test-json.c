/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JSON string escaping (util/json.c): valid UTF-8 passes unchanged, what JSON requires is
 * escaped, and ill-formed bytes (overlong, surrogates, too large, truncated, stray) become
 * U+FFFD, one per byte, so a module's strings can never break the document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static void check(const char *in, size_t len, const char *expect)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);

	assert_non_null(f);
	json_write_string(f, in, len);
	assert_int_equal(fclose(f), 0);
	assert_string_equal(out, expect);
	free(out);
}

#define CHECK(lit, expect) check(lit, sizeof(lit) - 1, expect)

static void test_valid_utf8_unchanged(void **state)
{
	CHECK("Pali Roh\xc3\xa1r <pali@kernel.org>", "\"Pali Roh\xc3\xa1r <pali@kernel.org>\"");
	CHECK("\xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf \xed\x9f\xbf",
	      "\"\xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf \xed\x9f\xbf\"");
	CHECK("", "\"\"");
}

static void test_required_escapes(void **state)
{
	CHECK("a\"b\\c\nd\te\rf", "\"a\\\"b\\\\c\\nd\\te\\rf\"");
	CHECK("\x01\x1f\x7f~", "\"\\u0001\\u001f\\u007f~\"");
	/* An embedded NUL inside the given length is data too. */
	check("a\0b", 3, "\"a\\u0000b\"");
	{
		char *out = NULL;
		size_t outlen = 0;
		FILE *f = open_memstream(&out, &outlen);

		assert_non_null(f);
		json_write_cstr(f, NULL);
		assert_int_equal(fclose(f), 0);
		assert_string_equal(out, "null");
		free(out);
	}
}

static void test_invalid_utf8_replaced(void **state)
{
	/* Overlong forms: C0/C1 leads, E0 80..9F, F0 80..8F. */
	CHECK("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	CHECK("\xc1\xbf", "\"\\ufffd\\ufffd\"");
	CHECK("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"");
	CHECK("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	/* UTF-16 surrogates encoded in UTF-8 (CESU-8 style). */
	CHECK("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	CHECK("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"");
	/* Beyond U+10FFFF, and lead bytes that never occur. */
	CHECK("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	CHECK("\xf5\xff\xfe", "\"\\ufffd\\ufffd\\ufffd\"");
	/* Truncated: at the end of the string, and followed by ASCII. */
	CHECK("a\xe2\x82", "\"a\\ufffd\\ufffd\"");
	CHECK("\xe2\x82" "A", "\"\\ufffd\\ufffdA\"");
	CHECK("\xf0\x9f\x98", "\"\\ufffd\\ufffd\\ufffd\"");
	/* Latin-1 text (a module that is not UTF-8) and stray continuation bytes. */
	CHECK("Roh\xe1r", "\"Roh\\ufffdr\"");
	CHECK("\x80x\xbf", "\"\\ufffdx\\ufffd\"");
	/* A sequence cut by the length, though the bytes go on. */
	check("\xc3\xa1", 1, "\"\\ufffd\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_utf8_unchanged),
		cmocka_unit_test(test_required_escapes),
		cmocka_unit_test(test_invalid_utf8_replaced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
