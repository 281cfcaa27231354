/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lexical layer shared by modprobe.d and depmod.d: which files are read and in what order,
 * how physical lines become logical lines, and how a line splits into words. Internal; the
 * command grammars live with their users (config.c, depmod).
 */
#pragma once

#include <stddef.h>

#include "libmod-private.h"

/* A logical line longer than this is reported and skipped (bounds memory on hostile input). */
#define CONF_LINE_MAX (1024u * 1024u)
/* A configuration file larger than this is refused. */
#define CONF_FILE_MAX (16u * 1024u * 1024u)

/*
 * Called with each logical line: continuations (`\` + newline) joined, `\` + any other character
 * replaced by that character. `lineno` is the physical line where the logical line starts (1-based).
 * Lines that are empty, only spaces/tabs, or start with '#' in column 1 are not passed; an
 * indented '#' is passed (the grammar rejects it, as kmod does). `line` may be modified
 * in place. Return < 0 to stop reading; that value is returned by the reader.
 */
typedef int (*conf_line_fn)(void *data, const char *file, unsigned int lineno, char *line);

/* Read a file (O_CLOEXEC, at most CONF_FILE_MAX bytes) and feed its lines to fn. */
int conf_read_file(struct mod_ctx *ctx, const char *path, conf_line_fn fn, void *data)
	_nonnull_(2, 3);

/* The same over memory (not NUL-terminated; may contain NULs): the fuzzable entry point. */
int conf_read_buffer(struct mod_ctx *ctx, const char *name, const char *buf, size_t len,
		     conf_line_fn fn, void *data) _nonnull_(2, 5);

/*
 * The merged list of files to read, as kmod builds it:
 * - `paths` (NULL-terminated) are directories or single files, in priority order;
 * - a directory contributes its `*.conf` entries (dotfiles, other names skipped; a
 *   sub-directory is logged and skipped); a missing path is skipped silently;
 * - a single file contributes itself under its basename, whatever its suffix;
 * - `extra_names`/`extra_paths` (both NULL-terminated, same length, may be NULL) are additional
 *   (basename, path) pairs, e.g. ("modules.softdep", "<moddir>/modules.softdep"); they are taken
 *   first, and only when the file exists;
 * - everything is sorted by basename (strcmp); the first entry seen for a basename wins
 *   (an earlier directory masks a later one, e.g. /etc over /usr/lib).
 * *ret_paths is a malloc'ed NULL-terminated array of malloc'ed full paths (free with
 * conf_strv_free).
 */
int conf_list_files(struct mod_ctx *ctx, const char *const *paths, const char *const *extra_names,
		    const char *const *extra_paths, char ***ret_paths) _nonnull_(5);

void conf_strv_free(char **v);

/*
 * Split a line on spaces and tabs in place (the separators become NULs). At most `max` words are
 * stored; -E2BIG when there are more (nothing stored past max; *count is not written).
 */
int conf_split_words(char *line, char **words, size_t max, size_t *count) _nonnull_(1, 4);
