/* Session and channel keys per dialect ([MS-SMB2] 3.1.4.2 SMB3KDF; client
 * 3.2.5.3.1, server 3.3.5.5.3). Key derivation keys:
 *   Session.SessionKey     = first 16 bytes of the GSS key, zero-padded;
 *                            Ki of the signing and application keys (L=128)
 *   Session.FullSessionKey = the whole GSS key (32 bytes for a Kerberos
 *                            AES256 ticket); Ki of the AES-256 cipher keys
 *                            (L=256). 128-bit cipher keys use SessionKey. */
#ifndef SIGNET_SEC_KDF_H
#define SIGNET_SEC_KDF_H

#include "wire/smb2.h"

#include <signet/ntstatus.h>
#include <stddef.h>
#include <stdint.h>

#define SEC_PREAUTH_HASH_SIZE 64
#define SEC_GSS_KEY_MAX       64 /* longest GSS session key we accept */

struct sec_keys {
    uint8_t signing[16];     /* Session.SigningKey (2.x: the SessionKey) */
    uint8_t application[16]; /* Session.ApplicationKey (2.x: the SessionKey) */
    /* C->S: client EncryptionKey = server DecryptionKey ("ServerIn ",
     * "SMBC2SCipherKey"); S->C: the reverse ("ServerOut", "SMBS2CCipherKey"). */
    uint8_t c2s_cipher[32];
    uint8_t s2c_cipher[32];
    size_t cipher_key_len; /* 0 for 2.x, 16 for AES-128 (or no cipher), 32 for AES-256 */
};

/* Derive every key of a new session at the end of a successful, non-binding
 * SESSION_SETUP. dialect: an enum smb2_dialect value; cipher: the
 * connection's CipherId (SMB2_CIPHER_NONE still yields 128-bit cipher keys on
 * 3.x, as Windows computes them whenever encryption is supported [ANATOMY];
 * the caller discards them for guest and anonymous sessions).
 * preauth_hash: Session.PreauthIntegrityHashValue (64 bytes), required for
 * 3.1.1 and ignored otherwise. On failure *out is zeroed. */
ntstatus_t sec_derive_keys(uint16_t dialect, enum smb2_cipher cipher,
                           const uint8_t *full_session_key, size_t len, const uint8_t *preauth_hash,
                           struct sec_keys *out);

/* Channel.SigningKey of a channel bound to an existing session (3.x only):
 * Ki = the binding authentication's session key (first 16 bytes), 3.1.1
 * context = the PreauthSession hash of the binding on the new connection.
 * The cipher and application keys are shared by all channels. */
ntstatus_t sec_derive_channel_signing_key(uint16_t dialect, const uint8_t *session_key, size_t len,
                                          const uint8_t *preauth_hash, uint8_t out[16]);

/* Session.SessionKey from a GSS key: its first 16 bytes, zero-padded. */
void sec_session_key16(const uint8_t *gss_key, size_t len, uint8_t out[16]);

/* Zero every key (OPENSSL_cleanse). */
void sec_keys_clear(struct sec_keys *k);

#endif
