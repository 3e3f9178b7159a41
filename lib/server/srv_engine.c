/* The request engine (srv_engine.h). Each received frame becomes a chain:
 * the compound walker, which admits its elements one at a time into its
 * request object, runs their handlers, lays their responses one after the
 * other in its response buffer and sends them as one frame (3.3.4.1).
 *
 *   frame -> chain -> [element: admit -> handler -> (pool | pending)* -> end]* -> send
 *
 * A handler that needs the disk hands a work function to the pool and the
 * chain waits; one that waits for an event (a lock, a change, a break) goes
 * pending: the responses built so far leave now with an interim response,
 * and the rest of the compound follows the final response (as Samba does,
 * [MS-SMB2] 3.3.4.2). Meanwhile the connection reads and answers its next
 * frames, within its budget (srv_conn_flow). Nothing is run twice.
 *
 * Chains and their buffers come from small per-connection free lists, so a
 * warm connection allocates nothing per request. */
#include "server/srv_int.h"

#include "base/endian.h"
#include "sec/preauth.h"
#include "vfs/vfs.h"
#include "wire/error.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* One response element laid out in the chain's response buffer. */
struct elem_rec {
    size_t off;                    /* of its header in the buffer */
    struct srv_session *sign_sess; /* a reference, when signed */
    struct srv_session *preauth_sess;
    bool sign, hash_conn;
};

struct srv_chain {
    struct srv_conn *conn;
    struct srv_chain *next, *prev; /* the connection's chains */
    struct buf in;                 /* the request frame (after its 4-byte header) */
    size_t in_off;                 /* the SMB2 message's offset in it (after a TRANSFORM_HEADER) */
    struct srv_session *enc_sess;  /* a reference: it came encrypted under this session */
    struct srv_session *seal_sess; /* a reference: its responses are sealed with its key */
    size_t in_charged;             /* counted in conn->inflight_bytes */
    uint8_t *copy;                 /* the frame with its first element's RELATED flag cleared */
    struct smb2_chain walk;
    unsigned idx;
    struct buf out; /* the response frame: 4-byte header, then elements */
    struct elem_rec recs[SRV_MAX_COMPOUND];
    unsigned n;
    bool logon_failed;
    /* what a related element inherits (3.3.5.2.7.2) */
    bool have_prev, prev_ids_ok;
    ntstatus_t create_err; /* of the last CREATE that failed */
    uint64_t prev_session_id;
    uint32_t prev_tree_id;
    ntstatus_t prev_status;
    struct smb2_file_id fid;
    bool have_fid;
    struct srv_req req;
};

static void chain_walk(struct srv_chain *ch);
static void on_ready(uv_idle_t *h);

/* ---- buffers and chain objects ---- */

static struct buf spare_take(struct buf *spares, unsigned *n)
{
    if (*n == 0)
        return (struct buf)BUF_INIT;
    return spares[--*n];
}

/* A buffer done with: kept by its connection when small, by the server's
 * pool when large and there is room, else freed. */
static void spare_give(struct srv_conn *c, struct buf *spares, unsigned *n, struct buf *b)
{
    struct srv *s = c->srv;
    if (b->p && b->cap <= SRV_SPARE_BUF_MAX && *n < SRV_SPARE_BUFS) {
        buf_reset(b);
        spares[(*n)++] = *b;
    } else if (b->p && b->cap > SRV_SPARE_BUF_MAX && s->n_big_bufs < SRV_BIG_BUFS &&
               s->big_bytes + b->cap <= SRV_BIG_BUF_BYTES) {
        buf_reset(b);
        s->big_bytes += b->cap;
        s->big_bufs[s->n_big_bufs++] = *b;
    } else {
        buf_free(b);
    }
    *b = (struct buf)BUF_INIT;
}

