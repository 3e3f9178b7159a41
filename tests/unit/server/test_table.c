/* The server's file table against the real server core: share modes
 * ([MS-FSA] 2.1.5.1.2.2), delete-pending and delete on close, and byte-range
 * locks that wait ([MS-SMB2] 3.3.5.14): the interim response, the grant when
 * the holder unlocks, CANCEL (signed, and an unsigned one ignored), and the
 * close of the waiting open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "srv_files.h"

#include "wire/cancel.h"
#include "wire/echo.h"

static char root[64], conf[512];

static int setup(void **state)
{
    (void)state;
    return test_rw_share("table", root, sizeof root, conf, sizeof conf);
}

static int teardown(void **state)
{
    (void)state;
    return test_dir_remove(root);
}

static void on_share(struct tconn *t)
{
    tc_connect_share(t, conf, "rw");
}

static bool exists(const char *name)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", root, name);
    return access(p, F_OK) == 0;
}

static const uint32_t share_all = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

/* ---- share modes ---- */

static void test_share_modes(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id a, b, c;
    /* a reader that shares only reading keeps writers out, and readers that
     * do not share reading with it; an open that touches no data passes */
    assert_int_equal(
        do_create_share(&t, "s.txt", GENERIC_READ, FILE_SHARE_READ, FILE_OVERWRITE_IF, 0, &a), 0);
    assert_int_equal(do_create_share(&t, "s.txt", GENERIC_WRITE, share_all, FILE_OPEN, 0, &b),
                     STATUS_SHARING_VIOLATION_CODE);
    assert_int_equal(do_create_share(&t, "s.txt", GENERIC_READ, FILE_SHARE_WRITE, FILE_OPEN, 0, &b),
                     STATUS_SHARING_VIOLATION_CODE);
    assert_int_equal(do_create_share(&t, "s.txt", DELETE, share_all, FILE_OPEN, 0, &b),
                     STATUS_SHARING_VIOLATION_CODE);
    assert_int_equal(do_create_share(&t, "s.txt", GENERIC_READ, share_all, FILE_OPEN, 0, &b), 0);
    assert_int_equal(do_create_share(&t, "s.txt", FILE_READ_ATTRIBUTES, 0, FILE_OPEN, 0, &c), 0);
    /* an overwrite is refused before it truncates */
    char p[128];
    snprintf(p, sizeof p, "%s/s.txt", root);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("keep", f);
    fclose(f);
    assert_int_equal(do_create_share(&t, "s.txt", GENERIC_WRITE, share_all, FILE_OVERWRITE, 0, &c),
                     STATUS_SHARING_VIOLATION_CODE);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 4);
    /* once the reader is gone, the writer gets in */
    assert_int_equal(do_close(&t, a), 0);
    assert_int_equal(do_close(&t, b), 0);
    assert_int_equal(do_create_share(&t, "s.txt", GENERIC_WRITE, share_all, FILE_OPEN, 0, &b), 0);
    tc_stop(&t);
}

/* ---- delete-pending ---- */

static void test_delete_on_close(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id a, b, c;
    /* FILE_DELETE_ON_CLOSE: others may still open it (sharing delete) until
     * that open is closed; then it is delete-pending, and gone with the last */
    assert_int_equal(
        do_create_share(&t, "d.txt", GENERIC_ALL, share_all, FILE_CREATE, FILE_DELETE_ON_CLOSE, &a),
        0);
    assert_int_equal(do_create_share(&t, "d.txt", GENERIC_READ, share_all, FILE_OPEN, 0, &b), 0);
    assert_int_equal(do_close(&t, a), 0);
    assert_true(exists("d.txt"));
    assert_int_equal(do_create_share(&t, "d.txt", GENERIC_READ, share_all, FILE_OPEN, 0, &c),
                     STATUS_DELETE_PENDING_CODE);
    assert_int_equal(do_close(&t, b), 0);
    assert_false(exists("d.txt"));
    /* without DELETE access the option is refused */
    assert_int_equal(do_create_share(&t, "e.txt", GENERIC_READ | GENERIC_WRITE, share_all,
                                     FILE_CREATE, FILE_DELETE_ON_CLOSE, &a),
                     STATUS_ACCESS_DENIED_CODE);
    assert_false(exists("e.txt"));
    tc_stop(&t);
}

/* ---- locks that wait ---- */

static void send_signed(struct tconn *t, uint8_t *msg, size_t len)
{
    tc_sign(t, msg, len);
    tc_send_raw(t, msg, len);
}

static void recv_rsp(struct tconn *t)
{
    if (!tc_recv(t))
        fail_msg("no response; server log:\n%s", harness_log);
}

/* The interim response to the request with MessageId mid: STATUS_PENDING,
 * async, with the credits granted, unsigned ([MS-SMB2] 3.3.4.2). Its
 * AsyncId. */
static uint64_t expect_interim(struct tconn *t, uint64_t mid)
{
    recv_rsp(t);
    assert_int_equal(rsp_status(t), STATUS_PENDING_CODE);
    assert_true(rsp_flags(t) & SMB2_FLAGS_ASYNC_COMMAND);
    assert_false(rsp_flags(t) & SMB2_FLAGS_SIGNED);
    assert_int_equal(le64_get(t->rsp + 24), mid);
    assert_true(rsp_credits(t) > 0);
    uint64_t async_id = le64_get(t->rsp + 32);
    assert_true(async_id != 0);
    return async_id;
}

/* The final response of an async request: signed, async with the same
 * AsyncId, no credits (the interim carried them). */
