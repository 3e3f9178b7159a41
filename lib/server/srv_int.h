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
#include "sec/seal.h"
#include "sec/sign.h"
#include "server/server.h"
#include "server/srv_engine.h"
#include "server/srv_file.h"
#include "server/srv_metrics.h"
#include "wire/file_id.h"
#include "wire/hdr.h"
#include "wire/negotiate.h"
#include "wire/smb2_names.h"

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
#define SRV_MAX_ASYNC            512                 /* pending requests (interim sent) */
#define SRV_MAX_INFLIGHT         256 /* frames being worked on: stop reading above */
#define SRV_INFLIGHT_BYTES       (64u * 1024 * 1024) /* frames held: stop reading above */
#define SRV_SPARE_BUFS           4             /* request and response buffers kept for reuse */
#define SRV_SPARE_CHAINS         4             /* chain objects kept for reuse */
#define SRV_IDLE_TIMEOUT_MS      (120u * 1000) /* no frame completed */
#define SRV_RSP_BODY_MAX         (8u * 1024)   /* bodies built in this pass are small */
#define SRV_MAX_IO               (8u * 1024 * 1024)  /* MaxRead/Write/Transact */
#define SRV_READ_INLINE_MAX      (256u * 1024)       /* larger READs go to the pool at once */
#define SRV_CREDIT_UNIT          65536u              /* 3.3.5.2.5 */
#define SRV_SPARE_BUF_MAX        (256u * 1024)       /* larger buffers go to the server's pool */
#define SRV_BIG_BUFS             16                  /* the pool of large buffers ... */
#define SRV_BIG_BUF_BYTES        (64u * 1024 * 1024) /* ... and their bytes at most */
#define SRV_MAX_OPENS            16384               /* open files per connection */
#define SRV_FRAME_RSP_MAX        (SRV_MAX_IO + 1024u * 1024) /* one response frame */
#define SRV_MAX_VFS_SHARES       64                          /* distinct share roots opened */
#define SRV_QUERY_INFO_MAX       (16u * 1024) /* the largest class QUERY_INFO returns */
#define SRV_MAX_GHOSTS           4    /* logged-off sessions kept to sign USER_SESSION_DELETED */
#define SRV_MAX_HELD_LOGON_FAILS 4096 /* failed logons' answers held, server-wide */
#define SRV_FD_RESERVE           64   /* descriptors kept for accept, admin socket, pool */
#define SRV_WRITE_FAIR_SHARE     (1u * 1024 * 1024) /* below it, never paused for the total */

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

struct vfs_share;
struct vfs_file;

/* A tree connect (3.3.1.10). Counted: its session's list, its opens and
 * the requests that use it hold references; gone once disconnected. */
struct srv_tree {
    struct srv_tree *next;
    unsigned refs;
    bool gone;
    uint32_t id;
    bool ipc;
    const struct cfg_share *share; /* NULL for IPC$ */
    bool encrypt_data;             /* TreeConnect.Share.EncryptData: its responses are sealed */
    bool encrypt_required;         /* ... and unencrypted requests refused (3.3.5.2.11) */
    struct vfs_share *vs;          /* the server's cached share (srv_vfs_share) */
};

/* One open file ([MS-SMB2] 3.3.1.10 Open). FileId.Volatile is
 * (generation << 32) | slot in its connection's table, the generation
 * counted server-wide, so a stale FileId never finds a reused slot;
 * FileId.Persistent is the volatile id it was created with, unique on the
 * server, and stays when a durable open is reestablished on another
 * connection (srv_durable.c). Counted: the open table and the requests that
 * use it hold references; the file is closed with the last one, so a CLOSE
 * never pulls a file from under a read or write on the pool.
 *
 * A durable open whose connection or session went (3.3.7.1, 3.3.5.6) is
 * disconnected: conn and tree are NULL, session_id 0, and it waits on the
 * server's list of disconnected opens, still on its file's OpenList with
 * its locks, lease or oplock and share mode, until it is reclaimed, its
 * timeout passes, or another open needs what it caches. */
