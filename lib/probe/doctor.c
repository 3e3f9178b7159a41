/* `signet doctor`: client profiles judged by lib/sec/policy.h (doctor.h). */
#include "probe/doctor.h"

#include "config/config.h"
#include "probe/report.h"
#include "wire/smb2.h"
#include "wire/smb2_names.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- profiles (windows-behaviour.md "Defaults"; macOS: nsmb.conf(5)) ---- */

static const struct doctor_profile profiles[DOCTOR_N_PROFILES] = {
    {"Windows 11 24H2 Pro/Enterprise/Education", "windows11-pro", true, false, true, NULL},
    {"Windows 11 24H2 Home", "windows11-home", false, true, true,
     "Home keeps insecure guest logons allowed"},
    {"Windows Server 2025", "windows-server-2025", true, false, true, NULL},
    {"macOS (defaults)", "macos", false, true, false,
     "nsmb.conf signing_required=no by default (signing_req_vers only applies when it is yes); "
     "Finder offers 'Connect As: Guest'"},
};

const struct doctor_profile *doctor_profile_at(size_t i)
{
    return i < DOCTOR_N_PROFILES ? &profiles[i] : NULL;
}

const struct doctor_profile *doctor_profile_find(const char *id)
{
    for (size_t i = 0; i < DOCTOR_N_PROFILES; i++)
        if (strcmp(profiles[i].id, id) == 0)
            return &profiles[i];
    return NULL;
}

struct sec_client_policy doctor_profile_policy(const struct doctor_profile *p)
{
    struct sec_client_policy pol = sec_client_policy_default();
    pol.signing = p->require_signing ? SEC_CLIENT_SIGNING_REQUIRED : SEC_CLIENT_SIGNING_DESIRED;
    pol.allow_insecure_guest = p->insecure_guest;
    return pol;
}

/* ---- evaluation ---- */

static uint16_t max_security_mode(const struct probe_result *r)
{
    int i = probe_dialect_index(probe_max_dialect(r));
    return i < 0 ? 0 : r->dialects[i].security_mode;
}

/* The 3.1.1 offer of alg alone (probe.h: signing[alg + 1]) was taken. */
static bool alg_taken(const struct probe_result *r, uint16_t alg, bool *tried)
{
    if (alg + 1u >= PROBE_N_SIGN_OFFER)
        return false;
    const struct probe_offer *o = &r->signing[alg + 1];
    *tried = *tried || o->tried;
    return o->tried && o->answered && (!o->present || o->picked == alg);
}

/* 3.1.1 only: false when every algorithm of the policy was offered alone and
 * none was taken (the client would get 0xC05D0003). Unknown counts as fine. */
static bool algs_overlap(const struct sec_client_policy *pol, const struct probe_result *r)
{
    if (probe_max_dialect(r) != SMB2_DIALECT_0311)
        return true;
    bool tried = false;
    for (size_t i = 0; i < pol->algs.count; i++)
        if (alg_taken(r, pol->algs.ids[i], &tried))
            return true;
    return !tried;
}

/* The algorithm the server would sign with for this policy. */
static uint16_t predicted_alg(const struct sec_client_policy *pol, const struct probe_result *r)
{
    uint16_t d = probe_max_dialect(r);
    bool tried = false;
    if (d == SMB2_DIALECT_0311)
        for (size_t i = 0; i < pol->algs.count; i++)
            if (alg_taken(r, pol->algs.ids[i], &tried) && r->signing[pol->algs.ids[i] + 1].present)
                return pol->algs.ids[i];
    return sec_default_signing_alg(d);
}

/* Without credentials: a user with an account, unless the server maps
 * unknown users to guest (the NAS case: the user has no account there). */
static void predicted_facts(const struct probe_result *r, struct sec_client_session_facts *f)
{
    uint16_t mode = max_security_mode(r);
    memset(f, 0, sizeof *f);
    f->dialect = probe_max_dialect(r);
    f->server_requires_signing = mode & SMB2_NEGOTIATE_SIGNING_REQUIRED;
    f->authenticated_as_user = true;
    if (r->guest.granted && (r->guest.session_flags & SMB2_SESSION_FLAG_IS_GUEST)) {
        f->session_flags = SMB2_SESSION_FLAG_IS_GUEST;
        return;
    }
    f->response_signed = mode & (SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED);
}

