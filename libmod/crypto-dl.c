/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading libcrypto on first use; see crypto-dl.h. */
#include "crypto-dl.h"

#if ENABLE_OPENSSL
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/opensslv.h>

#include "dlopen-note.h"

#if OPENSSL_VERSION_MAJOR >= 3
#define CRYPTO_SONAME "libcrypto.so.3"
#else
#define CRYPTO_SONAME "libcrypto.so.1.1"
#endif

DLOPEN_NOTE(note_crypto, DLOPEN_NOTE_JSON("openssl", "Support for decoding PKCS#7 module signatures",
					  "suggested", CRYPTO_SONAME));

static struct crypto_fns fns;
static const struct crypto_fns *loaded;
static struct crypto_verify_fns vfns;
static const struct crypto_verify_fns *verify_loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define LOAD_INTO(table, h, name, fail)                                                             \
	do {                                                                                       \
		*(void **)&(table).name = dlsym(h, #name);                                         \
		if (!(table).name)                                                                 \
			goto fail;                                                                 \
	} while (0)
#define LOAD(h, name) LOAD_INTO(fns, h, name, fail)
#define LOAD_V(h, name) LOAD_INTO(vfns, h, name, no_verify)

/* The verifier's functions: when one is missing only verification is unavailable. */
static void crypto_load_verify(void *h)
{
	LOAD_V(h, d2i_CMS_ContentInfo);
	LOAD_V(h, CMS_ContentInfo_free);
	LOAD_V(h, CMS_get0_type);
	LOAD_V(h, CMS_get0_eContentType);
	LOAD_V(h, CMS_is_detached);
	LOAD_V(h, CMS_get0_SignerInfos);
	LOAD_V(h, CMS_signed_get_attr_count);
	LOAD_V(h, CMS_SignerInfo_get0_algs);
	LOAD_V(h, CMS_SignerInfo_get0_signer_id);
	LOAD_V(h, CMS_SignerInfo_get0_signature);
	LOAD_V(h, CMS_SignerInfo_cert_cmp);
	LOAD_V(h, OBJ_nid2sn);
	LOAD_V(h, EVP_get_digestbyname);
	LOAD_V(h, EVP_Digest);
	LOAD_V(h, EVP_PKEY_CTX_new);
	LOAD_V(h, EVP_PKEY_CTX_free);
	LOAD_V(h, EVP_PKEY_CTX_ctrl);
	LOAD_V(h, EVP_PKEY_verify_init);
	LOAD_V(h, EVP_PKEY_verify);
	LOAD_V(h, EVP_PKEY_verify_recover_init);
	LOAD_V(h, EVP_PKEY_verify_recover);
	LOAD_V(h, BIO_new_mem_buf);
	LOAD_V(h, BIO_free);
	LOAD_V(h, PEM_read_bio_X509);
	LOAD_V(h, d2i_X509);
	LOAD_V(h, X509_free);
	LOAD_V(h, X509_get0_pubkey);
	LOAD_V(h, X509_get_subject_name);
	LOAD_V(h, X509_get0_subject_key_id);
	LOAD_V(h, X509_get_serialNumber);
	LOAD_V(h, ERR_clear_error);
	verify_loaded = &vfns;
no_verify:
	return;
}

static void crypto_load(void)
{
	/* Kept open for the life of the process: the pointers must stay valid. */
	void *h = dlopen(CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return;
	LOAD(h, d2i_PKCS7);
	LOAD(h, PKCS7_free);
	LOAD(h, PKCS7_get_signer_info);
	LOAD(h, OPENSSL_sk_num);
	LOAD(h, OPENSSL_sk_value);
	LOAD(h, ASN1_STRING_length);
	LOAD(h, ASN1_STRING_get0_data);
	LOAD(h, ASN1_INTEGER_to_BN);
	LOAD(h, BN_num_bits);
	LOAD(h, BN_bn2bin);
	LOAD(h, BN_free);
	LOAD(h, X509_NAME_get_index_by_NID);
	LOAD(h, X509_NAME_get_entry);
	LOAD(h, X509_NAME_ENTRY_get_data);
	LOAD(h, X509_ALGOR_get0);
	LOAD(h, OBJ_obj2nid);
	loaded = &fns;
	crypto_load_verify(h);
	return;
fail:
	dlclose(h);
}

const struct crypto_fns *crypto_get(void)
{
	pthread_once(&once, crypto_load);
	return loaded;
}

char *crypto_name_cn(const struct crypto_fns *c, X509_NAME *name)
{
	int idx = name ? c->X509_NAME_get_index_by_NID(name, NID_commonName, -1) : -1;
	X509_NAME_ENTRY *e = idx >= 0 ? c->X509_NAME_get_entry(name, idx) : NULL;
	ASN1_STRING *cn = e ? c->X509_NAME_ENTRY_get_data(e) : NULL;

	if (!cn)
		return strdup("");
	return strndup((const char *)c->ASN1_STRING_get0_data(cn),
		       (size_t)c->ASN1_STRING_length(cn));
}

const struct crypto_verify_fns *crypto_get_verify(void)
{
	pthread_once(&once, crypto_load);
	return verify_loaded;
}
#endif
