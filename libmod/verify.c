/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Verifying a module's appended signature offline, against X.509 certificates the administrator
 * trusts, by the rules the kernel applies to module signatures (listed in libmod.h).
 *
 * Why not one CMS_verify call: it cannot tell "no trusted key" from "bad signature" from
 * "modified module" except through its error queue, and it accepts forms the kernel refuses
 * (authenticated attributes, embedded content). So each rule is checked here, where it can be
 * compared with the kernel's, and libcrypto (dlopen'ed, crypto-dl.c) is asked only for the
 * primitive steps: decoding, matching a signer to a certificate, digesting, verifying.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "elf-private.h"
#include "fileio.h"
#include "module-private.h"

#include "crypto-dl.h"

/* A certificate file larger than this is not a certificate file. */
#define TRUST_FILE_MAX (1024u * 1024u)
/* The kernel's id_type for PKCS#7 (PKEY_ID_PKCS7). */
#define ID_TYPE_PKCS7 2

struct mod_signature_verdict {
	enum mod_signature_status status;
	enum mod_signature_reason reason;
	char *signer;
	uint8_t *key_id;
	size_t key_id_len;
};

LIBMOD_EXPORT const char *mod_signature_default_trust_dir(void)
{
	return SYSCONFDIR "/libmod/trusted-keys";
}

LIBMOD_EXPORT const char *mod_signature_status_str(enum mod_signature_status status)
{
	switch (status) {
	case MOD_SIGNATURE_VALID:
		return "valid";
	case MOD_SIGNATURE_INVALID:
		return "invalid";
	case MOD_SIGNATURE_UNSIGNED:
		return "unsigned";
	case MOD_SIGNATURE_UNKNOWN_KEY:
		return "unknown key";
	}
	return NULL;
}

LIBMOD_EXPORT const char *mod_signature_reason_str(enum mod_signature_reason reason)
{
	switch (reason) {
	case MOD_SIGNATURE_REASON_NONE:
		return "";
	case MOD_SIGNATURE_REASON_DIGEST_MISMATCH:
		return "digest mismatch";
	case MOD_SIGNATURE_REASON_BAD_SIGNATURE:
		return "bad signature";
	case MOD_SIGNATURE_REASON_MALFORMED:
		return "malformed";
	case MOD_SIGNATURE_REASON_UNSUPPORTED:
		return "unsupported";
	}
	return NULL;
}

LIBMOD_EXPORT struct mod_signature_verdict *
mod_signature_verdict_free(struct mod_signature_verdict *v)
{
	if (!v)
		return NULL;
	free(v->signer);
	free(v->key_id);
	free(v);
	return NULL;
}

static void verdict_freep(struct mod_signature_verdict **v)
{
	mod_signature_verdict_free(*v);
}

LIBMOD_EXPORT enum mod_signature_status
mod_signature_verdict_get_status(const struct mod_signature_verdict *v)
{
	return v->status;
}

LIBMOD_EXPORT enum mod_signature_reason
mod_signature_verdict_get_reason(const struct mod_signature_verdict *v)
{
	return v->reason;
}

LIBMOD_EXPORT const char *mod_signature_verdict_get_signer(const struct mod_signature_verdict *v)
{
	return v->signer ? v->signer : "";
}

LIBMOD_EXPORT const uint8_t *mod_signature_verdict_get_key_id(const struct mod_signature_verdict *v,
							      size_t *len)
{
	if (len)
		*len = v->key_id_len;
	return v->key_id ? v->key_id : (const uint8_t *)"";
}

/* The verdict is decided once: the first refusal stands, as the kernel stops at it. */
static void refuse(struct mod_signature_verdict *v, enum mod_signature_reason why)
{
	if (v->status != MOD_SIGNATURE_INVALID) {
		v->status = MOD_SIGNATURE_INVALID;
		v->reason = why;
	}
}

#if ENABLE_OPENSSL
/* The certificates of the trust directory. */
struct trust {
	X509 **certs;
	size_t n;
};

static void trust_release(const struct crypto_verify_fns *v, struct trust *t)
{
	for (size_t i = 0; i < t->n; i++)
		v->X509_free(t->certs[i]);
	free(t->certs);
}

static int trust_push(struct trust *t, X509 *x)
{
	X509 **grown = reallocarray(t->certs, t->n + 1, sizeof(*t->certs));

	if (!grown)
		return -ENOMEM;
	t->certs = grown;
	t->certs[t->n++] = x;
	return 0;
}

/* PEM (any number of certificates) or one DER certificate; anything else is skipped, said. */
static int trust_add_file(struct mod_ctx *ctx, const struct crypto_verify_fns *v,
			  struct trust *t, const char *path)
{
	_cleanup_free_ char *buf = NULL;
	size_t len, before = t->n;
	BIO *bio;
	X509 *x;
	int r;

