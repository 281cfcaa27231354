/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One mapping from error codes to the words the tools print, so insmod, modprobe and rmmod fail
 * with the same message for the same cause (the reference's wording).
 */
#include <errno.h>
#include <string.h>

#include "libmod-private.h"

LIBMOD_EXPORT const char *mod_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case ENOEXEC:
		return "Invalid module format";
	case ENOENT:
		return "Unknown symbol in module, or unknown parameter (see dmesg)";
	case ESRCH:
		return "Module has wrong symbol version";
	case EINVAL:
		return "Invalid parameters";
	case EEXIST:
		return "Module already in kernel";
	default:
		return strerror(err);
	}
}
