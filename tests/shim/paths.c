/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Path redirection: the files through which the tools see the kernel (/proc/modules,
 * /sys/module, ...) and their default module tree and configuration are looked up under
 * LIBMOD_SHIM_ROOT instead. Only these prefixes move: everything else (the shell, /bin/false
 * in an install command, the fake root itself, /proc/self for ASan) stays where it is.
 *
 * The interposed functions are the ones the tools and libmod.so import (nm -D --undefined-only:
 * open64, openat64, fopen64, stat64, fstatat64, access, faccessat, opendir). glibc 2.33 and later
 * export stat/fstatat themselves, so the old __xstat family is not needed; the non-64 names
 * are the same functions on 64-bit and are covered for programs built without
 * _FILE_OFFSET_BITS=64, such as the shell running an install command.
 */
#undef _FILE_OFFSET_BITS /* the shim defines both the plain and the 64 names itself */

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "shim.h"

/*
 * What moves into the fake root. The kernel's files, the module directory a tool picks when it
 * is given none, and every modprobe.d directory libmod reads by default (libmod/config.c),
 * so that a test never reads the machine's own configuration.
 */
static const char *const redirected[] = {
	"/proc/modules",
	"/proc/cmdline",
	"/proc/sys/kernel/osrelease",
	"/sys/module",
	/* The load policy (libmod/policy.c); /sys/module/module/parameters is under /sys/module. */
	"/proc/sys/kernel/modules_disabled",
	"/sys/kernel/security/lockdown",
	/* What autoclean reads (libmod/autoclean-facts.c, boot-list.c); /proc/self stays. */
	"/proc/mounts",
	"/proc/filesystems",
	"/etc/modules-load.d",
	"/run/modules-load.d",
	"/usr/local/lib/modules-load.d",
	"/usr/lib/modules-load.d",
	"/lib/modules-load.d",
	"/etc/modules",
	"/etc/initramfs-tools/modules",
	MODULE_DIRECTORY,
	SYSCONFDIR "/modprobe.d",
	"/run/modprobe.d",
	"/usr/local/lib/modprobe.d",
	DISTCONFDIR "/modprobe.d",
	"/lib/modprobe.d",
};

void *shim_next_symbol(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		/* Nothing sensible to return to the caller: the process cannot go on. */
		fprintf(stderr, "libmod test shim: no next definition of %s\n", name);
		abort();
	}
	return f;
}

const char *shim_root(void)
{
	const char *root = getenv("LIBMOD_SHIM_ROOT");

	return root && root[0] == '/' ? root : NULL;
}

int shim_root_path(char *buf, size_t size, const char *fmt, ...)
{
	const char *root = shim_root();
	size_t n;
	va_list ap;
	int r;

	if (!root)
		return -ENOENT;
	n = strlen(root);
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, root, n);
	va_start(ap, fmt);
	r = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= size - n)
		return -ENAMETOOLONG;
	return 0;
}

/* Whether path is prefix or below it ("/sys/module" matches "/sys/module/x", not "/sys/modulex"). */
static int is_below(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const char *shim_path(const char *path, char *buf, size_t size)
{
	int r;

	if (!path || path[0] != '/' || !shim_root())
		return path;
	for (size_t i = 0; i < sizeof(redirected) / sizeof(redirected[0]); i++) {
		if (!is_below(path, redirected[i]))
			continue;
		r = shim_root_path(buf, size, "%s", path);
		if (r < 0) {
			errno = -r;
			return NULL;
		}
		return buf;
	}
	return path;
}

/*
 * One interposed function: map its path argument, then call the next definition. A path too
 * long for the fake root fails the call, like the kernel would.
 */
#define REDIRECT(fail, fn, path, ...)                                  \
	do {                                                           \
		char buf_[PATH_MAX];                                   \
		const char *p_ = shim_path(path, buf_, sizeof(buf_)); \
		if (!p_)                                               \
			return fail;                                   \
		return REAL(fn)(__VA_ARGS__);                          \
	} while (0)

/* open's mode argument is only there (and only readable) with O_CREAT or O_TMPFILE. */
static mode_t open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

/* In every open variant the flags are the last named argument. */
#define OPEN_MODE(flags)                           \
	({                                         \
		va_list ap_;                       \
		va_start(ap_, flags);              \
		mode_t m_ = open_mode(flags, ap_); \
		va_end(ap_);                       \
		m_;                                \
	})

SHIM_EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode = OPEN_MODE(flags);

	REDIRECT(-1, open, path, p_, flags, mode);
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode = OPEN_MODE(flags);

	REDIRECT(-1, open64, path, p_, flags, mode);
}

SHIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = OPEN_MODE(flags);

	REDIRECT(-1, openat, path, dirfd, p_, flags, mode);
}

SHIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = OPEN_MODE(flags);

	REDIRECT(-1, openat64, path, dirfd, p_, flags, mode);
}

SHIM_EXPORT FILE *fopen(const char *path, const char *mode)
{
	REDIRECT(NULL, fopen, path, p_, mode);
}

SHIM_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	REDIRECT(NULL, fopen64, path, p_, mode);
}

SHIM_EXPORT int stat(const char *path, struct stat *st)
{
	REDIRECT(-1, stat, path, p_, st);
}

SHIM_EXPORT int stat64(const char *path, struct stat64 *st)
{
	REDIRECT(-1, stat64, path, p_, st);
}

SHIM_EXPORT int lstat(const char *path, struct stat *st)
{
	REDIRECT(-1, lstat, path, p_, st);
}

SHIM_EXPORT int lstat64(const char *path, struct stat64 *st)
{
	REDIRECT(-1, lstat64, path, p_, st);
}

SHIM_EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	REDIRECT(-1, fstatat, path, dirfd, p_, st, flags);
}

SHIM_EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	REDIRECT(-1, fstatat64, path, dirfd, p_, st, flags);
}

SHIM_EXPORT int access(const char *path, int mode)
{
	REDIRECT(-1, access, path, p_, mode);
}

SHIM_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	REDIRECT(-1, faccessat, path, dirfd, p_, mode, flags);
}

SHIM_EXPORT DIR *opendir(const char *path)
{
	REDIRECT(NULL, opendir, path, p_);
}