	r = read_file_all(path, TRUST_FILE_MAX, &buf, &len);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		WARN(ctx, "trusted key %s skipped: %s\n", path, strerror(-r));
		return 0;
	}
	bio = len <= INT_MAX ? v->BIO_new_mem_buf(buf, (int)len) : NULL;
	if (!bio)
		return -ENOMEM;
	while ((x = v->PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		r = trust_push(t, x);
		if (r < 0) {
			v->X509_free(x);
			break;
		}
	}
	v->BIO_free(bio);
	if (r == 0 && t->n == before) {
		const unsigned char *p = (const unsigned char *)buf;

		x = len <= LONG_MAX ? v->d2i_X509(NULL, &p, (long)len) : NULL;
		if (x && trust_push(t, x) < 0) {
			v->X509_free(x);
			r = -ENOMEM;
		} else if (!x) {
			WARN(ctx, "trusted key %s skipped: no PEM or DER certificate in it\n", path);
		}
	}
	/* Failed reads leave errors on this thread's queue; they are not the caller's. */
	v->ERR_clear_error();
	return r;
}

static int no_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Files in name order, so which of two certificates for one key is used never varies. */
static int trust_load(struct mod_ctx *ctx, const struct crypto_verify_fns *v, const char *dir,
		      struct trust *t)
{
	struct dirent **names = NULL;
	int n, r = 0;

	n = scandir(dir, &names, no_hidden, alphasort);
	if (n < 0) {
		r = -errno;
		ERR(ctx, "trusted key directory %s: %s\n", dir, strerror(-r));
		return r;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;

		if (r == 0 && (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
					       names[i]->d_name) < sizeof(path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			r = trust_add_file(ctx, v, t, path);
		free(names[i]);
	}
	free(names);
	DBG(ctx, "%zu trusted certificates in %s\n", t->n, dir);
	return r;
}

/* The digests the kernel can check a module signature with; anything else it refuses. */
static const EVP_MD *kernel_digest(const struct crypto_fns *c, const struct crypto_verify_fns *v,
				   const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj = NULL;
	int nid;

	c->X509_ALGOR_get0(&obj, NULL, NULL, alg);
	nid = obj ? c->OBJ_obj2nid(obj) : NID_undef;
	switch (nid) {
	case NID_sha1:
	case NID_sha224:
	case NID_sha256:
	case NID_sha384:
	case NID_sha512:
	case NID_sha3_256:
	case NID_sha3_384:
	case NID_sha3_512:
#ifdef NID_sm3
	case NID_sm3:
#endif
		return v->EVP_get_digestbyname(v->OBJ_nid2sn(nid));
	default:
		return NULL;
	}
}

/* Which key the signature names: issuer and serial, or subjectKeyIdentifier. */
static int note_signer_id(const struct crypto_fns *c, const struct crypto_verify_fns *v,
			  CMS_SignerInfo *si, struct mod_signature_verdict *out)
{
	ASN1_OCTET_STRING *keyid = NULL;
	X509_NAME *issuer = NULL;
	ASN1_INTEGER *serial = NULL;
	const ASN1_STRING *id;

	if (out->key_id || v->CMS_SignerInfo_get0_signer_id(si, &keyid, &issuer, &serial) != 1)
		return 0;
	id = keyid ? keyid : serial;
	if (id) {
		out->key_id_len = (size_t)c->ASN1_STRING_length(id);
		out->key_id = malloc(out->key_id_len ? out->key_id_len : 1);
		if (!out->key_id)
			return -ENOMEM;
		memcpy(out->key_id, c->ASN1_STRING_get0_data(id), out->key_id_len);
	}
	if (issuer && !out->signer) {
		out->signer = crypto_name_cn(c, issuer);
		if (!out->signer)
			return -ENOMEM;
	}
	return 0;
}

/* With RSA the signature gives back the digest it was made over: if it does, the key is right
 * and the bytes changed; if not, the signature itself is wrong. Other keys cannot tell. */
static enum mod_signature_reason why_not_verified(const struct crypto_verify_fns *v,
						  EVP_PKEY *key, const EVP_MD *md,
						  const ASN1_OCTET_STRING *sig,
						  const struct crypto_fns *c)
{
	unsigned char recovered[EVP_MAX_MD_SIZE];
	size_t len = sizeof(recovered);
	EVP_PKEY_CTX *pctx = v->EVP_PKEY_CTX_new(key, NULL);
	bool is_other_digest = false;

	if (pctx && v->EVP_PKEY_verify_recover_init(pctx) == 1 &&
	    v->EVP_PKEY_CTX_ctrl(pctx, -1, EVP_PKEY_OP_TYPE_SIG, EVP_PKEY_CTRL_MD, 0,
				 (void *)md) > 0 &&
	    v->EVP_PKEY_verify_recover(pctx, recovered, &len, c->ASN1_STRING_get0_data(sig),
				       (size_t)c->ASN1_STRING_length(sig)) == 1)
		is_other_digest = len > 0;
	v->EVP_PKEY_CTX_free(pctx);
	return is_other_digest ? MOD_SIGNATURE_REASON_DIGEST_MISMATCH
			       : MOD_SIGNATURE_REASON_BAD_SIGNATURE;
}

/*
 * One SignerInfo, as pkcs7_verify_one and pkcs7_validate_trust_one see it for a module: no
 * authenticated attributes, a known digest, its key found in the trusted set (else it is only
 * noted: the kernel skips a signer it has no key for), then the signature over the digest of
 * the module bytes.
 */
static int check_signer(const struct crypto_fns *c, const struct crypto_verify_fns *v,
			const struct trust *t, CMS_SignerInfo *si, const uint8_t *data,
			size_t data_len, struct mod_signature_verdict *out, bool *is_trusted)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0;
	X509_ALGOR *dig_alg = NULL;
	const ASN1_OCTET_STRING *sig;
	const EVP_MD *md;
	EVP_PKEY_CTX *pctx;
	EVP_PKEY *key;
	X509 *cert = NULL;
	int r, ok;

	*is_trusted = false;
	r = note_signer_id(c, v, si, out);
	if (r < 0)
		return r;
	if (v->CMS_signed_get_attr_count(si) >= 0) {
		refuse(out, MOD_SIGNATURE_REASON_UNSUPPORTED); /* kernel: "has authattrs" */
		return 0;
	}
	v->CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig_alg, NULL);
	md = dig_alg ? kernel_digest(c, v, dig_alg) : NULL;
	if (!md) {
		refuse(out, MOD_SIGNATURE_REASON_UNSUPPORTED);
		return 0;
	}
	for (size_t i = 0; i < t->n && !cert; i++)
		if (v->CMS_SignerInfo_cert_cmp(si, t->certs[i]) == 0)
			cert = t->certs[i];
	if (!cert)
		return 0;

