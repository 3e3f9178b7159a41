/* lib/probe: what an SMB server accepts, found without credentials, for many
 * hosts at once (`signet probe`, `signet scan`).
 *
 * A probe is a small state machine per host. Every question is asked on a
 * fresh TCP connection so that each answer belongs to that question alone:
 *
 *   1. NEGOTIATE offering one dialect, for 3.1.1, 3.0.2, 3.0, 2.1, 2.0.2
 *      ([MS-SMB2] 2.2.3, 3.3.5.4): accepted or not, SecurityMode, GUID, time;
 *   2. on 3.1.1, three more NEGOTIATEs each offering a single signing
 *      algorithm (2.2.3.1.7) and a single cipher (2.2.3.1.2); the first one
 *      (step 1) carried no SIGNING_CAPABILITIES and only AES-128-CCM;
 *   3. an SMB1 NEGOTIATE offering only "NT LM 0.12" ([MS-CIFS] 2.2.4.52);
 *   4. an anonymous NTLMSSP logon through SPNEGO ([MS-NLMP] 3.2.5.1.2:
 *      empty user, LmChallengeResponse Z(1), empty NtChallengeResponse);
 *   5. a logon with a random user name and password: a server that maps
 *      bad users to guest answers SUCCESS with SMB2_SESSION_FLAG_IS_GUEST.
 *
 * The engine runs up to `concurrency` probes at once on one libuv loop; the
 * targets come from a callback one at a time, so a /16 costs no more memory
 * than its in-flight probes. Results are handed back as each host completes
 * (completion order, not target order). */
#ifndef SIGNET_PROBE_PROBE_H
#define SIGNET_PROBE_PROBE_H

#include <netinet/in.h>
#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_N_DIALECTS     5 /* 2.0.2, 2.1, 3.0, 3.0.2, 3.1.1 */
#define PROBE_N_SIGN_OFFER   4 /* none (no context), HMAC-SHA256, AES-CMAC, AES-GMAC */
#define PROBE_N_CIPHERS      4 /* AES-128-CCM, AES-128-GCM, AES-256-CCM, AES-256-GCM */
#define PROBE_HOST_MAX       256
#define PROBE_GUEST_USER_MAX 32

/* The dialects in the order of the result arrays (lowest first). */
extern const uint16_t probe_dialects[PROBE_N_DIALECTS];

/* One NEGOTIATE offering a single dialect ([MS-SMB2] 2.2.4). */
struct probe_dialect {
    bool tried;
    bool accepted;     /* SUCCESS with DialectRevision == the offered one */
    ntstatus_t status; /* SUCCESS, the server's error, or a transport error */
    uint16_t security_mode;
    uint32_t capabilities;
    uint8_t server_guid[16];
    uint64_t system_time;       /* FILETIME */
    uint64_t server_start_time; /* FILETIME */
    uint32_t max_transact_size;
    uint32_t max_read_size;
    uint32_t max_write_size;
};

/* 3.1.1: what the server picked from a single-entry offer. */
struct probe_offer {
    bool tried;
    bool answered;     /* a NEGOTIATE response for 3.1.1 came back */
    ntstatus_t status; /* why not */
    bool present;      /* the response carried the context */
    uint16_t picked;   /* its first (only) algorithm / cipher when present */
};

struct probe_smb1 {
    bool tried;
    bool accepted;      /* SMB1 NEGOTIATE response selecting "NT LM 0.12" */
    ntstatus_t status;  /* SMB1 status, or why no SMB1 answer */
    bool answered_smb2; /* the server answered with an SMB2 message */
};

struct probe_session {
    bool tried;
    bool granted;           /* final SESSION_SETUP response is SUCCESS */
    ntstatus_t status;      /* its status, or why the logon did not get that far */
    uint16_t session_flags; /* SMB2_SESSION_FLAG_IS_GUEST / IS_NULL */
    uint16_t dialect;       /* the dialect the logon ran on */
};

struct probe_result {
    char host[PROBE_HOST_MAX]; /* as the target was written */
    struct sockaddr_in addr;
    uint16_t port;
    bool reachable;   /* a TCP connection was established */
    ntstatus_t error; /* why not reachable (or name resolution) */
    struct probe_smb1 smb1;
    struct probe_dialect dialects[PROBE_N_DIALECTS];
    struct probe_offer signing[PROBE_N_SIGN_OFFER]; /* [0]: no SIGNING_CAPABILITIES */
    struct probe_offer ciphers[PROBE_N_CIPHERS];    /* [i]: cipher id i + 1 */
    struct probe_session anonymous;
    struct probe_session guest;
    char guest_user[PROBE_GUEST_USER_MAX]; /* the random name tried */
    double elapsed_s;
};

