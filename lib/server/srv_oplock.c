/* Oplocks and leases (srv_oplock.h): granting, breaking, acknowledgments
 * and the break timeout. The rules follow [MS-FSA] 2.1.4.12 and 2.1.5.17
 * as Samba reads them (smbd's delay_for_oplock and grant_fsp_oplock_type),
 * which smbtorture's smb2.oplock and smb2.lease suites check:
 *
 *  - an open that only reads or writes attributes ("stat open") breaks
 *    nothing;
 *  - another client's open takes away W (and H, when it would otherwise
 *    be refused for sharing; R and H, when it overwrites), and waits while
 *    a break that takes away W or H is unanswered;
 *  - only one open (or one lease) may hold W; H is not granted next to an
 *    open without a lease, an oplock not next to a handle lease; nothing
 *    with R on a file with byte-range locks.
 *
 * A holder that cannot be told, a durable open whose connection went
 * (srv_durable.c), is not sent a break: it is closed instead (marked while
 * the lists are walked, closed by srv_durable_purge afterwards), as
 * Windows and Samba do (smbtorture durable-open.oplock, open2-lease).
 * The acknowledgments themselves (OPLOCK_BREAK) are srv_oplock_ack.c. */
#include "server/srv_int.h"

#include "base/endian.h"
#include "wire/create.h"
#include "wire/oplock_break.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define R SMB2_LEASE_READ
#define H SMB2_LEASE_HANDLE
#define W SMB2_LEASE_WRITE

/* ---- caching states ---- */

static uint32_t oplock_to_state(uint8_t level)
{
    switch (level) {
    case SMB2_OPLOCK_LEVEL_BATCH:
        return R | W | H;
    case SMB2_OPLOCK_LEVEL_EXCLUSIVE:
        return R | W;
    case SMB2_OPLOCK_LEVEL_II:
        return R;
    default:
        return 0;
    }
}

static uint8_t state_to_oplock(uint32_t s)
{
    if (s == (R | W | H))
        return SMB2_OPLOCK_LEVEL_BATCH;
    if (s == (R | W))
        return SMB2_OPLOCK_LEVEL_EXCLUSIVE;
    if (s & R)
        return SMB2_OPLOCK_LEVEL_II;
    return SMB2_OPLOCK_LEVEL_NONE;
}

/* [MS-SMB2] 2.2.13.2.8: R, RH, RW, RWH; anything else is nothing. */
static uint32_t valid_lease_state(uint32_t s)
{
    s &= R | W | H;
    return (s & R) ? s : 0;
}

/* Opens that touch no data break no oplock (Samba: is_oplock_stat_open)
 * and, with READ_CONTROL too, no lease (is_lease_stat_open). */
static bool oplock_stat_open(uint32_t access)
{
    return (access & ~(SYNCHRONIZE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES)) == 0;
}

static bool lease_stat_open(uint32_t access)
{
    return (access &
            ~(SYNCHRONIZE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | READ_CONTROL)) == 0;
}

static bool same_lease(const struct srv_lease *l, const struct srv_conn *c,
                       const struct srv_cache_req *req)
{
    return req && req->lease && memcmp(l->client_guid, c->client_guid, 16) == 0 &&
           memcmp(l->key, req->ctx.lease_key, 16) == 0;
}

/* ---- the break timer ---- */

static uint64_t now_ms(const struct srv *s)
{
    return uv_now(s->loop);
}

static void on_break_timer(uv_timer_t *t);

static void break_timer_arm(struct srv *s)
{
    if (s->break_timer_open && !uv_is_active((uv_handle_t *)&s->break_timer))
        uv_timer_start(&s->break_timer, on_break_timer, 1000, 1000);
}

static void breaking_add(struct srv *s, struct srv_open *o)
{
    o->bprev = NULL;
    o->bnext = s->breaking_opens;
    if (o->bnext)
        o->bnext->bprev = o;
    s->breaking_opens = o;
}

void srv_cache_breaking_done(struct srv *s, struct srv_open *o)
{
    if (!o->oplock_breaking)
        return;
    if (o->bprev)
        o->bprev->bnext = o->bnext;
    else
        s->breaking_opens = o->bnext;
    if (o->bnext)
        o->bnext->bprev = o->bprev;
    o->bnext = o->bprev = NULL;
    o->oplock_breaking = false;
}