	*is_trusted = true;
	free(out->signer);
	out->signer = crypto_name_cn(c, v->X509_get_subject_name(cert));
	if (!out->signer)
		return -ENOMEM;
	key = v->X509_get0_pubkey(cert);
	sig = v->CMS_SignerInfo_get0_signature(si);
	if (!key || !sig) {
		refuse(out, MOD_SIGNATURE_REASON_BAD_SIGNATURE);
		return 0;
	}
	if (v->EVP_Digest(data, data_len, digest, &digest_len, md, NULL) != 1)
		return -ENOMEM;
	pctx = v->EVP_PKEY_CTX_new(key, NULL);
	if (!pctx)
		return -ENOMEM;
	/* EVP_PKEY_CTX_set_signature_md is this ctrl; a macro in 1.1, so not dlsym-able there. */
	ok = v->EVP_PKEY_verify_init(pctx) == 1 &&
	     v->EVP_PKEY_CTX_ctrl(pctx, -1, EVP_PKEY_OP_TYPE_SIG, EVP_PKEY_CTRL_MD, 0,
				  (void *)md) > 0 &&
	     v->EVP_PKEY_verify(pctx, c->ASN1_STRING_get0_data(sig),
				(size_t)c->ASN1_STRING_length(sig), digest, digest_len) == 1;
	v->EVP_PKEY_CTX_free(pctx);
	if (!ok)
		refuse(out, why_not_verified(v, key, md, sig, c));
	return 0;
}

/* The PKCS#7 message: SignedData over detached data, then every SignerInfo. */
static int check_pkcs7(struct mod_ctx *ctx, const struct trust *t, const uint8_t *data,
		       size_t data_len, const uint8_t *der, size_t der_len,
		       struct mod_signature_verdict *out)
{
	const struct crypto_fns *c = crypto_get();
	const struct crypto_verify_fns *v = crypto_get_verify();
	const unsigned char *p = der;
	STACK_OF(CMS_SignerInfo) *sis;
	CMS_ContentInfo *cms;
	bool any_trusted = false;
	int n, r = 0;

