/* NTLMv2 computations ([MS-NLMP] 3.3.1, 3.3.2, 3.4.4, 3.4.5, 3.1.5.1.2) for
 * client and server, over lib/crypto (OpenSSL): no cryptography is written
 * here. Every intermediate secret is zeroed (secure_zero) before returning;
 * every MAC is compared with ct_equal (CRYPTO_memcmp).
 *
 * The flow, client side:
 *   nt_hash = ntlm_nt_hash(password)                     NTOWFv1 = MD4(UNICODE(Passwd))
 *   ntlmv2_client_response(...)                          NTOWFv2, temp, NTProofStr,
 *                                                        NtChallengeResponse, LMv2,
 *                                                        SessionBaseKey
 *   KeyExchangeKey = SessionBaseKey                      (NTLMv2, 3.4.5.1)
 *   ntlm_client_exported_key(...)                        ExportedSessionKey and
 *                                                        EncryptedRandomSessionKey
 *   ntlm_mic_compute(...)                                MIC over the three messages
 *   ntlm_security_init(...) + ntlm_get_mic(...)          SPNEGO mechListMIC
 * and the server mirrors it with ntlmv2_server_verify, ntlm_server_exported_key,
 * ntlm_mic_verify and ntlm_verify_mic. */
#ifndef SIGNET_AUTH_NTLM_CRYPTO_H
#define SIGNET_AUTH_NTLM_CRYPTO_H

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define NTLM_HASH_LEN          16u
#define NTLM_CHALLENGE_LEN     8u
#define NTLM_KEY_LEN           16u
#define NTLM_SIGNATURE_LEN     16u
#define NTLMV2_LM_RESPONSE_LEN 24u
#define NTLMV2_TEMP_FIXED      28u /* temp before the AV pairs */

struct crypto_rc4;

/* ---- OWFs ---- */

/* NTOWFv1 ([MS-NLMP] 3.3.1): MD4(UTF-16LE(password)); password is UTF-8 (any
 * byte-order mark is the caller's to strip: it is not hashed). */
ntstatus_t ntlm_nt_hash(const char *password, uint8_t out[NTLM_HASH_LEN]);

/* Uppercase UTF-16LE text in place, code unit by code unit, as Windows'
 * one-to-one upcase table does (no "SS" for U+00DF). Covered: ASCII, Latin-1
 * (U+00FF -> U+0178), Latin Extended-A, basic Greek and Cyrillic. Other
 * letters are left as they are: a user name outside these scripts that has
 * case may not match what Windows computes. */
void ntlm_upcase_utf16le(uint8_t *s, size_t len);

/* NTOWFv2 ([MS-NLMP] 3.3.2): HMAC-MD5(nt_hash, UNICODE(Upper(user) || domain)).
 * Only the user is uppercased; the domain is used exactly as given. */
ntstatus_t ntlm_ntowfv2(const uint8_t nt_hash[NTLM_HASH_LEN], const char *user, const char *domain,
                        uint8_t out[NTLM_HASH_LEN]);
/* The same with user and domain already UTF-16LE (e.g. from AUTHENTICATE). */
ntstatus_t ntlm_ntowfv2_utf16(const uint8_t nt_hash[NTLM_HASH_LEN], const uint8_t *user,
                              size_t user_len, const uint8_t *domain, size_t domain_len,
                              uint8_t out[NTLM_HASH_LEN]);

/* ---- NTLMv2 responses ([MS-NLMP] 3.3.2) ---- */

/* temp = 0x01 0x01 Z(6) Time(8) ClientChallenge(8) Z(4) AvPairs Z(4).
 * av is the client's AV list (ntlm_av_build_client) ending in MsvAvEOL. */
static inline size_t ntlmv2_temp_len(size_t av_len)
{
    return NTLMV2_TEMP_FIXED + av_len + 4;
}
ntstatus_t ntlmv2_temp_build(uint64_t timestamp, const uint8_t client_challenge[8],
                             const uint8_t *av, size_t av_len, uint8_t *out, size_t cap,
                             size_t *out_len);
/* NTProofStr = HMAC-MD5(NTOWFv2, ServerChallenge || temp) */
ntstatus_t ntlmv2_ntproofstr(const uint8_t ntowfv2[NTLM_HASH_LEN],
                             const uint8_t server_challenge[8], const uint8_t *temp,
                             size_t temp_len, uint8_t out[16]);
