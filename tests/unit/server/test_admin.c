/* `server signing audit` events (srv_audit.c) and the admin socket
 * `signet status` asks (srv_admin.c): the events' conditions, the ring, the
 * JSON rows, the socket's modes and its line protocol on a real loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "server/srv_int.h"
#include "wire/smb2.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

struct fake {
    struct srv srv;
    struct srv_cfg cfg;
    struct srv_conn conn;
    struct srv_session sess;
};

static struct fake *fake_new(bool audit, uint16_t dialect)
{
    struct fake *f = calloc(1, sizeof *f);
    assert_non_null(f);
    cfg_defaults(&f->cfg.cfg);
    f->cfg.cfg.server.signing_audit = audit;
    f->conn.srv = &f->srv;
    f->conn.cfg = &f->cfg;
    f->conn.id = 7;
    f->conn.dialect = dialect;
    f->conn.client_caps = SMB2_GLOBAL_CAP_ENCRYPTION;
    snprintf(f->conn.peer, sizeof f->conn.peer, "127.0.0.1:4242");
    f->sess.conn = &f->conn;
    f->sess.id = 0x1234;
    f->sess.state = SRV_SESS_VALID;
    snprintf(f->sess.user, sizeof f->sess.user, "alice");
    return f;
}

static void test_3021_unsigned_session(void **state)
{
    (void)state;
    struct fake *f = fake_new(true, SMB2_DIALECT_0311);
    srv_audit_session(&f->conn, &f->sess);
    assert_int_equal(f->srv.audit.n, 1);
    assert_int_equal(f->srv.audit.ev[0].id, 3021);
    assert_non_null(strstr(f->srv.audit.ev[0].line,
                           "session 0x0000000000001234 user alice from 127.0.0.1:4242 "
                           "dialect 3.1.1"));
    free(f);
}

static void test_no_event_when_signing_required_or_audit_off(void **state)
{
    (void)state;
    struct fake *f = fake_new(true, SMB2_DIALECT_0311);
    f->sess.signing_required = true;
    srv_audit_session(&f->conn, &f->sess);
    f->sess.signing_required = false;
    f->conn.client_security_mode = SMB2_NEGOTIATE_SIGNING_REQUIRED;
    srv_audit_session(&f->conn, &f->sess);
    f->conn.client_security_mode = 0;
    f->cfg.cfg.server.signing_audit = false;
    srv_audit_session(&f->conn, &f->sess);
    assert_int_equal(f->srv.audit.n, 0);
    free(f);
}

static void test_3022_no_encryption(void **state)
{
    (void)state;
    struct fake *f = fake_new(true, SMB2_DIALECT_0210); /* no encryption before 3.0 */
    f->sess.signing_required = true;
    srv_audit_session(&f->conn, &f->sess);
    assert_int_equal(f->srv.audit.n, 1);
    assert_int_equal(f->srv.audit.ev[0].id, 3022);
    f->conn.dialect = SMB2_DIALECT_0300;
    f->conn.client_caps = 0;
    srv_audit_session(&f->conn, &f->sess);
    assert_int_equal(f->srv.audit.n, 2);
    assert_int_equal(f->srv.audit.ev[1].id, 3022);
    free(f);
}

static void test_ring_keeps_the_newest(void **state)
{
    (void)state;
    struct fake *f = fake_new(true, SMB2_DIALECT_0311);
    char t[16];
    for (unsigned i = 0; i < SRV_AUDIT_RING + 5; i++) {
        snprintf(t, sizeof t, "e%u", i);
        srv_audit_add(&f->srv, 3021, t);
    }
    assert_int_equal(f->srv.audit.n, SRV_AUDIT_RING);
    assert_string_equal(f->srv.audit.ev[f->srv.audit.head].line, "e5"); /* the oldest */
    free(f);
}

static void test_session_json(void **state)
{
    (void)state;
    struct fake *f = fake_new(true, SMB2_DIALECT_0311);
    snprintf(f->sess.user, sizeof f->sess.user, "a\"b\\c\n");
    f->sess.n_trees = 2;
    f->sess.last_active_ms = 1000;
    struct buf b = BUF_INIT;
    srv_admin_session_json(&f->sess, 6500, &b);
    assert_true(nt_ok(buf_append(&b, "", 1)));
    assert_string_equal(
        (const char *)b.p,
        "{\"session\":\"0x0000000000001234\",\"conn\":7,\"user\":\"a\\\"b\\\\c\\u000a\","
        "\"client\":\"127.0.0.1:4242\",\"dialect\":\"3.1.1\",\"signing\":\"none\","
        "\"signing_required\":false,\"cipher\":\"none\",\"guest\":false,"
        "\"anonymous\":false,\"trees\":2,\"tree_ciphers\":\"\",\"opens\":0,\"idle\":5}");
    buf_free(&b);
    free(f);
}

