/* A connection's lifecycle: Direct TCP framing in ([MS-SMB2] 2.1), each
 * frame handed to the request engine (srv_engine.c), responses written with
 * uv_write, flow control, timers against peers that stall, and teardown.
 *
 *   accept -> [4-byte header -> frame -> engine]* -> close -> (chains done) -> free
 *
 * Reads land directly in the Direct TCP header or the frame buffer; the
 * engine takes the frame buffer and gives back a spare one, so a warm
 * connection allocates nothing to read. A bad header, a frame over the
 * limit, anything but SMB2 (or the one SMB1 NEGOTIATE) is a disconnect.
 * The connection keeps reading while earlier requests wait on the disk or
 * an event, within its budget (srv_conn_flow). */
#include "server/srv_int.h"

#include "base/endian.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMER_PERIOD_MS  1000u
#define STALLED_FRAME_MS (60u * 1000) /* before logon: the whole frame; after: a stall */
#define NBSS_KEEPALIVE   0x85

struct srv_write {
    uv_write_t req;
    struct srv_conn *c;
    struct buf b;
    size_t off; /* the frame starts here */
};

static void conn_free(struct srv_conn *c)
{
    srv_ghosts_free(c);
    srv_opens_free(c);
    srv_engine_conn_free(c);
    buf_free(&c->frame);
    if (c->cfg && --c->cfg->refs == 0)
        free(c->cfg);
    free(c);
}

/* Freed once closed, its handles closed and its last chain done. */
void srv_conn_maybe_free(struct srv_conn *c)
{
    if (c->closing && c->handles_open == 0 && c->n_chains == 0)
        conn_free(c);
}

static void on_handle_closed(uv_handle_t *h)
{
    struct srv_conn *c = h->data;
    c->handles_open--;
    srv_conn_maybe_free(c);
}

/* The sessions go with the connection ([MS-SMB2] 3.3.7.1): their trees and
 * opens are closed, what waits on them cancelled. */
static void drop_sessions(struct srv_conn *c)
{
    srv_conn_cancel_matching(c, NULL, NULL, NULL, SRV_CANCEL_CONN);
    while (c->sessions)
        srv_session_retire(c, c->sessions);
    srv_ghosts_free(c);
}

/* A response held back: InvalidAuthenticationDelayTimeInMs after a failed
 * logon (Windows' authentication rate limiter). While it is held the
 * connection is not read (srv_conn_flow): the peer cannot pipeline its next
 * guess behind it, and what it sends meanwhile waits in the sockets' own
 * bounded buffers, not in ours. So a connection holds at most one such
 * response, its bytes count in the connection's output budget
 * (write_bytes), and the server holds at most SRV_MAX_HELD_LOGON_FAILS of them. */
struct srv_delayed {
    uv_timer_t timer;
    struct srv_conn *c;
    struct buf b;
    size_t off;
};

static void on_delayed_closed(uv_handle_t *h)
{
    struct srv_delayed *d = h->data;
    struct srv_conn *c = d->c;
    buf_free(&d->b);
    free(d);
    c->handles_open--;
    srv_conn_maybe_free(c);
}

/* The held response goes: sent when send, else dropped. O(1). */
static void release_delayed(struct srv_conn *c, bool send)
{
    struct srv_delayed *d = c->delayed;
    c->delayed = NULL;
    c->write_bytes -= d->b.len;
    c->srv->write_bytes -= d->b.len;
    c->srv->n_held--;
    uv_timer_stop(&d->timer);
    if (send && !c->closing)
        (void)srv_conn_send_from(c, &d->b, d->off);
    uv_close((uv_handle_t *)&d->timer, on_delayed_closed);
}

static void on_delay_done(uv_timer_t *t)
{
    struct srv_delayed *d = t->data;
    struct srv_conn *c = d->c;
    release_delayed(c, true);
    srv_conn_flow(c); /* read again */
}

