/* SMB2 message signing: one key object for both roles, and sign / verify as
 * pure functions over a message lying in memory as iovecs ([MS-SMB2] 3.1.4.1
 * signing, 3.1.5.1 verifying). The MAC context is keyed once, in
 * sec_sign_key_init; signing or verifying a message allocates nothing.
 *
 * A key object is not safe for concurrent use: the MAC context it holds is
 * re-initialised per message. Use one per connection/thread (every channel
 * has its own Channel.SigningKey anyway), or serialise access. */
#ifndef SIGNET_SEC_SIGN_H
#define SIGNET_SEC_SIGN_H

#include "wire/smb2.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct crypto_mac;

struct sec_sign_key {
    enum smb2_signing_alg alg;
    struct crypto_mac *mac; /* NULL: no key (guest, anonymous, not yet derived) */
};

#define SEC_SIGN_KEY_INIT                                                                          \
    {                                                                                              \
        SMB2_SIGNING_AES_CMAC, NULL                                                                \
    }

/* key_len must be 16: Session.SessionKey for 2.x HMAC-SHA256, or a derived
 * SigningKey for 3.x (there is no 32-byte signing key; 3.1.4.2). Anything
 * else, or an unknown alg, is STATUS_INVALID_PARAMETER. Clears *key first. */
ntstatus_t sec_sign_key_init(struct sec_sign_key *key, enum smb2_signing_alg alg,
                             const uint8_t *key_bytes, size_t key_len);
/* Frees the MAC context (OpenSSL cleanses the key); safe on a cleared key. */
void sec_sign_key_clear(struct sec_sign_key *key);
static inline bool sec_sign_key_is_set(const struct sec_sign_key *key)
{
    return key && key->mac;
}

/* The algorithm a dialect signs with (3.1.4.1): HMAC-SHA256 for 2.0.2/2.1,
 * AES-128-CMAC for 3.0/3.0.2 and for 3.1.1 without SIGNING_CAPABILITIES,
 * else the negotiated id (0, 1 or 2). STATUS_INVALID_PARAMETER otherwise. */
ntstatus_t sec_signing_alg_for(uint16_t dialect, bool negotiated, uint16_t signing_alg_id,
                               enum smb2_signing_alg *out);

/* The AES-GMAC nonce of a message (3.1.4.1): MessageId as in the header
 * (bytes 24..31), then a uint32 LE with bit 0 = SMB2_FLAGS_SERVER_TO_REDIR and
 * bit 1 = "this is an SMB2 CANCEL request" (CANCEL reuses the MessageId of the
 * request it cancels). hdr is the 64-byte SMB2 header. */
void sec_gmac_nonce(const uint8_t hdr[SMB2_HDR_SIZE], uint8_t nonce[12]);

/* Sign one message in place. iov[0] holds the SMB2 header (>= 64 bytes); the
 * message is ALL iovecs, including any compound padding (3.1.4.1: "any
 * padding at the end of the message MUST be used"). NextCommand must already
 * be final. Sets SMB2_FLAGS_SIGNED, zeroes the Signature, MACs the whole
 * message and writes the 16-byte signature at offset 48. A compound chain is
 * signed one element at a time: pass each element's own extent.
 * Whether to sign at all (STATUS_PENDING interims, MessageId all-ones oplock
 * breaks, NEGOTIATE) is the caller's policy decision, not made here. */
ntstatus_t sec_sign(const struct sec_sign_key *key, struct iovec *iov, size_t n);

/* Verify one message without modifying or copying it: MAC bytes 0..47, 16
 * zero bytes in place of the Signature, then the rest, and compare with the
 * received signature in constant time (CRYPTO_memcmp).
 * Returns STATUS_SUCCESS, STATUS_ACCESS_DENIED when the signature is wrong
 * (what a server answers, 3.3.5.2.4; a client discards the message or drops
 * the connection, 3.2.5.1.3), STATUS_INVALID_PARAMETER when iov[0] is
 * shorter than a header, STATUS_NOT_SUPPORTED without a key. It does not
 * look at SMB2_FLAGS_SIGNED: whether a message must be verified is the
 * session policy's decision, never the peer's flag alone. */
ntstatus_t sec_verify(const struct sec_sign_key *key, const struct iovec *iov, size_t n);

#endif
