/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Builder for the modules.*.bin trie indexes (spec section 3): a radix trie with prefix
 * compression, canonical for a key set, serialized root-first (pre-order, kmod >= 34) or root-last
 * (post-order, byte-identical to kmod <= 33 for the same inserts in the same order).
 *
 * Node sizes and offsets are computed before anything is written, so both layouts go out
 * sequentially through one buffer with no seeks. Keys and values live in an arena; node splits
 * only shorten a prefix and point the new child into the same bytes, so nothing is copied twice.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "index-private.h"
#include "libmod-private.h"

struct bvalue {
	struct bvalue *next;
	const char *str;
	uint32_t len;
	uint32_t priority;
};

struct bnode {
	const char *prefix; /* not NUL-terminated: plen bytes */
	uint32_t plen;
	uint8_t first, last; /* valid when children != NULL */
	struct bnode **children; /* last - first + 1 slots, NULL where no child */
	struct bvalue *values;
	uint64_t size;    /* this node's bytes */
	uint64_t subtree; /* bytes of this node and everything below */
	uint32_t offset;
};

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct mod_index_builder {
	struct bnode *root;
	struct arena_chunk *chunks;
	/* Every node, to free the child tables (the nodes themselves are in the arena). */
	struct bnode **nodes;
	size_t nnodes, anodes;
};

#define ARENA_CHUNK (256u * 1024)

