/* SMB 3.x encryption: seal and unseal a message (or compound chain) behind a
 * TRANSFORM_HEADER ([MS-SMB2] 2.2.41, 3.1.4.3 encrypting, 3.2.5.1.1.1 and
 * 3.3.5.2.1.1 decrypting). AES-128/256-CCM (11-byte nonce) and -GCM (12-byte
 * nonce), 16-byte tag in the header's Signature field, AAD = header bytes
 * 20..51 (Nonce through SessionId, the reserved nonce bytes included AS
 * RECEIVED: Windows fills them with arbitrary data for CCM <83>). */
#ifndef SIGNET_SEC_SEAL_H
#define SIGNET_SEC_SEAL_H

#include "wire/smb2.h"

#include <signet/ntstatus.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct crypto_aead;

/* A key with its two keyed AEAD contexts (lib/crypto), made once: sealing
 * and unsealing a message then allocate nothing and expand no key. */
struct sec_cipher_key {
    enum smb2_cipher cipher; /* SMB2_CIPHER_NONE: no key */
    size_t key_len;          /* 16 (AES-128) or 32 (AES-256) */
    uint8_t key[32];
    struct crypto_aead *seal_ctx, *open_ctx;
};

/* key_len must match the cipher (16 or 32): STATUS_INVALID_PARAMETER else.
 * k is overwritten, not freed: pass a fresh struct or one cleared with
 * sec_cipher_key_clear. STATUS_NO_MEMORY if a context cannot be made. */
ntstatus_t sec_cipher_key_init(struct sec_cipher_key *k, enum smb2_cipher cipher,
                               const uint8_t *key, size_t key_len);
/* Frees the contexts and zeroes the key (OPENSSL_cleanse); a zeroed struct
 * is fine. */
void sec_cipher_key_clear(struct sec_cipher_key *k);

/* Per-session nonce source for sealing: a nonce MUST NOT repeat under a key
 * (2.2.41). Nonce = 64-bit little-endian counter || random bytes fixed at
 * init (3 for CCM's 11 bytes, 4 for GCM's 12), the reserved rest zero. The
 * counter never wraps: once exhausted every call fails and the session must
 * be torn down (new session, new keys). One generator per encryption key. */
struct sec_nonce_gen {
    uint64_t counter; /* next value to hand out */
    uint8_t random_high[4];
};

ntstatus_t sec_nonce_gen_init(struct sec_nonce_gen *g);
/* The next 16-byte Nonce field for cipher. STATUS_NETWORK_SESSION_EXPIRED
 * when the counter is exhausted, STATUS_INVALID_PARAMETER for a bad cipher. */
ntstatus_t sec_nonce_next(struct sec_nonce_gen *g, enum smb2_cipher cipher, uint8_t nonce[16]);

/* Encrypt msg (all iovecs: one message or a whole compound chain) in place
 * and write the 52-byte TRANSFORM_HEADER (Flags = 1, OriginalMessageSize =
 * the total length, SessionId, tag) to transform_hdr; send it, then the
 * iovecs. nonce is the full 16-byte Nonce field (from sec_nonce_next). The
 * inner SMB2 signature should be zero (3.1.4.1: encrypted messages are not
 * signed). */
ntstatus_t sec_seal(const struct sec_cipher_key *k, const uint8_t nonce[16], uint64_t session_id,
                    uint8_t transform_hdr[SMB2_TRANSFORM_HDR_SIZE], struct iovec *msg, size_t n);

/* Check the header (ProtocolId, Flags == 1, OriginalMessageSize == total
 * length of msg, which must be > 0): STATUS_INVALID_PARAMETER otherwise; then
 * decrypt msg in place. A bad tag is STATUS_DECRYPTION_FAILED and msg is
 * zeroed. Any failure means: disconnect (3.3.5.2.1.1). The caller chose k
 * from the header's SessionId and checks afterwards that every SessionId in
 * the decrypted chain equals it. */
ntstatus_t sec_unseal(const struct sec_cipher_key *k,
                      const uint8_t transform_hdr[SMB2_TRANSFORM_HDR_SIZE], struct iovec *msg,
                      size_t n);

#endif
