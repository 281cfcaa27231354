/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON string escaping; see json.h. */
#include <string.h>

#include "json.h"

/*
 * Length of the well-formed UTF-8 sequence at s (at most len bytes), or 0 when the bytes there
 * are not one: the ranges of RFC 3629 / Unicode table 3-7, which rule out overlong forms,
 * UTF-16 surrogates (U+D800..DFFF), code points above U+10FFFF and truncated sequences.
 */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0; /* continuation byte, overlong lead (C0, C1) or beyond U+10FFFF (F5..FF) */
	/* The second byte's range closes the overlong, surrogate and too-large gaps. */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

void json_write_string(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;

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
			/* Control characters must be escaped; DEL is, so output stays printable. */
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
				break;
			}
			n = utf8_sequence(s + i, len - i);
			if (n == 0) {
				/*
				 * Module strings are bytes, not promised UTF-8: a byte that starts no
				 * well-formed sequence becomes U+FFFD, so the document stays valid.
				 */
				fputs("\\ufffd", f);
				break;
			}
			fwrite(s + i, 1, n, f);
			i += n;
			continue;
		}
		i++;
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
