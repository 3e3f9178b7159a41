/* SESSION_SETUP. [MS-SMB2] 3.3.5.5 (new session, re-authentication),
 * 3.3.5.5.1-3 (authentication, key derivation), 2.2.5 / 2.2.6.
 *
 * NTLMv2 in SPNEGO through auth/ntlm_server. The 3.1.1 session hash starts
 * from the connection hash and takes every request and every
 * MORE_PROCESSING_REQUIRED response (hashed by the dispatcher as it lies on
 * the wire); keys are derived from it once the logon succeeds, and the final
 * response is signed with them. Re-authentication keeps the keys (3.3.5.5.2).
 * Binding (multichannel) is not supported: STATUS_REQUEST_NOT_ACCEPTED. */
#include "server/srv_int.h"

#include "auth/ntlm_server.h"
#include "base/mem.h"
#include "sec/kdf.h"
#include "sec/preauth.h"
#include "wire/session_setup.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

static ntstatus_t new_auth(struct srv_req *r, struct srv_session *s)
{
    const struct srv_cfg *sc = r->conn->cfg;
    struct srv *srv = r->conn->srv;
    bool guest = sec_server_allows_guest(&sc->policy);
    char dns[sizeof srv->netbios_name];
    for (size_t i = 0; i < sizeof dns; i++)
        dns[i] = (char)tolower((unsigned char)srv->netbios_name[i]);
    struct ntlm_server_opts o = {.nb_computer = srv->netbios_name,
                                 .nb_domain = "WORKGROUP",
                                 .dns_computer = dns,
                                 .lookup = srv->opts.lookup,
                                 .lookup_ctx = srv->opts.lookup_ctx,
                                 .allow_anonymous = guest,
                                 .map_bad_user_to_guest = guest && sc->cfg.server.map_to_guest ==
                                                                       CFG_MAP_TO_GUEST_BAD_USER};
    return ntlm_server_new(&o, &s->auth);
}

static ntstatus_t write_rsp(struct srv_req *r, const struct buf *tok)
{
    struct smb2_session_setup_rsp rsp = {.session_flags = r->rsp_session_flags,
                                         .security_buffer = tok->len ? tok->p : NULL,
                                         .security_buffer_length = (uint16_t)tok->len};
    if (tok->len > UINT16_MAX)
        return STATUS_INTERNAL_ERROR;
    return smb2_session_setup_rsp_encode(r->w, &rsp);
}

/* Session.EncryptionKey (ServerOut / SMBS2CCipherKey) and DecryptionKey
 * (ServerIn / SMBC2SCipherKey) of a user session, when the connection has a
 * cipher (3.3.5.5.3); AES-256 keys come from the full session key
 * (sec_derive_keys). Guest and anonymous sessions never encrypt (3.3.5.5.3). */
static ntstatus_t install_cipher_keys(struct srv_conn *c, struct srv_session *s,
                                      const struct sec_keys *keys)
{
    if (c->cipher == SMB2_CIPHER_NONE || s->is_guest || s->is_anonymous)
        return STATUS_SUCCESS;
    sec_cipher_key_clear(&s->enc_key);
    sec_cipher_key_clear(&s->dec_key);
    ntstatus_t st =
        sec_cipher_key_init(&s->enc_key, c->cipher, keys->s2c_cipher, keys->cipher_key_len);
    if (nt_ok(st))
        st = sec_cipher_key_init(&s->dec_key, c->cipher, keys->c2s_cipher, keys->cipher_key_len);
    if (nt_ok(st))
        st = sec_nonce_gen_init(&s->nonces);
    return st;
}

/* Session.SigningKey and Session.SigningRequired of a new session (3.3.5.5.3). */
static ntstatus_t install_keys(struct srv_conn *c, struct srv_session *s,
                               const struct ntlm_server_result *res)
{
    struct sec_keys keys;
    ntstatus_t st = sec_derive_keys(c->dialect, c->cipher, res->session_key,
                                    sizeof res->session_key, s->preauth, &keys);
    enum smb2_signing_alg alg = SMB2_SIGNING_AES_CMAC;
    if (nt_ok(st))
        st = sec_signing_alg_for(c->dialect, c->signing_ctx, c->signing_alg, &alg);
    if (nt_ok(st))
        st = sec_sign_key_init(&s->sign_key, alg, keys.signing, sizeof keys.signing);
    if (nt_ok(st))
        st = install_cipher_keys(c, s, &keys);
    sec_keys_clear(&keys);
    return st;
}

/* Session.EncryptData (3.3.5.5.3) from the global `server smb encrypt`:
 * desired asks the client to encrypt when it can, required also refuses a
 * session that cannot (STATUS_ACCESS_DENIED, as Samba; RejectUnencryptedAccess). */
