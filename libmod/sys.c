/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The real sys layer: the kernel's own entry points. See sys.h. */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include "sys.h"

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

const struct mod_sys_ops mod_sys_real_ops = {
	.kernel_release = real_kernel_release,
};
