/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a module file says, as libkmod lists it: .modinfo (plus the signature fields libkmod
 * adds), __versions, exported symbols and the symbols the module needs.
 *
 * The entry layouts are libkmod's on purpose. dracut-install (--mod-filter-nosymbol) calls
 * kmod_module_symbol_get_symbol on a dependency-symbol list; with these layouts that reads the
 * bind byte followed by the name, exactly what it gets from libkmod, so its filter behaves the
 * same with either library.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

struct info_entry {
	char *value;
	char key[];
};

struct symbol_entry { /* versions and exported symbols */
	uint64_t crc;
	char symbol[];
};

struct dep_symbol_entry {
	uint64_t crc;
	uint8_t bind;
	char symbol[];
};

static void free_info_entry(void *data)
{
	struct info_entry *e = data;

	if (e)
		free(e->value);
	free(e);
}

static int info_append(struct kmod_list **list, const char *key, size_t keylen, char *value)
{
	struct info_entry *e;
	struct kmod_list *grown;

	if (!value)
		return -ENOMEM;
	e = malloc(sizeof(*e) + keylen + 1);
	if (!e) {
		free(value);
		return -ENOMEM;
	}
	memcpy(e->key, key, keylen);
	e->key[keylen] = '\0';
	e->value = value;
	grown = list_append(*list, e);
	if (!grown) {
		free_info_entry(e);
		return -ENOMEM;
	}
	*list = grown;
	return 0;
}

/*
 * libkmod's hex: upper case bytes separated by ':', and after every 20th byte (not the last)
 * a line break with two tabs, so modinfo's output lines up. Callers compare these strings.
 */
static char *hex_string(const uint8_t *bytes, size_t len)
{
	size_t size = len * 3 + (len / 20) * 3 + 1;
	char *s = malloc(size), *p = s;

	if (!s)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < len; i++) {
		p += snprintf(p, size - (size_t)(p - s), "%02X", bytes[i]);
		if (i + 1 < len) {
			*p++ = ':';
			if ((i + 1) % 20 == 0) {
				*p++ = '\n';
				*p++ = '\t';
				*p++ = '\t';
			}
			*p = '\0';
		}
	}
	return s;
}

#define INFO_KEY(k) k, sizeof(k) - 1

/* The five (four without a key id) signature entries; returns how many were added. */
static int info_append_signature(struct mod_module *mod, struct kmod_list **list)
{
	const struct mod_signature *sig;
	const uint8_t *bytes;
	size_t len;
	int n = 0, r;

	if (mod_module_get_signature(mod, &sig) < 0)
		return 0;
	r = info_append(list, INFO_KEY("sig_id"), strdup(mod_signature_get_id_type(sig)));
	if (r == 0) {
		n++;
		r = info_append(list, INFO_KEY("signer"), strdup(mod_signature_get_signer(sig)));
	}
	bytes = mod_signature_get_key_id(sig, &len);
	if (r == 0 && len > 0) {
		n++;
		r = info_append(list, INFO_KEY("sig_key"), hex_string(bytes, len));
	}
	if (r == 0) {
		n++;
		r = info_append(list, INFO_KEY("sig_hashalgo"),
				strdup(mod_signature_get_hash_algo(sig)));
	}
	if (r == 0) {
		n++;
		bytes = mod_signature_get_signature(sig, &len);
		r = info_append(list, INFO_KEY("signature"), hex_string(bytes, len));
	}
	if (r == 0)
		n++;
	return r < 0 ? r : n;
}

KMOD_EXPORT int kmod_module_get_info(const struct kmod_module *mod, struct kmod_list **list)
{
	const char *key, *value;
	size_t cursor = 0, keylen;
	int count = 0, r;

	if (!mod || !list)
		return -ENOENT;
	while ((r = mod_module_info_next(mod->mod, &cursor, &key, &keylen, &value)) == 0) {
		r = info_append(list, key, keylen, strdup(value));
		if (r < 0)
			goto fail;
		count++;
	}
	if (r < 0)
		goto fail;
	/* Builtins have no file and so no signature. */
	if (mod_module_get_path(mod->mod)) {
		r = info_append_signature(mod->mod, list);
		if (r < 0)
			goto fail;
		count += r;
	}
	return count;
fail:
	kmod_module_info_free_list(*list);
	*list = NULL;
	return r;
}

KMOD_EXPORT const char *kmod_module_info_get_key(const struct kmod_list *entry)
{
	const struct info_entry *e = entry ? entry->data : NULL;

	return e ? e->key : NULL;
}

KMOD_EXPORT const char *kmod_module_info_get_value(const struct kmod_list *entry)
{
	const struct info_entry *e = entry ? entry->data : NULL;

	return e ? e->value : NULL;
}

KMOD_EXPORT void kmod_module_info_free_list(struct kmod_list *list)
{
	list_free(list, free_info_entry);
}

/* ---- versions, exported symbols, symbols needed ---------------------------------------- */

/* Which ELF table a list comes from; only dependency symbols carry a bind byte. */
enum sym_table {
	SYM_VERSIONS,
	SYM_EXPORTS,
	SYM_UNDEFINED,
};

