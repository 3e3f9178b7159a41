/* NTLMSSP messages and AV pairs ([MS-NLMP] 2.2.1.1-2.2.1.3, 2.2.2.1, 2.2.2.5,
 * 2.2.2.10): pure codecs over the bounded cursor, for client and server.
 *
 * Decoded messages are views into the caller's buffer (struct ntlm_bytes);
 * nothing is allocated. Encoders take the same structs, with string fields
 * already in wire form (UTF-16LE when NTLMSSP_NEGOTIATE_UNICODE is
 * negotiated; ntlmssp_wire_string() converts), and lay the payload out the way
 * Windows does, so a decoded message re-encodes to the same bytes.
 *
 * Payload fields (Len, MaxLen, Offset): Len and Offset must describe a range
 * inside the message that does not overlap the fixed header (Version and MIC
 * included when present). MaxLen "MUST be ignored on receipt" (2.2.1.x) and is
 * written equal to Len. Empty fields may carry any offset. */
#ifndef SIGNET_AUTH_NTLMSSP_H
#define SIGNET_AUTH_NTLMSSP_H

#include "base/cursor.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- NEGOTIATE flags ([MS-NLMP] 2.2.2.5) ---- */
#define NTLMSSP_NEGOTIATE_UNICODE                  0x00000001u
#define NTLMSSP_NEGOTIATE_OEM                      0x00000002u
#define NTLMSSP_REQUEST_TARGET                     0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN                     0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL                     0x00000020u
#define NTLMSSP_NEGOTIATE_DATAGRAM                 0x00000040u
#define NTLMSSP_NEGOTIATE_LM_KEY                   0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM                     0x00000200u
#define NTLMSSP_ANONYMOUS                          0x00000800u
#define NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED      0x00001000u
#define NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED 0x00002000u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN              0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN                 0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER                 0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLMSSP_NEGOTIATE_IDENTIFY                 0x00100000u
#define NTLMSSP_REQUEST_NON_NT_SESSION_KEY         0x00400000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO              0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION                  0x02000000u
#define NTLMSSP_NEGOTIATE_128                      0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH                 0x40000000u
#define NTLMSSP_NEGOTIATE_56                       0x80000000u

/* ---- message layout ---- */
#define NTLMSSP_MSG_NEGOTIATE    1u
#define NTLMSSP_MSG_CHALLENGE    2u
#define NTLMSSP_MSG_AUTHENTICATE 3u

#define NTLMSSP_NEGOTIATE_FIXED    32u /* without Version: impacket, old Linux cifs */
#define NTLMSSP_CHALLENGE_FIXED    48u
#define NTLMSSP_AUTHENTICATE_FIXED 64u
#define NTLMSSP_VERSION_LEN        8u
#define NTLMSSP_MIC_OFFSET         72u /* AUTHENTICATE: after the 8-byte Version */
#define NTLMSSP_MIC_LEN            16u
#define NTLMSSP_REVISION_W2K3      0x0F /* NTLMSSP_REVISION_W2K3, 2.2.2.10 */

/* ---- AV_PAIR ids ([MS-NLMP] 2.2.2.1) ---- */
enum ntlm_av_id {
    MSV_AV_EOL = 0,
    MSV_AV_NB_COMPUTER_NAME = 1,
    MSV_AV_NB_DOMAIN_NAME = 2,
    MSV_AV_DNS_COMPUTER_NAME = 3,
    MSV_AV_DNS_DOMAIN_NAME = 4,
    MSV_AV_DNS_TREE_NAME = 5,
    MSV_AV_FLAGS = 6,
    MSV_AV_TIMESTAMP = 7,
    MSV_AV_SINGLE_HOST = 8,
    MSV_AV_TARGET_NAME = 9,
    MSV_AV_CHANNEL_BINDINGS = 10,
};

