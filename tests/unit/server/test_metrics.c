/* The event hook (srv_event_emit: what signetd files in journald) and the
 * Prometheus exposition (srv_metrics.c): fields, counters, the histogram's
 * cumulative buckets, the session gauge's labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "server/srv_int.h"
#include "server/srv_metrics.h"
#include "wire/smb2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fake {
    struct srv srv;
    struct srv_cfg cfg;
    struct srv_conn conn;
    struct srv_session sess;
};

static struct fake *fake_new(void)
{
    struct fake *f = calloc(1, sizeof *f);
    assert_non_null(f);
    cfg_defaults(&f->cfg.cfg);
    f->cfg.cfg.server.signing_audit = true;
    f->srv.cfg = &f->cfg;
    f->conn.srv = &f->srv;
    f->conn.cfg = &f->cfg;
    f->conn.id = 7;
    f->conn.dialect = SMB2_DIALECT_0300;
    snprintf(f->conn.peer, sizeof f->conn.peer, "127.0.0.1:4242");
    f->sess.conn = &f->conn;
    f->sess.id = 0x1234;
    f->sess.state = SRV_SESS_VALID;
    snprintf(f->sess.user, sizeof f->sess.user, "bob");
    return f;
}

/* ---- the event hook ---- */

static struct srv_event seen;
static char seen_msg[512], seen_user[64], seen_client[64], seen_dialect[16];
static unsigned n_seen;
static bool hook_claims;

static bool hook(void *ctx, const struct srv_event *ev)
{
    (void)ctx;
    seen = *ev;
    snprintf(seen_msg, sizeof seen_msg, "%s", ev->message);
    snprintf(seen_user, sizeof seen_user, "%s", ev->user);
    snprintf(seen_client, sizeof seen_client, "%s", ev->client);
    snprintf(seen_dialect, sizeof seen_dialect, "%s", ev->dialect);
    n_seen++;
    return hook_claims;
}

static char logged[1024];
static unsigned n_logged;
static void log_cap(void *ctx, enum sg_log_level level, const char *msg)
{
    (void)ctx;
    (void)level;
    snprintf(logged, sizeof logged, "%s", msg);
    n_logged++;
}

static void test_3021_reaches_the_hook_with_fields(void **state)
{
    (void)state;
    struct fake *f = fake_new();
    f->srv.opts.event = hook;
    n_seen = n_logged = 0;
    hook_claims = false;
    sg_log_set(log_cap, NULL, SG_LOG_NOTICE);
    srv_audit_session(&f->conn, &f->sess); /* not signing-required, no key: 3021 */
    assert_int_equal(n_seen, 1);
    assert_int_equal(seen.id, 3021);
    assert_string_equal(seen.kind, "audit");
    assert_int_equal(seen.level, SG_LOG_NOTICE);
    assert_int_equal(seen.session, 0x1234);
    assert_string_equal(seen_user, "bob");
    assert_string_equal(seen_client, "127.0.0.1:4242");
    assert_string_equal(seen_dialect, "3.0");
    assert_string_equal(seen.signing, "none");
    assert_string_equal(seen.cipher, "none");
    assert_non_null(strstr(seen_msg, "audit 3021: session 0x0000000000001234 user bob from"));
    /* the hook did not claim it: the plain line is logged, the same text */
    assert_int_equal(n_logged, 1);
    assert_string_equal(logged, seen_msg);
    /* a hook that files it (stderr is the journal): not logged twice */
    hook_claims = true;
    srv_audit_session(&f->conn, &f->sess);
    assert_int_equal(n_seen, 2);
    assert_int_equal(n_logged, 1);
    /* below the log level (3022 is info): neither */
    f->conn.client_caps = 0;
    f->conn.dialect = SMB2_DIALECT_0210;
    n_seen = 0;
    sg_log_set(log_cap, NULL, SG_LOG_NOTICE);
    srv_audit_session(&f->conn, &f->sess);
    assert_int_equal(n_seen, 1); /* the 3021 only */
    assert_int_equal(seen.id, 3021);
    sg_log_set(NULL, NULL, SG_LOG_NOTICE);
    free(f);
}

/* ---- the exposition ---- */

static bool has_line(const struct buf *b, const char *line)
{
    char want[256];
    snprintf(want, sizeof want, "\n%s\n", line);
    char *text = calloc(1, b->len + 2);
    assert_non_null(text);
    text[0] = '\n';
    memcpy(text + 1, b->p, b->len);
    bool yes = strstr(text, want) != NULL;
    free(text);
    return yes;
}

