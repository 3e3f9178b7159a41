/* HMAC-SHA256, AES-128-CMAC and AES-128-GMAC with an EVP_MAC_CTX keyed once
 * in crypto_mac_new. Each message re-initialises the context WITHOUT a key
 * (EVP_MAC_init(ctx, NULL, 0, params)), which keeps the key schedule, so the
 * per-message path allocates nothing of ours. For GMAC the 12-byte IV is the
 * only per-message parameter ([MS-SMB2] 3.1.4.1). */
#include "crypto/crypto.h"
#include "crypto/fetch.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

struct crypto_mac {
    enum crypto_mac_alg alg;
    EVP_MAC_CTX *ctx;
};

/* The algorithm's fixed parameters (digest or cipher); key_len checked. */
static EVP_MAC *mac_for(const struct crypto_algs *a, enum crypto_mac_alg alg, size_t key_len,
                        OSSL_PARAM params[2])
{
    params[1] = OSSL_PARAM_construct_end();
    switch (alg) {
    case CRYPTO_HMAC_SHA256:
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
        return key_len ? a->hmac : NULL;
    case CRYPTO_AES128_CMAC:
        params[0] =
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)"AES-128-CBC", 0);
        return key_len == 16 ? a->cmac : NULL;
    case CRYPTO_AES128_GMAC:
        params[0] =
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)"AES-128-GCM", 0);
        return key_len == 16 ? a->gmac : NULL;
    }
    return NULL;
}

ntstatus_t crypto_mac_new(struct crypto_mac **out, enum crypto_mac_alg alg, const uint8_t *key,
                          size_t key_len)
{
    if (!out || !key)
        return STATUS_INVALID_PARAMETER;
    *out = NULL;
    const struct crypto_algs *a = crypto_algs();
    if (!a)
        return STATUS_INTERNAL_ERROR;
    OSSL_PARAM params[2];
    EVP_MAC *mac = mac_for(a, alg, key_len, params);
    if (!mac)
        return STATUS_INVALID_PARAMETER;
    struct crypto_mac *m = calloc(1, sizeof *m);
    if (!m || !(m->ctx = EVP_MAC_CTX_new(mac))) {
        free(m);
        return STATUS_NO_MEMORY;
    }
    m->alg = alg;
    if (!EVP_MAC_init(m->ctx, key, key_len, params)) {
        crypto_mac_free(m);
        return STATUS_INTERNAL_ERROR;
    }
    *out = m;
    return STATUS_SUCCESS;
}

/* EVP_MAC_CTX_free cleanses the provider's copy of the key. */
void crypto_mac_free(struct crypto_mac *m)
{
    if (!m)
        return;
    EVP_MAC_CTX_free(m->ctx);
    free(m);
}

ntstatus_t crypto_mac_begin(struct crypto_mac *m, const uint8_t *nonce12)
{
    if (!m || (m->alg == CRYPTO_AES128_GMAC) != (nonce12 != NULL))
        return STATUS_INVALID_PARAMETER;
    OSSL_PARAM iv[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_IV, (void *)nonce12, 12),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_init(m->ctx, NULL, 0, nonce12 ? iv : NULL) ? STATUS_SUCCESS
                                                              : STATUS_INTERNAL_ERROR;
}

ntstatus_t crypto_mac_update(struct crypto_mac *m, const void *p, size_t n)
{
    if (!m || (n && !p))
        return STATUS_INVALID_PARAMETER;
    if (n == 0)
        return STATUS_SUCCESS;
    return EVP_MAC_update(m->ctx, p, n) ? STATUS_SUCCESS : STATUS_INTERNAL_ERROR;
}

ntstatus_t crypto_mac_end(struct crypto_mac *m, uint8_t tag[16])
{
    if (!m || !tag)
        return STATUS_INVALID_PARAMETER;
    uint8_t full[32];
    size_t len = 0;
    if (!EVP_MAC_final(m->ctx, full, &len, sizeof full) || len < 16)
        return STATUS_INTERNAL_ERROR;
    /* HMAC-SHA256 for SMB 2.x keeps the first 16 of 32 bytes (3.1.4.1). */
    memcpy(tag, full, 16);
    return STATUS_SUCCESS;
}

/* One-shot HMAC over iovecs with the named digest. */
static ntstatus_t hmac_iov(const char *digest, const uint8_t *key, size_t key_len,
                           const struct iovec *iov, size_t n, uint8_t *out, size_t out_len)
{
    const struct crypto_algs *a = crypto_algs();
    if (!a)
        return STATUS_INTERNAL_ERROR;
    if (!key || !key_len || (n && !iov) || !out)
        return STATUS_INVALID_PARAMETER;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(a->hmac);
    if (!ctx)
        return STATUS_NO_MEMORY;
    int ok = EVP_MAC_init(ctx, key, key_len, params);
    for (size_t i = 0; ok && i < n; i++)
        if (iov[i].iov_len)
            ok = EVP_MAC_update(ctx, iov[i].iov_base, iov[i].iov_len);
    size_t len = 0;
    if (ok)
        ok = EVP_MAC_final(ctx, out, &len, out_len) && len == out_len;
    EVP_MAC_CTX_free(ctx);
    return ok ? STATUS_SUCCESS : STATUS_INTERNAL_ERROR;
}

ntstatus_t crypto_hmac_sha256(const uint8_t *key, size_t key_len, const struct iovec *iov, size_t n,
                              uint8_t out[32])
{
    return hmac_iov("SHA256", key, key_len, iov, n, out, 32);
}

ntstatus_t crypto_hmac_md5(const uint8_t *key, size_t key_len, const struct iovec *iov, size_t n,
                           uint8_t out[16])
{
    return hmac_iov("MD5", key, key_len, iov, n, out, 16);
}