static uint32_t expect_final(struct tconn *t, uint64_t mid, uint64_t async_id)
{
    recv_rsp(t);
    assert_true(tc_verify(t, 0, t->rsp_len));
    assert_true(rsp_flags(t) & SMB2_FLAGS_ASYNC_COMMAND);
    assert_int_equal(le64_get(t->rsp + 24), mid);
    assert_int_equal(le64_get(t->rsp + 32), async_id);
    assert_int_equal(rsp_credits(t), 0);
    return rsp_status(t);
}

static void send_cancel(struct tconn *t, uint64_t mid, uint64_t async_id, bool sign)
{
    uint8_t msg[SMB2_HDR_SIZE + 4];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    struct smb2_hdr h = {.credit_charge = 1,
                         .command = SMB2_CANCEL,
                         .flags = SMB2_FLAGS_ASYNC_COMMAND,
                         .message_id = mid,
                         .async_id = async_id,
                         .session_id = t->sid};
    assert_true(nt_ok(smb2_hdr_encode(&w, &h)));
    struct smb2_cancel_req q = {0};
    assert_true(nt_ok(smb2_cancel_req_encode(&w, &q)));
    if (sign)
        tc_sign(t, msg, sizeof msg);
    tc_send_raw(t, msg, sizeof msg);
}

/* Two opens of one file; a holds an exclusive lock on [0, 10); b asks for
 * it without FAIL_IMMEDIATELY and goes pending. */
static uint64_t pending_lock(struct tconn *t, struct smb2_file_id *a, struct smb2_file_id *b,
                             uint64_t *mid)
{
    assert_int_equal(do_create_share(t, "l.txt", GENERIC_ALL, share_all, FILE_OVERWRITE_IF, 0, a),
                     0);
    assert_int_equal(do_create_share(t, "l.txt", GENERIC_ALL, share_all, FILE_OPEN, 0, b), 0);
    assert_int_equal(lock1(t, *a, 0, SMB2_LOCKFLAG_EXCLUSIVE_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY),
                     0);
    uint8_t msg[256];
    *mid = t->mid;
    send_signed(t, msg, lock_at(t, msg, *b, 0, SMB2_LOCKFLAG_EXCLUSIVE_LOCK));
    return expect_interim(t, *mid);
}

static void test_lock_waits_for_unlock(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id a, b;
    uint64_t mid;
    uint64_t async_id = pending_lock(&t, &a, &b, &mid);
    /* the connection goes on answering meanwhile */
    assert_int_equal(tc_echo(&t, true), 0);
    /* the holder lets go: the waiter gets the lock */
    uint8_t msg[256];
    send_signed(&t, msg, lock_at(&t, msg, a, 0, SMB2_LOCKFLAG_UNLOCK));
    recv_rsp(&t);
    uint16_t cmd = le16_get(t.rsp + 12);
    assert_int_equal(cmd, SMB2_LOCK);
    if (le64_get(t.rsp + 24) != mid) { /* the UNLOCK's answer came first */
        assert_int_equal(rsp_status(&t), 0);
        assert_int_equal(expect_final(&t, mid, async_id), 0);
    } else {
        assert_int_equal(le64_get(t.rsp + 32), async_id);
        assert_int_equal(rsp_status(&t), 0);
        recv_rsp(&t);
        assert_int_equal(rsp_status(&t), 0);
    }
    /* b holds it now */
    assert_int_equal(lock1(&t, a, 0, SMB2_LOCKFLAG_EXCLUSIVE_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY),
                     STATUS_LOCK_NOT_GRANTED_CODE);
    tc_stop(&t);
}

static void test_lock_cancel(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id a, b;
    uint64_t mid;
    uint64_t async_id = pending_lock(&t, &a, &b, &mid);
    /* an unsigned CANCEL on a session that requires signing is dropped and
     * logged: the lock still waits (the ECHO's answer comes, nothing else) */
    send_cancel(&t, mid, async_id, false);
    assert_int_equal(tc_echo(&t, true), 0);
    assert_true(harness_log_has("unsigned request"));
    /* a signed one ends it */
    send_cancel(&t, mid, async_id, true);
    assert_int_equal(expect_final(&t, mid, async_id), STATUS_CANCELLED_CODE);
    assert_int_equal(lock1(&t, a, 0, SMB2_LOCKFLAG_UNLOCK), 0);
    tc_stop(&t);
}

static void test_lock_waiter_closed(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id a, b;
    uint64_t mid;
    uint64_t async_id = pending_lock(&t, &a, &b, &mid);
    uint8_t msg[128];
    uint64_t close_mid = t.mid;
    send_signed(&t, msg, close_at(&t, msg, b));
    /* the waiting LOCK ends with RANGE_NOT_LOCKED, the CLOSE succeeds */
    bool lock_seen = false, close_seen = false;
    for (int i = 0; i < 2; i++) {
        recv_rsp(&t);
        assert_true(tc_verify(&t, 0, t.rsp_len));
        if (le64_get(t.rsp + 24) == close_mid) {
            assert_int_equal(rsp_status(&t), 0);
            close_seen = true;
        } else {
            assert_int_equal(le64_get(t.rsp + 24), mid);
            assert_int_equal(le64_get(t.rsp + 32), async_id);
            assert_int_equal(rsp_status(&t), STATUS_RANGE_NOT_LOCKED_CODE);
            lock_seen = true;
        }
    }
    assert_true(lock_seen && close_seen);
    tc_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_share_modes),           cmocka_unit_test(test_delete_on_close),
        cmocka_unit_test(test_lock_waits_for_unlock), cmocka_unit_test(test_lock_cancel),
        cmocka_unit_test(test_lock_waiter_closed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