ntstatus_t srv_buf_grow(struct srv_conn *c, struct buf *b, size_t extra)
{
    struct srv *s = c->srv;
    if (extra > SIZE_MAX - b->len)
        return STATUS_NO_MEMORY;
    size_t need = b->len + extra;
    if (need > b->cap && need > SRV_SPARE_BUF_MAX) {
        unsigned best = s->n_big_bufs;
        for (unsigned i = 0; i < s->n_big_bufs; i++)
            if (s->big_bufs[i].cap >= need &&
                (best == s->n_big_bufs || s->big_bufs[i].cap < s->big_bufs[best].cap))
                best = i;
        if (best < s->n_big_bufs) {
            struct buf big = s->big_bufs[best];
            s->big_bufs[best] = s->big_bufs[--s->n_big_bufs];
            s->big_bytes -= big.cap;
            if (b->len)
                memcpy(big.p, b->p, b->len);
            big.len = b->len;
            spare_give(c, c->spare_out, &c->n_spare_out, b);
            *b = big;
        }
    }
    return buf_reserve(b, extra);
}

void srv_engine_bufs_free(struct srv *s)
{
    for (unsigned i = 0; i < s->n_big_bufs; i++)
        buf_free(&s->big_bufs[i]);
    s->n_big_bufs = 0;
    s->big_bytes = 0;
}

static struct srv_chain *chain_get(struct srv_conn *c)
{
    struct srv_chain *ch = c->free_chains;
    if (ch) {
        c->free_chains = ch->next;
        c->n_free_chains--;
    } else if (!(ch = calloc(1, sizeof *ch))) {
        return NULL;
    }
    ch->conn = c;
    ch->n = ch->idx = 0;
    ch->logon_failed = ch->have_prev = ch->have_fid = ch->prev_ids_ok = false;
    ch->prev_status = ch->create_err = STATUS_SUCCESS;
    ch->copy = NULL;
    ch->in_off = 0;
    ch->enc_sess = ch->seal_sess = NULL;
    ch->req.state = SRV_REQ_IDLE;
    ch->out = spare_take(c->spare_out, &c->n_spare_out);
    return ch;
}

static void chain_put(struct srv_chain *ch)
{
    struct srv_conn *c = ch->conn;
    free(ch->copy);
    ch->copy = NULL;
    if (ch->enc_sess)
        srv_session_unref(ch->enc_sess);
    if (ch->seal_sess)
        srv_session_unref(ch->seal_sess);
    ch->enc_sess = ch->seal_sess = NULL;
    spare_give(c, c->spare_in, &c->n_spare_in, &ch->in);
    spare_give(c, c->spare_out, &c->n_spare_out, &ch->out);
    if (c->n_free_chains < SRV_SPARE_CHAINS && !c->closing) {
        ch->next = c->free_chains;
        c->free_chains = ch;
        c->n_free_chains++;
    } else {
        free(ch);
    }
}

void srv_engine_spare_out(struct srv_conn *c, struct buf *b)
{
    spare_give(c, c->spare_out, &c->n_spare_out, b);
}

void srv_engine_conn_free(struct srv_conn *c)
{
    while (c->free_chains) {
        struct srv_chain *ch = c->free_chains;
        c->free_chains = ch->next;
        free(ch);
    }
    for (unsigned i = 0; i < c->n_spare_in; i++)
        buf_free(&c->spare_in[i]);
    for (unsigned i = 0; i < c->n_spare_out; i++)
        buf_free(&c->spare_out[i]);
    c->n_free_chains = c->n_spare_in = c->n_spare_out = 0;
}

/* ---- the response frame ---- */

static void recs_release(struct srv_chain *ch)
{
    for (unsigned i = 0; i < ch->n; i++) {
        if (ch->recs[i].sign_sess)
            srv_session_unref(ch->recs[i].sign_sess);
        if (ch->recs[i].preauth_sess)
            srv_session_unref(ch->recs[i].preauth_sess);
    }
    ch->n = 0;
}

/* NextCommand, padding (3.3.4.1.3), then signatures (3.3.4.1.1) and the
 * preauth hash of NEGOTIATE / SESSION_SETUP responses (3.3.5.4, 3.3.5.5);
 * or, when the chain's responses are sealed (3.3.4.1.4), no signatures
 * (3.1.4.1: an encrypted message is not signed) and the whole frame
 * encrypted in place behind its TRANSFORM_HEADER. Sets *off to where the
 * frame to send starts in the buffer. */
