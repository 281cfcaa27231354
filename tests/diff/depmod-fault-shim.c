/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fault injector for depmod tests, preloaded with LD_PRELOAD (never linked into anything that
 * ships): it turns the environment into the failures the tests need at exact points, where a
 * timed `kill` can only hit them by chance.
 *   FAULT_KILL_RENAME=N   SIGKILL the process just after its Nth rename()/renameat()/renameat2()
 *                         succeeded (a crash between two renames of the output set).
 *   FAULT_ENOSPC=1        a file whose name starts with ".modules." holds at most 4 KiB: a
 *                         write() past that is cut short, the next fails with ENOSPC (a full
 *                         disk while writing the set).
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static long renames;

static void after_rename(int r)
{
	const char *n = getenv("FAULT_KILL_RENAME");

	if (r == 0 && n && ++renames == atol(n))
		kill(getpid(), SIGKILL);
}

int rename(const char *a, const char *b)
{
	static int (*real)(const char *, const char *);
	int r;

	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	r = real(a, b);
	after_rename(r);
	return r;
}

int renameat(int da, const char *a, int db, const char *b)
{
	static int (*real)(int, const char *, int, const char *);
	int r;

	if (!real)
		real = (int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");
	r = real(da, a, db, b);
	after_rename(r);
	return r;
}

int renameat2(int da, const char *a, int db, const char *b, unsigned int flags)
{
	static int (*real)(int, const char *, int, const char *, unsigned int);
	int r;

	if (!real)
		real = (int (*)(int, const char *, int, const char *, unsigned int))dlsym(
			RTLD_NEXT, "renameat2");
	r = real(da, a, db, b, flags);
	after_rename(r);
	return r;
}

#define ROOM 4096

/* How many more bytes fd may take: SIZE_MAX unless it is a temporary of the output set. */
static size_t room(int fd)
{
	char link[64], target[PATH_MAX];
	const char *base;
	ssize_t n;
	off_t pos;

	if (!getenv("FAULT_ENOSPC"))
		return SIZE_MAX;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return SIZE_MAX;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strncmp(base, ".modules.", 9) != 0)
		return SIZE_MAX;
	pos = lseek(fd, 0, SEEK_CUR);
	return pos >= ROOM ? 0 : (size_t)(ROOM - pos);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	static ssize_t (*real)(int, const void *, size_t);
	size_t left = room(fd);

	if (!real)
		real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (len > 0 && left == 0) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, buf, len < left ? len : left);
}
