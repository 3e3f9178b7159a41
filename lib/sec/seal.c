/* [MS-SMB2] 3.1.4.3 Encrypting the Message; 3.2.5.1.1.1 / 3.3.5.2.1.1
 * Decrypting the Message. */
#include "sec/seal.h"

#include "base/buf.h"
#include "base/cursor.h"
#include "base/endian.h"
#include "base/mem.h"
#include "crypto/crypto.h"
#include "wire/transform.h"

#include <stdbool.h>
#include <string.h>

static bool aead_for(enum smb2_cipher c, enum crypto_aead_alg *alg, size_t *key_len,
                     size_t *nonce_len)
{
    switch (c) {
    case SMB2_CIPHER_AES128_CCM:
        *alg = CRYPTO_AES128_CCM, *key_len = 16, *nonce_len = 11;
        return true;
    case SMB2_CIPHER_AES128_GCM:
        *alg = CRYPTO_AES128_GCM, *key_len = 16, *nonce_len = 12;
        return true;
    case SMB2_CIPHER_AES256_CCM:
        *alg = CRYPTO_AES256_CCM, *key_len = 32, *nonce_len = 11;
        return true;
    case SMB2_CIPHER_AES256_GCM:
        *alg = CRYPTO_AES256_GCM, *key_len = 32, *nonce_len = 12;
        return true;
    case SMB2_CIPHER_NONE:
        break;
    }
    return false;
}

ntstatus_t sec_cipher_key_init(struct sec_cipher_key *k, enum smb2_cipher cipher,
                               const uint8_t *key, size_t key_len)
{
    if (!k)
        return STATUS_INVALID_PARAMETER;
    secure_zero(k, sizeof *k);
    enum crypto_aead_alg alg;
    size_t want_len, nonce_len;
    if (!key || !aead_for(cipher, &alg, &want_len, &nonce_len) || key_len != want_len)
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st = crypto_aead_new(&k->seal_ctx, alg, key, true);
    if (nt_ok(st))
        st = crypto_aead_new(&k->open_ctx, alg, key, false);
    if (!nt_ok(st)) {
        sec_cipher_key_clear(k);
        return st;
    }
    k->cipher = cipher;
    k->key_len = key_len;
    memcpy(k->key, key, key_len);
    return STATUS_SUCCESS;
}

void sec_cipher_key_clear(struct sec_cipher_key *k)
{
    if (!k)
        return;
    crypto_aead_free(k->seal_ctx);
    crypto_aead_free(k->open_ctx);
    secure_zero(k, sizeof *k);
}

ntstatus_t sec_nonce_gen_init(struct sec_nonce_gen *g)
{
    if (!g)
        return STATUS_INVALID_PARAMETER;
    g->counter = 0;
    return crypto_random(g->random_high, sizeof g->random_high);
}

ntstatus_t sec_nonce_next(struct sec_nonce_gen *g, enum smb2_cipher cipher, uint8_t nonce[16])
{
    enum crypto_aead_alg alg;
    size_t key_len, nonce_len;
    if (!g || !nonce || !aead_for(cipher, &alg, &key_len, &nonce_len))
        return STATUS_INVALID_PARAMETER;
    if (g->counter == UINT64_MAX)
        return STATUS_NETWORK_SESSION_EXPIRED; /* refuse to wrap */
    memset(nonce, 0, 16);
    le64_put(nonce, g->counter++);
    memcpy(nonce + 8, g->random_high, nonce_len - 8);
    return STATUS_SUCCESS;
}

ntstatus_t sec_seal(const struct sec_cipher_key *k, const uint8_t nonce[16], uint64_t session_id,
                    uint8_t transform_hdr[SMB2_TRANSFORM_HDR_SIZE], struct iovec *msg, size_t n)
{
    enum crypto_aead_alg alg;
    size_t key_len, nonce_len;
    if (!k || !nonce || !transform_hdr || !msg || !n ||
        !aead_for(k->cipher, &alg, &key_len, &nonce_len) || k->key_len != key_len)
        return STATUS_INVALID_PARAMETER;
    size_t total = iov_total(msg, n);
    if (total == 0 || total > UINT32_MAX)
        return STATUS_INVALID_PARAMETER;

    /* 2.2.41: the Signature is written last; it is not part of the AAD. */
    struct smb2_transform_hdr h = {.original_message_size = (uint32_t)total,
                                   .flags = SMB2_TRANSFORM_FLAG_ENCRYPTED,
                                   .session_id = session_id};
    memcpy(h.nonce, nonce, sizeof h.nonce);
    struct wr w;
    wr_init(&w, transform_hdr, SMB2_TRANSFORM_HDR_SIZE);
    ntstatus_t st = smb2_transform_encode(&w, &h);
    if (!nt_ok(st))
        return st;
    uint8_t tag[16];
    st = crypto_aead_seal(k->seal_ctx, nonce, nonce_len, transform_hdr + SMB2_TRANSFORM_AAD_OFFSET,
                          SMB2_TRANSFORM_AAD_SIZE, msg, n, tag);
    memcpy(transform_hdr + 4, nt_ok(st) ? tag : (const uint8_t[16]){0}, sizeof tag);
    return st;
}

ntstatus_t sec_unseal(const struct sec_cipher_key *k,
                      const uint8_t transform_hdr[SMB2_TRANSFORM_HDR_SIZE], struct iovec *msg,
                      size_t n)
{
    enum crypto_aead_alg alg;
    size_t key_len, nonce_len;
    if (!k || !transform_hdr || !msg || !n || !aead_for(k->cipher, &alg, &key_len, &nonce_len) ||
        k->key_len != key_len)
        return STATUS_INVALID_PARAMETER;
    size_t total = iov_total(msg, n);
    if (total == 0 || total > UINT32_MAX)
        return STATUS_INVALID_PARAMETER;
    /* The decoder reads only the 52 header bytes; frame_len is the logical
     * frame length, against which it checks OriginalMessageSize and Flags. */
    struct smb2_transform_hdr h;
    ntstatus_t st = smb2_transform_decode(transform_hdr, SMB2_TRANSFORM_HDR_SIZE + total, &h);
    if (!nt_ok(st))
        return STATUS_INVALID_PARAMETER;
    return crypto_aead_open(k->open_ctx, h.nonce, nonce_len,
                            transform_hdr + SMB2_TRANSFORM_AAD_OFFSET, SMB2_TRANSFORM_AAD_SIZE, msg,
                            n, h.signature);
}