static bool finalize(struct srv_chain *ch, size_t *off)
{
    struct buf *out = &ch->out;
    size_t tail = (8 - (out->len - SRV_OUT_HDR) % 8) % 8;
    if (!nt_ok(buf_reserve(out, tail)))
        return false;
    memset(out->p + out->len, 0, tail);
    out->len += tail;
    for (unsigned i = 0; i < ch->n; i++) {
        const struct elem_rec *rec = &ch->recs[i];
        size_t end = i + 1 < ch->n ? ch->recs[i + 1].off : out->len;
        uint8_t *elem = out->p + rec->off;
        le32_put(elem + 20, i + 1 < ch->n ? (uint32_t)(end - rec->off) : 0);
        struct iovec iov = {elem, end - rec->off};
        if (rec->sign && !ch->seal_sess && !nt_ok(sec_sign(&rec->sign_sess->sign_key, &iov, 1)))
            return false;
        if (rec->hash_conn && !nt_ok(sec_preauth_update(ch->conn->preauth, &iov, 1)))
            return false;
        if (rec->preauth_sess && !nt_ok(sec_preauth_update(rec->preauth_sess->preauth, &iov, 1)))
            return false;
    }
    if (ch->seal_sess) {
        *off = 0;
        return nt_ok(srv_seal(ch->seal_sess, out->p + SRV_OUT_HDR, out->len - SRV_OUT_HDR));
    }
    *off = SRV_OUT_HDR - 4;
    smb2_frame_encode(out->p + *off, (uint32_t)(out->len - SRV_OUT_HDR));
    return true;
}

/* An empty response buffer: the room for the headers in front. */
static bool out_start(struct buf *out)
{
    buf_reset(out);
    if (!nt_ok(buf_reserve(out, SRV_OUT_HDR)))
        return false;
    out->len = SRV_OUT_HDR;
    return true;
}

/* Send the elements laid out so far as one frame and start a new buffer. */
static bool chain_send(struct srv_chain *ch)
{
    struct srv_conn *c = ch->conn;
    size_t off = 0;
    bool ok = finalize(ch, &off);
    recs_release(ch);
    if (ok) {
        unsigned delay = c->cfg->cfg.server.invalid_auth_delay_ms;
        ok = nt_ok(ch->logon_failed && delay ? srv_conn_send_later(c, &ch->out, off, delay)
                                             : srv_conn_send_from(c, &ch->out, off));
    }
    ch->logon_failed = false;
    if (ch->out.p)
        buf_free(&ch->out);
    ch->out = spare_take(c->spare_out, &c->n_spare_out);
    (void)out_start(&ch->out); /* on failure reserve_rsp fails next */
    return ok;
}

/* ---- one element ---- */

/* Whose key seals r's response, if any ([MS-SMB2] 3.3.4.1.4): the session
 * an encrypted request came under; else, but for NEGOTIATE and
 * SESSION_SETUP, r's session when it encrypts its data or r's tree does. */
static struct srv_session *seal_sess_for(const struct srv_req *r)
{
    if (r->chain->seal_sess)
        return r->chain->seal_sess;
    if (r->hdr.command == SMB2_NEGOTIATE || r->hdr.command == SMB2_SESSION_SETUP)
        return NULL;
    struct srv_session *s = r->sess;
    if (!s || s->enc_key.cipher == SMB2_CIPHER_NONE)
        return NULL;
    return s->encrypt_data || (r->tree && r->tree->encrypt_data) ? s : NULL;
}

/* Once one response of the chain is sealed, all of the frame is. */
static void chain_seal_for(struct srv_chain *ch, const struct srv_req *r)
{
    struct srv_session *s = seal_sess_for(r);
    if (!ch->seal_sess && s) {
        srv_session_ref(s);
        ch->seal_sess = s;
    }
}

