/* NTLM initiator in SPNEGO. [MS-NLMP] 3.1.5.1 (client), 3.4.5 (session key),
 * [MS-SPNG] 3.1.5.1 and RFC 4178 5 (mechListMIC). */
#include "auth/ntlm_client.h"

#include "auth/ntlm_crypto.h"
#include "auth/ntlmssp.h"
#include "auth/spnego.h"
#include "base/endian.h"
#include "base/filetime.h"
#include "base/mem.h"
#include "crypto/crypto.h"

#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX      4096
#define NAME_MAX_BYTES 512

/* What we ask for in NEGOTIATE, as Windows does: Unicode, NTLM with extended
 * session security, signing and sealing (so the mechListMIC is protected),
 * 128-bit keys and key exchange. */
#define CLIENT_NEGOTIATE_FLAGS                                                                     \
    (NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |                 \
     NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |             \
     NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_VERSION |                      \
     NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56)

enum ntlm_client_state { NC_INIT, NC_SENT_NEGOTIATE, NC_SENT_AUTH, NC_DONE, NC_FAILED };

struct ntlm_client {
    enum ntlm_client_state state;
    char user[NAME_MAX_BYTES];
    char domain[NAME_MAX_BYTES];
    char workstation[NAME_MAX_BYTES];
    char spn[NAME_MAX_BYTES];
    bool has_spn;
    uint8_t nt_hash[NTLM_HASH_LEN];
    uint8_t negotiate[64];
    size_t negotiate_len;
    uint8_t mech_list[64]; /* DER of our mechTypes: what mechListMIC covers */
    size_t mech_list_len;
    uint32_t flags;
    uint8_t exported[NTLM_KEY_LEN];
    bool have_key;
    struct ntlm_security sec;
};

static const struct ntlm_version client_version = {10, 0, 26100, NTLMSSP_REVISION_W2K3};

static bool copy_name(char *dst, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= NAME_MAX_BYTES)
        return false;
    memcpy(dst, src ? src : "", n + 1);
    return true;
}

ntstatus_t ntlm_client_new(const struct ntlm_client_creds *creds, struct ntlm_client **out)
{
    *out = NULL;
    struct ntlm_client *c = calloc(1, sizeof *c);
    if (!c)
        return STATUS_NO_MEMORY;
    if (!copy_name(c->user, creds->user) || !copy_name(c->domain, creds->domain) ||
        !copy_name(c->workstation, creds->workstation) || !copy_name(c->spn, creds->target_spn)) {
        free(c);
        return STATUS_NAME_TOO_LONG;
    }
    c->has_spn = creds->target_spn && creds->target_spn[0];
    ntstatus_t st = ntlm_nt_hash(creds->password ? creds->password : "", c->nt_hash);
    if (!nt_ok(st)) {
        ntlm_client_free(c);
        return st;
    }
    *out = c;
    return STATUS_SUCCESS;
}

void ntlm_client_free(struct ntlm_client *c)
{
    if (!c)
        return;
    ntlm_security_free(&c->sec);
    secure_zero(c, sizeof *c);
    free(c);
}

/* The server's hint: when there is one it must offer NTLMSSP ([MS-SPNG] 3.2.5.2). */
static ntstatus_t check_hint(const uint8_t *hint, size_t hint_len)
{
    if (!hint || hint_len == 0)
        return STATUS_SUCCESS;
    struct spnego_token t;
    ntstatus_t st = spnego_decode(hint, hint_len, &t);
    if (!nt_ok(st) || t.kind != SPNEGO_NEG_TOKEN_INIT)
        return STATUS_INVALID_PARAMETER;
    return spnego_mech_list_has(&t.init.mech_types, SPNEGO_MECH_NTLMSSP) ? STATUS_SUCCESS
                                                                         : STATUS_NOT_SUPPORTED;
}