static enum doctor_cause refusal_cause(ntstatus_t st)
{
    if (nt_eq(st, STATUS_SMB_GUEST_LOGON_BLOCKED))
        return DOCTOR_GUEST_BLOCKED;
    if (nt_eq(st, STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP))
        return DOCTOR_GUEST_SIGNING;
    if (nt_eq(st, STATUS_INVALID_SIGNATURE))
        return DOCTOR_SERVER_NO_SIGN;
    return DOCTOR_DOWNGRADE;
}

static void fail(struct doctor_verdict *v, enum doctor_cause cause, ntstatus_t st)
{
    v->works = false;
    v->cause = cause;
    v->status = st;
}

/* The session's facts: the real logon's, or predicted from the probe.
 * False (and v failed) when the logon itself failed. */
static bool session_facts(const struct probe_result *r, const struct doctor_login *login,
                          struct sec_client_session_facts *f, struct doctor_verdict *v)
{
    if (!login || !login->tried) {
        predicted_facts(r, f);
        return true;
    }
    if (!login->have_facts) {
        fail(v, DOCTOR_LOGON_FAILED, login->status);
        return false;
    }
    *f = login->facts;
    return true;
}

void doctor_evaluate(const struct doctor_profile *p, const struct probe_result *r,
                     const struct doctor_login *login, struct doctor_verdict *v)
{
    memset(v, 0, sizeof *v);
    v->profile = p;
    v->status = STATUS_SUCCESS;
    if (!r->reachable) {
        fail(v, DOCTOR_UNREACHABLE, nt_ok(r->error) ? STATUS_CONNECTION_REFUSED : r->error);
        return;
    }
    if (probe_max_dialect(r) == 0) {
        fail(v, DOCTOR_NO_SMB2, STATUS_NOT_SUPPORTED);
        return;
    }
    struct sec_client_policy pol = doctor_profile_policy(p);
    if (!algs_overlap(&pol, r)) {
        fail(v, DOCTOR_NO_ALG_OVERLAP, STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP);
        return;
    }
    struct sec_client_session_facts f;
    if (!session_facts(r, login, &f, v))
        return;
    bool required = false;
    ntstatus_t st = sec_client_accept_session(&pol, &f, &required);
    if (!nt_ok(st)) {
        fail(v, refusal_cause(st), st);
        return;
    }
    if (login && login->tree_tried && !nt_ok(login->tree_status)) {
        fail(v, DOCTOR_SHARE_FAILED, login->tree_status);
        return;
    }
    v->works = true;
    v->guest = f.session_flags & SMB2_SESSION_FLAG_IS_GUEST;
    v->signed_session = required && !v->guest;
    v->sign_alg =
        login && login->tried && login->signed_session ? login->sign_alg : predicted_alg(&pol, r);
}

void doctor_evaluate_all(struct doctor_report *rep)
{
    rep->n_verdicts = DOCTOR_N_PROFILES;
    for (size_t i = 0; i < DOCTOR_N_PROFILES; i++)
        doctor_evaluate(&profiles[i], rep->probe, &rep->login, &rep->verdicts[i]);
    doctor_evaluate_encryption(rep, &rep->encryption);
}

const char *doctor_enforcement_finding(const struct doctor_report *rep)
{
    if (rep->control.tried && rep->control.rejected)
        return NULL; /* inconclusive: the server refuses even a good request */
    bool served = (rep->unsigned_req.tried && !rep->unsigned_req.rejected) ||
                  (rep->bad_signature.tried && !rep->bad_signature.rejected);
    if (!served)
        return NULL;
    if (max_security_mode(rep->probe) & SMB2_NEGOTIATE_SIGNING_REQUIRED)
        return "the server advertises signing required but does not enforce it";
    return "the server does not enforce the signing this session requires (the client required "
           "it)";
}