/* ---- notifications ---- */

/* [MS-SMB2] 3.3.4.6 / 3.3.4.7: MessageId all ones, SessionId and TreeId 0,
 * not signed; an oplock break of an open whose session or tree encrypts is
 * sealed under that session (3.3.4.6, [ENC30]), as is one to a client
 * that encrypts its requests on it; a lease break, which
 * belongs to no session, never is. */
static void send_break(struct srv_conn *c, const struct smb2_break *b, struct srv_session *seal)
{
    if (!c || c->closing)
        return;
    uint8_t frame[SRV_OUT_HDR + SMB2_HDR_SIZE + 64];
    struct wr w;
    wr_init(&w, frame + SRV_OUT_HDR, sizeof frame - SRV_OUT_HDR);
    struct smb2_hdr h = {.command = SMB2_OPLOCK_BREAK,
                         .flags = SMB2_FLAGS_SERVER_TO_REDIR,
                         .message_id = UINT64_MAX};
    (void)smb2_hdr_encode(&w, &h);
    if (!nt_ok(smb2_oplock_break_encode(&w, b)))
        return;
    size_t off = seal ? 0 : SRV_OUT_HDR - 4;
    if (seal && !nt_ok(srv_seal(seal, frame + SRV_OUT_HDR, wr_pos(&w))))
        return;
    if (!seal)
        smb2_frame_encode(frame + off, (uint32_t)wr_pos(&w));
    struct buf out = BUF_INIT;
    if (nt_ok(buf_append(&out, frame, SRV_OUT_HDR + wr_pos(&w))))
        (void)srv_conn_send_from(c, &out, off);
    buf_free(&out);
}

/* The session an oplock break to o is sealed under, or NULL. */
static struct srv_session *break_seal_sess(const struct srv_open *o)
{
    if (!o->conn)
        return NULL;
    struct srv_session *s = srv_session_find(o->conn, o->session_id);
    if (!s || s->gone || s->enc_key.cipher == SMB2_CIPHER_NONE)
        return NULL;
    return s->encrypt_data || s->client_encrypts || (o->tree && o->tree->encrypt_data) ? s : NULL;
}

/* Where a lease's breaks go: a lease is the client's, not a connection's,
 * and like Samba we tell the client's oldest connection (smbtorture
 * smb2.lease.v2_complex1); without a ClientGuid to go by, the connection
 * of the lease's latest open. */
static struct srv_conn *lease_conn(const struct srv_lease *l)
{
    static const uint8_t zero[16];
    struct srv_conn *best = NULL;
    if (memcmp(l->client_guid, zero, 16) != 0)
        for (struct srv_conn *c = l->srv->conns; c; c = c->next)
            if (!c->closing && memcmp(c->client_guid, l->client_guid, 16) == 0 &&
                (!best || c->id < best->id))
                best = c;
    return best ? best : l->conn;
}

/* A break's first notification moves a v2 lease's epoch on; the steps
 * after an acknowledgment keep it (smbtorture smb2.lease.v2_breaking3). */
static void lease_notify(struct srv_lease *l, uint32_t to, bool ack, bool step)
{
    struct smb2_break b = {.kind = SMB2_BREAK_LEASE_NOTIFY};
    struct smb2_lease_break_notify *n = &b.u.lease_notify;
    if (l->version == 2)
        n->new_epoch = step ? l->epoch : ++l->epoch;
    n->flags = ack ? SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED : 0;
    memcpy(n->lease_key, l->key, 16);
    n->current_lease_state = l->state;
    n->new_lease_state = to;
    send_break(lease_conn(l), &b, NULL);
}

static void oplock_notify(struct srv_open *o, uint8_t level)
{
    struct smb2_break b = {.kind = SMB2_BREAK_OPLOCK};
    b.u.oplock =
        (struct smb2_oplock_break){.oplock_level = level, .file_id = {o->persistent_id, o->id}};
    send_break(o->conn, &b, break_seal_sess(o));
}