ntstatus_t ntlm_client_start(struct ntlm_client *c, const uint8_t *hint, size_t hint_len,
                             struct buf *out)
{
    if (c->state != NC_INIT)
        return STATUS_INTERNAL_ERROR;
    ntstatus_t st = check_hint(hint, hint_len);
    if (!nt_ok(st))
        return st;
    struct ntlmssp_negotiate neg = {
        .flags = CLIENT_NEGOTIATE_FLAGS, .has_version = true, .version = client_version};
    st = ntlmssp_encode_negotiate(&neg, c->negotiate, sizeof c->negotiate, &c->negotiate_len);
    static const enum spnego_mech mechs[] = {SPNEGO_MECH_NTLMSSP};
    if (nt_ok(st))
        st =
            spnego_encode_mech_list(mechs, 1, c->mech_list, sizeof c->mech_list, &c->mech_list_len);
    if (!nt_ok(st))
        return st;
    struct spnego_init init = {0};
    init.mech_types.count = 1;
    init.mech_types.mech[0] = SPNEGO_MECH_NTLMSSP;
    init.mech_token.p = c->negotiate;
    init.mech_token.len = c->negotiate_len;
    buf_reset(out);
    st = buf_reserve(out, TOKEN_MAX);
    size_t len = 0;
    if (nt_ok(st))
        st = spnego_encode_init(&init, out->p, out->cap, &len);
    if (!nt_ok(st))
        return st;
    out->len = len;
    c->state = NC_SENT_NEGOTIATE;
    return STATUS_SUCCESS;
}

/* The CHALLENGE inside the server's NegTokenResp. */
static ntstatus_t unwrap_challenge(const uint8_t *in, size_t in_len, struct spnego_bytes *chal)
{
    struct spnego_token t;
    ntstatus_t st = spnego_decode(in, in_len, &t);
    if (!nt_ok(st) || t.kind != SPNEGO_NEG_TOKEN_RESP)
        return STATUS_INVALID_PARAMETER;
    if (t.resp.has_neg_state && t.resp.neg_state == SPNEGO_REJECT)
        return STATUS_LOGON_FAILURE;
    if (t.resp.has_supported_mech && t.resp.supported_mech != SPNEGO_MECH_NTLMSSP)
        return STATUS_NOT_SUPPORTED;
    if (!t.resp.response_token.p)
        return STATUS_INVALID_PARAMETER;
    *chal = t.resp.response_token;
    return STATUS_SUCCESS;
}

/* Inputs of the AUTHENTICATE computed from the CHALLENGE. */
struct auth_parts {
    uint8_t av[1024];
    size_t av_len;
    uint8_t nt_resp[1200];
    size_t nt_len;
    uint8_t lm_resp[NTLMV2_LM_RESPONSE_LEN];
    uint8_t base_key[NTLM_KEY_LEN];
    uint8_t enc_key[NTLM_KEY_LEN];
    bool has_enc;
    bool with_mic;
};

static ntstatus_t compute_responses(struct ntlm_client *c, const struct ntlmssp_challenge *ch,
                                    struct auth_parts *p)
{
    struct ntlm_bytes ts;
    p->with_mic =
        nt_ok(ntlm_av_find(ch->target_info.p, ch->target_info.len, MSV_AV_TIMESTAMP, &ts)) &&
        ts.len == 8;
    struct ntlm_av_client_opts opts = {.with_mic = p->with_mic,
                                       .target_spn = c->has_spn ? c->spn : NULL};
    struct wr w;
    wr_init(&w, p->av, sizeof p->av);
    ntlm_av_build_client(&w, ch->target_info.p, ch->target_info.len, &opts);
    if (!wr_ok(&w))
        return STATUS_INVALID_PARAMETER;
    p->av_len = wr_pos(&w);
    uint8_t ntowf[NTLM_HASH_LEN], cc[8];
    ntstatus_t st = crypto_random(cc, sizeof cc);
    if (nt_ok(st))
        st = ntlm_ntowfv2(c->nt_hash, c->user, c->domain, ntowf);
    uint64_t now = filetime_now();
    if (p->with_mic)
        now = le64_get(ts.p); /* the server's clock (3.1.5.1.2) */
    struct ntlmv2_client_input in = {.nt_hash = c->nt_hash,
                                     .user = c->user,
                                     .domain = c->domain,
                                     .server_challenge = ch->server_challenge,
                                     .client_challenge = cc,
                                     .timestamp = now,
                                     .av = p->av,
                                     .av_len = p->av_len,
                                     .zero_lm_response = p->with_mic};
    if (nt_ok(st))
        st = ntlmv2_client_response(&in, p->nt_resp, sizeof p->nt_resp, &p->nt_len, p->lm_resp,
                                    p->base_key);
    secure_zero(ntowf, sizeof ntowf);
    if (!nt_ok(st))
        return st;
    /* NTLMv2: KeyExchangeKey = SessionBaseKey (3.4.5.1). The current
     * [MS-NLMP] 3.1.5.1.2 exchanges a random key only when KEY_EXCH comes
     * with SIGN or SEAL; earlier revisions, and the servers that implement
     * them (Samba's ntlmssp_server_auth, impacket's smbserver), decrypt
     * EncryptedRandomSessionKey whenever KEY_EXCH is negotiated. impacket's
     * CHALLENGE grants KEY_EXCH without SIGN: without the exchange it signs
     * SMB with a key we do not have. So: KEY_EXCH alone means key exchange.
     * With SIGN or SEAL (Windows, Samba, signetd) nothing changes. */
    uint32_t kx_flags = c->flags;
    if (kx_flags & NTLMSSP_NEGOTIATE_KEY_EXCH)
        kx_flags |= NTLMSSP_NEGOTIATE_SIGN;
    return ntlm_client_exported_key(kx_flags, p->base_key, NULL, c->exported, p->enc_key,
                                    &p->has_enc);
}

