/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What autoclean learns about the running system before it decides: mounted filesystems, network
 * interfaces and their kinds, and the modules loaded at boot (autoclean-facts.c, boot-list.c).
 * Read once per plan, so every module is judged against the same picture.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "libmod-private.h"

/* One mounted filesystem: its type (as /proc/mounts says) and mount point. */
struct ac_mount {
	char *type;
	char *dir;
};

/* One network interface and its rtnetlink kind ("dummy", "bridge"; "" for hardware). */
struct ac_link {
	char *name;
	char *kind;
};

/* A module named at boot: its normalized name and where ("/etc/modules-load.d/x.conf:3"). */
struct ac_boot {
	char *name;
	char *source;
};

struct ac_facts {
	struct ac_mount *mounts;
	size_t n_mounts;
	struct ac_link *links;
	size_t n_links;
	int links_error; /* 0, or why the interfaces could not be listed (-errno) */
	struct ac_boot *boot;
	size_t n_boot;
};

int ac_facts_read(struct mod_ctx *ctx, struct ac_facts *f) _nonnull_(1, 2) _must_check_;
void ac_facts_release(struct ac_facts *f);

/* The boot lists (boot-list.c): modules-load.d, /etc/modules, initramfs-tools, command line. */
int ac_boot_read(struct mod_ctx *ctx, struct ac_facts *f) _nonnull_(1, 2) _must_check_;

/*
 * The first device bound to one of the module's drivers (/sys/module/M/drivers/<bus:drv>/ holds
 * a symlink per bound device): 1 with "<bus:drv> <device>" in buf, 0 when none, or -errno.
 */
int ac_bound_device(struct mod_ctx *ctx, const char *modname, char *buf, size_t size)
	_nonnull_(1, 2, 3);
