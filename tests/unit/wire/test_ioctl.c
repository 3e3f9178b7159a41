/* SMB2 IOCTL: [MS-SMB2] 2.2.31 / 2.2.32, VALIDATE_NEGOTIATE_INFO 2.2.31.4 / 2.2.32.6. */
#include "base/endian.h"
#include "wire/ioctl.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static ntstatus_t req_exact(const uint8_t *msg, size_t n)
{
    struct smb2_ioctl_req out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_ioctl_req_decode(copy, n, &out);
    free(copy);
    return st;
}

static ntstatus_t rsp_exact(const uint8_t *msg, size_t n)
{
    struct smb2_ioctl_rsp out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_ioctl_rsp_decode(copy, n, &out);
    free(copy);
    return st;
}

static const struct smb2_validate_negotiate_req vni_in = {
    .capabilities = SMB2_GLOBAL_CAP_LARGE_MTU | SMB2_GLOBAL_CAP_ENCRYPTION,
    .guid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16},
    .security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED,
    .dialect_count = 4,
    .dialects = {0x0202, 0x0210, 0x0300, 0x0302},
};

static size_t encode_req(uint8_t *buf, size_t cap, struct smb2_ioctl_req *in, uint8_t *vni,
                         size_t *vni_len)
{
    struct wr v;
    wr_init(&v, vni, 64);
    assert_true(nt_ok(smb2_validate_negotiate_req_encode(&v, &vni_in)));
    *vni_len = wr_pos(&v);
    assert_int_equal(*vni_len, 24 + 8);
    *in = (struct smb2_ioctl_req){.ctl_code = FSCTL_VALIDATE_NEGOTIATE_INFO,
                                  .file_id = {UINT64_MAX, UINT64_MAX},
                                  .input = vni,
                                  .input_count = (uint32_t)*vni_len,
                                  .max_input_response = 0,
                                  .max_output_response = SMB2_VNI_RSP_SIZE,
                                  .flags = SMB2_0_IOCTL_IS_FSCTL};
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_ioctl_req_encode(&w, in)));
    return wr_pos(&w);
}

static void test_req_round_trip_vni(void **state)
{
    (void)state;
    uint8_t buf[256], vni[64];
    size_t vni_len;
    struct smb2_ioctl_req in, out;
    size_t len = encode_req(buf, sizeof(buf), &in, vni, &vni_len);
    assert_int_equal(le32_get(buf + 88), SMB2_IOCTL_REQ_FIXED_END);
    assert_true(nt_ok(smb2_ioctl_req_decode(buf, len, &out)));
    assert_int_equal(out.ctl_code, in.ctl_code);
    assert_int_equal(out.file_id.persistent, UINT64_MAX);
    assert_int_equal(out.file_id.volatile_id, UINT64_MAX);
    assert_int_equal(out.input_count, in.input_count);
    assert_memory_equal(out.input, vni, vni_len);
    assert_int_equal(out.max_input_response, in.max_input_response);
    assert_int_equal(out.output_count, 0);
    assert_null(out.output);
    assert_int_equal(out.max_output_response, in.max_output_response);
    assert_int_equal(out.flags, in.flags);

    struct smb2_validate_negotiate_req v;
    assert_true(nt_ok(smb2_validate_negotiate_req_decode(out.input, out.input_count, &v)));
    assert_int_equal(v.capabilities, vni_in.capabilities);
    assert_memory_equal(v.guid, vni_in.guid, 16);
    assert_int_equal(v.security_mode, vni_in.security_mode);
    assert_int_equal(v.dialect_count, 4);
    assert_memory_equal(v.dialects, vni_in.dialects, 8);
    for (size_t n = 0; n < vni_len; n++)
        assert_true(
            nt_eq(smb2_validate_negotiate_req_decode(vni, n, &v), STATUS_INVALID_PARAMETER));
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(req_exact(buf, n), STATUS_INVALID_PARAMETER));
}

static void test_vni_bad_counts(void **state)
{
    (void)state;
    uint8_t vni[64] = {0};
    struct smb2_validate_negotiate_req v;
    le16_put(vni + 22, 0);
    assert_false(nt_ok(smb2_validate_negotiate_req_decode(vni, sizeof(vni), &v)));
    le16_put(vni + 22, SMB2_VNI_MAX_DIALECTS + 1);
    assert_false(nt_ok(smb2_validate_negotiate_req_decode(vni, sizeof(vni), &v)));
    le16_put(vni + 22, SMB2_VNI_MAX_DIALECTS);
    assert_true(nt_ok(smb2_validate_negotiate_req_decode(vni, sizeof(vni), &v)));
    assert_false(nt_ok(smb2_validate_negotiate_req_decode(vni, 24 + 31, &v)));
    struct smb2_validate_negotiate_req bad = {.dialect_count = 0};
    struct wr w;
    wr_init(&w, vni, sizeof(vni));
    assert_true(nt_eq(smb2_validate_negotiate_req_encode(&w, &bad), STATUS_INVALID_PARAMETER));
}