	cms = der_len <= LONG_MAX ? v->d2i_CMS_ContentInfo(NULL, &p, (long)der_len) : NULL;
	if (!cms || c->OBJ_obj2nid(v->CMS_get0_type(cms)) != NID_pkcs7_signed) {
		DBG(ctx, "signature: not PKCS#7 SignedData\n");
		refuse(out, MOD_SIGNATURE_REASON_MALFORMED);
		goto out;
	}
	/* The kernel: "not pkcs7-data", and "Data already supplied" for embedded content. */
	if (c->OBJ_obj2nid(v->CMS_get0_eContentType(cms)) != NID_pkcs7_data ||
	    v->CMS_is_detached(cms) != 1) {
		refuse(out, MOD_SIGNATURE_REASON_UNSUPPORTED);
		goto out;
	}
	sis = v->CMS_get0_SignerInfos(cms);
	n = sis ? c->OPENSSL_sk_num((const OPENSSL_STACK *)sis) : 0;
	if (n < 1) {
		refuse(out, MOD_SIGNATURE_REASON_MALFORMED);
		goto out;
	}
	for (int i = 0; i < n && r == 0 && out->status != MOD_SIGNATURE_INVALID; i++) {
		bool is_trusted;

		r = check_signer(c, v, t, c->OPENSSL_sk_value((const OPENSSL_STACK *)sis, i),
				 data, data_len, out, &is_trusted);
		any_trusted |= is_trusted;
	}
	if (r == 0 && out->status != MOD_SIGNATURE_INVALID)
		out->status = any_trusted ? MOD_SIGNATURE_VALID : MOD_SIGNATURE_UNKNOWN_KEY;
out:
	if (cms)
		v->CMS_ContentInfo_free(cms);
	v->ERR_clear_error();
	return r;
}
#endif

/*
 * The trailer as mod_check_sig and mod_verify_sig read it: PKCS#7 only, and every other header
 * field zero. 0 when the PKCS#7 check should follow, 1 when the verdict is already made.
 */
static int check_trailer(const void *buf, size_t len, struct sig_trailer *tr,
			 struct mod_signature_verdict *out)
{
	int r = mod_signature_trailer_internal(buf, len, tr);

	if (r == -ENODATA) {
		out->status = MOD_SIGNATURE_UNSIGNED;
		return 1;
	}
	if (r < 0 || tr->sig_len == 0) {
		refuse(out, MOD_SIGNATURE_REASON_MALFORMED);
		return 1;
	}
	if (tr->id_type != ID_TYPE_PKCS7) {
		refuse(out, MOD_SIGNATURE_REASON_UNSUPPORTED); /* kernel: -ENOPKG */
		return 1;
	}
	if (tr->algo || tr->hash || tr->signer_len || tr->key_id_len || !tr->has_zero_pad) {
		refuse(out, MOD_SIGNATURE_REASON_MALFORMED); /* kernel: -EBADMSG */
		return 1;
	}
	return 0;
}

LIBMOD_EXPORT int mod_signature_verify(struct mod_ctx *ctx, const void *buf, size_t len,
				       const char *trust_dir, struct mod_signature_verdict **ret)
{
	_cleanup_(verdict_freep) struct mod_signature_verdict *out = NULL;
	struct sig_trailer tr;
	int r = 0;

	if (!ctx || !buf || !ret)
		return -EINVAL;
	out = calloc(1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	out->status = MOD_SIGNATURE_UNKNOWN_KEY;
	if (check_trailer(buf, len, &tr, out) == 0) {
#if ENABLE_OPENSSL
		struct trust t = { 0 };

		if (!crypto_get() || !crypto_get_verify()) {
			ERR(ctx, "cannot verify signatures: libcrypto is not available\n");
			return -EOPNOTSUPP;
		}
		r = trust_load(ctx, crypto_get_verify(), trust_dir ? trust_dir
								   : mod_signature_default_trust_dir(),
			       &t);
		if (r == 0)
			r = check_pkcs7(ctx, &t, buf, tr.module_size, tr.sig, tr.sig_len, out);
		trust_release(crypto_get_verify(), &t);
		if (r < 0)
			return r;
#else
		ERR(ctx, "cannot verify signatures: built without libcrypto\n");
		return -EOPNOTSUPP;
#endif
	}
	*ret = TAKE_PTR(out);
	return r;
}

LIBMOD_EXPORT int mod_module_verify_signature(struct mod_module *mod, const char *trust_dir,
					      struct mod_signature_verdict **ret)
{
	const struct mod_signature *sig;
	const void *data;
	size_t size;
	int r;

	if (!mod || !ret)
		return -EINVAL;
	r = module_open_image(mod);
	if (r < 0)
		return r;
	data = mod_image_get_data(mod->image);
	size = mod_image_get_size(mod->image);
	r = mod_signature_verify(mod->ctx, data, size, trust_dir, ret);
	/*
	 * No magic, but bytes past the end of the ELF data: a signature cut short is damage, not
	 * an unsigned module (the module's signature lookup knows the ELF extent and says so).
	 */
	if (r == 0 && (*ret)->status == MOD_SIGNATURE_UNSIGNED &&
	    mod_module_get_signature(mod, &sig) == -EBADMSG)
		refuse(*ret, MOD_SIGNATURE_REASON_MALFORMED);
	return r;
}
