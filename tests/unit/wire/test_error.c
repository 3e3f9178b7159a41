/* [MS-SMB2] 2.2.2, 2.2.2.1 ERROR response. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/error.h"

#define INVALID STATUS_INVALID_PARAMETER_CODE

static uint32_t decode_exact(const uint8_t *src, size_t n, struct smb2_error_rsp *out)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    ntstatus_t st = smb2_error_rsp_decode(c, n, out);
    free(c);
    return st.code;
}

static size_t encode(uint8_t *buf, size_t cap, const struct smb2_error_rsp *in)
{
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, 64);
    assert_true(nt_ok(smb2_error_rsp_encode(&w, in)));
    return wr_pos(&w);
}

static void test_empty(void **state)
{
    (void)state;
    uint8_t buf[100];
    struct smb2_error_rsp in = {0}, out;
    size_t len = encode(buf, sizeof(buf), &in);
    /* ByteCount 0: the body still has its one byte */
    assert_int_equal(len, 73);
    assert_memory_equal(buf + 64, "\x09\x00\x00\x00\x00\x00\x00\x00\x00", 9);
    assert_int_equal(decode_exact(buf, len, &out), 0);
    assert_int_equal(out.error_context_count, 0);
    assert_int_equal(out.byte_count, 0);
    assert_null(out.error_data);
    for (size_t n = 0; n < len; n++)
        assert_int_equal(decode_exact(buf, n, &out), INVALID);
    buf[64] = 8;
    assert_int_equal(decode_exact(buf, len, &out), INVALID);
}

static void test_with_data(void **state)
{
    (void)state;
    /* 2.2.2.2 Symbolic Link Error Response-like payload: arbitrary bytes */
    static const uint8_t data[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    uint8_t buf[100];
    struct smb2_error_rsp in = {.byte_count = sizeof(data), .error_data = data}, out;
    size_t len = encode(buf, sizeof(buf), &in);
    assert_int_equal(len, 72 + 12);
    assert_memory_equal(buf + 64, "\x09\x00\x00\x00\x0c\x00\x00\x00\x01\x02", 10);
    assert_int_equal(decode_exact(buf, len, &out), 0);
    assert_int_equal(out.byte_count, 12);
    assert_int_equal(out.error_context_count, 0);
    assert_true(nt_ok(smb2_error_rsp_decode(buf, len, &out)));
    assert_ptr_equal(out.error_data, buf + 72);
    assert_memory_equal(out.error_data, data, 12);
    for (size_t n = 0; n < len; n++)
        assert_int_equal(decode_exact(buf, n, &out), INVALID);
    /* ByteCount past the end */
    buf[68] = 13;
    assert_int_equal(decode_exact(buf, len, &out), INVALID);
    buf[68] = 0xff;
    buf[71] = 0xff;
    assert_int_equal(decode_exact(buf, len, &out), INVALID);
}

/* Two 3.1.1 error contexts: 4 bytes of data (padded to 8) then 8 bytes. */
static size_t build_ctx(uint8_t *buf, size_t cap, uint8_t *list, size_t list_cap)
{
    struct wr l;
    wr_init(&l, list, list_cap);
    wr_u32(&l, 4);
    wr_u32(&l, SMB2_ERROR_ID_DEFAULT);
    wr_u32(&l, 0xC0000022);
    wr_align(&l, 8);
    wr_u32(&l, 8);
    wr_u32(&l, SMB2_ERROR_ID_SHARE_REDIRECT);
    wr_bytes(&l, "ABCDEFGH", 8);
    assert_true(wr_ok(&l));
    struct smb2_error_rsp in = {
        .error_context_count = 2, .byte_count = (uint32_t)wr_pos(&l), .error_data = list};
    return encode(buf, cap, &in);
}

static void test_error_contexts(void **state)
{
    (void)state;
    uint8_t list[64], buf[160];
    size_t len = build_ctx(buf, sizeof(buf), list, sizeof(list));
    assert_int_equal(len, 72 + 32);
    struct smb2_error_rsp out;
    assert_true(nt_ok(smb2_error_rsp_decode(buf, len, &out)));
    assert_int_equal(out.error_context_count, 2);
    assert_int_equal(out.byte_count, 32);
    struct smb2_error_ctx_iter it;
    struct smb2_error_ctx c;
    smb2_error_ctx_iter_init(&it, &out);
    assert_true(smb2_error_ctx_next(&it, &c));
    assert_int_equal(c.error_id, SMB2_ERROR_ID_DEFAULT);
    assert_int_equal(c.error_data_length, 4);
    assert_ptr_equal(c.error_context_data, buf + 80);
    assert_true(smb2_error_ctx_next(&it, &c));
    assert_int_equal(c.error_id, SMB2_ERROR_ID_SHARE_REDIRECT);
    assert_int_equal(c.error_data_length, 8);
    assert_memory_equal(c.error_context_data, "ABCDEFGH", 8);
    assert_false(smb2_error_ctx_next(&it, &c));
    assert_true(nt_ok(smb2_error_ctx_iter_status(&it)));

    /* a context claiming more data than ByteCount leaves */
    buf[72 + 16] = 9;
    assert_true(nt_ok(smb2_error_rsp_decode(buf, len, &out)));
    smb2_error_ctx_iter_init(&it, &out);
    assert_true(smb2_error_ctx_next(&it, &c));
    assert_false(smb2_error_ctx_next(&it, &c));
    assert_int_equal(smb2_error_ctx_iter_status(&it).code, INVALID);
    /* more contexts than present */
    buf[72 + 16] = 8;
    buf[66] = 3;
    assert_true(nt_ok(smb2_error_rsp_decode(buf, len, &out)));
    smb2_error_ctx_iter_init(&it, &out);
    while (smb2_error_ctx_next(&it, &c))
        ;
    assert_int_equal(smb2_error_ctx_iter_status(&it).code, INVALID);
    /* count with no data */
    struct smb2_error_rsp e = {.error_context_count = 1};
    smb2_error_ctx_iter_init(&it, &e);
    assert_false(smb2_error_ctx_next(&it, &c));
    assert_int_equal(smb2_error_ctx_iter_status(&it).code, INVALID);
}

static void test_encode_errors(void **state)
{
    (void)state;
    uint8_t buf[80];
    struct wr w;
    struct smb2_error_rsp in = {.byte_count = 4, .error_data = NULL};
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_int_equal(smb2_error_rsp_encode(&w, &in).code, INVALID);
    in.byte_count = 0;
    wr_init(&w, buf, 72);
    wr_zero(&w, 64);
    assert_int_equal(smb2_error_rsp_encode(&w, &in).code, STATUS_BUFFER_TOO_SMALL_CODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_with_data),
        cmocka_unit_test(test_error_contexts),
        cmocka_unit_test(test_encode_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
