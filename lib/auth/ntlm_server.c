/* NTLM acceptor in SPNEGO. [MS-NLMP] 3.2.5.1 (server), 3.4.5 (session key),
 * [MS-SPNG] 3.2.5 and RFC 4178 5 (mechListMIC). */
#include "auth/ntlm_server.h"

#include "auth/ntlm_crypto.h"
#include "auth/ntlmssp.h"
#include "auth/spnego.h"
#include "base/filetime.h"
#include "base/mem.h"
#include "crypto/crypto.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX      4096
#define NEGOTIATE_MAX  1024
#define CHALLENGE_MAX  1024
#define MECH_LIST_MAX  512
#define NAME_UTF16_MAX 512

/* What the acceptor is willing to negotiate ([MS-NLMP] 3.2.5.1.1): NTLMv2
 * with extended session security, Unicode only; SIGN/SEAL/KEY_EXCH/56 only
 * when the client asked for them. */
#define SERVER_ALWAYS_FLAGS                                                                        \
    (NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM |                 \
     NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_TARGET_TYPE_SERVER |                                  \
     NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_TARGET_INFO |                  \
     NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128)
#define SERVER_IF_ASKED_FLAGS                                                                      \
    (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_KEY_EXCH |                \
     NTLMSSP_NEGOTIATE_56)

enum ns_state { NS_INIT, NS_WANT_NEGOTIATE, NS_SENT_CHALLENGE, NS_DONE, NS_FAILED };

struct ntlm_server {
    enum ns_state state;
    struct ntlm_server_opts opts;
    char nb_computer[NTLM_SERVER_NAME_MAX], nb_domain[NTLM_SERVER_NAME_MAX];
    char dns_computer[NTLM_SERVER_NAME_MAX], dns_domain[NTLM_SERVER_NAME_MAX];
    bool raw; /* bare NTLMSSP, no SPNEGO wrapping */
    uint8_t mech_list[MECH_LIST_MAX];
    size_t mech_list_len;
    uint8_t negotiate[NEGOTIATE_MAX];
    size_t negotiate_len;
    uint8_t challenge[CHALLENGE_MAX];
    size_t challenge_len;
    uint8_t server_challenge[NTLM_CHALLENGE_LEN];
    uint32_t flags; /* what the CHALLENGE offered */
    struct ntlm_security sec;
    bool have_sec;
    struct ntlm_server_result result;
};

static const struct ntlm_version server_version = {10, 0, 26100, NTLMSSP_REVISION_W2K3};

static bool copy_name(char *dst, const char *src, const char *dflt)
{
    const char *s = src && src[0] ? src : dflt;
    size_t n = strlen(s);
    if (n >= NTLM_SERVER_NAME_MAX)
        return false;
    memcpy(dst, s, n + 1);
    return true;
}

ntstatus_t ntlm_server_new(const struct ntlm_server_opts *opts, struct ntlm_server **out)
{
    *out = NULL;
    struct ntlm_server *s = calloc(1, sizeof *s);
    if (!s)
        return STATUS_NO_MEMORY;
    s->opts = *opts;
    if (!copy_name(s->nb_computer, opts->nb_computer, "SIGNET") ||
        !copy_name(s->nb_domain, opts->nb_domain, "WORKGROUP") ||
        !copy_name(s->dns_computer, opts->dns_computer, "signet") ||
        !copy_name(s->dns_domain, opts->dns_domain, "")) {
        free(s);
        return STATUS_NAME_TOO_LONG;
    }
    *out = s;
    return STATUS_SUCCESS;
}

void ntlm_server_free(struct ntlm_server *s)
{
    if (!s)
        return;
    ntlm_security_free(&s->sec);
    secure_zero(s, sizeof *s);
    free(s);
}

ntstatus_t ntlm_server_hint(struct buf *out)
{
    struct spnego_init init = {0};
    init.mech_types.count = 1;
    init.mech_types.mech[0] = SPNEGO_MECH_NTLMSSP;
    init.has_neg_hints = true;
    buf_reset(out);
    ntstatus_t st = buf_reserve(out, 256);
    size_t len = 0;
    if (nt_ok(st))
        st = spnego_encode_init(&init, out->p, out->cap, &len);
    if (nt_ok(st))
        out->len = len;
    return st;
}

const char *ntlm_server_claimed_user(const struct ntlm_server *s)
{
    return s ? s->result.user : "";
}

const struct ntlm_server_result *ntlm_server_result(const struct ntlm_server *s)
{
    return s->state == NS_DONE ? &s->result : NULL;
}

/* ---- output tokens ---- */

