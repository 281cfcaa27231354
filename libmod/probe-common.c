/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pieces shared by insert and removal probes: "in kernel" test, configuration access, option
 * merging, soft dependency resolution and running config commands the way kmod does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "probe-private.h"
#include "strbuf.h"

bool probe_is_inkernel(struct mod_module *mod)
{
	enum mod_initstate st;

	if (mod_module_get_initstate(mod, &st) < 0)
		return false;
	return st == MOD_INITSTATE_LIVE || st == MOD_INITSTATE_BUILTIN;
}

struct mod_config *probe_config(struct mod_ctx *ctx)
{
	struct mod_config *cfg;

	if (mod_ctx_get_config(ctx, &cfg) < 0)
		return NULL;
	return cfg;
}

bool probe_is_forbidden(struct mod_module *mod)
{
	struct mod_config *cfg = probe_config(mod_module_get_ctx(mod));
	const char *alias = mod_module_get_alias(mod);

	if (!cfg)
		return false;
	return mod_config_is_forbidden(cfg, mod_module_get_name(mod)) ||
	       (alias && mod_config_is_forbidden(cfg, alias));
}

LIBMOD_EXPORT int mod_module_get_options(struct mod_module *mod, const char *extra, char **ret)
{
	struct mod_config *cfg;
	char *opts = NULL, *joined;
	int r;

	if (!mod || !ret)
		return -EINVAL;
	cfg = probe_config(mod_module_get_ctx(mod));
	if (cfg) {
		r = mod_config_get_options(cfg, mod_module_get_name(mod), mod_module_get_alias(mod),
					   &opts);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	if (opts && *opts) {
		/*
		 * kmod always puts a space after config options, extra or not; tools that
		 * parse --show-depends output see exactly that, and the kernel does not mind.
		 */
		if (asprintf(&joined, "%s %s", opts, extra ? extra : "") < 0)
			joined = NULL;
		free(opts);
	} else {
		free(opts);
		joined = strdup(extra ? extra : "");
	}
	if (!joined)
		return -ENOMEM;
	*ret = joined;
	return 0;
}

int probe_resolve_names(struct mod_ctx *ctx, const char *const *names,
			struct mod_module_list **ret)
{
	struct mod_module_list *out = NULL;
	int r;

	/* No names, no list: most modules have no softdeps, and a plan asks for each. */
	if (!names || !names[0]) {
		*ret = NULL;
		return 0;
	}
	r = mod_module_list_new(&out);
	if (r < 0)
		return r;
	for (size_t i = 0; names && names[i]; i++) {
		struct mod_module_list *found = NULL;

		r = mod_module_lookup(ctx, names[i], &found);
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			ERR(ctx, "failed to lookup soft dependency '%s', continuing anyway.\n",
			    names[i]);
			continue;
		}
		for (size_t j = 0; j < mod_module_list_count(found) && r >= 0; j++)
			r = mod_module_list_append(out, mod_module_list_get(found, j));
		mod_module_list_free(found);
		if (r < 0) {
			mod_module_list_free(out);
			return r;
		}
	}
	*ret = out;
	return 0;
}

int probe_get_softdeps(struct mod_module *mod, struct mod_module_list **pre,
		       struct mod_module_list **post, bool *has_line)
{
	struct mod_ctx *ctx = mod_module_get_ctx(mod);
	struct mod_config *cfg = probe_config(ctx);
	const char **pre_names = NULL, **post_names = NULL;
	int r = -ENOENT;

	*pre = *post = NULL;
	if (cfg)
		r = mod_config_get_softdeps(cfg, mod_module_get_name(mod), &pre_names, &post_names);
	if (r < 0 && r != -ENOENT)
		return r;
	if (has_line)
		*has_line = r == 0;
	r = probe_resolve_names(ctx, pre_names, pre);
	if (r == 0)
		r = probe_resolve_names(ctx, post_names, post);
	free(pre_names);
	free(post_names);
	if (r < 0) {
		*pre = mod_module_list_free(*pre);
		*post = mod_module_list_free(*post);
	}
	return r;
}

