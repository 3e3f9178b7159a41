/* CHANGE_NOTIFY against the real server core ([MS-SMB2] 3.3.5.19): a
 * pending request answered by a change made through the server, what is
 * kept between two requests, a buffer too small (STATUS_NOTIFY_ENUM_DIR),
 * CANCEL, and the close of the watching open (STATUS_NOTIFY_CLEANUP). */
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

#include "base/utf16.h"
#include "wire/cancel.h"
#include "wire/change_notify.h"

static char root[64], conf[512];

static int setup(void **state)
{
    (void)state;
    return test_rw_share("notify", root, sizeof root, conf, sizeof conf);
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

/* The entries of the CHANGE_NOTIFY response in t->rsp: n of them, the
 * first with action and UTF-8 name. */
static void expect_entries(struct tconn *t, unsigned n, uint32_t action, const char *name)
{
    struct smb2_change_notify_rsp rsp;
    assert_true(nt_ok(smb2_change_notify_rsp_decode(t->rsp, t->rsp_len, &rsp)));
    struct fscc_notify_iter it;
    struct fscc_notify_entry e;
    fscc_notify_iter_init(&it, rsp.output_buffer, rsp.output_buffer_length);
    unsigned count = 0;
    while (fscc_notify_iter_next(&it, &e)) {
        if (count++ == 0) {
            char got[256];
            size_t len = 0;
            assert_true(
                nt_ok(utf16le_to_utf8(e.file_name, e.file_name_len, got, sizeof got, &len)));
            got[len] = '\0';
            assert_int_equal(e.action, action);
            assert_string_equal(got, name);
        }
    }
    assert_true(nt_ok(fscc_notify_iter_status(&it)));
    assert_int_equal(count, n);
}

static struct smb2_file_id open_root(struct tconn *t)
{
    struct smb2_file_id dir;
    assert_int_equal(do_create(t, "", FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES, FILE_OPEN,
                               FILE_DIRECTORY_FILE, &dir),
                     0);
    return dir;
}

static void test_pending_then_change(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id dir = open_root(&t), f;
    uint64_t mid = notify_send(&t, dir, 4096, FILE_NOTIFY_CHANGE_FILE_NAME, false);
    notify_interim(&t, mid);
    assert_int_equal(do_create(&t, "new.txt", GENERIC_WRITE, FILE_CREATE, 0, &f), 0);
    assert_int_equal(notify_final(&t, mid, false), 0);
    expect_entries(&t, 1, FILE_ACTION_ADDED, "new.txt");
    /* kept until the next request, which is answered at once */
    assert_int_equal(do_close(&t, f), 0);
    assert_int_equal(do_create(&t, "new.txt", DELETE, FILE_OPEN, FILE_DELETE_ON_CLOSE, &f), 0);
    assert_int_equal(do_close(&t, f), 0);
    mid = notify_send(&t, dir, 4096, FILE_NOTIFY_CHANGE_FILE_NAME, false);
    assert_int_equal(notify_final(&t, mid, false), 0);
    expect_entries(&t, 1, FILE_ACTION_REMOVED, "new.txt");
    tc_stop(&t);
}

/* The largest buffer a client may ask for, all filters: a file made,
 * written and closed. */
static void test_large_buffer(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id dir = open_root(&t), f;
    uint64_t mid = notify_send(&t, dir, 8u << 20, 0xFFF, false);
    notify_interim(&t, mid);
    assert_int_equal(do_create(&t, "big.txt", GENERIC_WRITE, FILE_CREATE, 0, &f), 0);
    assert_int_equal(notify_final(&t, mid, false), 0);
    expect_entries(&t, 1, FILE_ACTION_ADDED, "big.txt");
    assert_int_equal(do_close(&t, f), 0);
    tc_stop(&t);
}

static void test_buffer_too_small(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id dir = open_root(&t), f;
    uint64_t mid = notify_send(&t, dir, 0, FILE_NOTIFY_CHANGE_FILE_NAME, false);
    notify_interim(&t, mid);
    assert_int_equal(do_create(&t, "x.txt", GENERIC_WRITE, FILE_CREATE, 0, &f), 0);
    assert_int_equal(notify_final(&t, mid, false), STATUS_NOTIFY_ENUM_DIR_CODE);
    assert_int_equal(do_close(&t, f), 0);
    tc_stop(&t);
}

static void test_cancel_and_close(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id dir = open_root(&t);
    uint64_t mid = notify_send(&t, dir, 4096, FILE_NOTIFY_CHANGE_FILE_NAME, false);
    uint64_t async_id = notify_interim(&t, mid);
    uint8_t msg[SMB2_HDR_SIZE + 4];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    struct smb2_hdr h = {.credit_charge = 1,
                         .command = SMB2_CANCEL,
                         .flags = SMB2_FLAGS_ASYNC_COMMAND,
                         .message_id = mid,
                         .async_id = async_id,
                         .session_id = t.sid};
    assert_true(nt_ok(smb2_hdr_encode(&w, &h)));
    struct smb2_cancel_req cq = {0};
    assert_true(nt_ok(smb2_cancel_req_encode(&w, &cq)));
    tc_sign(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, sizeof msg);
    assert_int_equal(notify_final(&t, mid, false), STATUS_CANCELLED_CODE);
    /* a waiting request ends with its open */
    mid = notify_send(&t, dir, 4096, FILE_NOTIFY_CHANGE_FILE_NAME, false);
    notify_interim(&t, mid);
    uint8_t cmsg[128];
    size_t clen = close_at(&t, cmsg, dir);
    tc_sign(&t, cmsg, clen);
    tc_send_raw(&t, cmsg, clen);
    assert_int_equal(notify_final(&t, mid, false), STATUS_NOTIFY_CLEANUP_CODE);
    tc_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pending_then_change),
        cmocka_unit_test(test_large_buffer),
        cmocka_unit_test(test_buffer_too_small),
        cmocka_unit_test(test_cancel_and_close),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
