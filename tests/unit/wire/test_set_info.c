/* SMB2 SET_INFO: [MS-SMB2] 2.2.39 / 2.2.40, and the [MS-FSCC] classes it carries. */
#include "base/endian.h"
#include "wire/create.h"
#include "wire/set_info.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static ntstatus_t req_exact(const uint8_t *msg, size_t n)
{
    struct smb2_set_info_req out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_set_info_req_decode(copy, n, &out);
    free(copy);
    return st;
}

/* "new\name" */
static const uint8_t new_name[] = {'n', 0, 'e', 0, 'w', 0, '\\', 0, 'n', 0, 'a', 0, 'm', 0, 'e', 0};

static void test_rename_round_trip(void **state)
{
    (void)state;
    uint8_t info[64], msg[256], bad[256];
    struct fscc_rename_info ri = {.replace_if_exists = true,
                                  .root_directory = 0,
                                  .file_name = new_name,
                                  .file_name_len = sizeof(new_name)},
                            ri2;
    struct wr w;
    wr_init(&w, info, sizeof(info));
    assert_true(nt_ok(fscc_rename_info_encode(&w, &ri)));
    size_t ilen = wr_pos(&w);
    assert_int_equal(ilen, FSCC_RENAME_INFO_FIXED_SIZE + sizeof(new_name));

    struct smb2_set_info_req in = {.info_type = SMB2_0_INFO_FILE,
                                   .file_info_class = FileRenameInformation,
                                   .buffer = info,
                                   .buffer_length = (uint32_t)ilen,
                                   .additional_information = 0,
                                   .file_id = {31, 32}},
                             out;
    wr_init(&w, msg, sizeof(msg));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_set_info_req_encode(&w, &in)));
    size_t len = wr_pos(&w);
    assert_int_equal(len, SMB2_SET_INFO_REQ_FIXED_END + ilen);
    assert_true(nt_ok(smb2_set_info_req_decode(msg, len, &out)));
    assert_int_equal(out.info_type, in.info_type);
    assert_int_equal(out.file_info_class, in.file_info_class);
    assert_int_equal(out.buffer_length, in.buffer_length);
    assert_int_equal(out.additional_information, 0);
    assert_int_equal(out.file_id.persistent, 31);
    assert_int_equal(out.file_id.volatile_id, 32);
    assert_true(nt_ok(fscc_rename_info_decode(out.buffer, out.buffer_length, &ri2)));
    assert_true(ri2.replace_if_exists);
    assert_int_equal(ri2.root_directory, 0);
    assert_int_equal(ri2.file_name_len, sizeof(new_name));
    assert_memory_equal(ri2.file_name, new_name, sizeof(new_name));
    for (size_t n = 0; n < ilen; n++)
        assert_true(nt_eq(fscc_rename_info_decode(info, n, &ri2), STATUS_INVALID_PARAMETER));
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(req_exact(msg, n), STATUS_INVALID_PARAMETER));

    const struct {
        size_t at;
        unsigned width;
        uint32_t v;
    } cases[] = {{64, 2, 32},      {64, 2, 34},     {72, 2, 0},      {72, 2, 64},
                 {72, 2, 95},      {72, 2, 97},     {68, 4, 37},     {68, 4, 0xFFFFFFFFu},
                 {96 + 16, 4, 15}, {96 + 16, 4, 0}, {96 + 16, 4, 18}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(bad, msg, len);
        if (cases[i].width == 2)
            le16_put(bad + cases[i].at, (uint16_t)cases[i].v);
        else
            le32_put(bad + cases[i].at, cases[i].v);
        ntstatus_t st = smb2_set_info_req_decode(bad, len, &out);
        if (nt_ok(st)) /* the message is fine; the class is not */
            st = fscc_rename_info_decode(out.buffer, out.buffer_length, &ri2);
        assert_true(nt_eq(st, STATUS_INVALID_PARAMETER));
    }
    ri.file_name_len = 3;
    wr_init(&w, info, sizeof(info));
    assert_true(nt_eq(fscc_rename_info_encode(&w, &ri), STATUS_INVALID_PARAMETER));
}