int doctor_exit_status(const struct doctor_report *rep)
{
    if (!rep->probe->reachable)
        return 3;
    for (size_t i = 0; i < rep->n_verdicts; i++)
        if (!rep->verdicts[i].works)
            return 1;
    return doctor_enforcement_finding(rep) ? 1 : 0;
}

/* ---- words ---- */

const char *doctor_status_text(ntstatus_t st)
{
    if (nt_eq(st, STATUS_SMB_GUEST_LOGON_BLOCKED))
        return "You can't access this shared folder because your organization's security "
               "policies block unauthenticated guest access. These policies help protect your "
               "PC from unsafe or malicious devices on the network.";
    if (nt_eq(st, STATUS_INVALID_SIGNATURE))
        return "The cryptographic signature is invalid.";
    if (nt_eq(st, STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP))
        return "System error 3227320323 has occurred.";
    if (nt_eq(st, STATUS_NOT_SUPPORTED))
        return "You can't connect to the file share because it's not secure. This share requires "
               "the obsolete SMB1 protocol, which is unsafe and could expose your system to "
               "attack.";
    if (nt_eq(st, STATUS_LOGON_FAILURE))
        return "The user name or password is incorrect.";
    if (nt_eq(st, STATUS_ACCESS_DENIED))
        return "Access is denied.";
    if (nt_eq(st, STATUS_BAD_NETWORK_NAME))
        return "The network name cannot be found.";
    return NULL;
}

static const char *const caution =
    "last resort: Microsoft cautions that disabling signing or enabling insecure guest logons "
    "lets anyone on the network tamper with or relay the connection and lets a rogue server "
    "impersonate this one";

static const char *cause_text(const struct doctor_verdict *v)
{
    switch (v->cause) {
    case DOCTOR_UNREACHABLE:
        return "no TCP connection to the server (address, port, firewall, or the server is not "
               "running).";
    case DOCTOR_NO_SMB2:
        return "the server accepts no SMB2 or SMB3 dialect; this client has SMB1 disabled.";
    case DOCTOR_NO_ALG_OVERLAP:
        return "SMB 3.1.1 with no signing algorithm in common: the client offers AES-128-GMAC, "
               "AES-128-CMAC, HMAC-SHA256 and the server took none of them.";
    case DOCTOR_GUEST_BLOCKED:
        return "the server offers only a guest session (it maps users without an account to "
               "guest), and this client refuses insecure guest logons (EnableInsecureGuestLogons "
               "= False); a guest session has no key, so nothing could be signed either.";
    case DOCTOR_GUEST_SIGNING:
        return "the server offers only a guest session, and signing is required (by this "
               "client or the server): a guest session has no key to sign with.";
    case DOCTOR_SERVER_NO_SIGN:
        return v->profile->require_signing
                   ? "the server does not sign, and this client requires signing "
                     "(RequireSecuritySignature = True)."
                   : "the server does not sign, and SMB 3.1.1 requires the final SESSION_SETUP "
                     "response signed whatever the client policy ([MS-SMB2] 3.2.5.3.1).";
    case DOCTOR_DOWNGRADE:
        return "the server answered a user logon with an anonymous session: a downgrade "
               "(CVE-2016-2119); the client refuses it.";
    case DOCTOR_LOGON_FAILED:
        return "the logon itself failed: the user or password is wrong (not a signing matter).";
    case DOCTOR_SHARE_FAILED:
        return "the logon worked but the share was refused.";
    case DOCTOR_OK:
        break;
    }
    return "";
}

