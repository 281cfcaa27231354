/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the configuration parsers: the lexer and command grammar over the input as a
 * modprobe.d file, the kernel command line parser over the same bytes, then every query and the
 * dump over what was parsed.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mod_ctx *ctx;
	struct mod_config *cfg = NULL;
	const char **pre, **post;
	const char *cmd;
	char *text, *opts;
	int fd;

	if (!ctx) {
		const char *none[] = { NULL };

		if (mod_ctx_new("/nonexistent", none, &ctx) < 0)
			abort();
		mod_ctx_set_log_fn(ctx, NULL, NULL);
	}
	if (config_new_empty(ctx, &cfg) < 0)
		return 0;
	config_parse_buffer(cfg, "fuzz.conf", (const char *)data, size);
	text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		config_parse_cmdline(cfg, text);
		free(text);
	}
	/* Query every key that was parsed, as a module name. */
	for (size_t i = 0; i < cfg->n_entries; i++) {
		const char *key = cfg->entries[i].key;

		if (mod_config_get_options(cfg, key, key, &opts) == 0)
			free(opts);
		mod_config_get_install(cfg, key, &cmd);
		mod_config_get_command(cfg, MOD_CONFIG_POST_REMOVE, key, &cmd);
		mod_config_is_blacklisted(cfg, key);
		mod_config_is_forbidden(cfg, key);
		if (mod_config_get_softdeps(cfg, key, &pre, &post) == 0) {
			free(pre);
			free(post);
		}
		if (mod_config_get_weakdeps(cfg, key, &pre) == 0)
			free(pre);
	}
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		mod_config_dump(cfg, fd, true);
		close(fd);
	}
	mod_config_unref(cfg);
	return 0;
}
