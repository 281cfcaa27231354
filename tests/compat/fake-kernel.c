/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fake-kernel.so: an LD_PRELOAD interposer that stands in for the kernel's module syscalls, so
 * real libkmod clients (systemd-modules-load, udevadm, dracut-install) can "load" modules on a
 * host without module support. It records each call and keeps /sys/module/<name>/initstate in
 * step, the way the kernel would, so a second load of the same module sees it live.
 *
 * libkmod reaches the kernel three ways, all caught here: glibc's init_module and
 * delete_module symbols (kmod 30 and libmod call these), and syscall(SYS_finit_module, ...)
 * (glibc has no finit_module wrapper). finit_module itself is interposed too, for a future
 * glibc that adds one.
 *
 * Environment:
 *   FAKE_KERNEL_LOG    append one line per call here (default: nothing is logged)
 *   FAKE_KERNEL_SYSFS  the /sys/module directory to keep up to date (default: none). Under the
 *                      harness this is the real path /sys/module with a tmpfs mounted on it.
 *
 * Paths appear in the log as the client passed them: both sides of a comparison run in the same
 * private mount namespace layout, so the same load gives the same line.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Exported to override glibc's definitions; nothing else includes these prototypes. */
long syscall(long number, ...);
int init_module(void *image, unsigned long len, const char *args);
int finit_module(int fd, const char *args, int flags);
int delete_module(const char *name, unsigned int flags);
int fake_kernel_is_loaded(void);

/* kmod-query looks this up before it inserts anything: never against a real kernel. */
int fake_kernel_is_loaded(void)
{
	return 1;
}

static void log_line(const char *fmt, ...)
{
	const char *path = getenv("FAKE_KERNEL_LOG");
	char buf[8192];
	va_list ap;
	int fd, n;

	if (!path)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write per line with O_APPEND: lines from concurrent processes do not interleave. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, buf, (size_t)n) < 0) {
		/* Nothing sensible to do: the comparison will show the missing line. */
	}
	close(fd);
}

/* The kernel's name for a module file: basename up to ".ko", dashes as underscores. */
static void name_from_path(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');
	char *p;

	snprintf(name, size, "%s", base ? base + 1 : path);
	p = strstr(name, ".ko");
	if (p)
		*p = '\0';
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
}

/*
 * The name the kernel would take from the image. Reading .gnu.linkonce.this_module needs an ELF
 * parser; every module's .modinfo carries "name=<name>" too (modpost writes it), which is enough
 * for a test double.
 */
static void name_from_image(const void *image, unsigned long len, char *name, size_t size)
{
	static const char key[] = "\0name=";
	const char *p = memmem(image, len, key, sizeof(key) - 1);

	if (!p) {
		snprintf(name, size, "(unknown)");
		return;
	}
	p += sizeof(key) - 1;
	snprintf(name, size, "%.*s", (int)strnlen(p, len - (size_t)(p - (const char *)image)), p);
}

/* Mark a module live in the fake sysfs; -EEXIST if it already is, as the kernel answers. */
static int sysfs_insert(const char *name)
{
	const char *sysfs = getenv("FAKE_KERNEL_SYSFS");
	char path[PATH_MAX];
	int fd;

	if (!sysfs)
		return 0;
	snprintf(path, sizeof(path), "%s/%s/initstate", sysfs, name);
	if (access(path, F_OK) == 0)
		return -EEXIST;
	snprintf(path, sizeof(path), "%s/%s", sysfs, name);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s/initstate", sysfs, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, "live\n", 5) != 5) {
		close(fd);
		return -EIO;
	}
	close(fd);
	snprintf(path, sizeof(path), "%s/%s/refcnt", sysfs, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, "0\n", 2) != 2) {
			/* refcnt is informational only */
		}
		close(fd);
	}
	return 0;
}

static int sysfs_remove(const char *name)
{
	const char *sysfs = getenv("FAKE_KERNEL_SYSFS");
	char path[PATH_MAX];

	if (!sysfs)
		return 0;
	snprintf(path, sizeof(path), "%s/%s/initstate", sysfs, name);
	if (unlink(path) < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s/refcnt", sysfs, name);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s", sysfs, name);
	rmdir(path);
	return 0;
}

static int ret_errno(int r)
{
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return 0;
}

static int fake_finit(int fd, const char *args, int flags)
{
	char link[64], path[PATH_MAX], name[PATH_MAX];
	ssize_t n;
	int r;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return ret_errno(-EBADF);
	path[n] = '\0';
	name_from_path(path, name, sizeof(name));
	r = sysfs_insert(name);
	log_line("finit_module %s args=[%s] flags=%#x -> %d", path, args ? args : "(null)", flags,
		 r);
	return ret_errno(r);
}

static int fake_init(const void *image, unsigned long len, const char *args)
{
	char name[256];
	int r;

	name_from_image(image, len, name, sizeof(name));
	r = sysfs_insert(name);
	log_line("init_module %s len=%lu args=[%s] -> %d", name, len, args ? args : "(null)", r);
	return ret_errno(r);
}

static int fake_delete(const char *name, unsigned int flags)
{
	int r = sysfs_remove(name);

	log_line("delete_module %s flags=%#x -> %d", name, flags, r);
	return ret_errno(r);
}

int init_module(void *image, unsigned long len, const char *args)
{
	return fake_init(image, len, args);
}

int finit_module(int fd, const char *args, int flags)
{
	return fake_finit(fd, args, flags);
}

int delete_module(const char *name, unsigned int flags)
{
	return fake_delete(name, flags);
}

/* x86-64 passes syscall arguments in registers: reading six longs is safe whatever was passed. */
long syscall(long number, ...)
{
	static long (*real_syscall)(long, ...);
	long a[6];
	va_list ap;

	va_start(ap, number);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);

	switch (number) {
	case SYS_finit_module:
		return fake_finit((int)a[0], (const char *)a[1], (int)a[2]);
	case SYS_init_module:
		return fake_init((const void *)a[0], (unsigned long)a[1], (const char *)a[2]);
	case SYS_delete_module:
		return fake_delete((const char *)a[0], (unsigned int)a[1]);
	}
	if (!real_syscall)
		real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real_syscall(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