/* LMv2 = HMAC-MD5(NTOWFv2, ServerChallenge || ClientChallenge) || ClientChallenge */
ntstatus_t ntlmv2_lm_response(const uint8_t ntowfv2[NTLM_HASH_LEN],
                              const uint8_t server_challenge[8], const uint8_t client_challenge[8],
                              uint8_t out[NTLMV2_LM_RESPONSE_LEN]);
/* SessionBaseKey = HMAC-MD5(NTOWFv2, NTProofStr); for NTLMv2 it is also the
 * KeyExchangeKey (3.4.5.1). */
ntstatus_t ntlmv2_session_base_key(const uint8_t ntowfv2[NTLM_HASH_LEN],
                                   const uint8_t ntproofstr[16], uint8_t out[NTLM_KEY_LEN]);

struct ntlmv2_client_input {
    const uint8_t *nt_hash;          /* 16 bytes */
    const char *user;                /* UTF-8 */
    const char *domain;              /* UTF-8, as sent in AUTHENTICATE */
    const uint8_t *server_challenge; /* 8 */
    const uint8_t *client_challenge; /* 8 random bytes */
    uint64_t timestamp;              /* the server's MsvAvTimestamp if it sent one, else now */
    const uint8_t *av;               /* the client's AV list (ntlm_av_build_client) */
    size_t av_len;
    bool zero_lm_response; /* the server sent MsvAvTimestamp: LM = Z(24) (3.1.5.1.2) */
};

/* The client's NtChallengeResponse (NTProofStr || temp, ntlmv2_temp_len(av_len)
 * + 16 bytes into nt_response), LmChallengeResponse and SessionBaseKey. */
ntstatus_t ntlmv2_client_response(const struct ntlmv2_client_input *in, uint8_t *nt_response,
                                  size_t cap, size_t *nt_len,
                                  uint8_t lm_response[NTLMV2_LM_RESPONSE_LEN],
                                  uint8_t session_base_key[NTLM_KEY_LEN]);

/* Server: recompute NTProofStr from the stored NT hash, the user and domain
 * (UTF-16LE, normally the AUTHENTICATE's UserName and DomainName) and the
 * server challenge it sent, and compare it in constant time with the
 * NtChallengeResponse. STATUS_SUCCESS (and the SessionBaseKey) when it
 * matches, STATUS_LOGON_FAILURE when not (wrong password, or an NTLMv1-sized
 * response), STATUS_INVALID_PARAMETER for a malformed response. The caller
 * still owns the policy checks (MsvAvTimestamp age, target name, MIC). */
ntstatus_t ntlmv2_server_verify(const uint8_t nt_hash[NTLM_HASH_LEN], const uint8_t *user,
                                size_t user_len, const uint8_t *domain, size_t domain_len,
                                const uint8_t server_challenge[8], const uint8_t *nt_response,
                                size_t nt_len, uint8_t session_base_key[NTLM_KEY_LEN]);

/* ---- key exchange ([MS-NLMP] 3.1.5.1.2, 3.2.5.1.2, 3.4.5.1) ---- */

/* RC4K(KeyExchangeKey, 16 bytes): encrypts ExportedSessionKey for the client,
 * decrypts EncryptedRandomSessionKey for the server (RC4 is its own inverse). */
ntstatus_t ntlm_rc4k(const uint8_t key[NTLM_KEY_LEN], const uint8_t in[NTLM_KEY_LEN],
                     uint8_t out[NTLM_KEY_LEN]);
/* True when the flags call for a random session key ([MS-NLMP] 3.1.5.1.2:
 * NTLMSSP_NEGOTIATE_KEY_EXCH with SIGN or SEAL). */
bool ntlm_uses_key_exchange(uint32_t flags);
/* Client: with key exchange, ExportedSessionKey = random (or random_key when
 * not NULL, for tests) and *enc = RC4K(kxkey, it), *has_enc = true; else
 * ExportedSessionKey = kxkey and no EncryptedRandomSessionKey. */
ntstatus_t ntlm_client_exported_key(uint32_t flags, const uint8_t kxkey[NTLM_KEY_LEN],
                                    const uint8_t *random_key, uint8_t exported[NTLM_KEY_LEN],
                                    uint8_t enc[NTLM_KEY_LEN], bool *has_enc);
/* Server: the inverse; enc must be 16 bytes when key exchange is negotiated. */
ntstatus_t ntlm_server_exported_key(uint32_t flags, const uint8_t kxkey[NTLM_KEY_LEN],
                                    const uint8_t *enc, size_t enc_len,
                                    uint8_t exported[NTLM_KEY_LEN]);

/* ---- MIC ([MS-NLMP] 3.1.5.1.2, 3.2.5.1.2) ---- */

