/* lib/crypto digests: FIPS 180 "abc" answers, iovec splits, the prefixed
 * SHA-512 used by the preauth chain (including out aliasing the prefix). */
#include "crypto/crypto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const uint8_t sha512_abc[64] = {
    0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba, 0xcc, 0x41, 0x73, 0x49, 0xae, 0x20, 0x41, 0x31,
    0x12, 0xe6, 0xfa, 0x4e, 0x89, 0xa9, 0x7e, 0xa2, 0x0a, 0x9e, 0xee, 0xe6, 0x4b, 0x55, 0xd3, 0x9a,
    0x21, 0x92, 0x99, 0x2a, 0x27, 0x4f, 0xc1, 0xa8, 0x36, 0xba, 0x3c, 0x23, 0xa3, 0xfe, 0xeb, 0xbd,
    0x45, 0x4d, 0x44, 0x23, 0x64, 0x3c, 0xe8, 0x0e, 0x2a, 0x9a, 0xc9, 0x4f, 0xa5, 0x4c, 0xa4, 0x9f};

static void test_sha512_abc_split(void **state)
{
    (void)state;
    struct iovec one = {(void *)"abc", 3};
    struct iovec three[3] = {{(void *)"a", 1}, {NULL, 0}, {(void *)"bc", 2}};
    uint8_t out[64];
    assert_true(nt_ok(crypto_sha512(&one, 1, out)));
    assert_memory_equal(out, sha512_abc, 64);
    memset(out, 0, sizeof out);
    assert_true(nt_ok(crypto_sha512(three, 3, out)));
    assert_memory_equal(out, sha512_abc, 64);
}

static void test_sha512_prefixed_aliasing(void **state)
{
    (void)state;
    uint8_t buf[64];
    memcpy(buf, "ab", 2);
    struct iovec rest = {(void *)"c", 1};
    assert_true(nt_ok(crypto_sha512_prefixed(buf, 2, &rest, 1, buf)));
    assert_memory_equal(buf, sha512_abc, 64);
}

static void test_sha256_md5_abc(void **state)
{
    (void)state;
    static const uint8_t sha256_abc[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                           0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                           0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                           0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    static const uint8_t md5_abc[16] = {0x90, 0x01, 0x50, 0x98, 0x3c, 0xd2, 0x4f, 0xb0,
                                        0xd6, 0x96, 0x3f, 0x7d, 0x28, 0xe1, 0x7f, 0x72};
    struct iovec iov[2] = {{(void *)"ab", 2}, {(void *)"c", 1}};
    uint8_t out[32];
    assert_true(nt_ok(crypto_sha256(iov, 2, out)));
    assert_memory_equal(out, sha256_abc, 32);
    assert_true(nt_ok(crypto_md5(iov, 2, out)));
    assert_memory_equal(out, md5_abc, 16);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uint8_t out[64];
    assert_int_equal(crypto_sha512(NULL, 1, out).code, STATUS_INVALID_PARAMETER.code);
    assert_int_equal(crypto_sha512_prefixed(NULL, 3, NULL, 0, out).code,
                     STATUS_INVALID_PARAMETER.code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha512_abc_split),
        cmocka_unit_test(test_sha512_prefixed_aliasing),
        cmocka_unit_test(test_sha256_md5_abc),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
