/* SMB3KDF = NIST SP800-108 KDF in counter mode with HMAC-SHA256 ([MS-SMB2]
 * 3.1.4.2), i.e. OpenSSL's KBKDF with its defaults: a 32-bit big-endian
 * counter starting at 1, a 0x00 separator between label and context, and L
 * as a 32-bit big-endian suffix. */
#include "crypto/crypto.h"
#include "crypto/fetch.h"

#include <openssl/core_names.h>
#include <openssl/params.h>

ntstatus_t crypto_kbkdf_sha256(const uint8_t *ki, size_t ki_len, const void *label,
                               size_t label_len, const void *context, size_t context_len,
                               uint8_t *out, size_t out_len)
{
    const struct crypto_algs *a = crypto_algs();
    if (!a)
        return STATUS_INTERNAL_ERROR;
    if (!ki || ki_len == 0 || !out || (out_len != 16 && out_len != 32) || (label_len && !label) ||
        (context_len && !context))
        return STATUS_INVALID_PARAMETER;

    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)"counter", 0),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, (char *)"HMAC", 0),
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ki, ki_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label, label_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)context, context_len),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(a->kbkdf);
    if (!ctx)
        return STATUS_NO_MEMORY;
    int ok = EVP_KDF_derive(ctx, out, out_len, params);
    EVP_KDF_CTX_free(ctx); /* the provider cleanses its copy of the key */
    if (ok != 1) {
        OPENSSL_cleanse(out, out_len);
        return STATUS_INTERNAL_ERROR;
    }
    return STATUS_SUCCESS;
}