static ntstatus_t emit_resp(struct ntlm_server *s, const struct spnego_resp *r,
                            const uint8_t *raw_token, size_t raw_len, struct buf *out)
{
    buf_reset(out);
    if (s->raw)
        return buf_append(out, raw_token, raw_len);
    ntstatus_t st = buf_reserve(out, TOKEN_MAX);
    size_t len = 0;
    if (nt_ok(st))
        st = spnego_encode_resp(r, out->p, out->cap, &len);
    if (nt_ok(st))
        out->len = len;
    return st;
}

/* Ask the client to restart with NTLMSSP when its optimistic token was for
 * another mechanism (RFC 4178 3.2). */
static ntstatus_t emit_select_ntlm(struct ntlm_server *s, struct buf *out)
{
    struct spnego_resp r = {.has_neg_state = true,
                            .neg_state = SPNEGO_ACCEPT_INCOMPLETE,
                            .has_supported_mech = true,
                            .supported_mech = SPNEGO_MECH_NTLMSSP};
    s->state = NS_WANT_NEGOTIATE;
    return emit_resp(s, &r, NULL, 0, out);
}

/* ---- CHALLENGE ([MS-NLMP] 3.2.5.1.1) ---- */

static ntstatus_t build_target_info(const struct ntlm_server *s, uint8_t *ti, size_t cap,
                                    size_t *len)
{
    struct wr w;
    wr_init(&w, ti, cap);
    ntlm_av_put_utf16(&w, MSV_AV_NB_DOMAIN_NAME, s->nb_domain);
    ntlm_av_put_utf16(&w, MSV_AV_NB_COMPUTER_NAME, s->nb_computer);
    ntlm_av_put_utf16(&w, MSV_AV_DNS_DOMAIN_NAME, s->dns_domain);
    ntlm_av_put_utf16(&w, MSV_AV_DNS_COMPUTER_NAME, s->dns_computer);
    /* MsvAvTimestamp makes the client send a MIC (3.1.5.1.2). */
    ntlm_av_put_u64(&w, MSV_AV_TIMESTAMP, filetime_now());
    ntlm_av_put_eol(&w);
    *len = wr_pos(&w);
    return wr_status(&w);
}

static ntstatus_t build_challenge(struct ntlm_server *s, uint32_t client_flags)
{
    if (!(client_flags & NTLMSSP_NEGOTIATE_UNICODE))
        return STATUS_NOT_SUPPORTED; /* OEM strings: code page unknown */
    s->flags = SERVER_ALWAYS_FLAGS | (client_flags & SERVER_IF_ASKED_FLAGS);
    ntstatus_t st = crypto_random(s->server_challenge, sizeof s->server_challenge);
    uint8_t ti[512], name[NAME_UTF16_MAX];
    size_t ti_len = 0;
    if (nt_ok(st))
        st = build_target_info(s, ti, sizeof ti, &ti_len);
    struct ntlmssp_challenge ch = {
        .flags = s->flags, .has_version = true, .version = server_version};
    if (nt_ok(st))
        st = ntlmssp_wire_string(s->flags, s->nb_domain, name, sizeof name, &ch.target_name);
    if (!nt_ok(st))
        return st;
    memcpy(ch.server_challenge, s->server_challenge, sizeof ch.server_challenge);
    ch.target_info = (struct ntlm_bytes){ti, ti_len};
    return ntlmssp_encode_challenge(&ch, s->challenge, sizeof s->challenge, &s->challenge_len);
}

static ntstatus_t process_negotiate(struct ntlm_server *s, const uint8_t *tok, size_t len,
                                    struct buf *out)
{
    struct ntlmssp_negotiate neg;
    if (len > sizeof s->negotiate || !nt_ok(ntlmssp_decode_negotiate(tok, len, &neg)))
        return STATUS_INVALID_PARAMETER;
    memcpy(s->negotiate, tok, len);
    s->negotiate_len = len;
    ntstatus_t st = build_challenge(s, neg.flags);
    if (!nt_ok(st))
        return st;
    struct spnego_resp r = {.has_neg_state = true,
                            .neg_state = SPNEGO_ACCEPT_INCOMPLETE,
                            .has_supported_mech = true,
                            .supported_mech = SPNEGO_MECH_NTLMSSP};
    r.response_token.p = s->challenge;
    r.response_token.len = s->challenge_len;
    st = emit_resp(s, &r, s->challenge, s->challenge_len, out);
    if (nt_ok(st))
        s->state = NS_SENT_CHALLENGE;
    return nt_ok(st) ? STATUS_MORE_PROCESSING_REQUIRED : st;
}

