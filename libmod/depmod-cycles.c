/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * depmod: reporting dependency cycles, once the ordering found modules it could not place.
 *
 * Every elementary cycle is reported once, as "Cycle detected: a -> b -> c -> a", and the count
 * line names every module on one. The first pass walks the way kmod does, so the lines
 * and their order are kmod's wherever it finishes. Its roots are the unplaced modules
 * in array order on a circular list; from the head root a depth-first walk (a module's
 * dependencies taken last first, as its stack pops them) reports every path back to the root.
 * The modules of a reported cycle, and modules without dependencies the walk meets, leave the
 * list, and (a quirk of its list code the order depends on) each removal moves the list's head
 * to the removed module's successor. kmod's walk never ends on a path that loops
 * elsewhere and drops cycles whose modules were all taken by others; here paths stay elementary
 * and a second pass reports, Johnson-style (each cycle from its first module in array order),
 * the cycles the first missed. Neither prints kmod's one-module "Cycle detected: x"
 * for a root an earlier walk passed through: x is on no cycle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "depmod.h"
#include "strbuf.h"

struct cyc {
	const struct mod_depmod *d;
	size_t n;
	uint8_t *cyclic;    /* the module is on a reported cycle */
	uint8_t *on_path;
	uint8_t *excluded;  /* placed by the ordering, or (second pass) an earlier start */
	uint8_t *reaches;   /* can reach the current root (prunes paths that never return) */
	/* first pass: the circular list of roots */
	uint32_t *next, *prev;
	uint8_t *in_list;
	uint32_t head;
	/* modules met off the paths back to the root, once per root (stamped with gen) */
	uint32_t *stamp, gen;
	uint32_t *path, *queue;
	size_t depth;
	size_t n_cyclic;
	/* reported cycles, rotated to start at their lowest index: for the second pass */
	uint32_t *seen;
	size_t seen_len, seen_cap;
	bool second_pass;
	int err;
};

#define NONE UINT32_MAX

/* Take m off the root list; as in kmod, the head moves to m's successor. */
static void list_remove(struct cyc *c, uint32_t m)
{
	if (!c->in_list[m])
		return;
	c->in_list[m] = 0;
	if (c->next[m] == m) {
		c->head = NONE;
		return;
	}
	c->next[c->prev[m]] = c->next[m];
	c->prev[c->next[m]] = c->prev[m];
	c->head = c->next[m];
}

/* Offsets of cycles in `seen` are implicit: each is stored as its length, then the indexes. */
static bool seen_has(const struct cyc *c, const uint32_t *cyc, size_t len)
{
	for (size_t off = 0; off < c->seen_len; off += 1 + c->seen[off]) {
		if (c->seen[off] == len && memcmp(&c->seen[off + 1], cyc, len * 4) == 0)
			return true;
	}
	return false;
}

/* The current path as a canonical cycle (rotated to its lowest index) in buf. */
static void canonical(const struct cyc *c, uint32_t *buf)
{
	size_t lo = 0;

	for (size_t k = 1; k < c->depth; k++)
		if (c->path[k] < c->path[lo])
			lo = k;
	for (size_t k = 0; k < c->depth; k++)
		buf[k] = c->path[(lo + k) % c->depth];
}

static void report(struct cyc *c)
{
	uint32_t *buf = c->queue; /* free while walking: only the reachability pass uses it */
	struct strbuf sb;

	canonical(c, buf);
	if (c->second_pass && seen_has(c, buf, c->depth))
		return;
	if (c->seen_len + 1 + c->depth > c->seen_cap) {
		size_t cap = (c->seen_cap ? c->seen_cap * 2 : 256) + 1 + c->depth;
		uint32_t *ns = realloc(c->seen, cap * sizeof(*ns));

		if (!ns) {
			c->err = -ENOMEM;
			return;
		}
		c->seen = ns;
		c->seen_cap = cap;
	}
	c->seen[c->seen_len] = (uint32_t)c->depth;
	memcpy(&c->seen[c->seen_len + 1], buf, c->depth * 4);
	c->seen_len += 1 + c->depth;

	strbuf_init(&sb, NULL, 0, 0);
	for (size_t k = 0; k < c->depth; k++) {
		uint32_t m = c->path[k];

		if (!c->cyclic[m]) {
			c->cyclic[m] = 1;
			c->n_cyclic++;
		}
		list_remove(c, m);
		if (strbuf_pushstr(&sb, c->d->mods[m]->name) < 0 || strbuf_pushstr(&sb, " -> ") < 0)
			c->err = -ENOMEM;
	}
	if (strbuf_pushstr(&sb, c->d->mods[c->path[0]]->name) < 0)
		c->err = -ENOMEM;
	if (c->err >= 0)
		ERR(c->d->ctx, "Cycle detected: %s\n", strbuf_str(&sb));
	strbuf_release(&sb);
}

/* Mark the modules that can reach root without passing excluded ones (a reverse search). */
static void mark_reaching(struct cyc *c, uint32_t root, const uint32_t *rev_off,
			  const uint32_t *rev)
{
	size_t head = 0, tail = 0;

	memset(c->reaches, 0, c->n);
	c->reaches[root] = 1;
	c->queue[tail++] = root;
	while (head < tail) {
		uint32_t m = c->queue[head++];

		for (uint32_t k = rev_off[m]; k < rev_off[m + 1]; k++) {
			uint32_t u = rev[k];

			if (!c->reaches[u] && !c->excluded[u]) {
				c->reaches[u] = 1;
				c->queue[tail++] = u;
			}
		}
	}
}

/*
 * A part of the graph that cannot lead back to the root: nothing to report, but kmod
 * walks it and drops the modules without dependencies it meets from its roots, in this order.
 */
