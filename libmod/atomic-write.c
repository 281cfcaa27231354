/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Atomic file replacement: contents go to a temporary file in the target directory, which is
 * renamed over the final name only when every write succeeded. Readers (modprobe, udev) then see
 * either the old file or the complete new one, never a half-written index.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "libmod-private.h"

/* Fill the XXXXXX-like tail with letters from getrandom (or the clock as a fallback). */
void mod_random_suffix(char *s, size_t n)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[16];

	if (n > sizeof(rnd))
		n = sizeof(rnd);
	if (getrandom(rnd, n, GRND_NONBLOCK) != (ssize_t)n) {
		struct timespec ts;
		unsigned long long v;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (unsigned long long)ts.tv_nsec * 2654435761u ^ (unsigned long long)getpid();
		for (size_t i = 0; i < n; i++, v >>= 5)
			rnd[i] = (unsigned char)(v ^ (v >> 13));
	}
	for (size_t i = 0; i < n; i++)
		s[i] = chars[rnd[i] % (sizeof(chars) - 1)];
}

LIBMOD_EXPORT int mod_write_file_atomic(const char *dir, const char *name, mod_write_fn fn,
					void *data)
{
	_cleanup_close_ int dfd = -1;
	char tmp[256];
	int fd = -1, r, n;

	if (!dir || !name || !fn || !*name || strchr(name, '/'))
		return -EINVAL;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;

	for (int attempt = 0; attempt < 100; attempt++) {
		n = snprintf(tmp, sizeof(tmp), ".%s.XXXXXXXX", name);
		if (n < 0 || (size_t)n >= sizeof(tmp))
			return -ENAMETOOLONG;
		mod_random_suffix(tmp + n - 8, 8);
		/* 0644 like kmod's outputs (the umask still applies). */
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		return -errno;

	r = fn(fd, data);
	/* close() can report deferred write errors (NFS, quota). */
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	if (r >= 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dfd, tmp, 0);
		return r;
	}
	return 0;
}
