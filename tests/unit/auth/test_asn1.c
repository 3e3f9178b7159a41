/* The DER reader and writer: lengths (short, long, overlong, indefinite,
 * non-minimal, past the buffer), identifiers, nesting depth, truncation and
 * the writer's length back-patching. */
#include "auth/asn1.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define assert_nt(expr)     assert_true(nt_ok(expr))
#define assert_not_nt(expr) assert_false(nt_ok(expr))

static void reads_short_and_long_lengths(void **state)
{
    (void)state;
    uint8_t buf[3 + 200];
    buf[0] = DER_OCTET_STRING;
    buf[1] = 0x81;
    buf[2] = 200;
    memset(buf + 3, 0xAB, 200);
    struct der d;
    const uint8_t *v = NULL;
    size_t n = 0;
    der_init(&d, buf, sizeof buf);
    der_read_prim(&d, DER_OCTET_STRING, &v, &n);
    assert_nt(der_status(&d));
    assert_int_equal(n, 200);
    assert_ptr_equal(v, buf + 3);
    assert_true(der_at_end(&d));

    static const uint8_t small[] = {DER_OID, 0x03, 0x2A, 0x86, 0x48};
    der_init(&d, small, sizeof small);
    der_read_prim(&d, DER_OID, &v, &n);
    assert_nt(der_status(&d));
    assert_int_equal(n, 3);
}

static ntstatus_t decode_one(const uint8_t *p, size_t len)
{
    struct der d, inner;
    uint8_t tag = 0;
    der_init(&d, p, len);
    der_read_any(&d, &tag, &inner, NULL);
    return der_status(&d);
}

static void rejects_indefinite_length(void **state)
{
    (void)state;
    static const uint8_t indefinite[] = {0x30, 0x80, 0x04, 0x00, 0x00, 0x00};
    assert_not_nt(decode_one(indefinite, sizeof indefinite));
    assert_not_nt(der_validate(indefinite, sizeof indefinite, DER_MAX_DEPTH));
}

static void rejects_overlong_and_non_minimal_lengths(void **state)
{
    (void)state;
    /* five length octets */
    static const uint8_t five[] = {0x04, 0x85, 0x00, 0x00, 0x00, 0x00, 0x01, 0xAA};
    /* long form for a length below 128 */
    static const uint8_t long_small[] = {0x04, 0x81, 0x01, 0xAA};
    /* leading zero length octet */
    static const uint8_t leading_zero[] = {0x04, 0x82, 0x00, 0x81};
    /* 0xFFFFFFFF: far past the buffer */
    static const uint8_t huge[] = {0x04, 0x84, 0xFF, 0xFF, 0xFF, 0xFF, 0xAA};
    assert_not_nt(decode_one(five, sizeof five));
    assert_not_nt(decode_one(long_small, sizeof long_small));
    assert_not_nt(decode_one(leading_zero, sizeof leading_zero));
    assert_not_nt(decode_one(huge, sizeof huge));
}

static void rejects_length_past_buffer(void **state)
{
    (void)state;
    static const uint8_t past[] = {0x30, 0x05, 0x04, 0x01, 0xAA};
    static const uint8_t inner_past[] = {0x30, 0x03, 0x04, 0x02, 0xAA};
    assert_not_nt(decode_one(past, sizeof past));
    assert_not_nt(der_validate(inner_past, sizeof inner_past, DER_MAX_DEPTH));
    assert_not_nt(decode_one(past, 1));
    assert_not_nt(decode_one(past, 0));
}

static void rejects_high_tag_number_form(void **state)
{
    (void)state;
    static const uint8_t high[] = {0x1F, 0x81, 0x00, 0x00};
    assert_not_nt(decode_one(high, sizeof high));
}

/* n nested SEQUENCEs around an empty OCTET STRING. */
static size_t nested(uint8_t *buf, size_t depth)
{
    size_t len = 2 * depth + 2;
    for (size_t i = 0; i < depth; i++) {
        buf[2 * i] = DER_SEQUENCE;
        buf[2 * i + 1] = (uint8_t)(len - 2 * i - 2);
    }
    buf[2 * depth] = DER_OCTET_STRING;
    buf[2 * depth + 1] = 0;
    return len;
}

static void nesting_depth_is_limited(void **state)
{
    (void)state;
    uint8_t buf[128];
    size_t len = nested(buf, DER_MAX_DEPTH - 1); /* + the string: DER_MAX_DEPTH levels */
    assert_nt(der_validate(buf, len, DER_MAX_DEPTH));
    len = nested(buf, DER_MAX_DEPTH);
    assert_not_nt(der_validate(buf, len, DER_MAX_DEPTH));
    len = nested(buf, 60);
    assert_not_nt(der_validate(buf, len, DER_MAX_DEPTH));
    assert_not_nt(der_validate(buf, len, 1000)); /* the cap cannot be raised */
    /* der_enter counts depth too */
    struct der d, inner[DER_MAX_DEPTH + 2];
    der_init(&d, buf, len);
    der_enter(&d, DER_SEQUENCE, &inner[0]);
    for (size_t i = 1; i < DER_MAX_DEPTH + 2; i++)
        der_enter(&inner[i - 1], DER_SEQUENCE, &inner[i]);
    assert_not_nt(der_status(&inner[DER_MAX_DEPTH + 1]));
    assert_not_nt(der_status(&inner[DER_MAX_DEPTH]));
}