/* Room for r's response element at the end of the buffer: padding to 8,
 * the header, the body. */
static bool reserve_rsp(struct srv_chain *ch, struct srv_req *r)
{
    size_t off = ch->out.len;
    if (off < SRV_OUT_HDR)
        return false;
    size_t pad = (8 - (off - SRV_OUT_HDR) % 8) % 8;
    r->body_cap = srv_rsp_body_cap(r, off);
    if (!nt_ok(srv_buf_grow(ch->conn, &ch->out, pad + SMB2_HDR_SIZE + r->body_cap)))
        return false;
    memset(ch->out.p + off, 0, pad);
    r->rsp_off = off + pad;
    wr_init(&r->wr, ch->out.p + r->rsp_off, SMB2_HDR_SIZE + r->body_cap);
    wr_zero(&r->wr, SMB2_HDR_SIZE);
    r->w = &r->wr;
    return true;
}

static void req_release(struct srv_req *r)
{
    if (r->open)
        srv_open_unref(r->open);
    if (r->tree)
        srv_tree_unref(r->tree);
    if (r->sess)
        srv_session_unref(r->sess);
    r->open = NULL;
    r->tree = NULL;
    r->sess = r->sign_sess = r->preauth_sess = NULL;
    r->state = SRV_REQ_IDLE;
}

static void inherit_related(struct srv_chain *ch, struct srv_req *r)
{
    if (!r->related || !ch->have_prev)
        return;
    /* 3.3.5.2.7.2: a related request works on the previous one's session,
     * tree (and FileId, for the handlers that have one). */
    r->hdr.session_id = ch->prev_session_id;
    r->hdr.tree_id = ch->prev_tree_id;
}

/* Admit an element and start its handler. False: disconnect. */
static bool elem_begin(struct srv_chain *ch, const struct smb2_chain_elem *e, ntstatus_t *st)
{
    struct srv_conn *c = ch->conn;
    struct srv_req *r = &ch->req;
    size_t job_off = offsetof(struct srv_req, job);
    memset(r, 0, job_off);
    r->chain = ch;
    r->conn = c;
    r->msg = e->msg;
    r->len = e->len;
    r->hdr = e->hdr;
    r->related = e->related;
    r->compound_fid = &ch->fid;
    r->have_compound_fid = &ch->have_fid;
    r->compound_create_err = &ch->create_err;
    r->encrypted = ch->enc_sess != NULL;
    if (smb2_hdr_is_response(&r->hdr) || ch->n >= SRV_MAX_COMPOUND)
        return false;
    bool negotiated = c->dialect != 0 && c->dialect != SMB2_DIALECT_WILDCARD;
    if (!negotiated && r->hdr.command != SMB2_NEGOTIATE)
        return false; /* 3.3.5.2: nothing before NEGOTIATE */
    if (!srv_consume_credits(r))
        return false;
    if (r->hdr.command != SMB2_CANCEL)
        r->granted = srv_credits_grant(&c->credits, r->hdr.credit_request);
    inherit_related(ch, r);
    if (!reserve_rsp(ch, r))
        return false;
    r->rsp_session_id = r->hdr.session_id;
    r->rsp_tree_id = r->hdr.tree_id;
    r->state = SRV_REQ_RUNNING;
    r->start_ns = srv_metrics_now();
    *st = srv_dispatch_elem(r, ch->have_prev, ch->prev_ids_ok);
    if (sg_log_enabled(SG_LOG_DEBUG))
        sg_log(SG_LOG_DEBUG, "conn %" PRIu64 ": %s message %" PRIu64 ": %s", c->id,
               srv_cmd_lookup(r->hdr.command) ? srv_cmd_lookup(r->hdr.command)->name : "?",
               r->hdr.message_id, nt_eq(*st, STATUS_SIGNET_ASYNC) ? "async" : nt_name(*st));
    return true;
}

bool srv_chain_logon_failed(const struct srv_req *r)
{
    return r->chain && r->chain->logon_failed;
}