static ntstatus_t wire_names(const struct ntlm_client *c, struct ntlmssp_authenticate *a,
                             uint8_t *bufs, size_t each)
{
    ntstatus_t st = ntlmssp_wire_string(c->flags, c->domain, bufs, each, &a->domain);
    if (nt_ok(st))
        st = ntlmssp_wire_string(c->flags, c->user, bufs + each, each, &a->user);
    if (nt_ok(st))
        st = ntlmssp_wire_string(c->flags, c->workstation, bufs + 2 * each, each, &a->workstation);
    return st;
}

/* AUTHENTICATE with its MIC patched in ([MS-NLMP] 3.1.5.1.2). */
static ntstatus_t build_authenticate(struct ntlm_client *c, const struct spnego_bytes *chal,
                                     struct auth_parts *p, uint8_t *out, size_t cap,
                                     size_t *out_len)
{
    struct ntlmssp_authenticate a = {
        .flags = c->flags, .has_version = true, .version = client_version, .has_mic = p->with_mic};
    uint8_t names[3 * NAME_MAX_BYTES * 2];
    ntstatus_t st = wire_names(c, &a, names, NAME_MAX_BYTES * 2);
    if (!nt_ok(st))
        return st;
    a.lm_response = (struct ntlm_bytes){p->lm_resp, sizeof p->lm_resp};
    a.nt_response = (struct ntlm_bytes){p->nt_resp, p->nt_len};
    if (p->has_enc)
        a.encrypted_session_key = (struct ntlm_bytes){p->enc_key, sizeof p->enc_key};
    st = ntlmssp_encode_authenticate(&a, out, cap, out_len);
    if (!nt_ok(st) || !p->with_mic)
        return st;
    uint8_t mic[16];
    st = ntlm_mic_compute(c->exported, c->negotiate, c->negotiate_len, chal->p, chal->len, out,
                          *out_len, mic);
    if (nt_ok(st))
        st = ntlmssp_patch_mic(out, *out_len, mic);
    return st;
}

static ntstatus_t process_challenge(struct ntlm_client *c, const struct spnego_bytes *chal,
                                    uint8_t *auth, size_t cap, size_t *auth_len)
{
    struct ntlmssp_challenge ch;
    ntstatus_t st = ntlmssp_decode_challenge(chal->p, chal->len, &ch);
    if (!nt_ok(st))
        return STATUS_INVALID_PARAMETER;
    if (!(ch.flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) || !ch.target_info.p ||
        !(ch.flags & NTLMSSP_NEGOTIATE_UNICODE))
        return STATUS_NOT_SUPPORTED; /* NTLMv2 with Unicode only; never NTLMv1 */
    if (!nt_ok(ntlm_av_validate(ch.target_info.p, ch.target_info.len)))
        return STATUS_INVALID_PARAMETER;
    c->flags = (ch.flags & CLIENT_NEGOTIATE_FLAGS) | NTLMSSP_NEGOTIATE_TARGET_INFO;
    struct auth_parts *p = calloc(1, sizeof *p);
    if (!p)
        return STATUS_NO_MEMORY;
    st = compute_responses(c, &ch, p);
    if (nt_ok(st))
        st = build_authenticate(c, chal, p, auth, cap, auth_len);
    secure_zero(p, sizeof *p);
    free(p);
    if (nt_ok(st)) {
        c->have_key = true;
        st = ntlm_security_init(&c->sec, c->flags, c->exported, NTLM_ROLE_CLIENT);
    }
    return st;
}

