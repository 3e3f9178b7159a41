/* The probe engine: many probes on one libuv loop (probe.h).
 *
 * A job is one host. It walks a fixed list of steps; each step is one TCP
 * connection carrying one question (a NEGOTIATE, an SMB1 NEGOTIATE, or a
 * NEGOTIATE plus two SESSION_SETUPs), so every answer belongs to the offer
 * that produced it. Every wait (connect, each response) is bounded by the
 * step timer. A host whose first connection fails is unreachable and costs
 * nothing more; a host that accepted a connection but never answered SMB is
 * dropped after its first timeout. */
#include "probe/probe.h"

#include "auth/ntlm_client.h"
#include "base/buf.h"
#include "base/mem.h"
#include "base/status.h"
#include "crypto/crypto.h"
#include "probe/probe_msg.h"
#include "wire/hdr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

enum step {
    STEP_NEG_0311, /* variant 0: no SIGNING_CAPABILITIES, AES-128-CCM */
    STEP_NEG_0302,
    STEP_NEG_0300,
    STEP_NEG_0210,
    STEP_NEG_0202,
    STEP_ALG_1, /* 3.1.1: HMAC-SHA256 + AES-128-GCM */
    STEP_ALG_2, /* 3.1.1: AES-CMAC + AES-256-CCM */
    STEP_ALG_3, /* 3.1.1: AES-GMAC + AES-256-GCM */
    STEP_SMB1,
    STEP_ANON,
    STEP_GUEST,
    STEP_COUNT
};

enum phase { PH_CONNECT, PH_NEGOTIATE, PH_SETUP1, PH_SETUP2 };

struct engine;

struct job {
    struct engine *eng;
    struct probe_result res;
    enum step step;
    enum phase phase;
    bool closing;
    bool stop;           /* skip the remaining steps */
    bool any_answer;     /* the host answered something at least once */
    bool writing;        /* write_req in use until its callback runs */
    bool write_deferred; /* tx holds a frame to write once it is free */
    uv_tcp_t tcp;
    uv_connect_t connect_req;
    uv_write_t write_req;
    uv_timer_t timer;
    uint64_t started_ns;
    uint8_t client_guid[16];
    struct probe_neg_offer offer;
    uint16_t session_dialect;
    uint64_t session_id;
    struct ntlm_client *ntlm;
    struct buf token;
    uint8_t tx[PROBE_REQ_MAX];
    size_t tx_len;
    uint8_t *rx;
    size_t rx_len;
    size_t rx_cap;
};

struct engine {
    uv_loop_t loop;
    const struct probe_opts *o;
    unsigned concurrency;
    unsigned in_flight;
    uint64_t done;
    bool exhausted;
    uv_timer_t progress;
    ntstatus_t st;
};

const uint16_t probe_dialects[PROBE_N_DIALECTS] = {
    SMB2_DIALECT_0202, SMB2_DIALECT_0210, SMB2_DIALECT_0300, SMB2_DIALECT_0302, SMB2_DIALECT_0311};

static void job_next_step(struct job *j);
static void engine_fill(struct engine *e);

/* ---- step plan ---- */

/* The dialect index a NEGOTIATE step asks about (-1: not a dialect step). */
static int step_dialect_index(enum step s)
{
    return s <= STEP_NEG_0202 ? PROBE_N_DIALECTS - 1 - (int)s : -1;
}

/* The 3.1.1 offer variant of a step (-1 when none): variant v offers
 * signing algorithm v - 1 (none for v = 0) and cipher v + 1. */
static int step_variant(enum step s)
{
    if (s == STEP_NEG_0311)
        return 0;
    return s >= STEP_ALG_1 && s <= STEP_ALG_3 ? (int)(s - STEP_ALG_1) + 1 : -1;
}

static bool step_wanted(const struct job *j, enum step s)
{
    unsigned ask = j->eng->o->ask;
    if (s <= STEP_NEG_0202)
        return true;
    if (s <= STEP_ALG_3)
        return (ask & PROBE_ASK_ALGS) && j->res.dialects[PROBE_N_DIALECTS - 1].accepted;
    if (s == STEP_SMB1)
        return ask & PROBE_ASK_SMB1;
    if (s == STEP_ANON)
        return (ask & PROBE_ASK_ANON) && probe_max_dialect(&j->res) != 0;
    return (ask & PROBE_ASK_GUEST) && probe_max_dialect(&j->res) != 0;
}