static ntstatus_t set_encrypt_data(const struct srv_req *r, struct srv_session *s)
{
    enum cfg_encrypt e = r->conn->cfg->cfg.server.encrypt;
    bool can = s->enc_key.cipher != SMB2_CIPHER_NONE;
    if (e == CFG_ENCRYPT_REQUIRED && !can) {
        sg_log(SG_LOG_WARN,
               "conn %" PRIu64 " (%s): session 0x%016" PRIx64 " of '%s' refused: "
               "server smb encrypt = required, but %s: STATUS_ACCESS_DENIED",
               r->conn->id, r->conn->peer, s->id, s->is_anonymous ? "anonymous" : s->user,
               s->is_guest || s->is_anonymous ? "guest and anonymous sessions are never encrypted"
                                              : "the client negotiated no cipher");
        return STATUS_ACCESS_DENIED;
    }
    s->encrypt_data = can && e >= CFG_ENCRYPT_DESIRED;
    s->encrypt_required = can && e == CFG_ENCRYPT_REQUIRED;
    return STATUS_SUCCESS;
}

static void log_logon(const struct srv_req *r, const struct srv_session *s, bool reauth)
{
    const struct srv_conn *c = r->conn;
    const char *who = s->is_anonymous ? "anonymous" : s->user;
    /* What is true at logon: the session encrypts (EncryptData), or the
     * client may (srv_unseal_frame logs when it first does), or it cannot. */
    const char *cipher = cfg_cipher_name(s->enc_key.cipher);
    const char *enc = s->encrypt_required                     ? " (required)"
                      : s->encrypt_data                       ? " (desired)"
                      : s->enc_key.cipher != SMB2_CIPHER_NONE ? " if the client asks"
                                                              : "";
    sg_log(SG_LOG_NOTICE,
           "conn %" PRIu64 " (%s): session 0x%016" PRIx64 " %s '%s'%s: SMB %s, signing %s%s, "
           "encryption %s%s",
           c->id, c->peer, s->id, reauth ? "re-authenticated" : "logged on", who,
           s->is_guest ? " as guest" : "", smb2_dialect_name(c->dialect),
           sec_sign_key_is_set(&s->sign_key) ? cfg_signing_alg_name(c->signing_alg) : "none",
           s->signing_required ? " (required)" : "", cipher, enc);
    /* `server signing audit`: events 3021 and 3022 (srv_audit.c). */
    if (!reauth)
        srv_audit_session(r->conn, s);
    if (!reauth)
        srv_metrics_session(c->srv);
}

/* 3.3.5.5.3: a new session that names a PreviousSessionId of the same user
 * replaces it: the old one is logged off (its opens closed, what waits on
 * them answered STATUS_NOTIFY_CLEANUP or cancelled), wherever it is. */
static void replace_previous(struct srv_conn *c, const struct srv_session *s, uint64_t prev_id)
{
    if (prev_id == 0 || prev_id == s->id)
        return;
    for (struct srv_conn *pc = c->srv->conns; pc; pc = pc->next) {
        struct srv_session *old = srv_session_find(pc, prev_id);
        if (!old || old->state != SRV_SESS_VALID || old->is_guest || old->is_anonymous ||
            strcasecmp(old->user, s->user) != 0)
            continue;
        sg_log(SG_LOG_INFO,
               "conn %" PRIu64 " (%s): session 0x%016" PRIx64 " replaces session 0x%016" PRIx64,
               c->id, c->peer, s->id, old->id);
        srv_session_retire(pc, old);
        return;
    }
}

static ntstatus_t finish_logon(struct srv_req *r, struct srv_session *s, bool reauth,
                               uint8_t setup_security_mode, const struct buf *tok)
{
    struct srv_conn *c = r->conn;
    const struct ntlm_server_result *res = ntlm_server_result(s->auth);
    bool ga = res->is_guest || res->is_anonymous;
    if (ga && !sec_server_allows_guest(&c->cfg->policy))
        return STATUS_ACCESS_DENIED; /* never reached: ntlm_server refuses first */
    if (reauth) {
        /* 3.3.5.5.2: same user, keys kept. */
        if (ga || strcasecmp(res->user, s->user) != 0)
            return STATUS_ACCESS_DENIED;
    } else {
        s->is_guest = res->is_guest;
        s->is_anonymous = res->is_anonymous;
        snprintf(s->user, sizeof s->user, "%s", res->user);
        if (res->has_key) {
            ntstatus_t st = install_keys(c, s, res);
            if (!nt_ok(st))
                return st;
        }
        ntstatus_t est = set_encrypt_data(r, s);
        if (!nt_ok(est))
            return est;
        bool client_required = (c->client_security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED) != 0;
        s->signing_required = sec_server_session_signing_required(&c->cfg->policy, client_required,
                                                                  setup_security_mode, ga);
        s->state = SRV_SESS_VALID;
        srv_conn_authenticated(c);
        if (!ga)
            replace_previous(c, s, r->previous_session_id);
    }
    ntlm_server_free(s->auth);
    s->auth = NULL;
    r->rsp_session_flags = s->is_guest       ? SMB2_SESSION_FLAG_IS_GUEST
                           : s->is_anonymous ? SMB2_SESSION_FLAG_IS_NULL
                                             : 0;
    if (s->encrypt_data)
        r->rsp_session_flags |= SMB2_SESSION_FLAG_ENCRYPT_DATA;
    /* 3.3.5.5.3: the final response is signed unless guest or anonymous. */
    r->sign_sess = s;
    r->force_sign = sec_sign_key_is_set(&s->sign_key);
    s->last_active_ms = c->last_read_ms;
    srv_guard_succeeded(c, s->user);
    log_logon(r, s, reauth);
    return write_rsp(r, tok);
}

