/* SMB2 CREATE: [MS-SMB2] 2.2.13 / 2.2.14. */
#include "base/endian.h"
#include "wire/create.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* "dir\file.txt" in UTF-16LE */
static const uint8_t name16[] = {'d', 0, 'i', 0, 'r', 0, '\\', 0, 'f', 0, 'i', 0,
                                 'l', 0, 'e', 0, '.', 0, 't',  0, 'x', 0, 't', 0};
static const uint8_t alsi[8] = {0, 0, 0x10, 0, 0, 0, 0, 0};
static const struct smb2_create_ctx req_ctxs[] = {
    {(const uint8_t *)"MxAc", 4, NULL, 0},
    {(const uint8_t *)"QFid", 4, NULL, 0},
    {(const uint8_t *)"AlSi", 4, alsi, 8},
};

static size_t encode_req(uint8_t *buf, size_t cap, struct smb2_create_req *in)
{
    *in = (struct smb2_create_req){
        .requested_oplock_level = SMB2_OPLOCK_LEVEL_BATCH,
        .impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
        .desired_access = FILE_READ_DATA | FILE_WRITE_DATA | SYNCHRONIZE,
        .file_attributes = FILE_ATTRIBUTE_NORMAL,
        .share_access = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
        .create_disposition = FILE_OPEN_IF,
        .create_options = FILE_NON_DIRECTORY_FILE,
        .name = name16,
        .name_len = sizeof(name16),
        .ctx_list = req_ctxs,
        .ctx_count = 3,
    };
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_create_req_encode(&w, in)));
    return wr_pos(&w);
}

static const uint8_t mxac_rsp[8] = {0, 0, 0, 0, 0xFF, 0x01, 0x1F, 0x00};
static const struct smb2_create_ctx rsp_ctxs[] = {{(const uint8_t *)"MxAc", 4, mxac_rsp, 8}};

static size_t encode_rsp(uint8_t *buf, size_t cap, struct smb2_create_rsp *in)
{
    *in = (struct smb2_create_rsp){
        .oplock_level = SMB2_OPLOCK_LEVEL_II,
        .flags = 0,
        .create_action = FILE_CREATED,
        .creation_time = 0x01D0000000000001ull,
        .last_access_time = 0x01D0000000000002ull,
        .last_write_time = 0x01D0000000000003ull,
        .change_time = 0x01D0000000000004ull,
        .allocation_size = 4096,
        .end_of_file = 1234,
        .file_attributes = FILE_ATTRIBUTE_ARCHIVE,
        .file_id = {0x1111222233334444ull, 0x5555666677778888ull},
        .ctx_list = rsp_ctxs,
        .ctx_count = 1,
    };
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_create_rsp_encode(&w, in)));
    return wr_pos(&w);
}

/* Decode a heap copy of exactly n bytes so that ASan sees any overread. */
static ntstatus_t req_exact(const uint8_t *msg, size_t n)
{
    struct smb2_create_req out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_create_req_decode(copy, n, &out);
    free(copy);
    return st;
}

static ntstatus_t rsp_exact(const uint8_t *msg, size_t n)
{
    struct smb2_create_rsp out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_create_rsp_decode(copy, n, &out);
    free(copy);
    return st;
}