/* The NEGOTIATE this step sends. */
static void step_offer(const struct job *j, struct probe_neg_offer *o)
{
    memset(o, 0, sizeof *o);
    int v = step_variant(j->step);
    if (v >= 0) {
        o->dialects[o->n_dialects++] = SMB2_DIALECT_0311;
        if (v > 0)
            o->sign_algs[o->n_sign++] = (uint16_t)(v - 1);
        o->ciphers[o->n_ciphers++] = (uint16_t)(v + 1);
        return;
    }
    int d = step_dialect_index(j->step);
    if (d >= 0) {
        o->dialects[o->n_dialects++] = probe_dialects[d];
        return;
    }
    /* A logon: every dialect the host accepted, our usual signing order. */
    for (int i = 0; i < PROBE_N_DIALECTS; i++)
        if (j->res.dialects[i].accepted)
            o->dialects[o->n_dialects++] = probe_dialects[i];
    static const uint16_t algs[] = {SMB2_SIGNING_AES_GMAC, SMB2_SIGNING_AES_CMAC,
                                    SMB2_SIGNING_HMAC_SHA256};
    memcpy(o->sign_algs, algs, sizeof algs);
    o->n_sign = 3;
}

/* ---- recording outcomes ---- */

static struct probe_session *step_session(struct job *j)
{
    return j->step == STEP_ANON ? &j->res.anonymous : &j->res.guest;
}

/* The step ended without an answer of its own: record why. */
static void record_failure(struct job *j, ntstatus_t st)
{
    int d = step_dialect_index(j->step), v = step_variant(j->step);
    if (d >= 0) {
        j->res.dialects[d].tried = true;
        j->res.dialects[d].status = st;
    }
    if (v >= 0) {
        j->res.signing[v].tried = j->res.ciphers[v].tried = true;
        j->res.signing[v].status = j->res.ciphers[v].status = st;
    }
    if (j->step == STEP_SMB1) {
        j->res.smb1.tried = true;
        j->res.smb1.status = st;
    }
    if (j->step == STEP_ANON || j->step == STEP_GUEST) {
        step_session(j)->tried = true;
        step_session(j)->status = st;
    }
}

static void record_offer(struct probe_offer *o, const struct probe_neg_answer *a, bool present,
                         uint16_t picked)
{
    o->tried = true;
    o->answered = a->info.accepted;
    o->status = nt_ok(a->status) ? a->ctx_status : a->status;
    o->present = a->info.accepted && present;
    o->picked = picked;
}

static void record_negotiate(struct job *j, const struct probe_neg_answer *a)
{
    int d = step_dialect_index(j->step), v = step_variant(j->step);
    if (d >= 0)
        j->res.dialects[d] = a->info;
    if (v >= 0) {
        record_offer(&j->res.signing[v], a, a->sign_present, a->sign_picked);
        record_offer(&j->res.ciphers[v], a, a->cipher_present, a->cipher_picked);
    }
}

/* ---- connection plumbing ---- */

static void on_written(uv_write_t *req, int status);

static void on_tcp_closed(uv_handle_t *h)
{
    struct job *j = h->data;
    j->closing = false;
    j->writing = j->write_deferred = false;
    j->step++;
    job_next_step(j);
}

/* End the current step (its outcome recorded) and move on once closed. */
static void step_end(struct job *j)
{
    if (j->closing)
        return;
    j->closing = true;
    uv_timer_stop(&j->timer);
    ntlm_client_free(j->ntlm);
    j->ntlm = NULL;
    j->rx_len = 0;
    uv_close((uv_handle_t *)&j->tcp, on_tcp_closed);
}

static void step_fail(struct job *j, ntstatus_t st)
{
    if (j->closing)
        return;
    if (j->phase == PH_CONNECT && !j->res.reachable) {
        j->res.error = st; /* the first connection: the host is unreachable */
        j->stop = true;
    } else {
        if (nt_eq(st, STATUS_IO_TIMEOUT) && !j->any_answer) {
            j->stop = true; /* connects but does not speak SMB */
            j->res.error = st;
        }
        record_failure(j, st);
    }
    step_end(j);
}

