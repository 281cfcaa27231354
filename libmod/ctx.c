/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The library context: module directory, config paths, logging and the sys layer. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "libmod-private.h"

static void log_to_stderr(void *data, int priority, const char *file, int line, const char *fn,
			  const char *format, va_list args)
{
	fprintf(stderr, "libmod: %s: ", fn);
	vfprintf(stderr, format, args);
}

void mod_log(const struct mod_ctx *ctx, int priority, const char *file, int line,
	     const char *fn, const char *format, ...)
{
	va_list ap;

	if (!ctx->log_fn)
		return;
	va_start(ap, format);
	ctx->log_fn(ctx->log_data, priority, file, line, fn, format, ap);
	va_end(ap);
}

static int log_priority_from_string(const char *s)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	v = strtol(s, &end, 10);
	/* Digits are required: " " must not parse as 0 (LOG_EMERG, which silences errors). */
	if (end != s && (*end == '\0' || isspace((unsigned char)*end)))
		return (v >= 0 && v <= LOG_DEBUG) ? (int)v : -1;
	if (strncmp(s, "err", 3) == 0)
		return LOG_ERR;
	if (strncmp(s, "warning", 7) == 0)
		return LOG_WARNING;
	if (strncmp(s, "notice", 6) == 0)
		return LOG_NOTICE;
	if (strncmp(s, "info", 4) == 0)
		return LOG_INFO;
	if (strncmp(s, "debug", 5) == 0)
		return LOG_DEBUG;
	return -1;
}

static int resolve_moddir(const struct mod_ctx *ctx, const char *moddir, char **ret)
{
	char release[256], cwd[PATH_MAX];
	char *p;
	int r;

	if (!moddir) {
		r = ctx->sys->kernel_release(ctx->sys_data, release, sizeof(release));
		if (r < 0)
			return r;
		if (asprintf(&p, "%s/%s", MODULE_DIRECTORY, release) < 0)
			return -ENOMEM;
	} else if (moddir[0] == '/') {
		p = strdup(moddir);
		if (!p)
			return -ENOMEM;
	} else {
		if (!getcwd(cwd, sizeof(cwd)))
			return -errno;
		if (asprintf(&p, "%s/%s", cwd, moddir) < 0)
			return -ENOMEM;
	}
	/* No trailing slashes: paths are joined as moddir + "/" + name. */
	for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
		p[n - 1] = '\0';
	*ret = p;
	return 0;
}

static char **strv_copy(const char *const *v)
{
	size_t n = 0;
	char **copy;

	while (v[n])
		n++;
	copy = calloc(n + 1, sizeof(char *));
	if (!copy)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		copy[i] = strdup(v[i]);
		if (!copy[i]) {
			for (size_t j = 0; j < i; j++)
				free(copy[j]);
			free(copy);
			return NULL;
		}
	}
	return copy;
}

