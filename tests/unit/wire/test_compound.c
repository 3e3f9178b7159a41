/* [MS-SMB2] 3.2.4.1.4, 3.3.5.2.7: compound chains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/compound.h"

/* Write one element: header + body_len bytes of body (a fake body). */
static size_t put_elem(struct wr *w, uint16_t cmd, uint32_t flags, uint64_t mid, size_t body_len)
{
    size_t at = wr_pos(w);
    struct smb2_hdr h = {.command = cmd, .flags = flags, .message_id = mid, .tree_id = 7};
    assert_true(nt_ok(smb2_hdr_encode(w, &h)));
    for (size_t i = 0; i < body_len; i++)
        wr_u8(w, (uint8_t)(0x40 + i));
    assert_true(wr_ok(w));
    return at;
}

/* CREATE (body 57) + READ related (body 49) + CLOSE related (body 24). */
static size_t build_chain3(uint8_t *buf, size_t cap)
{
    struct wr w;
    wr_init(&w, buf, cap);
    size_t e0 = put_elem(&w, SMB2_CREATE, 0, 1, 57);
    assert_true(nt_ok(smb2_chain_link(&w, e0)));
    size_t e1 = put_elem(&w, SMB2_READ, SMB2_FLAGS_RELATED_OPERATIONS, 2, 49);
    assert_true(nt_ok(smb2_chain_link(&w, e1)));
    put_elem(&w, SMB2_CLOSE, SMB2_FLAGS_RELATED_OPERATIONS, 3, 24);
    return wr_pos(&w);
}

static void test_three_elements(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t len = build_chain3(buf, sizeof(buf));
    /* 64+57 = 121 -> 128; 64+49 = 113 -> 120; last 88 unpadded */
    assert_int_equal(len, 128 + 120 + 88);
    assert_memory_equal(buf + 20, "\x80\x00\x00\x00", 4);
    assert_memory_equal(buf + 121, "\0\0\0\0\0\0\0", 7); /* padding is zero */
    assert_memory_equal(buf + 128 + 20, "\x78\x00\x00\x00", 4);
    assert_memory_equal(buf + 248 + 20, "\x00\x00\x00\x00", 4);

    struct smb2_chain c;
    struct smb2_chain_elem e;
    smb2_chain_init(&c, buf, len);
    assert_true(smb2_chain_next(&c, &e));
    assert_int_equal(e.offset, 0);
    assert_int_equal(e.len, 128);
    assert_ptr_equal(e.msg, buf);
    assert_int_equal(e.hdr.command, SMB2_CREATE);
    assert_false(e.related);
    assert_true(smb2_chain_next(&c, &e));
    assert_int_equal(e.offset, 128);
    assert_int_equal(e.len, 120);
    assert_int_equal(e.hdr.command, SMB2_READ);
    assert_int_equal(e.hdr.message_id, 2);
    assert_true(e.related);
    assert_true(smb2_chain_next(&c, &e));
    assert_int_equal(e.offset, 248);
    assert_int_equal(e.len, 88);
    assert_int_equal(e.hdr.command, SMB2_CLOSE);
    assert_true(e.related);
    assert_false(smb2_chain_next(&c, &e));
    assert_true(nt_ok(smb2_chain_status(&c)));
    assert_int_equal(c.count, 3);
    assert_false(smb2_chain_next(&c, &e)); /* stays done */
}

static void test_last_with_padding(void **state)
{
    (void)state;
    /* A sender may pad the last element too; it runs to the end of the frame. */
    uint8_t buf[512];
    size_t len = build_chain3(buf, sizeof(buf));
    memset(buf + len, 0, 8);
    struct smb2_chain c;
    struct smb2_chain_elem e;
    smb2_chain_init(&c, buf, len + 8);
    assert_true(smb2_chain_next(&c, &e));
    assert_true(smb2_chain_next(&c, &e));
    assert_true(smb2_chain_next(&c, &e));
    assert_int_equal(e.len, 96);
    assert_false(smb2_chain_next(&c, &e));
    assert_true(nt_ok(smb2_chain_status(&c)));
}

static void test_single(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    put_elem(&w, SMB2_ECHO, 0, 9, 4);
    struct smb2_chain c;
    struct smb2_chain_elem e;
    smb2_chain_init(&c, buf, wr_pos(&w));
    assert_true(smb2_chain_next(&c, &e));
    assert_int_equal(e.len, 68);
    assert_false(smb2_chain_next(&c, &e));
    assert_true(nt_ok(smb2_chain_status(&c)));
}