struct srv_open {
    uint64_t id;            /* FileId.Volatile */
    uint64_t persistent_id; /* FileId.Persistent */
    unsigned refs;
    bool closed; /* out of the table: no new request finds it */
    struct srv *srv;
    struct vfs_file *f;
    struct srv_file *file; /* a reference; this open is on its OpenList */
    struct srv_open *fnext, *fprev;
    struct srv_conn *conn; /* NULL while disconnected */
    struct srv_tree *tree; /* a reference; NULL while disconnected */
    uint64_t session_id;
    unsigned fd_slot;        /* its descriptor's reservation (srv_fd_reserve), 0: none */
    uint32_t access;         /* GrantedAccess, generic rights mapped */
    uint32_t share_access;   /* FILE_SHARE_READ | _WRITE | _DELETE */
    bool delete_on_close;    /* FILE_DELETE_ON_CLOSE: the file goes with this open */
    struct srv_watch *watch; /* CHANGE_NOTIFY (srv_notify.c), once asked for */
    /* caching (srv_oplock.c): an oplock, or a lease shared with the client's
     * other opens of the file under the same key */
    uint8_t oplock_level;           /* SMB2_OPLOCK_LEVEL_* (LEASE: see lease) */
    bool oplock_breaking;           /* a break was sent, not yet acknowledged */
    uint8_t oplock_break_to;        /* the level it breaks to */
    uint64_t break_deadline_ms;     /* forced to break_to after this */
    struct srv_lease *lease;        /* a reference */
    struct srv_open *bnext, *bprev; /* the server's list of breaking opens */
    bool is_dir;
    bool dir_started;            /* QUERY_DIRECTORY has rewound this enumeration */
    uint64_t position;           /* FilePositionInformation, as set by the client */
    uint32_t mode;               /* FileModeInformation */
    struct srv_durable *durable; /* srv_durable.c; NULL: not durable */
    bool app_instance;           /* Open.AppInstanceId (3.3.5.9.13) is set */
    uint8_t app_instance_id[16];
};

struct srv_opens {
    struct srv_open **slots;
    uint32_t cap, n;
};

enum srv_sess_state { SRV_SESS_IN_PROGRESS, SRV_SESS_VALID };

struct ntlm_server;
struct srv_delayed;

/* A session (3.3.1.8). Counted: the connection's list (or its ghosts) and
 * the requests and responses that use it hold references. */
struct srv_session {
    struct srv_session *next;
    unsigned refs;
    bool gone; /* logged off, failed or its connection closed */
    struct srv_conn *conn;
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
    uint64_t last_active_ms; /* the last request on it (`signet status`) */
    uint64_t created_ms;     /* its SESSION_SETUP exchange began (`logon timeout`) */
    bool client_signed;      /* a signed request was verified on it */
    /* encryption (3.3.1.8 Session.EncryptionKey / DecryptionKey /
     * EncryptData); SMB2_CIPHER_NONE keys for guest, anonymous or no cipher */
    struct sec_cipher_key enc_key; /* ServerOut / SMBS2CCipherKey: seals responses */
    struct sec_cipher_key dec_key; /* ServerIn / SMBC2SCipherKey: unseals requests */
    struct sec_nonce_gen nonces;   /* never repeats under enc_key */
    bool encrypt_data;             /* responses are sealed (`server smb encrypt` desired+) */
    bool encrypt_required;         /* unencrypted requests are refused (required) */
    bool client_encrypts;          /* an encrypted request came on it */
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
    uint64_t frame_start_ms;    /* the first byte of the frame being read */
    uint64_t unauth_since_ms;   /* the connection had no valid session since */
    uint64_t write_progress_ms; /* the last write done, or the first one started */
    unsigned n_writes;          /* writes under way */
    size_t write_queued;        /* libuv's write queue when the timer last looked */
    /* on the server's list of connections without a valid session yet */
    bool unauth;
    struct srv_conn *unauth_next, *unauth_prev;
    /* reading: the Direct TCP header, then the frame */
    uint8_t nbss[4];
    size_t nbss_got;
    struct buf frame; /* len = bytes expected */
    size_t frame_got;
    bool in_frame;
    /* writing */
    size_t write_bytes;
    bool read_paused;
    bool closing;
    unsigned handles_open; /* stream + timer + delayed responses */
    /* the engine (srv_engine.c) */
    struct srv_chain *chains;      /* frames being worked on */
    unsigned n_chains, n_pending;  /* ... and how many wait with an interim response */
    size_t inflight_bytes;         /* their request buffers */
    struct srv_chain *free_chains; /* kept for reuse */
    unsigned n_free_chains;
    struct buf spare_in[SRV_SPARE_BUFS], spare_out[SRV_SPARE_BUFS];
    unsigned n_spare_in, n_spare_out;
    uint64_t next_async_id;
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
    uint16_t cipher;     /* Connection.CipherId: enum smb2_cipher, NONE: no encryption */
    uint8_t preauth[64]; /* Connection.PreauthIntegrityHashValue */
    struct srv_credits credits;
    struct srv_session *sessions;
    unsigned n_sessions;
    struct srv_session *ghosts;  /* logged off: id and key only */
    struct srv_delayed *delayed; /* the answer held back after a failed logon, or NULL */
    struct srv_opens opens;      /* srv_open.c */
};