/* MsvAvFlags bits */
#define MSV_AV_FLAG_ACCOUNT_CONSTRAINED 0x1u
#define MSV_AV_FLAG_MIC_PRESENT         0x2u
#define MSV_AV_FLAG_UNTRUSTED_SPN       0x4u

struct ntlm_bytes {
    const uint8_t *p; /* never NULL after a successful decode; may be NULL to encode empty */
    size_t len;
};

/* VERSION ([MS-NLMP] 2.2.2.10); informational only. */
struct ntlm_version {
    uint8_t major;
    uint8_t minor;
    uint16_t build;
    uint8_t revision; /* NTLMSSP_REVISION_W2K3 */
};

struct ntlmssp_negotiate {
    uint32_t flags;
    struct ntlm_bytes domain;      /* OEM */
    struct ntlm_bytes workstation; /* OEM */
    bool has_version;
    struct ntlm_version version;
};

struct ntlmssp_challenge {
    uint32_t flags;
    struct ntlm_bytes target_name;
    uint8_t server_challenge[8];
    struct ntlm_bytes target_info; /* AV pairs */
    bool has_version;
    struct ntlm_version version;
};

struct ntlmssp_authenticate {
    uint32_t flags;
    struct ntlm_bytes lm_response;
    struct ntlm_bytes nt_response;
    struct ntlm_bytes domain;
    struct ntlm_bytes user;
    struct ntlm_bytes workstation;
    struct ntlm_bytes encrypted_session_key;
    bool has_version;
    struct ntlm_version version;
    /* Decode: the NtChallengeResponse's MsvAvFlags has MSV_AV_FLAG_MIC_PRESENT
     * (ntlmssp_auth_mic_required), so the MIC at NTLMSSP_MIC_OFFSET is part of
     * the fixed header and was read into mic. Encode: reserve it (copied from
     * mic, normally zero; patch it with ntlmssp_patch_mic once computed). */
    bool has_mic;
    uint8_t mic[NTLMSSP_MIC_LEN];
};

/* Message type of an NTLMSSP message (0 when the signature is wrong). */
uint32_t ntlmssp_message_type(const uint8_t *msg, size_t len);

ntstatus_t ntlmssp_decode_negotiate(const uint8_t *msg, size_t len, struct ntlmssp_negotiate *out);
ntstatus_t ntlmssp_decode_challenge(const uint8_t *msg, size_t len, struct ntlmssp_challenge *out);
ntstatus_t ntlmssp_decode_authenticate(const uint8_t *msg, size_t len,
                                       struct ntlmssp_authenticate *out);

ntstatus_t ntlmssp_encode_negotiate(const struct ntlmssp_negotiate *in, uint8_t *out, size_t cap,
                                    size_t *out_len);
ntstatus_t ntlmssp_encode_challenge(const struct ntlmssp_challenge *in, uint8_t *out, size_t cap,
                                    size_t *out_len);
ntstatus_t ntlmssp_encode_authenticate(const struct ntlmssp_authenticate *in, uint8_t *out,
                                       size_t cap, size_t *out_len);
/* Write mic into an encoded AUTHENTICATE at NTLMSSP_MIC_OFFSET. */
ntstatus_t ntlmssp_patch_mic(uint8_t *msg, size_t len, const uint8_t mic[NTLMSSP_MIC_LEN]);

/* A string in wire form: UTF-16LE when flags has NTLMSSP_NEGOTIATE_UNICODE,
 * else OEM (only ASCII is accepted, the OEM code page being unknown). */
ntstatus_t ntlmssp_wire_string(uint32_t flags, const char *utf8, uint8_t *buf, size_t cap,
                               struct ntlm_bytes *out);
/* The reverse, NUL-terminated UTF-8. */
ntstatus_t ntlmssp_string_utf8(uint32_t flags, struct ntlm_bytes s, char *out, size_t cap);

/* ---- AV pairs ([MS-NLMP] 2.2.2.1) ---- */

