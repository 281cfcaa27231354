/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared between modinfo's text and JSON output. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "libmod.h"
#include "params.h"

/* Hex bytes as kmod prints them: "AB:CD:..." with "\n\t\t" after every 20 bytes. */
void print_hex(FILE *f, const uint8_t *bytes, size_t len, bool wrap);

/* --verify[=DIR]: check signatures against the certificates in dir (NULL: the default). */
struct verify_request {
	bool enabled;
	const char *dir;
};

/* One module as a JSON object (modinfo-json.c). Returns 0 or -errno. */
int modinfo_json_module(FILE *f, struct mod_module *mod, bool first,
			const struct verify_request *verify);
