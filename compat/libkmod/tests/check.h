/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks the compat tests share: count failures, report them, clean up the temp dir. */
#pragma once

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

/* Remove the test's temporary directory and turn the failure count into the exit status. */
static inline int finish(const char *tmpdir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		failures++;
	if (failures)
		fprintf(stderr, "%d checks failed\n", failures);
	else
		printf("all checks passed\n");
	return failures ? 1 : 0;
}
