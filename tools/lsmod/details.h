/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lsmod's per-module details (details.c). */
#pragma once

#include "libmod.h"

/* The block lsmod --verbose prints for one module, after the table. */
void lsmod_print_details(struct mod_module *mod);
/* The extra members of the module's --json object, each preceded by ", ". */
void lsmod_print_details_json(struct mod_module *mod);
