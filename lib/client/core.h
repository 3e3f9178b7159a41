/* The client core: one TCP connection, its NEGOTIATE state, one session, and
 * a table of requests in flight. [MS-SMB2] 3.2.1 (abstract data model),
 * 3.2.4.1 (sending), 3.2.5.1 (receiving).
 *
 * Sending: cli_begin() hands out a writer over the connection's transmit
 * buffer positioned after the 64-byte header; the caller encodes the body with
 * a lib/wire codec; cli_send() writes the header (MessageId, credits,
 * SessionId, TreeId), signs the message when the policy says so and sends it,
 * returning a slot. Receiving: cli_wait() reads frames until that slot's
 * final response has arrived, verifying every response on the way; responses
 * to other slots are kept for their own cli_wait(). */
#ifndef SIGNET_CLIENT_CORE_H
#define SIGNET_CLIENT_CORE_H

#include "base/buf.h"
#include "base/cursor.h"
#include "sec/kdf.h"
#include "sec/policy.h"
#include "sec/seal.h"
#include "sec/sign.h"
#include "wire/file_id.h"
#include "wire/hdr.h"

#include <signet/client.h>
#include <stdbool.h>
#include <stdint.h>

#define CLI_MAX_INFLIGHT 16
#define CLI_ERR_MAX      768

struct cli_slot {
    bool in_use;
    bool done;
    uint64_t message_id;
    uint16_t command;
    uint64_t session_id; /* of the request: 3.2.5.1.3 looks the session up by it */
    struct buf frame;    /* the response frame */
    const uint8_t *msg;  /* the response inside frame */
    size_t msg_len;
    struct smb2_hdr hdr;
    bool no_verify;  /* a tampered request (tamper.h): its answer is read raw */
    bool sealed_req; /* the request went out encrypted (TRANSFORM_HEADER) */
    bool sealed;     /* the response arrived encrypted: it counts as signed */
};

struct cli_session {
    uint64_t id;
    bool established;
    bool signing_required; /* Session.SigningRequired (3.2.5.3.1) */
    bool guest, anonymous;
    struct sec_sign_key key; /* Session.SigningKey (2.x: SessionKey) */
    uint8_t preauth[64];     /* Session.PreauthIntegrityHashValue */
    char user[256], domain[256];
    /* Encryption (3.2.5.3.1, 3.2.4.1.8): keys when the connection has a
     * cipher and the session is a user's; encrypt: Session.EncryptData. */
    bool encrypt;
    struct sec_cipher_key enc_key, dec_key; /* ClientOut (C2S), ClientIn (S2C) */
    struct sec_nonce_gen nonces;
};

struct signet_conn {
    int fd;
    ntstatus_t dead; /* success while the connection is usable */
    char err[CLI_ERR_MAX];
    ntstatus_t err_status; /* the status err explains */
    char host[256];
    struct sec_client_policy policy;
    struct signet_client_config cfg;
    /* NEGOTIATE results (3.2.5.2) */
    uint16_t dialect;
    uint16_t server_security_mode;
    uint32_t server_caps;
    uint8_t server_guid[16];
    uint8_t client_guid[16];
    uint32_t client_caps;
    uint16_t offered[5];
    uint16_t n_offered;
    uint32_t max_transact, max_read, max_write;
    bool large_mtu;
    bool signing_alg_negotiated;
    uint16_t signing_alg;
    uint8_t preauth[64]; /* Connection.PreauthIntegrityHashValue */
    uint16_t cipher;     /* Connection.CipherId; SMB2_CIPHER_NONE: cannot encrypt */
    struct buf gss_hint; /* the NEGOTIATE response's security buffer */
    /* request state */
    uint64_t next_mid;
    uint32_t credits; /* granted and not yet spent */
    struct cli_slot slots[CLI_MAX_INFLIGHT];
    struct buf tx;
    struct buf rx;
    struct cli_session sess;
    struct signet_tree *trees; /* list of connected trees */
    /* The last final SESSION_SETUP response, as sec_client_accept_session
     * judged it (tamper.h: `signet doctor` reads it even when refused). */
    bool have_setup_facts;
    struct sec_client_session_facts setup_facts;
};

struct signet_tree {
    struct signet_conn *conn;
    uint32_t id;
    uint32_t share_flags;
    bool encrypt; /* TreeConnect.EncryptData (3.2.5.5) */
    struct signet_tree *next;
};

struct signet_file {
    struct signet_tree *tree;
    struct smb2_file_id fid;
    uint64_t size;
    bool is_dir;
};