ntstatus_t srv_conn_send_later(struct srv_conn *c, struct buf *frame, size_t off, unsigned ms)
{
    if (c->delayed || c->srv->n_held >= SRV_MAX_HELD_LOGON_FAILS) {
        /* Not reached by a peer that waits for its answers: reading stops
         * behind the first failed logon. */
        srv_conn_close(c, c->delayed ? "a second failed logon while one is held"
                                     : "too many failed logons held server-wide");
        return STATUS_CONNECTION_DISCONNECTED;
    }
    struct srv_delayed *d = calloc(1, sizeof *d);
    if (!d)
        return srv_conn_send_from(c, frame, off);
    d->c = c;
    d->b = *frame;
    d->off = off;
    *frame = (struct buf)BUF_INIT;
    uv_timer_init(c->srv->loop, &d->timer);
    d->timer.data = d;
    c->handles_open++;
    c->delayed = d;
    c->write_bytes += d->b.len;
    c->srv->write_bytes += d->b.len;
    c->srv->n_held++;
    uv_timer_start(&d->timer, on_delay_done, ms, 0);
    srv_conn_flow(c); /* stop reading */
    return STATUS_SUCCESS;
}

/* ---- connections without a valid session ---- */

static void unauth_unlink(struct srv_conn *c)
{
    if (!c->unauth)
        return;
    struct srv *s = c->srv;
    c->unauth = false;
    if (c->unauth_prev)
        c->unauth_prev->unauth_next = c->unauth_next;
    else
        s->unauth_head = c->unauth_next;
    if (c->unauth_next)
        c->unauth_next->unauth_prev = c->unauth_prev;
    else
        s->unauth_tail = c->unauth_prev;
    c->unauth_next = c->unauth_prev = NULL;
    s->n_unauth--;
}

void srv_conn_authenticated(struct srv_conn *c)
{
    unauth_unlink(c);
}

static bool same_addr(const struct srv_conn *a, const char *addr)
{
    char other[sizeof a->peer];
    srv_peer_addr(a, other, sizeof other);
    return strcmp(other, addr) == 0;
}

bool srv_conn_admit(struct srv_conn *c)
{
    struct srv *s = c->srv;
    const struct cfg_server *cs = &c->cfg->cfg.server;
    char addr[sizeof c->peer];
    srv_peer_addr(c, addr, sizeof addr);
    /* The per-address cap keeps one address from crowding others out, so it
     * applies only while more than half the server-wide room is taken and
     * other addresses hold some of it: a burst of honest logons from one
     * address (a terminal server, an office behind NAT; soak_bench.sh's 200
     * sessions) is let in, and the server-wide cap below, oldest first,
     * still bounds it. */
    unsigned from_addr = 0, others = 0; /* a short list: at most max_unauth_conns */
    if (s->n_unauth > cs->max_unauth_conns / 2)
        for (const struct srv_conn *o = s->unauth_head; o; o = o->unauth_next)
            if (o != c) {
                bool same = same_addr(o, addr);
                from_addr += same;
                others += !same;
            }
    if (others > 0 && from_addr >= cs->max_unauth_conns_per_addr) {
        if (srv_ratelog_allow(&s->log_refused, uv_now(s->loop), "refused connections"))
            sg_log(SG_LOG_WARN,
                   "conn %" PRIu64 " (%s): refused: %u connections from %s not logged on yet "
                   "(max unauthenticated connections per address)",
                   c->id, c->peer, from_addr, addr);
        srv_conn_close(c, "max unauthenticated connections per address");
        return false;
    }
    /* Server-wide the oldest goes: an attacker's idle connections, not the
     * client that has just come and is about to log on. */
    while (s->n_unauth > cs->max_unauth_conns && s->unauth_tail && s->unauth_tail != c) {
        struct srv_conn *old = s->unauth_tail;
        if (srv_ratelog_allow(&s->log_refused, uv_now(s->loop), "refused connections"))
            sg_log(SG_LOG_WARN,
                   "conn %" PRIu64 " (%s): dropped, the oldest of %u connections not logged on "
                   "yet (max unauthenticated connections)",
                   old->id, old->peer, s->n_unauth);
        srv_conn_close(old, "max unauthenticated connections");
    }
    return true;
}

