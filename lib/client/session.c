/* SESSION_SETUP with NTLMv2 in SPNEGO, client side. [MS-SMB2] 3.2.4.2.3
 * (request), 3.2.5.3 (response), 3.2.5.3.1 (keys, SigningRequired, guest),
 * 3.2.5.2 and 3.2.5.3.1 (preauth integrity). Every verdict on the final
 * response comes from sec_client_accept_session (lib/sec/policy.h). */
#include "client/core.h"

#include "auth/ntlm_client.h"
#include "auth/ntlmssp.h"
#include "base/log.h"
#include "base/mem.h"
#include "sec/preauth.h"
#include "wire/session_setup.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The text a user reads, for the refusals of sec_client_accept_session. */
static ntstatus_t refuse_session(struct signet_conn *c, ntstatus_t st)
{
    if (nt_eq(st, STATUS_SMB_GUEST_LOGON_BLOCKED))
        return cli_kill(c, st,
                        "%s The server %s offered only a guest session. To allow it (insecure: "
                        "nothing is signed), use --allow-insecure-guest --signing=desired, or set "
                        "'client insecure guest logons = yes' and 'client signing = desired' in "
                        "the [client] section (Windows: EnableInsecureGuestLogons).",
                        cli_status_text(st), c->host);
    if (nt_eq(st, STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP))
        return cli_kill(c, st,
                        "The server %s offered only a guest session, which cannot sign, and "
                        "signing is required (client signing = required, Windows: "
                        "RequireSecuritySignature%s). Use --signing=desired together with "
                        "--allow-insecure-guest to connect unsigned.",
                        c->host,
                        (c->server_security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED)
                            ? "; the server requires signing too"
                            : "");
    if (nt_eq(st, STATUS_INVALID_SIGNATURE)) {
        bool required = c->policy.signing == SEC_CLIENT_SIGNING_REQUIRED;
        return cli_kill(c, st,
                        "%s The server %s does not sign: its final SESSION_SETUP response is "
                        "unsigned, %s. Fix: turn signing on at the server ('server signing = "
                        "mandatory' or 'auto'; Windows: \"Microsoft network server: Digitally "
                        "sign communications (always)\", RequireSecuritySignature); nothing was "
                        "read or written.",
                        cli_status_text(st), c->host,
                        required ? "but this client requires signing (client signing = required; "
                                   "Windows: \"Microsoft network client: Digitally sign "
                                   "communications (always)\", RequireSecuritySignature = True)"
                                 : "and SMB 3.1.1 requires it signed whatever the client policy "
                                   "([MS-SMB2] 3.2.5.3.1)");
    }
    return cli_kill(c, st,
                    "The server %s claimed an anonymous (IS_NULL) session although credentials "
                    "were sent: a downgrade (CVE-2016-2119); connection refused.",
                    c->host);
}

static ntstatus_t send_setup(struct signet_conn *c, const struct buf *token, int *slot)
{
    struct smb2_session_setup_req req = {.security_mode =
                                             (uint8_t)sec_client_security_mode(&c->policy),
                                         .security_buffer = token->p,
                                         .security_buffer_length = (uint16_t)token->len};
    if (token->len > UINT16_MAX)
        return STATUS_BUFFER_OVERFLOW;
    struct wr w;
    ntstatus_t st = cli_begin(c, &w, 64 + token->len);
    if (nt_ok(st))
        st = smb2_session_setup_req_encode(&w, &req);
    struct cli_send_opts o = {.with_session = true,
                              .preauth_hash =
                                  c->dialect == SMB2_DIALECT_0311 ? c->sess.preauth : NULL};
    if (nt_ok(st))
        st = cli_send(c, SMB2_SESSION_SETUP, &w, &o, slot);
    return st;
}

/* Session keys once authentication succeeded (3.2.5.3.1): the signing key
 * and, when the connection has a cipher, the two cipher keys (AES-256 ones
 * from the full session key, sec_derive_keys). */
