/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target: any bytes as modules.devname; every entry's strings must lie inside the input. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "libmod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inside(const uint8_t *data, size_t size, const char *p, size_t len)
{
	if ((const uint8_t *)p < data || len > size || (const uint8_t *)p + len > data + size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mod_devname_entry e;
	size_t cursor = 0, last = 0;
	int r;

	/* A copy of exactly size bytes, so ASan sees any read past the end. */
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	for (size_t i = 0; i < size; i++)
		buf[i] = data[i];
	while ((r = mod_devname_next(buf, size, &cursor, &e)) != 1) {
		if (r != 0 && r != -EBADMSG)
			abort();
		/* Every call consumes at least one line. */
		if (cursor <= last && size > 0)
			abort();
		last = cursor;
		check_inside(buf, size, e.line, e.line_len);
		if (r == 0) {
			check_inside(buf, size, e.module, e.module_len);
			check_inside(buf, size, e.node, e.node_len);
			if (e.type != 'c' && e.type != 'b')
				abort();
		}
	}
	free(buf);
	return 0;
}
