/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One mapping from error codes to the words the tools print, so the tools fail with the same
 * message for the same cause (kmod's wording). insmod and modprobe word a few errors
 * differently in kmod, hence two entry points.
 */
#include <errno.h>
#include <string.h>

#include "libmod-private.h"

/* Both wordings: kmod's "Function not implemented" leaves the user guessing. */
static const char no_module_support[] =
	"this kernel has no module support (/proc/modules does not exist)";

/* insmod's wording. */
LIBMOD_EXPORT const char *mod_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case ENOEXEC:
		return "Invalid module format";
	case ENOENT:
		return "Unknown symbol in module";
	case ESRCH:
		return "Module has wrong symbol version";
	case EINVAL:
		return "Invalid parameters";
	case ENOSYS:
		return no_module_support;
	default:
		return strerror(err);
	}
}

/* modprobe's wording: only these differ from strerror. */
LIBMOD_EXPORT const char *mod_strerror_probe(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case EEXIST:
		return "Module already in kernel";
	case ENOENT:
		return "Unknown symbol in module, or unknown parameter (see dmesg)";
	case ENOSYS:
		return no_module_support;
	default:
		return strerror(err);
	}
}