/* The first token: NegTokenInit (optimistic NTLMSSP token or not), or a bare
 * NTLMSSP NEGOTIATE as some clients send. */
static ntstatus_t step_init(struct ntlm_server *s, const uint8_t *in, size_t len, struct buf *out)
{
    if (ntlmssp_message_type(in, len) == NTLMSSP_MSG_NEGOTIATE) {
        s->raw = true;
        return process_negotiate(s, in, len, out);
    }
    struct spnego_token t;
    if (!nt_ok(spnego_decode(in, len, &t)) || t.kind != SPNEGO_NEG_TOKEN_INIT)
        return STATUS_INVALID_PARAMETER;
    const struct spnego_mech_list *ml = &t.init.mech_types;
    if (!spnego_mech_list_has(ml, SPNEGO_MECH_NTLMSSP))
        return STATUS_NOT_SUPPORTED;
    if (!ml->der.p || ml->der.len > sizeof s->mech_list)
        return STATUS_INVALID_PARAMETER;
    memcpy(s->mech_list, ml->der.p, ml->der.len);
    s->mech_list_len = ml->der.len;
    if (ml->count > 0 && ml->mech[0] == SPNEGO_MECH_NTLMSSP && t.init.mech_token.p)
        return process_negotiate(s, t.init.mech_token.p, t.init.mech_token.len, out);
    ntstatus_t st = emit_select_ntlm(s, out);
    return nt_ok(st) ? STATUS_MORE_PROCESSING_REQUIRED : st;
}

static ntstatus_t step_want_negotiate(struct ntlm_server *s, const uint8_t *in, size_t len,
                                      struct buf *out)
{
    struct spnego_token t;
    if (!nt_ok(spnego_decode(in, len, &t)) || t.kind != SPNEGO_NEG_TOKEN_RESP ||
        !t.resp.response_token.p)
        return STATUS_INVALID_PARAMETER;
    return process_negotiate(s, t.resp.response_token.p, t.resp.response_token.len, out);
}

/* ---- AUTHENTICATE ([MS-NLMP] 3.2.5.1.2) ---- */

static bool is_anonymous(const struct ntlmssp_authenticate *a)
{
    /* [MS-NLMP] 3.2.5.1.2: empty user, empty NT response, LM empty or Z(1). */
    return a->user.len == 0 && a->nt_response.len == 0 &&
           (a->lm_response.len == 0 || (a->lm_response.len == 1 && a->lm_response.p[0] == 0));
}

static ntstatus_t verify_v2(struct ntlm_server *s, const struct ntlmssp_authenticate *a,
                            const uint8_t nt_hash[16], uint8_t base[16])
{
    if (a->nt_response.len <= NTLMV2_LM_RESPONSE_LEN)
        return STATUS_LOGON_FAILURE; /* NTLMv1 is never accepted */
    /* The client's AV pairs must be well formed (Samba bug 14932). */
    struct ntlm_bytes av;
    if (!nt_ok(ntlmv2_response_av_pairs(a->nt_response, &av)) ||
        !nt_ok(ntlm_av_validate(av.p, av.len)))
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st =
        ntlmv2_server_verify(nt_hash, a->user.p, a->user.len, a->domain.p, a->domain.len,
                             s->server_challenge, a->nt_response.p, a->nt_response.len, base);
    if (nt_eq(st, STATUS_LOGON_FAILURE) && a->domain.len > 0) /* some clients hash "" */
        st = ntlmv2_server_verify(nt_hash, a->user.p, a->user.len, NULL, 0, s->server_challenge,
                                  a->nt_response.p, a->nt_response.len, base);
    return st;
}

/* The user's NTLMv2 proof, the session key and the MIC. */
static ntstatus_t authenticate_user(struct ntlm_server *s, const struct ntlmssp_authenticate *a,
                                    const uint8_t *raw, size_t raw_len)
{
    uint8_t nt_hash[16], base[16];
    struct ntlm_server_result *r = &s->result;
    if (!s->opts.lookup || !s->opts.lookup(s->opts.lookup_ctx, r->user, nt_hash)) {
        if (!s->opts.map_bad_user_to_guest)
            return STATUS_LOGON_FAILURE;
        r->is_guest = true; /* no key: the guest signs nothing ([MS-NLMP] 3.4) */
        return STATUS_SUCCESS;
    }
    ntstatus_t st = verify_v2(s, a, nt_hash, base);
    secure_zero(nt_hash, sizeof nt_hash);
    if (nt_ok(st))
        st = ntlm_server_exported_key(a->flags, base, a->encrypted_session_key.p,
                                      a->encrypted_session_key.len, r->session_key);
    secure_zero(base, sizeof base);
    if (!nt_ok(st))
        return nt_eq(st, STATUS_INVALID_PARAMETER) ? st : STATUS_LOGON_FAILURE;
    if (ntlmssp_auth_mic_required(a) &&
        (!a->has_mic || !nt_ok(ntlm_mic_verify(r->session_key, s->negotiate, s->negotiate_len,
                                               s->challenge, s->challenge_len, raw, raw_len))))
        return STATUS_LOGON_FAILURE;
    r->has_key = true;
    st = ntlm_security_init(&s->sec, a->flags, r->session_key, NTLM_ROLE_SERVER);
    s->have_sec = nt_ok(st);
    return STATUS_SUCCESS;
}