static void test_basic_info(void **state)
{
    (void)state;
    uint8_t b[64];
    struct fscc_basic_info bi = {FSCC_TIME_UNCHANGED, FSCC_TIME_SUSPEND, 0x01D9000000000000ull,
                                 FSCC_TIME_RESUME, FILE_ATTRIBUTE_HIDDEN},
                           bi2;
    struct wr w;
    wr_init(&w, b, sizeof(b));
    assert_true(nt_ok(fscc_basic_info_encode(&w, &bi)));
    assert_int_equal(wr_pos(&w), FSCC_BASIC_INFO_SIZE);
    assert_int_equal(le64_get(b + 8), 0xFFFFFFFFFFFFFFFFull);
    assert_int_equal(le64_get(b + 24), 0xFFFFFFFFFFFFFFFEull);
    for (size_t n = 36; n <= 40; n++) {
        assert_true(nt_ok(fscc_basic_info_decode(b, n, &bi2)));
        assert_int_equal(bi2.creation_time, bi.creation_time);
        assert_int_equal(bi2.last_access_time, bi.last_access_time);
        assert_int_equal(bi2.last_write_time, bi.last_write_time);
        assert_int_equal(bi2.change_time, bi.change_time);
        assert_int_equal(bi2.file_attributes, bi.file_attributes);
    }
    for (size_t n = 0; n < 36; n++)
        assert_true(nt_eq(fscc_basic_info_decode(b, n, &bi2), STATUS_INVALID_PARAMETER));
}

static void test_small_classes(void **state)
{
    (void)state;
    uint8_t b[16];
    struct wr w;
    uint64_t v;
    wr_init(&w, b, sizeof(b));
    assert_true(nt_ok(fscc_u64_info_encode(&w, 1ull << 33)));
    assert_int_equal(wr_pos(&w), 8);
    assert_true(nt_ok(fscc_u64_info_decode(b, 8, &v)));
    assert_int_equal(v, 1ull << 33);
    for (size_t n = 0; n < 8; n++)
        assert_false(nt_ok(fscc_u64_info_decode(b, n, &v)));

    bool dp = false;
    wr_init(&w, b, sizeof(b));
    assert_true(nt_ok(fscc_disposition_info_encode(&w, true)));
    assert_int_equal(wr_pos(&w), 1);
    assert_true(nt_ok(fscc_disposition_info_decode(b, 1, &dp)));
    assert_true(dp);
    b[0] = 0;
    assert_true(nt_ok(fscc_disposition_info_decode(b, 1, &dp)));
    assert_false(dp);
    assert_false(nt_ok(fscc_disposition_info_decode(b, 0, &dp)));
}

static void test_rsp_and_empty(void **state)
{
    (void)state;
    uint8_t msg[128];
    struct wr w;
    wr_init(&w, msg, sizeof(msg));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_set_info_rsp_encode(&w)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE + 2);
    assert_true(nt_ok(smb2_set_info_rsp_decode(msg, wr_pos(&w))));
    for (size_t n = 0; n < SMB2_HDR_SIZE + 2; n++)
        assert_false(nt_ok(smb2_set_info_rsp_decode(msg, n)));
    le16_put(msg + 64, 4);
    assert_false(nt_ok(smb2_set_info_rsp_decode(msg, SMB2_HDR_SIZE + 2)));

    struct smb2_set_info_req in = {.info_type = SMB2_0_INFO_FILE,
                                   .file_info_class = FileDispositionInformation},
                             out;
    wr_init(&w, msg, sizeof(msg));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_set_info_req_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE + SMB2_SET_INFO_REQ_STRUCTURE_SIZE);
    assert_true(nt_ok(smb2_set_info_req_decode(msg, wr_pos(&w), &out)));
    assert_null(out.buffer);
    assert_int_equal(out.buffer_length, 0);
    in.buffer_length = 4; /* a length without a buffer */
    wr_init(&w, msg, sizeof(msg));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_eq(smb2_set_info_req_encode(&w, &in), STATUS_INVALID_PARAMETER));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rename_round_trip),
        cmocka_unit_test(test_basic_info),
        cmocka_unit_test(test_small_classes),
        cmocka_unit_test(test_rsp_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
