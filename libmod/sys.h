/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sys layer: every kernel entry point the library uses goes through this ops table, held by
 * the context, so that tests swap it instead of faking raw syscalls. Two implementations: the real
 * kernel (sys.c) and a fake root for tool tests (sys-fake.c), picked by mod_sys_default_ops().
 */
#pragma once

#include <stddef.h>
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
	 * Optional: the directory standing in for / in front of MODULE_DIRECTORY when a context is
	 * made without a module directory, so a fake kernel's tools find its own module tree.
	 * NULL (or a NULL answer) means the real root.
	 */
	const char *(*root_prefix)(void *data);
};

/* The real kernel. */
extern const struct mod_sys_ops mod_sys_real_ops;
/* A fake root directory standing in for /proc and /sys (data = the root path). */
extern const struct mod_sys_ops mod_sys_fake_ops;

/*
 * The ops a new context starts with: the fake root when the environment variable
 * LIBMOD_TEST_SYSROOT names one (read with secure_getenv, so set-uid programs never honour it),
 * otherwise the real kernel. *data receives the ops' private data (not owned by the context).
 */
const struct mod_sys_ops *mod_sys_default_ops(void **data);

/*
 * Helpers over ctx->sys for the rest of the library. mod_sys_read_file reads at most size-1
 * bytes and NUL-terminates; *len (may be NULL) gets the byte count.
 */
int mod_sys_open(const struct mod_ctx *ctx, const char *path, int flags);
int mod_sys_read_file(const struct mod_ctx *ctx, const char *path, char *buf, size_t size,
		      size_t *len);
/* A file holding one decimal number (refcnt, coresize). -EINVAL if it holds anything else. */
int mod_sys_read_long(const struct mod_ctx *ctx, const char *path, long *ret);
