/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON string escaping; see json.h. */
#include <string.h>

#include "json.h"

void json_write_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			/* Module strings are bytes, not guaranteed UTF-8: escape everything outside
			 * printable ASCII so the document is always valid. */
			if (c < 0x20 || c >= 0x7f)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

void json_write_cstr(FILE *f, const char *s)
{
	if (!s)
		fputs("null", f);
	else
		json_write_string(f, s, strlen(s));
}