/* `server signing audit` events kept for `signet status --audit`. */
#define SRV_AUDIT_RING 128
struct srv_audit_event {
    uint64_t time;  /* seconds since the epoch */
    unsigned id;    /* 3021 or 3022 */
    char line[384]; /* the logged text after "audit ID: " */
};
struct srv_audit_ring {
    struct srv_audit_event ev[SRV_AUDIT_RING];
    unsigned head, n; /* next slot, events kept */
};
struct srv_admin;
struct srv_guard;

/* Log lines of one kind: at most SRV_LOG_BURST a SRV_LOG_INTERVAL_MS, then
 * one line with the count of those left out (srv_guard.c). */
#define SRV_LOG_INTERVAL_MS 10000u
#define SRV_LOG_BURST       10u
struct srv_ratelog {
    uint64_t start_ms;
    unsigned n, suppressed;
};

struct srv {
    uv_loop_t *loop;
    /* large frames (READ responses, WRITE requests) reused across the
     * connections: a fresh 1 MiB buffer a request costs 256 page faults */
    struct buf big_bufs[SRV_BIG_BUFS];
    unsigned n_big_bufs;
    size_t big_bytes;
    struct srv_opts opts;
    char netbios_name[16];
    struct srv_cfg *cfg; /* for new connections */
    uv_tcp_t listeners[CFG_MAX_LISTEN];
    unsigned n_listeners, listeners_open;
    struct srv_conn *conns;
    unsigned n_conns;
    unsigned n_held; /* failed logons' answers held (srv_conn_send_later) */
    /* connections never authenticated: newest first (srv_conn_admit) */
    struct srv_conn *unauth_head, *unauth_tail;
    unsigned n_unauth;
    struct srv_guard *guard;        /* failed-logon throttles (srv_guard.c) */
    struct srv_ratelog log_logon;   /* failed logons */
    struct srv_ratelog log_refused; /* refused connections, accept errors */
    struct srv_ratelog log_fds;     /* opens refused for want of descriptors */
    unsigned fd_limit;              /* RLIMIT_NOFILE, raised at start */
    unsigned n_fds;                 /* descriptors reserved for opens (srv_fd_reserve) */
    size_t write_bytes;             /* responses not yet written, all connections */
    uint64_t next_conn_id;
    uint64_t next_session_id;
    uint32_t open_gen;  /* the generation of the last FileId (srv_open.c) */
    uint64_t frames_in; /* frames received, all connections (srv_run's busy poll) */
    uint8_t server_guid[16];
    uint64_t start_time;
    bool shutting_down;
    /* share roots opened once and kept for the server's life, so that every
     * tree on a share sees the same locks and delete-pending state */
    struct {
        char path[4096];
        bool read_only;
        struct vfs_share *vs;
    } vs_cache[SRV_MAX_VFS_SHARES];
    unsigned n_vs;
    struct srv_audit_ring audit;              /* srv_audit.c */
    struct srv_metrics metrics;               /* srv_metrics.c */
    struct srv_metrics_http *metrics_http;    /* srv_metrics_http.c */
    struct srv_admin *admin;                  /* srv_admin.c */
    struct srv_file *files[SRV_FILE_BUCKETS]; /* srv_file.c */
    unsigned n_files;
    struct srv_watch *watches; /* srv_notify.c */
    /* srv_oplock.c: leases, and breaks waiting for an acknowledgment */
    struct srv_lease *leases;
    struct srv_open *breaking_opens;
    uv_timer_t break_timer;
    bool break_timer_open;
    struct srv_notify_local *local; /* srv_notify_local.c */
    /* srv_durable.c: disconnected durable opens and their timer */
    struct srv_open *disconnected;
    unsigned n_disconnected, n_doomed;
    uv_timer_t durable_timer;
    bool durable_timer_open;
    bool freeing; /* srv_free: the loop has stopped, nothing may wait for it */
    /* requests woken or cancelled, finished at the loop's next turn */
    struct srv_req *ready_head, *ready_tail;
    uv_idle_t ready_idle;
    bool ready_idle_open;
};

