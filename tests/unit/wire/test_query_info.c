/* SMB2 QUERY_INFO: [MS-SMB2] 2.2.37 / 2.2.38, and the [MS-FSCC] classes it returns. */
#include "base/endian.h"
#include "base/utf16.h"
#include "wire/create.h"
#include "wire/query_info.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static ntstatus_t req_exact(const uint8_t *msg, size_t n)
{
    struct smb2_query_info_req out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_query_info_req_decode(copy, n, &out);
    free(copy);
    return st;
}

static ntstatus_t rsp_exact(const uint8_t *msg, size_t n)
{
    struct smb2_query_info_rsp out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_query_info_rsp_decode(copy, n, &out);
    free(copy);
    return st;
}

static void test_req(void **state)
{
    (void)state;
    uint8_t good[256], buf[256];
    static const uint8_t ea_list[] = {0, 0, 0, 0, 3, 'a', 'b', 'c', 0};
    struct smb2_query_info_req in = {.info_type = SMB2_0_INFO_FILE,
                                     .file_info_class = FileFullEaInformation,
                                     .output_buffer_length = 65536,
                                     .input_buffer = ea_list,
                                     .input_buffer_length = sizeof(ea_list),
                                     .additional_information = 0,
                                     .flags = SL_RESTART_SCAN,
                                     .file_id = {21, 22}},
                               out;
    struct wr w;
    wr_init(&w, good, sizeof(good));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_query_info_req_encode(&w, &in)));
    size_t len = wr_pos(&w);
    assert_int_equal(len, SMB2_QUERY_INFO_REQ_FIXED_END + sizeof(ea_list));
    assert_true(nt_ok(smb2_query_info_req_decode(good, len, &out)));
    assert_int_equal(out.info_type, in.info_type);
    assert_int_equal(out.file_info_class, in.file_info_class);
    assert_int_equal(out.output_buffer_length, in.output_buffer_length);
    assert_int_equal(out.input_buffer_length, in.input_buffer_length);
    assert_memory_equal(out.input_buffer, ea_list, sizeof(ea_list));
    assert_int_equal(out.additional_information, in.additional_information);
    assert_int_equal(out.flags, in.flags);
    assert_int_equal(out.file_id.persistent, 21);
    assert_int_equal(out.file_id.volatile_id, 22);
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(req_exact(good, n), STATUS_INVALID_PARAMETER));
    const struct {
        size_t at;
        unsigned width;
        uint32_t v;
    } cases[] = {{64, 2, 40},  {64, 2, 42},  {72, 2, 0},  {72, 2, 64},
                 {72, 2, 100}, {72, 2, 105}, {76, 4, 10}, {76, 4, 0xFFFFFFFFu}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(buf, good, len);
        if (cases[i].width == 2)
            le16_put(buf + cases[i].at, (uint16_t)cases[i].v);
        else
            le32_put(buf + cases[i].at, cases[i].v);
        assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    }
    /* the common query: no input buffer */
    in = (struct smb2_query_info_req){.info_type = SMB2_0_INFO_SECURITY,
                                      .additional_information =
                                          OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                      .output_buffer_length = 4096};
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_query_info_req_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE + SMB2_QUERY_INFO_REQ_STRUCTURE_SIZE);
    assert_true(nt_ok(smb2_query_info_req_decode(buf, wr_pos(&w), &out)));
    assert_null(out.input_buffer);
    assert_int_equal(out.additional_information, in.additional_information);
}

static const struct fscc_all_info all_in = {
    .basic = {1, 2, 3, 4, FILE_ATTRIBUTE_ARCHIVE},
    .standard = {8192, 5000, 1, false, false},
    .index_number = 0x1234,
    .ea_size = 0,
    .access_flags = 0x001F01FF,
    .current_offset = 77,
    .mode = 0,
    .alignment = 0,
    .name = "\\dir\\f\xc3\xbc.txt",
    .name_len = 12,
};

