/* SMB2 QUERY_DIRECTORY: [MS-SMB2] 2.2.33 / 2.2.34, [MS-FSCC] 2.4 directory classes. */
#include "base/endian.h"
#include "base/utf16.h"
#include "wire/create.h"
#include "wire/query_directory.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const uint8_t classes[] = {FileDirectoryInformation,       FileFullDirectoryInformation,
                                  FileBothDirectoryInformation,   FileIdBothDirectoryInformation,
                                  FileIdFullDirectoryInformation, FileNamesInformation};
static const char *const names[] = {".", "caf\xc3\xa9.txt", "a-much-longer-file-name.tar.gz"};

static struct fscc_dir_entry make_entry(size_t i)
{
    struct fscc_dir_entry e = {
        .file_index = (uint32_t)i + 1,
        .creation_time = 0x01D0000000000000ull + i,
        .last_access_time = 0x01D0000000000100ull + i,
        .last_write_time = 0x01D0000000000200ull + i,
        .change_time = 0x01D0000000000300ull + i,
        .end_of_file = 1000 * i,
        .allocation_size = 4096 * i,
        .file_attributes = i == 0 ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE,
        .ea_size = (uint32_t)i * 3,
        .file_id = 0xF00D0000ull + i,
        .short_name_len = 4,
        .short_name = {'A', 0, 'B', 0},
        .name = names[i],
        .name_len = strlen(names[i]),
    };
    return e;
}

static void check_entry(uint8_t cls, const struct fscc_dir_entry *in,
                        const struct fscc_dir_entry *out)
{
    char name[128];
    size_t n;
    assert_true(nt_ok(utf16le_to_utf8(out->file_name, out->file_name_len, name, sizeof(name), &n)));
    assert_string_equal(name, in->name);
    assert_int_equal(out->file_index, in->file_index);
    if (cls == FileNamesInformation)
        return;
    assert_int_equal(out->creation_time, in->creation_time);
    assert_int_equal(out->last_access_time, in->last_access_time);
    assert_int_equal(out->last_write_time, in->last_write_time);
    assert_int_equal(out->change_time, in->change_time);
    assert_int_equal(out->end_of_file, in->end_of_file);
    assert_int_equal(out->allocation_size, in->allocation_size);
    assert_int_equal(out->file_attributes, in->file_attributes);
    if (cls != FileDirectoryInformation)
        assert_int_equal(out->ea_size, in->ea_size);
    if (cls == FileBothDirectoryInformation || cls == FileIdBothDirectoryInformation) {
        assert_int_equal(out->short_name_len, 4);
        assert_memory_equal(out->short_name, in->short_name, 24);
    }
    if (cls == FileIdBothDirectoryInformation || cls == FileIdFullDirectoryInformation)
        assert_int_equal(out->file_id, in->file_id);
}

static size_t fill(uint8_t cls, uint8_t *buf, size_t cap, unsigned *count)
{
    struct fscc_dir_writer dw;
    fscc_dir_writer_init(&dw, cls, buf, cap);
    for (size_t i = 0; i < 3; i++) {
        struct fscc_dir_entry e = make_entry(i);
        ntstatus_t st = fscc_dir_writer_add(&dw, &e);
        if (nt_eq(st, STATUS_BUFFER_TOO_SMALL))
            break;
        assert_true(nt_ok(st));
    }
    *count = dw.count;
    assert_true(dw.len <= cap);
    return dw.len;
}

static ntstatus_t iter_exact(uint8_t cls, const uint8_t *buf, size_t n, unsigned *count)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, buf, n);
    struct fscc_dir_iter it;
    struct fscc_dir_entry e;
    fscc_dir_iter_init(&it, cls, copy, n);
    while (fscc_dir_iter_next(&it, &e))
        ;
    free(copy);
    if (count)
        *count = it.count;
    return fscc_dir_iter_status(&it);
}

static void test_classes_round_trip(void **state)
{
    (void)state;
    uint8_t buf[1024];
    for (size_t c = 0; c < sizeof(classes); c++) {
        unsigned count;
        size_t len = fill(classes[c], buf, sizeof(buf), &count);
        assert_int_equal(count, 3);
        struct fscc_dir_iter it;
        struct fscc_dir_entry e;
        fscc_dir_iter_init(&it, classes[c], buf, len);
        size_t off = 0;
        for (size_t i = 0; i < 3; i++) {
            assert_true(fscc_dir_iter_next(&it, &e));
            struct fscc_dir_entry in = make_entry(i);
            check_entry(classes[c], &in, &e);
            uint32_t next = le32_get(buf + off);
            assert_int_equal(next % 8, 0);
            assert_true(i < 2 ? next != 0 : next == 0);
            off += next;
        }
        assert_false(fscc_dir_iter_next(&it, &e));
        assert_true(nt_ok(fscc_dir_iter_status(&it)));
        /* every truncation fails, except the empty buffer */
        for (size_t n = 1; n < len; n++)
            assert_true(nt_eq(iter_exact(classes[c], buf, n, NULL), STATUS_INVALID_PARAMETER));
        assert_true(nt_ok(iter_exact(classes[c], buf, 0, NULL)));
    }
}

