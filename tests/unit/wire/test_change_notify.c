/* SMB2 CHANGE_NOTIFY: [MS-SMB2] 2.2.35 / 2.2.36, [MS-FSCC] 2.7.1. */
#include "base/endian.h"
#include "base/utf16.h"
#include "wire/change_notify.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *const names[] = {"new.txt", "d\xc3\xa9j\xc3\xa0", "x"};

static size_t fill(uint8_t *buf, size_t cap, unsigned *count)
{
    struct fscc_notify_writer nw;
    fscc_notify_writer_init(&nw, buf, cap);
    for (size_t i = 0; i < 3; i++) {
        struct fscc_notify_entry e = {
            .action = (uint32_t)i + 1, .name = names[i], .name_len = strlen(names[i])};
        ntstatus_t st = fscc_notify_writer_add(&nw, &e);
        if (nt_eq(st, STATUS_BUFFER_TOO_SMALL))
            break;
        assert_true(nt_ok(st));
    }
    *count = nw.count;
    assert_true(nw.len <= cap);
    return nw.len;
}

static ntstatus_t iter_exact(const uint8_t *buf, size_t n, unsigned *count)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, buf, n);
    struct fscc_notify_iter it;
    struct fscc_notify_entry e;
    fscc_notify_iter_init(&it, copy, n);
    while (fscc_notify_iter_next(&it, &e))
        ;
    free(copy);
    if (count)
        *count = it.count;
    return fscc_notify_iter_status(&it);
}

static void test_entries(void **state)
{
    (void)state;
    uint8_t buf[256];
    unsigned count;
    size_t len = fill(buf, sizeof(buf), &count);
    assert_int_equal(count, 3);
    struct fscc_notify_iter it;
    struct fscc_notify_entry e;
    fscc_notify_iter_init(&it, buf, len);
    for (size_t i = 0; i < 3; i++) {
        assert_true(fscc_notify_iter_next(&it, &e));
        assert_int_equal(e.action, i + 1);
        char name[64];
        size_t n;
        assert_true(nt_ok(utf16le_to_utf8(e.file_name, e.file_name_len, name, sizeof(name), &n)));
        assert_string_equal(name, names[i]);
        assert_int_equal((size_t)(e.file_name - 12 - buf) % 4, 0);
    }
    assert_false(fscc_notify_iter_next(&it, &e));
    assert_true(nt_ok(fscc_notify_iter_status(&it)));
    for (size_t n = 1; n < len; n++)
        assert_true(nt_eq(iter_exact(buf, n, NULL), STATUS_INVALID_PARAMETER));
    /* the writer stops at its cap and what it wrote parses */
    for (size_t cap = 0; cap <= len; cap++) {
        unsigned c, parsed;
        size_t l = fill(buf, cap, &c);
        assert_true(nt_ok(iter_exact(buf, l, &parsed)));
        assert_int_equal(parsed, c);
    }
    /* bad NextEntryOffset / FileNameLength */
    len = fill(buf, sizeof(buf), &count);
    const struct {
        size_t at;
        uint32_t v;
    } cases[] = {{0, 2}, {0, 8}, {0, 13}, {0, 18}, {0, (uint32_t)len}, {8, 3}, {8, 20}};
    uint8_t bad[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(bad, buf, len);
        le32_put(bad + cases[i].at, cases[i].v);
        assert_true(nt_eq(iter_exact(bad, len, NULL), STATUS_INVALID_PARAMETER));
    }
}

static void test_req(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct smb2_change_notify_req in = {.flags = SMB2_WATCH_TREE,
                                        .output_buffer_length = 4096,
                                        .file_id = {5, 6},
                                        .completion_filter = FILE_NOTIFY_CHANGE_FILE_NAME |
                                                             FILE_NOTIFY_CHANGE_LAST_WRITE},
                                  out;
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_change_notify_req_encode(&w, &in)));
    size_t len = wr_pos(&w);
    assert_int_equal(len, SMB2_HDR_SIZE + 32);
    assert_true(nt_ok(smb2_change_notify_req_decode(buf, len, &out)));
    assert_int_equal(out.flags, in.flags);
    assert_int_equal(out.output_buffer_length, in.output_buffer_length);
    assert_int_equal(out.file_id.persistent, 5);
    assert_int_equal(out.file_id.volatile_id, 6);
    assert_int_equal(out.completion_filter, in.completion_filter);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, buf, n);
        assert_true(nt_eq(smb2_change_notify_req_decode(copy, n, &out), STATUS_INVALID_PARAMETER));
        free(copy);
    }
    le16_put(buf + 64, 33);
    assert_true(nt_eq(smb2_change_notify_req_decode(buf, len, &out), STATUS_INVALID_PARAMETER));
}

static ntstatus_t rsp_exact(const uint8_t *msg, size_t n)
{
    struct smb2_change_notify_rsp out;
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, msg, n);
    ntstatus_t st = smb2_change_notify_rsp_decode(copy, n, &out);
    free(copy);
    return st;
}

static void test_rsp(void **state)
{
    (void)state;
    uint8_t entries[256], msg[512];
    unsigned count;
    size_t elen = fill(entries, sizeof(entries), &count);
    struct smb2_change_notify_rsp in = {.output_buffer = entries,
                                        .output_buffer_length = (uint32_t)elen},
                                  out;
    struct wr w;
    wr_init(&w, msg, sizeof(msg));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_change_notify_rsp_encode(&w, &in)));
    size_t len = wr_pos(&w);
    assert_true(nt_ok(smb2_change_notify_rsp_decode(msg, len, &out)));
    assert_int_equal(out.output_buffer_length, elen);
    assert_memory_equal(out.output_buffer, entries, elen);
    for (size_t n = 0; n < len; n++)
        assert_true(nt_eq(rsp_exact(msg, n), STATUS_INVALID_PARAMETER));
    const uint16_t bad[] = {0, 64, 71, 73};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        le16_put(msg + 66, bad[i]);
        assert_true(nt_eq(rsp_exact(msg, len), STATUS_INVALID_PARAMETER));
    }
    le16_put(msg + 66, 72);
    le16_put(msg + 64, 8);
    assert_true(nt_eq(rsp_exact(msg, len), STATUS_INVALID_PARAMETER));
    /* empty response (e.g. STATUS_NOTIFY_ENUM_DIR) */
    in.output_buffer_length = 0;
    wr_init(&w, msg, sizeof(msg));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_change_notify_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE + 9);
    assert_true(nt_ok(smb2_change_notify_rsp_decode(msg, wr_pos(&w), &out)));
    assert_null(out.output_buffer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_req),
        cmocka_unit_test(test_rsp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