/* The failed-logon line names the account, the client address and the
 * reason; at most SRV_LOG_BURST of them a SRV_LOG_INTERVAL_MS. */
static ntstatus_t fail_logon(struct srv_req *r, struct srv_session *s, ntstatus_t st,
                             const char *why)
{
    struct srv_conn *c = r->conn;
    const char *user = ntlm_server_claimed_user(s->auth);
    char addr[sizeof c->peer];
    srv_peer_addr(c, addr, sizeof addr);
    /* counted always; logged and filed (srv_audit.c) within the rate */
    bool log = srv_ratelog_allow(&c->srv->log_logon, uv_now(c->srv->loop), "failed logons");
    srv_event_logon_failed(r, s, st, user[0] ? user : "(none)", addr, why, log);
    srv_guard_failed(c, user); /* a locked account or address is not counted again */
    /* 3.3.5.5.3: a failed authentication removes the session. */
    srv_session_retire(c, s);
    r->logon_failed = true;
    return st;
}

/* The reason a logon with this status failed, for the log. */
static const char *fail_reason(ntstatus_t st)
{
    if (nt_eq(st, STATUS_LOGON_FAILURE))
        return "unknown user or wrong password";
    if (nt_eq(st, STATUS_INVALID_PARAMETER))
        return "malformed security token";
    if (nt_eq(st, STATUS_ACCESS_DENIED))
        return "refused by policy";
    if (nt_eq(st, STATUS_NOT_SUPPORTED))
        return "no NTLMSSP offered";
    return "authentication error";
}

static ntstatus_t find_or_create(struct srv_req *r, struct srv_session **out)
{
    struct srv_conn *c = r->conn;
    *out = r->sess; /* resolved by the dispatcher when SessionId != 0 */
    if (*out)
        return STATUS_SUCCESS;
    if (r->hdr.session_id != 0)
        return STATUS_USER_SESSION_DELETED;
    struct srv_session *s = srv_session_new(c);
    if (!s)
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(s->preauth, c->preauth, sizeof s->preauth); /* 3.3.5.5.1 */
    srv_session_ref(s); /* the request's, as for a session the dispatcher found */
    r->sess = s;
    *out = s;
    return STATUS_SUCCESS;
}

ntstatus_t srv_session_setup(struct srv_req *r)
{
    struct srv_conn *c = r->conn;
    struct smb2_session_setup_req req;
    if (!nt_ok(smb2_session_setup_req_decode(r->msg, r->len, &req)))
        return STATUS_INVALID_PARAMETER;
    if (req.flags & SMB2_SESSION_FLAG_BINDING)
        return STATUS_REQUEST_NOT_ACCEPTED; /* no multichannel (3.3.5.5) */
    if (c->delayed || srv_chain_logon_failed(r))
        return STATUS_REQUEST_NOT_ACCEPTED; /* no next guess before the delay ends */
    r->previous_session_id = req.previous_session_id;
    struct srv_session *s;
    ntstatus_t st = find_or_create(r, &s);
    if (!nt_ok(st))
        return st;
    r->rsp_session_id = s->id;
    bool reauth = s->state == SRV_SESS_VALID;
    if (!s->auth && !nt_ok(st = new_auth(r, s)))
        return fail_logon(r, s, st, "no authentication context");
    struct iovec iov = {(void *)r->msg, r->len};
    if (!reauth && c->dialect == SMB2_DIALECT_0311 &&
        !nt_ok(sec_preauth_update(s->preauth, &iov, 1)))
        return fail_logon(r, s, STATUS_INTERNAL_ERROR, "preauth hash");
    struct buf tok = BUF_INIT;
    st = ntlm_server_step(s->auth, req.security_buffer, req.security_buffer_length, &tok);
    const char *locked = nt_eq(st, STATUS_MORE_PROCESSING_REQUIRED)
                             ? NULL
                             : srv_guard_locked(c, ntlm_server_claimed_user(s->auth));
    if (locked) {
        /* the outcome, right or wrong password, is not told */
        buf_free(&tok);
        return fail_logon(r, s, STATUS_ACCOUNT_LOCKED_OUT, locked);
    }
    if (nt_eq(st, STATUS_MORE_PROCESSING_REQUIRED)) {
        if (!reauth && c->dialect == SMB2_DIALECT_0311)
            r->preauth_sess = s;
        ntstatus_t wst = write_rsp(r, &tok);
        st = nt_ok(wst) ? st : wst;
    } else if (nt_ok(st)) {
        st = finish_logon(r, s, reauth, req.security_mode, &tok);
    }
    buf_free(&tok);
    if (!nt_ok(st) && !nt_eq(st, STATUS_MORE_PROCESSING_REQUIRED))
        return fail_logon(r, s, st, fail_reason(st));
    return st;
}
