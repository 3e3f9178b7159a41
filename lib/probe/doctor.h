/* `signet doctor`: for each common client profile (Windows 11 24H2
 * Pro/Enterprise/Education, Windows 11 Home, Windows Server 2025, macOS),
 * whether a connection to a server would work, and when not, the error that
 * client shows, the cause and the fixes on both sides.
 *
 * Profiles are data; each is turned into a sec_client_policy and judged by
 * lib/sec/policy.h (sec_client_accept_session, sec_client_check_signing_alg)
 * against what the server showed: the probe result (probe.h) and, with
 * credentials, the facts of a real SESSION_SETUP and the answers to two
 * tampered requests (the enforcement check). Nothing here decides signing on
 * its own. Pure functions: the tool (tools/doctor_cmd.c) does the I/O. */
#ifndef SIGNET_PROBE_DOCTOR_H
#define SIGNET_PROBE_DOCTOR_H

#include "base/buf.h"
#include "probe/probe.h"
#include "sec/policy.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A client as it ships (windows-behaviour.md "Defaults"). */
struct doctor_profile {
    const char *name;       /* "Windows 11 24H2 Pro/Enterprise/Education" */
    const char *id;         /* "windows11-pro": JSON and tests */
    bool require_signing;   /* RequireSecuritySignature of its SMB client */
    bool insecure_guest;    /* EnableInsecureGuestLogons */
    bool windows;           /* the fixes are Group Policy and PowerShell */
    const char *assumption; /* what is assumed rather than documented, or NULL */
};

#define DOCTOR_N_PROFILES 4

const struct doctor_profile *doctor_profile_at(size_t i); /* NULL past the end */
const struct doctor_profile *doctor_profile_find(const char *id);
/* The policy the profile's client runs with (signing algorithms: the
 * Windows 11 24H2 order, GMAC, CMAC, HMAC-SHA256). */
struct sec_client_policy doctor_profile_policy(const struct doctor_profile *p);

/* What a logon with credentials showed (tools/doctor_cmd.c fills it). */
struct doctor_login {
    bool tried;
    ntstatus_t status; /* signet_login's result (with signing required) */
    bool have_facts;   /* a final SESSION_SETUP response arrived */
    struct sec_client_session_facts facts;
    ntstatus_t tree_status; /* TREE_CONNECT to the share, when logged on */
    bool tree_tried;
    bool signed_session; /* the session signs (then sign_alg is its algorithm) */
    char audit[1024];    /* the client's audit events during the logon, one a line */
    uint16_t sign_alg;
    bool encrypted;  /* the server made the session (or share) encrypt */
    uint16_t cipher; /* the connection's cipher, 0 when none */
};

/* A second logon with encryption required (Windows: RequireEncryption =
 * True; signet --encrypt=required), when credentials were given. */
struct doctor_enc_login {
    bool tried;
    ntstatus_t status; /* logon and TREE_CONNECT */
    uint16_t dialect;
    uint16_t cipher;  /* what the session encrypted with */
    char error[768];  /* signet's explanation when refused */
    bool audit_31999; /* the client logged event 31999 */
};

/* What a client with RequireEncryption = True sees (doctor_encrypt.c). */
enum doctor_enc_cause {
    DOCTOR_ENC_OK,
    DOCTOR_ENC_UNKNOWN,   /* not reachable, or no SMB2 */
    DOCTOR_ENC_NO_SMB3,   /* the server speaks no SMB 3 dialect */
    DOCTOR_ENC_NO_CIPHER, /* SMB 3, but no cipher on any dialect */
    DOCTOR_ENC_GUEST,     /* only a guest session, which cannot encrypt */
    DOCTOR_ENC_REFUSED,   /* the real logon with encryption required was refused */
};

struct doctor_encryption {
    bool works;
    enum doctor_enc_cause cause;
    ntstatus_t status; /* what the client shows when it fails */
    uint16_t dialect;  /* the highest dialect */
    char ciphers[160]; /* per dialect, what it encrypts with ("" none) */
    uint16_t cipher;   /* from the encrypted logon, 0 when not tried */
};

/* One tampered request on a signed session: rejected or served. */
struct doctor_tamper {
    bool tried;
    bool rejected;     /* error status, or the connection was dropped */
    bool dropped;      /* dropped (no answer or closed) */
    ntstatus_t status; /* the answer's status, or why it was dropped */
};

enum doctor_cause {
    DOCTOR_OK,
    DOCTOR_UNREACHABLE,    /* no TCP connection */
    DOCTOR_NO_SMB2,        /* SMB1 only (or no SMB at all) */
    DOCTOR_NO_ALG_OVERLAP, /* 3.1.1: no signing algorithm in common */
    DOCTOR_GUEST_BLOCKED,  /* guest only; insecure guest logons are off */
    DOCTOR_GUEST_SIGNING,  /* guest allowed, but signing required: 0xC05D0003 */
    DOCTOR_SERVER_NO_SIGN, /* the server does not sign; signing required */
    DOCTOR_DOWNGRADE,      /* IS_NULL for a user logon */
    DOCTOR_LOGON_FAILED,   /* bad user or password: not a policy matter */
    DOCTOR_SHARE_FAILED,   /* TREE_CONNECT refused */
};

struct doctor_verdict {
    const struct doctor_profile *profile;
    bool works;
    enum doctor_cause cause;
    ntstatus_t status; /* what the client shows when it fails */
    bool guest;        /* works, as guest */
    bool signed_session;
    uint16_t sign_alg; /* when signed */
};

struct doctor_report {
    char target[300]; /* //host:port/share as given */
    const struct probe_result *probe;
    struct doctor_login login;
    struct doctor_tamper control; /* a correctly signed ECHO: must be served */
    struct doctor_tamper unsigned_req, bad_signature;
    struct doctor_verdict verdicts[DOCTOR_N_PROFILES];
    size_t n_verdicts;
    struct doctor_enc_login enc_login;
    struct doctor_encryption encryption; /* RequireEncryption = True */
};

/* Judge profile p against the probe and, when tried, the login. */
void doctor_evaluate(const struct doctor_profile *p, const struct probe_result *r,
                     const struct doctor_login *login, struct doctor_verdict *v);
/* All profiles into rep->verdicts (rep->probe and rep->login set), and
 * rep->encryption. */
void doctor_evaluate_all(struct doctor_report *rep);
/* A Windows client with RequireEncryption = True against this server: from
 * the probe's ciphers and guest result, or from the real encrypted logon
 * when it was tried. Informational: it does not change the exit status. */
void doctor_evaluate_encryption(const struct doctor_report *rep, struct doctor_encryption *e);
const char *doctor_encryption_cause(const struct doctor_encryption *e);
const char *doctor_encryption_server_fix(const struct doctor_encryption *e);
const char *doctor_encryption_client_fix(const struct doctor_encryption *e);

/* "advertises signing required but does not enforce it" and the like; NULL
 * when the enforcement check passed, was not run, or is inconclusive (the
 * correctly signed control request was rejected too). */
const char *doctor_enforcement_finding(const struct doctor_report *rep);

/* 0 every profile works (and enforcement, when checked, holds); 1 some
 * profile fails or enforcement does not hold; 3 the host is unreachable. */
int doctor_exit_status(const struct doctor_report *rep);

/* The windows text of a status ("The cryptographic signature is invalid."),
 * NULL when the doctor has none. */
const char *doctor_status_text(ntstatus_t st);

ntstatus_t doctor_format_text(const struct doctor_report *rep, struct buf *out);
ntstatus_t doctor_format_json(const struct doctor_report *rep, struct buf *out);

#endif
