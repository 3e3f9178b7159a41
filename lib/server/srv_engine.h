/* The request engine: one request object per SMB2 request, the compound
 * walker that owns it, and the ways a handler finishes later: a file-system
 * call on the thread pool (srv_req_run) or a wait with an interim response
 * (srv_req_pend). [MS-SMB2] 3.3.4.1 (compounded responses), 3.3.4.2
 * (interim responses), 3.3.5.16 (CANCEL).
 *
 * Threads. Everything here runs on the loop thread, except a work function,
 * which runs on a pool thread (or first on the loop, with VFS_NOWAIT)
 * and may touch only its job: the bytes in srv_req.job that its handler
 * filled before, plus the request and response buffers the job points into.
 * It never sees a session, tree, open or connection. Done and cancel
 * functions run on the loop.
 *
 * Lifetimes. A chain (one received frame) lives from its frame's arrival
 * until its last response is handed to the socket; the connection is freed
 * only after its last chain. The request holds references on its session,
 * tree and open, dropped when its element ends. */
#ifndef SIGNET_SERVER_SRV_ENGINE_H
#define SIGNET_SERVER_SRV_ENGINE_H

#include "base/buf.h"
#include "base/cursor.h"
#include "wire/compound.h"
#include "wire/file_id.h"
#include "wire/hdr.h"

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

struct srv;
struct srv_chain;
struct srv_conn;
struct srv_session;
struct srv_tree;
struct srv_open;
struct srv_file;
struct srv_req;

enum srv_req_state {
    SRV_REQ_IDLE,    /* no element admitted */
    SRV_REQ_RUNNING, /* its handler runs on the loop */
    SRV_REQ_DISK,    /* its work function runs on the pool */
    SRV_REQ_PENDING, /* an interim response went out; it waits for an event */
    SRV_REQ_READY,   /* woken or cancelled: finishes at the loop's next turn */
};

/* Why a pending request is withdrawn. */
enum srv_cancel_why {
    SRV_CANCEL_REQUEST, /* a CANCEL named it (3.3.5.16) */
    SRV_CANCEL_CLOSE,   /* its open was closed */
    SRV_CANCEL_TREE,    /* its tree was disconnected */
    SRV_CANCEL_LOGOFF,  /* its session was logged off */
    SRV_CANCEL_CONN,    /* the connection is going: nothing will be sent */
};

/* On the pool (vfs_flags 0) or first on the loop (VFS_NOWAIT): the
 * file-system calls of a request, on job data only, each passed vfs_flags.
 * With VFS_NOWAIT it answers STATUS_SIGNET_WOULD_BLOCK having changed
 * nothing, or its status, which goes to the done function. */
typedef ntstatus_t (*srv_work_fn)(void *job, unsigned vfs_flags);
/* On the loop, after the work or the wait: the response body into r->w, or
 * STATUS_SIGNET_ASYNC to go on waiting (another srv_req_run or _pend). */
typedef ntstatus_t (*srv_done_fn)(struct srv_req *r, ntstatus_t st);
/* On the loop: take a pending request off whatever it waits on and release
 * what it holds; returns the status its done function then gets. */
typedef ntstatus_t (*srv_cancel_fn)(struct srv_req *r, enum srv_cancel_why why);

#define SRV_JOB_MAX 320

/* One SMB2 request: the element of its compound being processed. */
struct srv_req {
    struct srv_chain *chain;
    struct srv_conn *conn;
    const uint8_t *msg; /* the request element (header first), in the chain's frame */
    size_t len;
    struct smb2_hdr hdr; /* with related-compound inheritance applied */
    enum srv_req_state state;
    uint64_t async_id;                 /* nonzero once an interim response went out */
    uint16_t granted;                  /* CreditResponse */
    bool related;                      /* SMB2_FLAGS_RELATED_OPERATIONS */
    struct srv_session *sess;          /* a reference, once resolved */
    struct srv_tree *tree;             /* a reference, once resolved */
    struct srv_open *open;             /* a reference, set by srv_open_lookup */
    bool req_signed;                   /* SIGNED and verified, or encrypted */
    bool encrypted;                    /* it came in a TRANSFORM frame (3.3.5.2.1.1) */
    struct smb2_file_id *compound_fid; /* the chain's last FileId (3.3.5.2.7.2) */
    bool *have_compound_fid;
    ntstatus_t *compound_create_err; /* the chain's last CREATE failed with it */
    bool fid_given;                  /* it used or made a FileId, which the next element inherits */
    bool ids_ok;   /* its session and tree (as the command needs them) were found */
    bool echo_sig; /* no key to sign with: echo the request's SIGNED flag and signature */
    /* The response element: header at rsp_off in the chain's buffer, then up
     * to body_cap bytes of body. w is valid while the handler or its done
     * function runs. */
    struct wr wr, *w;
    size_t rsp_off, body_cap;
    /* set by handlers */
    uint64_t rsp_session_id;
    uint32_t rsp_tree_id;
    uint16_t rsp_session_flags;
    /* borrowed pointers: the response's record takes its own references */
    struct srv_session *sign_sess;    /* whose key signs the response, if not sess */
    struct srv_session *preauth_sess; /* hash the response into this session */
    bool hash_into_conn;              /* NEGOTIATE response: connection hash */
    bool force_sign;                  /* final SESSION_SETUP response */
    bool no_response;                 /* CANCEL */
    bool disconnect;                  /* drop the connection, send nothing */
    bool logon_failed;                /* InvalidAuthenticationDelay */
    uint64_t previous_session_id;     /* SESSION_SETUP's, for its last step */
    uint8_t err_data[4];              /* ErrorData of an error response (2.2.2), ... */
    uint8_t err_len;                  /* ... its length: 0 or 4 */
    /* srv_metrics_now() at its arrival (srv_metrics.c) */
    uint64_t start_ns;
    /* continuation */
    srv_work_fn work;
    srv_done_fn done;
    srv_cancel_fn cancel;
    ntstatus_t wake_status;                /* READY: the status done (or the answer) gets */
    bool cancelled;                        /* READY after a cancel */
    struct srv_req *ready_next;            /* the server's ready queue */
    struct srv_req *wait_next, *wait_prev; /* the list a pending request waits on */
    struct srv_file *wait_file;            /* whose break_waiters that list is */
    struct srv_serial *serial;             /* the queue its pool job runs in, if any */
    struct srv_req *serial_next;           /* in that queue */
    uv_work_t uvw;
    alignas(max_align_t) unsigned char job[SRV_JOB_MAX];
};