static void test_rsp_all_info_in_place(void **state)
{
    (void)state;
    uint8_t msg[512];
    struct wr w;
    wr_init(&w, msg, sizeof(msg));
    wr_zero(&w, SMB2_HDR_SIZE);
    size_t body = wr_pos(&w);
    assert_true(nt_ok(smb2_query_info_rsp_begin(&w)));
    assert_true(nt_ok(fscc_all_info_encode(&w, &all_in)));
    assert_true(nt_ok(smb2_query_info_rsp_finish(&w, body)));
    size_t len = wr_pos(&w);
    struct smb2_query_info_rsp rsp;
    assert_true(nt_ok(smb2_query_info_rsp_decode(msg, len, &rsp)));
    assert_ptr_equal(rsp.output_buffer, msg + SMB2_QUERY_INFO_RSP_FIXED_END);
    assert_int_equal(rsp.output_buffer_length, FSCC_ALL_INFO_FIXED_SIZE + 22);
    struct fscc_all_info out;
    assert_true(nt_ok(fscc_all_info_decode(rsp.output_buffer, rsp.output_buffer_length, &out)));
    assert_int_equal(out.basic.creation_time, 1);
    assert_int_equal(out.basic.last_access_time, 2);
    assert_int_equal(out.basic.last_write_time, 3);
    assert_int_equal(out.basic.change_time, 4);
    assert_int_equal(out.basic.file_attributes, FILE_ATTRIBUTE_ARCHIVE);
    assert_int_equal(out.ea_size, 0);
    assert_int_equal(out.mode, 0);
    assert_int_equal(out.alignment, 0);
    assert_int_equal(out.standard.allocation_size, 8192);
    assert_int_equal(out.standard.end_of_file, 5000);
    assert_int_equal(out.standard.number_of_links, 1);
    assert_false(out.standard.delete_pending);
    assert_false(out.standard.directory);
    assert_int_equal(out.index_number, all_in.index_number);
    assert_int_equal(out.access_flags, all_in.access_flags);
    assert_int_equal(out.current_offset, all_in.current_offset);
    char name[64];
    size_t n;
    assert_true(nt_ok(utf16le_to_utf8(out.file_name, out.file_name_len, name, sizeof(name), &n)));
    assert_string_equal(name, all_in.name);
    for (size_t k = 0; k < rsp.output_buffer_length; k++)
        assert_false(nt_ok(fscc_all_info_decode(rsp.output_buffer, k, &out)));
    for (size_t k = 0; k < len; k++)
        assert_true(nt_eq(rsp_exact(msg, k), STATUS_INVALID_PARAMETER));
    le16_put(msg + 66, 70);
    assert_true(nt_eq(rsp_exact(msg, len), STATUS_INVALID_PARAMETER));
    le16_put(msg + 66, 72);
    le16_put(msg + 64, 8);
    assert_true(nt_eq(rsp_exact(msg, len), STATUS_INVALID_PARAMETER));
    /* too small for the class: the encoder says so */
    wr_init(&w, msg, SMB2_HDR_SIZE + 8 + 50);
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_query_info_rsp_begin(&w)));
    assert_true(nt_eq(fscc_all_info_encode(&w, &all_in), STATUS_BUFFER_TOO_SMALL));
    assert_true(nt_eq(smb2_query_info_rsp_finish(&w, SMB2_HDR_SIZE), STATUS_BUFFER_TOO_SMALL));
}

static void test_rsp_copy(void **state)
{
    (void)state;
    uint8_t msg[256], info[8];
    struct wr w;
    wr_init(&w, info, sizeof(info));
    assert_true(nt_ok(fscc_attribute_tag_info_encode(
        &w, &(struct fscc_attribute_tag_info){FILE_ATTRIBUTE_REPARSE_POINT, 0xA000000Cu})));
    struct smb2_query_info_rsp in = {info, sizeof(info)}, out;
    wr_init(&w, msg, sizeof(msg));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_query_info_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_QUERY_INFO_RSP_FIXED_END + 8);
    assert_true(nt_ok(smb2_query_info_rsp_decode(msg, wr_pos(&w), &out)));
    assert_int_equal(le32_get(out.output_buffer), FILE_ATTRIBUTE_REPARSE_POINT);
    assert_int_equal(le32_get(out.output_buffer + 4), 0xA000000Cu);
    in.output_buffer_length = 0;
    wr_init(&w, msg, sizeof(msg));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_query_info_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE + 9);
}

static void test_fixed_classes(void **state)
{
    (void)state;
    uint8_t b[128];
    struct wr w;
    struct fscc_standard_info si = {4096, 100, 2, true, true}, si2;
    wr_init(&w, b, sizeof(b));
    assert_true(nt_ok(fscc_standard_info_encode(&w, &si)));
    assert_int_equal(wr_pos(&w), FSCC_STANDARD_INFO_SIZE);
    assert_true(nt_ok(fscc_standard_info_decode(b, wr_pos(&w), &si2)));
    assert_int_equal(si2.allocation_size, 4096);
    assert_int_equal(si2.end_of_file, 100);
    assert_int_equal(si2.number_of_links, 2);
    assert_true(si2.delete_pending && si2.directory);
    assert_false(nt_ok(fscc_standard_info_decode(b, 23, &si2)));

    struct fscc_network_open_info no = {1, 2, 3, 4, 5, 6, FILE_ATTRIBUTE_DIRECTORY}, no2;
    wr_init(&w, b, sizeof(b));
    assert_true(nt_ok(fscc_network_open_info_encode(&w, &no)));
    assert_int_equal(wr_pos(&w), FSCC_NETWORK_OPEN_INFO_SIZE);
    assert_true(nt_ok(fscc_network_open_info_decode(b, wr_pos(&w), &no2)));
    assert_int_equal(no2.creation_time, 1);
    assert_int_equal(no2.last_access_time, 2);
    assert_int_equal(no2.last_write_time, 3);
    assert_int_equal(no2.change_time, 4);
    assert_int_equal(no2.allocation_size, 5);
    assert_int_equal(no2.end_of_file, 6);
    assert_int_equal(no2.file_attributes, FILE_ATTRIBUTE_DIRECTORY);
    assert_false(nt_ok(fscc_network_open_info_decode(b, 55, &no2)));

    uint32_t v;
    wr_init(&w, b, sizeof(b));
    assert_true(nt_ok(fscc_u32_info_encode(&w, 0x00120089)));
    assert_true(nt_ok(fscc_u32_info_decode(b, 4, &v)));
    assert_int_equal(v, 0x00120089);
    assert_false(nt_ok(fscc_u32_info_decode(b, 3, &v)));

    struct fscc_fs_full_size_info fs = {1000, 500, 400, 8, 512}, fs2;
    wr_init(&w, b, sizeof(b));
    assert_true(nt_ok(fscc_fs_full_size_info_encode(&w, &fs)));
    assert_int_equal(wr_pos(&w), 32);
    assert_true(nt_ok(fscc_fs_full_size_info_decode(b, 32, &fs2)));
    assert_int_equal(fs2.total_allocation_units, 1000);
    assert_int_equal(fs2.caller_available_allocation_units, 500);
    assert_int_equal(fs2.actual_available_allocation_units, 400);
    assert_int_equal(fs2.sectors_per_allocation_unit, 8);
    assert_int_equal(fs2.bytes_per_sector, 512);
    assert_false(nt_ok(fscc_fs_full_size_info_decode(b, 31, &fs2)));

    wr_init(&w, b, sizeof(b));
    assert_true(nt_ok(fscc_fs_size_info_encode(&w, &(struct fscc_fs_size_info){10, 5, 8, 512})));
    assert_int_equal(wr_pos(&w), 24);
    assert_int_equal(le64_get(b + 8), 5);
    assert_int_equal(le32_get(b + 20), 512);

    wr_init(&w, b, sizeof(b));
    assert_true(nt_ok(fscc_fs_device_info_encode(
        &w, &(struct fscc_fs_device_info){FILE_DEVICE_DISK, FILE_DEVICE_IS_MOUNTED})));
    assert_int_equal(wr_pos(&w), 8);
    assert_int_equal(le32_get(b), FILE_DEVICE_DISK);
}

