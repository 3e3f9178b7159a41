/* The bounded cursor: bounds, sticky errors, sub-ranges, back-patching. */
#include "base/cursor.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const uint8_t sample[] = {0x01, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xF0,
                                 0xDE, 0xBC, 0x9A, 0x78, 0x56, 0x34, 0x12};

static void reads_little_endian_integers(void **state)
{
    (void)state;
    struct rd r;
    rd_init(&r, sample, sizeof sample);
    assert_int_equal(rd_u8(&r), 0x01);
    assert_int_equal(rd_u16(&r), 0x1234);
    assert_int_equal(rd_u32(&r), 0x12345678);
    assert_true(rd_u64(&r) == 0x123456789ABCDEF0ull);
    assert_int_equal(rd_left(&r), 0);
    assert_true(nt_ok(rd_status(&r)));
}

static void overrun_is_sticky_and_reads_zero(void **state)
{
    (void)state;
    struct rd r;
    rd_init(&r, sample, 3);
    assert_int_equal(rd_u16(&r), 0x3401);
    assert_int_equal(rd_u16(&r), 0); /* only one byte left */
    assert_true(nt_eq(rd_status(&r), STATUS_INVALID_PARAMETER));
    /* Later reads fail too, even ones that would fit. */
    assert_int_equal(rd_u8(&r), 0);
    assert_null(rd_bytes(&r, 0));
    assert_int_equal(rd_left(&r), 0);
    assert_true(nt_eq(rd_status(&r), STATUS_INVALID_PARAMETER));
}

static void first_failure_wins(void **state)
{
    (void)state;
    struct rd r;
    rd_init(&r, sample, sizeof sample);
    rd_fail(&r, STATUS_BUFFER_TOO_SMALL);
    rd_require(&r, false);
    assert_true(nt_eq(rd_status(&r), STATUS_BUFFER_TOO_SMALL));
    /* A "success" failure still poisons the cursor. */
    struct rd r2;
    rd_init(&r2, sample, sizeof sample);
    rd_fail(&r2, STATUS_SUCCESS);
    assert_false(rd_ok(&r2));
}

static void bytes_copy_skip_and_seek(void **state)
{
    (void)state;
    struct rd r;
    rd_init(&r, sample, sizeof sample);
    const uint8_t *p = rd_bytes(&r, 3);
    assert_ptr_equal(p, sample);
    uint8_t out[sizeof sample];
    rd_copy(&r, out, 4);
    assert_memory_equal(out, sample + 3, 4);
    rd_seek(&r, sizeof sample); /* the end itself is a valid position */
    assert_int_equal(rd_left(&r), 0);
    assert_true(rd_ok(&r));
    rd_seek(&r, sizeof sample + 1);
    assert_false(rd_ok(&r));

    rd_init(&r, sample, sizeof sample);
    rd_copy(&r, out, 1);
    rd_copy(&r, out, sizeof sample); /* overrun zeroes the destination */
    assert_false(rd_ok(&r));
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], 0);

    rd_init(&r, sample, sizeof sample);
    rd_skip(&r, SIZE_MAX); /* no wrap-around */
    assert_false(rd_ok(&r));
}

static void sub_reader_bounds(void **state)
{
    (void)state;
    struct rd r;
    rd_init(&r, sample, sizeof sample);
    struct rd s = rd_sub(&r, 3, 4);
    assert_true(rd_ok(&s));
    assert_int_equal(rd_u32(&s), 0x12345678);
    assert_int_equal(rd_left(&s), 0);
    assert_int_equal(rd_pos(&r), 0); /* parent does not move */

    s = rd_sub(&r, 14, 2); /* one byte past the end */
    assert_false(rd_ok(&s));
    assert_false(rd_ok(&r)); /* the parent records it too */

    rd_init(&r, sample, sizeof sample);
    s = rd_sub(&r, SIZE_MAX, 2); /* offset + len overflows */
    assert_false(rd_ok(&s));
    rd_init(&r, sample, sizeof sample);
    s = rd_sub(&r, 2, SIZE_MAX);
    assert_false(rd_ok(&s));
    rd_init(&r, sample, sizeof sample);
    s = rd_sub(&r, sizeof sample, 0); /* empty range at the end */
    assert_true(rd_ok(&s));
    assert_int_equal(rd_left(&s), 0);
}