/* A handler's job data, in r->job (checked to fit at compile time). */
#define SRV_JOB(r, type)                                                                           \
    ((void)sizeof(char[sizeof(type) <= SRV_JOB_MAX ? 1 : -1]), (type *)(void *)(r)->job)

/* Run work and then done(r, its status) on the loop. Where the command
 * allows (the dispatch table's SRV_TRY_INLINE), work is tried at once on the
 * loop with VFS_NOWAIT; if it would block (or is not tried) it runs on the
 * pool. Returns done's status, or
 * STATUS_SIGNET_ASYNC (done runs later). */
ntstatus_t srv_req_run(struct srv_req *r, srv_work_fn work, srv_done_fn done);
/* The same, always on the pool. */
ntstatus_t srv_req_run_pool(struct srv_req *r, srv_work_fn work, srv_done_fn done);

/* Pool jobs that run one at a time, in the order queued: a file's writes.
 * A buffered write holds the inode's lock in the kernel, so writes to one
 * file side by side only spin on it (on a 2-CPU host, 20-35% more server
 * CPU for a 1 GiB put with 8 WRITEs in flight); queued here they wait
 * without a pool thread. Zero-initialized: empty. */
struct srv_serial {
    struct srv_req *head, *tail; /* queued, not yet on the pool */
    bool busy;                   /* one of them is on the pool */
};
/* srv_req_run_pool, after the jobs queued on q before it. */
ntstatus_t srv_req_run_serial(struct srv_req *r, struct srv_serial *q, srv_work_fn work,
                              srv_done_fn done);
/* Go async ([MS-SMB2] 3.3.4.2): give the request an AsyncId, send the
 * compound's responses built so far and an interim STATUS_PENDING response
 * with its credits, and wait: until srv_req_wake (then done runs) or a
 * cancel (then cancel runs). Returns STATUS_SIGNET_ASYNC, or
 * STATUS_INSUFFICIENT_RESOURCES over the connection's budget of pending
 * requests (3.3.4.2 allows it). */
ntstatus_t srv_req_pend(struct srv_req *r, srv_done_fn done, srv_cancel_fn cancel);
/* Wake a pending request: done(r, st) runs at the loop's next turn. */
void srv_req_wake(struct srv_req *r, ntstatus_t st);
/* Withdraw a pending request (its cancel function runs now; the response
 * goes at the loop's next turn). Requests that are not pending are left. */
void srv_req_cancel(struct srv_req *r, enum srv_cancel_why why);

/* Cancel the pending requests of a connection that use an open, a tree or
 * a session (NULL: any), or all of them. */
void srv_conn_cancel_matching(struct srv_conn *c, const struct srv_open *o,
                              const struct srv_tree *t, const struct srv_session *s,
                              enum srv_cancel_why why);
/* The outstanding request a CANCEL names: by AsyncId when async, else by
 * MessageId; NULL when none. */
struct srv_req *srv_conn_find_req(struct srv_conn *c, bool async, uint64_t id);

/* srv_conn.c hands each received SMB2 frame (the bytes after the 4-byte
 * header) to the engine, which takes the buffer (frame->p is then a spare
 * buffer or NULL). */
void srv_engine_frame(struct srv_conn *c, struct buf *frame);
/* The same for a decrypted TRANSFORM frame: the SMB2 message starts at off,
 * and it came encrypted under session enc (3.3.5.2.1.1): its responses are
 * sealed with enc's key, and it counts as signed. */
void srv_engine_frame_enc(struct srv_conn *c, struct buf *frame, size_t off,
                          struct srv_session *enc);
/* Room kept in front of every response message: the Direct TCP header and a
 * TRANSFORM_HEADER (4 + 52 bytes). A plain response's 4-byte header sits at
 * SRV_OUT_HDR - 4 and it is sent from there. */
#define SRV_OUT_HDR 56
/* A sent response buffer, kept for the next response (or freed). */
void srv_engine_spare_out(struct srv_conn *c, struct buf *b);
/* buf_reserve for a connection's frames: a large one is taken from the
 * server's pool of buffers when one fits (the bytes so far copied). */
ntstatus_t srv_buf_grow(struct srv_conn *c, struct buf *b, size_t extra);
/* The server's pool of large buffers goes (srv_free). */
void srv_engine_bufs_free(struct srv *s);
/* Free a connection's cached chains and buffers (at its end). */
void srv_engine_conn_free(struct srv_conn *c);
/* The server's ready queue (srv_req_wake, srv_req_cancel). */
void srv_engine_init(struct srv *s);
void srv_engine_close(struct srv *s);

#endif