static ntstatus_t derive_keys(struct signet_conn *c, struct ntlm_client *nc)
{
    uint8_t exported[16];
    struct sec_keys keys;
    ntstatus_t st = ntlm_client_session_key(nc, exported);
    if (nt_ok(st))
        st = sec_derive_keys(c->dialect, (enum smb2_cipher)c->cipher, exported, sizeof exported,
                             c->sess.preauth, &keys);
    enum smb2_signing_alg alg = SMB2_SIGNING_AES_CMAC;
    if (nt_ok(st))
        st = sec_signing_alg_for(c->dialect, c->signing_alg_negotiated, c->signing_alg, &alg);
    if (nt_ok(st))
        st = sec_sign_key_init(&c->sess.key, alg, keys.signing, sizeof keys.signing);
    if (nt_ok(st))
        st = cli_install_cipher_keys(c, &keys);
    secure_zero(exported, sizeof exported);
    sec_keys_clear(&keys);
    return st;
}

static ntstatus_t finish_session(struct signet_conn *c, struct ntlm_client *nc,
                                 const struct cli_slot *sl, const struct smb2_session_setup_rsp *r)
{
    bool signed_flag = sl->hdr.flags & SMB2_FLAGS_SIGNED;
    struct sec_client_session_facts f = {.dialect = c->dialect,
                                         .server_requires_signing = c->server_security_mode &
                                                                    SMB2_NEGOTIATE_SIGNING_REQUIRED,
                                         .session_flags = r->session_flags,
                                         .authenticated_as_user = true,
                                         .response_signed = signed_flag};
    bool required = false;
    ntstatus_t st = sec_client_accept_session(&c->policy, &f, &required);
    c->setup_facts = f;
    c->have_setup_facts = true;
    if (!nt_ok(st)) {
        cli_audit_session(c, &f, st, required);
        return refuse_session(c, st);
    }
    c->sess.guest = r->session_flags & SMB2_SESSION_FLAG_IS_GUEST;
    c->sess.anonymous = r->session_flags & SMB2_SESSION_FLAG_IS_NULL;
    if (c->sess.guest || c->sess.anonymous) {
        st = cli_session_encryption(c, r->session_flags); /* they cannot encrypt */
        if (nt_ok(st))
            cli_audit_session(c, &f, st, required);
        return st; /* no key: nothing is signed (3.2.5.3.1) */
    }
    st = derive_keys(c, nc);
    if (!nt_ok(st))
        return cli_kill(c, st, "cannot derive the session keys: %s", nt_name(st));
    if (signed_flag) { /* verified with the key just derived (3.2.5.3.1) */
        struct iovec iov = {(void *)sl->msg, sl->msg_len};
        if (!nt_ok(sec_verify(&c->sess.key, &iov, 1)))
            return cli_kill(c, STATUS_INVALID_SIGNATURE,
                            "%s The final SESSION_SETUP response of %s does not verify with the "
                            "session's signing key; connection dropped.",
                            cli_status_text(STATUS_INVALID_SIGNATURE), c->host);
    }
    /* The acceptor's mechListMIC is a GSS_GetMIC: it needs NTLM integrity.
     * Require it when NTLMSSP_NEGOTIATE_SIGN was negotiated (Windows, Samba,
     * signetd); a server that granted no NTLM signing (impacket) cannot make
     * one, and Samba's client does not ask it to either (have_sign in
     * gensec_spnego). One that is sent is always verified. SMB signing does
     * not depend on this: the final response above was verified with the
     * session key, and 3.1.1 binds the exchange through the preauth hash. */
    bool need_mic = ntlm_client_flags(nc) & NTLMSSP_NEGOTIATE_SIGN;
    st = ntlm_client_finish(nc, r->security_buffer, r->security_buffer_length, need_mic);
    if (!nt_ok(st))
        return cli_kill(c, STATUS_LOGON_FAILURE,
                        "the server's SPNEGO mechListMIC is missing or does not verify");
    c->sess.signing_required = required;
    st = cli_session_encryption(c, r->session_flags); /* Session.EncryptData */
    if (!nt_ok(st))
        return st;
    cli_audit_session(c, &f, st, required);
    return STATUS_SUCCESS;
}