static void test_req_round_trip(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct smb2_create_req in, out;
    size_t len = encode_req(buf, sizeof(buf), &in);
    assert_int_equal(le16_get(buf + 108), 120); /* NameOffset */
    assert_int_equal(le32_get(buf + 112) % 8, 0);
    assert_true(nt_ok(smb2_create_req_decode(buf, len, &out)));
    assert_int_equal(out.security_flags, in.security_flags);
    assert_int_equal(out.requested_oplock_level, in.requested_oplock_level);
    assert_int_equal(out.impersonation_level, in.impersonation_level);
    assert_int_equal(out.smb_create_flags, in.smb_create_flags);
    assert_int_equal(out.desired_access, in.desired_access);
    assert_int_equal(out.file_attributes, in.file_attributes);
    assert_int_equal(out.share_access, in.share_access);
    assert_int_equal(out.create_disposition, in.create_disposition);
    assert_int_equal(out.create_options, in.create_options);
    assert_int_equal(out.name_len, in.name_len);
    assert_memory_equal(out.name, in.name, in.name_len);
    char name[64];
    assert_true(nt_ok(smb2_create_req_name(&out, name, sizeof(name))));
    assert_string_equal(name, "dir\\file.txt");
    struct smb2_create_ctx_iter it;
    struct smb2_create_ctx c;
    smb2_create_ctx_iter_init(&it, out.create_contexts, out.create_contexts_len);
    for (size_t i = 0; i < 3; i++) {
        assert_true(smb2_create_ctx_next(&it, &c));
        assert_memory_equal(c.name, req_ctxs[i].name, 4);
        assert_int_equal(c.data_len, req_ctxs[i].data_len);
    }
    assert_false(smb2_create_ctx_next(&it, &c));
    assert_true(nt_ok(smb2_create_ctx_iter_status(&it)));
    uint64_t as;
    assert_true(nt_ok(smb2_ctx_alsi_decode(&c, &as)));
    assert_int_equal(as, 0x100000);

    /* re-encoding with the raw chain gives the same bytes */
    uint8_t buf2[512];
    struct wr w;
    wr_init(&w, buf2, sizeof(buf2));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_create_req_encode(&w, &out)));
    assert_int_equal(wr_pos(&w), len);
    assert_memory_equal(buf2, buf, len);
}

static void test_req_empty_name(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct smb2_create_req in = {.desired_access = FILE_READ_ATTRIBUTES,
                                 .create_disposition = FILE_OPEN,
                                 .create_options = FILE_DIRECTORY_FILE},
                           out;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_create_req_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE + SMB2_CREATE_REQ_STRUCTURE_SIZE);
    assert_true(nt_ok(smb2_create_req_decode(buf, wr_pos(&w), &out)));
    assert_int_equal(out.name_len, 0);
    assert_null(out.name);
    assert_int_equal(out.create_contexts_len, 0);
    char name[8];
    assert_true(nt_ok(smb2_create_req_name(&out, name, sizeof(name))));
    assert_string_equal(name, "");
    /* NameOffset 0 with NameLength 0 is allowed; into the header it is not */
    le16_put(buf + 108, 0);
    assert_true(nt_ok(req_exact(buf, wr_pos(&w))));
    le16_put(buf + 108, 10);
    assert_true(nt_eq(req_exact(buf, wr_pos(&w)), STATUS_INVALID_PARAMETER));
}

static void test_rsp_round_trip(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct smb2_create_rsp in, out;
    size_t len = encode_rsp(buf, sizeof(buf), &in);
    assert_int_equal(le32_get(buf + 144), 152);
    assert_true(nt_ok(smb2_create_rsp_decode(buf, len, &out)));
    assert_int_equal(out.oplock_level, in.oplock_level);
    assert_int_equal(out.flags, in.flags);
    assert_int_equal(out.create_action, in.create_action);
    assert_int_equal(out.creation_time, in.creation_time);
    assert_int_equal(out.last_access_time, in.last_access_time);
    assert_int_equal(out.last_write_time, in.last_write_time);
    assert_int_equal(out.change_time, in.change_time);
    assert_int_equal(out.allocation_size, in.allocation_size);
    assert_int_equal(out.end_of_file, in.end_of_file);
    assert_int_equal(out.file_attributes, in.file_attributes);
    assert_int_equal(out.file_id.persistent, in.file_id.persistent);
    assert_int_equal(out.file_id.volatile_id, in.file_id.volatile_id);
    struct smb2_create_ctx c;
    assert_true(
        nt_ok(smb2_create_ctx_find(out.create_contexts, out.create_contexts_len, "MxAc", 4, &c)));
    struct smb2_ctx_mxac_rsp m;
    assert_true(nt_ok(smb2_ctx_mxac_rsp_decode(&c, &m)));
    assert_int_equal(m.maximal_access, 0x001F01FF);

    /* without contexts: offset 0, one pad byte */
    in.ctx_count = 0;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_create_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE + SMB2_CREATE_RSP_STRUCTURE_SIZE);
    assert_true(nt_ok(smb2_create_rsp_decode(buf, wr_pos(&w), &out)));
    assert_int_equal(out.create_contexts_len, 0);
}

