/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* modprobe --autoclean (autoclean.c). */
#pragma once

#include <stdbool.h>

#include "libmod.h"

/* Judge every loaded module, print the verdicts, remove the unused ones unless dry_run. */
int modprobe_autoclean(struct mod_ctx *ctx, bool dry_run);
