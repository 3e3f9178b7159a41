/* lib/server internals: the server, connection, session and tree objects, the
 * per-request context the handlers see, and the dispatch table entry.
 * [MS-SMB2] 3.3.1 (abstract data model). */
#ifndef SIGNET_SERVER_SRV_INT_H
#define SIGNET_SERVER_SRV_INT_H

#include "base/buf.h"
#include "base/cursor.h"
#include "base/log.h"
#include "config/config.h"
#include "sec/policy.h"
#include "sec/sign.h"
#include "server/server.h"
#include "wire/hdr.h"
#include "wire/negotiate.h"

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

/* ---- limits (per connection unless said otherwise) ---- */
#define SRV_MAX_CREDITS          8192 /* the sequence window, as Windows' default */
#define SRV_MAX_SESSIONS         64
#define SRV_MAX_TREES            256                 /* per session */
#define SRV_MAX_COMPOUND         64                  /* elements in one frame */
#define SRV_PREAUTH_FRAME_MAX    (64u * 1024)        /* frames before a session exists */
#define SRV_WRITE_HIGH_WATER     (32u * 1024 * 1024) /* stop reading above this */
#define SRV_IDLE_TIMEOUT_MS      (120u * 1000)       /* no frame completed */
#define SRV_NEGOTIATE_TIMEOUT_MS (30u * 1000)        /* before NEGOTIATE */
#define SRV_RSP_BODY_MAX         (8u * 1024)         /* bodies built in this pass are small */
#define SRV_MAX_IO               (8u * 1024 * 1024)  /* MaxRead/Write/Transact */
#define SRV_CREDIT_UNIT          65536u              /* 3.3.5.2.5 */
#define SRV_SPARE_BUF_MAX        (1024u * 1024)      /* response buffers kept for reuse */

/* A configuration snapshot, shared by the connections accepted under it. */
struct srv_cfg {
    unsigned refs;
    struct cfg cfg;
    struct sec_server_policy policy; /* cfg's, with allow_guest computed */
};

struct srv_credits {
    uint64_t low;   /* lowest MessageId not yet used */
    uint32_t range; /* ids [low, low + range) are granted */
    uint8_t used[SRV_MAX_CREDITS / 8];
};

struct srv_tree {
    struct srv_tree *next;
    uint32_t id;
    bool ipc;
    const struct cfg_share *share; /* NULL for IPC$ */
};

enum srv_sess_state { SRV_SESS_IN_PROGRESS, SRV_SESS_VALID };

struct ntlm_server;
struct srv_delayed;
struct srv_frame_ctx;

struct srv_session {
    struct srv_session *next;
    uint64_t id;
    enum srv_sess_state state;
    struct ntlm_server *auth; /* while authenticating (first logon or re-auth) */
    uint8_t preauth[64];      /* Session.PreauthIntegrityHashValue (3.1.1) */
    bool signing_required;
    bool is_guest, is_anonymous;
    char user[256];
    struct sec_sign_key sign_key; /* Session.SigningKey (2.x: SessionKey) */
    struct srv_tree *trees;
    unsigned n_trees;
    uint32_t next_tree_id;
};

enum srv_conn_stream { SRV_STREAM_TCP, SRV_STREAM_PIPE };

struct srv_conn {
    struct srv *srv;
    struct srv_conn *next, *prev;
    uint64_t id;
    char peer[64];
    struct srv_cfg *cfg;
    union {
        uv_tcp_t tcp;
        uv_pipe_t pipe;
        uv_stream_t stream;
        uv_handle_t handle;
    } h;
    uv_timer_t timer;
    uint64_t accepted_ms, last_frame_ms, last_read_ms;
    /* reading: the Direct TCP header, then the frame */
    uint8_t nbss[4];
    size_t nbss_got;
    struct buf frame; /* reused; len = bytes expected */
    size_t frame_got;
    bool in_frame;
    /* writing */
    size_t write_bytes;
    bool read_paused;
    bool closing;
    unsigned handles_open; /* stream + timer */
    /* Connection.* after NEGOTIATE (3.3.1.7) */
    uint16_t dialect; /* 0: not negotiated; 0x02FF after an SMB1 wildcard */
    uint16_t client_security_mode;
    uint32_t client_caps;
    uint8_t client_guid[16];
    uint16_t client_dialects[SMB2_NEGOTIATE_MAX_DIALECTS];
    uint16_t n_client_dialects;
    uint32_t server_caps;
    uint16_t server_security_mode;
    bool signing_ctx; /* 3.1.1 SIGNING_CAPABILITIES negotiated */
    uint16_t signing_alg;
    uint8_t preauth[64]; /* Connection.PreauthIntegrityHashValue */
    struct srv_credits credits;
    struct srv_session *sessions;
    unsigned n_sessions;
    struct srv_session *graveyard; /* logged off during this frame */
    struct srv_delayed *delayed;   /* responses held back after a failed logon */
    struct srv_frame_ctx *fctx;    /* srv_dispatch.c's per-frame state, reused */
    struct buf spare;              /* a response buffer back from uv_write */
};

