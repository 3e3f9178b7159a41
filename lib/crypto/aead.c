/* AES-128/256-CCM and -GCM with a 16-byte tag, in place over iovecs
 * ([MS-SMB2] 3.1.4.3). GCM streams: each iovec is encrypted in place by its
 * own update call. CCM cannot stream in OpenSSL (the total length is fixed
 * first and the payload must arrive in ONE update call), so a multi-iovec CCM
 * message is gathered into one temporary buffer, processed, and scattered
 * back; the buffer is cleansed before it is freed. A single-iovec CCM message
 * is processed in place. */
#include "base/buf.h"
#include "crypto/crypto.h"
#include "crypto/fetch.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct aead_op {
    const uint8_t *key, *nonce, *aad;
    size_t nonce_len, aad_len;
    struct iovec *iov;
    size_t n, total;
    uint8_t *tag;
    bool enc;
};

static const EVP_CIPHER *aead_cipher(enum crypto_aead_alg alg, bool *ccm)
{
    const struct crypto_algs *a = crypto_algs();
    *ccm = alg == CRYPTO_AES128_CCM || alg == CRYPTO_AES256_CCM;
    if (!a)
        return NULL;
    switch (alg) {
    case CRYPTO_AES128_CCM:
        return a->aes128_ccm;
    case CRYPTO_AES128_GCM:
        return a->aes128_gcm;
    case CRYPTO_AES256_CCM:
        return a->aes256_ccm;
    case CRYPTO_AES256_GCM:
        return a->aes256_gcm;
    }
    return NULL;
}

/* Cipher, nonce length and tag (expected tag when decrypting; CCM also needs
 * the tag length before the key when encrypting), then key and nonce. */
static bool aead_setup(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *c, bool ccm, const struct aead_op *op)
{
    if (!EVP_CipherInit_ex2(ctx, c, NULL, NULL, op->enc, NULL) ||
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)op->nonce_len, NULL))
        return false;
    if ((ccm || !op->enc) &&
        !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, op->enc ? NULL : op->tag))
        return false;
    return EVP_CipherInit_ex2(ctx, NULL, op->key, op->nonce, op->enc, NULL) == 1;
}

static bool aead_update(EVP_CIPHER_CTX *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
    int outl = 0;
    return EVP_CipherUpdate(ctx, out, &outl, in, (int)len) == 1 && (size_t)outl == len;
}

static bool aead_payload_ccm(EVP_CIPHER_CTX *ctx, const struct aead_op *op)
{
    if (op->n == 1 || op->total == 0) {
        uint8_t *p = op->n ? op->iov[0].iov_base : NULL;
        return aead_update(ctx, p, p, op->total);
    }
    uint8_t *tmp = malloc(op->total);
    if (!tmp)
        return false;
    size_t off = 0;
    for (size_t i = 0; i < op->n; off += op->iov[i].iov_len, i++)
        if (op->iov[i].iov_len)
            memcpy(tmp + off, op->iov[i].iov_base, op->iov[i].iov_len);
    bool ok = aead_update(ctx, tmp, tmp, op->total);
    off = 0;
    for (size_t i = 0; ok && i < op->n; off += op->iov[i].iov_len, i++)
        if (op->iov[i].iov_len)
            memcpy(op->iov[i].iov_base, tmp + off, op->iov[i].iov_len);
    OPENSSL_clear_free(tmp, op->total);
    return ok;
}

static bool aead_payload_gcm(EVP_CIPHER_CTX *ctx, const struct aead_op *op)
{
    for (size_t i = 0; i < op->n; i++)
        if (op->iov[i].iov_len &&
            !aead_update(ctx, op->iov[i].iov_base, op->iov[i].iov_base, op->iov[i].iov_len))
            return false;
    return true;
}

static bool aead_body(EVP_CIPHER_CTX *ctx, bool ccm, const struct aead_op *op)
{
    int outl = 0;
    if (ccm && !EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)op->total))
        return false; /* CCM: total length first */
    if (op->aad_len && !EVP_CipherUpdate(ctx, NULL, &outl, op->aad, (int)op->aad_len))
        return false;
    if (!(ccm ? aead_payload_ccm(ctx, op) : aead_payload_gcm(ctx, op)))
        return false;
    uint8_t scratch[16];
    if (!EVP_CipherFinal_ex(ctx, scratch, &outl))
        return false; /* GCM decrypt: tag mismatch */
    return !op->enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, op->tag) == 1;
}

static void iov_cleanse(struct iovec *iov, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (iov[i].iov_len)
            OPENSSL_cleanse(iov[i].iov_base, iov[i].iov_len);
}

static ntstatus_t aead_run(enum crypto_aead_alg alg, struct aead_op *op)
{
    bool ccm = false;
    const EVP_CIPHER *c = aead_cipher(alg, &ccm);
    if (!c)
        return STATUS_INVALID_PARAMETER;
    if (!op->key || !op->nonce || !op->tag || (op->n && !op->iov) || (op->aad_len && !op->aad) ||
        op->nonce_len != (ccm ? 11u : 12u) || op->aad_len > INT_MAX)
        return STATUS_INVALID_PARAMETER;
    op->total = iov_total(op->iov, op->n);
    if (op->total > INT_MAX)
        return STATUS_INVALID_PARAMETER;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return STATUS_NO_MEMORY;
    bool ok = aead_setup(ctx, c, ccm, op) && aead_body(ctx, ccm, op);
    EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule */
    if (ok)
        return STATUS_SUCCESS;
    if (!op->enc) {
        iov_cleanse(op->iov, op->n); /* never hand out unauthenticated plaintext */
        return STATUS_DECRYPTION_FAILED;
    }
    return STATUS_INTERNAL_ERROR;
}

ntstatus_t crypto_aead_encrypt(enum crypto_aead_alg alg, const uint8_t *key, const uint8_t *nonce,
                               size_t nonce_len, const uint8_t *aad, size_t aad_len,
                               struct iovec *iov, size_t n, uint8_t tag[16])
{
    struct aead_op op = {key, nonce, aad, nonce_len, aad_len, iov, n, 0, tag, true};
    return aead_run(alg, &op);
}

ntstatus_t crypto_aead_decrypt(enum crypto_aead_alg alg, const uint8_t *key, const uint8_t *nonce,
                               size_t nonce_len, const uint8_t *aad, size_t aad_len,
                               struct iovec *iov, size_t n, const uint8_t tag[16])
{
    uint8_t expected[16];
    if (!tag)
        return STATUS_INVALID_PARAMETER;
    memcpy(expected, tag, sizeof expected);
    struct aead_op op = {key, nonce, aad, nonce_len, aad_len, iov, n, 0, expected, false};
    return aead_run(alg, &op);
}
