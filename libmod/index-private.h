/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * On-disk constants of the modules.*.bin trie format shared by the index reader and writer
 * (spec section 3). Every integer in the file is a big-endian u32.
 */
#pragma once

#include <stdint.h>

#define INDEX_MAGIC 0xB007F457u
#define INDEX_VERSION_MAJOR 0x0002u
#define INDEX_VERSION_MINOR 0x0001u
#define INDEX_VERSION ((INDEX_VERSION_MAJOR << 16) | INDEX_VERSION_MINOR)
#define INDEX_HEADER_SIZE 12u

/* A node reference: offset in the low 28 bits, which parts the node has in the high nibble. */
#define INDEX_NODE_PREFIX 0x80000000u
#define INDEX_NODE_VALUES 0x40000000u
#define INDEX_NODE_CHILDS 0x20000000u
#define INDEX_NODE_FLAGS 0xF0000000u
#define INDEX_NODE_MASK 0x0FFFFFFFu

/* Child tables cover 7-bit characters only. */

static inline uint32_t index_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void index_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