/* HMAC-MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE) with
 * the AUTHENTICATE's MIC field (offset 72) taken as zero, whatever it holds:
 * the messages are MACed where they lie, through iovecs, without a copy. */
ntstatus_t ntlm_mic_compute(const uint8_t exported[NTLM_KEY_LEN], const uint8_t *negotiate,
                            size_t negotiate_len, const uint8_t *challenge, size_t challenge_len,
                            const uint8_t *authenticate, size_t authenticate_len, uint8_t mic[16]);
/* Compare with the MIC in the AUTHENTICATE; STATUS_LOGON_FAILURE on mismatch. */
ntstatus_t ntlm_mic_verify(const uint8_t exported[NTLM_KEY_LEN], const uint8_t *negotiate,
                           size_t negotiate_len, const uint8_t *challenge, size_t challenge_len,
                           const uint8_t *authenticate, size_t authenticate_len);

/* ---- session security ([MS-NLMP] 3.4.4.2, 3.4.5.2, 3.4.5.3), ntlm_seal.c ---- */

enum ntlm_role { NTLM_ROLE_CLIENT, NTLM_ROLE_SERVER };

/* SIGNKEY = MD5(ExportedSessionKey || "session key to <dir> signing key magic
 * constant\0"); client_to_server picks the direction. */
ntstatus_t ntlm_sign_key(const uint8_t exported[NTLM_KEY_LEN], bool client_to_server,
                         uint8_t out[16]);
/* SEALKEY = MD5(key || "session key to <dir> sealing key magic constant\0"),
 * key being the whole ExportedSessionKey with NTLMSSP_NEGOTIATE_128, its first
 * 7 bytes with NTLMSSP_NEGOTIATE_56, else its first 5. */
ntstatus_t ntlm_seal_key(uint32_t flags, const uint8_t exported[NTLM_KEY_LEN],
                         bool client_to_server, uint8_t out[16]);

/* One direction: signing key, the sealing key's RC4 stream (which continues
 * across messages) and the sequence number. */
struct ntlm_direction {
    uint8_t sign_key[16];
    struct crypto_rc4 *seal;
    uint32_t seq;
};

/* Session security of an established NTLM context with extended session
 * security (connection-oriented): what the initiator sends is signed with the
 * client-to-server keys, what it receives with the server-to-client keys; the
 * acceptor the other way round. */
struct ntlm_security {
    struct ntlm_direction send;
    struct ntlm_direction recv;
    bool key_exch; /* NTLMSSP_NEGOTIATE_KEY_EXCH: the checksum is RC4-sealed */
};

/* STATUS_NOT_SUPPORTED without NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY. */
ntstatus_t ntlm_security_init(struct ntlm_security *s, uint32_t flags,
                              const uint8_t exported[NTLM_KEY_LEN], enum ntlm_role role);
/* Zero the keys and free the RC4 streams; safe on a zeroed struct. */
void ntlm_security_free(struct ntlm_security *s);

/* HMAC-MD5(sign_key, seq_le32 || message)[0..7]: the unsealed checksum. */
ntstatus_t ntlm_checksum(const uint8_t sign_key[16], uint32_t seq, const struct iovec *iov,
                         size_t n, uint8_t out[8]);
/* GSS_GetMIC: NTLMSSP_MESSAGE_SIGNATURE = Version 1 || Checksum || SeqNum over
 * the message with the send direction; advances its sequence number and RC4
 * stream. This is the SPNEGO mechListMIC over the mechTypes DER. */
ntstatus_t ntlm_get_mic(struct ntlm_security *s, const struct iovec *iov, size_t n,
                        uint8_t sig[NTLM_SIGNATURE_LEN]);
/* GSS_VerifyMIC with the recv direction (which advances whatever the
 * outcome): STATUS_ACCESS_DENIED when the signature does not match. */
ntstatus_t ntlm_verify_mic(struct ntlm_security *s, const struct iovec *iov, size_t n,
                           const uint8_t sig[NTLM_SIGNATURE_LEN]);
/* GSS_WrapEx / GSS_UnwrapEx (3.4.3): seal data in place with the RC4 stream,
 * then sign the plaintext, the checksum's RC4 continuing the same stream. */
ntstatus_t ntlm_wrap(struct ntlm_security *s, uint8_t *data, size_t len,
                     uint8_t sig[NTLM_SIGNATURE_LEN]);
ntstatus_t ntlm_unwrap(struct ntlm_security *s, uint8_t *data, size_t len,
                       const uint8_t sig[NTLM_SIGNATURE_LEN]);

#endif