static void align_reader(void **state)
{
    (void)state;
    struct rd r;
    rd_init(&r, sample, sizeof sample);
    rd_skip(&r, 1);
    rd_align(&r, 8, false);
    assert_int_equal(rd_pos(&r), 8);
    rd_skip(&r, 1);
    rd_align(&r, 8, true); /* 15 bytes: padding missing at the end is allowed */
    assert_true(rd_ok(&r));
    assert_int_equal(rd_pos(&r), 15);
    rd_init(&r, sample, sizeof sample);
    rd_skip(&r, 9);
    rd_align(&r, 8, false);
    assert_false(rd_ok(&r));
}

static void null_reader_is_empty(void **state)
{
    (void)state;
    struct rd r;
    rd_init(&r, NULL, 100);
    assert_int_equal(rd_left(&r), 0);
    assert_non_null(rd_bytes(&r, 0));
    assert_int_equal(rd_u8(&r), 0);
    assert_false(rd_ok(&r));
}

static void writer_writes_and_overflows(void **state)
{
    (void)state;
    uint8_t buf[16];
    struct wr w;
    wr_init(&w, buf, sizeof buf);
    wr_u8(&w, 0x01);
    wr_u16(&w, 0x1234);
    wr_u32(&w, 0x12345678);
    wr_u64(&w, 0x123456789ABCDEF0ull);
    assert_true(nt_ok(wr_status(&w)));
    assert_int_equal(wr_pos(&w), 15);
    assert_memory_equal(buf, sample, 15);
    wr_u16(&w, 0xFFFF); /* one byte of room */
    assert_true(nt_eq(wr_status(&w), STATUS_BUFFER_TOO_SMALL));
    assert_int_equal(wr_pos(&w), 15);
    wr_u8(&w, 0xAA); /* sticky: nothing more is written */
    assert_int_equal(wr_pos(&w), 15);
}

static void writer_align_reserve_patch(void **state)
{
    (void)state;
    uint8_t buf[32];
    memset(buf, 0xEE, sizeof buf);
    struct wr w;
    wr_init(&w, buf, sizeof buf);
    wr_u8(&w, 7);
    wr_align(&w, 8);
    assert_int_equal(wr_pos(&w), 8);
    for (int i = 1; i < 8; i++)
        assert_int_equal(buf[i], 0);
    uint8_t *len_field = wr_reserve(&w, 4);
    assert_ptr_equal(len_field, buf + 8);
    wr_bytes(&w, "abc", 3);
    wr_u32_at(&w, 8, 3);
    wr_u16_at(&w, 0, 0xBEEF);
    assert_true(nt_ok(wr_status(&w)));
    assert_int_equal(buf[8], 3);
    assert_int_equal(buf[0], 0xEF);
    assert_int_equal(buf[1], 0xBE);
    wr_u32_at(&w, 13, 1); /* past what was written: a bug, reported */
    assert_true(nt_eq(wr_status(&w), STATUS_INTERNAL_ERROR));
    assert_null(wr_reserve(&w, 1));
}

static void writer_utf16(void **state)
{
    (void)state;
    uint8_t buf[8];
    struct wr w;
    wr_init(&w, buf, sizeof buf);
    assert_int_equal(wr_utf16(&w, "ab", 2), 4);
    assert_memory_equal(buf, "a\0b\0", 4);
    assert_int_equal(wr_utf16(&w, "abc", 3), 0); /* 6 bytes, 4 left */
    assert_true(nt_eq(wr_status(&w), STATUS_BUFFER_TOO_SMALL));
}

static void reader_utf16(void **state)
{
    (void)state;
    static const uint8_t name[] = {'s', 0, 'h', 0, 0xE9, 0, 'r', 0};
    char out[16];
    struct rd r;
    rd_init(&r, name, sizeof name);
    rd_utf16(&r, sizeof name, out, sizeof out);
    assert_true(rd_ok(&r));
    assert_string_equal(out, "sh\xC3\xA9r");
    rd_init(&r, name, sizeof name);
    rd_utf16(&r, 3, out, sizeof out); /* odd length */
    assert_false(rd_ok(&r));
    rd_init(&r, name, sizeof name);
    rd_utf16(&r, sizeof name, out, 4); /* does not fit */
    assert_true(nt_eq(rd_status(&r), STATUS_BUFFER_TOO_SMALL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_little_endian_integers),
        cmocka_unit_test(overrun_is_sticky_and_reads_zero),
        cmocka_unit_test(first_failure_wins),
        cmocka_unit_test(bytes_copy_skip_and_seek),
        cmocka_unit_test(sub_reader_bounds),
        cmocka_unit_test(align_reader),
        cmocka_unit_test(null_reader_is_empty),
        cmocka_unit_test(writer_writes_and_overflows),
        cmocka_unit_test(writer_align_reserve_patch),
        cmocka_unit_test(writer_utf16),
        cmocka_unit_test(reader_utf16),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
