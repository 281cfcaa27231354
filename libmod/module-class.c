/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a module is and what the kernel says about it once loaded: its class (from its aliases
 * and its place in the tree, never from its name), the filesystems it registered, its taint
 * flags, whether its signature was found valid, and its parameters. See libmod.h for the rules.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libmod-private.h"

static const char *const class_names[] = {
	[MOD_CLASS_OTHER] = "other",
	[MOD_CLASS_DRIVER] = "driver",
	[MOD_CLASS_FILESYSTEM] = "filesystem",
	[MOD_CLASS_NET_PROTOCOL] = "network protocol",
	[MOD_CLASS_CRYPTO] = "crypto",
	[MOD_CLASS_LIBRARY] = "library",
};

LIBMOD_EXPORT const char *mod_class_str(enum mod_class c)
{
	if ((unsigned int)c >= ARRAY_SIZE(class_names))
		return NULL;
	return class_names[c];
}

static void set_class(struct mod_class_info *ci, enum mod_class c, const char *kind,
		      size_t kindlen, const char *basis)
{
	ci->cls = c;
	if (kindlen >= sizeof(ci->kind))
		kindlen = sizeof(ci->kind) - 1;
	memcpy(ci->kind, kind, kindlen);
	ci->kind[kindlen] = '\0';
	snprintf(ci->basis, sizeof(ci->basis), "%s", basis);
}

/*
 * A device table alias: "<bus>:<ids>" as file2alias writes them (pci:, usb:, acpi*:, of:, hid:,
 * ...). A CPU feature match (cpu:, x86cpu:) selects no device, devname: names a device node.
 */
static bool is_device_alias(const char *alias, size_t *buslen)
{
	const char *colon = strchr(alias, ':');
	size_t n;

	if (!colon || colon == alias)
		return false;
	n = (size_t)(colon - alias);
	if ((n == 3 && strncmp(alias, "cpu", 3) == 0) ||
	    (n == 6 && strncmp(alias, "x86cpu", 6) == 0) ||
	    (n == 7 && strncmp(alias, "devname", 7) == 0))
		return false;
	*buslen = n;
	return true;
}

/* The path below the module directory ("kernel/fs/ext4/ext4.ko"), or NULL. */
static const char *tree_path(struct mod_module *mod)
{
	const char *path = mod_module_get_path(mod);
	const char *moddir = mod_ctx_get_moddir(mod_module_get_ctx(mod));
	size_t n = moddir ? strlen(moddir) : 0;

	if (!path || !moddir || strncmp(path, moddir, n) != 0 || path[n] != '/')
		return NULL;
	return path + n + 1;
}

/* Directory component i (0-based) of a relative path, as pointer and length; false if none. */
static bool component(const char *rel, unsigned int i, const char **p, size_t *len)
{
	const char *s = rel;

	for (unsigned int k = 0; k < i; k++) {
		s = strchr(s, '/');
		if (!s)
			return false;
		s++;
	}
	*p = s;
	*len = strcspn(s, "/");
	return s[*len] == '/'; /* a directory, not the file name */
}

/* The rules by place in the tree; returns false when none applies. */
static bool class_from_tree(const char *rel, bool has_fs_alias, struct mod_class_info *ci)
{
	const char *top, *sub;
	size_t toplen, sublen;
	char basis[160];

	if (!component(rel, 0, &top, &toplen) || toplen != 6 || strncmp(top, "kernel", 6) != 0 ||
	    !component(rel, 1, &top, &toplen))
		return false;
	snprintf(basis, sizeof(basis), "kernel/%.*s/", (int)toplen, top);
#define TOP_IS(s) (toplen == sizeof(s) - 1 && strncmp(top, s, toplen) == 0)
	if (TOP_IS("drivers") && component(rel, 2, &sub, &sublen)) {
		snprintf(basis, sizeof(basis), "kernel/drivers/%.*s/", (int)sublen, sub);
		set_class(ci, MOD_CLASS_DRIVER, sub, sublen, basis);
	} else if (TOP_IS("sound")) {
		set_class(ci, MOD_CLASS_DRIVER, "sound", 5, basis);
	} else if (TOP_IS("fs")) {
		if (has_fs_alias)
			return false; /* decided by the alias already */
		set_class(ci, MOD_CLASS_LIBRARY, "", 0, "kernel/fs/, no fs-* alias");
	} else if (TOP_IS("net")) {
		set_class(ci, MOD_CLASS_NET_PROTOCOL, "", 0, basis);
	} else if (TOP_IS("crypto")) {
		set_class(ci, MOD_CLASS_CRYPTO, "", 0, basis);
	} else if (TOP_IS("lib")) {
		set_class(ci, MOD_CLASS_LIBRARY, "", 0, basis);
	} else if (TOP_IS("arch") && component(rel, 3, &sub, &sublen) && sublen == 6 &&
		   strncmp(sub, "crypto", 6) == 0) {
		snprintf(basis, sizeof(basis), "%.*s", (int)(sub + sublen + 1 - rel), rel);
		set_class(ci, MOD_CLASS_CRYPTO, "", 0, basis);
	} else {
		return false;
	}
#undef TOP_IS
	return true;
}

