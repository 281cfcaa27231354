/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the tools (never by the library): logging with kmod's
 * `<prog>: FATAL:/ERROR:/WARNING:` prefixes to stderr or syslog, hooking the library's log into
 * the same sink, MODPROBE_OPTIONS splitting and module parameter joining.
 */
#pragma once

#include <stdbool.h>
#include <syslog.h>

#include "libmod.h"

/* Open the log: to syslog (facility LOG_DAEMON) when use_syslog, else stderr. */
void tool_log_open(bool use_syslog);
void tool_log_close(void);
/* Messages above this syslog priority are dropped (LOG_ERR for insmod, LOG_WARNING modprobe). */
void tool_log_set_priority(int priority);
int tool_log_get_priority(void);
/*
 * The priority LOG_CRIT messages (the tool's and the library's) are given instead, LOG_CRIT by
 * default: modprobe -a makes them LOG_WARNING, as kmod does, so that one module's
 * refusal is reported and the others are still handled.
 */
void tool_log_set_fatal_priority(int priority);
/*
 * Print one message. A LOG_CRIT ("FATAL") message that passes the filter exits with status 1,
 * as kmod's tools do.
 */
void tool_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Route the library's messages through tool_log's sink, at the tool's priority. */
void tool_log_attach(struct mod_ctx *ctx);

#define TLOG_FATAL(...) tool_log(LOG_CRIT, __VA_ARGS__)
#define TLOG_ERROR(...) tool_log(LOG_ERR, __VA_ARGS__)
#define TLOG_WARN(...) tool_log(LOG_WARNING, __VA_ARGS__)
#define TLOG_NOTICE(...) tool_log(LOG_NOTICE, __VA_ARGS__)
#define TLOG_INFO(...) tool_log(LOG_INFO, __VA_ARGS__)
#define TLOG_DEBUG(...) tool_log(LOG_DEBUG, __VA_ARGS__)

/*
 * Join module parameters with single spaces; a `key=value` whose value holds a space and is not
 * already quoted becomes `key="value"`. Returns a malloc'ed string ("" for none) or NULL.
 */
char *tool_join_params(char *const *args, int n);

/*
 * Split $MODPROBE_OPTIONS on spaces (quoted groups stay together, quotes removed) and put the
 * words between argv[0] and the rest. Returns a new malloc'ed argv (NULL-terminated, *argc
 * updated) or NULL on ENOMEM; the original argv when the variable is unset or empty.
 */
char **tool_prepend_env_options(const char *var, int *argc, char **argv);
/* Free what tool_prepend_env_options returned (argc as it set it; orig: the original argv). */
void tool_free_env_options(char **argv, int argc, char **orig);

/* Dying allocator (tools only). */
void *tool_xmalloc(size_t size);

/* tool_common_option: the option was -s or -v; go on parsing. */
#define TOOL_OPTION_CONTINUE (-1)
/*
 * The options insmod, rmmod and lsmod share, for the default: branch of their getopt loop:
 * -s (syslog), -v (one level more verbose), -V, -h, and getopt's own errors. Returns
 * TOOL_OPTION_CONTINUE, or the exit status to return now (after -V, -h or a bad option).
 */
int tool_common_option(int c, bool *use_syslog, int *verbose, void (*help)(void));

/*
 * The tools are functions, not mains, so the standalone binaries (tools/common/main.c) and the
 * multi-call `kmod` (tools/kmod/) run the same code. Each returns the exit status.
 */
int tool_depmod_main(int argc, char *argv[]);
int tool_insmod_main(int argc, char *argv[]);
int tool_lsmod_main(int argc, char *argv[]);
int tool_modinfo_main(int argc, char *argv[]);
int tool_modprobe_main(int argc, char *argv[]);
int tool_rmmod_main(int argc, char *argv[]);
/* kmod static-nodes (tools/kmod/static-nodes.c), only in the kmod binary. */
int tool_static_nodes_main(int argc, char *argv[]);

/*
 * -V of every tool: "kmod version 30 (libmod X.Y.Z)" and kmod's feature line. Scripts
 * read the third field as kmod's release number (dracut compares it with 3.7, the kernel's
 * kmod selftest with 19), so it stays the kmod release whose interface libmod implements.
 */
void tool_print_version(void);