static ntstatus_t wrap_authenticate(struct ntlm_client *c, const uint8_t *auth, size_t auth_len,
                                    struct buf *out)
{
    uint8_t mic[NTLM_SIGNATURE_LEN];
    struct iovec iov = {c->mech_list, c->mech_list_len};
    ntstatus_t st = ntlm_get_mic(&c->sec, &iov, 1, mic);
    if (!nt_ok(st))
        return st;
    struct spnego_resp r = {0};
    r.response_token.p = auth;
    r.response_token.len = auth_len;
    r.mech_list_mic.p = mic;
    r.mech_list_mic.len = sizeof mic;
    buf_reset(out);
    st = buf_reserve(out, auth_len + 256);
    size_t len = 0;
    if (nt_ok(st))
        st = spnego_encode_resp(&r, out->p, out->cap, &len);
    if (nt_ok(st))
        out->len = len;
    return st;
}

ntstatus_t ntlm_client_step(struct ntlm_client *c, const uint8_t *in, size_t in_len,
                            struct buf *out)
{
    if (c->state != NC_SENT_NEGOTIATE)
        return STATUS_INTERNAL_ERROR;
    c->state = NC_FAILED;
    struct spnego_bytes chal;
    ntstatus_t st = unwrap_challenge(in, in_len, &chal);
    if (!nt_ok(st))
        return st;
    uint8_t *auth = malloc(TOKEN_MAX);
    if (!auth)
        return STATUS_NO_MEMORY;
    size_t auth_len = 0;
    st = process_challenge(c, &chal, auth, TOKEN_MAX, &auth_len);
    if (nt_ok(st))
        st = wrap_authenticate(c, auth, auth_len, out);
    free(auth);
    if (nt_ok(st))
        c->state = NC_SENT_AUTH;
    return st;
}

ntstatus_t ntlm_client_finish(struct ntlm_client *c, const uint8_t *in, size_t in_len,
                              bool require_mic)
{
    if (c->state != NC_SENT_AUTH)
        return STATUS_INTERNAL_ERROR;
    c->state = NC_FAILED;
    if (in_len == 0 && !require_mic) {
        c->state = NC_DONE;
        return STATUS_SUCCESS;
    }
    struct spnego_token t;
    if (!nt_ok(spnego_decode(in, in_len, &t)) || t.kind != SPNEGO_NEG_TOKEN_RESP)
        return STATUS_LOGON_FAILURE;
    if (!t.resp.has_neg_state || t.resp.neg_state != SPNEGO_ACCEPT_COMPLETED)
        return STATUS_LOGON_FAILURE;
    if (t.resp.mech_list_mic.p) {
        if (t.resp.mech_list_mic.len != NTLM_SIGNATURE_LEN)
            return STATUS_LOGON_FAILURE;
        struct iovec iov = {c->mech_list, c->mech_list_len};
        if (!nt_ok(ntlm_verify_mic(&c->sec, &iov, 1, t.resp.mech_list_mic.p)))
            return STATUS_LOGON_FAILURE;
    } else if (require_mic) {
        return STATUS_LOGON_FAILURE;
    }
    c->state = NC_DONE;
    return STATUS_SUCCESS;
}

ntstatus_t ntlm_client_session_key(const struct ntlm_client *c, uint8_t out[16])
{
    if (!c->have_key)
        return STATUS_NOT_FOUND;
    memcpy(out, c->exported, NTLM_KEY_LEN);
    return STATUS_SUCCESS;
}

uint32_t ntlm_client_flags(const struct ntlm_client *c)
{
    return c->flags;
}
