/* Signet client library: connect to an SMB2/SMB3 server, authenticate with
 * NTLMv2 in SPNEGO over a signed session, and work with files.
 *
 * Handles are opaque: a connection (TCP + NEGOTIATE) carries one session
 * (SESSION_SETUP), a session carries trees (TREE_CONNECT), a tree carries open
 * files. Calls are synchronous; underneath, the core keeps several requests in
 * flight (signet_file_read_all / signet_file_write_all pipeline large-MTU READs
 * and WRITEs within the credits the server grants).
 *
 * Every call returns an ntstatus_t. When a call fails, signet_conn_error(c, st)
 * gives one line for the user explaining the cause and, where there is one,
 * the fix. A connection that saw a protocol or signature violation is dead:
 * every later call fails with the status that killed it. The library never
 * prints and never exits. */
#ifndef SIGNET_CLIENT_H
#define SIGNET_CLIENT_H

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- policy (the [client] section of signet.conf) ---- */

/* `client signing`: Windows' RequireSecuritySignature (required = True). */
enum signet_signing {
    SIGNET_SIGNING_DISABLED,
    SIGNET_SIGNING_DESIRED,
    SIGNET_SIGNING_REQUIRED,
};

/* [MS-SMB2] 2.2.3.1.7 signing algorithm ids. */
enum signet_sign_alg {
    SIGNET_SIGN_HMAC_SHA256 = 0,
    SIGNET_SIGN_AES_CMAC = 1,
    SIGNET_SIGN_AES_GMAC = 2,
};

#define SIGNET_MAX_SIGN_ALGS 3

/* `client smb encrypt` (Samba's values): off never encrypts (a server or
 * share that requires encryption is refused); if_required (the default, as
 * Windows with RequireEncryption = False) encrypts when the server asks for
 * it (SMB2_SESSION_FLAG_ENCRYPT_DATA, SMB2_SHAREFLAG_ENCRYPT_DATA); desired
 * encrypts whenever the server can; required (RequireEncryption = True)
 * refuses a server or share that cannot encrypt. */
enum signet_encrypt {
    SIGNET_ENCRYPT_OFF,
    SIGNET_ENCRYPT_IF_REQUIRED,
    SIGNET_ENCRYPT_DESIRED,
    SIGNET_ENCRYPT_REQUIRED,
};

/* [MS-SMB2] 2.2.3.1.2 CipherIds. */
#define SIGNET_MAX_CIPHERS 4

struct signet_client_config {
    enum signet_signing signing;              /* default: required */
    bool allow_insecure_guest;                /* EnableInsecureGuestLogons; default false */
    uint16_t sign_algs[SIGNET_MAX_SIGN_ALGS]; /* preference order */
    size_t n_sign_algs;                       /* default: GMAC, CMAC, HMAC-SHA256 */
    uint16_t min_dialect;                     /* 0x0202 .. 0x0311 */
    uint16_t max_dialect;
    bool signing_audit;                   /* AuditServerDoesNotSupportSigning */
    enum signet_encrypt encrypt;          /* `client smb encrypt`; default if_required */
    uint16_t ciphers[SIGNET_MAX_CIPHERS]; /* `client smb3 encryption algorithms`, */
    size_t n_ciphers; /* preference order; default GCM-128, CCM-128, GCM-256, CCM-256 */
};

/* Where signet looks for signet.conf when no --config is given. */
#define SIGNET_CLIENT_DEFAULT_CONFIG "/etc/signet/signet.conf"

/* The Windows 11 24H2 defaults. */
void signet_client_config_default(struct signet_client_config *c);
/* Read the [client] section of a signet.conf. err gets "FILE:LINE: ...". */
ntstatus_t signet_client_config_load(const char *path, struct signet_client_config *c, char *err,
                                     size_t err_len);
/* Set one key as signet.conf spells it ("client signing", "client smb3 signing
 * algorithms", "client min protocol", "client max protocol", "client insecure
 * guest logons", "client smb encrypt", "client smb3 encryption algorithms").
 * STATUS_INVALID_PARAMETER with err naming the valid values. */
ntstatus_t signet_client_config_set(struct signet_client_config *c, const char *key,
                                    const char *value, char *err, size_t err_len);

/* Diagnostics: the library never prints. Install a handler to receive its
 * log lines (level 0 error, 1 warning, 2 notice, 3 info, 4 debug), e.g. the
 * audit warning of `client signing audit = yes` (Windows event 31998) and
 * why a connection was dropped. NULL silences (the default). */
typedef void (*signet_log_fn)(void *ctx, int level, const char *msg);
void signet_client_set_log(signet_log_fn fn, void *ctx, int max_level);

/* "3.1.1", "AES-128-GMAC", "SMB3_11" */
const char *signet_dialect_name(uint16_t dialect);
const char *signet_sign_alg_name(uint16_t alg);
const char *signet_cipher_name(uint16_t cipher); /* "AES-128-GCM" */

/* ---- connection, session, tree ---- */

struct signet_conn;
struct signet_tree;
struct signet_file;

struct signet_creds {
    const char *user; /* NULL or "" is not supported yet (anonymous) */
    const char *password;
    const char *domain; /* NULL: "WORKGROUP" */
};