static void test_writer_respects_cap(void **state)
{
    (void)state;
    uint8_t buf[1024];
    for (size_t c = 0; c < sizeof(classes); c++) {
        unsigned full;
        size_t full_len = fill(classes[c], buf, sizeof(buf), &full);
        unsigned prev = 0;
        for (size_t cap = 0; cap <= full_len; cap++) {
            unsigned count, parsed;
            memset(buf, 0xEE, sizeof(buf));
            size_t len = fill(classes[c], buf, cap, &count);
            assert_true(len <= cap);
            assert_int_equal(buf[cap], 0xEE); /* nothing written past the cap */
            assert_true(count >= prev);
            prev = count;
            assert_true(nt_ok(iter_exact(classes[c], buf, len, &parsed)));
            assert_int_equal(parsed, count);
        }
        assert_int_equal(prev, 3);
    }
}

static void test_writer_errors(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct fscc_dir_writer dw;
    struct fscc_dir_entry e = make_entry(1);
    fscc_dir_writer_init(&dw, FileStandardInformation, buf, sizeof(buf));
    assert_true(nt_eq(fscc_dir_writer_add(&dw, &e), STATUS_INVALID_INFO_CLASS));
    fscc_dir_writer_init(&dw, FileIdBothDirectoryInformation, buf, sizeof(buf));
    e.short_name_len = 25;
    assert_true(nt_eq(fscc_dir_writer_add(&dw, &e), STATUS_INVALID_PARAMETER));
    e.short_name_len = 0;
    e.name = "\xff";
    e.name_len = 1;
    assert_true(nt_eq(fscc_dir_writer_add(&dw, &e), STATUS_OBJECT_NAME_INVALID));
    /* a UTF-16 name may be given instead */
    e.name = NULL;
    e.file_name = (const uint8_t *)"x\0y\0";
    e.file_name_len = 4;
    assert_true(nt_ok(fscc_dir_writer_add(&dw, &e)));
    assert_int_equal(dw.len, 104 + 4);
    struct fscc_dir_iter it;
    fscc_dir_iter_init(&it, FileFullEaInformation, buf, dw.len);
    assert_false(fscc_dir_iter_next(&it, &e));
    assert_true(nt_eq(fscc_dir_iter_status(&it), STATUS_INVALID_INFO_CLASS));
}

static void test_iter_bad(void **state)
{
    (void)state;
    uint8_t good[1024], buf[1024];
    unsigned count;
    const uint8_t cls = FileIdBothDirectoryInformation;
    size_t len = fill(cls, good, sizeof(good), &count);
    uint32_t next0 = le32_get(good);
    struct {
        size_t at;
        unsigned width;
        uint32_t v;
    } cases[] = {
        {0, 4, 4},             /* Next unaligned, inside the fixed part */
        {0, 4, 8},             /* Next inside the fixed part */
        {0, 4, next0 + 4},     /* unaligned */
        {0, 4, (uint32_t)len}, /* past the end */
        {0, 4, 0xFFFFFFF8u},
        {60, 4, 3},               /* odd FileNameLength */
        {60, 4, next0 - 104 + 2}, /* name leaves the entry */
        {60, 4, 0xFFFFFFFEu},
        {68, 1, 26}, /* ShortNameLength > 24 */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(buf, good, len);
        if (cases[i].width == 4)
            le32_put(buf + cases[i].at, cases[i].v);
        else
            buf[cases[i].at] = (uint8_t)cases[i].v;
        assert_true(nt_eq(iter_exact(cls, buf, len, NULL), STATUS_INVALID_PARAMETER));
    }
}

static ntstatus_t req_exact(const uint8_t *msg, size_t n)
{
    struct smb2_query_directory_req out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_query_directory_req_decode(copy, n, &out);
    free(copy);
    return st;
}

static ntstatus_t rsp_exact(const uint8_t *msg, size_t n)
{
    struct smb2_query_directory_rsp out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_query_directory_rsp_decode(copy, n, &out);
    free(copy);
    return st;
}

