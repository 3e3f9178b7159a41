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
    const uint8_t *nonce, *aad;
    size_t nonce_len, aad_len;
    struct iovec *iov;
    size_t n, total;
    uint8_t *tag;
};

struct crypto_aead {
    EVP_CIPHER_CTX *ctx; /* cipher, nonce length, (CCM) tag length and key set */
    bool ccm, enc;
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

ntstatus_t crypto_aead_new(struct crypto_aead **out, enum crypto_aead_alg alg, const uint8_t *key,
                           bool encrypt)
{
    if (!out || !key)
        return STATUS_INVALID_PARAMETER;
    *out = NULL;
    bool ccm = false;
    const EVP_CIPHER *c = aead_cipher(alg, &ccm);
    if (!c)
        return STATUS_INVALID_PARAMETER;
    struct crypto_aead *a = calloc(1, sizeof *a);
    if (!a)
        return STATUS_NO_MEMORY;
    a->ccm = ccm;
    a->enc = encrypt;
    a->ctx = EVP_CIPHER_CTX_new();
    /* CCM fixes the tag length before the key (OpenSSL's rule) */
    if (!a->ctx || !EVP_CipherInit_ex2(a->ctx, c, NULL, NULL, encrypt, NULL) ||
        !EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_IVLEN, ccm ? 11 : 12, NULL) ||
        (ccm && !EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, 16, NULL)) ||
        !EVP_CipherInit_ex2(a->ctx, NULL, key, NULL, encrypt, NULL)) {
        crypto_aead_free(a);
        return STATUS_INTERNAL_ERROR;
    }
    *out = a;
    return STATUS_SUCCESS;
}

void crypto_aead_free(struct crypto_aead *a)
{
    if (!a)
        return;
    EVP_CIPHER_CTX_free(a->ctx); /* cleanses the key schedule */
    free(a);
}

/* Per message: the nonce, and when decrypting the expected tag. */
static bool aead_setup(struct crypto_aead *a, const struct aead_op *op)
{
    if (!EVP_CipherInit_ex2(a->ctx, NULL, NULL, op->nonce, a->enc, NULL))
        return false;
    return a->enc || EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, 16, op->tag) == 1;
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

static bool aead_body(EVP_CIPHER_CTX *ctx, bool ccm, bool enc, const struct aead_op *op)
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
    return !enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, op->tag) == 1;
}

static void iov_cleanse(struct iovec *iov, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (iov[i].iov_len)
            OPENSSL_cleanse(iov[i].iov_base, iov[i].iov_len);
}

static ntstatus_t aead_run(struct crypto_aead *a, struct aead_op *op)
{
    if (!a || !op->nonce || !op->tag || (op->n && !op->iov) || (op->aad_len && !op->aad) ||
        op->nonce_len != (a->ccm ? 11u : 12u) || op->aad_len > INT_MAX)
        return STATUS_INVALID_PARAMETER;
    op->total = iov_total(op->iov, op->n);
    if (op->total > INT_MAX)
        return STATUS_INVALID_PARAMETER;
    if (aead_setup(a, op) && aead_body(a->ctx, a->ccm, a->enc, op))
        return STATUS_SUCCESS;
    if (!a->enc) {
        iov_cleanse(op->iov, op->n); /* never hand out unauthenticated plaintext */
        return STATUS_DECRYPTION_FAILED;
    }
    return STATUS_INTERNAL_ERROR;
}

ntstatus_t crypto_aead_seal(struct crypto_aead *a, const uint8_t *nonce, size_t nonce_len,
                            const uint8_t *aad, size_t aad_len, struct iovec *iov, size_t n,
                            uint8_t tag[16])
{
    if (a && !a->enc)
        return STATUS_INVALID_PARAMETER;
    struct aead_op op = {nonce, aad, nonce_len, aad_len, iov, n, 0, tag};
    return aead_run(a, &op);
}

ntstatus_t crypto_aead_open(struct crypto_aead *a, const uint8_t *nonce, size_t nonce_len,
                            const uint8_t *aad, size_t aad_len, struct iovec *iov, size_t n,
                            const uint8_t tag[16])
{
    if ((a && a->enc) || !tag)
        return STATUS_INVALID_PARAMETER;
    uint8_t expected[16];
    memcpy(expected, tag, sizeof expected);
    struct aead_op op = {nonce, aad, nonce_len, aad_len, iov, n, 0, expected};
    return aead_run(a, &op);
}

/* One message under a key used once: a context made and freed around it. */
static ntstatus_t aead_once(enum crypto_aead_alg alg, const uint8_t *key, bool enc,
                            struct aead_op *op)
{
    struct crypto_aead *a;
    ntstatus_t st = crypto_aead_new(&a, alg, key, enc);
    if (!nt_ok(st))
        return st;
    st = aead_run(a, op);
    crypto_aead_free(a);
    return st;
}

ntstatus_t crypto_aead_encrypt(enum crypto_aead_alg alg, const uint8_t *key, const uint8_t *nonce,
                               size_t nonce_len, const uint8_t *aad, size_t aad_len,
                               struct iovec *iov, size_t n, uint8_t tag[16])
{
    struct aead_op op = {nonce, aad, nonce_len, aad_len, iov, n, 0, tag};
    return aead_once(alg, key, true, &op);
}

ntstatus_t crypto_aead_decrypt(enum crypto_aead_alg alg, const uint8_t *key, const uint8_t *nonce,
                               size_t nonce_len, const uint8_t *aad, size_t aad_len,
                               struct iovec *iov, size_t n, const uint8_t tag[16])
{
    uint8_t expected[16];
    if (!tag)
        return STATUS_INVALID_PARAMETER;
    memcpy(expected, tag, sizeof expected);
    struct aead_op op = {nonce, aad, nonce_len, aad_len, iov, n, 0, expected};
    return aead_once(alg, key, false, &op);
}