/* One round: the response to the request in slot. *done when final. */
static ntstatus_t take_round(struct signet_conn *c, struct ntlm_client *nc, int slot,
                             struct buf *token, bool *done)
{
    struct cli_slot *sl = NULL;
    ntstatus_t st = cli_wait(c, slot, &sl);
    if (!nt_ok(st))
        return st;
    ntstatus_t status = NT_STATUS(sl->hdr.status);
    struct smb2_session_setup_rsp r;
    if (nt_is_error(status) && !nt_eq(status, STATUS_MORE_PROCESSING_REQUIRED))
        return cli_fail(c, status, "logon of %s\\%s at %s failed: %s", c->sess.domain, c->sess.user,
                        c->host, cli_status_text(status));
    if (!nt_ok(smb2_session_setup_rsp_decode(sl->msg, sl->msg_len, &r)))
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "malformed SESSION_SETUP response");
    if (c->sess.id == 0)
        c->sess.id = sl->hdr.session_id;
    else if (c->sess.id != sl->hdr.session_id)
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "the SessionId changed mid-setup");
    if (nt_ok(status)) {
        *done = true;
        return finish_session(c, nc, sl, &r);
    }
    if (c->dialect == SMB2_DIALECT_0311) { /* interim responses are hashed, 3.2.5.3 */
        struct iovec iov = {(void *)sl->msg, sl->msg_len};
        st = sec_preauth_update(c->sess.preauth, &iov, 1);
    }
    if (nt_ok(st))
        st = ntlm_client_step(nc, r.security_buffer, r.security_buffer_length, token);
    if (!nt_ok(st) && !nt_eq(st, STATUS_NO_MEMORY))
        return cli_kill(c, st, "authentication with %s failed: %s", c->host, nt_name(st));
    return st;
}

static void workstation_name(char *out, size_t cap)
{
    if (gethostname(out, cap) != 0)
        snprintf(out, cap, "SIGNET");
    out[cap - 1] = 0;
    for (char *p = out; *p; p++) {
        if (*p == '.')
            *p = 0;
        else
            *p = (char)toupper((unsigned char)*p);
        if (!*p)
            break;
    }
}

ntstatus_t cli_session_setup(struct signet_conn *c, const struct signet_creds *cr)
{
    char ws[64], spn[300];
    workstation_name(ws, sizeof ws);
    snprintf(spn, sizeof spn, "cifs/%s", c->host);
    snprintf(c->sess.user, sizeof c->sess.user, "%s", cr->user ? cr->user : "");
    snprintf(c->sess.domain, sizeof c->sess.domain, "%s",
             cr->domain && cr->domain[0] ? cr->domain : "WORKGROUP");
    struct ntlm_client_creds nc_creds = {.user = c->sess.user,
                                         .password = cr->password,
                                         .domain = c->sess.domain,
                                         .workstation = ws,
                                         .target_spn = spn};
    struct ntlm_client *nc = NULL;
    struct buf token = BUF_INIT;
    memcpy(c->sess.preauth, c->preauth, sizeof c->preauth); /* from the connection hash */
    ntstatus_t st = ntlm_client_new(&nc_creds, &nc);
    if (nt_ok(st))
        st = ntlm_client_start(nc, c->gss_hint.p, c->gss_hint.len, &token);
    bool done = false;
    for (int round = 0; nt_ok(st) && !done && round < 4; round++) {
        int slot = -1;
        st = send_setup(c, &token, &slot);
        if (nt_ok(st))
            st = take_round(c, nc, slot, &token, &done);
        cli_release(c, slot);
    }
    if (nt_ok(st) && !done)
        st = cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "too many SESSION_SETUP rounds");
    c->sess.established = nt_ok(st);
    if (!nt_ok(st)) { /* a later signet_login starts a new session */
        c->sess.id = 0;
        c->sess.signing_required = false;
        sec_sign_key_clear(&c->sess.key);
        cli_clear_cipher_keys(c);
    }
    ntlm_client_free(nc);
    buf_free_secret(&token);
    return st;
}
