/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Appended module signatures: the `~Module signature appended~` trailer, its legacy blobs and,
 * with libcrypto, the PKCS#7 SignedData fields modinfo shows (issuer CN, issuer serial, digest
 * algorithm, encrypted digest of the first SignerInfo). Everything is untrusted input.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "elf-private.h"

#include "crypto-dl.h"

#define SIG_MAGIC "~Module signature appended~\n"
#define SIG_MAGIC_LEN (sizeof(SIG_MAGIC) - 1)
/* struct module_signature: u8 algo, hash, id_type, signer_len, key_id_len, pad[3]; be32 sig_len */
#define SIG_INFO_LEN 12

enum { ID_PGP, ID_X509, ID_PKCS7, ID_MAX };

static const char *const id_names[ID_MAX] = { "PGP", "X509", "PKCS#7" };
static const char *const hash_names[] = { "md4",    "md5",    "sha1",   "rmd160", "sha256",
					  "sha384", "sha512", "sha224", "sm3" };

struct mod_signature {
	const char *id_type;
	char *signer;
	uint8_t *key_id;
	size_t key_id_len;
	const char *hash_algo;
	uint8_t *sig;
	size_t sig_len;
	size_t module_size;
};

/* Messages name the module file when it is known. */
#define SIG_ERR(ctx, path, fmt, ...)                                                               \
	ERR(ctx, "%s%ssignature: " fmt, (path) ? (path) : "", (path) ? ": " : "", ##__VA_ARGS__)

static uint8_t *dup_bytes(const void *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);

	if (d && n)
		memcpy(d, p, n);
	return d;
}

/* PKCS#7 fields when they cannot be decoded: what kmod prints without a crypto library. */
static int fill_pkcs7_unknown(struct mod_signature *s)
{
	s->signer = strdup("");
	s->key_id = dup_bytes(NULL, 0);
	s->sig = dup_bytes(NULL, 0);
	return s->signer && s->key_id && s->sig ? 0 : -ENOMEM;
}

#if ENABLE_OPENSSL
static const char *hash_from_nid(int nid)
{
	switch (nid) {
	case NID_md4:
		return "md4";
	case NID_md5:
		return "md5";
	case NID_sha1:
		return "sha1";
	case NID_ripemd160:
		return "rmd160";
	case NID_sha256:
		return "sha256";
	case NID_sha384:
		return "sha384";
	case NID_sha512:
		return "sha512";
	case NID_sha224:
		return "sha224";
#ifdef NID_sm3
	case NID_sm3:
		return "sm3";
#endif
	default:
		return "unknown";
	}
}

static int fill_pkcs7(struct mod_ctx *ctx, const char *path, struct mod_signature *s,
		      const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	STACK_OF(PKCS7_SIGNER_INFO) *sinfos;
	PKCS7_SIGNER_INFO *si;
	PKCS7 *p7;
	BIGNUM *bn = NULL;
	const ASN1_OBJECT *alg = NULL;
	int n, err = -EBADMSG;
	const struct crypto_fns *c = crypto_get();

	if (!c) {
		/* No libcrypto on this system: the fields stay as without OpenSSL support. */
		DBG(ctx, "libcrypto not available, PKCS#7 signature fields not decoded\n");
		return fill_pkcs7_unknown(s);
	}
	if (len > LONG_MAX)
		return -EBADMSG;
	p7 = c->d2i_PKCS7(NULL, &p, (long)len);
	if (!p7) {
		SIG_ERR(ctx, path, "PKCS#7 data does not decode\n");
		return -EBADMSG;
	}
	if (c->OBJ_obj2nid(p7->type) != NID_pkcs7_signed || !p7->d.sign) {
		SIG_ERR(ctx, path, "PKCS#7 data is not SignedData\n");
		goto out;
	}
	sinfos = c->PKCS7_get_signer_info(p7);
	if (!sinfos || c->OPENSSL_sk_num((const OPENSSL_STACK *)sinfos) < 1) {
		SIG_ERR(ctx, path, "PKCS#7 data has no SignerInfo\n");
		goto out;
	}
	si = c->OPENSSL_sk_value((const OPENSSL_STACK *)sinfos, 0);
	if (!si || !si->issuer_and_serial || !si->issuer_and_serial->issuer ||
	    !si->issuer_and_serial->serial || !si->enc_digest || !si->digest_alg) {
		SIG_ERR(ctx, path, "incomplete SignerInfo\n");
		goto out;
	}

	s->sig_len = (size_t)c->ASN1_STRING_length(si->enc_digest);
	s->sig = dup_bytes(c->ASN1_STRING_get0_data(si->enc_digest), s->sig_len);

	bn = c->ASN1_INTEGER_to_BN(si->issuer_and_serial->serial, NULL);
	if (!bn || !s->sig) {
		err = -ENOMEM;
		goto out;
	}
	n = (c->BN_num_bits(bn) + 7) / 8;
	s->key_id = malloc(n > 0 ? (size_t)n : 1);
	if (!s->key_id) {
		err = -ENOMEM;
		goto out;
	}
	s->key_id_len = (size_t)c->BN_bn2bin(bn, s->key_id);

	s->signer = crypto_name_cn(c, si->issuer_and_serial->issuer);
	if (!s->signer) {
		err = -ENOMEM;
		goto out;
	}

	c->X509_ALGOR_get0(&alg, NULL, NULL, si->digest_alg);
	s->hash_algo = alg ? hash_from_nid(c->OBJ_obj2nid(alg)) : "unknown";
	err = 0;
out:
	c->BN_free(bn);
	c->PKCS7_free(p7);
	return err;
}
#endif

