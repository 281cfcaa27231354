/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The real sys layer: the kernel's own entry points, plus the helpers the library uses to read
 * /proc and /sys through whichever ops the context holds. See sys.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "libmod-private.h"
#include "sys.h"

/*
 * glibc exports init_module and delete_module but declares them in no header. Calling the
 * exported symbols (rather than syscall()) lets an LD_PRELOAD test shim interpose on them the
 * way it interposes on open() or uname(); only finit_module has no wrapper and goes through
 * syscall().
 */
extern int init_module(void *module_image, unsigned long len, const char *param_values);
extern int delete_module(const char *name, unsigned int flags);

static int real_kernel_release(void *data, char *buf, size_t size)
{
	struct utsname u;
	size_t n;

	if (uname(&u) < 0)
		return -errno;
	n = strlen(u.release);
	if (n + 1 > size)
		return -ENAMETOOLONG;
	memcpy(buf, u.release, n + 1);
	return 0;
}

static int real_open(void *data, const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int real_finit_module(void *data, const char *name, int fd, const char *args, int flags)
{
#ifdef SYS_finit_module
	if (syscall(SYS_finit_module, fd, args, flags) < 0)
		return -errno;
	return 0;
#else
	return -ENOSYS;
#endif
}

static int real_init_module(void *data, const char *name, const void *mem, size_t len,
			    const char *args)
{
	/* The kernel does not write to the image; glibc's prototype just lacks the const. */
	if (init_module((void *)mem, (unsigned long)len, args) < 0)
		return -errno;
	return 0;
}

static int real_delete_module(void *data, const char *name, unsigned int flags)
{
	if (delete_module(name, flags) < 0)
		return -errno;
	return 0;
}

static int real_open_netlink(void *data, int protocol)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);

	return fd < 0 ? -errno : fd;
}

const struct mod_sys_ops mod_sys_real_ops = {
	.kernel_release = real_kernel_release,
	.open = real_open,
	.finit_module = real_finit_module,
	.init_module = real_init_module,
	.delete_module = real_delete_module,
	.open_netlink = real_open_netlink,
};

LIBMOD_EXPORT int mod_kernel_release(char *buf, size_t size)
{
	if (!buf || size == 0)
		return -EINVAL;
	return real_kernel_release(NULL, buf, size);
}

int mod_sys_open(const struct mod_ctx *ctx, const char *path, int flags)
{
	return ctx->sys->open(ctx->sys_data, path, flags);
}

int mod_sys_fopen(const struct mod_ctx *ctx, const char *path, FILE **ret)
{
	int fd = mod_sys_open(ctx, path, O_RDONLY);

	if (fd < 0)
		return fd;
	*ret = fdopen(fd, "re");
	if (!*ret) {
		int err = -errno;

		close(fd);
		return err;
	}
	return 0;
}

int mod_sys_opendir(const struct mod_ctx *ctx, const char *path, DIR **ret)
{
	int fd = mod_sys_open(ctx, path, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return fd;
	*ret = fdopendir(fd);
	if (!*ret) {
		int err = -errno;

		close(fd);
		return err;
	}
	return 0;
}

int mod_sys_open_netlink(const struct mod_ctx *ctx, int protocol)
{
	if (!ctx->sys->open_netlink)
		return -ENOSYS;
	return ctx->sys->open_netlink(ctx->sys_data, protocol);
}

int mod_sys_read_file(const struct mod_ctx *ctx, const char *path, char *buf, size_t size,
		      size_t *len)
{
	_cleanup_close_ int fd = -1;
	size_t used = 0;

	if (size == 0)
		return -EINVAL;
	fd = mod_sys_open(ctx, path, O_RDONLY);
	if (fd < 0)
		return fd;
	while (used < size - 1) {
		ssize_t n = read(fd, buf + used, size - 1 - used);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	return 0;
}

int mod_sys_read_long(const struct mod_ctx *ctx, const char *path, long *ret)
{
	char buf[64], *end;
	long v;
	int r;

	r = mod_sys_read_file(ctx, path, buf, sizeof(buf), NULL);
	if (r < 0)
		return r;
	errno = 0;
	v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\0' && *end != '\n'))
		return -EINVAL;
	*ret = v;
	return 0;
}
