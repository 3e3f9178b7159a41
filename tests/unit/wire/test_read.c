/* SMB2 READ: [MS-SMB2] 2.2.19 / 2.2.20. */
#include "base/endian.h"
#include "wire/read.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static ntstatus_t req_exact(const uint8_t *msg, size_t n, struct smb2_read_req *out)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_read_req_decode(copy, n, out);
    free(copy);
    return st;
}

static ntstatus_t rsp_exact(const uint8_t *msg, size_t n)
{
    struct smb2_read_rsp out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_read_rsp_decode(copy, n, &out);
    free(copy);
    return st;
}

static const struct smb2_read_req req_in = {
    .padding = 0x50,
    .flags = SMB2_READFLAG_READ_UNBUFFERED,
    .length = 8u << 20,
    .offset = 0x123456789ull,
    .file_id = {1, 2},
    .minimum_count = 4096,
    .channel = SMB2_CHANNEL_NONE,
    .remaining_bytes = 77,
};

static size_t encode_req(uint8_t *buf, size_t cap)
{
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_read_req_encode(&w, &req_in)));
    return wr_pos(&w);
}

static void test_req_round_trip(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct smb2_read_req out;
    size_t len = encode_req(buf, sizeof(buf));
    assert_int_equal(len, SMB2_HDR_SIZE + SMB2_READ_REQ_STRUCTURE_SIZE);
    assert_true(nt_ok(smb2_read_req_decode(buf, len, &out)));
    assert_int_equal(out.padding, req_in.padding);
    assert_int_equal(out.flags, req_in.flags);
    assert_int_equal(out.length, req_in.length);
    assert_int_equal(out.offset, req_in.offset);
    assert_int_equal(out.file_id.persistent, 1);
    assert_int_equal(out.file_id.volatile_id, 2);
    assert_int_equal(out.minimum_count, req_in.minimum_count);
    assert_int_equal(out.channel, req_in.channel);
    assert_int_equal(out.remaining_bytes, req_in.remaining_bytes);
    assert_null(out.read_channel_info);
    assert_int_equal(out.read_channel_info_len, 0);
    assert_false(out.rdma);
}

static void test_req_truncations(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct smb2_read_req out;
    size_t len = encode_req(buf, sizeof(buf));
    for (size_t n = 0; n < SMB2_READ_REQ_FIXED_END; n++)
        assert_true(nt_eq(req_exact(buf, n, &out), STATUS_INVALID_PARAMETER));
    /* The one-byte Buffer is optional when there is no channel info. */
    assert_true(nt_ok(req_exact(buf, SMB2_READ_REQ_FIXED_END, &out)));
    assert_true(nt_ok(req_exact(buf, len, &out)));
    le16_put(buf + 64, 48);
    assert_true(nt_eq(req_exact(buf, len, &out), STATUS_INVALID_PARAMETER));
    le16_put(buf + 64, 17);
    assert_true(nt_eq(req_exact(buf, len, &out), STATUS_INVALID_PARAMETER));
}

static void test_req_channels(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct smb2_read_req out;
    size_t len = encode_req(buf, sizeof(buf));
    /* RDMA channel with one byte of channel info: decoded, flagged */
    le32_put(buf + 100, SMB2_CHANNEL_RDMA_V1);
    le16_put(buf + 108, 112);
    le16_put(buf + 110, 1);
    assert_true(nt_ok(req_exact(buf, len, &out)));
    assert_true(out.rdma);
    assert_int_equal(out.read_channel_info_len, 1);
    /* its info cut off by the end of the message */
    assert_true(nt_eq(req_exact(buf, len - 1, &out), STATUS_INVALID_PARAMETER));
    /* info inside the fixed part, or past the end */
    le16_put(buf + 108, 100);
    assert_true(nt_eq(req_exact(buf, len, &out), STATUS_INVALID_PARAMETER));
    le16_put(buf + 108, 113);
    assert_true(nt_eq(req_exact(buf, len, &out), STATUS_INVALID_PARAMETER));
    /* RDMA channel without info */
    le16_put(buf + 108, 0);
    le16_put(buf + 110, 0);
    assert_true(nt_eq(req_exact(buf, len, &out), STATUS_INVALID_PARAMETER));
    /* unknown channel */
    le32_put(buf + 100, 4);
    assert_true(nt_eq(req_exact(buf, len, &out), STATUS_INVALID_PARAMETER));
    /* the encoder refuses channel info */
    struct smb2_read_req in = req_in;
    in.read_channel_info_len = 16;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_eq(smb2_read_req_encode(&w, &in), STATUS_NOT_SUPPORTED));
}

