/* [MS-SMB2] 3.1.4.2 and the key table of 3.2.5.3.1 / 3.3.5.5.3. Labels and
 * contexts are passed with their terminating NUL, as the spec says; KBKDF then
 * adds the 0x00 separator. */
#include "sec/kdf.h"

#include "base/mem.h"
#include "crypto/crypto.h"

#include <stdbool.h>
#include <string.h>

struct kdf_string {
    const char *s;
    size_t len; /* including the NUL */
};
#define KDF_STR(lit)                                                                               \
    {                                                                                              \
        lit, sizeof(lit)                                                                           \
    }

/* Labels and 3.0 contexts: note "ServerIn " with its trailing space. */
struct kdf_labels {
    struct kdf_string signing, application, c2s, s2c;
};
static const struct kdf_labels labels_30 = {KDF_STR("SMB2AESCMAC"), KDF_STR("SMB2APP"),
                                            KDF_STR("SMB2AESCCM"), KDF_STR("SMB2AESCCM")};
static const struct kdf_labels contexts_30 = {KDF_STR("SmbSign"), KDF_STR("SmbRpc"),
                                              KDF_STR("ServerIn "), KDF_STR("ServerOut")};
static const struct kdf_labels labels_311 = {KDF_STR("SMBSigningKey"), KDF_STR("SMBAppKey"),
                                             KDF_STR("SMBC2SCipherKey"),
                                             KDF_STR("SMBS2CCipherKey")};

void sec_session_key16(const uint8_t *gss_key, size_t len, uint8_t out[16])
{
    memset(out, 0, 16);
    if (gss_key)
        memcpy(out, gss_key, len < 16 ? len : 16);
}

void sec_keys_clear(struct sec_keys *k)
{
    if (k)
        secure_zero(k, sizeof *k);
}

static bool is_3x(uint16_t dialect)
{
    return dialect == SMB2_DIALECT_0300 || dialect == SMB2_DIALECT_0302 ||
           dialect == SMB2_DIALECT_0311;
}

static bool is_2x(uint16_t dialect)
{
    return dialect == SMB2_DIALECT_0202 || dialect == SMB2_DIALECT_0210;
}

static bool cipher_is_256(enum smb2_cipher c)
{
    return c == SMB2_CIPHER_AES256_CCM || c == SMB2_CIPHER_AES256_GCM;
}

/* One SMB3KDF call; the context is the 3.0 string or the 64-byte hash. */
static ntstatus_t kdf(const uint8_t *ki, size_t ki_len, struct kdf_string label,
                      struct kdf_string ctx30, const uint8_t *hash, uint8_t *out, size_t out_len)
{
    const void *context = hash ? (const void *)hash : ctx30.s;
    size_t context_len = hash ? SEC_PREAUTH_HASH_SIZE : ctx30.len;
    return crypto_kbkdf_sha256(ki, ki_len, label.s, label.len, context, context_len, out, out_len);
}

static ntstatus_t derive_3x(bool v311, enum smb2_cipher cipher, const uint8_t *full, size_t len,
                            const uint8_t *hash, struct sec_keys *out)
{
    const struct kdf_labels *l = v311 ? &labels_311 : &labels_30;
    const uint8_t *h = v311 ? hash : NULL;
    uint8_t ki[16];
    sec_session_key16(full, len, ki);
    /* AES-256 cipher keys: Ki = FullSessionKey, L = 256; else SessionKey, L = 128. */
    bool wide = cipher_is_256(cipher);
    const uint8_t *cki = wide ? full : ki;
    size_t cki_len = wide ? len : sizeof ki;
    out->cipher_key_len = wide ? 32 : 16;
    ntstatus_t st = kdf(ki, sizeof ki, l->signing, contexts_30.signing, h, out->signing, 16);
    if (nt_ok(st))
        st = kdf(ki, sizeof ki, l->application, contexts_30.application, h, out->application, 16);
    if (nt_ok(st))
        st = kdf(cki, cki_len, l->c2s, contexts_30.c2s, h, out->c2s_cipher, out->cipher_key_len);
    if (nt_ok(st))
        st = kdf(cki, cki_len, l->s2c, contexts_30.s2c, h, out->s2c_cipher, out->cipher_key_len);
    secure_zero(ki, sizeof ki);
    return st;
}

ntstatus_t sec_derive_keys(uint16_t dialect, enum smb2_cipher cipher,
                           const uint8_t *full_session_key, size_t len, const uint8_t *preauth_hash,
                           struct sec_keys *out)
{
    if (!out)
        return STATUS_INVALID_PARAMETER;
    sec_keys_clear(out);
    if (!full_session_key || len == 0 || len > SEC_GSS_KEY_MAX || cipher > SMB2_CIPHER_AES256_GCM)
        return STATUS_INVALID_PARAMETER;
    if (is_2x(dialect)) {
        /* 2.x signs with Session.SessionKey itself (3.2.4.1.1, 3.3.4.1.1). */
        sec_session_key16(full_session_key, len, out->signing);
        memcpy(out->application, out->signing, 16);
        return STATUS_SUCCESS;
    }
    if (!is_3x(dialect) || (dialect == SMB2_DIALECT_0311 && !preauth_hash))
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st =
        derive_3x(dialect == SMB2_DIALECT_0311, cipher, full_session_key, len, preauth_hash, out);
    if (!nt_ok(st))
        sec_keys_clear(out);
    return st;
}

ntstatus_t sec_derive_channel_signing_key(uint16_t dialect, const uint8_t *session_key, size_t len,
                                          const uint8_t *preauth_hash, uint8_t out[16])
{
    if (!out)
        return STATUS_INVALID_PARAMETER;
    memset(out, 0, 16);
    bool v311 = dialect == SMB2_DIALECT_0311;
    /* Binding exists only on 3.x (multichannel, 3.2.4.2.3). */
    if (!session_key || len == 0 || len > SEC_GSS_KEY_MAX || !is_3x(dialect) ||
        (v311 && !preauth_hash))
        return STATUS_INVALID_PARAMETER;
    uint8_t ki[16];
    sec_session_key16(session_key, len, ki);
    ntstatus_t st = kdf(ki, sizeof ki, v311 ? labels_311.signing : labels_30.signing,
                        contexts_30.signing, v311 ? preauth_hash : NULL, out, 16);
    secure_zero(ki, sizeof ki);
    if (!nt_ok(st))
        secure_zero(out, 16);
    return st;
}
