/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Minimal JSON output helpers for the tools' --json modes (escaping is the only subtle part). */
#pragma once

#include <stdio.h>
#include <stddef.h>

/*
 * Write s (len bytes) as a quoted JSON string: well-formed UTF-8 is written as it is; '"', '\',
 * control characters and DEL are escaped; every byte that does not start a well-formed UTF-8
 * sequence (overlong forms, surrogates, truncated or stray bytes) becomes \ufffd.
 */
void json_write_string(FILE *f, const char *s, size_t len);
/* Same for a NUL-terminated string; NULL writes `null`. */
void json_write_cstr(FILE *f, const char *s);
