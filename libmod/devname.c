/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * modules.devname: the device nodes that load a module when first opened, one
 * "<module> <node> c|b<major>:<minor>" line each. `kmod static-nodes` turns them into nodes
 * before any module is loaded. The grammar is exactly what kmod accepts (its
 * sscanf("%s %s %c%u:%u") on each fgets line), so that one file gives the same nodes and the
 * same error lines with either toolkit; that includes its leniencies (blanks before the type
 * and the numbers, a sign on a number, trailing words) and its strictness (an empty line is
 * an error, no blank before the ':'). Lines longer than kmod's 4095-byte fgets buffer,
 * which it would split, are taken whole.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "libmod.h"

/* scanf's notion of white space: isspace in the C locale. */
static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void skip_blanks(const char **p, const char *end)
{
	while (*p < end && is_blank(**p))
		(*p)++;
}

/* "%s": one or more non-blank bytes after optional blanks. */
static bool scan_word(const char **p, const char *end, const char **word, size_t *len)
{
	const char *s;

	skip_blanks(p, end);
	s = *p;
	while (*p < end && !is_blank(**p))
		(*p)++;
	*word = s;
	*len = (size_t)(*p - s);
	return *len > 0;
}

/*
 * "%u": optional blanks and sign, then decimal digits, read as strtoul does (saturating at
 * ULONG_MAX, a '-' negates) and then cut to unsigned int as glibc's scanf stores it.
 */
static bool scan_uint(const char **p, const char *end, unsigned int *out)
{
	unsigned long v = 0;
	bool neg = false, any = false;

	skip_blanks(p, end);
	if (*p < end && (**p == '+' || **p == '-')) {
		neg = **p == '-';
		(*p)++;
	}
	while (*p < end && **p >= '0' && **p <= '9') {
		unsigned long d = (unsigned long)(**p - '0');

		if (v > (ULONG_MAX - d) / 10)
			v = ULONG_MAX;
		else
			v = v * 10 + d;
		any = true;
		(*p)++;
	}
	if (neg && v != ULONG_MAX)
		v = -v;
	*out = (unsigned int)v;
	return any;
}

static bool parse_line(const char *p, const char *end, struct mod_devname_entry *e)
{
	skip_blanks(&p, end);
	if (!scan_word(&p, end, &e->module, &e->module_len) ||
	    !scan_word(&p, end, &e->node, &e->node_len))
		return false;
	skip_blanks(&p, end);
	if (p == end)
		return false;
	e->type = *p++;
	if (!scan_uint(&p, end, &e->major) || p == end || *p++ != ':' ||
	    !scan_uint(&p, end, &e->minor))
		return false;
	return e->type == 'c' || e->type == 'b';
}

LIBMOD_EXPORT int mod_devname_next(const void *buf, size_t len, size_t *cursor,
				   struct mod_devname_entry *entry)
{
	const char *data = buf;

	if (!buf || !cursor || !entry || *cursor > len)
		return -EINVAL;
	while (*cursor < len) {
		const char *line = data + *cursor;
		const char *nl = memchr(line, '\n', len - *cursor);
		const char *end = nl ? nl + 1 : data + len;
		const char *nul = memchr(line, '\0', (size_t)(end - line));
		struct mod_devname_entry e = { .line = line };

		*cursor += (size_t)(end - line);
		/* A NUL ends the line for kmod's sscanf and printf alike. */
		if (nul)
			end = nul;
		e.line_len = (size_t)(end - line);
		if (e.line_len > 0 && line[0] == '#')
			continue;
		if (!parse_line(line, end, &e)) {
			*entry = (struct mod_devname_entry){ .line = e.line, .line_len = e.line_len };
			return -EBADMSG;
		}
		*entry = e;
		return 0;
	}
	return 1;
}
