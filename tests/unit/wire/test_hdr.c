/* [MS-SMB2] 2.1, 2.2.1: header and Direct TCP framing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/hdr.h"

/* First 64 bytes of the captured Windows NEGOTIATE response
 * (tests/vectors/smb311_preauth_integrity.json). */
static const uint8_t win_neg_rsp_hdr[64] = {
    0xfe, 0x53, 0x4d, 0x42, 0x40, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static ntstatus_t decode_exact(const uint8_t *src, size_t n, struct smb2_hdr *h)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    ntstatus_t st = smb2_hdr_decode(c, n, h);
    free(c);
    return st;
}

static void test_decode_real(void **state)
{
    (void)state;
    struct smb2_hdr h;
    assert_true(nt_ok(smb2_hdr_decode(win_neg_rsp_hdr, 64, &h)));
    assert_int_equal(h.credit_charge, 1);
    assert_int_equal(h.status, 0);
    assert_int_equal(h.command, SMB2_NEGOTIATE);
    assert_int_equal(h.credit_request, 1);
    assert_int_equal(h.flags, SMB2_FLAGS_SERVER_TO_REDIR);
    assert_true(smb2_hdr_is_response(&h));
    assert_int_equal(h.next_command, 0);
    assert_int_equal(h.message_id, 1);
    assert_int_equal(h.tree_id, 0);
    assert_int_equal(h.async_id, 0);
    assert_int_equal(h.session_id, 0);
}

static void fill_hdr(struct smb2_hdr *h, uint32_t flags)
{
    memset(h, 0, sizeof(*h));
    h->credit_charge = 3;
    h->status = 0xC0000016;
    h->command = SMB2_READ;
    h->credit_request = 31;
    h->flags = flags;
    h->next_command = 0x68;
    h->message_id = 0x0102030405060708ULL;
    if (flags & SMB2_FLAGS_ASYNC_COMMAND)
        h->async_id = 0x1122334455667788ULL;
    else
        h->tree_id = 0xAABBCCDD;
    h->session_id = 0x100000000019ULL;
    for (int i = 0; i < SMB2_SIG_SIZE; i++)
        h->signature[i] = (uint8_t)(0xA0 + i);
}