/* TCP connect and NEGOTIATE. host is a name or address; port 0 means 445. */
ntstatus_t signet_connect(const char *host, uint16_t port, const struct signet_client_config *cfg,
                          struct signet_conn **out);
/* SESSION_SETUP (NTLMv2 in SPNEGO), with the policy's verdict on the result. */
ntstatus_t signet_login(struct signet_conn *c, const struct signet_creds *creds);
/* LOGOFF (if logged on), close the socket and free everything, files and
 * trees included. NULL is fine. */
void signet_disconnect(struct signet_conn *c);

/* One line explaining why a call on c failed with st: the library's own
 * explanation when it recorded one for st (cause and fix), else the text
 * Windows shows for st, else its name. Never NULL; c may be NULL. */
const char *signet_conn_error(const struct signet_conn *c, ntstatus_t st);

struct signet_conn_info {
    uint16_t dialect;
    bool signing;      /* messages on the session are signed */
    uint16_t sign_alg; /* enum signet_sign_alg, when signing */
    bool encrypted;    /* the session's requests are sealed (TRANSFORM_HEADER) */
    uint16_t cipher;   /* the connection's CipherId; 0: none negotiated */
    bool guest;
    char user[256];
    char domain[256];
    uint32_t max_read, max_write;
};
void signet_conn_info(const struct signet_conn *c, struct signet_conn_info *out);
/* "SMB 3.1.1, signed with AES-128-GMAC, not encrypted, user WORKGROUP\alice";
 * "SMB 3.1.1, encrypted with AES-128-GCM, user WORKGROUP\alice" */
void signet_conn_describe(const struct signet_conn *c, char *out, size_t cap);

/* ECHO */
ntstatus_t signet_echo(struct signet_conn *c);

/* TREE_CONNECT to \\host\share (and VALIDATE_NEGOTIATE_INFO on 3.0/3.0.2). */
ntstatus_t signet_tree_connect(struct signet_conn *c, const char *share, struct signet_tree **out);
/* TREE_DISCONNECT and free (open files on it are closed first). */
void signet_tree_disconnect(struct signet_tree *t);

/* ---- files ---- */

/* Paths are relative to the share, '/' or '\' separated, UTF-8. */
struct signet_stat {
    uint64_t size;
    uint64_t allocation;
    uint32_t attributes; /* [MS-FSCC] 2.6 */
    bool is_dir;
    uint64_t creation_time, last_access_time, last_write_time, change_time; /* FILETIME */
};

enum signet_open_mode {
    SIGNET_OPEN_READ,   /* existing file or directory, read */
    SIGNET_OPEN_WRITE,  /* create or truncate a file, write */
    SIGNET_OPEN_MODIFY, /* existing file or directory: attributes, rename, delete */
};

ntstatus_t signet_open(struct signet_tree *t, const char *path, enum signet_open_mode mode,
                       struct signet_file **out, struct signet_stat *st);
ntstatus_t signet_close(struct signet_file *f);

/* One READ / WRITE (len up to the negotiated maximum). */
ntstatus_t signet_read(struct signet_file *f, uint64_t offset, void *buf, size_t len, size_t *got);
ntstatus_t signet_write(struct signet_file *f, uint64_t offset, const void *buf, size_t len);
ntstatus_t signet_flush(struct signet_file *f);

/* Streaming: the whole file, several large READs/WRITEs in flight. The sink
 * receives the data in order; the source is asked for the next bytes in order
 * and says *got == 0 at its end. progress (may be NULL) sees bytes done. */
typedef ntstatus_t (*signet_sink_fn)(void *ctx, const void *p, size_t n);
typedef ntstatus_t (*signet_source_fn)(void *ctx, void *p, size_t cap, size_t *got);
typedef void (*signet_progress_fn)(void *ctx, uint64_t done);
ntstatus_t signet_file_read_all(struct signet_file *f, signet_sink_fn sink, void *sink_ctx,
                                signet_progress_fn progress, void *progress_ctx);
ntstatus_t signet_file_write_all(struct signet_file *f, signet_source_fn source, void *source_ctx,
                                 signet_progress_fn progress, void *progress_ctx,
                                 uint64_t *written);

/* QUERY_INFO / SET_INFO */
ntstatus_t signet_fstat(struct signet_file *f, struct signet_stat *st);
ntstatus_t signet_truncate(struct signet_file *f, uint64_t size);
/* FILETIMEs; 0 leaves a time unchanged. */
ntstatus_t signet_set_times(struct signet_file *f, uint64_t creation, uint64_t access,
                            uint64_t write, uint64_t change);

/* Convenience by path. */
ntstatus_t signet_stat(struct signet_tree *t, const char *path, struct signet_stat *st);
ntstatus_t signet_mkdir(struct signet_tree *t, const char *path);
ntstatus_t signet_rmdir(struct signet_tree *t, const char *path);
ntstatus_t signet_unlink(struct signet_tree *t, const char *path);
ntstatus_t signet_rename(struct signet_tree *t, const char *from, const char *to, bool replace);

/* QUERY_DIRECTORY: fn is called for each entry ("." and ".." included);
 * returning non-zero stops the listing. */
typedef int (*signet_dir_fn)(void *ctx, const char *name, const struct signet_stat *st);
ntstatus_t signet_list(struct signet_tree *t, const char *dir, signet_dir_fn fn, void *ctx);

#endif