static void test_req(void **state)
{
    (void)state;
    uint8_t buf[256], good[256];
    static const uint8_t star[] = {'*', 0, '.', 0, 'c', 0};
    struct smb2_query_directory_req in = {.file_information_class = FileIdBothDirectoryInformation,
                                          .flags = SMB2_RESTART_SCANS,
                                          .file_index = 0,
                                          .file_id = {11, 12},
                                          .file_name = star,
                                          .file_name_len = sizeof(star),
                                          .output_buffer_length = 65536},
                                    out;
    struct wr w;
    wr_init(&w, good, sizeof(good));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_query_directory_req_encode(&w, &in)));
    size_t len = wr_pos(&w);
    assert_int_equal(len, SMB2_QUERY_DIRECTORY_REQ_FIXED_END + sizeof(star));
    assert_true(nt_ok(smb2_query_directory_req_decode(good, len, &out)));
    assert_int_equal(out.file_information_class, in.file_information_class);
    assert_int_equal(out.flags, in.flags);
    assert_int_equal(out.file_index, in.file_index);
    assert_int_equal(out.file_id.persistent, 11);
    assert_int_equal(out.file_id.volatile_id, 12);
    assert_int_equal(out.file_name_len, sizeof(star));
    assert_memory_equal(out.file_name, star, sizeof(star));
    assert_int_equal(out.output_buffer_length, in.output_buffer_length);
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(req_exact(good, n), STATUS_INVALID_PARAMETER));
    const struct {
        size_t at;
        uint16_t v;
    } cases[] = {{64, 32}, {64, 34}, {88, 0}, {88, 64}, {88, 94}, {88, 98}, {90, 5}, {90, 8}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(buf, good, len);
        le16_put(buf + cases[i].at, cases[i].v);
        assert_true(nt_eq(req_exact(buf, len), STATUS_INVALID_PARAMETER));
    }
}

static void test_rsp_in_place(void **state)
{
    (void)state;
    uint8_t msg[2048];
    struct wr w;
    wr_init(&w, msg, 600);
    wr_zero(&w, SMB2_HDR_SIZE);
    size_t body = wr_pos(&w);
    uint8_t *buf;
    size_t cap;
    assert_true(nt_ok(smb2_query_directory_rsp_begin(&w, &buf, &cap)));
    assert_ptr_equal(buf, msg + SMB2_QUERY_DIRECTORY_RSP_FIXED_END);
    assert_int_equal(cap, 600 - SMB2_QUERY_DIRECTORY_RSP_FIXED_END);
    unsigned count;
    size_t used = fill(FileFullDirectoryInformation, buf, cap, &count);
    assert_int_equal(count, 3);
    assert_true(nt_ok(smb2_query_directory_rsp_finish(&w, body, used)));
    size_t len = wr_pos(&w);
    assert_int_equal(len, SMB2_QUERY_DIRECTORY_RSP_FIXED_END + used);
    struct smb2_query_directory_rsp out;
    assert_true(nt_ok(smb2_query_directory_rsp_decode(msg, len, &out)));
    assert_int_equal(out.output_buffer_length, used);
    assert_ptr_equal(out.output_buffer, buf);
    unsigned parsed;
    assert_true(nt_ok(iter_exact(FileFullDirectoryInformation, out.output_buffer,
                                 out.output_buffer_length, &parsed)));
    assert_int_equal(parsed, 3);
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(rsp_exact(msg, n), STATUS_INVALID_PARAMETER));
    const uint16_t bad[] = {0, 64, 70, 73, 0xFFFF};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        le16_put(msg + 66, bad[i]);
        assert_true(nt_eq(rsp_exact(msg, len), STATUS_INVALID_PARAMETER));
    }
    le16_put(msg + 66, SMB2_QUERY_DIRECTORY_RSP_FIXED_END);
    le16_put(msg + 64, 8);
    assert_true(nt_eq(rsp_exact(msg, len), STATUS_INVALID_PARAMETER));

    /* copy mode gives the same bytes */
    uint8_t msg2[2048];
    wr_init(&w, msg2, sizeof(msg2));
    wr_zero(&w, SMB2_HDR_SIZE);
    struct smb2_query_directory_rsp in = {.output_buffer = buf,
                                          .output_buffer_length = (uint32_t)used};
    le16_put(msg + 64, SMB2_QUERY_DIRECTORY_RSP_STRUCTURE_SIZE);
    assert_true(nt_ok(smb2_query_directory_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), len);
    assert_memory_equal(msg2, msg, len);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes_round_trip),
        cmocka_unit_test(test_writer_respects_cap),
        cmocka_unit_test(test_writer_errors),
        cmocka_unit_test(test_iter_bad),
        cmocka_unit_test(test_req),
        cmocka_unit_test(test_rsp_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