/* Replace every $CMDLINE_OPTS with the options. */
static char *expand_command(const char *cmd, const char *options)
{
	static const char var[] = "$CMDLINE_OPTS";
	struct strbuf sb;
	const char *p = cmd, *hit;
	int r = 0;

	strbuf_init(&sb, NULL, 0, 0);
	while (r == 0 && (hit = strstr(p, var))) {
		r = strbuf_pushmem(&sb, p, (size_t)(hit - p));
		if (r == 0)
			r = strbuf_pushstr(&sb, options);
		p = hit + sizeof(var) - 1;
	}
	if (r == 0)
		r = strbuf_pushstr(&sb, p);
	if (r < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

int probe_run_command(struct mod_module *mod, const char *kind, const char *cmd,
		      const char *options, const struct mod_probe_callbacks *cb, void *data)
{
	struct mod_ctx *ctx = mod_module_get_ctx(mod);
	const char *name = mod_module_get_name(mod);
	_cleanup_free_ char *full = expand_command(cmd, options ? options : "");
	int status;

	if (!full)
		return -ENOMEM;
	DBG(ctx, "%s %s\n", kind, full);
	if (cb && cb->run_command)
		return cb->run_command(mod, full, data);
	/* kmod hands commands to system(3); MODPROBE_MODULE names the module. */
	setenv("MODPROBE_MODULE", name, 1);
	status = system(full);
	unsetenv("MODPROBE_MODULE");
	if (status == -1) {
		ERR(ctx, "Could not run %s command '%s' for module %s: %s\n", kind, full, name,
		    strerror(errno));
		return -EINVAL;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		ERR(ctx, "Error running %s command '%s' for module %s: retcode %d\n", kind, full,
		    name, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -EINVAL;
	}
	return 0;
}

void probe_walk_init(struct probe_walk *w, struct mod_ctx *ctx)
{
	*w = (struct probe_walk){ .ctx = ctx, .seen = STRSET_INIT };
}

void probe_walk_release(struct probe_walk *w)
{
	strset_release(&w->seen);
	free(w->stack);
	w->stack = NULL;
	w->depth = w->cap = 0;
}

/*
 * Reached `name` again while it is on the stack: if every step since is a softdep, that is a
 * softdep cycle; say "a -> b -> a".
 */
static void warn_cycle(const struct probe_walk *w, const char *name)
{
	struct strbuf sb;
	size_t from = w->depth;

	while (from > 0 && !streq(w->stack[from - 1].name, name)) {
		if (!w->stack[from - 1].entered)
			return;
		from--;
	}
	if (from == 0)
		return;
	strbuf_init(&sb, NULL, 0, 4096);
	/* A long loop is cut at the builder's bound: the message stays readable. */
	for (size_t i = from - 1; i < w->depth; i++)
		if (strbuf_pushstr(&sb, w->stack[i].name) < 0 || strbuf_pushstr(&sb, " -> ") < 0)
			break;
	WARN(w->ctx, "ignoring softdep cycle %s%s\n", strbuf_str(&sb), name);
	strbuf_release(&sb);
}

static int stack_push(struct probe_walk *w, const char *name, bool entered)
{
	if (w->depth == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct probe_walk_frame *s = reallocarray(w->stack, cap, sizeof(*s));

		if (!s)
			return -ENOMEM;
		w->stack = s;
		w->cap = cap;
	}
	w->stack[w->depth++] = (struct probe_walk_frame){ name, entered };
	return 0;
}

int probe_walk_enter(struct probe_walk *w, const char *name)
{
	unsigned int *on_stack = strset_get(&w->seen, name);
	int r;

	if (on_stack) {
		/* Only a module still on the stack can close a loop: the search is rare. */
		if (*on_stack)
			warn_cycle(w, name);
		return 1;
	}
	r = stack_push(w, name, true);
	if (r < 0)
		return r;
	r = strset_add(&w->seen, name, 1);
	if (r < 0) {
		w->depth--;
		return r;
	}
	return 0;
}

int probe_walk_push(struct probe_walk *w, const char *name)
{
	return stack_push(w, name, false);
}

void probe_walk_leave(struct probe_walk *w)
{
	unsigned int *on_stack;

	if (w->depth == 0)
		return;
	w->depth--;
	if (!w->stack[w->depth].entered)
		return;
	on_stack = strset_get(&w->seen, w->stack[w->depth].name);
	if (on_stack)
		*on_stack = 0;
}
