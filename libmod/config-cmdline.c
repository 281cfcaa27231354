/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Module options and blacklist entries from the kernel command line: `mod.param[=value]` becomes
 * `options mod param[=value]`, `modprobe.blacklist=a,b` becomes blacklist entries. The token
 * rules (quotes, dots, GRUB's quoting of whole tokens, an '=' before the first '.' making a
 * kernel option such as `initrd=\initramfs-linux.img`, not a module's) are kmod's; see
 * kmod-reference.md section 4. One deliberate difference: `.param=v` (no module name) is
 * ignored, where kmod stores options for the empty name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-private.h"

static int add_blacklist_list(struct mod_config *cfg, char *list)
{
	char *item;

	while ((item = strsep(&list, ","))) {
		int r;

		/* Empty items ("a,,b") name nothing; kmod stores them, uselessly. */
		if (*item == '\0')
			continue;
		r = config_add(cfg, MOD_CONFIG_BLACKLIST, item, NULL, CONFIG_CMDLINE_FILE, 1, NULL,
			       NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One complete token: name is NUL-terminated, param runs to its end ("p" or "p=value"). */
static int add_token(struct mod_config *cfg, char *name, char *param)
{
	if (*name == '\0') {
		DBG(cfg->ctx, "kernel command line: '.%s' has no module name, ignored\n", param);
		return 0;
	}
	if (streq(name, "modprobe") && strncmp(param, "blacklist=", 10) == 0)
		return add_blacklist_list(cfg, param + 10);
	if (mod_alias_normalize(name, name, strlen(name) + 1) < 0) {
		ERR(cfg->ctx, "Ignoring bad option on kernel command line while parsing module "
			      "name: '%s'\n", name);
		return 0;
	}
	return config_add(cfg, MOD_CONFIG_OPTIONS, name, param, CONFIG_CMDLINE_FILE, 1, NULL, NULL);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

int config_parse_cmdline(struct mod_config *cfg, const char *text)
{
	enum { IGNORE, NAME, PARAM, VALUE } st = NAME;
	_cleanup_free_ char *buf = strndup(text, CONFIG_CMDLINE_MAX - 1);
	char *name, *param = NULL, *value = NULL, *quote = NULL;
	bool quoted = false;

	if (!buf)
		return -ENOMEM;
	name = buf;
	for (char *p = buf;; p++) {
		bool done = false, end = *p == '\0';

		if (*p == '"') {
			quoted = !quoted;
			/* A quote may open a whole token (GRUB); elsewhere only inside a value. */
			if (quoted && st == NAME && p == name) {
				quote = p;
				name = p + 1;
			} else if (st != VALUE) {
				st = IGNORE;
			}
		} else if (end || is_blank(*p)) {
			if (quoted) {
				/* Blanks only belong in a quoted value; an open quote at the end drops it. */
				if (st != VALUE)
					st = IGNORE;
			} else if (st == PARAM || st == VALUE) {
				*p = '\0';
				done = true;
			} else {
				st = NAME;
				name = p + 1;
				quote = NULL;
			}
		} else if (*p == '.') {
			if (st == NAME) {
				*p = '\0';
				param = p + 1;
				st = PARAM;
			} else if (st == PARAM) {
				st = IGNORE; /* a second dot: not a module parameter */
			}
		} else if (*p == '=' && st == PARAM) {
			value = p + 1;
			st = VALUE;
		} else if (*p == '=' && st == NAME) {
			/* `initrd=\initramfs-linux.img`: a kernel option whose value has a dot. */
			st = IGNORE;
		}

		if (done) {
			int r;

			if (quote && st == VALUE) {
				/*
				 * "mod.p=a b" as GRUB passes it: shift "mod\0p=" left over the opening
				 * quote and put the quote after '=', giving p="a b".
				 */
				size_t n = (size_t)(value - name);

				memmove(quote, name, n);
				name--;
				param--;
				value--;
				*value = '"';
			}
			r = add_token(cfg, name, param);
			if (r < 0)
				return r;
			st = NAME;
			name = p + 1;
			quote = NULL;
			value = NULL;
		}
		if (end)
			break;
	}
	return 0;
}

int config_read_cmdline(struct mod_config *cfg)
{
	char buf[CONFIG_CMDLINE_MAX];
	int r;

	/* Through the sys layer, so a fake root supplies its own command line. */
	r = mod_sys_read_file(cfg->ctx, "/proc/cmdline", buf, sizeof(buf), NULL);
	if (r < 0) {
		DBG(cfg->ctx, "/proc/cmdline: %s\n", strerror(-r));
		return r;
	}
	return config_parse_cmdline(cfg, buf);
}
