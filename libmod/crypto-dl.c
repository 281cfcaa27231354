/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading libcrypto on first use; see crypto-dl.h. */
#include "crypto-dl.h"

#if ENABLE_OPENSSL
#include <dlfcn.h>
#include <pthread.h>
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
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define LOAD(h, name)                                                                              \
	do {                                                                                       \
		*(void **)&fns.name = dlsym(h, #name);                                             \
		if (!fns.name)                                                                     \
			goto fail;                                                                 \
	} while (0)

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
	return;
fail:
	dlclose(h);
}

const struct crypto_fns *crypto_get(void)
{
	pthread_once(&once, crypto_load);
	return loaded;
}
#endif