static void test_config_key(void **state)
{
    (void)state;
    static struct cfg c;
    char err[256];
    cfg_defaults(&c);
    assert_int_equal(c.server.admin_socket[0], '\0');
    assert_true(nt_ok(
        cfg_load_string("t", "[global]\nadmin socket = /run/x/a.sock\n", &c, err, sizeof err)));
    assert_string_equal(c.server.admin_socket, "/run/x/a.sock");
    assert_false(
        nt_ok(cfg_load_string("t", "[global]\nadmin socket = rel.sock\n", &c, err, sizeof err)));
}

/* ---- the socket, on a real loop ---- */

struct live {
    uv_loop_t loop;
    struct srv *s;
    char dir[32], path[80];
};

static void live_start(struct live *l)
{
    static struct cfg cfg;
    cfg_defaults(&cfg);
    cfg.server.signing_audit = true;
    assert_int_equal(uv_loop_init(&l->loop), 0);
    assert_true(nt_ok(srv_new(&l->loop, &cfg, NULL, &l->s)));
    snprintf(l->dir, sizeof l->dir, "/tmp/signet-admin-XXXXXX");
    assert_non_null(mkdtemp(l->dir));
    assert_true(snprintf(l->path, sizeof l->path, "%s/sub/admin.sock", l->dir) > 0);
    char err[256];
    assert_true(nt_ok(srv_admin_listen(l->s, l->path, err, sizeof err)));
}

static void live_stop(struct live *l)
{
    srv_shutdown(l->s);
    uv_run(&l->loop, UV_RUN_DEFAULT);
    srv_free(l->s);
    assert_int_equal(uv_loop_close(&l->loop), 0);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/sub", l->dir);
    assert_int_equal(rmdir(sub), 0); /* the socket is gone */
    assert_int_equal(rmdir(l->dir), 0);
}

/* Send a request and run the loop until the server closes. */
static void ask(struct live *l, const char *req, char *out, size_t len)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", l->path);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
    assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
    size_t got = 0;
    for (int i = 0; i < 500; i++) {
        uv_run(&l->loop, UV_RUN_NOWAIT);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 10) <= 0)
            continue;
        ssize_t n = read(fd, out + got, len - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    out[got] = '\0';
    close(fd);
}

static void test_socket_modes_and_protocol(void **state)
{
    (void)state;
    struct live l;
    live_start(&l);
    struct stat st;
    assert_int_equal(stat(l.path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/sub", l.dir);
    assert_int_equal(stat(sub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    char out[4096];
    ask(&l, "status\n", out, sizeof out);
    assert_string_equal(out, ""); /* no sessions */
    srv_audit_add(l.s, 3021, "one");
    srv_audit_add(l.s, 3022, "two");
    ask(&l, "audit\n", out, sizeof out);
    assert_non_null(strstr(out, "\"event\":3021,\"text\":\"one\"}\n{\"time\":"));
    assert_non_null(strstr(out, "\"event\":3022,\"text\":\"two\"}\n"));
    ask(&l, "bogus\n", out, sizeof out);
    assert_non_null(strstr(out, "{\"error\":"));
    live_stop(&l);
}

/* A client that never sends its request does not hold the loop at shutdown. */
static void test_silent_client_closed_at_shutdown(void **state)
{
    (void)state;
    struct live l;
    live_start(&l);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    memcpy(sun.sun_path, l.path, strlen(l.path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
    for (int i = 0; i < 20; i++)
        uv_run(&l.loop, UV_RUN_NOWAIT);
    live_stop(&l); /* returns: the accepted client was closed */
    char c;
    assert_int_equal(read(fd, &c, 1), 0);
    close(fd);
}

static void test_second_server_refused(void **state)
{
    (void)state;
    struct live l;
    live_start(&l);
    static struct cfg cfg;
    cfg_defaults(&cfg);
    struct srv *s2;
    assert_true(nt_ok(srv_new(&l.loop, &cfg, NULL, &s2)));
    char err[256];
    assert_false(nt_ok(srv_admin_listen(s2, l.path, err, sizeof err)));
    assert_non_null(strstr(err, "in use"));
    srv_shutdown(s2);
    live_stop(&l);
    srv_free(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_3021_unsigned_session),
        cmocka_unit_test(test_no_event_when_signing_required_or_audit_off),
        cmocka_unit_test(test_3022_no_encryption),
        cmocka_unit_test(test_ring_keeps_the_newest),
        cmocka_unit_test(test_session_json),
        cmocka_unit_test(test_config_key),
        cmocka_unit_test(test_socket_modes_and_protocol),
        cmocka_unit_test(test_silent_client_closed_at_shutdown),
        cmocka_unit_test(test_second_server_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