typedef ntstatus_t (*srv_handler_fn)(struct srv_req *r);

enum srv_need { SRV_NEED_NONE, SRV_NEED_OPTIONAL, SRV_NEED_REQUIRED };

/* Where a command's file-system calls (srv_req_run) run. Its handler
 * always starts on the loop. */
enum srv_where {
    SRV_TRY_INLINE, /* on the loop in lib/vfs nowait mode; the pool if that would block */
    SRV_ON_POOL,    /* may block: on the thread pool */
};

/* One row of the dispatch table ([MS-SMB2] 3.3.5.2). */
struct srv_cmd {
    const char *name;
    uint16_t structure_size; /* of the request body; 0: checked by the handler */
    enum srv_need session;
    bool tree;
    srv_handler_fn handler; /* NULL: STATUS_NOT_IMPLEMENTED */
    enum srv_where where;
};

const struct srv_cmd *srv_cmd_lookup(uint16_t command);

/* srv_main.c: "ADDR:PORT" or "[ADDR]:PORT" into a socket address. */
bool srv_parse_addr(const char *spec, struct sockaddr_storage *ss);

/* srv_conn.c */
void srv_conn_close(struct srv_conn *c, const char *why);
ntstatus_t srv_conn_send(struct srv_conn *c, struct buf *frame);
/* The same, the frame (4-byte header first) starting at offset off of the
 * buffer: the response buffer keeps room for a TRANSFORM_HEADER in front. */
ntstatus_t srv_conn_send_from(struct srv_conn *c, struct buf *frame, size_t off);
ntstatus_t srv_conn_send_later(struct srv_conn *c, struct buf *frame, size_t off, unsigned ms);
/* Seal a message (one element or a chain, at msg, len bytes) in place for
 * session s ([MS-SMB2] 3.1.4.3): the 52-byte TRANSFORM_HEADER goes to
 * msg - 52, the Direct TCP header to msg - 56. Its inner signature should be
 * zero (encrypted messages are not signed). */
ntstatus_t srv_seal(struct srv_session *s, uint8_t *msg, size_t len);
/* A received TRANSFORM frame ([MS-SMB2] 3.3.5.2.1.1): found by its
 * SessionId, unsealed in place, its chain's SessionIds checked, then handed
 * to the engine as an encrypted request. False (logged): disconnect. */
bool srv_unseal_frame(struct srv_conn *c, struct buf *frame);
void srv_conn_start(struct srv_conn *c);
struct srv_conn *srv_conn_new(struct srv *s);
/* Within `max unauthenticated connections` (the oldest such connection
 * goes) and `... per address` (the new one is refused): false when c was
 * refused (closed). */
bool srv_conn_admit(struct srv_conn *c);
/* A session of c became valid: it leaves the unauthenticated list. */
void srv_conn_authenticated(struct srv_conn *c);
/* Stop reading while the connection holds too much, read again below it. */
void srv_conn_flow(struct srv_conn *c);
/* Free the connection if it is closed and nothing holds it any more. */
void srv_conn_maybe_free(struct srv_conn *c);

