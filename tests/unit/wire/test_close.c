/* [MS-SMB2] 2.2.15, 2.2.16 CLOSE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/close.h"

#define INVALID STATUS_INVALID_PARAMETER_CODE

static uint32_t req_exact(const uint8_t *src, size_t n, struct smb2_close_req *out)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    ntstatus_t st = smb2_close_req_decode(c, n, out);
    free(c);
    return st.code;
}

static uint32_t rsp_exact(const uint8_t *src, size_t n, struct smb2_close_rsp *out)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    ntstatus_t st = smb2_close_rsp_decode(c, n, out);
    free(c);
    return st.code;
}

static void test_req(void **state)
{
    (void)state;
    struct smb2_close_req in = {.flags = SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB,
                                .file_id = {0x1111, 0xFFFFFFFF00000002ULL}};
    struct smb2_close_req out;
    uint8_t buf[100];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_true(nt_ok(smb2_close_req_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), 88);
    assert_memory_equal(buf + 64, "\x18\x00\x01\x00\x00\x00\x00\x00\x11\x11\x00\x00", 12);
    assert_int_equal(req_exact(buf, 88, &out), 0);
    assert_int_equal(out.flags, in.flags);
    assert_int_equal(out.file_id.persistent, in.file_id.persistent);
    assert_int_equal(out.file_id.volatile_id, in.file_id.volatile_id);
    for (size_t n = 0; n < 88; n++)
        assert_int_equal(req_exact(buf, n, &out), INVALID);
    buf[64] = 60;
    assert_int_equal(req_exact(buf, 88, &out), INVALID);
}

static void fill_rsp(struct smb2_close_rsp *r)
{
    memset(r, 0, sizeof(*r));
    r->flags = SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB;
    r->creation_time = 0x01D0AECBADE5DA01ULL;
    r->last_access_time = 0x01D0AECBADE5DA02ULL;
    r->last_write_time = 0x01D0AECBADE5DA03ULL;
    r->change_time = 0x01D0AECBADE5DA04ULL;
    r->allocation_size = 1 << 20;
    r->end_of_file = 123456;
    r->file_attributes = 0x20; /* FILE_ATTRIBUTE_ARCHIVE */
}

static void rsp_equal(const struct smb2_close_rsp *a, const struct smb2_close_rsp *b)
{
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->creation_time, b->creation_time);
    assert_int_equal(a->last_access_time, b->last_access_time);
    assert_int_equal(a->last_write_time, b->last_write_time);
    assert_int_equal(a->change_time, b->change_time);
    assert_int_equal(a->allocation_size, b->allocation_size);
    assert_int_equal(a->end_of_file, b->end_of_file);
    assert_int_equal(a->file_attributes, b->file_attributes);
}

static void test_rsp_postquery(void **state)
{
    (void)state;
    struct smb2_close_rsp in, out;
    fill_rsp(&in);
    uint8_t buf[140];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_true(nt_ok(smb2_close_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), 124);
    assert_memory_equal(buf + 64, "\x3c\x00\x01\x00\x00\x00\x00\x00\x01\xda\xe5\xad", 12);
    assert_memory_equal(buf + 120, "\x20\x00\x00\x00", 4);
    assert_int_equal(rsp_exact(buf, 124, &out), 0);
    rsp_equal(&in, &out);
    for (size_t n = 0; n < 124; n++)
        assert_int_equal(rsp_exact(buf, n, &out), INVALID);
    buf[64] = 24;
    assert_int_equal(rsp_exact(buf, 124, &out), INVALID);
}

static void test_rsp_no_attrib(void **state)
{
    (void)state;
    struct smb2_close_rsp in, out;
    fill_rsp(&in);
    in.flags = 0;
    uint8_t buf[140];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_true(nt_ok(smb2_close_rsp_encode(&w, &in)));
    /* without the flag the attributes go out as zeros */
    static const uint8_t zeros[52] = {0};
    assert_memory_equal(buf + 72, zeros, 52);
    /* and a sender's garbage there is ignored on receipt */
    memset(buf + 72, 0xAB, 52);
    assert_int_equal(rsp_exact(buf, 124, &out), 0);
    struct smb2_close_rsp expect;
    memset(&expect, 0, sizeof(expect));
    rsp_equal(&expect, &out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req),
        cmocka_unit_test(test_rsp_postquery),
        cmocka_unit_test(test_rsp_no_attrib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