void srv_conn_close(struct srv_conn *c, const char *why)
{
    if (c->closing)
        return;
    c->closing = true;
    sg_log(SG_LOG_INFO, "conn %" PRIu64 " (%s): closed: %s", c->id, c->peer, why);
    struct srv *s = c->srv;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->n_conns--;
    unauth_unlink(c);
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
    if (c->delayed)
        release_delayed(c, false);
    if (c->h.handle.type != UV_UNKNOWN_HANDLE && !uv_is_closing(&c->h.handle))
        uv_close(&c->h.handle, on_handle_closed);
    drop_sessions(c);
}

/* ---- writing ---- */

static void on_write(uv_write_t *req, int status)
{
    struct srv_write *w = (struct srv_write *)req;
    struct srv_conn *c = w->c;
    c->write_bytes -= w->b.len;
    c->srv->write_bytes -= w->b.len;
    c->n_writes--;
    c->write_progress_ms = uv_now(c->srv->loop);
    srv_engine_spare_out(c, &w->b); /* the next response is built in it */
    free(w);
    if (status < 0) {
        srv_conn_close(c, uv_strerror(status));
        return;
    }
    srv_conn_flow(c);
}

/* Is the server's total of unwritten responses over `max buffered output`
 * (or, with half, back under it)? Only a connection that holds more than
 * its fair share is then paused: the slow readers, never the others. */
static bool total_over(const struct srv_conn *c, size_t factor_half)
{
    size_t max = (size_t)c->cfg->cfg.server.max_buffered_output_mib * 1024 * 1024;
    return c->srv->write_bytes > (factor_half ? max / 2 : max) &&
           c->write_bytes > (factor_half ? SRV_WRITE_FAIR_SHARE / 2 : SRV_WRITE_FAIR_SHARE);
}

/* Flow control: stop reading while the peer does not read its responses
 * (its own 32 MiB, or its part of the server's total), or while too many
 * of its frames (or too many bytes of them) are being worked on, or while a
 * failed logon's answer is held; read again once below half of it (and the
 * answer sent). A paused connection has writes under way, whose completion
 * looks again. */
void srv_conn_flow(struct srv_conn *c)
{
    if (c->closing)
        return;
    unsigned working = c->n_chains - c->n_pending;
    bool over = c->write_bytes > SRV_WRITE_HIGH_WATER || working >= SRV_MAX_INFLIGHT ||
                c->inflight_bytes > SRV_INFLIGHT_BYTES || c->delayed || total_over(c, 0);
    bool under = c->write_bytes < SRV_WRITE_HIGH_WATER / 2 && working < SRV_MAX_INFLIGHT / 2 &&
                 c->inflight_bytes < SRV_INFLIGHT_BYTES / 2 && !c->delayed && !total_over(c, 1);
    if (over && !c->read_paused) {
        c->read_paused = true;
        uv_read_stop(&c->h.stream);
    } else if (under && c->read_paused) {
        c->read_paused = false;
        srv_conn_start(c);
    }
}

/* Takes the buffer (frame->p is NULL afterwards). */
ntstatus_t srv_conn_send(struct srv_conn *c, struct buf *frame)
{
    return srv_conn_send_from(c, frame, 0);
}