static const char *server_fix(enum doctor_cause c)
{
    switch (c) {
    case DOCTOR_UNREACHABLE:
        return "start the server and let TCP port 445 (or the port given) through.";
    case DOCTOR_NO_SMB2:
        return "Samba: `server min protocol = SMB2_02`; signetd: speaks SMB2 and SMB3 only; "
               "ksmbd: `server min protocol = SMB2_10`.";
    case DOCTOR_NO_ALG_OVERLAP:
        return "Samba: `server smb3 signing algorithms = AES-128-GMAC AES-128-CMAC HMAC-SHA256`; "
               "signetd: `server smb3 signing algorithms = AES-128-GMAC AES-128-CMAC "
               "HMAC-SHA256`; ksmbd: no setting (use a kernel whose ksmbd signs 3.1.1 with "
               "AES-128-CMAC or AES-128-GMAC).";
    case DOCTOR_GUEST_BLOCKED:
    case DOCTOR_GUEST_SIGNING:
        return "give users real accounts and require signing. Samba: `map to guest = never`, "
               "`server signing = mandatory`, `guest ok = no`, accounts with `smbpasswd -a "
               "USER`; signetd: `map to guest = never`, `server signing = mandatory`, `guest ok "
               "= no`, accounts with `signet user add USER --db FILE`; ksmbd: `map to guest = "
               "never`, `server signing = mandatory`, `guest ok = no` in ksmbd.conf, accounts "
               "with `ksmbd.adduser -a USER`.";
    case DOCTOR_SERVER_NO_SIGN:
        return "Samba: `server signing = mandatory` (or at least `auto`); signetd: `server "
               "signing = mandatory`; ksmbd: `server signing = mandatory` (or `auto`) in "
               "ksmbd.conf. Something between client and server that strips signatures must "
               "go.";
    case DOCTOR_DOWNGRADE:
        return "a server or a machine in the middle that turns user logons into anonymous "
               "ones is broken or hostile; update it and check the network path.";
    case DOCTOR_LOGON_FAILED:
        return "Samba: `smbpasswd -a USER`; signetd: `signet user add|passwd USER --db FILE`; "
               "ksmbd: `ksmbd.adduser -a USER`.";
    case DOCTOR_SHARE_FAILED:
        return "check the share's section (`path =`, `valid users =`) in smb.conf, signet.conf "
               "or ksmbd.conf.";
    case DOCTOR_OK:
        break;
    }
    return "";
}

#define GP_SIGN "'Microsoft network client: Digitally sign communications (always)' = Disabled"
#define GP_GUEST                                                                                   \
    "'Computer Configuration > Administrative Templates > Network > Lanman Workstation > Enable "  \
    "insecure guest logons' = Enabled"

/* The client-side fix, or NULL when no client setting helps. */
static const char *windows_client_fix(const struct doctor_verdict *v)
{
    bool req = v->profile->require_signing;
    switch (v->cause) {
    case DOCTOR_GUEST_BLOCKED:
        return req ? "Group Policy " GP_GUEST " and " GP_SIGN
                     "; PowerShell `Set-SmbClientConfiguration -EnableInsecureGuestLogons $true "
                     "-RequireSecuritySignature $false`"
                   : "Group Policy " GP_GUEST "; PowerShell `Set-SmbClientConfiguration "
                     "-EnableInsecureGuestLogons $true`";
    case DOCTOR_GUEST_SIGNING:
    case DOCTOR_SERVER_NO_SIGN:
        return req ? "Group Policy " GP_SIGN "; PowerShell `Set-SmbClientConfiguration "
                     "-RequireSecuritySignature $false`"
                   : NULL;
    default:
        return NULL;
    }
}

static const char *macos_client_fix(const struct doctor_verdict *v)
{
    if (v->cause == DOCTOR_SERVER_NO_SIGN && v->profile->require_signing)
        return "/etc/nsmb.conf: `[default]` `signing_required=no`";
    return NULL;
}

/* ---- text ---- */

struct out {
    struct buf *b;
    ntstatus_t st;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    if (!nt_ok(o->st))
        return;
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        o->st = STATUS_INVALID_PARAMETER;
    else
        o->st = buf_reserve(o->b, (size_t)n + 1);
    if (nt_ok(o->st)) {
        vsnprintf((char *)o->b->p + o->b->len, (size_t)n + 1, fmt, ap2);
        o->b->len += (size_t)n;
    }
    va_end(ap2);
}

