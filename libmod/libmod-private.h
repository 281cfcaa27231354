/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals shared by the library's source files: the context structure, logging macros and the
 * sys layer hook. Never installed; unit tests include it to reach internals.
 */
#pragma once

#include <syslog.h>

#include "libmod.h"
#include "macros.h"
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
};

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

/* Swap the kernel entry points (unit tests, fake roots). NULL ops restores the real ones. */
void mod_ctx_set_sys_ops(struct mod_ctx *ctx, const struct mod_sys_ops *ops, void *data);