static void *arena_alloc(struct mod_index_builder *b, size_t len)
{
	struct arena_chunk *c = b->chunks;
	size_t need = (len + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	void *p;

	if (need < len)
		return NULL;
	if (!c || c->size - c->used < need) {
		size_t size = need > ARENA_CHUNK ? need : ARENA_CHUNK;

		if (size > SIZE_MAX - sizeof(*c))
			return NULL;
		c = malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		c->next = b->chunks;
		b->chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += need;
	return p;
}

static const char *arena_strndup(struct mod_index_builder *b, const char *s, size_t len)
{
	char *p = arena_alloc(b, len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static struct bnode *node_new(struct mod_index_builder *b)
{
	struct bnode *n;

	if (b->nnodes == b->anodes) {
		size_t na = b->anodes ? b->anodes * 2 : 1024;
		struct bnode **v = realloc(b->nodes, na * sizeof(*v));

		if (!v)
			return NULL;
		b->nodes = v;
		b->anodes = na;
	}
	n = arena_alloc(b, sizeof(*n));
	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	b->nodes[b->nnodes++] = n;
	return n;
}

LIBMOD_EXPORT int mod_index_builder_new(struct mod_index_builder **ret)
{
	struct mod_index_builder *b;

	if (!ret)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->root = node_new(b);
	if (!b->root) {
		mod_index_builder_free(b);
		return -ENOMEM;
	}
	b->root->prefix = "";
	*ret = b;
	return 0;
}

LIBMOD_EXPORT struct mod_index_builder *mod_index_builder_free(struct mod_index_builder *b)
{
	if (!b)
		return NULL;
	for (size_t i = 0; i < b->nnodes; i++)
		free(b->nodes[i]->children);
	free(b->nodes);
	while (b->chunks) {
		struct arena_chunk *c = b->chunks;

		b->chunks = c->next;
		free(c);
	}
	free(b);
	return NULL;
}

static struct bnode *child_get(const struct bnode *n, unsigned char ch)
{
	if (!n->children || ch < n->first || ch > n->last)
		return NULL;
	return n->children[ch - n->first];
}

/* Put child under ch, widening the table as needed (it always spans first..last exactly). */
static int child_set(struct bnode *n, unsigned char ch, struct bnode *child)
{
	struct bnode **t;
	size_t cnt;

	if (!n->children) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		n->first = n->last = ch;
	} else if (ch < n->first) {
		cnt = (size_t)(n->last - ch) + 1;
		t = calloc(cnt, sizeof(*t));
		if (!t)
			return -ENOMEM;
		memcpy(t + (n->first - ch), n->children,
		       ((size_t)(n->last - n->first) + 1) * sizeof(*t));
		free(n->children);
		n->first = ch;
	} else if (ch > n->last) {
		size_t old = (size_t)(n->last - n->first) + 1;

		cnt = (size_t)(ch - n->first) + 1;
		t = realloc(n->children, cnt * sizeof(*t));
		if (!t)
			return -ENOMEM;
		memset(t + old, 0, (cnt - old) * sizeof(*t));
		n->last = ch;
	} else {
		t = n->children;
	}
	n->children = t;
	t[ch - n->first] = child;
	return 0;
}

/*
 * Insert before the first value with a priority >= this one (kmod's rule: equal
 * priorities end up in reverse insertion order). Returns 1 if the same value was already there.
 */
static int value_add(struct mod_index_builder *b, struct bnode *n, const char *value, size_t len,
		     unsigned int priority)
{
	struct bvalue **pp, *v;
	int dup = 0;

	for (v = n->values; v; v = v->next) {
		if (v->len == len && memcmp(v->str, value, len) == 0) {
			dup = 1;
			break;
		}
	}
	v = arena_alloc(b, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->str = arena_strndup(b, value, len);
	if (!v->str)
		return -ENOMEM;
	v->len = (uint32_t)len;
	v->priority = priority;
	for (pp = &n->values; *pp && (*pp)->priority < priority; pp = &(*pp)->next)
		;
	v->next = *pp;
	*pp = v;
	return dup;
}

/*
 * Any byte but NUL goes in: module files and aliases with bytes >= 0x80 exist, and kmod indexes
 * them (its 7-bit check never fires: it reads the bytes as signed char). Child tables are indexed
 * by unsigned byte, so such keys are found wherever they branch.
 */
static int check_string(const char *s, size_t *len)
{
	size_t i = strlen(s);

	/* Offsets are 28 bits; a longer string could never be written. */
	if (i > INDEX_NODE_MASK)
		return -EINVAL;
	*len = i;
	return 0;
}

LIBMOD_EXPORT int mod_index_builder_add(struct mod_index_builder *b, const char *key,
					const char *value, unsigned int priority)
{
	struct bnode *node;
	size_t keylen, vlen, i = 0;
	int r;

	if (!b || !key || !value)
		return -EINVAL;
	r = check_string(key, &keylen);
	if (r < 0)
		return r;
	r = check_string(value, &vlen);
	if (r < 0)
		return r;

	node = b->root;
	for (;;) {
		uint32_t j;
		unsigned char ch;
		struct bnode *child;

		for (j = 0; j < node->plen; j++) {
			if (node->prefix[j] != key[i + j])
				break;
		}
		if (j < node->plen) {
			/* Split: the node keeps prefix[0..j), the rest moves to a new child under
			 * the character where the key diverged from the prefix. */
			struct bnode *n = node_new(b);
			unsigned char pc = (unsigned char)node->prefix[j];

			if (!n)
				return -ENOMEM;
			*n = *node;
			n->prefix = node->prefix + j + 1;
			n->plen = node->plen - j - 1;
			node->plen = j;
			node->values = NULL;
			node->children = NULL;
			r = child_set(node, pc, n);
			if (r < 0) {
				/* Undo, so the builder stays consistent. */
				*node = *n;
				node->prefix = n->prefix - j - 1;
				node->plen = n->plen + j + 1;
				n->children = NULL;
				return r;
			}
		}
		i += j;
		ch = (unsigned char)key[i];
		if (ch == '\0')
			return value_add(b, node, value, vlen, priority);
		child = child_get(node, ch);
		if (!child) {
			child = node_new(b);
			if (!child)
				return -ENOMEM;
			child->plen = (uint32_t)(keylen - i - 1);
			child->prefix = arena_strndup(b, key + i + 1, child->plen);
			if (!child->prefix)
				return -ENOMEM;
			r = value_add(b, child, value, vlen, priority);
			if (r < 0)
				return r;
			r = child_set(node, ch, child);
			return r < 0 ? r : 0;
		}
		node = child;
		i++;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Serialization                                                                               */

static uint32_t node_flags(const struct bnode *n)
{
	return (n->plen ? INDEX_NODE_PREFIX : 0) | (n->children ? INDEX_NODE_CHILDS : 0) |
	       (n->values ? INDEX_NODE_VALUES : 0);
}

/* Sizes of each node and subtree; recursion depth is bounded by the number of keys. */
static uint64_t measure(struct bnode *n)
{
	uint64_t size = 0, sub;

	if (n->plen)
		size += (uint64_t)n->plen + 1;
	if (n->children)
		size += 2 + 4 * ((uint64_t)(n->last - n->first) + 1);
	if (n->values) {
		size += 4;
		for (const struct bvalue *v = n->values; v; v = v->next)
			size += 4 + (uint64_t)v->len + 1;
	}
	n->size = size;
	sub = size;
	if (n->children) {
		for (unsigned int c = 0; c <= (unsigned int)(n->last - n->first); c++) {
			if (n->children[c])
				sub += measure(n->children[c]);
		}
	}
	n->subtree = sub;
	return sub;
}

/* Assign offsets (already known to fit in 28 bits: the total was checked). */
static void place(struct bnode *n, uint64_t off, bool preorder)
{
	uint64_t cur = off;

	if (preorder) {
		n->offset = (uint32_t)off;
		cur += n->size;
	}
	if (n->children) {
		for (unsigned int c = 0; c <= (unsigned int)(n->last - n->first); c++) {
			struct bnode *ch = n->children[c];

			if (!ch)
				continue;
			place(ch, cur, preorder);
			cur += ch->subtree;
		}
	}
	if (!preorder)
		n->offset = (uint32_t)cur;
}

struct writer {
	struct wbuf out;
	uint64_t pos; /* bytes emitted, to check the precomputed offsets */
	int err;
};

static void emit(struct writer *w, const void *p, size_t len)
{
	wbuf_put(&w->out, p, len);
	w->pos += len;
}

static void emit_be32(struct writer *w, uint32_t v)
{
	uint8_t b[4];

	index_put_be32(b, v);
	emit(w, b, 4);
}

static void emit_node(struct writer *w, const struct bnode *n)
{
	if (w->pos != n->offset) {
		/* A layout bug would produce a corrupt file: refuse rather than write it. */
		w->err = -EIO;
		return;
	}
	if (n->plen) {
		emit(w, n->prefix, n->plen);
		emit(w, "", 1);
	}
	if (n->children) {
		uint8_t fl[2] = { n->first, n->last };

		emit(w, fl, 2);
		for (unsigned int c = 0; c <= (unsigned int)(n->last - n->first); c++) {
			const struct bnode *ch = n->children[c];

			emit_be32(w, ch ? (ch->offset | node_flags(ch)) : 0);
		}
	}
	if (n->values) {
		uint32_t count = 0;

		for (const struct bvalue *v = n->values; v; v = v->next)
			count++;
		emit_be32(w, count);
		for (const struct bvalue *v = n->values; v; v = v->next) {
			emit_be32(w, v->priority);
			emit(w, v->str, (size_t)v->len + 1);
		}
	}
}

static void emit_tree(struct writer *w, const struct bnode *n, bool preorder)
{
	if (preorder)
		emit_node(w, n);
	if (n->children) {
		for (unsigned int c = 0; c <= (unsigned int)(n->last - n->first); c++) {
			if (n->children[c])
				emit_tree(w, n->children[c], preorder);
		}
	}
	if (!preorder)
		emit_node(w, n);
}

LIBMOD_EXPORT int mod_index_builder_write(struct mod_index_builder *b, int fd,
					  enum mod_index_layout layout)
{
	_cleanup_free_ struct writer *w = NULL;
	bool preorder;
	uint64_t total;
	int r;

	if (!b || fd < 0)
		return -EINVAL;
	if (layout == MOD_INDEX_LAYOUT_PREORDER)
		preorder = true;
	else if (layout == MOD_INDEX_LAYOUT_POSTORDER)
		preorder = false;
	else
		return -EINVAL;

	total = INDEX_HEADER_SIZE + measure(b->root);
	/* Every node offset must fit in the 28-bit reference. */
	if (total - 1 > INDEX_NODE_MASK)
		return -EFBIG;
	place(b->root, INDEX_HEADER_SIZE, preorder);

	w = malloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	wbuf_init(&w->out, fd);
	w->pos = 0;
	w->err = 0;
	emit_be32(w, INDEX_MAGIC);
	emit_be32(w, INDEX_VERSION);
	emit_be32(w, b->root->offset | node_flags(b->root));
	emit_tree(w, b->root, preorder);
	r = wbuf_flush(&w->out);
	if (r < 0)
		return r;
	if (w->err < 0 || w->pos != total)
		return -EIO;
	return 0;
}