static void sig_freep(struct mod_signature **s)
{
	mod_signature_free(*s);
}

LIBMOD_EXPORT int mod_signature_parse(struct mod_ctx *ctx, const void *buf, size_t len,
				      struct mod_signature **ret)
{
	return mod_signature_parse_internal(ctx, NULL, buf, len, ret);
}

int mod_signature_trailer_internal(const void *buf, size_t len, struct sig_trailer *t)
{
	const uint8_t *p = buf, *info;
	size_t total, avail;

	if (len < SIG_MAGIC_LEN || memcmp(p + len - SIG_MAGIC_LEN, SIG_MAGIC, SIG_MAGIC_LEN) != 0)
		return -ENODATA;
	if (len < SIG_MAGIC_LEN + SIG_INFO_LEN)
		return -EMSGSIZE;
	avail = len - SIG_MAGIC_LEN - SIG_INFO_LEN;
	info = p + avail;
	t->algo = info[0];
	t->hash = info[1];
	t->id_type = info[2];
	t->signer_len = info[3];
	t->key_id_len = info[4];
	t->has_zero_pad = info[5] == 0 && info[6] == 0 && info[7] == 0;
	t->sig_len = mod_rd32(info + 8, true);
	total = t->sig_len + (size_t)t->signer_len + (size_t)t->key_id_len;
	if (total < t->sig_len || total > avail)
		return -EOVERFLOW;
	t->module_size = avail - total;
	t->sig = p + t->module_size + t->signer_len + t->key_id_len;
	return 0;
}

int mod_signature_parse_internal(struct mod_ctx *ctx, const char *path, const void *buf,
				 size_t len, struct mod_signature **ret)
{
	_cleanup_(sig_freep) struct mod_signature *s = NULL;
	const uint8_t *p = buf;
	struct sig_trailer t;
	size_t base;
	int r;

	if (!buf || !ret)
		return -EINVAL;
	r = mod_signature_trailer_internal(buf, len, &t);
	if (r == -ENODATA)
		return r;
	if (r == -EMSGSIZE) {
		SIG_ERR(ctx, path, "trailer is truncated\n");
		return -EBADMSG;
	}
	/* The header is judged before its lengths, so a garbage header is called that. */
	if (t.algo >= 2 || t.hash >= ARRAY_SIZE(hash_names) || t.id_type >= ID_MAX ||
	    t.sig_len == 0) {
		SIG_ERR(ctx, path, "invalid header (algo %u, hash %u, id type %u, length %zu)\n",
		    t.algo, t.hash, t.id_type, t.sig_len);
		return -EBADMSG;
	}
	if (r == -EOVERFLOW) {
		SIG_ERR(ctx, path, "lengths (%zu bytes) overflow the file\n",
		    t.sig_len + (size_t)t.signer_len + (size_t)t.key_id_len);
		return -EBADMSG;
	}
	base = t.module_size;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->id_type = id_names[t.id_type];
	s->module_size = base;
	s->hash_algo = "unknown";

	if (t.id_type == ID_PKCS7) {
#if ENABLE_OPENSSL
		int err = fill_pkcs7(ctx, path, s, t.sig, t.sig_len);

		if (err < 0)
			return err;
#else
		if (fill_pkcs7_unknown(s) < 0)
			return -ENOMEM;
#endif
	} else {
		/* Legacy layout: [signer][key id][signature] just before the header. */
		s->signer = strndup((const char *)p + base, t.signer_len);
		s->key_id = dup_bytes(p + base + t.signer_len, t.key_id_len);
		s->key_id_len = t.key_id_len;
		s->sig = dup_bytes(t.sig, t.sig_len);
		s->sig_len = t.sig_len;
		s->hash_algo = hash_names[t.hash];
		if (!s->signer || !s->key_id || !s->sig)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(s);
	return 0;
}

LIBMOD_EXPORT struct mod_signature *mod_signature_free(struct mod_signature *sig)
{
	if (!sig)
		return NULL;
	free(sig->signer);
	free(sig->key_id);
	free(sig->sig);
	free(sig);
	return NULL;
}

LIBMOD_EXPORT const char *mod_signature_get_id_type(const struct mod_signature *sig)
{
	return sig->id_type;
}

LIBMOD_EXPORT const char *mod_signature_get_signer(const struct mod_signature *sig)
{
	return sig->signer ? sig->signer : "";
}

LIBMOD_EXPORT const uint8_t *mod_signature_get_key_id(const struct mod_signature *sig,
						      size_t *len)
{
	if (len)
		*len = sig->key_id_len;
	return sig->key_id;
}

LIBMOD_EXPORT const char *mod_signature_get_hash_algo(const struct mod_signature *sig)
{
	return sig->hash_algo;
}

LIBMOD_EXPORT const uint8_t *mod_signature_get_signature(const struct mod_signature *sig,
							 size_t *len)
{
	if (len)
		*len = sig->sig_len;
	return sig->sig;
}

LIBMOD_EXPORT size_t mod_signature_get_module_size(const struct mod_signature *sig)
{
	return sig->module_size;
}