static void walk_dead_end(struct cyc *c, uint32_t m)
{
	const struct depmod_mod *mod = c->d->mods[m];

	if (c->stamp[m] == c->gen)
		return;
	c->stamp[m] = c->gen;
	if (mod->n_deps == 0)
		list_remove(c, m);
	for (size_t k = mod->n_deps; k-- > 0;)
		walk_dead_end(c, mod->deps[k]);
}

/* Every elementary path from the path's last module back to root; the last dependency first. */
static void walk(struct cyc *c, uint32_t root)
{
	const struct depmod_mod *m = c->d->mods[c->path[c->depth - 1]];

	for (size_t k = m->n_deps; k-- > 0 && c->err >= 0;) {
		uint32_t dep = m->deps[k];

		if (dep == root) {
			report(c);
			continue;
		}
		if (c->on_path[dep] || c->excluded[dep])
			continue;
		if (!c->reaches[dep]) {
			if (!c->second_pass)
				walk_dead_end(c, dep);
			continue;
		}
		c->on_path[dep] = 1;
		c->path[c->depth++] = dep;
		walk(c, root);
		c->depth--;
		c->on_path[dep] = 0;
	}
}

static void cycles_from(struct cyc *c, uint32_t root, const uint32_t *rev_off,
			const uint32_t *rev)
{
	mark_reaching(c, root, rev_off, rev);
	c->gen++;
	c->depth = 0;
	c->path[c->depth++] = root;
	c->on_path[root] = 1;
	walk(c, root);
	c->on_path[root] = 0;
}

/* Reverse edges of the unplaced modules, CSR style: users of m are rev[rev_off[m]..]. */
static int reverse_edges(const struct cyc *c, uint32_t **off_ret, uint32_t **rev_ret)
{
	const struct mod_depmod *d = c->d;
	uint32_t *off = calloc(c->n + 1, sizeof(*off)), *rev, *fill;
	size_t total = 0;

	if (!off)
		return -ENOMEM;
	for (size_t i = 0; i < c->n; i++) {
		if (c->excluded[i])
			continue;
		for (size_t k = 0; k < d->mods[i]->n_deps; k++)
			off[d->mods[i]->deps[k] + 1]++;
		total += d->mods[i]->n_deps;
	}
	for (size_t i = 0; i < c->n; i++)
		off[i + 1] += off[i];
	rev = malloc((total ? total : 1) * sizeof(*rev));
	fill = malloc((c->n ? c->n : 1) * sizeof(*fill));
	if (!rev || !fill) {
		free(off);
		free(rev);
		free(fill);
		return -ENOMEM;
	}
	memcpy(fill, off, c->n * sizeof(*fill));
	for (size_t i = 0; i < c->n; i++) {
		if (c->excluded[i])
			continue;
		for (size_t k = 0; k < d->mods[i]->n_deps; k++)
			rev[fill[d->mods[i]->deps[k]]++] = (uint32_t)i;
	}
	free(fill);
	*off_ret = off;
	*rev_ret = rev;
	return 0;
}

int depmod_report_cycles(const struct mod_depmod *d)
{
	struct cyc c = { .d = d, .n = d->n_mods };
	uint32_t *rev_off = NULL, *rev = NULL;
	int r;

	c.cyclic = calloc(c.n, 1);
	c.on_path = calloc(c.n, 1);
	c.excluded = calloc(c.n, 1);
	c.reaches = calloc(c.n, 1);
	c.in_list = calloc(c.n, 1);
	c.next = malloc(c.n * sizeof(*c.next));
	c.prev = malloc(c.n * sizeof(*c.prev));
	c.stamp = calloc(c.n, sizeof(*c.stamp));
	c.path = malloc(c.n * sizeof(*c.path));
	c.queue = malloc(c.n * sizeof(*c.queue));
	r = -ENOMEM;
	if (!c.cyclic || !c.on_path || !c.excluded || !c.reaches || !c.in_list || !c.next ||
	    !c.prev || !c.stamp || !c.path || !c.queue)
		goto out;
	/* modules the ordering placed cannot be on a cycle (nor can anything they depend on) */
	c.head = NONE;
	for (size_t i = 0; i < c.n; i++) {
		uint32_t m = (uint32_t)i;

		c.excluded[i] = d->mods[i]->sort_idx != SIZE_MAX;
		if (c.excluded[i])
			continue;
		c.in_list[m] = 1;
		if (c.head == NONE) {
			c.head = c.next[m] = c.prev[m] = m;
		} else {
			c.next[m] = c.head;
			c.prev[m] = c.prev[c.head];
			c.next[c.prev[c.head]] = m;
			c.prev[c.head] = m;
		}
	}
	r = reverse_edges(&c, &rev_off, &rev);
	if (r < 0)
		goto out;

	while (c.head != NONE && c.err >= 0) {
		uint32_t root = c.head;

		list_remove(&c, root);
		cycles_from(&c, root, rev_off, rev);
	}
	/* the cycles kmod's walk would miss (or loop on), each from its first module */
	c.second_pass = true;
	for (size_t i = 0; i < c.n && c.err >= 0; i++) {
		if (c.excluded[i])
			continue;
		cycles_from(&c, (uint32_t)i, rev_off, rev);
		c.excluded[i] = 1;
	}
	r = c.err;
	if (r >= 0)
		ERR(d->ctx, "Found %zu modules in dependency cycles!\n", c.n_cyclic);
out:
	free(rev_off);
	free(rev);
	free(c.cyclic);
	free(c.on_path);
	free(c.excluded);
	free(c.reaches);
	free(c.in_list);
	free(c.next);
	free(c.prev);
	free(c.stamp);
	free(c.path);
	free(c.queue);
	free(c.seen);
	return r;
}
