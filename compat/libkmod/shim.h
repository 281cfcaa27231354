/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the libkmod compatibility layer. The layer sits on libmod's public API only
 * (libmod.h); what libkmod keeps that libmod does not (its object cache, its linked lists,
 * strings returned by const pointer) lives here.
 */
#pragma once

#include <stdint.h>
#include <syslog.h>

#include "libkmod.h"
#include "libmod.h"
#include "macros.h"

#define KMOD_EXPORT __attribute__((visibility("default")))

/*
 * libkmod's list: circular and doubly linked, a list is its first node, the empty list is NULL.
 * Callers only walk it through kmod_list_next/prev/last, so the layout is ours.
 */
struct kmod_list {
	struct kmod_list *next, *prev;
	void *data;
};

/* Append data; returns the (possibly new) head, or NULL on allocation failure (list kept). */
struct kmod_list *list_append(struct kmod_list *list, void *data);
/* Unlink and free one node; returns the new head. */
struct kmod_list *list_remove(struct kmod_list *list, struct kmod_list *node);
/* Free every node, calling free_data (may be NULL) on each entry's data first. */
void list_free(struct kmod_list *list, void (*free_data)(void *data));
/* Append every entry of a libmod module list as a kmod_module (new references). */
int list_from_modules(struct kmod_ctx *ctx, const struct mod_module_list *in,
		      struct kmod_list **out);

#define POOL_BUCKETS 512

struct kmod_ctx {
	int refcount;
	/*
	 * The libmod context doing the work. kmod_unload_resources swaps in a fresh one (a
	 * libmod context cannot drop its indexes while modules point into them); modules made
	 * before keep the old one alive through their own reference.
	 */
	struct mod_ctx *mctx;
	void (*log_fn)(void *data, int priority, const char *file, int line, const char *fn,
		       const char *format, va_list args);
	const void *log_data;
	const void *userdata;
	bool resources_loaded;
	/*
	 * The configuration changed before kmod_unload_resources made a new libmod context: libkmod
	 * keeps its configuration across an unload, so it still answers MUST_RECREATE.
	 */
	bool config_stale;
	/*
	 * libkmod hands out one kmod_module per name (or name and alias) and context, so callers
	 * may compare pointers and a module's state is shared: the same cache here.
	 */
	struct kmod_module *pool[POOL_BUCKETS];
};

/* Create or retake the libmod context (kmod_new, kmod_unload_resources). */
int ctx_make_mctx(struct kmod_ctx *ctx, const char *moddir, const char *const *config_paths);
/* The configuration (NULL when it could not be read: logged by libmod). */
struct mod_config *ctx_config(const struct kmod_ctx *ctx);
/* Log through the caller's log function with libkmod's priority filter. */
void ctx_log(const struct kmod_ctx *ctx, int priority, const char *file, int line,
	     const char *fn, const char *format, ...) _printf_(6, 7);
#define KLOG(ctx, prio, ...) ctx_log(ctx, prio, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define KERR(ctx, ...) KLOG(ctx, LOG_ERR, __VA_ARGS__)
#define KINFO(ctx, ...) KLOG(ctx, LOG_INFO, __VA_ARGS__)
#define KDBG(ctx, ...) KLOG(ctx, LOG_DEBUG, __VA_ARGS__)

struct kmod_module {
	int refcount;
	struct kmod_ctx *ctx;
	struct mod_module *mod;
	char *key; /* pool key: "name", or "name\alias" for a module found through an alias */
	struct kmod_module *pool_next;
	/* libkmod's path rule (kmod_module_new_from_path): has a path been fixed for it yet? */
	bool path_known;
	/* Earlier libmod objects replaced by a path; kept so strings handed out stay valid. */
	struct mod_module **retired;
	size_t n_retired;
	/* kmod_module_get_options returns a string the module owns. */
	char *options;
	bool options_read;
};

/* The pooled module for a libmod module (takes no reference on mod; takes a new one). */
int module_wrap(struct kmod_ctx *ctx, struct mod_module *mod, struct kmod_module **ret);
/* The pooled module named name (normalized), created when absent. */
int module_from_name(struct kmod_ctx *ctx, const char *name, struct kmod_module **ret);
/* The mod_module behind a const kmod_module: libkmod's getters take const but cache. */
static inline struct mod_module *mmod(const struct kmod_module *m)
{
	return m ? m->mod : NULL;
}

/* Blacklisted by name in the context's configuration (libkmod's exact-name rule). */
bool module_is_blacklisted(const struct kmod_module *m);