/* The element's status is final: lay out its response. False: disconnect. */
static bool elem_end(struct srv_chain *ch, ntstatus_t st)
{
    struct srv_req *r = &ch->req;
    if (nt_eq(st, STATUS_SIGNET_WOULD_BLOCK) || nt_eq(st, STATUS_SIGNET_ASYNC))
        st = STATUS_INTERNAL_ERROR; /* internal statuses never reach the wire */
    if (r->disconnect) {
        req_release(r);
        return false;
    }
    if (srv_rsp_keeps_body(st) && !nt_ok(wr_status(r->w)))
        st = STATUS_INTERNAL_ERROR;
    ch->prev_status = st;
    ch->logon_failed |= r->logon_failed;
    srv_metrics_request(ch->conn->srv, r->hdr.command, st, r->start_ns);
    if (r->hdr.command != SMB2_CANCEL && !r->no_response) {
        size_t len = srv_rsp_encode(r, st, r->related && r->rsp_off > SRV_OUT_HDR);
        chain_seal_for(ch, r);
        struct elem_rec *rec = &ch->recs[ch->n++];
        *rec = (struct elem_rec){.off = r->rsp_off, .hash_conn = r->hash_into_conn};
        rec->sign_sess = srv_rsp_sign_sess(r, st, &rec->sign);
        if (rec->sign_sess)
            srv_session_ref(rec->sign_sess);
        else
            rec->sign = false;
        rec->preauth_sess = r->preauth_sess;
        if (rec->preauth_sess)
            srv_session_ref(rec->preauth_sess);
        ch->out.len = r->rsp_off + len;
    }
    if (r->hdr.command == SMB2_CREATE)
        ch->create_err = nt_is_error(st) ? st : STATUS_SUCCESS;
    /* 3.3.5.2.7.2: the next element inherits the FileId this one used or
     * made, and none if it had none */
    if (!r->fid_given)
        ch->have_fid = false;
    ch->have_prev = true;
    ch->prev_ids_ok = r->ids_ok;
    ch->prev_session_id = r->rsp_session_id;
    ch->prev_tree_id = r->rsp_tree_id;
    req_release(r);
    return true;
}

/* ---- the walk ---- */

static void chain_end(struct srv_chain *ch)
{
    struct srv_conn *c = ch->conn;
    if (!c->closing && !nt_ok(smb2_chain_status(&ch->walk))) {
        sg_log(SG_LOG_WARN, "conn %" PRIu64 " (%s): malformed compound chain: disconnecting", c->id,
               c->peer);
        srv_conn_close(c, "protocol violation");
    }
    if (!c->closing && ch->n > 0 && !chain_send(ch))
        srv_conn_close(c, "cannot send");
    recs_release(ch);
    if (ch->prev)
        ch->prev->next = ch->next;
    else
        c->chains = ch->next;
    if (ch->next)
        ch->next->prev = ch->prev;
    c->n_chains--;
    c->inflight_bytes -= ch->in_charged;
    chain_put(ch);
    srv_conn_flow(c);
    srv_conn_maybe_free(c);
}

static void chain_walk(struct srv_chain *ch)
{
    struct srv_conn *c = ch->conn;
    struct smb2_chain_elem e;
    while (!c->closing && smb2_chain_next(&ch->walk, &e)) {
        if (ch->copy && ch->idx == 0) {
            e.msg = ch->in.p + ch->in_off;
            e.related = true;
        }
        ch->idx++;
        ntstatus_t st = STATUS_SUCCESS;
        if (!elem_begin(ch, &e, &st)) {
            req_release(&ch->req);
            srv_conn_close(c, "protocol violation");
            break;
        }
        if (nt_eq(st, STATUS_SIGNET_ASYNC))
            return; /* resumed by the pool, a wake-up or a cancel */
        if (!elem_end(ch, st)) {
            srv_conn_close(c, "protocol violation");
            break;
        }
    }
    chain_end(ch);
}

/* The element's handler finished later (after the pool, a wake-up or a
 * cancel) with st: end it and go on with the compound. */
