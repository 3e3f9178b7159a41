/* signet.conf: the INI file (Samba's key names) -> typed policy and shares.
 * Validation is ours: an unknown key, a key in the wrong section or a bad
 * value is an error naming the file, the line and the fix, and nothing is
 * half-applied (the caller gets either a complete config or an error).
 *
 *   [global]   server keys: listen, server signing, server smb3 signing
 *              algorithms, server min/max protocol, map to guest, user
 *              database, max connections, log level, server signing audit,
 *              admin socket, server smb encrypt, invalid authentication delay,
 *              busy poll, smb2 leases, server smb3 encryption algorithms
 *   [client]   client keys: client signing, client smb3 signing algorithms,
 *              client min/max protocol, client insecure guest logons,
 *              client signing audit, client smb encrypt, client smb3
 *              encryption algorithms
 *   [NAME]     a share: path, read only, guest ok, valid users, comment,
 *              oplocks, level2 oplocks, durable handles, server smb encrypt */
#ifndef SIGNET_CONFIG_H
#define SIGNET_CONFIG_H

#include "sec/policy.h"

#include <limits.h>
#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFG_MAX_LISTEN      4
#define CFG_MAX_SHARES      32
#define CFG_MAX_VALID_USERS 16
#define CFG_NAME_MAX        80 /* share and user names */

enum cfg_map_to_guest { CFG_MAP_TO_GUEST_NEVER, CFG_MAP_TO_GUEST_BAD_USER };
/* `server smb encrypt` (Samba's values; [MS-SMB2] 3.3.1.5 EncryptData,
 * RejectUnencryptedAccess): off never advertises encryption; if_required
 * advertises it and encrypts when the client does; desired asks the client
 * to encrypt (SMB2_SESSION_FLAG_ENCRYPT_DATA / SHAREFLAG_ENCRYPT_DATA) and
 * encrypts responses, but serves an unencrypted request; required refuses
 * unencrypted requests with STATUS_ACCESS_DENIED. */
enum cfg_encrypt {
    CFG_ENCRYPT_OFF,
    CFG_ENCRYPT_IF_REQUIRED,
    CFG_ENCRYPT_DESIRED,
    CFG_ENCRYPT_REQUIRED
};

/* `server smb3 encryption algorithms`: CipherIds (enum smb2_cipher) in the
 * server's order of preference. */
#define CFG_MAX_CIPHERS 4
struct cfg_ciphers {
    uint16_t ids[CFG_MAX_CIPHERS];
    size_t count;
};
enum cfg_log_level { CFG_LOG_ERROR, CFG_LOG_WARN, CFG_LOG_NOTICE, CFG_LOG_INFO, CFG_LOG_DEBUG };

struct cfg_share {
    char name[CFG_NAME_MAX + 1];
    char path[PATH_MAX];
    char comment[128];
    bool read_only;
    bool guest_ok;
    bool oplocks;             /* grant oplocks and leases on this share (Samba's "oplocks") */
    bool level2_oplocks;      /* ... level II oplocks and read leases too */
    bool durable_handles;     /* keep durable opens across a lost connection */
    enum cfg_encrypt encrypt; /* `server smb encrypt` of this share (default if_required) */
    size_t n_valid_users;     /* 0: every authenticated user */
    char valid_users[CFG_MAX_VALID_USERS][CFG_NAME_MAX + 1];
};