/* Can l's holder be told? Not when every open of it is disconnected. */
static bool lease_gone(const struct srv_lease *l)
{
    for (const struct srv_open *e = l->file->opens; e; e = e->fnext)
        if (e->lease == l && e->conn)
            return false;
    return true;
}

static void lease_doom(struct srv_lease *l)
{
    for (struct srv_open *e = l->file->opens; e; e = e->fnext)
        if (e->lease == l)
            srv_durable_doom(e);
}

/* Tell the holder of l to go to `to`: when that takes W or H away it must
 * answer (and what conflicts waits), else it is done at once. */
static void lease_send_break(struct srv *s, struct srv_lease *l, uint32_t to, bool step)
{
    bool ack = (l->state & ~to & (W | H)) != 0;
    lease_notify(l, to, ack, step);
    l->breaking = ack;
    if (!ack) {
        l->state = to;
        return;
    }
    l->breaking_to = to;
    l->break_deadline_ms = now_ms(s) + SRV_BREAK_TIMEOUT_MS;
    break_timer_arm(s);
}

/* Break a lease to `to`. One already breaking is not told again: what the
 * new conflict needs is kept and asked for once the holder answers. */
static void lease_break(struct srv *s, struct srv_lease *l, uint32_t to)
{
    to = valid_lease_state(to & l->state);
    if (to != l->state && lease_gone(l)) {
        lease_doom(l);
        return;
    }
    if (l->breaking) {
        l->breaking_to_required &= to;
        return;
    }
    if (to == l->state)
        return;
    l->breaking_to_required = to;
    lease_send_break(s, l, to, false);
}

/* Windows breaks in steps, keeping R until the last (smbtorture
 * smb2.lease.breaking3). */
void srv_cache_lease_acked(struct srv *s, struct srv_lease *l, uint32_t state)
{
    l->state = state;
    l->breaking = false;
    if (!(state & H))
        lease_doom(l); /* its disconnected opens are durable no longer */
    uint32_t need = l->breaking_to_required & state;
    if (need == state)
        return;
    if (state & ~R)
        need = valid_lease_state(need | R);
    lease_send_break(s, l, need, true);
}

/* Break an oplock to level II (to has R) or none. A level II oplock breaks
 * to none at once (3.3.4.6: no acknowledgment is expected). */
static void oplock_break(struct srv *s, struct srv_open *o, uint32_t to)
{
    uint8_t level = (to & R) ? SMB2_OPLOCK_LEVEL_II : SMB2_OPLOCK_LEVEL_NONE;
    if (!o->conn) {
        srv_durable_doom(o);
        return;
    }
    if (o->oplock_breaking) {
        if (level < o->oplock_break_to)
            o->oplock_break_to = level;
        return;
    }
    if (o->oplock_level == SMB2_OPLOCK_LEVEL_II) {
        if (level == SMB2_OPLOCK_LEVEL_NONE) {
            o->oplock_level = SMB2_OPLOCK_LEVEL_NONE;
            oplock_notify(o, level);
        }
        return;
    }
    oplock_notify(o, level);
    o->oplock_breaking = true;
    o->oplock_break_to = level;
    o->break_deadline_ms = now_ms(s) + SRV_BREAK_TIMEOUT_MS;
    breaking_add(s, o);
    break_timer_arm(s);
}

/* ---- a new open ---- */

