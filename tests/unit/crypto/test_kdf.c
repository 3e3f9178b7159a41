/* crypto_kbkdf_sha256 = SMB3KDF ([MS-SMB2] 3.1.4.2): the [ANATOMY] 3.0
 * signing key, L=256 prefix property, argument checks. */
#include "crypto/crypto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const uint8_t ki[16] = {0x7c, 0xd4, 0x51, 0x82, 0x5d, 0x04, 0x50, 0xd2,
                               0x35, 0x42, 0x4e, 0x44, 0xba, 0x6e, 0x78, 0xcc};

static void test_anatomy_signing_key(void **state)
{
    (void)state;
    static const uint8_t want[16] = {0x0b, 0x7e, 0x9c, 0x5c, 0xac, 0x36, 0xc0, 0xf6,
                                     0xea, 0x9a, 0xb2, 0x75, 0x29, 0x8c, 0xed, 0xce};
    uint8_t out[16];
    assert_true(nt_ok(crypto_kbkdf_sha256(ki, 16, "SMB2AESCMAC", 12, "SmbSign", 8, out, 16)));
    assert_memory_equal(out, want, 16);
}

/* L is part of the input, so a 256-bit key does not start with the 128-bit one. */
static void test_length_is_bound(void **state)
{
    (void)state;
    uint8_t k128[16], k256[32];
    assert_true(nt_ok(crypto_kbkdf_sha256(ki, 16, "SMB2AESCCM", 11, "ServerIn ", 10, k128, 16)));
    assert_true(nt_ok(crypto_kbkdf_sha256(ki, 16, "SMB2AESCCM", 11, "ServerIn ", 10, k256, 32)));
    assert_memory_not_equal(k128, k256, 16);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint8_t out[64];
    assert_int_equal(crypto_kbkdf_sha256(ki, 16, "a", 2, "b", 2, out, 24).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_int_equal(crypto_kbkdf_sha256(ki, 0, "a", 2, "b", 2, out, 16).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_int_equal(crypto_kbkdf_sha256(NULL, 16, "a", 2, "b", 2, out, 16).code,
                     STATUS_INVALID_PARAMETER.code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anatomy_signing_key),
        cmocka_unit_test(test_length_is_bound),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