ntstatus_t srv_conn_send_from(struct srv_conn *c, struct buf *frame, size_t off)
{
    struct srv_write *w = calloc(1, sizeof *w);
    if (!w || c->closing || off > frame->len) {
        free(w);
        return STATUS_CONNECTION_DISCONNECTED;
    }
    w->c = c;
    w->b = *frame;
    w->off = off;
    *frame = (struct buf)BUF_INIT;
    uv_buf_t ub = uv_buf_init((char *)w->b.p + off, (unsigned)(w->b.len - off));
    if (c->n_writes++ == 0)
        c->write_progress_ms = uv_now(c->srv->loop);
    c->write_bytes += w->b.len;
    c->srv->write_bytes += w->b.len;
    int rc = uv_write(&w->req, &c->h.stream, &ub, 1, on_write);
    if (rc < 0) {
        c->n_writes--;
        c->write_bytes -= w->b.len;
        c->srv->write_bytes -= w->b.len;
        buf_free(&w->b);
        free(w);
        srv_conn_close(c, uv_strerror(rc));
        return STATUS_CONNECTION_DISCONNECTED;
    }
    srv_conn_flow(c);
    return STATUS_SUCCESS;
}

/* ---- reading ---- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)suggested;
    struct srv_conn *c = h->data;
    if (c->in_frame)
        *b =
            uv_buf_init((char *)c->frame.p + c->frame_got, (unsigned)(c->frame.len - c->frame_got));
    else
        *b = uv_buf_init((char *)c->nbss + c->nbss_got, (unsigned)(4 - c->nbss_got));
}

static bool has_valid_session(const struct srv_conn *c)
{
    for (const struct srv_session *s = c->sessions; s; s = s->next)
        if (s->state == SRV_SESS_VALID)
            return true;
    return false;
}

static bool handle_frame(struct srv_conn *c)
{
    const uint8_t *p = c->frame.p;
    size_t len = c->frame.len;
    if (len < 4)
        return false;
    uint32_t pid = le32_get(p);
    if (pid == SMB2_PROTOCOL_ID) {
        srv_engine_frame(c, &c->frame);
        return true;
    }
    if (pid == SMB1_PROTOCOL_ID && c->dialect == 0)
        return srv_smb1_negotiate(c, p, len);
    if (pid == SMB2_TRANSFORM_ID && c->cipher != SMB2_CIPHER_NONE)
        return srv_unseal_frame(c, &c->frame);
    /* TRANSFORM without a cipher, COMPRESSION, SMB1 later, junk */
    return false;
}

/* The 4-byte header is complete: size the frame or reject it (2.1). */
static bool start_frame(struct srv_conn *c)
{
    c->nbss_got = 0;
    if (c->nbss[0] == NBSS_KEEPALIVE && be32_get(c->nbss) == (uint32_t)NBSS_KEEPALIVE << 24)
        return true; /* NetBIOS session keep-alive, no payload */
    uint32_t max = has_valid_session(c) ? SMB2_MAX_FRAME : SRV_PREAUTH_FRAME_MAX;
    uint32_t len = 0;
    if (!nt_ok(smb2_frame_decode(c->nbss, max, &len)))
        return false;
    buf_reset(&c->frame);
    if (!nt_ok(srv_buf_grow(c, &c->frame, len)))
        return false;
    c->frame.len = len;
    c->frame_got = 0;
    c->in_frame = true;
    return true;
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    (void)b;
    struct srv_conn *c = st->data;
    if (nread < 0) {
        srv_conn_close(c, nread == UV_EOF ? "peer closed" : uv_strerror((int)nread));
        return;
    }
    if (nread == 0 || c->closing)
        return;
    c->last_read_ms = uv_now(c->srv->loop);
    if (!c->in_frame) {
        if (c->nbss_got == 0)
            c->frame_start_ms = c->last_read_ms;
        c->nbss_got += (size_t)nread;
        if (c->nbss_got == 4 && !start_frame(c))
            srv_conn_close(c, "bad Direct TCP header or frame too large");
        return;
    }
    c->frame_got += (size_t)nread;
    if (c->frame_got < c->frame.len)
        return;
    c->in_frame = false;
    c->last_frame_ms = c->last_read_ms;
    c->srv->frames_in++;
    if (!handle_frame(c))
        srv_conn_close(c, "protocol violation");
}

