/* SMB2 LOCK: [MS-SMB2] 2.2.26 / 2.2.27. */
#include "base/endian.h"
#include "wire/lock.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct smb2_lock_req dec;

static ntstatus_t req_exact(const uint8_t *msg, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_lock_req_decode(copy, n, &dec);
    free(copy);
    return st;
}

static size_t encode(uint8_t *buf, size_t cap, struct smb2_lock_req *in, uint16_t count)
{
    memset(in, 0, sizeof(*in));
    in->lock_count = count;
    in->lock_sequence_number = 0xA;
    in->lock_sequence_index = 0x0ABCDEF1;
    in->file_id = (struct smb2_file_id){7, 8};
    for (uint16_t i = 0; i < count; i++) {
        in->locks[i].offset = 1000u * i;
        in->locks[i].length = 10u + i;
        in->locks[i].flags = i % 2 ? SMB2_LOCKFLAG_UNLOCK
                                   : SMB2_LOCKFLAG_EXCLUSIVE_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY;
    }
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_lock_req_encode(&w, in)));
    return wr_pos(&w);
}

static void test_round_trip(void **state)
{
    (void)state;
    static uint8_t buf[SMB2_HDR_SIZE + 24 + 24 * SMB2_LOCK_MAX_ELEMENTS];
    static struct smb2_lock_req in, out;
    const uint16_t counts[] = {1, 3, SMB2_LOCK_MAX_ELEMENTS};
    for (size_t k = 0; k < 3; k++) {
        size_t len = encode(buf, sizeof(buf), &in, counts[k]);
        assert_int_equal(len, SMB2_LOCK_REQ_LOCKS_OFFSET + 24u * counts[k]);
        assert_true(nt_ok(smb2_lock_req_decode(buf, len, &out)));
        assert_int_equal(out.lock_count, in.lock_count);
        assert_int_equal(out.lock_sequence_number, 0xA);
        assert_int_equal(out.lock_sequence_index, 0x0ABCDEF1);
        assert_int_equal(out.file_id.persistent, 7);
        assert_int_equal(out.file_id.volatile_id, 8);
        for (uint16_t i = 0; i < counts[k]; i++) {
            assert_int_equal(out.locks[i].offset, in.locks[i].offset);
            assert_int_equal(out.locks[i].length, in.locks[i].length);
            assert_int_equal(out.locks[i].flags, in.locks[i].flags);
            assert_true(smb2_lock_flags_valid(out.locks[i].flags));
        }
        for (size_t n = 0; n < len; n++)
            assert_true(nt_eq(req_exact(buf, n), STATUS_INVALID_PARAMETER));
    }
}

static void test_bad_counts(void **state)
{
    (void)state;
    static uint8_t buf[SMB2_HDR_SIZE + 24 + 24 * (SMB2_LOCK_MAX_ELEMENTS + 1)];
    static struct smb2_lock_req in;
    size_t len = encode(buf, sizeof(buf), &in, 2);
    le16_put(buf + 66, 0);
    assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    le16_put(buf + 66, 3); /* more than the message holds */
    assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    le16_put(buf + 66, 0xFFFF);
    assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    le16_put(buf + 66, 2);
    le16_put(buf + 64, 24);
    assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    le16_put(buf + 64, 49);
    assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    /* one over the cap, though the message holds them */
    memset(buf, 0, sizeof(buf));
    le16_put(buf + 64, SMB2_LOCK_REQ_STRUCTURE_SIZE);
    le16_put(buf + 66, SMB2_LOCK_MAX_ELEMENTS + 1);
    assert_true(nt_eq(req_exact(buf, sizeof(buf)), STATUS_INVALID_PARAMETER));
    le16_put(buf + 66, SMB2_LOCK_MAX_ELEMENTS);
    assert_true(nt_ok(req_exact(buf, sizeof(buf))));
    /* the encoder refuses what the decoder would */
    struct wr w;
    in.lock_count = 0;
    wr_init(&w, buf, sizeof(buf));
    assert_true(nt_eq(smb2_lock_req_encode(&w, &in), STATUS_INVALID_PARAMETER));
    in.lock_count = SMB2_LOCK_MAX_ELEMENTS + 1;
    wr_init(&w, buf, sizeof(buf));
    assert_true(nt_eq(smb2_lock_req_encode(&w, &in), STATUS_INVALID_PARAMETER));
}

static void test_flags(void **state)
{
    (void)state;
    assert_true(smb2_lock_flags_valid(SMB2_LOCKFLAG_SHARED_LOCK));
    assert_true(smb2_lock_flags_valid(SMB2_LOCKFLAG_UNLOCK));
    assert_false(smb2_lock_flags_valid(0));
    assert_false(smb2_lock_flags_valid(SMB2_LOCKFLAG_SHARED_LOCK | SMB2_LOCKFLAG_EXCLUSIVE_LOCK));
    assert_false(smb2_lock_flags_valid(SMB2_LOCKFLAG_UNLOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY));
    assert_false(smb2_lock_flags_valid(SMB2_LOCKFLAG_UNLOCK | SMB2_LOCKFLAG_SHARED_LOCK));
}

static void test_rsp(void **state)
{
    (void)state;
    uint8_t buf[SMB2_HDR_SIZE + 4];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_lock_rsp_encode(&w)));
    assert_int_equal(wr_pos(&w), sizeof(buf));
    assert_true(nt_ok(smb2_lock_rsp_decode(buf, sizeof(buf))));
    for (size_t n = 0; n < sizeof(buf); n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, buf, n);
        assert_true(nt_eq(smb2_lock_rsp_decode(copy, n), STATUS_INVALID_PARAMETER));
        free(copy);
    }
    le16_put(buf + 64, 2);
    assert_true(nt_eq(smb2_lock_rsp_decode(buf, sizeof(buf)), STATUS_INVALID_PARAMETER));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_bad_counts),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_rsp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
