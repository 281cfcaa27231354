/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libkmod context on a libmod context: creation, logging, user data, and the resource
 * calls long-lived users (udevd) make: load, unload, validate, dump an index.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

/*
 * libkmod's default sink as Debian builds it (with debug information): stderr, prefixed with
 * the priority, the source position and the function, so logs read the same with either
 * library.
 */
static void log_stderr(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args)
{
	static const char *const names[] = {
		[LOG_EMERG] = "EMERGENCY", [LOG_ALERT] = "ALERT", [LOG_CRIT] = "CRITICAL",
		[LOG_ERR] = "ERROR",       [LOG_WARNING] = "WARNING", [LOG_NOTICE] = "NOTICE",
		[LOG_INFO] = "INFO",       [LOG_DEBUG] = "DEBUG",
	};
	char buf[16];
	const char *name = buf;

	if (priority >= 0 && priority < (int)ARRAY_SIZE(names))
		name = names[priority];
	else
		snprintf(buf, sizeof(buf), "L:%d", priority);
	fprintf(stderr, "libkmod: %s %s:%d %s: ", name, file, line, fn);
	vfprintf(stderr, format, args);
}

/*
 * libmod's messages reach the caller's function through the context, so kmod_set_log_fn also
 * applies to everything libmod says on the shim's behalf.
 */
static void log_trampoline(void *data, int priority, const char *file, int line, const char *fn,
			   const char *format, va_list args)
{
	const struct kmod_ctx *ctx = data;

	if (ctx->log_fn)
		ctx->log_fn((void *)ctx->log_data, priority, file, line, fn, format, args);
}

void ctx_log(const struct kmod_ctx *ctx, int priority, const char *file, int line,
	     const char *fn, const char *format, ...)
{
	va_list ap;

	if (!ctx || !ctx->log_fn || kmod_get_log_priority(ctx) < priority)
		return;
	va_start(ap, format);
	ctx->log_fn((void *)ctx->log_data, priority, file, line, fn, format, ap);
	va_end(ap);
}

/*
 * KMOD_LOG as libkmod reads it: a number, or a word starting with err, info or debug; anything
 * else is 0. (libmod's LIBMOD_LOG also knows warning and notice; it is honoured underneath.)
 */
static int kmod_log_priority(const char *s)
{
	char *end;
	long prio = strtol(s, &end, 10);

	if (end[0] == '\0' || isspace((unsigned char)end[0]))
		return (int)prio;
	if (strncmp(s, "err", 3) == 0)
		return LOG_ERR;
	if (strncmp(s, "info", 4) == 0)
		return LOG_INFO;
	if (strncmp(s, "debug", 5) == 0)
		return LOG_DEBUG;
	return 0;
}

int ctx_make_mctx(struct kmod_ctx *ctx, const char *moddir, const char *const *config_paths)
{
	struct mod_ctx *mctx;
	struct mod_config *cfg;
	int r;

	r = mod_ctx_new(moddir, config_paths, &mctx);
	if (r < 0)
		return r;
	mod_ctx_set_log_fn(mctx, log_trampoline, ctx);
	if (ctx->mctx) {
		mod_ctx_set_log_priority(mctx, mod_ctx_get_log_priority(ctx->mctx));
		mod_ctx_unref(ctx->mctx);
	} else {
		const char *env = secure_getenv("KMOD_LOG");

		if (env)
			mod_ctx_set_log_priority(mctx, kmod_log_priority(env));
	}
	ctx->mctx = mctx;
	/*
	 * libkmod parses the configuration when the context is made: validate_resources then
	 * compares against that moment, and configuration errors show up early.
	 */
	r = mod_ctx_get_config(mctx, &cfg);
	if (r < 0 && r != -ENOENT)
		return r;
	return 0;
}

