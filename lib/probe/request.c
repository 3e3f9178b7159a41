/* The requests a probe sends. [MS-SMB2] 2.1 (Direct TCP), 2.2.1.2 (header),
 * 2.2.3 (NEGOTIATE), 2.2.5 (SESSION_SETUP); [MS-CIFS] 2.2.4.52.1 (SMB1
 * NEGOTIATE); [MS-NLMP] 2.2.1 and [MS-SPNG] for the anonymous logon. */
#include "probe/probe_msg.h"

#include "auth/ntlmssp.h"
#include "auth/spnego.h"
#include "base/cursor.h"
#include "crypto/crypto.h"
#include "wire/hdr.h"
#include "wire/negotiate.h"
#include "wire/negotiate_ctx.h"
#include "wire/session_setup.h"

#include <string.h>

#define PROBE_CREDITS 8 /* CreditRequest on every request */
#define TOKEN_CAP     2048

/* Header of a request with the given command and ids (2.2.1.2). */
static ntstatus_t begin_request(struct wr *w, uint8_t *out, size_t cap, uint16_t command,
                                uint16_t credit_charge, uint64_t message_id, uint64_t session_id)
{
    if (cap < 4 + SMB2_HDR_SIZE)
        return STATUS_BUFFER_TOO_SMALL;
    wr_init(w, out + 4, cap - 4);
    struct smb2_hdr h;
    memset(&h, 0, sizeof h);
    h.credit_charge = credit_charge;
    h.command = command;
    h.credit_request = PROBE_CREDITS;
    h.message_id = message_id;
    h.session_id = session_id;
    return smb2_hdr_encode(w, &h);
}

/* Patch the Direct TCP prefix once the message is written (2.1). */
static ntstatus_t end_request(struct wr *w, uint8_t *out, size_t *len)
{
    ntstatus_t st = wr_status(w);
    if (!nt_ok(st))
        return st;
    smb2_frame_encode(out, (uint32_t)wr_pos(w));
    *len = 4 + wr_pos(w);
    return STATUS_SUCCESS;
}

static bool offers_0311(const struct probe_neg_offer *o)
{
    for (uint16_t i = 0; i < o->n_dialects; i++)
        if (o->dialects[i] == SMB2_DIALECT_0311)
            return true;
    return false;
}

/* 2.2.3.1: PREAUTH_INTEGRITY (SHA-512, 32-byte salt), then the offered
 * signing algorithms and ciphers. */
