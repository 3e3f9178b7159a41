/* The probe engine end to end against an in-process SMB responder on
 * 127.0.0.1 (a thread built from lib/wire encoders and the project's NTLM
 * acceptor), plus closed ports and a silent listener. Loopback only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "auth/ntlm_server.h"
#include "base/filetime.h"
#include "probe/probe.h"
#include "wire/error.h"
#include "wire/hdr.h"
#include "wire/negotiate.h"
#include "wire/negotiate_ctx.h"
#include "wire/session_setup.h"

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- the responder ---- */

struct fake {
    int lfd;
    uint16_t port;
    pthread_t thread;
    atomic_bool stop;
    bool silent;       /* accept and never answer */
    bool guest;        /* map bad users to guest */
    uint16_t mode;     /* SecurityMode */
    uint16_t min, max; /* dialects accepted */
    atomic_int conns;
};

static bool read_full(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static bool read_frame(int fd, uint8_t *buf, size_t cap, size_t *len)
{
    uint8_t h[4];
    uint32_t n = 0;
    if (!read_full(fd, h, 4) || !nt_ok(smb2_frame_decode(h, (uint32_t)cap, &n)))
        return false;
    *len = n;
    return read_full(fd, buf, n);
}

static void send_msg(int fd, struct wr *w, uint8_t *frame)
{
    smb2_frame_encode(frame, (uint32_t)wr_pos(w));
    assert_true(write(fd, frame, 4 + wr_pos(w)) == (ssize_t)(4 + wr_pos(w)));
}

static void begin_rsp(struct wr *w, uint8_t *frame, size_t cap, const struct smb2_hdr *req,
                      uint32_t status, uint64_t session_id)
{
    wr_init(w, frame + 4, cap - 4);
    struct smb2_hdr h = *req;
    h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
    h.status = status;
    h.credit_request = 1;
    h.session_id = session_id;
    assert_true(nt_ok(smb2_hdr_encode(w, &h)));
}

static void send_error(int fd, const struct smb2_hdr *req, ntstatus_t st)
{
    uint8_t frame[256];
    struct wr w;
    begin_rsp(&w, frame, sizeof frame, req, st.code, req->session_id);
    struct smb2_error_rsp e = {0};
    assert_true(nt_ok(smb2_error_rsp_encode(&w, &e)));
    send_msg(fd, &w, frame);
}

/* 3.3.5.4: echo the single offered algorithm; refuse AES-256-GCM. */
static size_t rsp_contexts(const struct smb2_negotiate_req *req, uint8_t *out, size_t cap,
                           uint16_t *count)
{
    struct smb2_negctx_set in, set;
    assert_true(
        nt_ok(smb2_negctx_set_decode(req->negotiate_context_list, req->negotiate_context_list_len,
                                     req->negotiate_context_count, &in)));
    static const uint8_t salt[32] = {7};
    memset(&set, 0, sizeof set);
    set.present = SMB2_NEGCTX_HAS(SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
    set.preauth = (struct smb2_preauth_caps){1, {SMB2_PREAUTH_INTEGRITY_SHA512}, 32, salt};
    if (smb2_negctx_set_has(&in, SMB2_SIGNING_CAPABILITIES)) {
        set.present |= SMB2_NEGCTX_HAS(SMB2_SIGNING_CAPABILITIES);
        set.signing.signing_algorithm_count = 1;
        set.signing.signing_algorithms[0] = in.signing.signing_algorithms[0];
    }
    if (smb2_negctx_set_has(&in, SMB2_ENCRYPTION_CAPABILITIES)) {
        uint16_t c = in.encryption.ciphers[0];
        set.present |= SMB2_NEGCTX_HAS(SMB2_ENCRYPTION_CAPABILITIES);
        set.encryption.cipher_count = 1;
        set.encryption.ciphers[0] = c == SMB2_CIPHER_AES256_GCM ? 0 : c;
    }
    struct wr w;
    wr_init(&w, out, cap);
    assert_true(nt_ok(smb2_negctx_set_encode(&w, &set, count)));
    return wr_pos(&w);
}

static void answer_negotiate(struct fake *f, int fd, const struct smb2_hdr *h, const uint8_t *msg,
                             size_t len)
{
    struct smb2_negotiate_req req;
    assert_true(nt_ok(smb2_negotiate_req_decode(msg, len, &req)));
    uint16_t d = 0;
    for (uint16_t i = 0; i < req.dialect_count; i++)
        if (req.dialects[i] >= f->min && req.dialects[i] <= f->max && req.dialects[i] > d)
            d = req.dialects[i];
    if (!d) {
        send_error(fd, h, STATUS_NOT_SUPPORTED);
        return;
    }
    struct buf hint = BUF_INIT;
    assert_true(nt_ok(ntlm_server_hint(&hint)));
    uint8_t ctx[256], frame[2048];
    struct smb2_negotiate_rsp r = {.security_mode = f->mode,
                                   .dialect_revision = d,
                                   .max_transact_size = 65536,
                                   .max_read_size = 65536,
                                   .max_write_size = 65536,
                                   .system_time = filetime_now(),
                                   .security_buffer = hint.p,
                                   .security_buffer_length = (uint16_t)hint.len};
    memset(r.server_guid, 0xAB, sizeof r.server_guid);
    if (d == SMB2_DIALECT_0311) {
        r.negotiate_context_list_len =
            rsp_contexts(&req, ctx, sizeof ctx, &r.negotiate_context_count);
        r.negotiate_context_list = ctx;
    }
    struct wr w;
    begin_rsp(&w, frame, sizeof frame, h, 0, 0);
    assert_true(nt_ok(smb2_negotiate_rsp_encode(&w, &r)));
    send_msg(fd, &w, frame);
    buf_free(&hint);
}

static bool no_such_user(void *ctx, const char *user, uint8_t nt_hash[16])
{
    (void)ctx, (void)user, (void)nt_hash;
    return false;
}

static void answer_setup(struct fake *f, int fd, struct ntlm_server **ns, const struct smb2_hdr *h,
                         const uint8_t *msg, size_t len)
{
    struct smb2_session_setup_req req;
    assert_true(nt_ok(smb2_session_setup_req_decode(msg, len, &req)));
    struct ntlm_server_opts o = {.nb_computer = "FAKE",
                                 .nb_domain = "WORKGROUP",
                                 .lookup = no_such_user,
                                 .allow_anonymous = true,
                                 .map_bad_user_to_guest = f->guest};
    if (!*ns)
        assert_true(nt_ok(ntlm_server_new(&o, ns)));
    struct buf out = BUF_INIT;
    ntstatus_t st = ntlm_server_step(*ns, req.security_buffer, req.security_buffer_length, &out);
    if (!nt_ok(st) && !nt_eq(st, STATUS_MORE_PROCESSING_REQUIRED)) {
        send_error(fd, h, st);
        buf_free(&out);
        return;
    }
    struct smb2_session_setup_rsp r = {.security_buffer = out.p,
                                       .security_buffer_length = (uint16_t)out.len};
    if (nt_ok(st)) {
        const struct ntlm_server_result *res = ntlm_server_result(*ns);
        r.session_flags = res->is_guest       ? SMB2_SESSION_FLAG_IS_GUEST
                          : res->is_anonymous ? SMB2_SESSION_FLAG_IS_NULL
                                              : 0;
    }
    uint8_t frame[2048];
    struct wr w;
    begin_rsp(&w, frame, sizeof frame, h, st.code, 0x4200000001ull);
    assert_true(nt_ok(smb2_session_setup_rsp_encode(&w, &r)));
    send_msg(fd, &w, frame);
    buf_free(&out);
}

static void serve(struct fake *f, int fd)
{
    uint8_t msg[8192];
    size_t len;
    struct ntlm_server *ns = NULL;
    while (!f->silent && read_frame(fd, msg, sizeof msg, &len)) {
        struct smb2_hdr h;
        if (!nt_ok(smb2_hdr_decode(msg, len, &h)))
            break; /* SMB1: an SMB2-only server hangs up */
        if (h.command == SMB2_NEGOTIATE)
            answer_negotiate(f, fd, &h, msg, len);
        else if (h.command == SMB2_SESSION_SETUP)
            answer_setup(f, fd, &ns, &h, msg, len);
        else
            break;
    }
    if (f->silent) { /* read and ignore until the client hangs up */
        struct pollfd p = {fd, POLLIN, 0};
        while (!f->stop) {
            if (poll(&p, 1, 20) > 0 && read(fd, msg, sizeof msg) <= 0)
                break;
        }
    }
    ntlm_server_free(ns);
    close(fd);
}

static void *fake_main(void *arg)
{
    struct fake *f = arg;
    struct pollfd p = {f->lfd, POLLIN, 0};
    while (!f->stop) {
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept(f->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        f->conns++;
        serve(f, fd);
    }
    return NULL;
}

/* Listen on 127.0.0.1 at a free port (0: kernel's choice). */
static int listen_loopback(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void fake_start(struct fake *f)
{
    f->lfd = listen_loopback(&f->port);
    assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
}

static void fake_stop(struct fake *f)
{
    f->stop = true;
    pthread_join(f->thread, NULL);
    close(f->lfd);
}

/* ---- driving the engine ---- */

struct run {
    uint16_t port;
    unsigned n_targets, given;
    struct probe_result last;
    unsigned results;
    uint64_t max_in_flight;
};

static bool next(void *ctx, struct probe_target *t)
{
    struct run *r = ctx;
    if (r->given == r->n_targets)
        return false;
    memset(t, 0, sizeof *t);
    snprintf(t->host, sizeof t->host, "127.0.0.1");
    t->addr.sin_family = AF_INET;
    t->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    t->addr.sin_port = htons(r->port);
    r->given++;
    return true;
}

static void on_result(void *ctx, const struct probe_result *res)
{
    struct run *r = ctx;
    r->last = *res;
    r->results++;
}

static void on_progress(void *ctx, uint64_t done, uint64_t in_flight)
{
    struct run *r = ctx;
    (void)done;
    if (in_flight > r->max_in_flight)
        r->max_in_flight = in_flight;
}

static void run_probe(struct run *r, unsigned ask, unsigned timeout_ms, unsigned concurrency)
{
    struct probe_opts o = {.ask = ask,
                           .timeout_ms = timeout_ms,
                           .concurrency = concurrency,
                           .next = next,
                           .on_result = on_result,
                           .on_progress = on_progress,
                           .ctx = r};
    assert_true(nt_ok(probe_run(&o)));
    assert_int_equal(r->results, r->n_targets);
}

#define MODE_REQ (SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED)

static void test_full_probe(void **state)
{
    (void)state;
    struct fake f = {
        .mode = MODE_REQ, .min = SMB2_DIALECT_0210, .max = SMB2_DIALECT_0311, .guest = true};
    fake_start(&f);
    struct run r = {.port = f.port, .n_targets = 1};
    run_probe(&r, PROBE_ASK_ALL, 2000, 1);
    fake_stop(&f);
    const struct probe_result *p = &r.last;
    assert_true(p->reachable);
    assert_true(p->dialects[0].tried);
    assert_false(p->dialects[0].accepted);
    assert_int_equal(p->dialects[0].status.code, STATUS_NOT_SUPPORTED.code);
    for (int i = 1; i < PROBE_N_DIALECTS; i++) {
        assert_true(p->dialects[i].accepted);
        assert_int_equal(p->dialects[i].security_mode, MODE_REQ);
    }
    assert_int_equal(probe_signing_verdict(p), PROBE_SIGNING_REQUIRED);
    assert_false(p->signing[0].present); /* not offered, not answered */
    for (int v = 1; v < PROBE_N_SIGN_OFFER; v++) {
        assert_true(p->signing[v].present);
        assert_int_equal(p->signing[v].picked, v - 1);
    }
    for (int v = 0; v < PROBE_N_CIPHERS; v++)
        assert_int_equal(p->ciphers[v].picked, v == 3 ? 0 : v + 1);
    assert_true(p->smb1.tried);
    assert_false(p->smb1.accepted);
    assert_true(p->anonymous.granted);
    assert_int_equal(p->anonymous.session_flags, SMB2_SESSION_FLAG_IS_NULL);
    assert_true(p->guest.granted);
    assert_int_equal(p->guest.session_flags, SMB2_SESSION_FLAG_IS_GUEST);
    assert_int_equal(p->guest.dialect, SMB2_DIALECT_0311);
    assert_non_null(strstr(p->guest_user, "signet-probe-"));
    assert_int_equal(f.conns, 11); /* 5 dialects, 3 offers, SMB1, 2 logons */
}

static void test_scan_questions(void **state)
{
    (void)state;
    struct fake f = {
        .mode = SMB2_NEGOTIATE_SIGNING_ENABLED, .min = SMB2_DIALECT_0202, .max = SMB2_DIALECT_0302};
    fake_start(&f);
    struct run r = {.port = f.port, .n_targets = 3};
    run_probe(&r, PROBE_ASK_DIALECTS | PROBE_ASK_GUEST, 2000, 2);
    fake_stop(&f);
    const struct probe_result *p = &r.last;
    assert_int_equal(probe_max_dialect(p), SMB2_DIALECT_0302);
    assert_false(p->dialects[4].accepted);
    assert_int_equal(probe_signing_verdict(p), PROBE_SIGNING_NOT_REQUIRED);
    assert_true(probe_relayable(p));
    assert_false(p->signing[1].tried); /* no 3.1.1: no algorithm offers */
    assert_false(p->smb1.tried);
    assert_false(p->anonymous.tried);
    assert_false(p->guest.granted);
    assert_int_equal(p->guest.status.code, STATUS_LOGON_FAILURE.code);
    assert_int_equal(p->guest.dialect, SMB2_DIALECT_0302);
    assert_int_equal(f.conns, 3 * 6);
}

static void test_closed_ports(void **state)
{
    (void)state;
    uint16_t port;
    close(listen_loopback(&port)); /* a port nobody listens on */
    struct run r = {.port = port, .n_targets = 200};
    run_probe(&r, PROBE_ASK_ALL, 1000, 16);
    assert_false(r.last.reachable);
    assert_int_equal(r.last.error.code, STATUS_CONNECTION_REFUSED.code);
    assert_false(r.last.dialects[4].tried);
    assert_true(r.max_in_flight <= 16);
}

/* A listener that never answers costs one timeout, not one per question. */
static void test_silent_listener(void **state)
{
    (void)state;
    struct fake f = {.silent = true};
    fake_start(&f);
    struct run r = {.port = f.port, .n_targets = 1};
    run_probe(&r, PROBE_ASK_ALL, 200, 1);
    fake_stop(&f);
    assert_true(r.last.reachable);
    assert_int_equal(r.last.error.code, STATUS_IO_TIMEOUT.code);
    assert_int_equal(r.last.dialects[4].status.code, STATUS_IO_TIMEOUT.code);
    assert_false(r.last.dialects[3].tried);
    assert_true(r.last.elapsed_s < 1.0);
    assert_int_equal(f.conns, 1);
}

static void test_no_targets(void **state)
{
    (void)state;
    struct run r = {.n_targets = 0};
    run_probe(&r, PROBE_ASK_ALL, 100, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_probe),   cmocka_unit_test(test_scan_questions),
        cmocka_unit_test(test_closed_ports), cmocka_unit_test(test_silent_listener),
        cmocka_unit_test(test_no_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