static void roundtrip(uint32_t flags)
{
    uint8_t buf[80];
    struct wr w;
    struct smb2_hdr in, out;
    fill_hdr(&in, flags);
    wr_init(&w, buf, sizeof(buf));
    assert_true(nt_ok(smb2_hdr_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), SMB2_HDR_SIZE);
    assert_memory_equal(buf, "\xfeSMB\x40\x00", 6);
    assert_true(nt_ok(smb2_hdr_decode(buf, 64, &out)));
    assert_memory_equal(&in, &out, sizeof(in));
    if (flags & SMB2_FLAGS_ASYNC_COMMAND)
        assert_memory_equal(buf + 32, "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
    else
        assert_memory_equal(buf + 32, "\x00\x00\x00\x00\xdd\xcc\xbb\xaa", 8);
    assert_memory_equal(buf + SMB2_SIG_OFFSET, in.signature, SMB2_SIG_SIZE);
    for (size_t n = 0; n < 64; n++)
        assert_int_equal(decode_exact(buf, n, &out).code, STATUS_INVALID_PARAMETER_CODE);
}

static void test_roundtrip_sync(void **state)
{
    (void)state;
    roundtrip(SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_SIGNED);
}

static void test_roundtrip_async(void **state)
{
    (void)state;
    roundtrip(SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_ASYNC_COMMAND);
}

static void test_bad_protocol_and_size(void **state)
{
    (void)state;
    uint8_t b[64];
    struct smb2_hdr h;
    memcpy(b, win_neg_rsp_hdr, 64);
    b[0] = 0xfd; /* transform id */
    assert_int_equal(smb2_hdr_decode(b, 64, &h).code, STATUS_INVALID_PARAMETER_CODE);
    memcpy(b, win_neg_rsp_hdr, 64);
    b[0] = 0xff; /* SMB1 */
    assert_int_equal(smb2_hdr_decode(b, 64, &h).code, STATUS_INVALID_PARAMETER_CODE);
    memcpy(b, win_neg_rsp_hdr, 64);
    b[4] = 0x41; /* StructureSize 65 */
    assert_int_equal(smb2_hdr_decode(b, 64, &h).code, STATUS_INVALID_PARAMETER_CODE);
}

static void test_encode_overflow(void **state)
{
    (void)state;
    uint8_t buf[63];
    struct wr w;
    struct smb2_hdr h;
    fill_hdr(&h, 0);
    wr_init(&w, buf, sizeof(buf));
    assert_int_equal(smb2_hdr_encode(&w, &h).code, STATUS_BUFFER_TOO_SMALL_CODE);
}

static void test_frame(void **state)
{
    (void)state;
    uint8_t f[4];
    uint32_t len = 99;
    smb2_frame_encode(f, 0x123456);
    assert_memory_equal(f, "\x00\x12\x34\x56", 4);
    assert_true(nt_ok(smb2_frame_decode(f, SMB2_MAX_FRAME, &len)));
    assert_int_equal(len, 0x123456);
    smb2_frame_encode(f, 0x00FFFFFF);
    assert_memory_equal(f, "\x00\xff\xff\xff", 4);
    /* length above the limit */
    assert_int_equal(smb2_frame_decode(f, SMB2_MAX_FRAME, &len).code,
                     STATUS_INVALID_PARAMETER_CODE);
    assert_int_equal(len, 0);
    assert_true(nt_ok(smb2_frame_decode(f, 0x00FFFFFF, &len)));
    /* non-zero first byte (NetBIOS session message types other than 0) */
    memcpy(f, "\x85\x00\x00\x40", 4);
    assert_int_equal(smb2_frame_decode(f, SMB2_MAX_FRAME, &len).code,
                     STATUS_INVALID_PARAMETER_CODE);
    /* zero length */
    memcpy(f, "\x00\x00\x00\x00", 4);
    assert_int_equal(smb2_frame_decode(f, SMB2_MAX_FRAME, &len).code,
                     STATUS_INVALID_PARAMETER_CODE);
    memcpy(f, "\x00\x00\x00\x40", 4);
    assert_true(nt_ok(smb2_frame_decode(f, SMB2_MAX_FRAME, &len)));
    assert_int_equal(len, 64);
}

/* smb2_body_buf: the (Offset, Length) rules every command decoder uses. */
static void test_body_buf(void **state)
{
    (void)state;
    uint8_t m[100] = {0};
    struct rd r;
    rd_init(&r, m, sizeof(m));
    assert_ptr_equal(smb2_body_buf(&r, 72, 28, 72), m + 72);
    assert_true(rd_ok(&r));
    assert_null(smb2_body_buf(&r, 0, 0, 72));
    assert_null(smb2_body_buf(&r, 100, 0, 72));
    assert_true(rd_ok(&r));
    rd_init(&r, m, sizeof(m));
    (void)smb2_body_buf(&r, 71, 1, 72); /* into the fixed part */
    assert_int_equal(rd_status(&r).code, STATUS_INVALID_PARAMETER_CODE);
    rd_init(&r, m, sizeof(m));
    (void)smb2_body_buf(&r, 72, 29, 72); /* past the end */
    assert_int_equal(rd_status(&r).code, STATUS_INVALID_PARAMETER_CODE);
    rd_init(&r, m, sizeof(m));
    (void)smb2_body_buf(&r, 8, 0, 72); /* empty, but inside the header */
    assert_int_equal(rd_status(&r).code, STATUS_INVALID_PARAMETER_CODE);
    rd_init(&r, m, sizeof(m));
    (void)smb2_body_buf(&r, 101, 0, 72);
    assert_int_equal(rd_status(&r).code, STATUS_INVALID_PARAMETER_CODE);
    rd_init(&r, m, sizeof(m));
    (void)smb2_body_buf(&r, 0xFFFF, 0xFFFF, 72);
    assert_int_equal(rd_status(&r).code, STATUS_INVALID_PARAMETER_CODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_real),     cmocka_unit_test(test_roundtrip_sync),
        cmocka_unit_test(test_roundtrip_async), cmocka_unit_test(test_bad_protocol_and_size),
        cmocka_unit_test(test_encode_overflow), cmocka_unit_test(test_frame),
        cmocka_unit_test(test_body_buf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
