/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The modules something loads at every boot: systemd-modules-load's modules-load.d (and its
 * modules_load= / rd.modules_load= kernel parameters), Debian's /etc/modules and
 * initramfs-tools' /etc/initramfs-tools/modules. Autoclean keeps them unless the configuration
 * says otherwise (`autoclean-boot`): they were asked for on purpose, even when nothing uses them
 * right now. Entries may be aliases, resolved as modprobe resolves them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autoclean-private.h"
#include "conf-reader.h"

/* In systemd's order of precedence: an earlier directory masks a same-named file later. */
static const char *const load_dirs[] = {
	"/etc/modules-load.d",     "/run/modules-load.d", "/usr/local/lib/modules-load.d",
	"/usr/lib/modules-load.d", "/lib/modules-load.d", NULL,
};

/* One module per line, each "name [parameters]"; the parameters are not ours to read. */
static const char *const line_files[] = {
	"/etc/modules",
	"/etc/initramfs-tools/modules",
	NULL,
};

struct boot_reader {
	struct mod_ctx *ctx;
	struct ac_facts *f;
};

static int add_name(struct ac_facts *f, const char *name, const char *source)
{
	struct ac_boot *v;

	if (f->n_boot >= 65536)
		return -E2BIG;
	v = reallocarray(f->boot, f->n_boot + 1, sizeof(*f->boot));
	if (!v)
		return -ENOMEM;
	f->boot = v;
	v[f->n_boot].name = strdup(name);
	v[f->n_boot].source = strdup(source);
	if (!v[f->n_boot].name || !v[f->n_boot].source) {
		free(v[f->n_boot].name);
		free(v[f->n_boot].source);
		return -ENOMEM;
	}
	f->n_boot++;
	return 0;
}

/* A name or alias, as systemd-modules-load resolves it (one entry per module it names). */
static int add_entry(struct mod_ctx *ctx, struct ac_facts *f, const char *word,
		     const char *source)
{
	struct mod_module_list *list = NULL;
	char name[1024];
	int r;

	if (mod_module_lookup(ctx, word, &list) == 0) {
		r = 0;
		for (size_t i = 0; r == 0 && i < mod_module_list_count(list); i++)
			r = add_name(f, mod_module_get_name(mod_module_list_get(list, i)), source);
		mod_module_list_free(list);
		return r;
	}
	/* Unknown to the indexes: compare by name, which is what a loaded module has. */
	if (mod_name_normalize(word, name, sizeof(name)) < 0)
		return 0;
	return add_name(f, name, source);
}

static int parse_line(void *data, const char *file, unsigned int lineno, char *line)
{
	struct boot_reader *br = data;
	char source[4200], *save = NULL, *word;

	word = strtok_r(line, " \t", &save);
	/* modules-load.d(5) comments start with '#' or ';'. */
	if (!word || word[0] == '#' || word[0] == ';')
		return 0;
	snprintf(source, sizeof(source), "%s:%u", file, lineno);
	return add_entry(br->ctx, br->f, word, source);
}

/* "modules_load=a,b" and "rd.modules_load=c" on the kernel command line. */
static int read_cmdline(struct mod_ctx *ctx, struct ac_facts *f)
{
	char buf[4096], *save = NULL;
	int r;

	r = mod_sys_read_file(ctx, "/proc/cmdline", buf, sizeof(buf), NULL);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	for (char *w = strtok_r(buf, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
		char *save2 = NULL, *list;

		if (strncmp(w, "modules_load=", 13) == 0)
			list = w + 13;
		else if (strncmp(w, "rd.modules_load=", 16) == 0)
			list = w + 16;
		else
			continue;
		for (char *m = strtok_r(list, ",", &save2); m; m = strtok_r(NULL, ",", &save2)) {
			r = add_entry(ctx, f, m, "/proc/cmdline");
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int ac_boot_read(struct mod_ctx *ctx, struct ac_facts *f)
{
	struct boot_reader br = { .ctx = ctx, .f = f };
	char **paths = NULL;
	int r;

	r = conf_list_files(ctx, load_dirs, NULL, NULL, &paths);
	if (r < 0)
		return r;
	for (size_t i = 0; r >= 0 && paths[i]; i++)
		r = conf_read_file(ctx, paths[i], parse_line, &br);
	conf_strv_free(paths);
	for (size_t i = 0; r >= 0 && line_files[i]; i++) {
		if (access(line_files[i], F_OK) < 0)
			continue; /* optional: most systems have only some of them */
		r = conf_read_file(ctx, line_files[i], parse_line, &br);
	}
	if (r >= 0)
		r = read_cmdline(ctx, f);
	if (r < 0)
		ERR(ctx, "could not read the list of modules loaded at boot: %s\n", strerror(-r));
	return r < 0 ? r : 0;
}