static const char *signing_words(uint16_t mode)
{
    if (mode & SMB2_NEGOTIATE_SIGNING_REQUIRED)
        return "signing required";
    return mode & SMB2_NEGOTIATE_SIGNING_ENABLED ? "signing enabled but not required"
                                                 : "signing disabled";
}

static void text_server(struct out *o, const struct doctor_report *rep)
{
    const struct probe_result *r = rep->probe;
    if (!r->reachable) {
        put(o, "Server: unreachable (%s)\n", nt_name(r->error));
        return;
    }
    uint16_t d = probe_max_dialect(r);
    put(o, "Server: %s%s, %s (SecurityMode 0x%04x), guest logon %s, SMB1 %s\n",
        d ? "SMB " : "no SMB2/SMB3", d ? smb2_dialect_name(d) : "",
        signing_words(max_security_mode(r)), max_security_mode(r),
        r->guest.granted ? (r->guest.session_flags & SMB2_SESSION_FLAG_IS_GUEST
                                ? "granted (unknown users are mapped to guest)"
                                : "granted")
                         : "refused",
        r->smb1.accepted ? "accepted" : "refused");
    const struct doctor_login *l = &rep->login;
    if (!l->tried)
        put(o, "Login: not tried (give -U USER to check the real logon and signing "
               "enforcement); without it, a user is assumed to have an account unless the "
               "server maps unknown users to guest\n");
    else if (l->have_facts)
        put(o,
            "Login (signing required, as Windows 11 Pro): session flags 0x%04x%s, final "
            "response %s; %s\n",
            l->facts.session_flags,
            l->facts.session_flags & SMB2_SESSION_FLAG_IS_GUEST ? " (GUEST)" : "",
            l->facts.response_signed ? "signed" : "UNSIGNED",
            nt_ok(l->status) ? "accepted" : nt_name(l->status));
    else
        put(o, "Login: failed with %s\n", nt_name(l->status));
    if (l->audit[0])
        put(o,
            "Client audit events of that logon (as a Windows client logs them, its audit "
            "settings on):\n%s",
            l->audit);
}

static void text_works(struct out *o, const struct doctor_verdict *v)
{
    if (v->guest)
        put(o, "WORKS - as GUEST, insecure: nothing is signed, anyone on the network can "
               "tamper with the session\n");
    else if (v->signed_session)
        put(o, "WORKS - signed with %s\n", cfg_signing_alg_name(v->sign_alg));
    else
        put(o, "WORKS - but NOT signed: neither this client nor the server requires signing "
               "(fix on the server: `server signing = mandatory`)\n");
}

static void text_fail(struct out *o, const struct doctor_verdict *v)
{
    const char *shown = doctor_status_text(v->status);
    if (v->cause == DOCTOR_UNREACHABLE)
        put(o, "FAILS - 'The network path was not found.' (0x80070035; here %s)\n",
            nt_name(v->status));
    else if (shown)
        put(o, "FAILS - '%s' (%s 0x%08X)\n", shown, nt_name(v->status), v->status.code);
    else
        put(o, "FAILS - %s (0x%08X)\n", nt_name(v->status), v->status.code);
    if (v->cause == DOCTOR_GUEST_BLOCKED)
        put(o, "    (net use: System error 1272; Explorer may show 0x80070035 'The network path "
               "was not found.')\n");
    put(o, "    Cause: %s\n", cause_text(v));
    put(o, "    Fix on the server: %s\n", server_fix(v->cause));
    const char *cf = v->profile->windows ? windows_client_fix(v) : macos_client_fix(v);
    if (cf)
        put(o, "    Fix on the client (%s): %s\n", caution, cf);
    else if (v->cause != DOCTOR_UNREACHABLE && v->cause != DOCTOR_LOGON_FAILED)
        put(o, "    Fix on the client: none; fix the server.\n");
}

