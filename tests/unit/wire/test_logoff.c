/* [MS-SMB2] 2.2.7, 2.2.8: LOGOFF (StructureSize 4, Reserved). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/logoff.h"

#define INVALID STATUS_INVALID_PARAMETER_CODE

static uint32_t req_exact(const uint8_t *src, size_t n, struct smb2_logoff_req *out)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    ntstatus_t st = smb2_logoff_req_decode(c, n, out);
    free(c);
    return st.code;
}

static void test_req(void **state)
{
    (void)state;
    uint8_t buf[80];
    struct wr w;
    struct smb2_logoff_req in = {.reserved = 0}, out = {.reserved = 0x5555};
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_true(nt_ok(smb2_logoff_req_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), 68);
    assert_memory_equal(buf + 64, "\x04\x00\x00\x00", 4);
    assert_int_equal(req_exact(buf, 68, &out), 0);
    assert_int_equal(out.reserved, 0);
    /* Reserved is carried, not checked: receivers ignore it */
    buf[66] = 0x34;
    buf[67] = 0x12;
    assert_int_equal(req_exact(buf, 68, &out), 0);
    assert_int_equal(out.reserved, 0x1234);
    /* trailing bytes (e.g. padding before the next compound element) are fine */
    assert_int_equal(req_exact(buf, 72, &out), 0);
    for (size_t n = 0; n < 68; n++)
        assert_int_equal(req_exact(buf, n, &out), INVALID);
    /* StructureSize */
    buf[64] = 5;
    assert_int_equal(req_exact(buf, 68, &out), INVALID);
    buf[64] = 0;
    assert_int_equal(req_exact(buf, 68, &out), INVALID);
    buf[64] = 4;
    buf[65] = 1;
    assert_int_equal(req_exact(buf, 68, &out), INVALID);
    /* encoding into too small a buffer */
    wr_init(&w, buf, 67);
    wr_zero(&w, 64);
    assert_int_equal(smb2_logoff_req_encode(&w, &in).code, STATUS_BUFFER_TOO_SMALL_CODE);
}

static uint32_t rsp_exact(const uint8_t *src, size_t n, struct smb2_logoff_rsp *out)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    ntstatus_t st = smb2_logoff_rsp_decode(c, n, out);
    free(c);
    return st.code;
}

static void test_rsp(void **state)
{
    (void)state;
    uint8_t buf[80];
    struct wr w;
    struct smb2_logoff_rsp in = {.reserved = 0}, out = {.reserved = 0x5555};
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_true(nt_ok(smb2_logoff_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), 68);
    assert_memory_equal(buf + 64, "\x04\x00\x00\x00", 4);
    assert_int_equal(rsp_exact(buf, 68, &out), 0);
    assert_int_equal(out.reserved, 0);
    /* Reserved is carried, not checked: receivers ignore it */
    buf[66] = 0x34;
    buf[67] = 0x12;
    assert_int_equal(rsp_exact(buf, 68, &out), 0);
    assert_int_equal(out.reserved, 0x1234);
    /* trailing bytes (e.g. padding before the next compound element) are fine */
    assert_int_equal(rsp_exact(buf, 72, &out), 0);
    for (size_t n = 0; n < 68; n++)
        assert_int_equal(rsp_exact(buf, n, &out), INVALID);
    /* StructureSize */
    buf[64] = 5;
    assert_int_equal(rsp_exact(buf, 68, &out), INVALID);
    buf[64] = 0;
    assert_int_equal(rsp_exact(buf, 68, &out), INVALID);
    buf[64] = 4;
    buf[65] = 1;
    assert_int_equal(rsp_exact(buf, 68, &out), INVALID);
    /* encoding into too small a buffer */
    wr_init(&w, buf, 67);
    wr_zero(&w, 64);
    assert_int_equal(smb2_logoff_rsp_encode(&w, &in).code, STATUS_BUFFER_TOO_SMALL_CODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req),
        cmocka_unit_test(test_rsp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
