/* SMB2 WRITE: [MS-SMB2] 2.2.21 / 2.2.22. */
#include "base/endian.h"
#include "wire/write.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static ntstatus_t req_exact(const uint8_t *msg, size_t n, struct smb2_write_req *out)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_write_req_decode(copy, n, out);
    free(copy);
    return st;
}

static ntstatus_t rsp_exact(const uint8_t *msg, size_t n)
{
    struct smb2_write_rsp out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_write_rsp_decode(copy, n, &out);
    free(copy);
    return st;
}

static uint8_t data[200];

static size_t encode_req(uint8_t *buf, size_t cap, struct smb2_write_req *in)
{
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i ^ 0xA5);
    *in = (struct smb2_write_req){.length = sizeof(data),
                                  .offset = 1ull << 40,
                                  .file_id = {0xAAAA, 0xBBBB},
                                  .channel = SMB2_CHANNEL_NONE,
                                  .remaining_bytes = 3,
                                  .flags = SMB2_WRITEFLAG_WRITE_THROUGH,
                                  .data = data};
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_write_req_encode(&w, in)));
    return wr_pos(&w);
}

static void test_req_round_trip(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct smb2_write_req in, out;
    size_t len = encode_req(buf, sizeof(buf), &in);
    assert_int_equal(len, SMB2_WRITE_REQ_DATA_OFFSET + sizeof(data));
    assert_true(nt_ok(smb2_write_req_decode(buf, len, &out)));
    assert_int_equal(out.data_offset, SMB2_WRITE_REQ_DATA_OFFSET);
    assert_int_equal(out.length, in.length);
    assert_int_equal(out.offset, in.offset);
    assert_int_equal(out.file_id.persistent, in.file_id.persistent);
    assert_int_equal(out.file_id.volatile_id, in.file_id.volatile_id);
    assert_int_equal(out.channel, in.channel);
    assert_int_equal(out.remaining_bytes, in.remaining_bytes);
    assert_int_equal(out.flags, in.flags);
    assert_ptr_equal(out.data, buf + SMB2_WRITE_REQ_DATA_OFFSET);
    assert_memory_equal(out.data, data, sizeof(data));
    assert_false(out.rdma);
    assert_null(out.write_channel_info);
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(req_exact(buf, n, &out), STATUS_INVALID_PARAMETER));
}

static void test_req_iovec(void **state)
{
    (void)state;
    uint8_t buf[SMB2_WRITE_REQ_DATA_OFFSET + 64];
    struct smb2_write_req in = {.length = 64, .data = NULL}, out;
    struct wr w;
    wr_init(&w, buf, SMB2_WRITE_REQ_DATA_OFFSET);
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_write_req_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_WRITE_REQ_DATA_OFFSET);
    memset(buf + SMB2_WRITE_REQ_DATA_OFFSET, 0x11, 64);
    assert_true(nt_ok(smb2_write_req_decode(buf, sizeof(buf), &out)));
    assert_int_equal(out.length, 64);
    assert_ptr_equal(out.data, buf + SMB2_WRITE_REQ_DATA_OFFSET);
    /* zero-length write: one pad byte, no data */
    in.length = 0;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_write_req_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE + SMB2_WRITE_REQ_STRUCTURE_SIZE);
    assert_true(nt_ok(smb2_write_req_decode(buf, wr_pos(&w), &out)));
    assert_null(out.data);
}

static void test_req_bad(void **state)
{
    (void)state;
    uint8_t good[512], buf[512];
    struct smb2_write_req in, out;
    size_t len = encode_req(good, sizeof(good), &in);
    struct {
        size_t at;
        unsigned width;
        uint32_t v;
    } cases[] = {
        {64, 2, 48}, /* StructureSize */
        {64, 2, 17},
        {66, 2, 0},   /* DataOffset into the header */
        {66, 2, 100}, /* into the fixed part */
        {66, 2, 113}, /* data runs past the end */
        {68, 4, 201}, /* Length past the end */
        {68, 4, 0xFFFFFFFFu},
        {96, 4, 4},                    /* unknown channel */
        {96, 4, SMB2_CHANNEL_RDMA_V1}, /* RDMA without channel info */
        {104, 2, 100},                 /* channel info offset inside the fixed part, */
        {104, 2, 112},                 /* ...overlapping the data (length set below) */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(buf, good, len);
        if (cases[i].width == 2)
            le16_put(buf + cases[i].at, (uint16_t)cases[i].v);
        else
            le32_put(buf + cases[i].at, cases[i].v);
        if (cases[i].at == 104)
            le16_put(buf + 106, 8);
        assert_true(nt_eq(req_exact(buf, len, &out), STATUS_INVALID_PARAMETER));
    }
    /* RDMA channel with info in the Buffer (no inline data): decoded, flagged */
    memcpy(buf, good, len);
    le32_put(buf + 68, 0);
    le32_put(buf + 96, SMB2_CHANNEL_RDMA_V1_INVALIDATE);
    le16_put(buf + 104, 112);
    le16_put(buf + 106, 16);
    assert_true(nt_ok(req_exact(buf, len, &out)));
    assert_true(out.rdma);
    assert_int_equal(out.write_channel_info_len, 16);
    assert_true(nt_ok(smb2_write_req_decode(buf, len, &out)));
    assert_ptr_equal(out.write_channel_info, buf + 112);
    /* the encoder refuses channel info */
    in.write_channel_info_len = 16;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_eq(smb2_write_req_encode(&w, &in), STATUS_NOT_SUPPORTED));
}

static void test_rsp(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct smb2_write_rsp in = {.count = 65536, .remaining = 0}, out;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_write_rsp_encode(&w, &in)));
    size_t len = wr_pos(&w);
    assert_int_equal(len, SMB2_HDR_SIZE + SMB2_WRITE_RSP_STRUCTURE_SIZE);
    assert_true(nt_ok(smb2_write_rsp_decode(buf, len, &out)));
    assert_int_equal(out.count, in.count);
    assert_int_equal(out.remaining, in.remaining);
    for (size_t n = 0; n < SMB2_WRITE_RSP_FIXED_END; n++)
        assert_true(nt_eq(rsp_exact(buf, n), STATUS_INVALID_PARAMETER));
    le16_put(buf + 64, 16);
    assert_true(nt_eq(rsp_exact(buf, len), STATUS_INVALID_PARAMETER));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req_round_trip),
        cmocka_unit_test(test_req_iovec),
        cmocka_unit_test(test_req_bad),
        cmocka_unit_test(test_rsp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