static void test_counters_and_histogram(void **state)
{
    (void)state;
    struct fake *f = fake_new();
    struct srv *s = &f->srv;
    srv_metrics_observe(s, SMB2_READ, STATUS_SUCCESS, 1000);                         /* 1 us */
    srv_metrics_observe(s, SMB2_READ, STATUS_END_OF_FILE, 2000000);                  /* 2 ms */
    srv_metrics_observe(s, SMB2_TREE_CONNECT, STATUS_ACCESS_DENIED, 60000000000ull); /* 60 s */
    srv_metrics_observe(s, SMB2_COMMAND_COUNT, STATUS_SUCCESS, 1); /* no such command: ignored */
    srv_metrics_signature(s, true);
    srv_metrics_signature(s, false);
    srv_metrics_signature(s, false);
    srv_metrics_logon_failed(s, STATUS_LOGON_FAILURE);
    srv_metrics_read(s, 1048576);
    srv_metrics_written(s, 42);
    srv_metrics_session(s);
    struct buf b = BUF_INIT;
    assert_true(nt_ok(srv_metrics_render(s, &b)));
    assert_true(has_line(&b, "# TYPE signet_requests_total counter"));
    assert_true(has_line(&b, "signet_requests_total{command=\"READ\"} 2"));
    assert_true(has_line(&b, "signet_request_errors_total{command=\"READ\"} 1"));
    assert_true(has_line(&b, "signet_request_errors_total{command=\"TREE_CONNECT\"} 1"));
    assert_true(has_line(&b, "signet_requests_total{command=\"WRITE\"} 0"));
    /* cumulative buckets: 1 under 1 ms, 2 under 2.5 ms; the 60 s one only in +Inf */
    assert_true(
        has_line(&b, "signet_request_duration_seconds_bucket{command=\"READ\",le=\"0.0001\"} 1"));
    assert_true(
        has_line(&b, "signet_request_duration_seconds_bucket{command=\"READ\",le=\"0.001\"} 1"));
    assert_true(
        has_line(&b, "signet_request_duration_seconds_bucket{command=\"READ\",le=\"0.0025\"} 2"));
    assert_true(
        has_line(&b, "signet_request_duration_seconds_bucket{command=\"READ\",le=\"+Inf\"} 2"));
    assert_true(has_line(
        &b, "signet_request_duration_seconds_bucket{command=\"TREE_CONNECT\",le=\"30\"} 0"));
    assert_true(has_line(
        &b, "signet_request_duration_seconds_bucket{command=\"TREE_CONNECT\",le=\"+Inf\"} 1"));
    assert_true(has_line(&b, "signet_request_duration_seconds_count{command=\"TREE_CONNECT\"} 1"));
    assert_true(has_line(&b, "signet_unsigned_requests_refused_total 1"));
    assert_true(has_line(&b, "signet_signature_failures_total 2"));
    assert_true(has_line(&b, "signet_logons_failed_total 1"));
    assert_true(has_line(&b, "signet_read_bytes_total 1048576"));
    assert_true(has_line(&b, "signet_written_bytes_total 42"));
    assert_true(has_line(&b, "signet_sessions_total 1"));
    assert_true(has_line(&b, "signet_connections_limit 1024"));
    buf_free(&b);
    free(f);
}

static void test_session_gauge_labels(void **state)
{
    (void)state;
    struct fake *f = fake_new();
    f->srv.conns = &f->conn;
    f->srv.n_conns = 1;
    f->conn.sessions = &f->sess;
    struct buf b = BUF_INIT;
    assert_true(nt_ok(srv_metrics_render(&f->srv, &b)));
    assert_true(has_line(
        &b, "signet_sessions{dialect=\"3.0\",signing=\"none\",cipher=\"none\",auth=\"ntlm\"} 1"));
    assert_true(has_line(&b, "signet_connections 1"));
    /* a session still authenticating is not counted */
    f->sess.state = SRV_SESS_IN_PROGRESS;
    buf_reset(&b);
    assert_true(nt_ok(srv_metrics_render(&f->srv, &b)));
    assert_non_null(b.p);
    assert_null(memmem(b.p, b.len, "signet_sessions{", strlen("signet_sessions{")));
    buf_free(&b);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_3021_reaches_the_hook_with_fields),
        cmocka_unit_test(test_counters_and_histogram),
        cmocka_unit_test(test_session_gauge_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