void srv_cache_req_init(struct srv_req *r, const struct smb2_create_req *q, struct srv_cache_req *c)
{
    uint32_t d = q->create_disposition;
    *c = (struct srv_cache_req){.oplock_level = q->requested_oplock_level,
                                .overwrite = d == FILE_SUPERSEDE || d == FILE_OVERWRITE ||
                                             d == FILE_OVERWRITE_IF,
                                .delete_on_close = (q->create_options & FILE_DELETE_ON_CLOSE) != 0};
    const struct cfg_share *sh = r->tree->share;
    if (!sh->oplocks) {
        c->oplock_level = SMB2_OPLOCK_LEVEL_NONE;
        return;
    }
    if (c->oplock_level != SMB2_OPLOCK_LEVEL_LEASE)
        return;
    struct smb2_create_ctx ctx;
    bool leasing = r->conn->dialect >= SMB2_DIALECT_0210 && r->conn->cfg->cfg.server.smb2_leases;
    c->oplock_level = SMB2_OPLOCK_LEVEL_NONE;
    if (leasing &&
        nt_ok(smb2_create_ctx_find(q->create_contexts, q->create_contexts_len,
                                   SMB2_CREATE_REQUEST_LEASE, 4, &ctx)) &&
        nt_ok(smb2_ctx_lease_decode(&ctx, &c->ctx))) {
        if (c->ctx.version == 2 && r->conn->dialect < SMB2_DIALECT_0300)
            c->ctx.version = 1; /* 2.1 knows only the first version */
        c->lease = true;
        c->oplock_level = SMB2_OPLOCK_LEVEL_LEASE;
    }
}

struct break_scan {
    uint32_t delay_mask;
    bool will_overwrite, first_attempt, delay;
};

/* One holder's caching against the new open (delay_for_oplock_fn). */
static void scan_holder(struct srv *s, struct break_scan *b, struct srv_lease *l,
                        struct srv_open *o)
{
    uint32_t have = l ? l->state : oplock_to_state(o->oplock_level);
    bool breaking = l ? l->breaking : o->oplock_breaking;
    uint32_t to = have & ~b->delay_mask;
    if (b->will_overwrite)
        to &= ~(H | R);
    if ((have & ~to) == 0) {
        b->delay |= breaking;
        return;
    }
    if (b->will_overwrite)
        to &= ~(R | W);
    if (l)
        lease_break(s, l, to);
    else
        oplock_break(s, o, to & ~(H | W));
    if (have & b->delay_mask)
        b->delay = true;
    if (breaking && !b->first_attempt)
        b->delay = true;
}

/* 3.3.5.9.8: a key names one file for a client. */
static bool key_elsewhere(const struct srv *s, const struct srv_conn *c,
                          const struct srv_cache_req *req, const struct srv_file *f)
{
    for (const struct srv_lease *l = s->leases; l; l = l->snext)
        if (l->file != f && same_lease(l, c, req))
            return true;
    return false;
}

static ntstatus_t before_open(struct srv_req *r, struct srv_file *f, const struct srv_cache_req *c,
                              uint32_t access, uint32_t share_access, bool first_attempt)
{
    struct srv *s = r->conn->srv;
    if (c->lease && key_elsewhere(s, r->conn, c, f))
        return STATUS_INVALID_PARAMETER;
    bool violation = !nt_ok(srv_file_share_check(f, access, share_access));
    struct break_scan b = {.delay_mask = violation ? H : W,
                           .will_overwrite = c->overwrite,
                           .first_attempt = first_attempt};
    if (c->overwrite)
        access |= FILE_WRITE_DATA; /* truncation touches data: no stat open */
    if (!oplock_stat_open(access)) {
        for (struct srv_lease *l = f->leases; l; l = l->next)
            if (!same_lease(l, r->conn, c) && !lease_stat_open(access))
                scan_holder(s, &b, l, NULL);
        for (struct srv_open *o = f->opens; o; o = o->fnext)
            if (!o->lease && o->oplock_level != SMB2_OPLOCK_LEVEL_NONE)
                scan_holder(s, &b, NULL, o);
    }
    if (c->delete_on_close) /* cached handles would keep the file from going */
        for (struct srv_lease *l = f->leases; l; l = l->next)
            if (!same_lease(l, r->conn, c) && (l->state & H)) {
                lease_break(s, l, l->state & ~H);
                b.delay |= l->breaking;
            }
    if (b.delay)
        return STATUS_RETRY;
    return violation ? STATUS_SHARING_VIOLATION : STATUS_SUCCESS;
}

ntstatus_t srv_cache_before_open(struct srv_req *r, struct srv_file *f,
                                 const struct srv_cache_req *c, uint32_t access,
                                 uint32_t share_access, bool first_attempt)
{
    /* disconnected holders in the way were closed: look again without them */
    ntstatus_t st;
    do
        st = before_open(r, f, c, access, share_access, first_attempt);
    while (srv_durable_purge(r->conn->srv));
    return st;
}