/* A Windows client with RequireEncryption = True (doctor_encrypt.c). */
static void text_encryption(struct out *o, const struct doctor_report *rep)
{
    const struct doctor_encryption *e = &rep->encryption;
    if (e->cause == DOCTOR_ENC_UNKNOWN)
        return;
    put(o, "With RequireEncryption = True (Set-SmbClientConfiguration -RequireEncryption $true; "
           "signet --encrypt=required): ");
    if (e->works && e->cipher)
        put(o, "WORKS - encrypted with %s on SMB %s (checked with a logon)\n",
            cfg_cipher_name(e->cipher), smb2_dialect_name(e->dialect));
    else if (e->works)
        put(o, "WORKS - the server encrypts (%s; give -U USER to check with a logon)\n",
            e->ciphers);
    else {
        const char *shown = doctor_status_text(e->status);
        put(o, "FAILS - '%s' (%s 0x%08X)\n", shown ? shown : nt_name(e->status), nt_name(e->status),
            e->status.code);
        put(o, "    Cause: %s\n", doctor_encryption_cause(e));
        if (rep->enc_login.tried && rep->enc_login.error[0])
            put(o, "    signet --encrypt=required says: %s\n", rep->enc_login.error);
        if (rep->enc_login.audit_31999)
            put(o, "    (the client logged audit event 31999: the server does not support "
                   "encryption)\n");
        put(o, "    Fix on the server: %s\n", doctor_encryption_server_fix(e));
        put(o, "    Fix on the client: %s\n", doctor_encryption_client_fix(e));
    }
}

static void text_tamper(struct out *o, const char *what, const struct doctor_tamper *t)
{
    if (!t->tried)
        return;
    if (t->rejected)
        put(o, "  %s: rejected (%s): enforced\n", what,
            t->dropped ? "connection dropped" : nt_name(t->status));
    else
        put(o, "  %s: SERVED (%s): NOT enforced\n", what, nt_name(t->status));
}

static void text_enforcement(struct out *o, const struct doctor_report *rep)
{
    if (!rep->unsigned_req.tried && !rep->bad_signature.tried) {
        if (rep->login.tried && rep->login.encrypted)
            put(o, "Enforcement: not checked (the server encrypts the session: a request in "
                   "clear would be refused for that)\n");
        else if (rep->login.tried)
            put(o, "Enforcement: not checked (no signed session)\n");
        return;
    }
    put(o, "Enforcement (on a signed session):\n");
    if (rep->control.tried)
        put(o, "  correctly signed ECHO (control): %s\n",
            rep->control.rejected ? "REJECTED too: the check is inconclusive" : "served");
    text_tamper(o, "unsigned ECHO", &rep->unsigned_req);
    text_tamper(o, "ECHO with a corrupted signature", &rep->bad_signature);
    const char *finding = doctor_enforcement_finding(rep);
    if (finding)
        put(o, "  FINDING: %s\n", finding);
}

ntstatus_t doctor_format_text(const struct doctor_report *rep, struct buf *out)
{
    struct out o = {out, STATUS_SUCCESS};
    put(&o, "signet doctor %s\n", rep->target);
    text_server(&o, rep);
    for (size_t i = 0; i < rep->n_verdicts; i++) {
        const struct doctor_verdict *v = &rep->verdicts[i];
        put(&o, "%s: ", v->profile->name);
        if (v->works)
            text_works(&o, v);
        else
            text_fail(&o, v);
        if (v->profile->assumption)
            put(&o, "    (assumed: %s)\n", v->profile->assumption);
    }
    text_encryption(&o, rep);
    text_enforcement(&o, rep);
    int rc = doctor_exit_status(rep);
    put(&o, "%s\n",
        rc == 0   ? "Result: every profile connects."
        : rc == 3 ? "Result: the server is unreachable."
                  : "Result: some profile fails, or signing is not enforced.");
    return o.st;
}

/* ---- JSON ---- */

static void json_str(struct out *o, const char *s)
{
    if (nt_ok(o->st))
        o->st = report_json_string(o->b, s ? s : "");
}

