/* `server signing audit = yes`: Windows' SMBServer audit events for each new
 * session, logged through the server's log and kept in a ring buffer for
 * `signet status --audit` (srv_admin.c).
 *
 *   3021  the client does not support signing: the session is not signed,
 *         or would fail if signing were required (Session.SigningRequired is
 *         false and the client did not require signing, [MS-SMB2] 3.3.5.5.3)
 *   3022  the client does not support encryption (no CAP_ENCRYPTION or a
 *         dialect before 3.0); informational, signetd does not encrypt
 *
 * srv_event_emit hands each such line, with its fields, to the program's
 * srv_opts.event (signetd files them in journald) before it is logged. */
#include "server/srv_int.h"

#include "wire/smb2.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void srv_audit_add(struct srv *srv, unsigned id, const char *text)
{
    struct srv_audit_ring *a = &srv->audit;
    struct srv_audit_event *e = &a->ev[a->head];
    e->time = (uint64_t)time(NULL);
    e->id = id;
    if (snprintf(e->line, sizeof e->line, "%s", text) < 0)
        e->line[0] = '\0';
    a->head = (a->head + 1) % SRV_AUDIT_RING;
    if (a->n < SRV_AUDIT_RING)
        a->n++;
}

static void describe(const struct srv_conn *c, const struct srv_session *s, char *out, size_t len)
{
    const char *who = s->is_anonymous ? "anonymous" : s->user;
    if (snprintf(out, len, "session 0x%016" PRIx64 " user %s%s from %s dialect %s", s->id, who,
                 s->is_guest ? " (guest)" : "", c->peer, smb2_dialect_name(c->dialect)) < 0)
        out[0] = '\0';
}

void srv_event_emit(struct srv_conn *c, const struct srv_session *s, enum sg_log_level level,
                    unsigned id, const char *kind, const char *message)
{
    const struct srv_opts *o = &c->srv->opts;
    if (o->event && sg_log_enabled(level)) {
        bool keyed = s && sec_sign_key_is_set(&s->sign_key);
        struct srv_event ev = {
            .id = id,
            .kind = kind,
            .level = (int)level,
            .message = message,
            .client = c->peer,
            .user = s ? (s->is_anonymous ? "anonymous" : s->user) : "",
            .session = s ? s->id : 0,
            .dialect = c->dialect ? smb2_dialect_name(c->dialect) : "",
            .signing = keyed ? cfg_signing_alg_name(c->signing_alg) : "none",
            .cipher = s ? cfg_cipher_name(s->enc_key.cipher) : "none",
        };
        if (o->event(o->event_ctx, &ev))
            return;
    }
    sg_log(level, "%s", message);
}

static void emit(struct srv_conn *c, const struct srv_session *s, enum sg_log_level level,
                 unsigned id, const char *what, const char *text)
{
    char line[sizeof((struct srv_audit_event *)0)->line];
    if (snprintf(line, sizeof line, "%s %s", text, what) < 0)
        line[0] = '\0';
    char msg[sizeof line + 16];
    if (snprintf(msg, sizeof msg, "audit %u: %s", id, line) < 0)
        msg[0] = '\0';
    srv_event_emit(c, s, level, id, "audit", msg);
    srv_audit_add(c->srv, id, line);
}

static bool client_can_encrypt(const struct srv_conn *c)
{
    return c->dialect >= SMB2_DIALECT_0300 && c->dialect != 0x02FF &&
           (c->client_caps & SMB2_GLOBAL_CAP_ENCRYPTION) != 0;
}

void srv_audit_session(struct srv_conn *c, const struct srv_session *s)
{
    if (!c->cfg->cfg.server.signing_audit)
        return;
    char text[256];
    describe(c, s, text, sizeof text);
    bool client_required = (c->client_security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED) != 0;
    if (!s->signing_required && !client_required)
        emit(c, s, SG_LOG_NOTICE, 3021,
             sec_sign_key_is_set(&s->sign_key) ? "did not require signing"
                                               : "cannot sign (no session key)",
             text);
    if (!client_can_encrypt(c))
        emit(c, s, SG_LOG_INFO, 3022, "does not support encryption", text);
}

/* A failed SESSION_SETUP (3.3.5.5.3): logged, counted and filed. */
void srv_event_logon_failed(struct srv_req *r, const struct srv_session *s, ntstatus_t st,
                            const char *account, const char *addr, const char *why, bool log)
{
    srv_metrics_logon_failed(r->conn->srv, st);
    if (!log)
        return;
    char msg[512];
    if (snprintf(msg, sizeof msg,
                 "conn %" PRIu64 " (%s): session 0x%016" PRIx64
                 " logon failed: account '%s' from %s: %s: %s",
                 r->conn->id, r->conn->peer, s->id, account, addr, why, nt_name(st)) < 0)
        msg[0] = '\0';
    srv_event_emit(r->conn, s, SG_LOG_WARN, 0, "logon-failed", msg);
}

/* A request refused for its signature (3.3.5.2.4): what is "unsigned
 * request" or "bad signature". A CANCEL has no response: it is dropped. */
void srv_event_signature(struct srv_req *r, const struct srv_session *s, const char *what,
                         bool unsigned_request)
{
    const struct srv_cmd *cmd = srv_cmd_lookup(r->hdr.command);
    char msg[512];
    if (snprintf(msg, sizeof msg,
                 "conn %" PRIu64 " (%s): %s on session 0x%016" PRIx64 " message %" PRIu64
                 " (%s): %s",
                 r->conn->id, r->conn->peer, what, r->hdr.session_id, r->hdr.message_id,
                 cmd ? cmd->name : "UNKNOWN",
                 r->hdr.command == SMB2_CANCEL ? "dropped" : "STATUS_ACCESS_DENIED") < 0)
        msg[0] = '\0';
    srv_metrics_signature(r->conn->srv, unsigned_request);
    srv_event_emit(r->conn, s, SG_LOG_WARN, 0, "signature", msg);
}