struct srv {
    uv_loop_t *loop;
    struct srv_opts opts;
    char netbios_name[16];
    struct srv_cfg *cfg; /* for new connections */
    uv_tcp_t listeners[CFG_MAX_LISTEN];
    unsigned n_listeners, listeners_open;
    struct srv_conn *conns;
    unsigned n_conns;
    uint64_t next_conn_id;
    uint64_t next_session_id;
    uint8_t server_guid[16];
    uint64_t start_time;
    bool shutting_down;
};

/* What a handler sees: the request element and its resolved context, and the
 * response being built. */
struct srv_req {
    struct srv_conn *conn;
    const uint8_t *msg; /* the request element (header first) */
    size_t len;
    struct smb2_hdr hdr; /* with related-compound inheritance applied */
    struct srv_session *sess;
    struct srv_tree *tree;
    bool req_signed; /* SIGNED and verified */
    struct wr *w;    /* positioned at the response body (offset 64) */
    /* set by handlers */
    uint64_t rsp_session_id;
    uint32_t rsp_tree_id;
    uint16_t rsp_session_flags;
    struct srv_session *sign_sess;    /* whose key signs the response, if any */
    struct srv_session *preauth_sess; /* hash the response into this session */
    bool hash_into_conn;              /* NEGOTIATE response: connection hash */
    bool force_sign;                  /* final SESSION_SETUP response */
    bool no_response;                 /* CANCEL */
    bool disconnect;                  /* drop the connection, send nothing */
    bool logon_failed;                /* InvalidAuthenticationDelay */
};

typedef ntstatus_t (*srv_handler_fn)(struct srv_req *r);

enum srv_need { SRV_NEED_NONE, SRV_NEED_OPTIONAL, SRV_NEED_REQUIRED };

/* One row of the dispatch table ([MS-SMB2] 3.3.5.2). */
struct srv_cmd {
    const char *name;
    uint16_t structure_size; /* of the request body; 0: checked by the handler */
    enum srv_need session;
    bool tree;
    srv_handler_fn handler; /* NULL: STATUS_NOT_IMPLEMENTED */
};

const struct srv_cmd *srv_cmd_lookup(uint16_t command);

/* srv_conn.c */
void srv_conn_close(struct srv_conn *c, const char *why);
ntstatus_t srv_conn_send(struct srv_conn *c, struct buf *frame);
ntstatus_t srv_conn_send_later(struct srv_conn *c, struct buf *frame, unsigned ms);
void srv_conn_start(struct srv_conn *c);
struct srv_conn *srv_conn_new(struct srv *s);

/* srv_dispatch.c: one received frame (the SMB2 header first). False means
 * disconnect. */
bool srv_dispatch_frame(struct srv_conn *c, const uint8_t *frame, size_t len);
void srv_dispatch_free(struct srv_conn *c);

/* srv_smb1.c */
bool srv_smb1_negotiate(struct srv_conn *c, const uint8_t *frame, size_t len);
/* srv_negotiate.c, shared with the SMB1 path */
ntstatus_t srv_negotiate_hint(struct buf *out);
uint32_t srv_server_caps(uint16_t dialect);

/* srv_credits.c ([MS-SMB2] 3.3.5.2.3, 3.3.1.1) */
void srv_credits_init(struct srv_credits *c);
bool srv_credits_consume(struct srv_credits *c, uint64_t message_id, uint16_t charge);
uint16_t srv_credits_grant(struct srv_credits *c, uint16_t requested);
/* The CreditCharge a payload of this size needs with large MTU (3.3.5.2.5). */
static inline uint16_t srv_credit_charge_for(uint32_t payload)
{
    return payload == 0 ? 1 : (uint16_t)((payload - 1) / SRV_CREDIT_UNIT + 1);
}

/* srv_session.c */
struct srv_session *srv_session_new(struct srv_conn *c);
struct srv_session *srv_session_find(struct srv_conn *c, uint64_t id);
/* Unlink from the connection; freed when the current frame is done. */
void srv_session_retire(struct srv_conn *c, struct srv_session *s);
void srv_session_free(struct srv_session *s);
void srv_graveyard_flush(struct srv_conn *c);
struct srv_tree *srv_tree_new(struct srv_session *s);
struct srv_tree *srv_tree_find(struct srv_session *s, uint32_t id);
void srv_tree_remove(struct srv_session *s, struct srv_tree *t);

/* handlers: one file each */
ntstatus_t srv_negotiate(struct srv_req *r);
ntstatus_t srv_session_setup(struct srv_req *r);
ntstatus_t srv_logoff(struct srv_req *r);
ntstatus_t srv_tree_connect(struct srv_req *r);
ntstatus_t srv_tree_disconnect(struct srv_req *r);
ntstatus_t srv_echo(struct srv_req *r);
ntstatus_t srv_cancel(struct srv_req *r);
ntstatus_t srv_ioctl(struct srv_req *r);

/* A dialect's name for logs: "3.1.1". */
const char *srv_dialect_name(uint16_t dialect);

#endif
