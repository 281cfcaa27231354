/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel's module loading policy (modules_disabled, lockdown, module.sig_enforce) and the
 * one-line explanation a tool prints when a load fails because of it. The kernel answers all
 * of these with a bare EPERM or EKEYREJECTED, which tells an administrator nothing about which
 * switch is set; the files it exposes do. Every file is read through the sys layer, so a test
 * root sees its own policy, and read afresh on each call: modules_disabled can change at run
 * time (once, from 0 to 1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libmod-private.h"
#include "probe-private.h"

#define MODULES_DISABLED_PATH "/proc/sys/kernel/modules_disabled"
#define LOCKDOWN_PATH "/sys/kernel/security/lockdown"
#define SIG_ENFORCE_PATH "/sys/module/module/parameters/sig_enforce"

/* The bracketed word of "none [integrity] confidentiality"; -EINVAL when there is none. */
static int parse_lockdown(const char *text, unsigned int *ret)
{
	const char *open = strchr(text, '['), *close;
	size_t n;

	if (!open)
		return -EINVAL;
	close = strchr(open, ']');
	if (!close)
		return -EINVAL;
	open++;
	n = (size_t)(close - open);
	if (n == strlen("none") && memcmp(open, "none", n) == 0)
		*ret = 0;
	else if (n == strlen("integrity") && memcmp(open, "integrity", n) == 0)
		*ret = MOD_POLICY_LOCKDOWN_INTEGRITY;
	else if (n == strlen("confidentiality") && memcmp(open, "confidentiality", n) == 0)
		*ret = MOD_POLICY_LOCKDOWN_CONFIDENTIALITY;
	else
		return -EINVAL; /* a mode this library does not know: do not guess */
	return 0;
}

LIBMOD_EXPORT int mod_ctx_get_load_policy(struct mod_ctx *ctx, unsigned int *policy,
					  unsigned int *known)
{
	unsigned int set = 0, read_ok = 0, mode;
	char buf[128];
	long v;

	if (!ctx || !policy)
		return -EINVAL;
	/* Each file may be missing (no securityfs, no CONFIG_MODULE_SIG): that fact is unknown. */
	if (mod_sys_read_long(ctx, MODULES_DISABLED_PATH, &v) == 0) {
		read_ok |= MOD_POLICY_MODULES_DISABLED;
		if (v != 0)
			set |= MOD_POLICY_MODULES_DISABLED;
	}
	if (mod_sys_read_file(ctx, LOCKDOWN_PATH, buf, sizeof(buf), NULL) == 0 &&
	    parse_lockdown(buf, &mode) == 0) {
		read_ok |= MOD_POLICY_LOCKDOWN_INTEGRITY | MOD_POLICY_LOCKDOWN_CONFIDENTIALITY;
		set |= mode;
	}
	/* A bool module parameter reads "Y" or "N" (kernel/params.c param_get_bool). */
	if (mod_sys_read_file(ctx, SIG_ENFORCE_PATH, buf, sizeof(buf), NULL) == 0 &&
	    (buf[0] == 'Y' || buf[0] == 'N')) {
		read_ok |= MOD_POLICY_SIG_ENFORCE;
		if (buf[0] == 'Y')
			set |= MOD_POLICY_SIG_ENFORCE;
	}
	*policy = set;
	if (known)
		*known = read_ok;
	return 0;
}

LIBMOD_EXPORT const char *mod_load_policy_lockdown_name(unsigned int policy)
{
	if (policy & MOD_POLICY_LOCKDOWN_CONFIDENTIALITY)
		return "confidentiality";
	if (policy & MOD_POLICY_LOCKDOWN_INTEGRITY)
		return "integrity";
	return "none";
}

/*
 * Whether the kernel will see this module's file as unsigned: no signature trailer, or a forced
 * load, which the kernel treats as a changed (so unsigned) module whatever the file holds.
 */
static bool is_unsigned(struct mod_module *mod)
{
	const struct mod_signature *sig;

	return mod_module_get_path(mod) && mod_module_get_signature(mod, &sig) == -ENODATA;
}

/*
 * The file the kernel most likely refused: a probe loads the dependencies first, so the first
 * unsigned one among those not yet loaded, else the module itself (insmod loads only that).
 * *is_unsigned_ret says whether that file is unsigned (otherwise its signature was what failed);
 * *pending_ret whether dependencies were still to load, any of which may be the one refused.
 */
static struct mod_module *refused_file(struct mod_module *mod, bool probed,
				       struct mod_module_list **deps, bool *is_unsigned_ret,
				       bool *pending_ret)
{
	enum mod_initstate state;

	*pending_ret = false;
	if (probed && mod_module_get_dependencies(mod, deps) == 0) {
		for (size_t i = 0; i < mod_module_list_count(*deps); i++) {
			struct mod_module *d = mod_module_list_get(*deps, i);

			if (mod_module_get_initstate(d, &state) == 0)
				continue;
			*pending_ret = true;
			if (is_unsigned(d)) {
				*is_unsigned_ret = true;
				return d;
			}
		}
	}
	*is_unsigned_ret = is_unsigned(mod);
	return mod;
}

/*
 * A probe refuses a module that the configuration forbids ('forbid'), or that needs a
 * forbidden one, with EPERM before the kernel is asked: that EPERM is not the kernel's policy.
 */
static bool is_refused_by_config(struct mod_module *mod)
{
	struct mod_module_list *deps = NULL;
	bool r = probe_is_forbidden(mod);

	if (!r && mod_module_get_dependencies(mod, &deps) == 0)
		for (size_t i = 0; !r && i < mod_module_list_count(deps); i++)
			r = probe_is_forbidden(mod_module_list_get(deps, i));
	mod_module_list_free(deps);
	return r;
}

/* A message about signatures, naming the file; malloc'ed into *ret. */
static int explain_signature(struct mod_module *mod, unsigned int insert_flags, bool probed,
			     const char *rule, char **ret)
{
	struct mod_module_list *deps = NULL;
	struct mod_module *m;
	const char *path;
	bool unsig, pending;
	int n;

	if (insert_flags & (MOD_INSERT_FORCE_MODVERSION | MOD_INSERT_FORCE_VERMAGIC)) {
		path = mod_module_get_path(mod);
		n = asprintf(ret, "%s and a forced load of %s counts as unsigned", rule,
			     path ? path : mod_module_get_name(mod));
		return n < 0 ? -ENOMEM : 0;
	}
	m = refused_file(mod, probed, &deps, &unsig, &pending);
	path = mod_module_get_path(m);
	if (!path)
		path = mod_module_get_name(m);
	if (unsig)
		n = asprintf(ret, "%s and %s is unsigned", rule, path);
	else
		n = asprintf(ret, "%s and did not accept the signature of %s%s", rule, path,
			     pending ? " or of a module it needs" : "");
	mod_module_list_free(deps);
	return n < 0 ? -ENOMEM : 0;
}

LIBMOD_EXPORT int mod_module_explain_insert_error(struct mod_module *mod, int err,
						  unsigned int insert_flags, bool probed,
						  char **ret)
{
	unsigned int policy;
	char *msg;
	int r;

	if (!mod || !ret)
		return -EINVAL;
	if (err > 0)
		err = -err;
	/* Nothing in this policy answers with another errno (EACCES comes from IMA, LoadPin...). */
	if (err != -EPERM && err != -EKEYREJECTED)
		return -ENODATA;
	if (probed && err == -EPERM && is_refused_by_config(mod))
		return -ENODATA;
	r = mod_ctx_get_load_policy(mod_module_get_ctx(mod), &policy, NULL);
	if (r < 0)
		return r;

	/* kernel/module/main.c may_init_module: checked before anything else, answers EPERM. */
	if (err == -EPERM && (policy & MOD_POLICY_MODULES_DISABLED)) {
		msg = strdup("loading modules is disabled (" MODULES_DISABLED_PATH " is 1)");
		if (!msg)
			return -ENOMEM;
		*ret = msg;
		return 0;
	}
	/*
	 * module_sig_check: an unsigned module, or one whose key the kernel lacks, is refused
	 * with EKEYREJECTED when signatures are enforced; only without enforcement does lockdown
	 * get asked, and it answers EPERM. A bad signature is EKEYREJECTED in any policy, so
	 * EKEYREJECTED without enforcement is not the policy's doing.
	 */
	if (err == -EKEYREJECTED && (policy & MOD_POLICY_SIG_ENFORCE))
		return explain_signature(mod, insert_flags, probed,
					 "the kernel requires signed modules (module.sig_enforce)",
					 ret);
	if (err == -EPERM && !(policy & MOD_POLICY_SIG_ENFORCE) &&
	    (policy & (MOD_POLICY_LOCKDOWN_INTEGRITY | MOD_POLICY_LOCKDOWN_CONFIDENTIALITY))) {
		char rule[64];

		/* The mode, not a parameter: Secure Boot can lock a kernel down by itself. */
		snprintf(rule, sizeof(rule), "the kernel is locked down (lockdown: %s)",
			 mod_load_policy_lockdown_name(policy));
		return explain_signature(mod, insert_flags, probed, rule, ret);
	}
	return -ENODATA;
}

LIBMOD_EXPORT int mod_ctx_explain_remove_error(struct mod_ctx *ctx, int err, char **ret)
{
	unsigned int policy;
	char *msg;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	if (err > 0)
		err = -err;
	if (err != -EPERM)
		return -ENODATA;
	r = mod_ctx_get_load_policy(ctx, &policy, NULL);
	if (r < 0)
		return r;
	/* delete_module checks modules_disabled as init_module does; lockdown does not matter. */
	if (!(policy & MOD_POLICY_MODULES_DISABLED))
		return -ENODATA;
	msg = strdup("removing modules is disabled (" MODULES_DISABLED_PATH " is 1)");
	if (!msg)
		return -ENOMEM;
	*ret = msg;
	return 0;
}