static void every_truncation_fails(void **state)
{
    (void)state;
    static const uint8_t tok[] = {0x30, 0x0C, 0xA0, 0x0A, 0x30, 0x08, 0x06,
                                  0x02, 0x2A, 0x03, 0x04, 0x02, 0xAA, 0xBB};
    assert_nt(der_validate(tok, sizeof tok, DER_MAX_DEPTH));
    for (size_t n = 0; n < sizeof tok; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees any overread */
        memcpy(copy, tok, n);
        assert_not_nt(der_validate(copy, n, DER_MAX_DEPTH));
        free(copy);
    }
}

static void trailing_bytes_inside_element_fail(void **state)
{
    (void)state;
    static const uint8_t tok[] = {0xA0, 0x04, 0x04, 0x01, 0xAA, 0xFF};
    struct der d, ctx;
    const uint8_t *v = NULL;
    size_t n = 0;
    der_init(&d, tok, sizeof tok);
    der_enter(&d, DER_CONTEXT(0), &ctx);
    der_read_prim(&ctx, DER_OCTET_STRING, &v, &n);
    der_leave(&d, &ctx);
    assert_not_nt(der_status(&d));
}

static void wrong_tag_and_enum_rules(void **state)
{
    (void)state;
    static const uint8_t seq[] = {0x30, 0x00};
    static const uint8_t en_ok[] = {0x0A, 0x01, 0x03};
    static const uint8_t en_long[] = {0x0A, 0x02, 0x00, 0x01};
    static const uint8_t en_neg[] = {0x0A, 0x01, 0x80};
    struct der d, inner;
    der_init(&d, seq, sizeof seq);
    der_enter(&d, DER_OCTET_STRING, &inner);
    assert_not_nt(der_status(&d));
    assert_int_equal(der_peek_tag(&d), 0);
    der_init(&d, en_ok, sizeof en_ok);
    assert_int_equal(der_read_enum(&d), 3);
    assert_nt(der_status(&d));
    der_init(&d, en_long, sizeof en_long);
    (void)der_read_enum(&d);
    assert_not_nt(der_status(&d));
    der_init(&d, en_neg, sizeof en_neg);
    (void)der_read_enum(&d);
    assert_not_nt(der_status(&d));
}

/* Identifier plus minimal length octets for n content bytes. */
static size_t der_header_len(size_t n)
{
    return n < 128 ? 2 : n < 256 ? 3 : n < 65536 ? 4 : 5;
}

/* The writer picks the minimal length form and the reader takes it back. */
static void writer_round_trips_lengths(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 127, 128, 255, 256, 65535, 65536, 70000};
    uint8_t *content = calloc(1, 70000);
    uint8_t *buf = malloc(70100);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct wr w;
        wr_init(&w, buf, 70100);
        size_t outer = der_begin(&w, DER_CONTEXT(2));
        der_put_prim(&w, DER_OCTET_STRING, content, sizes[i]);
        der_end(&w, outer);
        assert_nt(wr_status(&w));
        size_t inner_total = der_header_len(sizes[i]) + sizes[i];
        assert_int_equal(wr_pos(&w), der_header_len(inner_total) + inner_total);
        assert_nt(der_validate(buf, wr_pos(&w), DER_MAX_DEPTH));
        struct der d, ctx;
        const uint8_t *v = NULL;
        size_t n = 0;
        der_init(&d, buf, wr_pos(&w));
        der_enter(&d, DER_CONTEXT(2), &ctx);
        der_read_prim(&ctx, DER_OCTET_STRING, &v, &n);
        der_leave(&d, &ctx);
        assert_nt(der_status(&d));
        assert_int_equal(n, sizes[i]);
    }
    free(content);
    free(buf);
}

static void writer_fails_when_full(void **state)
{
    (void)state;
    uint8_t content[200] = {0};
    uint8_t buf[202]; /* needs 203: 04 81 C8 + 200 */
    struct wr w;
    wr_init(&w, buf, sizeof buf);
    der_put_prim(&w, DER_OCTET_STRING, content, sizeof content);
    assert_not_nt(wr_status(&w));
    wr_init(&w, buf, 1);
    der_put_enum(&w, 1);
    assert_not_nt(wr_status(&w));
    wr_init(&w, buf, sizeof buf);
    der_end(&w, 5); /* a mark past the end */
    assert_not_nt(wr_status(&w));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_short_and_long_lengths),
        cmocka_unit_test(rejects_indefinite_length),
        cmocka_unit_test(rejects_overlong_and_non_minimal_lengths),
        cmocka_unit_test(rejects_length_past_buffer),
        cmocka_unit_test(rejects_high_tag_number_form),
        cmocka_unit_test(nesting_depth_is_limited),
        cmocka_unit_test(every_truncation_fails),
        cmocka_unit_test(trailing_bytes_inside_element_fail),
        cmocka_unit_test(wrong_tag_and_enum_rules),
        cmocka_unit_test(writer_round_trips_lengths),
        cmocka_unit_test(writer_fails_when_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