static void test_req_bad_offsets(void **state)
{
    (void)state;
    uint8_t good[256], buf[256], vni[64];
    size_t vni_len;
    struct smb2_ioctl_req in;
    size_t len = encode_req(good, sizeof(good), &in, vni, &vni_len);
    struct {
        size_t at;
        uint32_t v;
    } cases[] = {
        {88, 0},  {88, 64},          {88, 112}, {88, 121}, {88, 0xFFFFFFF0u}, /* InputOffset */
        {92, 33}, {92, 0xFFFFFFFFu},                                          /* InputCount */
        {64, 56}, /* StructureSize (u16) */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(buf, good, len);
        if (cases[i].at == 64)
            le16_put(buf + 64, (uint16_t)cases[i].v);
        else
            le32_put(buf + cases[i].at, cases[i].v);
        assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    }
    /* an output buffer overlapping the input */
    memcpy(buf, good, len);
    le32_put(buf + 100, 128);
    le32_put(buf + 104, 8);
    assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    /* ... and one that does not (the last 8 bytes, input shortened) */
    le32_put(buf + 92, 24);
    le32_put(buf + 100, 144);
    assert_true(nt_ok(req_exact(buf, len)));
    /* an output offset into the fixed part with count 0 is refused too */
    memcpy(buf, good, len);
    le32_put(buf + 100, 100);
    assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
}

static void test_rsp_round_trip(void **state)
{
    (void)state;
    uint8_t buf[256], outbuf[SMB2_VNI_RSP_SIZE];
    struct smb2_validate_negotiate_rsp vr = {.capabilities = SMB2_GLOBAL_CAP_LARGE_MTU,
                                             .guid = {9, 9, 9},
                                             .security_mode = SMB2_NEGOTIATE_SIGNING_REQUIRED,
                                             .dialect = 0x0302},
                                       vr2;
    struct wr v;
    wr_init(&v, outbuf, sizeof(outbuf));
    assert_true(nt_ok(smb2_validate_negotiate_rsp_encode(&v, &vr)));
    assert_int_equal(wr_pos(&v), SMB2_VNI_RSP_SIZE);
    struct smb2_ioctl_rsp in = {.ctl_code = FSCTL_VALIDATE_NEGOTIATE_INFO,
                                .file_id = {UINT64_MAX, UINT64_MAX},
                                .output = outbuf,
                                .output_count = sizeof(outbuf),
                                .flags = 0},
                          out;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_ioctl_rsp_encode(&w, &in)));
    size_t len = wr_pos(&w);
    assert_int_equal(len, SMB2_IOCTL_RSP_FIXED_END + SMB2_VNI_RSP_SIZE);
    assert_true(nt_ok(smb2_ioctl_rsp_decode(buf, len, &out)));
    assert_int_equal(out.ctl_code, in.ctl_code);
    assert_int_equal(out.file_id.persistent, UINT64_MAX);
    assert_int_equal(out.input_count, 0);
    assert_null(out.input);
    assert_int_equal(out.output_count, SMB2_VNI_RSP_SIZE);
    assert_int_equal(out.flags, 0);
    assert_true(nt_ok(smb2_validate_negotiate_rsp_decode(out.output, out.output_count, &vr2)));
    assert_int_equal(vr2.capabilities, vr.capabilities);
    assert_memory_equal(vr2.guid, vr.guid, 16);
    assert_int_equal(vr2.security_mode, vr.security_mode);
    assert_int_equal(vr2.dialect, vr.dialect);
    for (size_t n = 0; n < SMB2_VNI_RSP_SIZE; n++)
        assert_false(nt_ok(smb2_validate_negotiate_rsp_decode(outbuf, n, &vr2)));
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(rsp_exact(buf, n), STATUS_INVALID_PARAMETER));
    const uint32_t bad_offs[] = {0, 64, 104, 113, 120};
    for (size_t i = 0; i < sizeof(bad_offs) / sizeof(bad_offs[0]); i++) {
        le32_put(buf + 96, bad_offs[i]);
        assert_true(nt_eq(rsp_exact(buf, len), STATUS_INVALID_PARAMETER));
    }
    le32_put(buf + 96, SMB2_IOCTL_RSP_FIXED_END);
    le16_put(buf + 64, 48);
    assert_true(nt_eq(rsp_exact(buf, len), STATUS_INVALID_PARAMETER));
}

static void test_empty(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct smb2_ioctl_req in = {.ctl_code = FSCTL_QUERY_NETWORK_INTERFACE_INFO,
                                .max_output_response = 65536,
                                .flags = SMB2_0_IOCTL_IS_FSCTL},
                          out;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_ioctl_req_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE + SMB2_IOCTL_REQ_STRUCTURE_SIZE);
    assert_true(nt_ok(smb2_ioctl_req_decode(buf, wr_pos(&w), &out)));
    assert_int_equal(out.input_count, 0);
    assert_int_equal(out.max_output_response, 65536);
    /* a count without data is an encoding error */
    in.input_count = 4;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_eq(smb2_ioctl_req_encode(&w, &in), STATUS_INVALID_PARAMETER));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req_round_trip_vni),
        cmocka_unit_test(test_vni_bad_counts),
        cmocka_unit_test(test_req_bad_offsets),
        cmocka_unit_test(test_rsp_round_trip),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
