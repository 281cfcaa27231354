/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reader for the modules.*.bin trie indexes (spec section 3): exact, wildcard and all-values
 * lookups, ordered walks and dumps, straight over the mapped file.
 *
 * The file is untrusted. Nodes are decoded lazily into stack structs that point into the
 * mapping (no copies, no allocation per node); every offset, child table, value count and string
 * is checked against the file size, and a corrupt node gives -EBADMSG with a log line. Descents
 * consume one key byte per edge, so they end; walks over whole subtrees (foreach, dump, wildcard
 * subtrees) carry a byte budget proportional to the file size, so reference cycles or shared
 * children cannot make them loop or blow up, and they use an explicit stack, not recursion.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "index-private.h"
#include "libmod-private.h"
#include "strbuf.h"

struct mod_index {
	int refcount;
	struct mod_ctx *ctx; /* borrowed: the context owns its indexes, not the other way round */
	const uint8_t *data;
	size_t size;
	uint32_t root;
	bool mapped;
	char *path; /* for messages; NULL for memory */
};

/* One node, decoded on demand; pointers and positions refer to the mapping. */
struct node {
	uint32_t off;   /* node offset */
	uint32_t flags; /* INDEX_NODE_* of kmod that led here */
	size_t plen;    /* prefix length (0 without PREFIX) */
	const uint8_t *children; /* (last - first + 1) big-endian refs, or NULL */
	size_t values;  /* offset of the first value entry */
	uint32_t nvalues;
	uint8_t first, last; /* first > last when there are no children */
};

#define idx_name(idx) ((idx)->path ? (idx)->path : "<memory>")

static int corrupt(const struct mod_index *idx, uint32_t off, const char *why)
{
	ERR(idx->ctx, "%s: corrupt index: node at offset %u: %s\n", idx_name(idx), off, why);
	return -EBADMSG;
}

/* Start decoding the node a reference points at (the caller has ruled out reference 0). */
static int node_open(const struct mod_index *idx, uint32_t ref, struct node *n)
{
	uint32_t off = ref & INDEX_NODE_MASK;

	n->off = off;
	n->flags = ref & INDEX_NODE_FLAGS;
	n->plen = 0;
	if (off < INDEX_HEADER_SIZE || off > idx->size)
		return corrupt(idx, off, "offset outside the file");
	return 0;
}

/* Offset of the first byte after the prefix; the prefix must be NUL-terminated in the file. */
static int node_measure_prefix(const struct mod_index *idx, struct node *n)
{
	const uint8_t *nul;

	if (!(n->flags & INDEX_NODE_PREFIX))
		return 0;
	nul = memchr(idx->data + n->off, '\0', idx->size - n->off);
	if (!nul)
		return corrupt(idx, n->off, "prefix not terminated");
	n->plen = (size_t)(nul - (idx->data + n->off));
	return 0;
}

/* Decode the child table and value header found at pos (just after the prefix). */
static int node_parse_rest(const struct mod_index *idx, struct node *n, size_t pos)
{
	if (n->flags & INDEX_NODE_CHILDS) {
		size_t cnt;

		if (!range_in_bounds(pos, 2, idx->size))
			return corrupt(idx, n->off, "child table past the end");
		n->first = idx->data[pos];
		n->last = idx->data[pos + 1];
		/* bytes >= 0x80 are keys too (module names and aliases with Latin-1/UTF-8) */
		if (n->first > n->last)
			return corrupt(idx, n->off, "bad child range");
		cnt = (size_t)(n->last - n->first) + 1;
		pos += 2;
		if (!range_in_bounds(pos, cnt * 4, idx->size))
			return corrupt(idx, n->off, "child table past the end");
		n->children = idx->data + pos;
		pos += cnt * 4;
	} else {
		n->first = 1;
		n->last = 0;
		n->children = NULL;
	}
	if (n->flags & INDEX_NODE_VALUES) {
		if (!range_in_bounds(pos, 4, idx->size))
			return corrupt(idx, n->off, "value count past the end");
		n->nvalues = index_be32(idx->data + pos);
		pos += 4;
		/* Each value takes at least 5 bytes (priority and NUL). */
		if (n->nvalues > (idx->size - pos) / 5)
			return corrupt(idx, n->off, "value count larger than the file");
		n->values = pos;
	} else {
		n->nvalues = 0;
		n->values = pos;
	}
	return 0;
}