static void test_truncations(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct smb2_create_req rq;
    struct smb2_create_rsp rs;
    size_t len = encode_req(buf, sizeof(buf), &rq);
    assert_true(nt_ok(req_exact(buf, len)));
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(req_exact(buf, n), STATUS_INVALID_PARAMETER));
    len = encode_rsp(buf, sizeof(buf), &rs);
    assert_true(nt_ok(rsp_exact(buf, len)));
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(rsp_exact(buf, n), STATUS_INVALID_PARAMETER));
}

static void test_bad_structure_size(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct smb2_create_req rq;
    struct smb2_create_rsp rs;
    size_t len = encode_req(buf, sizeof(buf), &rq);
    const uint16_t bad[] = {0, 56, 58, 89};
    for (size_t i = 0; i < 4; i++) {
        le16_put(buf + 64, bad[i]);
        assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    }
    len = encode_rsp(buf, sizeof(buf), &rs);
    le16_put(buf + 64, 88);
    assert_true(nt_eq(rsp_exact(buf, len), STATUS_INVALID_PARAMETER));
}

static void test_req_bad_offsets(void **state)
{
    (void)state;
    uint8_t good[512], buf[512];
    struct smb2_create_req rq;
    size_t len = encode_req(good, sizeof(good), &rq);
    uint32_t ctx_off = le32_get(good + 112), ctx_len = le32_get(good + 116);
    struct {
        size_t at;
        unsigned width;
        uint32_t v;
    } cases[] = {
        {108, 2, 0},             /* name in the header */
        {108, 2, 64},            /* name over StructureSize */
        {108, 2, 118},           /* name in the fixed part */
        {108, 2, (uint32_t)len}, /* name past the end */
        {110, 2, 23},            /* odd name length */
        {110, 2, 0xFFFE},        /* name past the end */
        {110, 2, 26},            /* name overlaps the contexts */
        {112, 4, 0},             /* contexts in the header */
        {112, 4, 116},           /* contexts in the fixed part, unaligned */
        {112, 4, 112},           /* contexts in the fixed part */
        {112, 4, ctx_off + 4},   /* unaligned */
        {112, 4, ctx_off + 8},   /* past the end */
        {112, 4, 0xFFFFFFF8u},
        {116, 4, ctx_len + 1}, /* past the end */
        {116, 4, 0xFFFFFFFFu},
        {116, 4, 8},     /* chain cut inside its first element */
        {ctx_off, 4, 4}, /* the first element's Next is bad */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(buf, good, len);
        if (cases[i].width == 2)
            le16_put(buf + cases[i].at, (uint16_t)cases[i].v);
        else
            le32_put(buf + cases[i].at, cases[i].v);
        assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    }
}

static void test_rsp_bad_offsets(void **state)
{
    (void)state;
    uint8_t good[512], buf[512];
    struct smb2_create_rsp rs;
    size_t len = encode_rsp(good, sizeof(good), &rs);
    const uint32_t offs[] = {0, 64, 144, 148, 156, 160, 0x80000000u};
    for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        memcpy(buf, good, len);
        le32_put(buf + 144, offs[i]);
        assert_true(nt_eq(rsp_exact(buf, len), STATUS_INVALID_PARAMETER));
    }
}

static void test_encode_small_buffer(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct smb2_create_req rq;
    size_t len = encode_req(buf, sizeof(buf), &rq);
    for (size_t cap = SMB2_HDR_SIZE; cap < len; cap++) {
        struct wr w;
        wr_init(&w, buf, cap);
        wr_zero(&w, SMB2_HDR_SIZE);
        assert_true(nt_eq(smb2_create_req_encode(&w, &rq), STATUS_BUFFER_TOO_SMALL));
    }
    rq.name_len = 3;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_eq(smb2_create_req_encode(&w, &rq), STATUS_INVALID_PARAMETER));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req_round_trip),     cmocka_unit_test(test_req_empty_name),
        cmocka_unit_test(test_rsp_round_trip),     cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_bad_structure_size), cmocka_unit_test(test_req_bad_offsets),
        cmocka_unit_test(test_rsp_bad_offsets),    cmocka_unit_test(test_encode_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
