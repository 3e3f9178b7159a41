/* [MS-SMB2] 2.2.41 TRANSFORM_HEADER. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/transform.h"

static void fill(struct smb2_transform_hdr *h, uint32_t oms)
{
    memset(h, 0, sizeof(*h));
    for (int i = 0; i < 16; i++) {
        h->signature[i] = (uint8_t)(0x10 + i);
        h->nonce[i] = i < 12 ? (uint8_t)(0x80 + i) : 0;
    }
    h->original_message_size = oms;
    h->flags = SMB2_TRANSFORM_FLAG_ENCRYPTED;
    h->session_id = 0x100000000025ULL;
}

static size_t build(uint8_t *buf, size_t cap, uint32_t oms)
{
    struct wr w;
    struct smb2_transform_hdr h;
    fill(&h, oms);
    wr_init(&w, buf, cap);
    assert_true(nt_ok(smb2_transform_encode(&w, &h)));
    assert_int_equal(wr_pos(&w), SMB2_TRANSFORM_HDR_SIZE);
    memset(buf + SMB2_TRANSFORM_HDR_SIZE, 0xEE, oms);
    return SMB2_TRANSFORM_HDR_SIZE + oms;
}

static void test_roundtrip(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t len = build(buf, sizeof(buf), 100);
    static const uint8_t expect_head[] = {0xfd, 'S', 'M', 'B', 0x10, 0x11};
    assert_memory_equal(buf, expect_head, sizeof(expect_head));
    assert_memory_equal(buf + 36, "\x64\x00\x00\x00\x00\x00\x01\x00", 8);
    assert_memory_equal(buf + 44, "\x25\x00\x00\x00\x00\x10\x00\x00", 8);
    struct smb2_transform_hdr in, out;
    fill(&in, 100);
    assert_true(nt_ok(smb2_transform_decode(buf, len, &out)));
    assert_memory_equal(&in, &out, sizeof(in));
    assert_int_equal(SMB2_TRANSFORM_AAD_OFFSET + SMB2_TRANSFORM_AAD_SIZE, SMB2_TRANSFORM_HDR_SIZE);
}

static void expect_invalid(const uint8_t *src, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    struct smb2_transform_hdr out;
    assert_int_equal(smb2_transform_decode(c, n, &out).code, STATUS_INVALID_PARAMETER_CODE);
    free(c);
}

static void test_rejects(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t len = build(buf, sizeof(buf), 100);
    for (size_t n = 0; n < len; n++)
        expect_invalid(buf, n); /* truncation: OriginalMessageSize no longer matches */
    uint8_t b2[256];
    memcpy(b2, buf, len);
    b2[0] = 0xfe;
    expect_invalid(b2, len);
    memcpy(b2, buf, len);
    b2[42] = 0; /* Flags 0 */
    expect_invalid(b2, len);
    memcpy(b2, buf, len);
    b2[42] = 2;
    expect_invalid(b2, len);
    memcpy(b2, buf, len);
    b2[36] = 99; /* OriginalMessageSize too small */
    expect_invalid(b2, len);
    b2[36] = 101;
    expect_invalid(b2, len);
    /* a header with no ciphertext */
    len = build(buf, sizeof(buf), 0);
    expect_invalid(buf, len);
}

static void test_encode_overflow(void **state)
{
    (void)state;
    uint8_t buf[51];
    struct wr w;
    struct smb2_transform_hdr h;
    fill(&h, 1);
    wr_init(&w, buf, sizeof(buf));
    assert_int_equal(smb2_transform_encode(&w, &h).code, STATUS_BUFFER_TOO_SMALL_CODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_encode_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