KMOD_EXPORT struct kmod_ctx *kmod_new(const char *dirname, const char *const *config_paths)
{
	struct kmod_ctx *ctx = calloc(1, sizeof(*ctx));
	int r;

	if (!ctx)
		return NULL;
	ctx->refcount = 1;
	ctx->log_fn = log_stderr;
	r = ctx_make_mctx(ctx, dirname, config_paths);
	if (r < 0) {
		mod_ctx_unref(ctx->mctx);
		free(ctx);
		errno = -r;
		return NULL;
	}
	KINFO(ctx, "ctx %p created\n", (void *)ctx);
	KDBG(ctx, "log_priority=%d\n", kmod_get_log_priority(ctx));
	return ctx;
}

KMOD_EXPORT struct kmod_ctx *kmod_ref(struct kmod_ctx *ctx)
{
	if (ctx)
		ctx->refcount++;
	return ctx;
}

KMOD_EXPORT struct kmod_ctx *kmod_unref(struct kmod_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (--ctx->refcount > 0)
		return ctx;
	KINFO(ctx, "context %p released\n", (void *)ctx);
	/* Nothing may call back into a freed context, even if libmod objects linger. */
	mod_ctx_set_log_fn(ctx->mctx, NULL, NULL);
	mod_ctx_unref(ctx->mctx);
	free(ctx);
	return NULL;
}

KMOD_EXPORT void kmod_set_log_fn(struct kmod_ctx *ctx,
				 void (*log_fn)(void *log_data, int priority, const char *file,
						int line, const char *fn, const char *format,
						va_list args),
				 const void *data)
{
	if (!ctx)
		return;
	ctx->log_fn = log_fn;
	ctx->log_data = data;
	KINFO(ctx, "custom logging function %p registered\n", (void *)log_fn);
}

KMOD_EXPORT int kmod_get_log_priority(const struct kmod_ctx *ctx)
{
	return ctx ? mod_ctx_get_log_priority(ctx->mctx) : -1;
}

KMOD_EXPORT void kmod_set_log_priority(struct kmod_ctx *ctx, int priority)
{
	if (ctx)
		mod_ctx_set_log_priority(ctx->mctx, priority);
}

KMOD_EXPORT void *kmod_get_userdata(const struct kmod_ctx *ctx)
{
	return ctx ? (void *)ctx->userdata : NULL;
}

KMOD_EXPORT void kmod_set_userdata(struct kmod_ctx *ctx, const void *userdata)
{
	if (ctx)
		ctx->userdata = userdata;
}

KMOD_EXPORT const char *kmod_get_dirname(const struct kmod_ctx *ctx)
{
	return ctx ? mod_ctx_get_moddir(ctx->mctx) : NULL;
}

struct mod_config *ctx_config(const struct kmod_ctx *ctx)
{
	struct mod_config *cfg;

	if (!ctx || mod_ctx_get_config(ctx->mctx, &cfg) < 0)
		return NULL;
	return cfg;
}

KMOD_EXPORT int kmod_load_resources(struct kmod_ctx *ctx)
{
	int r;

	if (!ctx)
		return -ENOENT;
	/*
	 * libkmod needs every index but modules.builtin.alias.bin, which it treats as optional
	 * (older installations lack it); libmod forgives both builtin indexes. Asking for each
	 * keeps libkmod's answer: -ENOENT when a required one is missing.
	 */
	r = mod_ctx_load_indexes(ctx->mctx);
	for (int i = 0; r == 0 && i < _MOD_INDEX_KIND_MAX; i++) {
		struct mod_index *idx;

		r = mod_ctx_get_index(ctx->mctx, (enum mod_index_kind)i, &idx);
		if (r < 0 && i == MOD_INDEX_BUILTIN_ALIAS)
			r = 0;
	}
	if (r < 0) {
		kmod_unload_resources(ctx);
		return r;
	}
	ctx->resources_loaded = true;
	return 0;
}