struct ntlm_av_iter {
    struct rd r;
    bool at_eol;
};

/* Iterate an AV pair list. ntlm_av_next returns true with *id and *value for
 * each pair before MsvAvEOL, false at MsvAvEOL or on error; then
 * ntlm_av_iter_status() tells which (a list without MsvAvEOL, or whose last
 * pair overruns the buffer, is STATUS_INVALID_PARAMETER). Bytes after MsvAvEOL
 * are ignored. */
void ntlm_av_iter_init(struct ntlm_av_iter *it, const uint8_t *p, size_t len);
bool ntlm_av_next(struct ntlm_av_iter *it, uint16_t *id, struct ntlm_bytes *value);
ntstatus_t ntlm_av_iter_status(const struct ntlm_av_iter *it);

/* Check a whole list: MsvAvEOL present with length 0, fixed-size pairs
 * (MsvAvFlags 4, MsvAvTimestamp 8, MsvAvChannelBindings 16) sized right. */
ntstatus_t ntlm_av_validate(const uint8_t *p, size_t len);
/* The first pair with id: STATUS_NOT_FOUND if none, or the list's error. */
ntstatus_t ntlm_av_find(const uint8_t *p, size_t len, uint16_t id, struct ntlm_bytes *value);

/* Builder: append pairs to a writer, then ntlm_av_put_eol. */
void ntlm_av_put(struct wr *w, uint16_t id, const void *value, size_t len);
void ntlm_av_put_utf16(struct wr *w, uint16_t id, const char *utf8); /* name pairs */
void ntlm_av_put_u32(struct wr *w, uint16_t id, uint32_t v);         /* MsvAvFlags */
void ntlm_av_put_u64(struct wr *w, uint16_t id, uint64_t v);         /* MsvAvTimestamp */
void ntlm_av_put_eol(struct wr *w);

/* The client's AV list for its NTLMv2_CLIENT_CHALLENGE ([MS-NLMP] 3.1.5.1.2):
 * the server's pairs, then MsvAvFlags (the server's value, plus
 * MSV_AV_FLAG_MIC_PRESENT when with_mic), MsvAvChannelBindings (16 zero bytes
 * when channel_bindings is NULL), MsvAvTargetName when target_spn is not NULL
 * (e.g. "cifs/server"), and MsvAvEOL. */
struct ntlm_av_client_opts {
    bool with_mic;
    const uint8_t *channel_bindings; /* 16 bytes: MD5 of gss_channel_bindings_struct */
    const char *target_spn;          /* UTF-8 */
};
void ntlm_av_build_client(struct wr *w, const uint8_t *server_ti, size_t server_ti_len,
                          const struct ntlm_av_client_opts *opts);

/* ---- NTLMv2 response structure ([MS-NLMP] 2.2.2.7, 2.2.2.8) ---- */
#define NTLMV2_PROOF_LEN  16u
#define NTLMV2_BLOB_FIXED 28u /* RespType..Reserved3, before the AV pairs */
#define NTLMV2_RESP_MIN   (NTLMV2_PROOF_LEN + NTLMV2_BLOB_FIXED + 4u) /* + MsvAvEOL */

/* The AV pairs inside an NTLMv2 NtChallengeResponse (NTProofStr, then the
 * NTLMv2_CLIENT_CHALLENGE: RespType 1, HiRespType 1, Z(6), TimeStamp,
 * ChallengeFromClient, Z(4), AvPairs). Fails if it is not NTLMv2-shaped. */
ntstatus_t ntlmv2_response_av_pairs(struct ntlm_bytes nt_response, struct ntlm_bytes *av);
/* True if the NtChallengeResponse's MsvAvFlags has MSV_AV_FLAG_MIC_PRESENT:
 * then the MIC must be present and verified ([MS-NLMP] 3.2.5.1.2). */
bool ntlmssp_auth_mic_required(const struct ntlmssp_authenticate *auth);

#endif