LIBMOD_EXPORT int mod_module_get_class(struct mod_module *mod, struct mod_class_info *ret)
{
	const char *key, *value, *rel, *sub;
	char fs[160] = "", dev[160] = "", crypto[160] = "", proto[160] = "";
	size_t cursor = 0, keylen, buslen = 0, sublen, devbus = 0;
	struct mod_class_info ci = { 0 };
	int r;

	if (!mod || !ret)
		return -EINVAL;
	if (!mod_module_get_path(mod))
		return -ENOENT;
	/* The first alias of each sort decides; the basis names it. */
	while ((r = mod_module_info_next(mod, &cursor, &key, &keylen, &value)) == 0) {
		if (keylen != 5 || strncmp(key, "alias", 5) != 0)
			continue;
		if (!fs[0] && strncmp(value, "fs-", 3) == 0)
			snprintf(fs, sizeof(fs), "alias %s", value);
		else if (!crypto[0] && strncmp(value, "crypto-", 7) == 0)
			snprintf(crypto, sizeof(crypto), "alias %s", value);
		else if (!proto[0] && strncmp(value, "net-pf-", 7) == 0)
			snprintf(proto, sizeof(proto), "alias %s", value);
		else if (!dev[0] && is_device_alias(value, &buslen)) {
			snprintf(dev, sizeof(dev), "alias %s", value);
			devbus = buslen;
		}
	}
	if (r < 0)
		return r;
	rel = tree_path(mod);
	if (fs[0]) {
		set_class(&ci, MOD_CLASS_FILESYSTEM, "", 0, fs);
	} else if (dev[0]) {
		/* The kind from the tree when it says one, else the bus of the alias. */
		if (rel && component(rel, 1, &sub, &sublen) && sublen == 7 &&
		    strncmp(sub, "drivers", 7) == 0 && component(rel, 2, &sub, &sublen))
			set_class(&ci, MOD_CLASS_DRIVER, sub, sublen, dev);
		else if (rel && component(rel, 1, &sub, &sublen) && sublen == 5 &&
			 strncmp(sub, "sound", 5) == 0)
			set_class(&ci, MOD_CLASS_DRIVER, "sound", 5, dev);
		else
			set_class(&ci, MOD_CLASS_DRIVER, dev + 6, devbus, dev);
	} else if (crypto[0]) {
		set_class(&ci, MOD_CLASS_CRYPTO, "", 0, crypto);
	} else if (proto[0]) {
		set_class(&ci, MOD_CLASS_NET_PROTOCOL, "", 0, proto);
	} else if (!rel) {
		set_class(&ci, MOD_CLASS_OTHER, "", 0, "a file outside the module directory");
	} else if (!class_from_tree(rel, false, &ci)) {
		char basis[160];
		const char *slash = strrchr(rel, '/');

		snprintf(basis, sizeof(basis), "%.*s/, no rule for it",
			 slash ? (int)(slash - rel) : 0, rel);
		set_class(&ci, MOD_CLASS_OTHER, "", 0, basis);
	}
	*ret = ci;
	return 0;
}

