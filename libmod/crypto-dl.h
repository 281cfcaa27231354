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
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/pem.h>
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

/* A name's commonName, malloc'ed; "" when it has none; NULL only when out of memory. */
char *crypto_name_cn(const struct crypto_fns *c, X509_NAME *name);

/*
 * What verifying a signature needs on top (verify.c): CMS, because only it reads a SignerInfo
 * that names its key by subjectKeyIdentifier (sign-file -k), which d2i_PKCS7 refuses; digests;
 * public-key verification; certificates. A separate table so that a libcrypto built without
 * CMS still decodes what modinfo shows.
 */
struct crypto_verify_fns {
	__typeof__(d2i_CMS_ContentInfo) *d2i_CMS_ContentInfo;
	__typeof__(CMS_ContentInfo_free) *CMS_ContentInfo_free;
	__typeof__(CMS_get0_type) *CMS_get0_type;
	__typeof__(CMS_get0_eContentType) *CMS_get0_eContentType;
	__typeof__(CMS_is_detached) *CMS_is_detached;
	__typeof__(CMS_get0_SignerInfos) *CMS_get0_SignerInfos;
	__typeof__(CMS_signed_get_attr_count) *CMS_signed_get_attr_count;
	__typeof__(CMS_SignerInfo_get0_algs) *CMS_SignerInfo_get0_algs;
	__typeof__(CMS_SignerInfo_get0_signer_id) *CMS_SignerInfo_get0_signer_id;
	__typeof__(CMS_SignerInfo_get0_signature) *CMS_SignerInfo_get0_signature;
	__typeof__(CMS_SignerInfo_cert_cmp) *CMS_SignerInfo_cert_cmp;
	__typeof__(OBJ_nid2sn) *OBJ_nid2sn;
	__typeof__(EVP_get_digestbyname) *EVP_get_digestbyname;
	__typeof__(EVP_Digest) *EVP_Digest;
	__typeof__(EVP_PKEY_CTX_new) *EVP_PKEY_CTX_new;
	__typeof__(EVP_PKEY_CTX_free) *EVP_PKEY_CTX_free;
	__typeof__(EVP_PKEY_CTX_ctrl) *EVP_PKEY_CTX_ctrl;
	__typeof__(EVP_PKEY_verify_init) *EVP_PKEY_verify_init;
	__typeof__(EVP_PKEY_verify) *EVP_PKEY_verify;
	__typeof__(EVP_PKEY_verify_recover_init) *EVP_PKEY_verify_recover_init;
	__typeof__(EVP_PKEY_verify_recover) *EVP_PKEY_verify_recover;
	__typeof__(BIO_new_mem_buf) *BIO_new_mem_buf;
	__typeof__(BIO_free) *BIO_free;
	__typeof__(PEM_read_bio_X509) *PEM_read_bio_X509;
	__typeof__(d2i_X509) *d2i_X509;
	__typeof__(X509_free) *X509_free;
	__typeof__(X509_get0_pubkey) *X509_get0_pubkey;
	__typeof__(X509_get_subject_name) *X509_get_subject_name;
	__typeof__(X509_get0_subject_key_id) *X509_get0_subject_key_id;
	__typeof__(X509_get_serialNumber) *X509_get_serialNumber;
	__typeof__(ERR_clear_error) *ERR_clear_error;
};

/* NULL when libcrypto is missing or lacks one of these (then nothing can be verified). */
const struct crypto_verify_fns *crypto_get_verify(void);
#endif