static void test_rsp_copy_round_trip(void **state)
{
    (void)state;
    uint8_t data[100], buf[256];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    struct smb2_read_rsp in = {.data_length = sizeof(data),
                               .data_remaining = 5,
                               .flags = SMB2_READFLAG_RESPONSE_NONE,
                               .data = data},
                         out;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_read_rsp_encode(&w, &in)));
    size_t len = wr_pos(&w);
    assert_int_equal(len, SMB2_READ_RSP_DATA_OFFSET + sizeof(data));
    assert_true(nt_ok(smb2_read_rsp_decode(buf, len, &out)));
    assert_int_equal(out.data_offset, SMB2_READ_RSP_DATA_OFFSET);
    assert_int_equal(out.data_length, in.data_length);
    assert_int_equal(out.data_remaining, in.data_remaining);
    assert_int_equal(out.flags, in.flags);
    assert_ptr_equal(out.data, buf + SMB2_READ_RSP_DATA_OFFSET);
    assert_memory_equal(out.data, data, sizeof(data));
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(rsp_exact(buf, n), STATUS_INVALID_PARAMETER));
    const uint8_t bad_offs[] = {0, 64, 72, 79, 81, 255};
    for (size_t i = 0; i < sizeof(bad_offs); i++) {
        buf[66] = bad_offs[i];
        assert_true(nt_eq(rsp_exact(buf, len), STATUS_INVALID_PARAMETER));
    }
    buf[66] = SMB2_READ_RSP_DATA_OFFSET;
    le32_put(buf + 68, sizeof(data) + 1);
    assert_true(nt_eq(rsp_exact(buf, len), STATUS_INVALID_PARAMETER));
    le32_put(buf + 68, 0xFFFFFFFFu);
    assert_true(nt_eq(rsp_exact(buf, len), STATUS_INVALID_PARAMETER));
    le32_put(buf + 68, sizeof(data));
    le16_put(buf + 64, 16);
    assert_true(nt_eq(rsp_exact(buf, len), STATUS_INVALID_PARAMETER));
}

static void test_rsp_iovec(void **state)
{
    (void)state;
    /* The encoder writes only the fixed part; the caller's iovec follows. */
    uint8_t buf[SMB2_READ_RSP_DATA_OFFSET + 4096];
    struct smb2_read_rsp in = {.data_length = 4096, .data = NULL}, out;
    struct wr w;
    wr_init(&w, buf, SMB2_READ_RSP_DATA_OFFSET); /* no room for data: none needed */
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_read_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_READ_RSP_DATA_OFFSET);
    memset(buf + SMB2_READ_RSP_DATA_OFFSET, 0x5C, 4096);
    assert_true(nt_ok(smb2_read_rsp_decode(buf, sizeof(buf), &out)));
    assert_int_equal(out.data_length, 4096);
    assert_ptr_equal(out.data, buf + SMB2_READ_RSP_DATA_OFFSET);
    /* the data missing: rejected */
    assert_true(nt_eq(rsp_exact(buf, SMB2_READ_RSP_DATA_OFFSET), STATUS_INVALID_PARAMETER));
}

static void test_rsp_empty(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct smb2_read_rsp in = {0}, out;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_read_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE + SMB2_READ_RSP_STRUCTURE_SIZE);
    assert_true(nt_ok(smb2_read_rsp_decode(buf, wr_pos(&w), &out)));
    assert_int_equal(out.data_length, 0);
    assert_null(out.data);
    for (size_t n = 0; n < SMB2_READ_RSP_FIXED_END; n++)
        assert_true(nt_eq(rsp_exact(buf, n), STATUS_INVALID_PARAMETER));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req_round_trip), cmocka_unit_test(test_req_truncations),
        cmocka_unit_test(test_req_channels),   cmocka_unit_test(test_rsp_copy_round_trip),
        cmocka_unit_test(test_rsp_iovec),      cmocka_unit_test(test_rsp_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
