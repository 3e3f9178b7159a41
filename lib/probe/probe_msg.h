/* The probe's messages: requests it builds and the classification of each
 * response, as pure functions (no I/O) so that canned responses test them.
 * Every SMB2 response is parsed through lib/wire and lib/auth codecs only. */
#ifndef SIGNET_PROBE_MSG_H
#define SIGNET_PROBE_MSG_H

#include "base/buf.h"
#include "probe/probe.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest response frame the probe reads (NEGOTIATE and SESSION_SETUP
 * responses with their security blobs are a few KiB). */
#define PROBE_MAX_FRAME (64u * 1024)
/* Room for any request the probe sends, Direct TCP header included. */
#define PROBE_REQ_MAX 4096

/* What a NEGOTIATE request offers ([MS-SMB2] 2.2.3). With 3.1.1 among the
 * dialects, PREAUTH_INTEGRITY (SHA-512) is always sent; SIGNING_CAPABILITIES
 * when n_sign > 0, ENCRYPTION_CAPABILITIES when n_ciphers > 0. */
struct probe_neg_offer {
    uint16_t dialects[PROBE_N_DIALECTS];
    uint16_t n_dialects;
    uint16_t sign_algs[3];
    uint16_t n_sign;
    uint16_t ciphers[PROBE_N_CIPHERS];
    uint16_t n_ciphers;
    uint64_t message_id; /* of the request; the response must match it */
};

/* The NEGOTIATE response, classified. */
struct probe_neg_answer {
    ntstatus_t status;         /* header Status, or INVALID_NETWORK_RESPONSE if malformed */
    uint16_t dialect;          /* DialectRevision (0 unless status is SUCCESS) */
    struct probe_dialect info; /* accepted = dialect was one we offered */
    ntstatus_t ctx_status;     /* 3.1.1 contexts: INVALID_NETWORK_RESPONSE when a
                                * SIGNING/ENCRYPTION context does not hold exactly
                                * one entry (the dialect still counts as accepted) */
    bool sign_present;
    uint16_t sign_picked;
    bool cipher_present;
    uint16_t cipher_picked;
    const uint8_t *security_buffer; /* into the message: the SPNEGO hint */
    size_t security_buffer_len;
};

/* SESSION_SETUP response ([MS-SMB2] 2.2.6), classified. */
struct probe_sess_answer {
    ntstatus_t status; /* header Status, or INVALID_NETWORK_RESPONSE */
    uint64_t session_id;
    uint16_t session_flags;
    const uint8_t *token; /* SPNEGO token into the message */
    size_t token_len;
};

/* ---- requests: each writes a whole Direct TCP frame ---- */
ntstatus_t probe_build_negotiate(const struct probe_neg_offer *o, const uint8_t client_guid[16],
                                 uint8_t *out, size_t cap, size_t *len);
/* SMB1 NEGOTIATE offering only "NT LM 0.12" ([MS-CIFS] 2.2.4.52.1). */
ntstatus_t probe_build_smb1_negotiate(uint8_t *out, size_t cap, size_t *len);
ntstatus_t probe_build_session_setup(uint16_t dialect, uint64_t message_id, uint64_t session_id,
                                     const uint8_t *token, size_t token_len, uint8_t *out,
                                     size_t cap, size_t *len);

/* Anonymous NTLMSSP through SPNEGO: the first token (NegTokenInit carrying
 * NEGOTIATE) and, from the server's CHALLENGE token, the AUTHENTICATE with
 * an empty user, LmChallengeResponse Z(1) and no NtChallengeResponse
 * ([MS-NLMP] 3.1.5.1.2, 3.2.5.1.2). */
ntstatus_t probe_anon_first_token(struct buf *out);
ntstatus_t probe_anon_auth_token(const uint8_t *challenge, size_t challenge_len, struct buf *out);

/* ---- responses: msg is one SMB message without the 4-byte prefix ---- */

/* A NEGOTIATE response to offer o. Returns SUCCESS when it was classified
 * (even as a refusal: see a->status); INVALID_NETWORK_RESPONSE when the
 * bytes are not a NEGOTIATE response at all. */
ntstatus_t probe_classify_negotiate(const uint8_t *msg, size_t len, const struct probe_neg_offer *o,
                                    struct probe_neg_answer *a);
/* The answer to probe_build_smb1_negotiate: fills s (tried is set). */
void probe_classify_smb1(const uint8_t *msg, size_t len, struct probe_smb1 *s);
/* A SESSION_SETUP response to message_id. */
ntstatus_t probe_classify_session_setup(const uint8_t *msg, size_t len, uint64_t message_id,
                                        struct probe_sess_answer *a);
/* True for an interim STATUS_PENDING response to skip ([MS-SMB2] 3.2.5.1.5). */
bool probe_is_interim(const uint8_t *msg, size_t len);

#endif
