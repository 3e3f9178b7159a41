/* UTF-8 <-> UTF-16LE: exact bytes, surrogate pairs, strict rejection. */
#include "base/utf16.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void ascii_and_bmp(void **state)
{
    (void)state;
    uint8_t out[32];
    size_t n;
    const char *s = "A\xC3\xA9\xE2\x82\xAC"; /* A, e-acute, euro sign */
    assert_true(nt_ok(utf8_to_utf16le(s, strlen(s), out, sizeof out, &n)));
    static const uint8_t want[] = {0x41, 0x00, 0xE9, 0x00, 0xAC, 0x20};
    assert_int_equal(n, sizeof want);
    assert_memory_equal(out, want, sizeof want);
    assert_int_equal(utf8_utf16le_len(s, strlen(s)), sizeof want);

    char back[16];
    assert_true(nt_ok(utf16le_to_utf8(out, n, back, sizeof back, &n)));
    assert_string_equal(back, s);
    assert_int_equal(n, strlen(s));
}

static void supplementary_plane_uses_surrogates(void **state)
{
    (void)state;
    const char *s = "\xF0\x9F\x98\x80"; /* U+1F600 */
    uint8_t out[8];
    size_t n;
    assert_true(nt_ok(utf8_to_utf16le(s, strlen(s), out, sizeof out, &n)));
    static const uint8_t want[] = {0x3D, 0xD8, 0x00, 0xDE};
    assert_int_equal(n, 4);
    assert_memory_equal(out, want, 4);
    char back[8];
    assert_true(nt_ok(utf16le_to_utf8(out, n, back, sizeof back, &n)));
    assert_string_equal(back, s);
}

static void ill_formed_utf8_rejected(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\xC0\xAF",         /* overlong '/' */
        "\xE0\x80\xAF",     /* overlong */
        "\xED\xA0\x80",     /* encoded surrogate */
        "\xF4\x90\x80\x80", /* above U+10FFFF */
        "\xC3",             /* truncated */
        "\x80",             /* lone continuation */
        "\xFF",
    };
    uint8_t out[16];
    size_t n;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_true(nt_eq(utf8_to_utf16le(bad[i], strlen(bad[i]), out, sizeof out, &n),
                          STATUS_OBJECT_NAME_INVALID));
        assert_true(utf8_utf16le_len(bad[i], strlen(bad[i])) == SIZE_MAX);
    }
}

static void ill_formed_utf16_rejected(void **state)
{
    (void)state;
    char out[16];
    size_t n;
    static const uint8_t lone_high[] = {0x3D, 0xD8, 'a', 0};
    static const uint8_t lone_low[] = {0x00, 0xDE};
    static const uint8_t high_at_end[] = {'a', 0, 0x3D, 0xD8};
    static const uint8_t odd[] = {'a', 0, 'b'};
    assert_false(nt_ok(utf16le_to_utf8(lone_high, sizeof lone_high, out, sizeof out, &n)));
    assert_false(nt_ok(utf16le_to_utf8(lone_low, sizeof lone_low, out, sizeof out, &n)));
    assert_false(nt_ok(utf16le_to_utf8(high_at_end, sizeof high_at_end, out, sizeof out, &n)));
    assert_false(nt_ok(utf16le_to_utf8(odd, sizeof odd, out, sizeof out, &n)));
}

static void output_capacity_is_respected(void **state)
{
    (void)state;
    uint8_t out[3];
    size_t n = 99;
    assert_true(nt_eq(utf8_to_utf16le("ab", 2, out, sizeof out, &n), STATUS_BUFFER_TOO_SMALL));
    static const uint8_t ab[] = {'a', 0, 'b', 0};
    char s[2]; /* room for one char + NUL */
    assert_true(nt_eq(utf16le_to_utf8(ab, 4, s, sizeof s, &n), STATUS_BUFFER_TOO_SMALL));
    assert_int_equal(s[1], '\0'); /* still terminated */
    assert_true(nt_eq(utf16le_to_utf8(ab, 4, s, 0, &n), STATUS_BUFFER_TOO_SMALL));
}

static void empty_strings(void **state)
{
    (void)state;
    uint8_t out[1];
    char s[1] = {'x'};
    size_t n = 99;
    assert_true(nt_ok(utf8_to_utf16le("", 0, out, 0, &n)));
    assert_int_equal(n, 0);
    assert_true(nt_ok(utf16le_to_utf8(out, 0, s, sizeof s, &n)));
    assert_int_equal(s[0], '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_and_bmp),
        cmocka_unit_test(supplementary_plane_uses_surrogates),
        cmocka_unit_test(ill_formed_utf8_rejected),
        cmocka_unit_test(ill_formed_utf16_rejected),
        cmocka_unit_test(output_capacity_is_respected),
        cmocka_unit_test(empty_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
