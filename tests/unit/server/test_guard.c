/* Hostile clients (issue 13), against the real server core: a failed
 * logon's held answer stops the connection from being read, a compound
 * cannot carry a second guess, the per-account lockout and its reset, the
 * descriptor budget of a user, and the log rate limiter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "srv_files.h"
#include "srv_harness.h"

#include "server/srv_int.h"

#define STATUS_ACCOUNT_LOCKED_OUT_VALUE   0xC0000234u
#define STATUS_REQUEST_NOT_ACCEPTED_VALUE 0xC00000D0u

static uint16_t rsp_command(const struct tconn *t)
{
    return le16_get(t->rsp + 12);
}

/* A SESSION_SETUP whose security token is junk, at w; its length. */
static size_t junk_setup(struct tconn *t, uint8_t *msg, size_t cap)
{
    static const uint8_t junk[] = {0x60, 0x03, 'j', 'n', 'k'};
    struct wr w;
    wr_init(&w, msg, cap);
    tc_hdr(t, &w, SMB2_SESSION_SETUP, 1);
    struct smb2_session_setup_req req = {.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED,
                                         .security_buffer = junk,
                                         .security_buffer_length = sizeof junk};
    assert_true(nt_ok(smb2_session_setup_req_encode(&w, &req)));
    return wr_pos(&w);
}

static void negotiated(struct tconn *t, const char *conf)
{
    tc_start(t, conf);
    uint16_t d = SMB2_DIALECT_0311;
    tc_negotiate(t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
}

/* An ECHO sent right behind a failed logon is not even read before the
 * logon's answer has gone out: its answer comes second. */
static void test_held_answer_stops_reading(void **state)
{
    (void)state;
    struct tconn t;
    negotiated(&t, "[global]\ninvalid authentication delay = 300\n");
    uint8_t msg[256];
    size_t n = junk_setup(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, n);
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(&t, &w, SMB2_ECHO, 1);
    wr_u16(&w, 4);
    wr_u16(&w, 0);
    tc_send_raw(&t, msg, wr_pos(&w));
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_command(&t), SMB2_SESSION_SETUP);
    assert_int_not_equal(rsp_status(&t), 0);
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_command(&t), SMB2_ECHO);
    assert_int_equal(rsp_status(&t), 0);
    assert_true(harness_log_has("logon failed: account '(none)' from fd"));
    assert_true(harness_log_has("malformed security token"));
    tc_stop(&t);
}

/* Two SESSION_SETUPs in one compound: the second, behind a failed one, is
 * not looked at. */
static void test_compound_second_setup_refused(void **state)
{
    (void)state;
    struct tconn t;
    negotiated(&t, "[global]\ninvalid authentication delay = 100\n");
    uint8_t msg[512];
    size_t n1 = junk_setup(&t, msg, sizeof msg);
    size_t pad = (8 - n1 % 8) % 8;
    memset(msg + n1, 0, pad);
    le32_put(msg + 20, (uint32_t)(n1 + pad)); /* NextCommand */
    size_t n2 = junk_setup(&t, msg + n1 + pad, sizeof msg - n1 - pad);
    tc_send_raw(&t, msg, n1 + pad + n2);
    assert_true(tc_recv(&t));
    uint32_t next = le32_get(t.rsp + 20);
    assert_true(next > 0 && next + SMB2_HDR_SIZE <= t.rsp_len);
    assert_int_equal(le32_get(t.rsp + next + 8), STATUS_REQUEST_NOT_ACCEPTED_VALUE);
    tc_stop(&t);
}

/* `account lockout threshold`: the right password is refused once the
 * account is locked; the lockout is logged. */
static void test_account_lockout(void **state)
{
    (void)state;
    struct tconn t;
    negotiated(&t, "[global]\ninvalid authentication delay = 0\n"
                   "account lockout threshold = 2\n");
    assert_int_equal(tc_logon(&t, TEST_USER, "wrong1"), STATUS_LOGON_FAILURE_CODE);
    assert_int_equal(tc_logon(&t, TEST_USER, "wrong2"), STATUS_LOGON_FAILURE_CODE);
    assert_int_equal(tc_logon(&t, TEST_USER, TEST_PASSWORD), STATUS_ACCOUNT_LOCKED_OUT_VALUE);
    assert_true(harness_log_has("account 'alice' locked out for 60 s: 2 failed logons"));
    assert_true(harness_log_has("logon failed: account 'alice' from fd"));
    assert_true(harness_log_has("unknown user or wrong password"));
    tc_stop(&t);
}