static void on_timeout(uv_timer_t *t)
{
    step_fail(t->data, STATUS_IO_TIMEOUT);
}

static void arm_timer(struct job *j)
{
    uv_timer_start(&j->timer, on_timeout, j->eng->o->timeout_ms, 0);
}

static void start_write(struct job *j)
{
    uv_buf_t b = uv_buf_init((char *)j->tx, (unsigned)j->tx_len);
    j->write_req.data = j;
    j->writing = true;
    int rc = uv_write(&j->write_req, (uv_stream_t *)&j->tcp, &b, 1, on_written);
    if (rc < 0) {
        j->writing = false;
        step_fail(j, nt_from_errno(-rc));
    }
}

static void on_written(uv_write_t *req, int status)
{
    struct job *j = req->data;
    j->writing = false;
    if (status == UV_ECANCELED || j->closing)
        return;
    if (status < 0) {
        step_fail(j, nt_from_errno(-status));
    } else if (j->write_deferred) {
        j->write_deferred = false;
        start_write(j);
    }
}

/* Send tx[0..len) and wait for the answer. The server can answer a request
 * before libuv has run the previous write's callback (the bytes were sent,
 * the callback is queued); the write request is then reused only once that
 * callback has run. */
static void send_frame(struct job *j, size_t len, enum phase next)
{
    j->phase = next;
    j->tx_len = len;
    arm_timer(j);
    if (j->writing)
        j->write_deferred = true;
    else
        start_write(j);
}

/* ---- the questions ---- */

static void send_negotiate(struct job *j)
{
    size_t len = 0;
    ntstatus_t st;
    if (j->step == STEP_SMB1) {
        st = probe_build_smb1_negotiate(j->tx, sizeof j->tx, &len);
    } else {
        step_offer(j, &j->offer);
        st = probe_build_negotiate(&j->offer, j->client_guid, j->tx, sizeof j->tx, &len);
    }
    if (!nt_ok(st))
        step_fail(j, st);
    else
        send_frame(j, len, PH_NEGOTIATE);
}

static void send_setup(struct job *j, enum phase next)
{
    size_t len = 0;
    uint64_t mid = next == PH_SETUP1 ? 1 : 2;
    ntstatus_t st = probe_build_session_setup(j->session_dialect, mid, j->session_id, j->token.p,
                                              j->token.len, j->tx, sizeof j->tx, &len);
    if (!nt_ok(st))
        step_fail(j, st);
    else
        send_frame(j, len, next);
}

/* A random user name and password: nobody has this account, so only a
 * server that maps bad users to guest lets it in. */
static ntstatus_t guest_first_token(struct job *j, const struct probe_neg_answer *a)
{
    uint8_t rnd[12];
    ntstatus_t st = crypto_random(rnd, sizeof rnd);
    if (!nt_ok(st))
        return st;
    char password[17];
    snprintf(j->res.guest_user, sizeof j->res.guest_user, "signet-probe-%02x%02x%02x%02x", rnd[0],
             rnd[1], rnd[2], rnd[3]);
    for (int i = 0; i < 8; i++)
        snprintf(password + 2 * i, 3, "%02x", rnd[4 + i]);
    struct ntlm_client_creds creds = {
        .user = j->res.guest_user, .password = password, .domain = ""};
    st = ntlm_client_new(&creds, &j->ntlm); /* keeps only the NT hash */
    secure_zero(password, sizeof password);
    if (nt_ok(st))
        st = ntlm_client_start(j->ntlm, a->security_buffer, a->security_buffer_len, &j->token);
    return st;
}

static void on_session_negotiate(struct job *j, const struct probe_neg_answer *a)
{
    struct probe_session *s = step_session(j);
    s->tried = true;
    s->status = a->status;
    if (!a->info.accepted) {
        step_end(j);
        return;
    }
    j->session_dialect = s->dialect = a->dialect;
    ntstatus_t st =
        j->step == STEP_ANON ? probe_anon_first_token(&j->token) : guest_first_token(j, a);
    if (!nt_ok(st))
        step_fail(j, st);
    else
        send_setup(j, PH_SETUP1);
}

