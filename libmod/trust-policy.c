/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The signature policy for loads: which modules must be signed by a trusted key before they are
 * handed to the kernel, and the check itself, on top of the offline verifier (verify.c).
 *
 * Where the policy comes from, strongest first: the context's setting (a tool's
 * --require-signature or --allow-unsigned), then modprobe.d's `require_signature <glob>` lines
 * for probes. The trust directory likewise: the context's, `trusted_keys`, the default.
 *
 * The check fails closed: a module that cannot be checked (no trust directory, a build
 * without libcrypto, an unreadable file) is refused like an untrusted one, because a policy
 * that lets a module through whenever checking is impossible would protect nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libmod-private.h"
#include "strbuf.h"

LIBMOD_EXPORT int mod_ctx_set_signature_policy(struct mod_ctx *ctx,
					       enum mod_signature_policy policy,
					       const char *trust_dir)
{
	char *dir = NULL;

	if (!ctx || (unsigned int)policy > MOD_SIGNATURE_POLICY_ALLOW)
		return -EINVAL;
	if (trust_dir) {
		if (!*trust_dir)
			return -EINVAL;
		dir = strdup(trust_dir);
		if (!dir)
			return -ENOMEM;
	}
	free(ctx->sig_trust_dir);
	ctx->sig_trust_dir = dir;
	ctx->sig_policy = policy;
	return 0;
}

bool trust_policy_applies(struct mod_module *mod, bool probed)
{
	struct mod_ctx *ctx = mod_module_get_ctx(mod);
	struct mod_config *cfg;

	switch (ctx->sig_policy) {
	case MOD_SIGNATURE_POLICY_REQUIRE:
		return true;
	case MOD_SIGNATURE_POLICY_ALLOW:
		return false;
	case MOD_SIGNATURE_POLICY_CONFIG:
		break;
	}
	/* A single insert reads no configuration, as insmod does not. */
	if (!probed || mod_ctx_get_config(ctx, &cfg) < 0)
		return false;
	return mod_config_requires_signature(cfg, mod_module_get_name(mod));
}

/* The trust directory in force for this context (never NULL). */
static const char *policy_trust_dir(struct mod_ctx *ctx)
{
	struct mod_config *cfg;
	const char *dir;

	if (ctx->sig_trust_dir)
		return ctx->sig_trust_dir;
	if (mod_ctx_get_config(ctx, &cfg) == 0 && mod_config_get_trusted_keys(cfg, &dir) == 0)
		return dir;
	return mod_signature_default_trust_dir();
}

/* "signed by an untrusted key (signer 'X', key 01:02:...)", or without the parts not known. */
static char *untrusted_reason(const struct mod_signature_verdict *v)
{
	const char *signer = mod_signature_verdict_get_signer(v);
	size_t n;
	const uint8_t *id = mod_signature_verdict_get_key_id(v, &n);
	struct strbuf sb;
	int r;

	strbuf_init(&sb, NULL, 0, 4096);
	r = strbuf_pushstr(&sb, "signed by an untrusted key");
	if (r == 0 && (*signer || n > 0))
		r = strbuf_pushstr(&sb, " (");
	if (r == 0 && *signer)
		r = strbuf_pushf(&sb, "signer '%s'%s", signer, n > 0 ? ", " : "");
	if (r == 0 && n > 0)
		r = strbuf_pushstr(&sb, "key ");
	for (size_t i = 0; i < n && r == 0; i++)
		r = strbuf_pushf(&sb, "%s%02x", i ? ":" : "", id[i]);
	if (r == 0 && (*signer || n > 0))
		r = strbuf_pushchar(&sb, ')');
	if (r < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

LIBMOD_EXPORT int mod_module_check_trusted(struct mod_module *mod, const char *trust_dir,
					   char **why)
{
	struct mod_signature_verdict *v = NULL;
	char *text = NULL;
	int r;

	if (!mod)
		return -EINVAL;
	if (!trust_dir)
		trust_dir = policy_trust_dir(mod_module_get_ctx(mod));
	/* The verifier reads the module's image: decompressed, as the kernel verifies it. */
	r = mod_module_verify_signature(mod, trust_dir, &v);
	if (r < 0)
		return r;
	switch (mod_signature_verdict_get_status(v)) {
	case MOD_SIGNATURE_VALID:
		mod_signature_verdict_free(v);
		return 0;
	case MOD_SIGNATURE_UNSIGNED:
		text = strdup("unsigned");
		break;
	case MOD_SIGNATURE_UNKNOWN_KEY:
		text = untrusted_reason(v);
		break;
	case MOD_SIGNATURE_INVALID:
		if (asprintf(&text, "invalid signature (%s)",
			     mod_signature_reason_str(mod_signature_verdict_get_reason(v))) < 0)
			text = NULL;
		break;
	}
	mod_signature_verdict_free(v);
	if (!text)
		return -ENOMEM;
	if (why)
		*why = text;
	else
		free(text);
	return -ENOKEY;
}

int trust_policy_check(struct mod_module *mod)
{
	struct mod_ctx *ctx = mod_module_get_ctx(mod);
	const char *dir = policy_trust_dir(ctx);
	const char *name = mod_module_get_name(mod);
	const char *path = mod_module_get_path(mod);
	char *why = NULL;
	struct stat st;
	int r;

	/*
	 * The directory first: an unsigned module is judged without reading it, and a missing
	 * directory is a configuration error the administrator must hear about either way.
	 */
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		r = stat(dir, &st) < 0 ? -errno : -ENOTDIR;
		ERR(ctx, "signature policy: cannot check %s: trusted key directory %s: %s\n", name,
		    dir, strerror(-r));
		return r;
	}
	r = mod_module_check_trusted(mod, dir, &why);
	if (r == 0)
		return 0;
	if (r == -ENOKEY)
		ERR(ctx, "signature policy: refusing %s (%s): %s\n", name, path ? path : "no file",
		    why);
	else if (r == -EOPNOTSUPP)
		ERR(ctx, "signature policy: cannot check %s: this build cannot verify signatures "
			 "(no libcrypto)\n",
		    name);
	else if (r == -ENOENT || r == -EACCES || r == -ENOTDIR)
		ERR(ctx, "signature policy: cannot check %s: trusted key directory %s: %s\n", name,
		    dir, strerror(-r));
	else
		ERR(ctx, "signature policy: cannot check %s (%s): %s\n", name, path ? path : "no file",
		    strerror(-r));
	free(why);
	return r;
}