/* ---- granting ---- */

static struct srv_lease *lease_find(struct srv_file *f, const struct srv_conn *c,
                                    const struct srv_cache_req *req)
{
    for (struct srv_lease *l = f->leases; l; l = l->next)
        if (same_lease(l, c, req))
            return l;
    return NULL;
}

static struct srv_lease *lease_new(struct srv *s, struct srv_open *o, const struct srv_cache_req *c,
                                   uint32_t state)
{
    struct srv_lease *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->srv = s;
    l->file = o->file;
    srv_file_ref(l->file);
    memcpy(l->client_guid, o->conn->client_guid, 16);
    memcpy(l->key, c->ctx.lease_key, 16);
    l->version = c->ctx.version;
    l->has_parent =
        c->ctx.version == 2 && (c->ctx.lease_flags & SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET);
    if (l->has_parent)
        memcpy(l->parent_key, c->ctx.parent_lease_key, 16);
    l->state = state;
    l->epoch = (uint16_t)(c->ctx.epoch + 1); /* as Samba: the client's epoch, moved on */
    l->next = o->file->leases;
    o->file->leases = l;
    l->snext = s->leases;
    if (l->snext)
        l->snext->sprev = l;
    s->leases = l;
    return l;
}

/* What the other opens of the file allow (grant_fsp_oplock_type). */
static uint32_t allowed(const struct srv_open *o, const struct srv_cache_req *c, uint32_t want,
                        bool *handle_lease, bool *non_lease)
{
    const struct srv_file *f = o->file;
    *handle_lease = *non_lease = false;
    if (f->nlocks > 0)
        want &= ~R; /* byte-range locks: no read caching */
    for (const struct srv_open *e = f->opens; e; e = e->fnext) {
        if (e == o ||
            (!e->lease && e->oplock_level == SMB2_OPLOCK_LEVEL_NONE && lease_stat_open(e->access)))
            continue; /* a stat open holds nothing back (smbtorture smb2.lease.statopen3) */
        bool same = e->lease && same_lease(e->lease, o->conn, c);
        if (!same)
            want &= ~W; /* one writer */
        uint32_t es = e->lease ? e->lease->state : oplock_to_state(e->oplock_level);
        *handle_lease |= e->lease && (es & H);
        *non_lease |= !e->lease;
    }
    return want;
}

ntstatus_t srv_cache_grant(struct srv_req *r, struct srv_open *o, const struct srv_cache_req *c,
                           struct srv_cache_grant *g)
{
    *g = (struct srv_cache_grant){.oplock_level = SMB2_OPLOCK_LEVEL_NONE};
    uint32_t want =
        c->lease ? valid_lease_state(c->ctx.lease_state) : oplock_to_state(c->oplock_level);
    if (c->lease && want == (W | H))
        want = 0;
    if (o->is_dir)
        want = 0; /* no oplocks on directories, and no directory leasing */
    if (o->is_dir && c->lease)
        return STATUS_SUCCESS; /* no directory leasing: no lease, no context */
    bool handle_lease, non_lease;
    uint32_t asked = want;
    want = allowed(o, c, want, &handle_lease, &non_lease);
    if ((want & R) && !(want & W) && !r->tree->share->level2_oplocks)
        want = 0;
    if (!c->lease) {
        /* a stat open, which breaks nothing, is cached only alone
         * (smbtorture smb2.oplock.batch8, batch9a) */
        if (handle_lease || (!c->overwrite && oplock_stat_open(o->access) && o->file->n_opens > 1))
            want = 0;
        o->oplock_level = state_to_oplock(want);
        g->oplock_level = o->oplock_level;
        return STATUS_SUCCESS;
    }
    if (non_lease)
        want &= ~H;
    bool whole = want == asked; /* an upgrade is all or nothing */
    struct srv *s = r->conn->srv;
    struct srv_lease *l = lease_find(o->file, r->conn, c);
    if (!l && !(l = lease_new(s, o, c, want)))
        return STATUS_INSUFFICIENT_RESOURCES;
    else if (!l->breaking && whole && (want & l->state) == l->state && want != l->state) {
        l->state = want; /* an upgrade: the new state holds the old one */
        if (l->version == 2)
            l->epoch++;
    }
    l->refs++;
    l->conn = r->conn;
    o->lease = l;
    o->oplock_level = SMB2_OPLOCK_LEVEL_LEASE;
    srv_cache_describe(o, g);
    return STATUS_SUCCESS;
}