static void strv_free(char **v)
{
	if (!v)
		return;
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

LIBMOD_EXPORT int mod_ctx_new(const char *moddir, const char *const *config_paths,
			      struct mod_ctx **ret)
{
	struct mod_ctx *ctx;
	int prio, r;

	if (!ret)
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->refcount = 1;
	ctx->log_fn = log_to_stderr;
	ctx->log_priority = LOG_ERR;
	ctx->sys = &mod_sys_real_ops;
	prio = log_priority_from_string(secure_getenv("LIBMOD_LOG"));
	if (prio >= 0)
		ctx->log_priority = prio;

	r = resolve_moddir(ctx, moddir, &ctx->moddir);
	if (r < 0)
		goto fail;
	if (config_paths) {
		ctx->config_paths = strv_copy(config_paths);
		if (!ctx->config_paths) {
			r = -ENOMEM;
			goto fail;
		}
	}
	*ret = ctx;
	return 0;
fail:
	mod_ctx_unref(ctx);
	return r;
}

LIBMOD_EXPORT struct mod_ctx *mod_ctx_ref(struct mod_ctx *ctx)
{
	/* Atomic: images and modules holding the context may be handed between threads. */
	if (ctx)
		__atomic_add_fetch(&ctx->refcount, 1, __ATOMIC_RELAXED);
	return ctx;
}

LIBMOD_EXPORT struct mod_ctx *mod_ctx_unref(struct mod_ctx *ctx)
{
	if (!ctx || __atomic_sub_fetch(&ctx->refcount, 1, __ATOMIC_ACQ_REL) > 0)
		return NULL;
	/* The config borrows the context: it goes first. */
	mod_config_unref(ctx->config);
	for (int i = 0; i < _MOD_INDEX_KIND_MAX; i++)
		mod_index_unref(ctx->indexes[i]);
	builtin_modinfo_free(ctx->builtin_modinfo);
	stamp_set_clear(&ctx->index_stamps);
	free(ctx->moddir);
	free(ctx->sig_trust_dir);
	strv_free(ctx->config_paths);
	free(ctx);
	return NULL;
}

LIBMOD_EXPORT void mod_ctx_set_log_fn(struct mod_ctx *ctx, mod_log_fn fn, void *data)
{
	if (!ctx)
		return;
	ctx->log_fn = fn;
	ctx->log_data = data;
}

LIBMOD_EXPORT void mod_ctx_set_log_priority(struct mod_ctx *ctx, int priority)
{
	if (ctx)
		ctx->log_priority = priority;
}

LIBMOD_EXPORT int mod_ctx_get_log_priority(const struct mod_ctx *ctx)
{
	return ctx ? ctx->log_priority : -EINVAL;
}

LIBMOD_EXPORT const char *mod_ctx_get_moddir(const struct mod_ctx *ctx)
{
	return ctx ? ctx->moddir : NULL;
}

LIBMOD_EXPORT const char *const *mod_ctx_get_config_paths(const struct mod_ctx *ctx)
{
	return ctx ? (const char *const *)ctx->config_paths : NULL;
}

LIBMOD_EXPORT void mod_ctx_set_userdata(struct mod_ctx *ctx, void *userdata)
{
	if (ctx)
		ctx->userdata = userdata;
}

LIBMOD_EXPORT void *mod_ctx_get_userdata(const struct mod_ctx *ctx)
{
	return ctx ? ctx->userdata : NULL;
}

void mod_ctx_set_sys_ops(struct mod_ctx *ctx, const struct mod_sys_ops *ops, void *data)
{
	ctx->sys = ops ? ops : &mod_sys_real_ops;
	ctx->sys_data = ops ? data : NULL;
	/* Another kernel: its compression support is read again. */
	ctx->kernel_compression_read = false;
}

static const char *const index_files[_MOD_INDEX_KIND_MAX] = {
	[MOD_INDEX_DEP] = "modules.dep.bin",
	[MOD_INDEX_ALIAS] = "modules.alias.bin",
	[MOD_INDEX_SYMBOL] = "modules.symbols.bin",
	[MOD_INDEX_BUILTIN_ALIAS] = "modules.builtin.alias.bin",
	[MOD_INDEX_BUILTIN] = "modules.builtin.bin",
};

LIBMOD_EXPORT int mod_ctx_get_index(struct mod_ctx *ctx, enum mod_index_kind kind,
				    struct mod_index **ret)
{
	_cleanup_free_ char *path = NULL;
	int r;

	if (!ctx || !ret || (unsigned int)kind >= _MOD_INDEX_KIND_MAX)
		return -EINVAL;
	if (ctx->indexes[kind]) {
		*ret = ctx->indexes[kind];
		return 0;
	}
	if (ctx->index_tried[kind])
		return -ENOENT;
	ctx->index_tried[kind] = true;
	if (asprintf(&path, "%s/%s", ctx->moddir, index_files[kind]) < 0)
		return -ENOMEM;
	/*
	 * Stamp before opening: if depmod replaces the file in between, the stamp is older than
	 * what was mapped and validation reports a change (a spurious reload), never the reverse.
	 * A missing index is stamped too: its appearance is a change.
	 */
	r = stamp_set_add(&ctx->index_stamps, path);
	if (r < 0)
		return r;
	r = mod_index_open(ctx, path, &ctx->indexes[kind]);
	if (r < 0) {
		if (r != -ENOENT)
			ERR(ctx, "could not open index %s: %s\n", path, strerror(-r));
		return r;
	}
	*ret = ctx->indexes[kind];
	return 0;
}

LIBMOD_EXPORT int mod_ctx_load_indexes(struct mod_ctx *ctx)
{
	struct mod_index *idx;

	if (!ctx)
		return -EINVAL;
	for (int i = 0; i < _MOD_INDEX_KIND_MAX; i++) {
		int r = mod_ctx_get_index(ctx, (enum mod_index_kind)i, &idx);

		/* The builtin indexes are missing on old kernels: that is not an error. */
		if (r < 0 && !(r == -ENOENT && (i == MOD_INDEX_BUILTIN || i == MOD_INDEX_BUILTIN_ALIAS)))
			return r;
	}
	return 0;
}

LIBMOD_EXPORT int mod_ctx_get_config(struct mod_ctx *ctx, struct mod_config **ret)
{
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	if (!ctx->config) {
		if (ctx->config_tried)
			return -ENOENT;
		ctx->config_tried = true;
		r = mod_config_new(ctx, 0, &ctx->config);
		if (r < 0)
			return r;
	}
	*ret = ctx->config;
	return 0;
}

LIBMOD_EXPORT void mod_ctx_set_config(struct mod_ctx *ctx, struct mod_config *cfg)
{
	if (!ctx)
		return;
	mod_config_unref(ctx->config);
	ctx->config = mod_config_ref(cfg);
	ctx->config_tried = true;
}