static void chain_resume(struct srv_chain *ch, ntstatus_t st)
{
    if (nt_eq(st, STATUS_SIGNET_ASYNC))
        return;
    if (!elem_end(ch, st)) {
        srv_conn_close(ch->conn, "protocol violation");
        chain_end(ch);
        return;
    }
    chain_walk(ch);
}

void srv_engine_frame(struct srv_conn *c, struct buf *frame)
{
    srv_engine_frame_enc(c, frame, 0, NULL);
}

void srv_engine_frame_enc(struct srv_conn *c, struct buf *frame, size_t off,
                          struct srv_session *enc)
{
    struct srv_chain *ch = chain_get(c);
    if (!ch) {
        srv_conn_close(c, "out of memory");
        return;
    }
    ch->in_off = off;
    if (enc) {
        srv_session_ref(enc);
        ch->enc_sess = enc;
        srv_session_ref(enc);
        ch->seal_sess = enc; /* 3.3.4.1.4: the response to an encrypted request */
    }
    ch->in = *frame;
    *frame = spare_take(c->spare_in, &c->n_spare_in);
    ch->in_charged = ch->in.cap;
    c->inflight_bytes += ch->in_charged;
    ch->prev = NULL;
    ch->next = c->chains;
    if (c->chains)
        c->chains->prev = ch;
    c->chains = ch;
    c->n_chains++;
    if (!out_start(&ch->out)) {
        srv_conn_close(c, "out of memory");
        chain_end(ch);
        return;
    }
    const uint8_t *p = ch->in.p + off;
    size_t len = ch->in.len - off;
    /* A first element marked related is answered STATUS_INVALID_PARAMETER
     * (3.3.5.2.7.2, as Windows), not dropped: the chain is walked over a copy
     * with that flag cleared, the element itself verified as received. */
    if (len >= SMB2_HDR_SIZE && (le32_get(p + 16) & SMB2_FLAGS_RELATED_OPERATIONS) &&
        (ch->copy = malloc(len)) != NULL) {
        memcpy(ch->copy, p, len);
        le32_put(ch->copy + 16, le32_get(p + 16) & ~(uint32_t)SMB2_FLAGS_RELATED_OPERATIONS);
    }
    smb2_chain_init(&ch->walk, ch->copy ? ch->copy : p, len);
    chain_walk(ch);
}

/* ---- the pool ---- */

static void on_pool(uv_work_t *w)
{
    struct srv_req *r = w->data;
    /* the job only: see srv_engine.h "Threads" */
    r->wake_status = r->work(r->job, 0);
}

static void serial_start_next(struct srv_serial *q);

static void on_pool_done(uv_work_t *w, int status)
{
    struct srv_req *r = w->data;
    ntstatus_t st = status == 0 ? r->wake_status : STATUS_CANCELLED;
    r->state = SRV_REQ_RUNNING;
    if (r->serial) { /* the next job goes before done can free what holds the queue */
        struct srv_serial *q = r->serial;
        r->serial = NULL;
        serial_start_next(q);
    }
    chain_resume(r->chain, r->done(r, st));
}

ntstatus_t srv_req_run_pool(struct srv_req *r, srv_work_fn work, srv_done_fn done)
{
    r->work = work;
    r->done = done;
    r->uvw.data = r;
    r->state = SRV_REQ_DISK;
    if (uv_queue_work(r->conn->srv->loop, &r->uvw, on_pool, on_pool_done) != 0) {
        r->state = SRV_REQ_RUNNING;
        return done(r, STATUS_INSUFFICIENT_RESOURCES);
    }
    return STATUS_SIGNET_ASYNC;
}

/* r onto the pool as the one job of q running there. */
static ntstatus_t serial_pool(struct srv_req *r, struct srv_serial *q, srv_work_fn work,
                              srv_done_fn done)
{
    ntstatus_t st = srv_req_run_pool(r, work, done);
    if (nt_eq(st, STATUS_SIGNET_ASYNC)) {
        r->serial = q;
        q->busy = true;
    }
    return st;
}