/* ---- errors (errors.c) ---- */
/* Record a message for signet_conn_error(); returns st. */
ntstatus_t cli_fail(struct signet_conn *c, ntstatus_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Kill the connection (socket closed, later calls fail with st) and record. */
ntstatus_t cli_kill(struct signet_conn *c, ntstatus_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The user-facing text for a status (Windows' wording), else its name. */
const char *cli_status_text(ntstatus_t st);

/* ---- transport (transport.c) ---- */
ntstatus_t cli_tcp_connect(const char *host, uint16_t port, int *fd, char *err, size_t err_len);
ntstatus_t cli_tcp_send(int fd, const struct iovec *iov, size_t n);
/* One Direct TCP frame into b (b->len = frame length). */
ntstatus_t cli_tcp_recv(int fd, struct buf *b);

/* ---- requests (core.c) ---- */
/* `signet doctor`'s enforcement check (tamper.h): send one request unsigned
 * although the session must sign, or with a corrupted signature. */
enum cli_tamper { CLI_TAMPER_NONE, CLI_TAMPER_UNSIGNED, CLI_TAMPER_BAD_SIGNATURE };

struct cli_send_opts {
    uint32_t tree_id;
    bool with_session; /* SessionId = the session's (else 0) */
    const void *data;  /* extra trailing iovec (WRITE payload) */
    size_t data_len;
    bool data_scratch;       /* data may be encrypted in place (else copied to seal) */
    size_t expect_rsp_len;   /* for the CreditCharge of READ/QUERY_* */
    bool validate_negotiate; /* FSCTL_VALIDATE_NEGOTIATE_INFO: sign regardless */
    uint8_t *preauth_hash;   /* 3.1.1: hash the request into this (NULL: no) */
    enum cli_tamper tamper;  /* CLI_TAMPER_NONE but for signet doctor */
};

/* A writer at SMB2_HDR_SIZE over the transmit buffer (cap bytes of body). */
ntstatus_t cli_begin(struct signet_conn *c, struct wr *w, size_t cap);
/* Finish the header and send; *slot receives the request's slot. */
ntstatus_t cli_send(struct signet_conn *c, uint16_t command, const struct wr *w,
                    const struct cli_send_opts *o, int *slot);
/* Wait for the final response of slot (interim STATUS_PENDING skipped). The
 * response stays valid until cli_release(). Verification per policy happens
 * here; a SESSION_SETUP response is verified by the caller (its key is
 * derived from it). */
ntstatus_t cli_wait(struct signet_conn *c, int slot, struct cli_slot **rsp);
void cli_release(struct signet_conn *c, int slot);
/* Credits available for a request of this many bytes (CreditCharge). */
uint16_t cli_credit_charge(const struct signet_conn *c, size_t payload);
bool cli_can_send(const struct signet_conn *c, size_t payload);
/* Requests in flight */
unsigned cli_inflight(const struct signet_conn *c);
/* Send and wait in one: the usual synchronous request. On success the caller
 * holds the slot (release it). A response with an error status returns that
 * status (the slot is released then). */
ntstatus_t cli_call(struct signet_conn *c, uint16_t command, const struct wr *w,
                    const struct cli_send_opts *o, struct cli_slot **rsp, int *slot);

/* ---- encryption (encrypt.c) ---- */
/* The ciphers to offer (the configured order, `client smb encrypt` not off)
 * into out (up to 4); their count. */
size_t cli_ciphers_offered(const struct signet_conn *c, uint16_t *out);
/* Does a request with this session and tree go out sealed (3.2.4.1.8)? */
bool cli_must_seal(const struct signet_conn *c, uint16_t command, uint64_t session_id,
                   uint32_t tree_id);
/* Seal msg (n iovecs, in place) behind the TRANSFORM_HEADER thdr. */
ntstatus_t cli_seal(struct signet_conn *c, uint8_t thdr[SMB2_TRANSFORM_HDR_SIZE], struct iovec *msg,
                    size_t n);
/* A TRANSFORM frame in c->rx: decrypt it in place; *msg_off = 52. A frame
 * that does not decrypt kills the connection. */
ntstatus_t cli_unseal_frame(struct signet_conn *c, size_t *msg_off);
/* Session keys for the connection's cipher (3.2.5.3.1). */
ntstatus_t cli_install_cipher_keys(struct signet_conn *c, const struct sec_keys *keys);
/* After the final SESSION_SETUP response: Session.EncryptData from the
 * session flags and `client smb encrypt`; refuses (kills) a session that
 * must encrypt but cannot. */
ntstatus_t cli_session_encryption(struct signet_conn *c, uint16_t session_flags);
/* After TREE_CONNECT: TreeConnect.EncryptData; refuses a share that must
 * encrypt but cannot (STATUS_ACCESS_DENIED, as Windows). */
ntstatus_t cli_tree_encryption(struct signet_conn *c, struct signet_tree *t, const char *share);
void cli_clear_cipher_keys(struct signet_conn *c);

/* ---- protocol steps ---- */
ntstatus_t cli_negotiate(struct signet_conn *c); /* negotiate.c */
ntstatus_t cli_session_setup(struct signet_conn *c, const struct signet_creds *cr); /* session.c */
ntstatus_t cli_validate_negotiate(struct signet_conn *c, struct signet_tree *t);    /* tree.c */

/* ---- audit events (audit.c), Windows SMBClient events ---- */
/* Once per final SESSION_SETUP response, when it is refused or the session
 * is established: 31017 for each refused guest logon (always, as Windows; a
 * notice), and with `client signing audit = yes` one 31998 event (a warning)
 * for each session that is not signed or that failed because the server does
 * not sign, and one 31999 when the server cannot encrypt (SMB 2.x, 3.0.x
 * without SMB2_GLOBAL_CAP_ENCRYPTION, 3.1.1 without a common cipher). */
void cli_audit_session(const struct signet_conn *c, const struct sec_client_session_facts *f,
                       ntstatus_t verdict, bool signing_required);
/* 31999, logged whatever the audit key when encryption is required and the
 * server or share cannot encrypt (why: the reason in the event). */
void cli_audit_no_encryption(const struct signet_conn *c, const char *why);

/* UTF-8 share path -> UTF-16LE with '\' separators, no leading separator. */
ntstatus_t cli_path_utf16(const char *path, uint8_t *out, size_t cap, size_t *out_len);

#endif