static inline uint32_t node_child(const struct node *n, unsigned char ch)
{
	if (ch < n->first || ch > n->last)
		return 0;
	return index_be32(n->children + 4 * (size_t)(ch - n->first));
}

/* Decode the value entry at *pos and advance it. */
static int value_next(const struct mod_index *idx, const struct node *n, size_t *pos,
		      const char **value, size_t *len, uint32_t *prio)
{
	const uint8_t *nul;
	size_t p = *pos;

	if (!range_in_bounds(p, 4, idx->size))
		return corrupt(idx, n->off, "value past the end");
	*prio = index_be32(idx->data + p);
	p += 4;
	nul = memchr(idx->data + p, '\0', idx->size - p);
	if (!nul)
		return corrupt(idx, n->off, "value not terminated");
	*value = (const char *)idx->data + p;
	*len = (size_t)(nul - (idx->data + p));
	*pos = p + *len + 1;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Opening                                                                                     */

static int index_new(struct mod_ctx *ctx, const void *buf, size_t len, const char *path,
		     struct mod_index **ret)
{
	const uint8_t *d = buf;
	struct mod_index *idx;
	uint32_t magic, version, root;
	const char *name = path ? path : "<memory>";

	if (len < INDEX_HEADER_SIZE) {
		ERR(ctx, "%s: not an index: %zu bytes, shorter than the header\n", name, len);
		return -EBADMSG;
	}
	magic = index_be32(d);
	version = index_be32(d + 4);
	root = index_be32(d + 8);
	if (magic != INDEX_MAGIC) {
		ERR(ctx, "%s: not an index: magic 0x%08x\n", name, magic);
		return -EBADMSG;
	}
	if ((version >> 16) != INDEX_VERSION_MAJOR) {
		ERR(ctx, "%s: unsupported index version %u.%u\n", name, version >> 16,
		    version & 0xffff);
		return -EBADMSG;
	}
	/* Root 0 is an empty index; otherwise the root must lie in the node area. */
	if ((root & INDEX_NODE_MASK) != 0 &&
	    ((root & INDEX_NODE_MASK) < INDEX_HEADER_SIZE || (root & INDEX_NODE_MASK) > len)) {
		ERR(ctx, "%s: corrupt index: root offset %u outside the file\n", name,
		    root & INDEX_NODE_MASK);
		return -EBADMSG;
	}
	idx = calloc(1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	if (path) {
		idx->path = strdup(path);
		if (!idx->path) {
			free(idx);
			return -ENOMEM;
		}
	}
	idx->refcount = 1;
	idx->ctx = ctx;
	idx->data = d;
	idx->size = len;
	idx->root = root;
	*ret = idx;
	return 0;
}

/* An index without keys (root 0): every lookup is -ENOENT, a dump prints nothing. */
static int index_new_empty(struct mod_ctx *ctx, const char *path, struct mod_index **ret)
{
	struct mod_index *idx = calloc(1, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	idx->path = strdup(path);
	if (!idx->path) {
		free(idx);
		return -ENOMEM;
	}
	idx->refcount = 1;
	idx->ctx = ctx;
	idx->data = (const uint8_t *)"";
	*ret = idx;
	return 0;
}

LIBMOD_EXPORT int mod_index_new_from_memory(struct mod_ctx *ctx, const void *buf, size_t len,
					    struct mod_index **ret)
{
	if (!buf || !ret)
		return -EINVAL;
	return index_new(ctx, buf, len, NULL, ret);
}

LIBMOD_EXPORT int mod_index_open(struct mod_ctx *ctx, const char *path, struct mod_index **ret)
{
	_cleanup_close_ int fd = -1;
	struct mod_index *idx;
	struct stat st;
	void *map;
	int r;

	if (!path || !ret)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		DBG(ctx, "%s: cannot open index: %s\n", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		ERR(ctx, "%s: cannot stat index: %s\n", path, strerror(-r));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		ERR(ctx, "%s: not a regular file\n", path);
		return -EBADMSG;
	}
	if (st.st_size == 0) {
		/*
		 * depmod writes empty builtin indexes when the tree has no modules.builtin (as
		 * initramfs trees often do), and kmod reads any empty index as one without
		 * keys: no message, lookups find nothing.
		 */
		DBG(ctx, "%s: empty file, an index without keys\n", path);
		return index_new_empty(ctx, path, ret);
	}
	if ((uint64_t)st.st_size < INDEX_HEADER_SIZE || (uint64_t)st.st_size > SIZE_MAX) {
		ERR(ctx, "%s: not an index: size %lld\n", path, (long long)st.st_size);
		return -EBADMSG;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		r = -errno;
		ERR(ctx, "%s: cannot map index: %s\n", path, strerror(-r));
		return r;
	}
	r = index_new(ctx, map, (size_t)st.st_size, path, &idx);
	if (r < 0) {
		munmap(map, (size_t)st.st_size);
		return r;
	}
	idx->mapped = true;
	*ret = idx;
	return 0;
}

LIBMOD_EXPORT struct mod_index *mod_index_ref(struct mod_index *idx)
{
	if (idx)
		idx->refcount++;
	return idx;
}

LIBMOD_EXPORT struct mod_index *mod_index_unref(struct mod_index *idx)
{
	if (!idx || --idx->refcount > 0)
		return NULL;
	if (idx->mapped)
		munmap((void *)idx->data, idx->size);
	free(idx->path);
	free(idx);
	return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Results                                                                                     */

struct result_item {
	const char *value;
	uint32_t priority;
	uint32_t seq; /* order of discovery, for the tie rule */
};

struct mod_index_result {
	size_t count;
	size_t alloc;
	struct result_item items[];
};

static int result_add(struct mod_index_result **res, const char *value, uint32_t prio)
{
	struct mod_index_result *r = *res;

	if (!r || r->count == r->alloc) {
		size_t n = r ? r->alloc * 2 : 8, bytes;

		if (mul_overflows(n, sizeof(struct result_item), &bytes) ||
		    add_overflows(bytes, sizeof(*r), &bytes))
			return -ENOMEM;
		r = realloc(r, bytes);
		if (!r)
			return -ENOMEM;
		if (!*res)
			r->count = 0;
		r->alloc = n;
		*res = r;
	}
	r->items[r->count] = (struct result_item){ value, prio, (uint32_t)r->count };
	r->count++;
	return 0;
}

/*
 * kmod inserts each found value before the first one with a priority >= its own: the
 * list ends sorted by priority, ties in reverse order of discovery.
 */
static int result_cmp(const void *a, const void *b)
{
	const struct result_item *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->seq > y->seq ? -1 : (x->seq < y->seq);
}

static void result_order(struct mod_index_result *r)
{
	if (r->count > 1)
		qsort(r->items, r->count, sizeof(r->items[0]), result_cmp);
}

LIBMOD_EXPORT size_t mod_index_result_count(const struct mod_index_result *res)
{
	return res ? res->count : 0;
}

LIBMOD_EXPORT const char *mod_index_result_value(const struct mod_index_result *res, size_t i)
{
	return res && i < res->count ? res->items[i].value : NULL;
}

LIBMOD_EXPORT unsigned int mod_index_result_priority(const struct mod_index_result *res, size_t i)
{
	return res && i < res->count ? res->items[i].priority : 0;
}

LIBMOD_EXPORT struct mod_index_result *mod_index_result_free(struct mod_index_result *res)
{
	free(res);
	return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Exact lookups                                                                               */

/* Find the node where key ends, fully decoded. -ENOENT when the trie has no such node. */
static int find_node(const struct mod_index *idx, const char *key, struct node *out)
{
	const unsigned char *k = (const unsigned char *)key;
	uint32_t ref = idx->root;
	size_t i = 0;
	int r;

	if ((ref & INDEX_NODE_MASK) == 0)
		return -ENOENT;
	for (;;) {
		struct node n;
		size_t pos;

		r = node_open(idx, ref, &n);
		if (r < 0)
			return r;
		pos = n.off;
		if (n.flags & INDEX_NODE_PREFIX) {
			/* Compare in place: the scan stops at the first difference or the NUL. */
			for (;; pos++, i++) {
				if (pos >= idx->size)
					return corrupt(idx, n.off, "prefix not terminated");
				if (idx->data[pos] == '\0')
					break;
				if (idx->data[pos] != k[i])
					return -ENOENT;
			}
			pos++;
		}
		r = node_parse_rest(idx, &n, pos);
		if (r < 0)
			return r;
		if (k[i] == '\0') {
			*out = n;
			return 0;
		}
		ref = node_child(&n, k[i]);
		if ((ref & INDEX_NODE_MASK) == 0)
			return -ENOENT;
		i++;
	}
}

LIBMOD_EXPORT int mod_index_lookup(struct mod_index *idx, const char *key, const char **value)
{
	struct node n;
	const char *v;
	size_t pos, len;
	uint32_t prio;
	int r;

	if (!idx || !key || !value)
		return -EINVAL;
	r = find_node(idx, key, &n);
	if (r < 0)
		return r;
	if (n.nvalues == 0)
		return -ENOENT;
	pos = n.values;
	r = value_next(idx, &n, &pos, &v, &len, &prio);
	if (r < 0)
		return r;
	*value = v;
	return 0;
}

static int add_node_values(const struct mod_index *idx, const struct node *n,
			   struct mod_index_result **res, size_t *consumed)
{
	size_t pos = n->values, len;
	const char *v;
	uint32_t prio;
	int r;

	for (uint32_t i = 0; i < n->nvalues; i++) {
		r = value_next(idx, n, &pos, &v, &len, &prio);
		if (r < 0)
			return r;
		r = result_add(res, v, prio);
		if (r < 0)
			return r;
	}
	if (consumed)
		*consumed = pos - n->values;
	return 0;
}

LIBMOD_EXPORT int mod_index_lookup_all(struct mod_index *idx, const char *key,
				       struct mod_index_result **ret)
{
	struct mod_index_result *res = NULL;
	struct node n;
	int r;

	if (!idx || !key || !ret)
		return -EINVAL;
	r = find_node(idx, key, &n);
	if (r < 0)
		return r;
	if (n.nvalues == 0)
		return -ENOENT;
	r = add_node_values(idx, &n, &res, NULL);
	if (r < 0) {
		free(res);
		return r;
	}
	/* Stored order is already priority order (the writer's tie rule). */
	*ret = res;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Subtree walks                                                                               */

struct walk;
/* Called for each node that has values, with w->key holding the node's full key. */
typedef int (*walk_visit_fn)(struct walk *w, const struct node *n);

struct walk_frame {
	struct node n;
	size_t keylen; /* key length before this node's edge character and prefix */
	unsigned int next; /* next child character to try */
};

#define WALK_STACK_INLINE 48
/*
 * Longest key a walk builds. Real keys are a few hundred bytes; the cap bounds the cost of each
 * step (pattern checks are linear in the key) when a hostile file chains nodes into a cycle.
 */
#define WALK_MAX_KEY 8192u

struct walk {
	const struct mod_index *idx;
	struct strbuf key;
	size_t budget;         /* bytes of nodes we may still decode; bounds cycles/sharing */
	bool values_first;     /* pre-order visit (foreach) or after the children (wildcards) */
	walk_visit_fn visit;
	bool (*viable)(struct walk *w); /* optional: false skips the node's subtree */
	void *data;
	struct walk_frame *stack;
	size_t depth, alloc;
	struct walk_frame inline_stack[WALK_STACK_INLINE];
	char keybuf[256];
};

static void walk_init(struct walk *w, const struct mod_index *idx, bool values_first,
		      walk_visit_fn visit, void *data)
{
	w->idx = idx;
	strbuf_init(&w->key, w->keybuf, sizeof(w->keybuf), 0);
	/* A tree's nodes are disjoint, so a full walk decodes at most the file once (plus one
	 * per node for empty nodes); twice the size leaves room for the wildcard re-visit. */
	w->budget = 2 * idx->size + 64;
	w->values_first = values_first;
	w->visit = visit;
	w->viable = NULL;
	w->data = data;
	w->stack = w->inline_stack;
	w->depth = 0;
	w->alloc = WALK_STACK_INLINE;
}

static void walk_release(struct walk *w)
{
	strbuf_release(&w->key);
	if (w->stack != w->inline_stack)
		free(w->stack);
}

static int walk_charge(struct walk *w, const struct node *n, size_t bytes)
{
	if (bytes >= w->budget)
		return corrupt(w->idx, n->off, "node graph larger than the file (reference cycle?)");
	w->budget -= bytes;
	return 0;
}

/* Decode the node at ref, append its prefix from byte `skip` on, and push it. */
static int walk_push(struct walk *w, uint32_t ref, size_t skip, size_t keylen)
{
	const struct mod_index *idx = w->idx;
	struct walk_frame *f;
	struct node n;
	size_t pos;
	int r;

	r = node_open(idx, ref, &n);
	if (r < 0)
		return r;
	r = node_measure_prefix(idx, &n);
	if (r < 0)
		return r;
	if (skip > n.plen)
		return corrupt(idx, n.off, "prefix shorter than expected");
	pos = n.off + ((n.flags & INDEX_NODE_PREFIX) ? n.plen + 1 : 0);
	r = node_parse_rest(idx, &n, pos);
	if (r < 0)
		return r;
	r = walk_charge(w, &n, 1 + (n.values - n.off));
	if (r < 0)
		return r;
	if (strbuf_len(&w->key) + (n.plen - skip) > WALK_MAX_KEY)
		return corrupt(idx, n.off, "key longer than 8192 bytes (reference cycle?)");
	if (n.plen > skip) {
		r = strbuf_pushmem(&w->key, idx->data + n.off + skip, n.plen - skip);
		if (r < 0)
			return r;
	}
	if (w->viable && !w->viable(w)) {
		strbuf_popn(&w->key, strbuf_len(&w->key) - keylen);
		return 0;
	}
	if (w->depth == w->alloc) {
		size_t na = w->alloc * 2;
		struct walk_frame *s;

		if (w->stack == w->inline_stack) {
			s = malloc(na * sizeof(*s));
			if (s)
				memcpy(s, w->stack, w->depth * sizeof(*s));
		} else {
			s = realloc(w->stack, na * sizeof(*s));
		}
		if (!s)
			return -ENOMEM;
		w->stack = s;
		w->alloc = na;
	}
	f = &w->stack[w->depth++];
	f->n = n;
	f->keylen = keylen;
	f->next = n.first;
	if (w->values_first && n.nvalues > 0)
		return w->visit(w, &f->n);
	return 0;
}

/*
 * Depth-first walk from ref, children in ascending character order. The key buffer must already
 * hold whatever precedes the node (the first `skip` prefix bytes are not appended again).
 */
static int walk_run(struct walk *w, uint32_t ref, size_t skip)
{
	int r;

	r = walk_push(w, ref, skip, strbuf_len(&w->key));
	while (r >= 0 && w->depth > 0) {
		struct walk_frame *f = &w->stack[w->depth - 1];
		uint32_t child = 0;
		unsigned int ch;

		for (ch = f->next; ch <= f->n.last; ch++) {
			child = node_child(&f->n, (unsigned char)ch);
			if (child & INDEX_NODE_MASK)
				break;
		}
		if (ch <= f->n.last) {
			size_t before = strbuf_len(&w->key);

			f->next = ch + 1;
			r = strbuf_pushchar(&w->key, (char)ch);
			if (r >= 0)
				r = walk_push(w, child, 0, before);
			continue;
		}
		if (!w->values_first && f->n.nvalues > 0) {
			r = w->visit(w, &f->n);
			if (r < 0)
				break;
		}
		strbuf_popn(&w->key, strbuf_len(&w->key) - f->keylen);
		w->depth--;
	}
	w->depth = 0;
	return r < 0 ? r : 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Wildcard lookups                                                                            */

/*
 * One character against the bracket expression at p (which points at '['), as fnmatch does in
 * the C locale (the locale modprobe runs in): sets, ranges by byte value, '!' or '^' negation, a
 * leading ']' taken literally. Returns 1/0 and sets *end past the closing ']', or -1 for what it
 * leaves to fnmatch: classes ([:alpha:], [=a=], [.a.]), escapes, non-ASCII, no closing ']'.
 */
static int bracket_match(const char *p, unsigned char c, const char **end)
{
	bool neg = false, hit = false, first = true;

	p++;
	if (*p == '!' || *p == '^') {
		neg = true;
		p++;
	}
	for (;; first = false) {
		unsigned char lo = (unsigned char)*p;

		if (lo == '\0' || lo == '\\' || lo >= 0x80)
			return -1;
		if (lo == ']' && !first)
			break;
		if (lo == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.'))
			return -1;
		if (p[1] == '-' && p[2] != ']' && p[2] != '\0') {
			unsigned char hi = (unsigned char)p[2];

			if (hi == '\\' || hi == '[' || hi >= 0x80)
				return -1;
			if (lo <= c && c <= hi)
				hit = true;
			p += 3;
		} else {
			if (lo == c)
				hit = true;
			p++;
		}
	}
	*end = p + 1;
	return hit != neg;
}

/*
 * fnmatch(pattern, s, 0) for ASCII patterns of literals, '*', '?' and simple brackets: a
 * matcher with single-star backtracking and no allocation. Returns 1/0 for match/no match, -1
 * when the pattern has something it does not handle ('\\', classes, non-ASCII), so the caller
 * asks fnmatch. The query is known to be ASCII when this is used.
 * With `prefix`, the pattern is taken as followed by '*': "could some completion match?".
 */
static int simple_glob(const char *p, const char *s, bool prefix)
{
	const char *star_p = NULL, *star_s = NULL;

	for (;;) {
		unsigned char pc = (unsigned char)*p;

		if (pc == '\0' && prefix)
			return 1;
		if (pc == '\\' || pc >= 0x80)
			return -1;
		if (pc == '[' && *s != '\0') {
			const char *end;
			int m = bracket_match(p, (unsigned char)*s, &end);

			if (m < 0)
				return -1;
			if (m) {
				p = end;
				s++;
				continue;
			}
			if (!star_p)
				return 0;
			p = star_p;
			s = ++star_s;
			continue;
		}
		if (pc == '*') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (*s == '\0')
			/* Only stars match nothing, and pc is not one. */
			return pc == '\0';
		if (pc != '\0' && (pc == '?' || pc == (unsigned char)*s)) {
			p++;
			s++;
			continue;
		}
		if (!star_p)
			return 0;
		/* Let the last star swallow one more character and retry after it. */
		p = star_p;
		s = ++star_s;
	}
}

struct wild {
	const char *subkey;
	bool ascii;
	struct mod_index_result **res;
};

static int wild_visit(struct walk *w, const struct node *n)
{
	struct wild *wd = w->data;
	const char *pat = strbuf_str(&w->key);
	int m = wd->ascii ? simple_glob(pat, wd->subkey, false) : -1;
	size_t consumed = 0;
	int r;

	if (m < 0)
		m = fnmatch(pat, wd->subkey, 0) == 0;
	if (!m)
		return 0;
	r = add_node_values(w->idx, n, wd->res, &consumed);
	if (r < 0)
		return r;
	/* Values count against the budget too, or a shared node with many could be re-read. */
	return walk_charge(w, n, consumed + 1);
}

/*
 * Every pattern below a node starts with the key built so far; if that prefix followed by '*'
 * cannot match the query, nothing below can, so the subtree is skipped. Matches and their
 * discovery order are unchanged; most of an alias subtree is never decoded.
 */
static bool wild_viable(struct walk *w)
{
	struct wild *wd = w->data;

	return !wd->ascii || simple_glob(strbuf_str(&w->key), wd->subkey, true) != 0;
}

/* Match every key completion below ref (seeded with `seed`, skipping `skip` prefix bytes). */
static int wild_subtree(const struct mod_index *idx, uint32_t ref, size_t skip, const char *seed,
			size_t seedlen, const char *subkey, bool ascii,
			struct mod_index_result **res)
{
	struct wild wd = { subkey, ascii, res };
	struct walk w;
	int r;

	walk_init(&w, idx, false, wild_visit, &wd);
	w.viable = wild_viable;
	r = strbuf_pushmem(&w.key, seed, seedlen);
	if (r >= 0)
		r = walk_run(&w, ref, skip);
	walk_release(&w);
	return r;
}

static bool is_wild(unsigned char c)
{
	return c == '*' || c == '?' || c == '[';
}

static int wild_lookup(const struct mod_index *idx, const char *key, bool ascii,
		       struct mod_index_result **res)
{
	static const char wildchars[] = { '*', '?', '[' };
	const unsigned char *k = (const unsigned char *)key;
	uint32_t ref = idx->root;
	size_t i = 0;
	int r;

	while (ref & INDEX_NODE_MASK) {
		struct node n;
		size_t pos;

		r = node_open(idx, ref, &n);
		if (r < 0)
			return r;
		pos = n.off;
		if (n.flags & INDEX_NODE_PREFIX) {
			for (size_t j = 0;; pos++, j++) {
				unsigned char c;

				if (pos >= idx->size)
					return corrupt(idx, n.off, "prefix not terminated");
				c = idx->data[pos];
				if (c == '\0') {
					i += j;
					break;
				}
				/* A pattern inside the prefix: the rest of this subtree is matched
				 * against the rest of the key. */
				if (is_wild(c))
					return wild_subtree(idx, ref, j, NULL, 0, key + i + j, ascii,
							    res);
				if (c != k[i + j])
					return 0;
			}
			pos++;
		}
		r = node_parse_rest(idx, &n, pos);
		if (r < 0)
			return r;
		for (size_t c = 0; c < ARRAY_SIZE(wildchars); c++) {
			uint32_t child = node_child(&n, (unsigned char)wildchars[c]);

			if (!(child & INDEX_NODE_MASK))
				continue;
			r = wild_subtree(idx, child, 0, &wildchars[c], 1, key + i, ascii, res);
			if (r < 0)
				return r;
		}
		if (k[i] == '\0')
			return add_node_values(idx, &n, res, NULL);
		ref = node_child(&n, k[i]);
		i++;
	}
	return 0;
}

LIBMOD_EXPORT int mod_index_lookup_wild(struct mod_index *idx, const char *key,
					struct mod_index_result **ret)
{
	struct mod_index_result *res = NULL;
	bool ascii = true;
	int r;

	if (!idx || !key || !ret)
		return -EINVAL;
	/* The fast matcher agrees with fnmatch only on ASCII (multibyte locales). */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		if (*p >= 0x80) {
			ascii = false;
			break;
		}
	}
	r = wild_lookup(idx, key, ascii, &res);
	if (r < 0) {
		free(res);
		return r;
	}
	if (!res)
		return -ENOENT;
	result_order(res);
	*ret = res;
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* foreach and dump                                                                            */

struct foreach_data {
	mod_index_visit_fn fn;
	void *data;
};

static int foreach_visit(struct walk *w, const struct node *n)
{
	struct foreach_data *fd = w->data;
	const char *key = strbuf_str(&w->key);
	size_t pos = n->values, len;
	const char *v;
	uint32_t prio;
	int r;

	for (uint32_t i = 0; i < n->nvalues; i++) {
		r = value_next(w->idx, n, &pos, &v, &len, &prio);
		if (r < 0)
			return r;
		r = walk_charge(w, n, len + 5);
		if (r < 0)
			return r;
		r = fd->fn(key, v, prio, fd->data);
		if (r < 0)
			return r;
	}
	return 0;
}

LIBMOD_EXPORT int mod_index_foreach(struct mod_index *idx, mod_index_visit_fn fn, void *data)
{
	struct foreach_data fd = { fn, data };
	struct walk w;
	int r;

	if (!idx || !fn)
		return -EINVAL;
	if ((idx->root & INDEX_NODE_MASK) == 0)
		return 0;
	walk_init(&w, idx, true, foreach_visit, &fd);
	r = walk_run(&w, idx->root, 0);
	walk_release(&w);
	return r;
}

struct dump_data {
	struct wbuf *out;
	const char *prefix;
};

static int dump_visit(const char *key, const char *value, unsigned int priority, void *data)
{
	struct dump_data *dd = data;

	wbuf_puts(dd->out, dd->prefix);
	wbuf_puts(dd->out, key);
	wbuf_putc(dd->out, ' ');
	wbuf_puts(dd->out, value);
	wbuf_putc(dd->out, '\n');
	return dd->out->err;
}

LIBMOD_EXPORT int mod_index_dump(struct mod_index *idx, int fd, const char *prefix)
{
	_cleanup_free_ struct wbuf *out = NULL;
	struct dump_data dd;
	int r, r2;

	if (!idx || fd < 0)
		return -EINVAL;
	out = malloc(sizeof(*out));
	if (!out)
		return -ENOMEM;
	wbuf_init(out, fd);
	dd.out = out;
	dd.prefix = prefix ? prefix : "";
	r = mod_index_foreach(idx, dump_visit, &dd);
	/* Flush what was produced even after an error, like a line-by-line writer would. */
	r2 = wbuf_flush(out);
	if (r < 0)
		return r;
	return r2;
}
