/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sys layer: every kernel entry point the library uses goes through this ops table, held by
 * the context. The library has one implementation, the real kernel (sys.c), and nothing in it
 * selects another: a unit test linking the static build may swap the table
 * (mod_ctx_set_sys_ops), and the tool tests fake the kernel below libc instead (tests/shim).
 */
#pragma once

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct mod_ctx;

struct mod_sys_ops {
	/* The running kernel's release (uname -r) into buf; 0 or -errno. */
	int (*kernel_release)(void *data, char *buf, size_t size);
	/*
	 * Open a kernel file by its absolute kernel path ("/proc/modules", "/sys/module/x/refcnt",
	 * "/proc/cmdline"); O_CLOEXEC is added. Returns the fd or -errno.
	 */
	int (*open)(void *data, const char *path, int flags);
	/*
	 * Load a module from an open file / from memory. name is the module name, for fakes only
	 * (the kernel reads it from the image). 0 or -errno.
	 */
	int (*finit_module)(void *data, const char *name, int fd, const char *args, int flags);
	int (*init_module)(void *data, const char *name, const void *mem, size_t len,
			   const char *args);
	/* delete_module(2): flags are O_NONBLOCK / O_TRUNC. 0 or -errno. */
	int (*delete_module)(void *data, const char *name, unsigned int flags);
	/*
	 * A netlink socket of this protocol (NETLINK_ROUTE for the network interfaces autoclean
	 * must not take away), O_CLOEXEC. Returns the fd or -errno; may be NULL (-ENOSYS).
	 */
	int (*open_netlink)(void *data, int protocol);
};

/* The real kernel: what every context starts with (its data is NULL). */
extern const struct mod_sys_ops mod_sys_real_ops;

/*
 * Helpers over ctx->sys for the rest of the library. mod_sys_read_file reads at most size-1
 * bytes and NUL-terminates; *len (may be NULL) gets the byte count.
 */
int mod_sys_open(const struct mod_ctx *ctx, const char *path, int flags);
int mod_sys_read_file(const struct mod_ctx *ctx, const char *path, char *buf, size_t size,
		      size_t *len);
int mod_sys_open_netlink(const struct mod_ctx *ctx, int protocol);
/*
 * A kernel file as a stdio stream, a kernel directory as a DIR, both through the ops' open.
 * 0 or -errno (the open's own, e.g. -ENOENT, so callers can tell "absent" from a failure).
 */
int mod_sys_fopen(const struct mod_ctx *ctx, const char *path, FILE **ret);
int mod_sys_opendir(const struct mod_ctx *ctx, const char *path, DIR **ret);
/* A file holding one decimal number (refcnt, coresize). -EINVAL if it holds anything else. */
int mod_sys_read_long(const struct mod_ctx *ctx, const char *path, long *ret);
