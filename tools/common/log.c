/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The tools' log sink: stderr with `<prog>: LEVEL: ` prefixes, or syslog. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static bool log_syslog;
static int log_priority = LOG_ERR;
/* The library's messages: the tool's priority, or more with LIBMOD_LOG (tool_log_attach). */
static int lib_priority = LOG_ERR;
static int fatal_priority = LOG_CRIT;

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_CRIT:
		return "FATAL";
	case LOG_ERR:
		return "ERROR";
	case LOG_WARNING:
		return "WARNING";
	case LOG_NOTICE:
		return "NOTICE";
	case LOG_INFO:
		return "INFO";
	case LOG_DEBUG:
		return "DEBUG";
	default:
		return "LOG";
	}
}

void tool_log_open(bool use_syslog)
{
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(program_invocation_short_name, LOG_CONS, LOG_DAEMON);
}

void tool_log_close(void)
{
	if (log_syslog)
		closelog();
}

void tool_log_set_priority(int priority)
{
	log_priority = priority;
}

int tool_log_get_priority(void)
{
	return log_priority;
}

void tool_log_set_fatal_priority(int priority)
{
	fatal_priority = priority;
}

static void log_emit(int prio, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	if (log_syslog)
		syslog(prio, "%s: %s", prio_name(prio), msg);
	else
		fprintf(stderr, "%s: %s: %s", program_invocation_short_name, prio_name(prio), msg);
	free(msg);
}

void tool_log(int priority, const char *fmt, ...)
{
	va_list ap;

	if (priority == LOG_CRIT)
		priority = fatal_priority;
	if (priority > log_priority)
		return;
	va_start(ap, fmt);
	log_emit(priority, fmt, ap);
	va_end(ap);
	if (priority <= LOG_CRIT)
		exit(EXIT_FAILURE);
}

static void lib_log(void *data, int priority, const char *file, int line, const char *fn,
		    const char *format, va_list args)
{
	if (priority == LOG_CRIT)
		priority = fatal_priority;
	/* The library's own filter already applied; keep the sink and prefixes the same. */
	if (priority > lib_priority)
		return;
	log_emit(priority, format, args);
	/* As for the tool's own messages: FATAL ends the program (kmod's rule). */
	if (priority <= LOG_CRIT)
		exit(EXIT_FAILURE);
}

void tool_log_attach(struct mod_ctx *ctx)
{
	const char *env = secure_getenv("LIBMOD_LOG");

	/*
	 * mod_ctx_new has read LIBMOD_LOG into the context, as the library documents; setting the
	 * tool's priority over it made every tool ignore the variable. It can ask for more of the
	 * library's messages (info, debug) than -v gives; it never hides what the tool would say.
	 */
	lib_priority = log_priority;
	if (env && *env && mod_ctx_get_log_priority(ctx) > lib_priority)
		lib_priority = mod_ctx_get_log_priority(ctx);
	mod_ctx_set_log_fn(ctx, lib_log, NULL);
	mod_ctx_set_log_priority(ctx, lib_priority);
}
