/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sys layer: every kernel entry point the library uses goes through this ops table, held by
 * the context, so that tests swap it instead of faking raw syscalls. Owned by the loading work;
 * extend it there (finit_module, init_module, delete_module, /proc/modules, /sys/module,
 * /proc/cmdline, uname).
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct mod_sys_ops {
	/* The running kernel's release (uname -r) into buf; 0 or -errno. */
	int (*kernel_release)(void *data, char *buf, size_t size);
};

/* The real kernel. */
extern const struct mod_sys_ops mod_sys_real_ops;