void srv_cache_describe(const struct srv_open *o, struct srv_cache_grant *g)
{
    *g = (struct srv_cache_grant){.oplock_level = o->oplock_level};
    const struct srv_lease *l = o->lease;
    if (!l)
        return;
    g->lease = true;
    g->ctx = (struct smb2_ctx_lease){.version = l->version,
                                     .lease_state = l->state,
                                     .lease_flags =
                                         (l->breaking ? SMB2_LEASE_FLAG_BREAK_IN_PROGRESS : 0) |
                                         (l->has_parent ? SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET : 0),
                                     .epoch = l->epoch};
    memcpy(g->ctx.lease_key, l->key, 16);
    memcpy(g->ctx.parent_lease_key, l->parent_key, 16);
}

uint32_t srv_cache_held(const struct srv_open *o, bool *breaking)
{
    if (o->lease) {
        *breaking = o->lease->breaking;
        return o->lease->state;
    }
    *breaking = o->oplock_breaking;
    return oplock_to_state(o->oplock_level);
}

/* The connection a lease's breaks go to when no client GUID names one:
 * one of its connected opens', if any. */
static void lease_route(struct srv_lease *l, const struct srv_open *except)
{
    l->conn = NULL;
    for (const struct srv_open *e = l->file->opens; e; e = e->fnext)
        if (e != except && e->lease == l && e->conn)
            l->conn = e->conn;
}

void srv_cache_detached(struct srv_open *o, const struct srv_conn *was)
{
    if (o->lease && o->lease->conn == was)
        lease_route(o->lease, o);
}

void srv_cache_reattached(struct srv_open *o)
{
    if (o->lease)
        o->lease->conn = o->conn;
}

/* ---- an open goes, a break is answered ---- */

static void waiter_remove(struct srv_req *r)
{
    struct srv_file *f = r->wait_file;
    if (r->wait_prev)
        r->wait_prev->wait_next = r->wait_next;
    else
        f->break_waiters = r->wait_next;
    if (r->wait_next)
        r->wait_next->wait_prev = r->wait_prev;
    r->wait_next = r->wait_prev = NULL;
    r->wait_file = NULL;
    f->n_break_waiters--;
}

static ntstatus_t waiter_cancel(struct srv_req *r, enum srv_cancel_why why)
{
    waiter_remove(r);
    switch (why) {
    case SRV_CANCEL_REQUEST:
        return STATUS_CANCELLED;
    case SRV_CANCEL_CLOSE:
        return STATUS_FILE_CLOSED; /* a rename whose handle was closed */
    case SRV_CANCEL_TREE:
        return STATUS_NETWORK_NAME_DELETED;
    default:
        return STATUS_USER_SESSION_DELETED;
    }
}

ntstatus_t srv_cache_wait(struct srv_req *r, struct srv_file *f, srv_done_fn done)
{
    ntstatus_t st = srv_req_pend(r, done, waiter_cancel);
    if (!nt_eq(st, STATUS_SIGNET_ASYNC))
        return st;
    r->wait_next = NULL;
    r->wait_prev = NULL;
    r->wait_file = f;
    struct srv_req **tail = &f->break_waiters;
    while (*tail) {
        r->wait_prev = *tail;
        tail = &(*tail)->wait_next;
    }
    *tail = r;
    f->n_break_waiters++;
    return st;
}

void srv_cache_wake(struct srv_file *f)
{
    while (f->break_waiters) {
        struct srv_req *r = f->break_waiters;
        waiter_remove(r);
        srv_req_wake(r, STATUS_SUCCESS);
    }
}

void srv_cache_before_delete(struct srv_open *o)
{
    for (struct srv_lease *l = o->file->leases; l; l = l->next)
        if (l != o->lease && (l->state & H))
            lease_break(o->srv, l, l->state & ~H);
    (void)srv_durable_purge(o->srv);
}