static ntstatus_t check_authenticate(struct ntlm_server *s, const uint8_t *raw, size_t raw_len)
{
    struct ntlmssp_authenticate a;
    if (!nt_ok(ntlmssp_decode_authenticate(raw, raw_len, &a)))
        return STATUS_INVALID_PARAMETER;
    struct ntlm_server_result *r = &s->result;
    if (is_anonymous(&a)) {
        if (!s->opts.allow_anonymous)
            return STATUS_ACCESS_DENIED;
        r->is_anonymous = true;
        return STATUS_SUCCESS;
    }
    if (!(a.flags & NTLMSSP_NEGOTIATE_UNICODE) ||
        !nt_ok(ntlmssp_string_utf8(a.flags, a.user, r->user, sizeof r->user)) ||
        !nt_ok(ntlmssp_string_utf8(a.flags, a.domain, r->domain, sizeof r->domain)) ||
        r->user[0] == '\0')
        return STATUS_LOGON_FAILURE;
    return authenticate_user(s, &a, raw, raw_len);
}

/* RFC 4178 5: verify the client's mechListMIC when it sent one (the NTLM MIC
 * makes Windows and Samba clients always send it), then answer with ours. */
static ntstatus_t finish_spnego(struct ntlm_server *s, const struct spnego_bytes *client_mic,
                                struct buf *out)
{
    struct spnego_resp r = {.has_neg_state = true, .neg_state = SPNEGO_ACCEPT_COMPLETED};
    uint8_t mic[NTLM_SIGNATURE_LEN];
    struct iovec iov = {s->mech_list, s->mech_list_len};
    /* A guest or anonymous logon has no key: its mechListMIC cannot be
     * checked, and no session security rests on it. */
    if (client_mic->p && s->have_sec) {
        if (client_mic->len != NTLM_SIGNATURE_LEN ||
            !nt_ok(ntlm_verify_mic(&s->sec, &iov, 1, client_mic->p)))
            return STATUS_LOGON_FAILURE;
    }
    if (s->have_sec && !s->raw) {
        ntstatus_t st = ntlm_get_mic(&s->sec, &iov, 1, mic);
        if (!nt_ok(st))
            return st;
        r.mech_list_mic.p = mic;
        r.mech_list_mic.len = sizeof mic;
    }
    return emit_resp(s, &r, NULL, 0, out);
}

static ntstatus_t step_authenticate(struct ntlm_server *s, const uint8_t *in, size_t len,
                                    struct buf *out)
{
    struct spnego_bytes tok = {in, len}, client_mic = {NULL, 0};
    if (!s->raw) {
        struct spnego_token t;
        if (!nt_ok(spnego_decode(in, len, &t)) || t.kind != SPNEGO_NEG_TOKEN_RESP ||
            !t.resp.response_token.p)
            return STATUS_INVALID_PARAMETER;
        tok = t.resp.response_token;
        client_mic = t.resp.mech_list_mic;
    }
    if (ntlmssp_message_type(tok.p, tok.len) != NTLMSSP_MSG_AUTHENTICATE)
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st = check_authenticate(s, tok.p, tok.len);
    if (nt_ok(st))
        st = finish_spnego(s, &client_mic, out);
    return st;
}

ntstatus_t ntlm_server_step(struct ntlm_server *s, const uint8_t *in, size_t in_len,
                            struct buf *out)
{
    enum ns_state was = s->state;
    s->state = NS_FAILED;
    if (!in || in_len == 0)
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st;
    switch (was) {
    case NS_INIT:
        st = step_init(s, in, in_len, out);
        break;
    case NS_WANT_NEGOTIATE:
        st = step_want_negotiate(s, in, in_len, out);
        break;
    case NS_SENT_CHALLENGE:
        st = step_authenticate(s, in, in_len, out);
        if (nt_ok(st))
            s->state = NS_DONE;
        return st;
    default:
        return STATUS_INTERNAL_ERROR;
    }
    return st; /* the steps set the next state when they succeed */
}
