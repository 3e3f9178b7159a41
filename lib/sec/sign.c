/* [MS-SMB2] 3.1.4.1 Signing An Outgoing Message, 3.1.5.1 Verifying an
 * Incoming Message. */
#include "sec/sign.h"

#include "base/endian.h"
#include "base/mem.h"
#include "crypto/crypto.h"

#include <string.h>

static bool signing_alg_to_mac(enum smb2_signing_alg alg, enum crypto_mac_alg *out)
{
    switch (alg) {
    case SMB2_SIGNING_HMAC_SHA256:
        *out = CRYPTO_HMAC_SHA256;
        return true;
    case SMB2_SIGNING_AES_CMAC:
        *out = CRYPTO_AES128_CMAC;
        return true;
    case SMB2_SIGNING_AES_GMAC:
        *out = CRYPTO_AES128_GMAC;
        return true;
    }
    return false;
}

ntstatus_t sec_sign_key_init(struct sec_sign_key *key, enum smb2_signing_alg alg,
                             const uint8_t *key_bytes, size_t key_len)
{
    if (!key)
        return STATUS_INVALID_PARAMETER;
    key->mac = NULL;
    key->alg = alg;
    enum crypto_mac_alg mac_alg;
    if (!key_bytes || key_len != 16 || !signing_alg_to_mac(alg, &mac_alg))
        return STATUS_INVALID_PARAMETER;
    return crypto_mac_new(&key->mac, mac_alg, key_bytes, key_len);
}

void sec_sign_key_clear(struct sec_sign_key *key)
{
    if (!key)
        return;
    crypto_mac_free(key->mac);
    key->mac = NULL;
}

ntstatus_t sec_signing_alg_for(uint16_t dialect, bool negotiated, uint16_t signing_alg_id,
                               enum smb2_signing_alg *out)
{
    switch (dialect) {
    case SMB2_DIALECT_0202:
    case SMB2_DIALECT_0210:
        *out = SMB2_SIGNING_HMAC_SHA256;
        return STATUS_SUCCESS;
    case SMB2_DIALECT_0300:
    case SMB2_DIALECT_0302:
        *out = SMB2_SIGNING_AES_CMAC;
        return STATUS_SUCCESS;
    case SMB2_DIALECT_0311:
        if (!negotiated) {
            *out = SMB2_SIGNING_AES_CMAC;
            return STATUS_SUCCESS;
        }
        if (signing_alg_id > SMB2_SIGNING_AES_GMAC)
            return STATUS_INVALID_PARAMETER;
        *out = (enum smb2_signing_alg)signing_alg_id;
        return STATUS_SUCCESS;
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

void sec_gmac_nonce(const uint8_t hdr[SMB2_HDR_SIZE], uint8_t nonce[12])
{
    uint32_t flags = le32_get(hdr + 16);
    bool from_server = (flags & SMB2_FLAGS_SERVER_TO_REDIR) != 0;
    bool cancel_request = le16_get(hdr + 12) == SMB2_CANCEL && !from_server;
    memcpy(nonce, hdr + 24, 8); /* MessageId, little-endian as sent */
    le32_put(nonce + 8, (uint32_t)from_server | (uint32_t)cancel_request << 1);
}

static bool header_ok(const struct iovec *iov, size_t n)
{
    return iov && n && iov[0].iov_base && iov[0].iov_len >= SMB2_HDR_SIZE;
}

/* MAC the message as if its Signature field were zero: bytes 0..47, 16 zero
 * bytes, then everything after the header. Reads only. */
static ntstatus_t mac_message(const struct sec_sign_key *key, const struct iovec *iov, size_t n,
                              uint8_t tag[16])
{
    static const uint8_t zero_sig[SMB2_SIG_SIZE];
    const uint8_t *hdr = iov[0].iov_base;
    uint8_t nonce[12];
    if (key->alg == SMB2_SIGNING_AES_GMAC)
        sec_gmac_nonce(hdr, nonce);
    ntstatus_t st = crypto_mac_begin(key->mac, key->alg == SMB2_SIGNING_AES_GMAC ? nonce : NULL);
    if (nt_ok(st))
        st = crypto_mac_update(key->mac, hdr, SMB2_SIG_OFFSET);
    if (nt_ok(st))
        st = crypto_mac_update(key->mac, zero_sig, SMB2_SIG_SIZE);
    if (nt_ok(st))
        st = crypto_mac_update(key->mac, hdr + SMB2_HDR_SIZE, iov[0].iov_len - SMB2_HDR_SIZE);
    for (size_t i = 1; nt_ok(st) && i < n; i++)
        st = crypto_mac_update(key->mac, iov[i].iov_base, iov[i].iov_len);
    if (nt_ok(st))
        st = crypto_mac_end(key->mac, tag);
    return st;
}

ntstatus_t sec_sign(const struct sec_sign_key *key, struct iovec *iov, size_t n)
{
    if (!sec_sign_key_is_set(key))
        return STATUS_NOT_SUPPORTED;
    if (!header_ok(iov, n))
        return STATUS_INVALID_PARAMETER;
    uint8_t *hdr = iov[0].iov_base;
    /* The SIGNED flag is part of what is MACed, so it is set first. */
    le32_put(hdr + 16, le32_get(hdr + 16) | SMB2_FLAGS_SIGNED);
    uint8_t tag[16];
    ntstatus_t st = mac_message(key, iov, n, tag);
    memcpy(hdr + SMB2_SIG_OFFSET, nt_ok(st) ? tag : (const uint8_t[16]){0}, SMB2_SIG_SIZE);
    return st;
}

ntstatus_t sec_verify(const struct sec_sign_key *key, const struct iovec *iov, size_t n)
{
    if (!sec_sign_key_is_set(key))
        return STATUS_NOT_SUPPORTED;
    if (!header_ok(iov, n))
        return STATUS_INVALID_PARAMETER;
    uint8_t tag[16];
    ntstatus_t st = mac_message(key, iov, n, tag);
    if (!nt_ok(st))
        return st;
    const uint8_t *received = (const uint8_t *)iov[0].iov_base + SMB2_SIG_OFFSET;
    return ct_equal(tag, received, SMB2_SIG_SIZE) ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
}
