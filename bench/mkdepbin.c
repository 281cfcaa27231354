/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Write modules.dep.bin from a modules.dep text file, for synthetic trees whose modules do not
 * exist as files (depmod needs real modules; modprobe -D and -n only read the index). Keys are
 * module names, values the whole line, priorities the line number, as depmod writes them; the
 * layout is kmod 30's (root last), which both kmod and libmod read.
 * Usage: mkdepbin MODDIR   (reads MODDIR/modules.dep, writes MODDIR/modules.dep.bin)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmod.h"

static int write_index(int fd, void *data)
{
	return mod_index_builder_write(data, fd, MOD_INDEX_LAYOUT_POSTORDER);
}

int main(int argc, char **argv)
{
	struct mod_index_builder *b;
	char path[4096], name[4096], *line = NULL;
	size_t cap = 0;
	unsigned int n = 0;
	ssize_t len;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: %s MODDIR\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/modules.dep", argv[1]);
	f = fopen(path, "re");
	if (!f || mod_index_builder_new(&b) < 0) {
		perror(path);
		return 1;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (mod_name_from_path(strtok(strdup(line), ":"), name, sizeof(name)) < 0 ||
		    mod_index_builder_add(b, name, line, n++) < 0) {
			fprintf(stderr, "%s: bad line %u\n", path, n);
			return 1;
		}
	}
	fclose(f);
	free(line);
	if (mod_write_file_atomic(argv[1], "modules.dep.bin", write_index, b) < 0) {
		fprintf(stderr, "%s: cannot write modules.dep.bin\n", argv[1]);
		return 1;
	}
	mod_index_builder_free(b);
	return 0;
}