/* srv_dispatch.c: the generic checks and the handler of one admitted element
 * ([MS-SMB2] 3.3.5.2), and the encoding of its response element. */
ntstatus_t srv_dispatch_elem(struct srv_req *r, bool have_prev, bool prev_ids_ok);
size_t srv_rsp_body_cap(const struct srv_req *r, size_t frame_so_far);
/* The header and, for an error, the body of r's response (at r->rsp_off);
 * returns the element's length. */
size_t srv_rsp_encode(struct srv_req *r, ntstatus_t st, bool related);
bool srv_rsp_keeps_body(ntstatus_t st);
/* Should the element be signed, and with whose key? */
struct srv_session *srv_rsp_sign_sess(const struct srv_req *r, ntstatus_t st, bool *sign);
bool srv_consume_credits(struct srv_req *r);

/* srv_smb1.c */
bool srv_smb1_negotiate(struct srv_conn *c, const uint8_t *frame, size_t len);
/* srv_negotiate.c, shared with the SMB1 path */
ntstatus_t srv_negotiate_hint(struct buf *out);
uint32_t srv_server_caps(uint16_t dialect, const struct cfg_server *cs);
/* 3.3.5.4: the first cipher of the server's order that the client offers;
 * SMB2_CIPHER_NONE when none is common or encryption is off. */
uint16_t srv_pick_cipher(const struct cfg_server *cs, const uint16_t *offered, size_t n);

/* srv_credits.c ([MS-SMB2] 3.3.5.2.3, 3.3.1.1) */
void srv_credits_init(struct srv_credits *c);
bool srv_credits_consume(struct srv_credits *c, uint64_t message_id, uint16_t charge);
uint16_t srv_credits_grant(struct srv_credits *c, uint16_t requested);
/* The CreditCharge a payload of this size needs with large MTU (3.3.5.2.5). */
static inline uint16_t srv_credit_charge_for(uint32_t payload)
{
    return payload == 0 ? 1 : (uint16_t)((payload - 1) / SRV_CREDIT_UNIT + 1);
}

/* srv_open.c: the open table ([MS-SMB2] 3.3.1.10) */
/* Add an open (tmpl: f, file, access, share access...) on r's session and
 * tree: into the connection's table and onto the file's OpenList. The open
 * takes over tmpl->file's reference. */
ntstatus_t srv_open_add(struct srv_req *r, struct srv_open *tmpl, struct srv_open **out);
/* The open a request names (FileId 0xFF..FF: the compound's, 3.3.5.2.7.2);
 * STATUS_FILE_CLOSED when it is not this session's and tree's. The request
 * holds a reference on it (r->open) until its element ends. */
ntstatus_t srv_open_lookup(struct srv_req *r, const struct smb2_file_id *id, struct srv_open **out);
/* Take the open out of the table and off its file's OpenList, release its
 * locks (waking the LOCKs that wait for them) and cancel what waits on it
 * ([MS-FSA] 2.1.5.4). When it was the last open of a delete-pending file
 * the file is removed: on the pool by itself, or, when the caller removes
 * it (the CLOSE that wants to answer its status), true is returned and the
 * file is the caller's to delete. The descriptor is closed with the last
 * reference (srv_open_unref). */
bool srv_open_remove(struct srv_open *o, bool caller_deletes);
void srv_open_ref(struct srv_open *o);
void srv_open_unref(struct srv_open *o);
/* The opens of tree t go: closed, or, when keep_durable (the session or
 * connection goes, not the tree), durable ones kept disconnected
 * (srv_durable_keep). */
void srv_open_remove_tree(struct srv_conn *c, const struct srv_tree *t, bool keep_durable);
/* A durable open leaves its connection's table (it stays on its file's
 * OpenList, with its caching and locks), what waits on it is cancelled;
 * or joins r's table, session and tree with a new volatile id (its
 * persistent id stays). */
void srv_open_detach(struct srv_open *o);
ntstatus_t srv_open_attach(struct srv_req *r, struct srv_open *o);
/* Close f on the loop when that cannot block, else on the pool, where the
 * close's own status (a pending delete that fails) is only logged. */