static void on_negotiate(struct job *j, const uint8_t *msg, size_t len)
{
    if (j->step == STEP_SMB1) {
        probe_classify_smb1(msg, len, &j->res.smb1);
        step_end(j);
        return;
    }
    struct probe_neg_answer a;
    if (!nt_ok(probe_classify_negotiate(msg, len, &j->offer, &a))) {
        step_fail(j, STATUS_INVALID_NETWORK_RESPONSE);
        return;
    }
    if (j->step == STEP_ANON || j->step == STEP_GUEST) {
        on_session_negotiate(j, &a);
        return;
    }
    record_negotiate(j, &a);
    step_end(j);
}

static void on_setup(struct job *j, const uint8_t *msg, size_t len)
{
    uint64_t mid = j->phase == PH_SETUP1 ? 1 : 2;
    struct probe_sess_answer a;
    struct probe_session *s = step_session(j);
    ntstatus_t st = probe_classify_session_setup(msg, len, mid, &a);
    s->status = a.status;
    if (!nt_ok(st) || j->phase == PH_SETUP2 || !nt_eq(a.status, STATUS_MORE_PROCESSING_REQUIRED)) {
        /* The final answer ([MS-SMB2] 3.3.5.5.3): SUCCESS grants it. */
        s->granted = nt_ok(st) && nt_ok(a.status);
        s->session_flags = a.session_flags;
        step_end(j);
        return;
    }
    j->session_id = a.session_id;
    st = j->step == STEP_ANON ? probe_anon_auth_token(a.token, a.token_len, &j->token)
                              : ntlm_client_step(j->ntlm, a.token, a.token_len, &j->token);
    if (!nt_ok(st))
        step_fail(j, st);
    else
        send_setup(j, PH_SETUP2);
}

static void on_message(struct job *j, const uint8_t *msg, size_t len)
{
    j->any_answer = true;
    if (j->step != STEP_SMB1 && probe_is_interim(msg, len))
        return; /* STATUS_PENDING: the real answer follows */
    uv_timer_stop(&j->timer);
    if (j->phase == PH_NEGOTIATE)
        on_negotiate(j, msg, len);
    else if (j->phase == PH_SETUP1 || j->phase == PH_SETUP2)
        on_setup(j, msg, len);
    else
        step_fail(j, STATUS_INVALID_NETWORK_RESPONSE);
}

/* Whole Direct TCP frames out of rx ([MS-SMB2] 2.1; SMB1 uses the same
 * 4-byte prefix). */
static void drain_frames(struct job *j)
{
    while (!j->closing && j->rx_len >= 4) {
        uint32_t len = 0;
        if (!nt_ok(smb2_frame_decode(j->rx, PROBE_MAX_FRAME, &len))) {
            step_fail(j, STATUS_INVALID_NETWORK_RESPONSE);
            return;
        }
        if (j->rx_len < 4 + (size_t)len)
            return;
        on_message(j, j->rx + 4, len);
        if (j->closing)
            return;
        memmove(j->rx, j->rx + 4 + len, j->rx_len - 4 - len);
        j->rx_len -= 4 + len;
    }
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    (void)hint;
    struct job *j = h->data;
    size_t want = j->rx_len + 4096;
    if (want > PROBE_MAX_FRAME + 4)
        want = PROBE_MAX_FRAME + 4;
    if (j->rx_cap < want) {
        uint8_t *p = realloc(j->rx, want);
        if (p) {
            j->rx = p;
            j->rx_cap = want;
        }
    }
    *b = uv_buf_init((char *)j->rx + j->rx_len, (unsigned)(j->rx_cap - j->rx_len));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    (void)b;
    struct job *j = s->data;
    if (j->closing || n == 0)
        return;
    if (n < 0) {
        step_fail(j, n == UV_EOF ? STATUS_CONNECTION_DISCONNECTED : nt_from_errno((int)-n));
        return;
    }
    j->rx_len += (size_t)n;
    drain_frames(j);
}