struct cfg_server {
    struct sec_server_policy policy;
    char listen[CFG_MAX_LISTEN][64]; /* "ADDR:PORT", IPv6 as "[ADDR]:PORT" */
    size_t n_listen;
    uint16_t min_protocol, max_protocol; /* dialects */
    enum cfg_map_to_guest map_to_guest;
    char user_database[PATH_MAX];
    unsigned max_connections;
    enum cfg_log_level log_level;
    bool signing_audit; /* AuditClientDoesNotSupportSigning */
    enum cfg_encrypt encrypt;
    struct cfg_ciphers ciphers;     /* `server smb3 encryption algorithms` */
    unsigned invalid_auth_delay_ms; /* InvalidAuthenticationDelayTimeInMs */
    unsigned busy_poll_us;          /* how long the loop polls before it sleeps */
    bool smb2_leases;               /* grant leases (SMB 2.1 and later) */
    char admin_socket[108];         /* `signet status`; "": the default path */
    char metrics_listen[64];        /* Prometheus "ADDR:PORT"; "": off */
    /* failed-logon throttles (lib/server/srv_guard.c): so many failures
     * within the window lock the account / client address for the duration
     * (Windows' account lockout policy); 0: no limit */
    unsigned account_lockout_threshold;
    unsigned address_lockout_threshold;
    unsigned lockout_window_s;   /* "Reset account lockout counter after" */
    unsigned lockout_duration_s; /* "Account lockout duration" */
    /* what an unauthenticated client may hold (lib/server/srv_conn.c) */
    unsigned max_unauth_conns;          /* server-wide, below max_connections */
    unsigned max_unauth_conns_per_addr; /* from one client address */
    unsigned negotiate_timeout_s;       /* TCP without NEGOTIATE */
    unsigned logon_timeout_s;           /* no valid session (NEGOTIATE, SESSION_SETUP) */
    unsigned send_timeout_s;            /* responses not read by the peer */
    unsigned max_open_files;            /* server-wide, below RLIMIT_NOFILE; 0: that */
    unsigned max_open_files_per_user;   /* 0: half of the server's budget */
    unsigned max_buffered_output_mib;   /* responses not yet read, all connections */
};

struct cfg_client {
    struct sec_client_policy policy;
    uint16_t min_protocol, max_protocol;
    bool signing_audit;         /* AuditServerDoesNotSupportSigning */
    enum cfg_encrypt encrypt;   /* `client smb encrypt` (default if_required) */
    struct cfg_ciphers ciphers; /* `client smb3 encryption algorithms` */
};

struct cfg {
    struct cfg_server server;
    struct cfg_client client;
    struct cfg_share shares[CFG_MAX_SHARES];
    size_t n_shares;
};

/* The defaults of design.md "Policy" (Windows 11 24H2 Pro/Enterprise). */
void cfg_defaults(struct cfg *c);
/* Parse a file / a string (name is used in messages). On error *c is left
 * untouched, err receives "FILE:LINE: what is wrong; how to fix it", and the
 * status is STATUS_INVALID_PARAMETER (STATUS_OBJECT_NAME_NOT_FOUND and
 * friends when the file cannot be read). */
ntstatus_t cfg_load_file(const char *path, struct cfg *c, char *err, size_t err_len);
ntstatus_t cfg_load_string(const char *name, const char *text, struct cfg *c, char *err,
                           size_t err_len);

const struct cfg_share *cfg_find_share(const struct cfg *c, const char *name);

/* Value parsers, shared with `signet config set` and the command line. */
bool cfg_parse_bool(const char *s, bool *out);
bool cfg_parse_protocol(const char *s, uint16_t *dialect);
bool cfg_parse_signing_algs(const char *s, struct sec_signing_algs *out);
/* "aes-128-gcm aes-128-ccm ..." (Samba's spelling, any case), no repeats. */
bool cfg_parse_ciphers(const char *s, struct cfg_ciphers *out);
const char *cfg_cipher_name(uint16_t cipher_id); /* "AES-128-GCM", "none" */
/* Samba's default order: AES-128-GCM, AES-128-CCM, AES-256-GCM, AES-256-CCM. */
struct cfg_ciphers cfg_ciphers_default(void);
/* `server smb encrypt` / `client smb encrypt`: off, if_required (default,
 * auto), desired, required (mandatory). */
bool cfg_parse_encrypt(const char *s, enum cfg_encrypt *out);
bool cfg_parse_client_signing(const char *s, enum sec_client_signing *out);
bool cfg_parse_server_signing(const char *s, enum sec_server_signing *out);
const char *cfg_protocol_name(uint16_t dialect);   /* "SMB3_11" */
const char *cfg_signing_alg_name(uint16_t alg_id); /* "AES-128-GMAC" */

#endif