/* Patch element 0's NextCommand and expect the walk to fail at once. */
static void expect_bad_next(uint32_t nc, size_t frame_len)
{
    uint8_t buf[512];
    size_t len = build_chain3(buf, sizeof(buf));
    assert_true(frame_len <= len);
    buf[20] = (uint8_t)nc;
    buf[21] = (uint8_t)(nc >> 8);
    buf[22] = (uint8_t)(nc >> 16);
    buf[23] = (uint8_t)(nc >> 24);
    uint8_t *exact = malloc(frame_len);
    assert_non_null(exact);
    memcpy(exact, buf, frame_len);
    struct smb2_chain c;
    struct smb2_chain_elem e;
    smb2_chain_init(&c, exact, frame_len);
    assert_false(smb2_chain_next(&c, &e));
    assert_int_equal(smb2_chain_status(&c).code, STATUS_INVALID_PARAMETER_CODE);
    assert_false(smb2_chain_next(&c, &e));
    free(exact);
}

static void test_bad_next_command(void **state)
{
    (void)state;
    expect_bad_next(0x7c, 336);       /* unaligned */
    expect_bad_next(0x81, 336);       /* unaligned */
    expect_bad_next(8, 336);          /* smaller than a header */
    expect_bad_next(56, 336);         /* smaller than a header */
    expect_bad_next(336, 336);        /* points at the end: no room for a header */
    expect_bad_next(304, 336);        /* next element would be 32 bytes */
    expect_bad_next(0x1000, 336);     /* past the end */
    expect_bad_next(0xFFFFFFF8, 336); /* far past the end, no wrap */
}

static void test_loop_impossible(void **state)
{
    (void)state;
    /* NextCommand 0 can't loop (it ends the chain); the minimum step is 64,
     * so a frame of N bytes yields at most N/64 elements. Chain of 64-byte
     * headers each pointing at the next: */
    uint8_t buf[64 * 8];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    for (int i = 0; i < 8; i++) {
        size_t at = put_elem(&w, SMB2_ECHO, i ? SMB2_FLAGS_RELATED_OPERATIONS : 0, (uint64_t)i, 0);
        if (i < 7)
            assert_true(nt_ok(smb2_chain_link(&w, at)));
    }
    struct smb2_chain c;
    struct smb2_chain_elem e;
    smb2_chain_init(&c, buf, sizeof(buf));
    unsigned n = 0;
    while (smb2_chain_next(&c, &e))
        assert_int_equal(e.offset, 64 * n++);
    assert_true(nt_ok(smb2_chain_status(&c)));
    assert_int_equal(n, 8);
}

static void test_related_first(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    put_elem(&w, SMB2_CLOSE, SMB2_FLAGS_RELATED_OPERATIONS, 1, 24);
    struct smb2_chain c;
    struct smb2_chain_elem e;
    smb2_chain_init(&c, buf, wr_pos(&w));
    assert_false(smb2_chain_next(&c, &e));
    assert_int_equal(smb2_chain_status(&c).code, STATUS_INVALID_PARAMETER_CODE);
}

static void test_bad_element_header(void **state)
{
    (void)state;
    uint8_t buf[512];
    size_t len = build_chain3(buf, sizeof(buf));
    buf[128] = 0xfd; /* second element's ProtocolId */
    struct smb2_chain c;
    struct smb2_chain_elem e;
    smb2_chain_init(&c, buf, len);
    assert_true(smb2_chain_next(&c, &e));
    assert_false(smb2_chain_next(&c, &e));
    assert_int_equal(smb2_chain_status(&c).code, STATUS_INVALID_PARAMETER_CODE);
    /* truncated frames: each fails or yields only whole elements */
    len = build_chain3(buf, sizeof(buf));
    for (size_t n = 0; n < len; n++) {
        uint8_t *x = malloc(n ? n : 1);
        assert_non_null(x);
        memcpy(x, buf, n);
        smb2_chain_init(&c, x, n);
        while (smb2_chain_next(&c, &e))
            assert_true(e.offset + e.len <= n);
        if (n < 248 + 64)
            assert_int_equal(smb2_chain_status(&c).code, STATUS_INVALID_PARAMETER_CODE);
        free(x);
    }
}

static void test_link_errors(void **state)
{
    (void)state;
    uint8_t buf[200];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    put_elem(&w, SMB2_ECHO, 0, 1, 4);
    /* element offset beyond the writer / element shorter than a header */
    assert_int_equal(smb2_chain_link(&w, 100).code, STATUS_INTERNAL_ERROR_CODE);
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 10);
    assert_int_equal(smb2_chain_link(&w, 0).code, STATUS_INTERNAL_ERROR_CODE);
    /* no room for the padding */
    uint8_t small[68];
    wr_init(&w, small, sizeof(small));
    put_elem(&w, SMB2_ECHO, 0, 1, 4);
    assert_int_equal(smb2_chain_link(&w, 0).code, STATUS_BUFFER_TOO_SMALL_CODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_elements),
        cmocka_unit_test(test_last_with_padding),
        cmocka_unit_test(test_single),
        cmocka_unit_test(test_bad_next_command),
        cmocka_unit_test(test_loop_impossible),
        cmocka_unit_test(test_related_first),
        cmocka_unit_test(test_bad_element_header),
        cmocka_unit_test(test_link_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