static void on_connected(uv_connect_t *req, int status)
{
    struct job *j = req->data;
    if (status == UV_ECANCELED || j->closing)
        return;
    uv_timer_stop(&j->timer);
    if (status < 0) {
        step_fail(j, nt_from_errno(-status));
        return;
    }
    j->res.reachable = true;
    int rc = uv_read_start((uv_stream_t *)&j->tcp, on_alloc, on_read);
    if (rc < 0)
        step_fail(j, nt_from_errno(-rc));
    else
        send_negotiate(j);
}

static void step_begin(struct job *j)
{
    j->phase = PH_CONNECT;
    j->session_id = 0;
    buf_reset(&j->token);
    uv_tcp_init(&j->eng->loop, &j->tcp);
    j->tcp.data = j;
    uv_tcp_nodelay(&j->tcp, 1);
    j->connect_req.data = j;
    arm_timer(j);
    int rc = uv_tcp_connect(&j->connect_req, &j->tcp, (const struct sockaddr *)&j->res.addr,
                            on_connected);
    if (rc < 0)
        step_fail(j, nt_from_errno(-rc));
}

/* ---- jobs ---- */

static void on_job_freed(uv_handle_t *h)
{
    struct job *j = h->data;
    struct engine *e = j->eng;
    buf_free(&j->token);
    free(j->rx);
    free(j);
    e->in_flight--;
    e->done++;
    engine_fill(e);
}

static void job_finish(struct job *j)
{
    j->res.elapsed_s = (double)(uv_hrtime() - j->started_ns) / 1e9;
    j->eng->o->on_result(j->eng->o->ctx, &j->res);
    uv_close((uv_handle_t *)&j->timer, on_job_freed);
}

static void job_next_step(struct job *j)
{
    while (!j->stop && j->step < STEP_COUNT && !step_wanted(j, j->step))
        j->step++;
    if (j->stop || j->step >= STEP_COUNT) {
        job_finish(j);
        return;
    }
    step_begin(j);
}

static void job_start(struct engine *e, const struct probe_target *t)
{
    struct job *j = calloc(1, sizeof *j);
    if (!j) {
        e->st = STATUS_NO_MEMORY;
        e->exhausted = true;
        return;
    }
    j->eng = e;
    snprintf(j->res.host, sizeof j->res.host, "%s", t->host);
    j->res.addr = t->addr;
    j->res.port = ntohs(t->addr.sin_port);
    j->started_ns = uv_hrtime();
    (void)crypto_random(j->client_guid, sizeof j->client_guid);
    uv_timer_init(&e->loop, &j->timer);
    j->timer.data = j;
    e->in_flight++;
    if (!nt_ok(t->status)) {
        j->res.error = t->status;
        j->stop = true;
    }
    job_next_step(j);
}

/* ---- the engine ---- */

static void engine_fill(struct engine *e)
{
    while (!e->exhausted && e->in_flight < e->concurrency) {
        struct probe_target t;
        if (!e->o->next(e->o->ctx, &t)) {
            e->exhausted = true;
            break;
        }
        job_start(e, &t);
    }
    if (e->exhausted && e->in_flight == 0 && !uv_is_closing((uv_handle_t *)&e->progress))
        uv_close((uv_handle_t *)&e->progress, NULL);
}

static void on_progress(uv_timer_t *t)
{
    struct engine *e = t->data;
    if (e->o->on_progress)
        e->o->on_progress(e->o->ctx, e->done, e->in_flight);
}

ntstatus_t probe_run(const struct probe_opts *o)
{
    struct engine *e = calloc(1, sizeof *e);
    if (!e)
        return STATUS_NO_MEMORY;
    e->o = o;
    e->concurrency = o->concurrency ? o->concurrency : 1;
    e->st = STATUS_SUCCESS;
    int rc = uv_loop_init(&e->loop);
    if (rc < 0) {
        free(e);
        return nt_from_errno(-rc);
    }
    uv_timer_init(&e->loop, &e->progress);
    e->progress.data = e;
    uv_timer_start(&e->progress, on_progress, 200, 200);
    engine_fill(e);
    uv_run(&e->loop, UV_RUN_DEFAULT);
    if (o->on_progress)
        o->on_progress(o->ctx, e->done, 0);
    ntstatus_t st = e->st;
    rc = uv_loop_close(&e->loop);
    free(e);
    return nt_ok(st) && rc < 0 ? STATUS_INTERNAL_ERROR : st;
}
