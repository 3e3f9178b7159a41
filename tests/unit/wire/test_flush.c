/* [MS-SMB2] 2.2.17, 2.2.18 FLUSH; 2.2.14.1 FileId. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/flush.h"

#define INVALID STATUS_INVALID_PARAMETER_CODE

static uint32_t req_exact(const uint8_t *src, size_t n, struct smb2_flush_req *out)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    ntstatus_t st = smb2_flush_req_decode(c, n, out);
    free(c);
    return st.code;
}

static void test_req(void **state)
{
    (void)state;
    struct smb2_flush_req in = {.file_id = {0x0102030405060708ULL, 0xF1F2F3F4F5F6F7F8ULL}};
    struct smb2_flush_req out;
    uint8_t buf[100];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_true(nt_ok(smb2_flush_req_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), 88);
    static const uint8_t body[24] = {0x18, 0,    0,    0,    0,    0,    0,    0,
                                     0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
                                     0xf8, 0xf7, 0xf6, 0xf5, 0xf4, 0xf3, 0xf2, 0xf1};
    assert_memory_equal(buf + 64, body, 24);
    assert_int_equal(req_exact(buf, 88, &out), 0);
    assert_int_equal(out.file_id.persistent, in.file_id.persistent);
    assert_int_equal(out.file_id.volatile_id, in.file_id.volatile_id);
    for (size_t n = 0; n < 88; n++)
        assert_int_equal(req_exact(buf, n, &out), INVALID);
    /* reserved fields are ignored */
    buf[66] = 0xff;
    buf[70] = 0xff;
    assert_int_equal(req_exact(buf, 88, &out), 0);
    buf[64] = 4; /* the response's StructureSize */
    assert_int_equal(req_exact(buf, 88, &out), INVALID);
    buf[64] = 25;
    assert_int_equal(req_exact(buf, 88, &out), INVALID);
}

static void test_rsp(void **state)
{
    (void)state;
    struct smb2_flush_rsp in = {.reserved = 0}, out;
    uint8_t buf[80];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_true(nt_ok(smb2_flush_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), 68);
    assert_memory_equal(buf + 64, "\x04\x00\x00\x00", 4);
    assert_true(nt_ok(smb2_flush_rsp_decode(buf, 68, &out)));
    assert_int_equal(out.reserved, 0);
    for (size_t n = 0; n < 68; n++)
        assert_int_equal(smb2_flush_rsp_decode(buf, n, &out).code, INVALID);
    buf[64] = 24;
    assert_int_equal(smb2_flush_rsp_decode(buf, 68, &out).code, INVALID);
}

static void test_file_id_helpers(void **state)
{
    (void)state;
    uint8_t b[SMB2_FILE_ID_SIZE];
    struct wr w;
    struct rd r;
    struct smb2_file_id id = {.persistent = 1, .volatile_id = UINT64_MAX}, got;
    wr_init(&w, b, sizeof(b));
    smb2_file_id_write(&w, &id);
    assert_true(wr_ok(&w));
    assert_memory_equal(b, "\x01\0\0\0\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff", 16);
    rd_init(&r, b, sizeof(b));
    smb2_file_id_read(&r, &got);
    assert_true(rd_ok(&r));
    assert_int_equal(got.persistent, 1);
    assert_int_equal(got.volatile_id, UINT64_MAX);
    rd_init(&r, b, 15);
    smb2_file_id_read(&r, &got);
    assert_int_equal(rd_status(&r).code, INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req),
        cmocka_unit_test(test_rsp),
        cmocka_unit_test(test_file_id_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