static int sym_next(const struct mod_elf *elf, enum sym_table table, size_t *cursor,
		    const char **sym, uint64_t *crc, enum mod_symbol_bind *bind)
{
	*bind = MOD_SYMBOL_NONE;
	switch (table) {
	case SYM_VERSIONS:
		return mod_elf_versions_next(elf, cursor, sym, crc);
	case SYM_EXPORTS:
		return mod_elf_exports_next(elf, cursor, sym, crc);
	case SYM_UNDEFINED:
		return mod_elf_undefined_next(elf, cursor, sym, bind, crc);
	}
	return -EINVAL;
}

static void *sym_entry_new(enum sym_table table, const char *sym, uint64_t crc,
			   enum mod_symbol_bind bind)
{
	size_t len = strlen(sym) + 1;

	if (table == SYM_UNDEFINED) {
		struct dep_symbol_entry *e = malloc(sizeof(*e) + len);

		if (e) {
			e->crc = crc;
			/* The bind characters are the same in both libraries ('U', 'W', ...). */
			e->bind = (uint8_t)bind;
			memcpy(e->symbol, sym, len);
		}
		return e;
	} else {
		struct symbol_entry *e = malloc(sizeof(*e) + len);

		if (e) {
			e->crc = crc;
			memcpy(e->symbol, sym, len);
		}
		return e;
	}
}

/* The entries of one table in file order; returns their count. */
static int symbol_list(const struct kmod_module *mod, enum sym_table table,
		       struct kmod_list **list)
{
	enum mod_symbol_bind bind;
	struct mod_elf *elf;
	const char *sym;
	size_t cursor = 0;
	uint64_t crc;
	int count = 0, r;

	if (!mod || !list)
		return -ENOENT;
	r = mod_module_get_elf(mod->mod, &elf);
	if (r < 0)
		return r;
	while ((r = sym_next(elf, table, &cursor, &sym, &crc, &bind)) == 0) {
		void *e = sym_entry_new(table, sym, crc, bind);
		struct kmod_list *grown = e ? list_append(*list, e) : NULL;

		if (!grown) {
			free(e);
			r = -ENOMEM;
			break;
		}
		*list = grown;
		count++;
	}
	if (r < 0) {
		list_free(*list, free);
		*list = NULL;
		return r;
	}
	return count;
}

static const struct symbol_entry *symbol_entry(const struct kmod_list *entry)
{
	return entry ? entry->data : NULL;
}

KMOD_EXPORT int kmod_module_get_versions(const struct kmod_module *mod, struct kmod_list **list)
{
	return symbol_list(mod, SYM_VERSIONS, list);
}

KMOD_EXPORT const char *kmod_module_version_get_symbol(const struct kmod_list *entry)
{
	const struct symbol_entry *e = symbol_entry(entry);

	return e ? e->symbol : NULL;
}

KMOD_EXPORT uint64_t kmod_module_version_get_crc(const struct kmod_list *entry)
{
	const struct symbol_entry *e = symbol_entry(entry);

	return e ? e->crc : 0;
}

KMOD_EXPORT void kmod_module_versions_free_list(struct kmod_list *list)
{
	list_free(list, free);
}

KMOD_EXPORT int kmod_module_get_symbols(const struct kmod_module *mod, struct kmod_list **list)
{
	int r = symbol_list(mod, SYM_EXPORTS, list);

	/* libkmod: a module that exports nothing has no __ksymtab_strings, which is -ENOENT. */
	return r == 0 ? -ENOENT : r;
}

/* Exported symbols and versions share one entry layout (see the top for why it matters). */
KMOD_EXPORT const char *kmod_module_symbol_get_symbol(const struct kmod_list *entry)
{
	return kmod_module_version_get_symbol(entry);
}

KMOD_EXPORT uint64_t kmod_module_symbol_get_crc(const struct kmod_list *entry)
{
	return kmod_module_version_get_crc(entry);
}

KMOD_EXPORT void kmod_module_symbols_free_list(struct kmod_list *list)
{
	kmod_module_versions_free_list(list);
}

KMOD_EXPORT int kmod_module_get_dependency_symbols(const struct kmod_module *mod,
						   struct kmod_list **list)
{
	return symbol_list(mod, SYM_UNDEFINED, list);
}

static const struct dep_symbol_entry *dep_symbol_entry(const struct kmod_list *entry)
{
	return entry ? entry->data : NULL;
}

KMOD_EXPORT const char *kmod_module_dependency_symbol_get_symbol(const struct kmod_list *entry)
{
	const struct dep_symbol_entry *e = dep_symbol_entry(entry);

	return e ? e->symbol : NULL;
}

KMOD_EXPORT int kmod_module_dependency_symbol_get_bind(const struct kmod_list *entry)
{
	const struct dep_symbol_entry *e = dep_symbol_entry(entry);

	return e ? e->bind : 0;
}

KMOD_EXPORT uint64_t kmod_module_dependency_symbol_get_crc(const struct kmod_list *entry)
{
	const struct dep_symbol_entry *e = dep_symbol_entry(entry);

	return e ? e->crc : 0;
}

KMOD_EXPORT void kmod_module_dependency_symbols_free_list(struct kmod_list *list)
{
	kmod_module_versions_free_list(list);
}