KMOD_EXPORT void kmod_unload_resources(struct kmod_ctx *ctx)
{
	const char *const *paths;
	char *moddir;
	char **paths_copy = NULL;
	size_t n = 0;

	if (!ctx)
		return;
	/*
	 * Dropping indexes means a new libmod context; the old one lives on in the modules made
	 * from it. The directory and config paths belong to the old context: copy them first.
	 */
	moddir = strdup(mod_ctx_get_moddir(ctx->mctx));
	paths = mod_ctx_get_config_paths(ctx->mctx);
	if (paths) {
		while (paths[n])
			n++;
		paths_copy = calloc(n + 1, sizeof(char *));
		for (size_t i = 0; paths_copy && i < n; i++)
			if (!(paths_copy[i] = strdup(paths[i])))
				goto out;
	}
	if (!moddir || (paths && !paths_copy))
		goto out;
	/*
	 * The new context reads the configuration again, so it cannot see a change made before
	 * now; libkmod's context keeps the one read by kmod_new and keeps reporting it stale.
	 */
	if (!ctx->config_stale) {
		unsigned int changed = 0;

		if (mod_ctx_validate(ctx->mctx, &changed) == 0 && (changed & MOD_CTX_CHANGED_CONFIG))
			ctx->config_stale = true;
	}
	/* On failure the old context stays: still correct, only not unloaded. */
	if (ctx_make_mctx(ctx, moddir, (const char *const *)paths_copy) < 0)
		KERR(ctx, "could not unload resources\n");
	ctx->resources_loaded = false;
out:
	for (size_t i = 0; paths_copy && i < n; i++)
		free(paths_copy[i]);
	free(paths_copy);
	free(moddir);
}

KMOD_EXPORT int kmod_validate_resources(struct kmod_ctx *ctx)
{
	unsigned int changed;

	if (!ctx || mod_ctx_validate(ctx->mctx, &changed) < 0)
		return KMOD_RESOURCES_MUST_RECREATE;
	/* The configuration is read once per context: a change needs a new context. */
	if ((changed & MOD_CTX_CHANGED_CONFIG) || ctx->config_stale)
		return KMOD_RESOURCES_MUST_RECREATE;
	if (changed & MOD_CTX_CHANGED_INDEXES)
		return KMOD_RESOURCES_MUST_RELOAD;
	return KMOD_RESOURCES_OK;
}

KMOD_EXPORT int kmod_dump_index(struct kmod_ctx *ctx, enum kmod_index type, int fd)
{
	/* libkmod prefixes the alias and symbol indexes so the dump reads as configuration. */
	static const char *const prefixes[] = {
		[KMOD_INDEX_MODULES_DEP] = "",
		[KMOD_INDEX_MODULES_ALIAS] = "alias ",
		[KMOD_INDEX_MODULES_SYMBOL] = "alias ",
		[KMOD_INDEX_MODULES_BUILTIN_ALIAS] = "",
		[KMOD_INDEX_MODULES_BUILTIN] = "",
	};
	/* Same order in both libraries; spelled out so a reordering cannot go unnoticed. */
	static const enum mod_index_kind kinds[] = {
		[KMOD_INDEX_MODULES_DEP] = MOD_INDEX_DEP,
		[KMOD_INDEX_MODULES_ALIAS] = MOD_INDEX_ALIAS,
		[KMOD_INDEX_MODULES_SYMBOL] = MOD_INDEX_SYMBOL,
		[KMOD_INDEX_MODULES_BUILTIN_ALIAS] = MOD_INDEX_BUILTIN_ALIAS,
		[KMOD_INDEX_MODULES_BUILTIN] = MOD_INDEX_BUILTIN,
	};
	struct mod_index *idx;
	int r;

	if (!ctx)
		return -ENOSYS;
	if ((unsigned int)type >= ARRAY_SIZE(kinds))
		return -ENOENT;
	/* libkmod says -ENOSYS when the index file cannot be opened. */
	r = mod_ctx_get_index(ctx->mctx, kinds[type], &idx);
	if (r < 0)
		return -ENOSYS;
	return mod_index_dump(idx, fd, prefixes[type]);
}