/* The next queued job onto the pool; one that cannot be queued ends with
 * STATUS_INSUFFICIENT_RESOURCES and the one after it is tried. */
static void serial_start_next(struct srv_serial *q)
{
    q->busy = false;
    while (q->head && !q->busy) {
        struct srv_req *r = q->head;
        q->head = r->serial_next;
        if (!q->head)
            q->tail = NULL;
        r->serial_next = NULL;
        r->state = SRV_REQ_RUNNING;
        ntstatus_t st = serial_pool(r, q, r->work, r->done);
        if (!nt_eq(st, STATUS_SIGNET_ASYNC))
            chain_resume(r->chain, st);
    }
}

ntstatus_t srv_req_run_serial(struct srv_req *r, struct srv_serial *q, srv_work_fn work,
                              srv_done_fn done)
{
    if (!q->busy)
        return serial_pool(r, q, work, done);
    r->work = work;
    r->done = done;
    r->state = SRV_REQ_DISK; /* as good as on the pool: nothing cancels it */
    r->serial_next = NULL;
    if (q->tail)
        q->tail->serial_next = r;
    else
        q->head = r;
    q->tail = r;
    return STATUS_SIGNET_ASYNC;
}

ntstatus_t srv_req_run(struct srv_req *r, srv_work_fn work, srv_done_fn done)
{
    const struct srv_cmd *cmd = srv_cmd_lookup(r->hdr.command);
    if (cmd && cmd->where == SRV_TRY_INLINE) {
        ntstatus_t st = work(r->job, VFS_NOWAIT);
        if (!nt_eq(st, STATUS_SIGNET_WOULD_BLOCK))
            return done(r, st);
    }
    return srv_req_run_pool(r, work, done);
}

/* ---- pending requests ---- */

/* [MS-SMB2] 3.3.4.2: the request's header with STATUS_PENDING, the async
 * form with its AsyncId, the credits it was granted, an error body; not
 * signed, but sealed as its final response will be (3.3.4.1.4). */
static ntstatus_t send_interim(struct srv_req *r)
{
    uint8_t b[SRV_OUT_HDR + SMB2_HDR_SIZE + 9];
    struct smb2_hdr h = {.credit_charge = r->hdr.credit_charge,
                         .status = STATUS_PENDING.code,
                         .command = r->hdr.command,
                         .credit_request = r->granted,
                         .flags = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_ASYNC_COMMAND,
                         .message_id = r->hdr.message_id,
                         .async_id = r->async_id,
                         .session_id = r->rsp_session_id};
    struct wr w;
    wr_init(&w, b + SRV_OUT_HDR, sizeof b - SRV_OUT_HDR);
    (void)smb2_hdr_encode(&w, &h);
    struct smb2_error_rsp e = {0};
    ntstatus_t st = smb2_error_rsp_encode(&w, &e);
    if (!nt_ok(st))
        return st;
    struct srv_session *seal = seal_sess_for(r);
    size_t off = seal ? 0 : SRV_OUT_HDR - 4;
    if (seal)
        st = srv_seal(seal, b + SRV_OUT_HDR, wr_pos(&w));
    else
        smb2_frame_encode(b + off, (uint32_t)wr_pos(&w));
    struct buf out = BUF_INIT;
    if (nt_ok(st))
        st = buf_append(&out, b, SRV_OUT_HDR + wr_pos(&w));
    if (nt_ok(st))
        st = srv_conn_send_from(r->conn, &out, off);
    buf_free(&out);
    return st;
}

