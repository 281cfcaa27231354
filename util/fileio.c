/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whole-buffer and buffered writes; see fileio.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* write() returning 0 for a non-empty buffer would loop forever: treat it as EIO. */
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void wbuf_init(struct wbuf *w, int fd)
{
	w->fd = fd;
	w->err = 0;
	w->used = 0;
}

static void wbuf_drain(struct wbuf *w)
{
	int r;

	if (w->used == 0 || w->err < 0)
		return;
	r = write_all(w->fd, w->buf, w->used);
	if (r < 0)
		w->err = r;
	w->used = 0;
}

void wbuf_put(struct wbuf *w, const void *mem, size_t len)
{
	const char *p = mem;

	if (w->err < 0)
		return;
	if (len <= WBUF_SIZE - w->used) {
		memcpy(w->buf + w->used, p, len);
		w->used += len;
		return;
	}
	wbuf_drain(w);
	if (w->err < 0)
		return;
	/* Large pieces go straight out instead of being copied through the buffer. */
	if (len >= WBUF_SIZE) {
		int r = write_all(w->fd, p, len);

		if (r < 0)
			w->err = r;
		return;
	}
	memcpy(w->buf, p, len);
	w->used = len;
}

void wbuf_puts(struct wbuf *w, const char *s)
{
	wbuf_put(w, s, strlen(s));
}

int wbuf_flush(struct wbuf *w)
{
	wbuf_drain(w);
	return w->err;
}

int read_file_all(const char *path, size_t max, char **ret, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t got = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size < 0 || (unsigned long long)st.st_size > max)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break; /* the file shrank: keep what was there */
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret = TAKE_PTR(buf);
	*len = got;
	return 0;
}
