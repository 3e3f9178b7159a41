/* `server signing audit = yes`: Windows' SMBServer audit events for each new
 * session, logged through the server's log and kept in a ring buffer for
 * `signet status --audit` (srv_admin.c).
 *
 *   3021  the client does not support signing: the session is not signed,
 *         or would fail if signing were required (Session.SigningRequired is
 *         false and the client did not require signing, [MS-SMB2] 3.3.5.5.3)
 *   3022  the client does not support encryption (no CAP_ENCRYPTION or a
 *         dialect before 3.0); informational, signetd does not encrypt */
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

static void emit(struct srv_conn *c, enum sg_log_level level, unsigned id, const char *what,
                 const char *text)
{
    char line[sizeof((struct srv_audit_event *)0)->line];
    if (snprintf(line, sizeof line, "%s %s", text, what) < 0)
        line[0] = '\0';
    sg_log(level, "audit %u: %s", id, line);
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
        emit(c, SG_LOG_NOTICE, 3021,
             sec_sign_key_is_set(&s->sign_key) ? "did not require signing"
                                               : "cannot sign (no session key)",
             text);
    if (!client_can_encrypt(c))
        emit(c, SG_LOG_INFO, 3022, "does not support encryption", text);
}