void srv_file_close(struct srv *srv, struct vfs_file *f);
void srv_opens_free(struct srv_conn *c);
/* The server's cache of share roots (loop only): the one open for sh, or
 * NULL; _keep adds vs (opened on the pool) or, if one is there already,
 * closes vs and returns that one. NULL when the cache is full. */
struct vfs_share *srv_vfs_share_cached(struct srv *s, const struct cfg_share *sh);
struct vfs_share *srv_vfs_share_keep(struct srv *s, const struct cfg_share *sh,
                                     struct vfs_share *vs);
void srv_vfs_shares_free(struct srv *s);
uint32_t srv_map_access(uint32_t desired, bool read_only);
bool srv_open_can(const struct srv_open *o, uint32_t access);
ntstatus_t srv_sd_encode(struct wr *w, uint32_t additional_information);
/* The attributes a client sees ([MS-FSCC] 2.6): a file carries
 * FILE_ATTRIBUTE_ARCHIVE, as on Windows and Samba, where lib/vfs says
 * NORMAL; directories are left as they are; a dot-file is HIDDEN. */
uint32_t srv_attributes(uint32_t vfs_attributes, const char *name);

/* 3.3.5.2.5 and 3.3.5.12/13: a READ or WRITE of len bytes within
 * MaxRead/WriteSize (64 KiB without large MTU) and covered by CreditCharge
 * (0 counts as 1). */
static inline bool srv_io_len_ok(const struct srv_req *r, uint32_t len)
{
    if (r->conn->dialect == SMB2_DIALECT_0202)
        return len <= 65536;
    uint16_t charge = r->hdr.credit_charge ? r->hdr.credit_charge : 1;
    return len <= SRV_MAX_IO && charge >= srv_credit_charge_for(len);
}

/* srv_notify.c: CHANGE_NOTIFY. A change of path (relative to vs's root,
 * '/' separated) with its [MS-FSCC] 2.7.1 action and the
 * FILE_NOTIFY_CHANGE_* bits it touches, for the opens that watch it. */
void srv_notify_change(struct srv *s, const struct vfs_share *vs, const char *path, uint32_t action,
                       uint32_t filter);
/* The action's name filter for a file or a directory. */
uint32_t srv_notify_name_filter(bool is_dir);
void srv_notify_open_gone(struct srv_open *o);
/* The watched directory f became delete-pending: what waits on it ends with
 * STATUS_DELETE_PENDING (as Windows and Samba answer). */
void srv_notify_delete_pending(struct srv_file *f);
/* srv_notify_local.c: the kernel's view (inotify) of the directory o watches,
 * for changes made by local processes. */
void srv_notify_local_watch(struct srv *s, struct srv_open *o);
void srv_notify_local_close(struct srv *s);

/* srv_oplock.c: oplocks and leases ([MS-SMB2] 3.3.5.9.8, 3.3.4.6, 3.3.4.7,
 * 3.3.5.22). See srv_oplock.h. */
#include "server/srv_oplock.h"

/* srv_durable.c: durable opens. See srv_durable.h. */
#include "server/srv_durable.h"

/* srv_session.c */
struct srv_session *srv_session_new(struct srv_conn *c);
struct srv_session *srv_session_find(struct srv_conn *c, uint64_t id);
/* Take the session out of the connection: its trees and opens go, what
 * waits on them is cancelled; a valid session with a key becomes a ghost
 * (below). Freed with its last reference. */
void srv_session_retire(struct srv_conn *c, struct srv_session *s);
void srv_session_ref(struct srv_session *s);
void srv_session_unref(struct srv_session *s);
/* A session logged off on this connection (its trees and opens are gone):
 * its key still signs the STATUS_USER_SESSION_DELETED answers to requests it
 * signed, which Samba's client insists on under mandatory signing. */
struct srv_session *srv_ghost_find(struct srv_conn *c, uint64_t id);
void srv_ghosts_free(struct srv_conn *c);
struct srv_tree *srv_tree_new(struct srv_session *s);
struct srv_tree *srv_tree_find(struct srv_session *s, uint32_t id);
/* Disconnect: out of its session, its opens closed (durable ones kept
 * when keep_durable: the session goes, not the tree), what waits
 * cancelled. */
