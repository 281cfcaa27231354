/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * All or nothing for modprobe's insert: what a probe loaded, so that when a module it needs
 * fails, the ones loaded before are removed again, newest first (a module can only go after
 * the modules that use it). Only what this probe loaded is recorded: modules that were loaded
 * before, or that something else loads meanwhile, are never touched. Install commands are
 * recorded too, because they cannot be undone and the message has to say so.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probe-private.h"
#include "strbuf.h"

void probe_rollback_release(struct probe_rollback *rb)
{
	for (size_t i = 0; i < rb->n; i++)
		mod_module_unref(rb->steps[i].mod);
	free(rb->steps);
	*rb = (struct probe_rollback){ 0 };
}

int probe_rollback_note(struct probe_rollback *rb, struct mod_module *mod, bool is_command)
{
	if (rb->n == rb->cap) {
		size_t cap = rb->cap ? rb->cap * 2 : 8;
		struct probe_rollback_step *v = reallocarray(rb->steps, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		rb->steps = v;
		rb->cap = cap;
	}
	rb->steps[rb->n].mod = mod_module_ref(mod);
	rb->steps[rb->n].is_command = is_command;
	rb->n++;
	return 0;
}

/*
 * Append "<title> a b c" listing the steps of one kind, newest first (of the module steps only
 * those removed[], when given); nothing when there are none. A message cut short by the
 * builder's bound is still worth printing, so a failed push only ends the list.
 */
static void add_section(struct strbuf *sb, const char *title, const struct probe_rollback *rb,
			bool commands, const bool *removed)
{
	size_t mark = strbuf_len(sb);
	bool any = false;

	if (strbuf_pushstr(sb, title) < 0)
		return;
	for (size_t i = rb->n; i > 0; i--) {
		const struct probe_rollback_step *s = &rb->steps[i - 1];

		if (s->is_command != commands || (!commands && removed && !removed[i - 1]))
			continue;
		if (strbuf_pushchar(sb, ' ') < 0 || strbuf_pushstr(sb, mod_module_get_name(s->mod)) < 0)
			break;
		any = true;
	}
	if (!any)
		strbuf_popn(sb, strbuf_len(sb) - mark);
}

void probe_rollback_run(struct probe_rollback *rb, struct mod_module *failed, int err,
			unsigned int flags, const struct mod_probe_callbacks *cb, void *data)
{
	struct mod_ctx *ctx = mod_module_get_ctx(failed);
	bool *removed = NULL, undo = !(flags & MOD_PROBE_NO_ROLLBACK);
	struct strbuf sb;

	/*
	 * The failed module's own install command failed: kmod's message already names it, and
	 * it is not something this probe did before the failure.
	 */
	if (rb->n > 0 && rb->steps[rb->n - 1].is_command && rb->steps[rb->n - 1].mod == failed) {
		mod_module_unref(rb->steps[rb->n - 1].mod);
		rb->n--;
	}
	if (rb->n == 0)
		return;
	if (undo) {
		removed = calloc(rb->n, sizeof(*removed));
		if (!removed)
			undo = false; /* out of memory: leave things as they are, and say so below */
	}
	for (size_t i = rb->n; undo && i > 0; i--) {
		struct probe_rollback_step *s = &rb->steps[i - 1];
		int r;

		if (s->is_command)
			continue;
		if (cb && cb->action)
			cb->action(s->mod, MOD_ACTION_RMMOD, NULL, "", data);
		r = mod_module_remove(s->mod, MOD_REMOVE_NOLOG);
		if (r < 0 && r != -ENOENT)
			ERR(ctx, "rollback: could not remove %s: %s\n", mod_module_get_name(s->mod),
			    strerror(-r));
		else
			removed[i - 1] = true;
	}
	/* One line: what failed, and what became of each thing this probe had done. */
	strbuf_init(&sb, NULL, 0, 8192);
	if (strbuf_pushf(&sb, "loading %s failed (%s)", mod_module_get_name(failed),
			 mod_strerror_probe(err)) == 0) {
		if (undo)
			add_section(&sb, "; rolled back, in reverse load order:", rb, false, removed);
		else
			add_section(&sb, "; left loaded (no rollback):", rb, false, NULL);
		add_section(&sb, "; install commands ran and cannot be undone:", rb, true, NULL);
	}
	ERR(ctx, "%s\n", strbuf_str(&sb));
	strbuf_release(&sb);
	free(removed);
}