/* What to ask (scan asks less than probe). */
#define PROBE_ASK_DIALECTS 0x01u
#define PROBE_ASK_ALGS     0x02u /* 3.1.1 signing algorithms and ciphers */
#define PROBE_ASK_SMB1     0x04u
#define PROBE_ASK_ANON     0x08u
#define PROBE_ASK_GUEST    0x10u
#define PROBE_ASK_ALL      0x1Fu

struct probe_target {
    char host[PROBE_HOST_MAX];
    struct sockaddr_in addr; /* sin_port in network order */
    ntstatus_t status;       /* not SUCCESS: unresolvable, reported as unreachable */
};

/* Next target: true with *t filled, false at the end. */
typedef bool (*probe_next_fn)(void *ctx, struct probe_target *t);
typedef void (*probe_result_fn)(void *ctx, const struct probe_result *r);
/* Called about every 200 ms while probes run. */
typedef void (*probe_progress_fn)(void *ctx, uint64_t done, uint64_t in_flight);

struct probe_opts {
    unsigned ask;         /* PROBE_ASK_* */
    unsigned timeout_ms;  /* per step: connect, and each response */
    unsigned concurrency; /* probes in flight; 0 means 1 */
    probe_next_fn next;
    probe_result_fn on_result;
    probe_progress_fn on_progress; /* may be NULL */
    void *ctx;
};

/* Run probes until next() returns false and all have completed. Fails only
 * for a local problem (no memory, no event loop); per-host failures are in
 * the results. */
ntstatus_t probe_run(const struct probe_opts *o);

/* ---- verdicts derived from a result ---- */

/* The highest accepted dialect, 0 when none. */
uint16_t probe_max_dialect(const struct probe_result *r);
/* Index of dialect in probe_dialects, or -1. */
int probe_dialect_index(uint16_t dialect);
/* SMB2 signing verdict, as nmap's smb2-security-mode reports it: the
 * SecurityMode of the highest accepted dialect. */
enum probe_signing {
    PROBE_SIGNING_UNKNOWN,      /* no SMB2 dialect accepted */
    PROBE_SIGNING_REQUIRED,     /* "enabled and required" */
    PROBE_SIGNING_NOT_REQUIRED, /* "enabled but not required" */
    PROBE_SIGNING_DISABLED,     /* neither bit: "disabled and not required" */
};
enum probe_signing probe_signing_verdict(const struct probe_result *r);
/* Whether an NTLM relay to this host could work: it speaks SMB2 and does not
 * require signing. */
bool probe_relayable(const struct probe_result *r);
/* "AES-128-CCM" ... for cipher ids 1..4, "none" for 0. */
const char *probe_cipher_name(uint16_t cipher);
/* The ciphers dialect index i accepts: AES-128-CCM on 3.0 / 3.0.2 when the
 * server set SMB2_GLOBAL_CAP_ENCRYPTION, on 3.1.1 each cipher a
 * single-cipher offer got back (scan asks only AES-128-CCM); 0 for 2.x. */
size_t probe_dialect_ciphers(const struct probe_result *r, int i, uint16_t out[PROBE_N_CIPHERS]);
/* The same as "AES-128-CCM AES-128-GCM" ("" for none). */
void probe_cipher_list(const struct probe_result *r, int i, char *out, size_t cap);
/* Were all four 3.1.1 ciphers asked (probe; scan asks one)? */
bool probe_ciphers_all_asked(const struct probe_result *r);
/* Does the server require encryption? Known from an anonymous or guest
 * session it granted (SMB2_SESSION_FLAG_ENCRYPT_DATA); a server that offers
 * no cipher on any dialect cannot encrypt. A share may still require it. */
enum probe_encrypt {
    PROBE_ENCRYPT_UNKNOWN,      /* no session granted to tell */
    PROBE_ENCRYPT_REQUIRED,     /* the granted session must encrypt */
    PROBE_ENCRYPT_NOT_REQUIRED, /* the granted session need not */
    PROBE_ENCRYPT_UNSUPPORTED,  /* no dialect offers a cipher (all four asked on 3.1.1) */
};
enum probe_encrypt probe_encrypt_verdict(const struct probe_result *r);
const char *probe_encrypt_key(enum probe_encrypt v); /* "unknown", "required", ... */

#endif