static void json_tamper(struct out *o, const char *key, const struct doctor_tamper *t)
{
    if (!t->tried) {
        put(o, "  \"%s\": null,\n", key);
        return;
    }
    put(o, "  \"%s\": {\"rejected\": %s, \"dropped\": %s, \"status\": ", key,
        t->rejected ? "true" : "false", t->dropped ? "true" : "false");
    json_str(o, nt_name(t->status));
    put(o, "},\n");
}

static void json_verdict(struct out *o, const struct doctor_verdict *v, bool last)
{
    put(o, "    {\"profile\": ");
    json_str(o, v->profile->id);
    put(o, ", \"name\": ");
    json_str(o, v->profile->name);
    put(o,
        ", \"works\": %s, \"guest\": %s, \"signed\": %s, \"status\": ", v->works ? "true" : "false",
        v->guest ? "true" : "false", v->signed_session ? "true" : "false");
    json_str(o, nt_name(v->status));
    put(o, ", \"message\": ");
    json_str(o, v->works ? "" : doctor_status_text(v->status));
    put(o, ", \"cause\": ");
    json_str(o, v->works ? "" : cause_text(v));
    put(o, ", \"server_fix\": ");
    json_str(o, v->works ? "" : server_fix(v->cause));
    put(o, ", \"client_fix\": ");
    json_str(o, v->works ? "" : v->profile->windows ? windows_client_fix(v) : macos_client_fix(v));
    put(o, "}%s\n", last ? "" : ",");
}

static void json_encryption(struct out *o, const struct doctor_report *rep)
{
    const struct doctor_encryption *e = &rep->encryption;
    put(o, ",\n  \"require_encryption\": {\"works\": %s, \"checked\": %s, \"status\": ",
        e->works ? "true" : "false", rep->enc_login.tried ? "true" : "false");
    json_str(o, nt_name(e->status));
    put(o, ", \"cipher\": ");
    json_str(o, e->cipher ? cfg_cipher_name(e->cipher) : "");
    put(o, ", \"ciphers\": ");
    json_str(o, e->ciphers);
    put(o, ", \"message\": ");
    json_str(o, e->works ? "" : doctor_status_text(e->status));
    put(o, ", \"cause\": ");
    json_str(o, doctor_encryption_cause(e));
    put(o, ", \"signet_error\": ");
    json_str(o, rep->enc_login.error);
    put(o, ", \"server_fix\": ");
    json_str(o, doctor_encryption_server_fix(e));
    put(o, ", \"client_fix\": ");
    json_str(o, doctor_encryption_client_fix(e));
    put(o, "}");
}

ntstatus_t doctor_format_json(const struct doctor_report *rep, struct buf *out)
{
    struct out o = {out, STATUS_SUCCESS};
    const struct probe_result *r = rep->probe;
    put(&o, "{\n  \"target\": ");
    json_str(&o, rep->target);
    put(&o, ",\n  \"reachable\": %s,\n  \"max_dialect\": ", r->reachable ? "true" : "false");
    json_str(&o, probe_max_dialect(r) ? smb2_dialect_name(probe_max_dialect(r)) : "");
    put(&o, ",\n  \"signing_required\": %s,\n  \"guest_granted\": %s,\n",
        max_security_mode(r) & SMB2_NEGOTIATE_SIGNING_REQUIRED ? "true" : "false",
        r->guest.granted ? "true" : "false");
    json_tamper(&o, "control", &rep->control);
    json_tamper(&o, "unsigned_request", &rep->unsigned_req);
    json_tamper(&o, "bad_signature", &rep->bad_signature);
    put(&o, "  \"audit_events\": ");
    json_str(&o, rep->login.audit);
    put(&o, ",\n  \"finding\": ");
    json_str(&o, doctor_enforcement_finding(rep));
    json_encryption(&o, rep);
    put(&o, ",\n  \"profiles\": [\n");
    for (size_t i = 0; i < rep->n_verdicts; i++)
        json_verdict(&o, &rep->verdicts[i], i + 1 == rep->n_verdicts);
    put(&o, "  ],\n  \"exit\": %d\n}\n", doctor_exit_status(rep));
    return o.st;
}
