/* lib/sec preauth chain: init zeroes, update = SHA-512(hash || message),
 * split messages hash the same, order matters. */
#include "crypto/crypto.h"
#include "sec/preauth.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_init_zeroes(void **state)
{
    (void)state;
    uint8_t h[64], zero[64] = {0};
    memset(h, 0xff, sizeof h);
    sec_preauth_init(h);
    assert_memory_equal(h, zero, 64);
}

static void test_update_is_sha512_of_concat(void **state)
{
    (void)state;
    uint8_t h[64], want[64], concat[64 + 5];
    sec_preauth_init(h);
    memset(concat, 0, 64);
    memcpy(concat + 64, "hello", 5);
    struct iovec whole = {concat, sizeof concat};
    assert_true(nt_ok(crypto_sha512(&whole, 1, want)));
    struct iovec parts[2] = {{(void *)"hel", 3}, {(void *)"lo", 2}};
    assert_true(nt_ok(sec_preauth_update(h, parts, 2)));
    assert_memory_equal(h, want, 64);
}

static void test_order_matters(void **state)
{
    (void)state;
    uint8_t a[64], b[64];
    struct iovec x = {(void *)"x", 1}, y = {(void *)"y", 1};
    sec_preauth_init(a);
    sec_preauth_init(b);
    assert_true(nt_ok(sec_preauth_update(a, &x, 1)));
    assert_true(nt_ok(sec_preauth_update(a, &y, 1)));
    assert_true(nt_ok(sec_preauth_update(b, &y, 1)));
    assert_true(nt_ok(sec_preauth_update(b, &x, 1)));
    assert_memory_not_equal(a, b, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_zeroes),
        cmocka_unit_test(test_update_is_sha512_of_concat),
        cmocka_unit_test(test_order_matters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