ntstatus_t srv_req_pend(struct srv_req *r, srv_done_fn done, srv_cancel_fn cancel)
{
    struct srv_conn *c = r->conn;
    struct srv_chain *ch = r->chain;
    if (c->n_pending >= SRV_MAX_ASYNC) {
        sg_log(SG_LOG_WARN,
               "conn %" PRIu64 " (%s): %u requests pending already: STATUS_INSUFFICIENT_RESOURCES",
               c->id, c->peer, c->n_pending);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (r->async_id) { /* waits again: its interim response went already */
        r->done = done;
        r->cancel = cancel;
        r->state = SRV_REQ_PENDING;
        c->n_pending++;
        return STATUS_SIGNET_ASYNC;
    }
    if (ch->n > 0) {
        /* The responses before it leave now, as their own frame. */
        if (!chain_send(ch))
            return STATUS_INTERNAL_ERROR;
        if (!reserve_rsp(ch, r))
            return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (++c->next_async_id == 0)
        c->next_async_id = 1;
    r->async_id = c->next_async_id;
    ntstatus_t st = send_interim(r);
    if (!nt_ok(st)) {
        r->async_id = 0;
        return st;
    }
    r->done = done;
    r->cancel = cancel;
    r->state = SRV_REQ_PENDING;
    c->n_pending++;
    return STATUS_SIGNET_ASYNC;
}

static void ready_push(struct srv_req *r)
{
    struct srv *s = r->conn->srv;
    r->ready_next = NULL;
    if (s->ready_tail)
        s->ready_tail->ready_next = r;
    else
        s->ready_head = r;
    s->ready_tail = r;
    if (s->ready_idle_open && !uv_is_active((uv_handle_t *)&s->ready_idle))
        uv_idle_start(&s->ready_idle, on_ready);
}

void srv_req_wake(struct srv_req *r, ntstatus_t st)
{
    if (r->state != SRV_REQ_PENDING)
        return;
    r->state = SRV_REQ_READY;
    r->cancel = NULL;
    r->cancelled = false;
    r->wake_status = st;
    r->conn->n_pending--;
    ready_push(r);
}

void srv_req_cancel(struct srv_req *r, enum srv_cancel_why why)
{
    if (r->state != SRV_REQ_PENDING)
        return;
    ntstatus_t st = r->cancel ? r->cancel(r, why) : STATUS_CANCELLED;
    r->state = SRV_REQ_READY;
    r->cancel = NULL;
    r->cancelled = true;
    r->wake_status = st;
    r->conn->n_pending--;
    ready_push(r);
}

static void on_ready(uv_idle_t *h)
{
    struct srv *s = h->data;
    struct srv_req *r;
    while ((r = s->ready_head) != NULL) {
        s->ready_head = r->ready_next;
        if (!s->ready_head)
            s->ready_tail = NULL;
        r->state = SRV_REQ_RUNNING;
        ntstatus_t st = r->done(r, r->wake_status); /* a cancel's status too */
        chain_resume(r->chain, st);
    }
    uv_idle_stop(h);
    if (s->shutting_down)
        srv_engine_close(s);
}

void srv_engine_init(struct srv *s)
{
    uv_idle_init(s->loop, &s->ready_idle);
    s->ready_idle.data = s;
    s->ready_idle_open = true;
}

void srv_engine_close(struct srv *s)
{
    if (s->ready_idle_open) {
        s->ready_idle_open = false;
        uv_close((uv_handle_t *)&s->ready_idle, NULL);
    }
}

void srv_conn_cancel_matching(struct srv_conn *c, const struct srv_open *o,
                              const struct srv_tree *t, const struct srv_session *s,
                              enum srv_cancel_why why)
{
    for (struct srv_chain *ch = c->chains; ch; ch = ch->next) {
        struct srv_req *r = &ch->req;
        if (r->state != SRV_REQ_PENDING)
            continue;
        if ((o && r->open != o) || (t && r->tree != t) || (s && r->sess != s))
            continue;
        srv_req_cancel(r, why);
    }
}

struct srv_req *srv_conn_find_req(struct srv_conn *c, bool async, uint64_t id)
{
    for (struct srv_chain *ch = c->chains; ch; ch = ch->next) {
        struct srv_req *r = &ch->req;
        if (r->state == SRV_REQ_IDLE || r->hdr.command == SMB2_CANCEL)
            continue; /* a CANCEL carries the MessageId of what it cancels */
        if (async ? r->async_id == id : r->hdr.message_id == id)
            return r;
    }
    return NULL;
}
