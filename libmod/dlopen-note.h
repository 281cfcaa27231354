/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Declaring a dlopen'ed library in the ELF file, so that packaging tools see the dependency that
 * no DT_NEEDED names (the "ELF dlopen metadata" format of systemd.io/ELF_DLOPEN_METADATA, which
 * systemd and kmod 34 use; dlopen-notes.py and dh-dlopenlibdeps read it). Each is an ELF note
 * of owner "FDO" and type 0x407c0c0a in an allocated, read-only, 4-byte-aligned ".note.dlopen"
 * section; its descriptor is a NUL-terminated JSON array of objects with "feature",
 * "description", "priority" and "soname" (an array). `readelf -n libmod.so` shows them.
 */
#pragma once

#include <stdint.h>

#define DLOPEN_NOTE_OWNER "FDO"
#define DLOPEN_NOTE_TYPE UINT32_C(0x407c0c0a)

/* Note fields are 4-byte words; the name and the descriptor are each padded with zeros to 4. */
#define DLOPEN_NOTE_PAD4(n) (((n) + 3) & ~(size_t)3)

/* One note for one library; id names the object, json the descriptor (a string literal). */
#define DLOPEN_NOTE(id, json)                                                                      \
	__attribute__((used, section(".note.dlopen"), aligned(4))) static const struct {           \
		uint32_t n_namesz, n_descsz, n_type;                                               \
		char name[DLOPEN_NOTE_PAD4(sizeof(DLOPEN_NOTE_OWNER))];                            \
		char desc[DLOPEN_NOTE_PAD4(sizeof(json))];                                         \
	} id = { sizeof(DLOPEN_NOTE_OWNER), sizeof(json), DLOPEN_NOTE_TYPE, DLOPEN_NOTE_OWNER,     \
		 json }

/* The JSON of one library: feature, description, priority, one soname. */
#define DLOPEN_NOTE_JSON(feature, description, priority, soname)                                   \
	"[{\"feature\":\"" feature "\",\"description\":\"" description "\",\"priority\":\""       \
	priority "\",\"soname\":[\"" soname "\"]}]"
