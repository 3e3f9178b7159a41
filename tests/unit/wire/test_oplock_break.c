/* SMB2 OPLOCK_BREAK: [MS-SMB2] 2.2.23 / 2.2.24 / 2.2.25. */
#include "base/endian.h"
#include "wire/oplock_break.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef ntstatus_t (*decode_fn)(const uint8_t *, size_t, struct smb2_break *);

static ntstatus_t exact(decode_fn fn, const uint8_t *msg, size_t n)
{
    struct smb2_break out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = fn(copy, n, &out);
    free(copy);
    return st;
}

static size_t encode(uint8_t *buf, size_t cap, const struct smb2_break *in)
{
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_oplock_break_encode(&w, in)));
    return wr_pos(&w);
}

static void check_truncations(decode_fn fn, const uint8_t *buf, size_t len)
{
    assert_true(nt_ok(exact(fn, buf, len)));
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(exact(fn, buf, n), STATUS_INVALID_PARAMETER));
}

static void test_oplock(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct smb2_break in = {.kind = SMB2_BREAK_OPLOCK,
                            .u.oplock = {.oplock_level = 0x01, .file_id = {3, 4}}},
                      out;
    size_t len = encode(buf, sizeof(buf), &in);
    assert_int_equal(len, SMB2_HDR_SIZE + 24);
    decode_fn fns[] = {smb2_oplock_break_req_decode, smb2_oplock_break_rsp_decode};
    for (int i = 0; i < 2; i++) {
        assert_true(nt_ok(fns[i](buf, len, &out)));
        assert_int_equal(out.kind, SMB2_BREAK_OPLOCK);
        assert_int_equal(out.u.oplock.oplock_level, 0x01);
        assert_int_equal(out.u.oplock.file_id.persistent, 3);
        assert_int_equal(out.u.oplock.file_id.volatile_id, 4);
        check_truncations(fns[i], buf, len);
    }
}

static void test_lease_notify(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct smb2_break in = {.kind = SMB2_BREAK_LEASE_NOTIFY}, out;
    in.u.lease_notify =
        (struct smb2_lease_break_notify){.new_epoch = 5,
                                         .flags = SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED,
                                         .current_lease_state = 7,
                                         .new_lease_state = 1,
                                         .break_reason = 0,
                                         .access_mask_hint = 0,
                                         .share_mask_hint = 0};
    memset(in.u.lease_notify.lease_key, 0x42, 16);
    size_t len = encode(buf, sizeof(buf), &in);
    assert_int_equal(len, SMB2_HDR_SIZE + 44);
    assert_true(nt_ok(smb2_oplock_break_rsp_decode(buf, len, &out)));
    assert_int_equal(out.kind, SMB2_BREAK_LEASE_NOTIFY);
    assert_int_equal(out.u.lease_notify.new_epoch, 5);
    assert_int_equal(out.u.lease_notify.flags, SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED);
    assert_memory_equal(out.u.lease_notify.lease_key, in.u.lease_notify.lease_key, 16);
    assert_int_equal(out.u.lease_notify.current_lease_state, 7);
    assert_int_equal(out.u.lease_notify.new_lease_state, 1);
    assert_int_equal(out.u.lease_notify.break_reason, 0);
    assert_int_equal(out.u.lease_notify.access_mask_hint, 0);
    assert_int_equal(out.u.lease_notify.share_mask_hint, 0);
    check_truncations(smb2_oplock_break_rsp_decode, buf, len);
    /* a client never sends a notification */
    assert_true(nt_eq(smb2_oplock_break_req_decode(buf, len, &out), STATUS_INVALID_PARAMETER));
}

static void test_lease_ack(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct smb2_break in = {.kind = SMB2_BREAK_LEASE_ACK}, out;
    in.u.lease_ack.lease_state = 3;
    memset(in.u.lease_ack.lease_key, 0x17, 16);
    size_t len = encode(buf, sizeof(buf), &in);
    assert_int_equal(len, SMB2_HDR_SIZE + 36);
    decode_fn fns[] = {smb2_oplock_break_req_decode, smb2_oplock_break_rsp_decode};
    for (int i = 0; i < 2; i++) {
        assert_true(nt_ok(fns[i](buf, len, &out)));
        assert_int_equal(out.kind, SMB2_BREAK_LEASE_ACK);
        assert_int_equal(out.u.lease_ack.flags, 0);
        assert_memory_equal(out.u.lease_ack.lease_key, in.u.lease_ack.lease_key, 16);
        assert_int_equal(out.u.lease_ack.lease_state, 3);
        assert_int_equal(out.u.lease_ack.lease_duration, 0);
        check_truncations(fns[i], buf, len);
    }
}

static void test_bad_structure_size(void **state)
{
    (void)state;
    uint8_t buf[SMB2_HDR_SIZE + 64] = {0};
    struct smb2_break out;
    const uint16_t sizes[] = {0, 4, 23, 25, 35, 37, 43, 45, 0xFFFF};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        le16_put(buf + 64, sizes[i]);
        assert_true(
            nt_eq(smb2_oplock_break_req_decode(buf, sizeof(buf), &out), STATUS_INVALID_PARAMETER));
        assert_true(
            nt_eq(smb2_oplock_break_rsp_decode(buf, sizeof(buf), &out), STATUS_INVALID_PARAMETER));
    }
    struct smb2_break bad = {.kind = 0};
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    assert_true(nt_eq(smb2_oplock_break_encode(&w, &bad), STATUS_INVALID_PARAMETER));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oplock),
        cmocka_unit_test(test_lease_notify),
        cmocka_unit_test(test_lease_ack),
        cmocka_unit_test(test_bad_structure_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
