/* The client's audit events, as Windows' SMB client logs them
 * (windows-behaviour.md "Audit events"): SMBClient/Security 31017 when an
 * insecure guest logon is rejected (always), SMBClient/Audit 31998 when the
 * server does not support signing and its twin 31999 when it does not support
 * encryption (both with `client signing audit = yes`, Signet's one client
 * audit key; Windows has two: AuditServerDoesNotSupportSigning and
 * AuditServerDoesNotSupportEncryption). At most one line of each per
 * session, key=value, through the library's log handler: 31998 and 31999 as
 * warnings, 31017 as a notice (the refusal already reaches the caller as its
 * error). */
#include "client/core.h"

#include "base/log.h"

static const char *dialect_text(uint16_t d)
{
    return signet_dialect_name(d);
}

static void audit_guest_rejected(const struct signet_conn *c,
                                 const struct sec_client_session_facts *f, ntstatus_t verdict)
{
    sg_log(SG_LOG_NOTICE, /* a notice: the refusal itself is the caller's error */
           "audit: server=%s reason=\"insecure guest logon rejected: the server offered only a "
           "guest session (EnableInsecureGuestLogons = %s, RequireSecuritySignature = %s)\" "
           "dialect=%s status=%s event=31017 source=SMBClient/Security",
           c->host, c->policy.allow_insecure_guest ? "True" : "False",
           sec_client_requires_signing(&c->policy) ? "True" : "False", dialect_text(f->dialect),
           nt_name(verdict));
}

/* Why the session is not signed, or would fail if signing were required;
 * NULL when it is signed. */
static const char *unsigned_reason(const struct sec_client_session_facts *f, ntstatus_t verdict,
                                   bool signing_required)
{
    if (nt_eq(verdict, STATUS_INVALID_SIGNATURE))
        return "not signed: the server does not sign (its final SESSION_SETUP response is "
               "unsigned)";
    if (!nt_ok(verdict))
        return NULL; /* refused for another reason (guest, downgrade): logged elsewhere */
    if (f->session_flags & SMB2_SESSION_FLAG_IS_GUEST)
        return "not signed: a guest session (it would fail if signing were required)";
    if (f->session_flags & SMB2_SESSION_FLAG_IS_NULL)
        return "not signed: an anonymous session";
    if (!signing_required)
        return "not signed: neither side requires signing";
    return NULL;
}

/* 31999: the server cannot encrypt. Known for SMB 2.x (no encryption), for
 * 3.0 / 3.0.2 without SMB2_GLOBAL_CAP_ENCRYPTION, and for 3.1.1 when this
 * client offered ciphers and the server selected none (when it offered none,
 * `client smb encrypt = off`, nothing is known). */
static bool server_cannot_encrypt(const struct signet_conn *c)
{
    if (c->dialect < SMB2_DIALECT_0300)
        return true;
    if (c->dialect != SMB2_DIALECT_0311)
        return !(c->server_caps & SMB2_GLOBAL_CAP_ENCRYPTION);
    uint16_t offered[SIGNET_MAX_CIPHERS];
    return c->cipher == SMB2_CIPHER_NONE && cli_ciphers_offered(c, offered) > 0;
}

void cli_audit_no_encryption(const struct signet_conn *c, const char *why)
{
    sg_log(SG_LOG_WARN,
           "audit: server=%s reason=\"%s\" dialect=%s event=31999 source=SMBClient/Audit "
           "(client signing audit = yes or client smb encrypt = required; Windows: "
           "AuditServerDoesNotSupportEncryption)",
           c->host, why, dialect_text(c->dialect));
}

void cli_audit_session(const struct signet_conn *c, const struct sec_client_session_facts *f,
                       ntstatus_t verdict, bool signing_required)
{
    if (nt_eq(verdict, STATUS_SMB_GUEST_LOGON_BLOCKED) ||
        nt_eq(verdict, STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP))
        audit_guest_rejected(c, f, verdict);
    if (!c->cfg.signing_audit)
        return;
    const char *why = unsigned_reason(f, verdict, signing_required);
    if (why)
        sg_log(SG_LOG_WARN,
               "audit: server=%s reason=\"%s\" dialect=%s server_requires_signing=%s "
               "event=31998 source=SMBClient/Audit (client signing audit = yes; Windows: "
               "AuditServerDoesNotSupportSigning)",
               c->host, why, dialect_text(f->dialect), f->server_requires_signing ? "yes" : "no");
    if (nt_ok(verdict) && server_cannot_encrypt(c))
        cli_audit_no_encryption(c, "not encrypted: the server does not support encryption");
}
