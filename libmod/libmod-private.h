/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals shared by the library's source files: the context structure, logging macros and the
 * sys layer hook. Never installed; unit tests include it to reach internals.
 */
#pragma once

#include <syslog.h>

#include "libmod.h"
#include "macros.h"
#include "stamp.h"
#include "sys.h"

struct mod_ctx {
	int refcount;
	int log_priority;
	mod_log_fn log_fn;
	void *log_data;
	void *userdata;
	char *moddir;
	char **config_paths; /* NULL = the default directories */
	const struct mod_sys_ops *sys;
	void *sys_data;
	/* Indexes mapped on first use; index_tried records a failed open so it is not retried. */
	struct mod_index *indexes[_MOD_INDEX_KIND_MAX];
	bool index_tried[_MOD_INDEX_KIND_MAX];
	/* Every index file the context tried to open, as it was then (mod_ctx_validate). */
	struct stamp_set index_stamps;
	/* modules.builtin.modinfo, read on first use (builtin.c). */
	struct builtin_modinfo *builtin_modinfo;
	/* The modprobe configuration, read on first use unless set with mod_ctx_set_config. */
	struct mod_config *config;
	bool config_tried;
	/*
	 * /sys/module/compression, read on first use (state.c): loads ask for it every time, the
	 * kernel's answer does not change. Forgotten when the sys ops are swapped.
	 */
	enum mod_compression kernel_compression;
	bool kernel_compression_read;
	/* The signature policy for loads (trust-policy.c); trust_dir NULL: config or default. */
	enum mod_signature_policy sig_policy;
	char *sig_trust_dir;
};

/*
 * builtin.c: modules.builtin.modinfo, NUL-separated `modname.key=value` strings, read once per
 * context. A module's strings are contiguous (the kernel writes them grouped).
 */
struct builtin_modinfo {
	char *data; /* file contents plus a terminating NUL */
	size_t len;
};
void builtin_modinfo_free(struct builtin_modinfo *bm);
/* The context's copy; -ENOENT when the kernel did not install the file. */
int builtin_modinfo_get(struct mod_ctx *ctx, const struct builtin_modinfo **ret);
/* The byte range [*start, *end) holding the strings of module `name`; -ENOENT if none. */
int builtin_modinfo_find(const struct builtin_modinfo *bm, const char *name, size_t *start,
			 size_t *end);

void mod_log(const struct mod_ctx *ctx, int priority, const char *file, int line,
	     const char *fn, const char *format, ...) _printf_(6, 7);

#define mod_log_cond(ctx, prio, ...)                                                               \
	do {                                                                                       \
		const struct mod_ctx *_c = (ctx);                                                  \
		if (_c && mod_ctx_get_log_priority(_c) >= (prio))                                  \
			mod_log(_c, prio, __FILE__, __LINE__, __func__, __VA_ARGS__);              \
	} while (0)

#define DBG(ctx, ...) mod_log_cond(ctx, LOG_DEBUG, __VA_ARGS__)
#define INFO(ctx, ...) mod_log_cond(ctx, LOG_INFO, __VA_ARGS__)
#define NOTICE(ctx, ...) mod_log_cond(ctx, LOG_NOTICE, __VA_ARGS__)
#define WARN(ctx, ...) mod_log_cond(ctx, LOG_WARNING, __VA_ARGS__)
#define ERR(ctx, ...) mod_log_cond(ctx, LOG_ERR, __VA_ARGS__)

/* atomic-write.c: n (at most 16) random letters and digits for a temporary file name. */
void mod_random_suffix(char *s, size_t n);

/* Swap the kernel entry points (unit tests on the static build). NULL restores the real ones. */
void mod_ctx_set_sys_ops(struct mod_ctx *ctx, const struct mod_sys_ops *ops, void *data);

/*
 * trust-policy.c: the signature policy for loads. Must this module pass the check before it is
 * loaded? probed: for a probe, which also follows the configuration's require_signature lines.
 */
bool trust_policy_applies(struct mod_module *mod, bool probed) _nonnull_(1);
/*
 * Check one module against the policy's trust directory, logging one line naming the module and
 * why when it is not accepted: 0 accepted; -ENOKEY refused; another -errno when it could not be
 * checked (no trust directory, no libcrypto, unreadable file), which callers treat as a refusal
 * too (the policy fails closed) but need not repeat for every module.
 */
int trust_policy_check(struct mod_module *mod) _nonnull_(1) _must_check_;
/* load.c: mod_module_insert without the policy check (a probe checked its whole plan first). */
int module_insert(struct mod_module *mod, unsigned int flags, const char *options)
	_nonnull_(1) _must_check_;