ntstatus_t srv_cache_before_rename(struct srv_open *o)
{
    struct srv *s = o->srv;
    bool wait = false;
    for (struct srv_lease *l = o->file->leases; l; l = l->next) {
        if (l == o->lease)
            continue;
        if (l->state & H)
            lease_break(s, l, l->state & ~H);
        wait |= l->breaking;
    }
    (void)srv_durable_purge(s);
    return wait ? STATUS_RETRY : STATUS_SUCCESS;
}

static void lease_free(struct srv *s, struct srv_lease *l)
{
    struct srv_lease **p = &l->file->leases;
    while (*p != l)
        p = &(*p)->next;
    *p = l->next;
    if (l->sprev)
        l->sprev->snext = l->snext;
    else
        s->leases = l->snext;
    if (l->snext)
        l->snext->sprev = l->sprev;
    srv_file_unref(s, l->file);
    free(l);
}

void srv_cache_open_gone(struct srv_open *o)
{
    struct srv *s = o->srv;
    struct srv_file *f = o->file;
    bool was_breaking = o->oplock_breaking;
    srv_cache_breaking_done(s, o);
    o->oplock_level = SMB2_OPLOCK_LEVEL_NONE;
    struct srv_lease *l = o->lease;
    o->lease = NULL;
    if (l) {
        was_breaking |= l->breaking;
        if (l->conn == o->conn) /* its breaks go to another open's connection */
            lease_route(l, o);
        if (--l->refs == 0)
            lease_free(s, l);
    }
    if (was_breaking || f->n_break_waiters)
        srv_cache_wake(f);
}

void srv_cache_contend(struct srv_open *o)
{
    struct srv *s = o->srv;
    struct srv_file *f = o->file;
    for (struct srv_lease *l = f->leases; l; l = l->next)
        if (l != o->lease && (l->state & R) && !(l->state & W))
            lease_break(s, l, 0);
    /* a level II oplock breaks even when its own open writes (smbtorture
     * smb2.oplock.batch1, as Windows and Samba) */
    for (struct srv_open *e = f->opens; e; e = e->fnext)
        if (!e->lease && e->oplock_level == SMB2_OPLOCK_LEVEL_II)
            oplock_break(s, e, 0);
    (void)srv_durable_purge(s);
}

static void on_break_timer(uv_timer_t *t)
{
    struct srv *s = t->data;
    uint64_t now = now_ms(s);
    bool any = false;
    for (struct srv_open *o = s->breaking_opens, *next; o; o = next) {
        next = o->bnext;
        if (now < o->break_deadline_ms) {
            any = true;
            continue;
        }
        sg_log(SG_LOG_INFO, "conn %" PRIu64 ": oplock break of open 0x%" PRIx64 " timed out",
               o->conn ? o->conn->id : 0, o->id);
        o->oplock_level = SMB2_OPLOCK_LEVEL_NONE; /* [MS-SMB2] 3.3.2.1 */
        srv_cache_breaking_done(s, o);
        srv_cache_wake(o->file);
    }
    for (struct srv_lease *l = s->leases; l; l = l->snext) {
        if (!l->breaking)
            continue;
        if (now < l->break_deadline_ms) {
            any = true;
            continue;
        }
        /* [MS-SMB2] 3.3.2.5: the lease is gone to none */
        sg_log(SG_LOG_INFO, "lease break timed out: the lease is broken to none");
        l->state = 0;
        l->breaking = false;
        lease_doom(l); /* its disconnected opens are durable no longer */
        srv_cache_wake(l->file);
    }
    if (!any)
        uv_timer_stop(t);
    (void)srv_durable_purge(s);
}

void srv_oplock_init(struct srv *s)
{
    uv_timer_init(s->loop, &s->break_timer);
    s->break_timer.data = s;
    s->break_timer_open = true;
}

void srv_oplock_close(struct srv *s)
{
    if (s->break_timer_open) {
        s->break_timer_open = false;
        uv_close((uv_handle_t *)&s->break_timer, NULL);
    }
}
