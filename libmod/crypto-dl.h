/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcrypto, loaded on first use. Only PKCS#7 signature fields need it (modinfo), so every other
 * program (modprobe at boot, udev, depmod) never maps it: that alone is a third of modprobe's
 * start-up time. The pointers are typed from OpenSSL's own headers, so a signature mismatch is a
 * compile error, not a crash.
 */
#pragma once

#include "config.h"

#if ENABLE_OPENSSL
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

struct crypto_fns {
	__typeof__(d2i_PKCS7) *d2i_PKCS7;
	__typeof__(PKCS7_free) *PKCS7_free;
	__typeof__(PKCS7_get_signer_info) *PKCS7_get_signer_info;
	__typeof__(OPENSSL_sk_num) *OPENSSL_sk_num;
	__typeof__(OPENSSL_sk_value) *OPENSSL_sk_value;
	__typeof__(ASN1_STRING_length) *ASN1_STRING_length;
	__typeof__(ASN1_STRING_get0_data) *ASN1_STRING_get0_data;
	__typeof__(ASN1_INTEGER_to_BN) *ASN1_INTEGER_to_BN;
	__typeof__(BN_num_bits) *BN_num_bits;
	__typeof__(BN_bn2bin) *BN_bn2bin;
	__typeof__(BN_free) *BN_free;
	__typeof__(X509_NAME_get_index_by_NID) *X509_NAME_get_index_by_NID;
	__typeof__(X509_NAME_get_entry) *X509_NAME_get_entry;
	__typeof__(X509_NAME_ENTRY_get_data) *X509_NAME_ENTRY_get_data;
	__typeof__(X509_ALGOR_get0) *X509_ALGOR_get0;
	__typeof__(OBJ_obj2nid) *OBJ_obj2nid;
};

/* The loaded functions, or NULL when libcrypto is not installed (then PKCS#7 is not decoded). */
const struct crypto_fns *crypto_get(void);
#endif