void srv_tree_remove(struct srv_session *s, struct srv_tree *t, bool keep_durable);
void srv_tree_ref(struct srv_tree *t);
void srv_tree_unref(struct srv_tree *t);

/* srv_engine.c: did an earlier element of r's compound fail a logon? */
bool srv_chain_logon_failed(const struct srv_req *r);

/* srv_guard.c: failed-logon throttles (per account, per client address) */
/* Why a logon of account (may be NULL or "") from c's address must be
 * refused now, or NULL. */
const char *srv_guard_locked(struct srv_conn *c, const char *account);
void srv_guard_failed(struct srv_conn *c, const char *account);
void srv_guard_succeeded(struct srv_conn *c, const char *account);
void srv_guard_free(struct srv *s);
/* c->peer without its port. */
void srv_peer_addr(const struct srv_conn *c, char *out, size_t cap);
/* File descriptors: raise the soft RLIMIT_NOFILE to the hard one; reserve
 * one for a CREATE of user's (STATUS_TOO_MANY_OPENED_FILES, logged, when
 * over the server's or the user's budget), release it when its file is
 * closed (*slot: 0 afterwards, and when nothing is reserved). */
void srv_fd_limits_init(struct srv *s);
ntstatus_t srv_fd_reserve(struct srv_conn *c, const char *user, unsigned *slot);
void srv_fd_release(struct srv *s, unsigned *slot);
/* Log this line of its kind now? (what: "failed logons", for the summary). */
bool srv_ratelog_allow(struct srv_ratelog *rl, uint64_t now, const char *what);

/* srv_audit.c: `server signing audit` events of a new session (3021: not
 * signed; 3022: no encryption), logged and kept in the ring. */
void srv_audit_session(struct srv_conn *c, const struct srv_session *s);
void srv_audit_add(struct srv *srv, unsigned id, const char *text);
/* An audit-worthy line: to srv_opts.event with its fields (s may be NULL),
 * else (or also) logged at level. */
void srv_event_emit(struct srv_conn *c, const struct srv_session *s, enum sg_log_level level,
                    unsigned id, const char *kind, const char *message);
/* A failed logon: counted; when log (the rate limit allows it), logged
 * and filed naming the account claimed, the client address and why. */
void srv_event_logon_failed(struct srv_req *r, const struct srv_session *s, ntstatus_t st,
                            const char *account, const char *addr, const char *why, bool log);
void srv_event_signature(struct srv_req *r, const struct srv_session *s, const char *what,
                         bool unsigned_request);
/* srv_admin.c: one JSON object a line (no newline) into out. */
unsigned srv_session_opens(const struct srv_conn *c, const struct srv_session *s);
void srv_admin_session_json(const struct srv_session *s, uint64_t now_ms, struct buf *out);
void srv_admin_audit_json(const struct srv_audit_event *e, struct buf *out);
void srv_admin_close(struct srv *s);

/* handlers: one file each */
ntstatus_t srv_negotiate(struct srv_req *r);
ntstatus_t srv_session_setup(struct srv_req *r);
ntstatus_t srv_logoff(struct srv_req *r);
ntstatus_t srv_tree_connect(struct srv_req *r);
ntstatus_t srv_tree_disconnect(struct srv_req *r);
ntstatus_t srv_echo(struct srv_req *r);
ntstatus_t srv_cancel(struct srv_req *r);
ntstatus_t srv_ioctl(struct srv_req *r);
ntstatus_t srv_create(struct srv_req *r);
ntstatus_t srv_close(struct srv_req *r);
ntstatus_t srv_flush(struct srv_req *r);
ntstatus_t srv_read(struct srv_req *r);
ntstatus_t srv_write(struct srv_req *r);
ntstatus_t srv_lock(struct srv_req *r);
ntstatus_t srv_query_directory(struct srv_req *r);
ntstatus_t srv_query_info(struct srv_req *r);
ntstatus_t srv_set_info(struct srv_req *r);
ntstatus_t srv_change_notify(struct srv_req *r);
ntstatus_t srv_oplock_break(struct srv_req *r);

#endif