/* ---- timers ---- */

/* In-progress sessions whose SESSION_SETUP exchange took longer than
 * `logon timeout` go, as a failed logon's would. */
static void expire_logons(struct srv_conn *c, uint64_t now, uint64_t limit)
{
    struct srv_session *s = c->sessions;
    while (s) {
        struct srv_session *next = s->next;
        if (s->state == SRV_SESS_IN_PROGRESS && now - s->created_ms > limit) {
            sg_log(SG_LOG_INFO,
                   "conn %" PRIu64 " (%s): session 0x%016" PRIx64
                   ": SESSION_SETUP not finished in %" PRIu64 " s (logon timeout)",
                   c->id, c->peer, s->id, limit / 1000);
            srv_session_retire(c, s);
        }
        s = next;
    }
}

/* Every state has a deadline (signetd(8) "Timeouts"). */
static void on_timer(uv_timer_t *t)
{
    struct srv_conn *c = t->data;
    const struct cfg_server *cs = &c->cfg->cfg.server;
    uint64_t now = uv_now(c->srv->loop);
    uint64_t logon_ms = (uint64_t)cs->logon_timeout_s * 1000;
    bool valid = has_valid_session(c);
    if (valid)
        c->unauth_since_ms = now;
    /* a large answer written bit by bit to a slow link is progress too */
    size_t queued = uv_stream_get_write_queue_size(&c->h.stream);
    if (queued != c->write_queued) {
        c->write_queued = queued;
        c->write_progress_ms = now;
    }
    if (c->dialect == 0 && now - c->accepted_ms > (uint64_t)cs->negotiate_timeout_s * 1000)
        srv_conn_close(c, "no NEGOTIATE in time (negotiate timeout)");
    else if (!valid && now - c->unauth_since_ms > logon_ms)
        srv_conn_close(c, "no logon in time (logon timeout)");
    else if ((c->in_frame || c->nbss_got) &&
             now - (valid ? c->last_read_ms : c->frame_start_ms) > STALLED_FRAME_MS)
        srv_conn_close(c, valid ? "frame stalled" : "frame not received in time");
    else if (c->n_writes && now - c->write_progress_ms > (uint64_t)cs->send_timeout_s * 1000)
        srv_conn_close(c, "the peer does not read its responses (send timeout)");
    else if (c->n_sessions == 0 && now - c->last_frame_ms > SRV_IDLE_TIMEOUT_MS)
        srv_conn_close(c, "idle without a session");
    else
        expire_logons(c, now, logon_ms);
}

/* ---- setup ---- */

struct srv_conn *srv_conn_new(struct srv *s)
{
    struct srv_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->srv = s;
    c->id = ++s->next_conn_id;
    c->cfg = s->cfg;
    c->cfg->refs++;
    srv_credits_init(&c->credits);
    uv_timer_init(s->loop, &c->timer);
    c->timer.data = c;
    c->h.handle.data = c;
    c->handles_open = 1;
    c->accepted_ms = c->last_frame_ms = c->last_read_ms = uv_now(s->loop);
    c->unauth_since_ms = c->accepted_ms;
    c->unauth = true;
    c->unauth_next = s->unauth_head;
    if (s->unauth_head)
        s->unauth_head->unauth_prev = c;
    else
        s->unauth_tail = c;
    s->unauth_head = c;
    s->n_unauth++;
    snprintf(c->peer, sizeof c->peer, "?");
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->n_conns++;
    return c;
}

void srv_conn_start(struct srv_conn *c)
{
    c->h.handle.data = c;
    if (!uv_is_active((uv_handle_t *)&c->timer))
        uv_timer_start(&c->timer, on_timer, TIMER_PERIOD_MS, TIMER_PERIOD_MS);
    int rc = uv_read_start(&c->h.stream, on_alloc, on_read);
    if (rc < 0)
        srv_conn_close(c, uv_strerror(rc));
}