static int module_file(struct mod_module *mod, const char *file, char *buf, size_t size)
{
	const char *name = mod_module_get_name(mod);

	if (strchr(name, '/'))
		return -EINVAL;
	if (snprintf(buf, size, "/sys/module/%s/%s", name, file) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

LIBMOD_EXPORT int mod_module_get_registered_filesystems(struct mod_module *mod, char *buf,
							size_t size)
{
	char fsbuf[8192];
	const char *key, *value;
	size_t cursor = 0, keylen, used = 0;
	int r;

	if (!mod || !buf || size == 0)
		return -EINVAL;
	buf[0] = '\0';
	r = mod_sys_read_file(mod_module_get_ctx(mod), "/proc/filesystems", fsbuf, sizeof(fsbuf),
			      NULL);
	if (r < 0)
		return r;
	while ((r = mod_module_info_next(mod, &cursor, &key, &keylen, &value)) == 0) {
		size_t n;

		if (keylen != 5 || strncmp(key, "alias", 5) != 0 || strncmp(value, "fs-", 3) != 0)
			continue;
		/* Lines are "nodev\t<name>" or "\t<name>". */
		n = strlen(value + 3);
		for (const char *p = fsbuf; (p = strstr(p, value + 3)); p += n) {
			if (p > fsbuf && p[-1] == '\t' && (p[n] == '\n' || p[n] == '\0')) {
				if (used + n + 2 > size)
					return -ENAMETOOLONG;
				used += (size_t)snprintf(buf + used, size - used, "%s%s",
							 used ? " " : "", value + 3);
				break;
			}
		}
	}
	return r < 0 && r != -ENOENT ? r : 0;
}

LIBMOD_EXPORT int mod_module_get_taint(struct mod_module *mod, char *buf, size_t size)
{
	char path[PATH_MAX];
	int r;

	if (!mod || !buf || size == 0)
		return -EINVAL;
	r = module_file(mod, "taint", path, sizeof(path));
	if (r < 0)
		return r;
	r = mod_sys_read_file(mod_module_get_ctx(mod), path, buf, size, NULL);
	if (r < 0)
		return r;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static const char *const sig_names[] = {
	[MOD_LOADED_SIG_UNKNOWN] = "unknown",
	[MOD_LOADED_SIG_VALID] = "valid",
	[MOD_LOADED_SIG_NOT_VALID] = "not valid",
};

LIBMOD_EXPORT const char *mod_loaded_signature_str(enum mod_loaded_signature s)
{
	if ((unsigned int)s >= ARRAY_SIZE(sig_names))
		return NULL;
	return sig_names[s];
}

LIBMOD_EXPORT int mod_module_get_loaded_signature(struct mod_module *mod,
						  enum mod_loaded_signature *ret)
{
	char taint[64], enforce[8];
	int r;

	if (!mod || !ret)
		return -EINVAL;
	r = mod_module_get_taint(mod, taint, sizeof(taint));
	if (r < 0)
		return r;
	/* Without CONFIG_MODULE_SIG the kernel checks nothing and never sets E. */
	r = mod_sys_read_file(mod_module_get_ctx(mod), "/sys/module/module/parameters/sig_enforce",
			      enforce, sizeof(enforce), NULL);
	if (r == -ENOENT) {
		*ret = MOD_LOADED_SIG_UNKNOWN;
		return 0;
	}
	if (r < 0)
		return r;
	*ret = strchr(taint, 'E') ? MOD_LOADED_SIG_NOT_VALID : MOD_LOADED_SIG_VALID;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory (no dot entries), sorted; *ret NULL-terminated. */
static int list_dir(DIR *d, char ***ret, size_t *count)
{
	char **v = NULL;
	size_t n = 0;
	struct dirent *e;

	while ((e = readdir(d))) {
		char **grown;

		if (e->d_name[0] == '.')
			continue;
		if (n >= 65535)
			break; /* no module has this many parameters */
		grown = reallocarray(v, n + 2, sizeof(*v));
		if (!grown)
			goto nomem;
		v = grown;
		v[n] = strdup(e->d_name);
		if (!v[n])
			goto nomem;
		v[++n] = NULL;
	}
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*ret = v;
	*count = n;
	return 0;
nomem:
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -ENOMEM;
}

LIBMOD_EXPORT int mod_module_foreach_parameter(struct mod_module *mod, mod_parameter_visit_fn fn,
					       void *data)
{
	struct mod_ctx *ctx;
	char path[PATH_MAX], value[4096];
	char **names = NULL;
	size_t n = 0;
	DIR *d;
	int r;

	if (!mod || !fn)
		return -EINVAL;
	ctx = mod_module_get_ctx(mod);
	r = module_file(mod, "parameters", path, sizeof(path));
	if (r < 0)
		return r;
	r = mod_sys_opendir(ctx, path, &d);
	if (r == -ENOENT)
		return 0; /* the kernel makes the directory only for modules with parameters */
	if (r < 0)
		return r;
	r = list_dir(d, &names, &n);
	closedir(d);
	for (size_t i = 0; r == 0 && i < n; i++) {
		char ppath[PATH_MAX + 256];
		bool readable;

		snprintf(ppath, sizeof(ppath), "%s/%s", path, names[i]);
		readable = mod_sys_read_file(ctx, ppath, value, sizeof(value), NULL) == 0;
		if (readable)
			value[strcspn(value, "\n")] = '\0';
		r = fn(names[i], readable ? value : NULL, data);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}
