/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Module and alias name rules: the same normalisation the kernel and kmod apply. */
#include <errno.h>
#include <string.h>

#include "libmod-private.h"

LIBMOD_EXPORT int mod_name_normalize(const char *name, char *out, size_t outsz)
{
	size_t n;

	if (!name || !out)
		return -EINVAL;
	n = strlen(name);
	if (n + 1 > outsz)
		return -ENAMETOOLONG;
	for (size_t i = 0; i <= n; i++)
		out[i] = name[i] == '-' ? '_' : name[i];
	return 0;
}

LIBMOD_EXPORT int mod_alias_normalize(const char *alias, char *out, size_t outsz)
{
	size_t n, i;
	bool in_bracket = false;

	if (!alias || !out)
		return -EINVAL;
	n = strlen(alias);
	if (n + 1 > outsz)
		return -ENAMETOOLONG;
	for (i = 0; i < n; i++) {
		char c = alias[i];

		if (c == '[') {
			in_bracket = true;
		} else if (c == ']') {
			if (!in_bracket)
				return -EINVAL;
			in_bracket = false;
		} else if (c == '-' && !in_bracket) {
			c = '_';
		}
		out[i] = c;
	}
	if (in_bracket)
		return -EINVAL;
	out[n] = '\0';
	return 0;
}

LIBMOD_EXPORT int mod_name_from_path(const char *path, char *out, size_t outsz)
{
	const char *base, *dot;
	size_t n;

	if (!path || !out)
		return -EINVAL;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dot = strchr(base, '.');
	n = dot ? (size_t)(dot - base) : strlen(base);
	if (n == 0)
		return -EINVAL;
	if (n + 1 > outsz)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < n; i++)
		out[i] = base[i] == '-' ? '_' : base[i];
	out[n] = '\0';
	return 0;
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

LIBMOD_EXPORT bool mod_path_is_module(const char *path)
{
	size_t len;

	if (!path)
		return false;
	len = strlen(path);
	return has_suffix(path, len, ".ko") || has_suffix(path, len, ".ko.gz") ||
	       has_suffix(path, len, ".ko.xz") || has_suffix(path, len, ".ko.zst");
}