static void test_named_classes(void **state)
{
    (void)state;
    uint8_t b[256];
    struct wr w;
    wr_init(&w, b, sizeof(b));
    struct fscc_fs_attribute_info fa = {FILE_CASE_SENSITIVE_SEARCH | FILE_CASE_PRESERVED_NAMES |
                                            FILE_UNICODE_ON_DISK,
                                        255, "NTFS", 4};
    assert_true(nt_ok(fscc_fs_attribute_info_encode(&w, &fa)));
    assert_int_equal(wr_pos(&w), 12 + 8);
    assert_int_equal(le32_get(b), fa.file_system_attributes);
    assert_int_equal(le32_get(b + 4), 255);
    assert_int_equal(le32_get(b + 8), 8);
    assert_memory_equal(b + 12, "N\0T\0F\0S\0", 8);

    wr_init(&w, b, sizeof(b));
    struct fscc_fs_volume_info fv = {0x01D0000000000000ull, 0xCAFEBABE, false, "share", 5};
    assert_true(nt_ok(fscc_fs_volume_info_encode(&w, &fv)));
    assert_int_equal(wr_pos(&w), 18 + 10);
    assert_int_equal(le64_get(b), fv.volume_creation_time);
    assert_int_equal(le32_get(b + 8), 0xCAFEBABE);
    assert_int_equal(le32_get(b + 12), 10);
    assert_int_equal(b[16], 0);
    assert_memory_equal(b + 18, "s\0h\0a\0r\0e\0", 10);

    /* streams: "::$DATA" (7 chars, 24 + 14 = 38 -> next at 40) and ":x:$DATA" */
    const struct fscc_stream_entry st[2] = {
        {.name = "::$DATA", .name_len = 7, .stream_size = 9, .stream_allocation_size = 4096},
        {.name = ":x:$DATA", .name_len = 8, .stream_size = 1, .stream_allocation_size = 8}};
    wr_init(&w, b, sizeof(b));
    assert_true(nt_ok(fscc_stream_info_encode(&w, st, 2)));
    assert_int_equal(wr_pos(&w), 40 + 24 + 16);
    assert_int_equal(le32_get(b), 40);
    assert_int_equal(le32_get(b + 4), 14);
    assert_int_equal(le64_get(b + 8), 9);
    assert_int_equal(le64_get(b + 16), 4096);
    assert_memory_equal(b + 24, ":\0:\0$\0D\0A\0T\0A\0", 14);
    assert_int_equal(le32_get(b + 40), 0);
    assert_int_equal(le32_get(b + 44), 16);
    /* ill-formed UTF-8 and a full buffer fail */
    wr_init(&w, b, sizeof(b));
    fa.name = "\xc3";
    fa.name_len = 1;
    assert_true(nt_eq(fscc_fs_attribute_info_encode(&w, &fa), STATUS_OBJECT_NAME_INVALID));
    wr_init(&w, b, 60);
    assert_true(nt_eq(fscc_stream_info_encode(&w, st, 2), STATUS_BUFFER_TOO_SMALL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req),           cmocka_unit_test(test_rsp_all_info_in_place),
        cmocka_unit_test(test_rsp_copy),      cmocka_unit_test(test_fixed_classes),
        cmocka_unit_test(test_named_classes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