/* A successful logon resets the account's count (as Windows). */
static void test_lockout_count_reset_by_success(void **state)
{
    (void)state;
    struct tconn t;
    negotiated(&t, "[global]\ninvalid authentication delay = 0\n"
                   "account lockout threshold = 3\n");
    for (int round = 0; round < 3; round++) {
        assert_int_equal(tc_logon(&t, TEST_USER, "wrong1"), STATUS_LOGON_FAILURE_CODE);
        assert_int_equal(tc_logon(&t, TEST_USER, "wrong2"), STATUS_LOGON_FAILURE_CODE);
        assert_int_equal(tc_logon(&t, TEST_USER, TEST_PASSWORD), 0);
        if (round < 2)
            tc_keys_clear(&t); /* the next logon derives new ones */
    }
    tc_stop(&t);
}

/* `max open files per user`: a CREATE beyond is STATUS_TOO_MANY_OPENED_FILES
 * (logged); a CLOSE, and a CREATE that fails, give the descriptor back. */
static void test_open_budget_per_user(void **state)
{
    (void)state;
    char root[256], conf[1024];
    assert_int_equal(test_dir_make("guard", root, sizeof root), 0);
    snprintf(conf, sizeof conf,
             TEST_CONF_GLOBAL "max open files per user = 3\n[rw]\npath = %s\nread only = no\n",
             root);
    struct tconn t;
    tc_connect_share(&t, conf, "rw");
    static const char *const names[] = {"a.txt", "b.txt", "c.txt", "d.txt"};
    struct smb2_file_id f[4];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 3; i++)
            assert_int_equal(
                do_create(&t, names[i], GENERIC_READ | GENERIC_WRITE, FILE_OPEN_IF, 0, &f[i]), 0);
        assert_int_equal(
            do_create(&t, names[3], GENERIC_READ | GENERIC_WRITE, FILE_OPEN_IF, 0, &f[3]),
            STATUS_TOO_MANY_OPENED_FILES_CODE);
        assert_int_equal(do_close(&t, f[2]), 0);
        assert_int_equal(do_create(&t, "missing.txt", GENERIC_READ, FILE_OPEN, 0, &f[2]),
                         STATUS_OBJECT_NAME_NOT_FOUND_CODE);
        assert_int_equal(do_close(&t, f[0]), 0);
        assert_int_equal(do_close(&t, f[1]), 0);
    }
    assert_true(harness_log_has("refused: max open files per user"));
    tc_stop(&t);
    assert_int_equal(test_dir_remove(root), 0);
}

/* At most SRV_LOG_BURST lines an interval, then one line with the count of
 * those left out. */
static void test_ratelog(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, "[global]\n"); /* the harness's log */
    struct srv_ratelog rl = {0};
    for (unsigned i = 0; i < SRV_LOG_BURST; i++)
        assert_true(srv_ratelog_allow(&rl, 5000, "test lines"));
    for (unsigned i = 0; i < 7; i++)
        assert_false(srv_ratelog_allow(&rl, 5000 + i, "test lines"));
    assert_false(harness_log_has("more test lines"));
    assert_true(srv_ratelog_allow(&rl, 5000 + SRV_LOG_INTERVAL_MS, "test lines"));
    assert_true(harness_log_has("7 more test lines in the last 10 s not logged"));
    assert_int_equal(rl.suppressed, 0);
    tc_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_answer_stops_reading),
        cmocka_unit_test(test_compound_second_setup_refused),
        cmocka_unit_test(test_account_lockout),
        cmocka_unit_test(test_lockout_count_reset_by_success),
        cmocka_unit_test(test_open_budget_per_user),
        cmocka_unit_test(test_ratelog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