static ntstatus_t build_contexts(const struct probe_neg_offer *o, uint8_t *out, size_t cap,
                                 size_t *len, uint16_t *count)
{
    uint8_t salt[32];
    ntstatus_t st = crypto_random(salt, sizeof salt);
    if (!nt_ok(st))
        return st;
    struct smb2_negctx_set set;
    memset(&set, 0, sizeof set);
    set.present = SMB2_NEGCTX_HAS(SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
    set.preauth.hash_algorithm_count = 1;
    set.preauth.hash_algorithms[0] = SMB2_PREAUTH_INTEGRITY_SHA512;
    set.preauth.salt_length = sizeof salt;
    set.preauth.salt = salt;
    if (o->n_sign > 0) {
        set.present |= SMB2_NEGCTX_HAS(SMB2_SIGNING_CAPABILITIES);
        set.signing.signing_algorithm_count = o->n_sign;
        memcpy(set.signing.signing_algorithms, o->sign_algs, o->n_sign * sizeof(uint16_t));
    }
    if (o->n_ciphers > 0) {
        set.present |= SMB2_NEGCTX_HAS(SMB2_ENCRYPTION_CAPABILITIES);
        set.encryption.cipher_count = o->n_ciphers;
        memcpy(set.encryption.ciphers, o->ciphers, o->n_ciphers * sizeof(uint16_t));
    }
    struct wr w;
    wr_init(&w, out, cap);
    st = smb2_negctx_set_encode(&w, &set, count);
    *len = wr_pos(&w);
    return st;
}

ntstatus_t probe_build_negotiate(const struct probe_neg_offer *o, const uint8_t client_guid[16],
                                 uint8_t *out, size_t cap, size_t *len)
{
    if (o->n_dialects == 0 || o->n_dialects > PROBE_N_DIALECTS || o->n_sign > 3 ||
        o->n_ciphers > PROBE_N_CIPHERS)
        return STATUS_INVALID_PARAMETER;
    struct smb2_negotiate_req req;
    memset(&req, 0, sizeof req);
    req.dialect_count = o->n_dialects;
    memcpy(req.dialects, o->dialects, o->n_dialects * sizeof(uint16_t));
    req.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED; /* never "required": just ask */
    bool only_0202 = o->n_dialects == 1 && o->dialects[0] == SMB2_DIALECT_0202;
    /* 2.2.3: Capabilities are ignored by 2.0.2 servers; 3.x ones report
     * SMB2_GLOBAL_CAP_ENCRYPTION back only when the client sets it. */
    req.capabilities =
        only_0202 ? 0
                  : SMB2_GLOBAL_CAP_DFS | SMB2_GLOBAL_CAP_LARGE_MTU | SMB2_GLOBAL_CAP_ENCRYPTION;
    memcpy(req.client_guid, client_guid, 16);
    uint8_t ctx[256];
    if (offers_0311(o)) {
        ntstatus_t st = build_contexts(o, ctx, sizeof ctx, &req.negotiate_context_list_len,
                                       &req.negotiate_context_count);
        if (!nt_ok(st))
            return st;
        req.negotiate_context_list = ctx;
    }
    struct wr w;
    ntstatus_t st = begin_request(&w, out, cap, SMB2_NEGOTIATE, 0, o->message_id, 0);
    if (nt_ok(st))
        st = smb2_negotiate_req_encode(&w, &req);
    return nt_ok(st) ? end_request(&w, out, len) : st;
}

/* [MS-CIFS] 2.2.3.1 header + 2.2.4.52.1 request: WordCount 0, the dialect
 * strings each prefixed 0x02 and NUL-terminated. */
ntstatus_t probe_build_smb1_negotiate(uint8_t *out, size_t cap, size_t *len)
{
    static const char dialect[] = "NT LM 0.12";
    if (cap < 4)
        return STATUS_BUFFER_TOO_SMALL;
    struct wr w;
    wr_init(&w, out + 4, cap - 4);
    wr_u32(&w, SMB1_PROTOCOL_ID);
    wr_u8(&w, 0x72);    /* SMB_COM_NEGOTIATE */
    wr_u32(&w, 0);      /* Status */
    wr_u8(&w, 0x18);    /* Flags: CASE_INSENSITIVE | CANONICALIZED_PATHS */
    wr_u16(&w, 0xC801); /* Flags2: UNICODE | NT_STATUS | EXTENDED_SECURITY | LONG_NAMES */
    wr_zero(&w, 12);    /* PIDHigh, SecurityFeatures, Reserved */
    wr_u16(&w, 0);      /* TID */
    wr_u16(&w, 0xFEFF); /* PIDLow */
    wr_u16(&w, 0);      /* UID */
    wr_u16(&w, 0);      /* MID */
    wr_u8(&w, 0);       /* WordCount */
    wr_u16(&w, (uint16_t)(sizeof dialect + 1)); /* ByteCount */
    wr_u8(&w, 0x02);                            /* BufferFormat: dialect string */
    wr_bytes(&w, dialect, sizeof dialect);
    return end_request(&w, out, len);
}

ntstatus_t probe_build_session_setup(uint16_t dialect, uint64_t message_id, uint64_t session_id,
                                     const uint8_t *token, size_t token_len, uint8_t *out,
                                     size_t cap, size_t *len)
{
    if (token_len > UINT16_MAX)
        return STATUS_INVALID_PARAMETER;
    struct smb2_session_setup_req req;
    memset(&req, 0, sizeof req);
    req.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
    req.security_buffer = token;
    req.security_buffer_length = (uint16_t)token_len;
    /* 2.2.1.2: CreditCharge is 0 on 2.0.2 connections, 1 for a small request. */
    uint16_t charge = dialect == SMB2_DIALECT_0202 ? 0 : 1;
    struct wr w;
    ntstatus_t st = begin_request(&w, out, cap, SMB2_SESSION_SETUP, charge, message_id, session_id);
    if (nt_ok(st))
        st = smb2_session_setup_req_encode(&w, &req);
    return nt_ok(st) ? end_request(&w, out, len) : st;
}

/* What the anonymous NEGOTIATE asks for: Unicode NTLM with extended session
 * security; no SIGN/SEAL/KEY_EXCH since an anonymous logon has no key. */
#define ANON_FLAGS                                                                                 \
    (NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM |                 \
     NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |                  \
     NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56)

ntstatus_t probe_anon_first_token(struct buf *out)
{
    uint8_t neg[64];
    size_t neg_len = 0;
    struct ntlmssp_negotiate n = {.flags = ANON_FLAGS};
    ntstatus_t st = ntlmssp_encode_negotiate(&n, neg, sizeof neg, &neg_len);
    if (!nt_ok(st))
        return st;
    struct spnego_init init;
    memset(&init, 0, sizeof init);
    init.mech_types.count = 1;
    init.mech_types.mech[0] = SPNEGO_MECH_NTLMSSP;
    init.mech_token.p = neg;
    init.mech_token.len = neg_len;
    buf_reset(out);
    st = buf_reserve(out, TOKEN_CAP);
    size_t len = 0;
    if (nt_ok(st))
        st = spnego_encode_init(&init, out->p, out->cap, &len);
    if (nt_ok(st))
        out->len = len;
    return st;
}

/* The CHALLENGE's flags, from the server's NegTokenResp. */
static ntstatus_t challenge_flags(const uint8_t *in, size_t in_len, uint32_t *flags)
{
    struct spnego_token t;
    if (!nt_ok(spnego_decode(in, in_len, &t)) || t.kind != SPNEGO_NEG_TOKEN_RESP ||
        !t.resp.response_token.p)
        return STATUS_INVALID_NETWORK_RESPONSE;
    if (t.resp.has_neg_state && t.resp.neg_state == SPNEGO_REJECT)
        return STATUS_LOGON_FAILURE;
    struct ntlmssp_challenge ch;
    if (!nt_ok(ntlmssp_decode_challenge(t.resp.response_token.p, t.resp.response_token.len, &ch)))
        return STATUS_INVALID_NETWORK_RESPONSE;
    *flags = ch.flags;
    return STATUS_SUCCESS;
}

ntstatus_t probe_anon_auth_token(const uint8_t *challenge, size_t challenge_len, struct buf *out)
{
    uint32_t server_flags = 0;
    ntstatus_t st = challenge_flags(challenge, challenge_len, &server_flags);
    if (!nt_ok(st))
        return st;
    static const uint8_t lm_z1[1] = {0};
    struct ntlmssp_authenticate a;
    memset(&a, 0, sizeof a);
    a.flags = (server_flags & ANON_FLAGS) | NTLMSSP_ANONYMOUS;
    a.lm_response = (struct ntlm_bytes){lm_z1, sizeof lm_z1};
    uint8_t auth[128];
    size_t auth_len = 0;
    st = ntlmssp_encode_authenticate(&a, auth, sizeof auth, &auth_len);
    if (!nt_ok(st))
        return st;
    struct spnego_resp r;
    memset(&r, 0, sizeof r);
    r.response_token.p = auth;
    r.response_token.len = auth_len;
    buf_reset(out);
    st = buf_reserve(out, TOKEN_CAP);
    size_t len = 0;
    if (nt_ok(st))
        st = spnego_encode_resp(&r, out->p, out->cap, &len);
    if (nt_ok(st))
        out->len = len;
    return st;
}
