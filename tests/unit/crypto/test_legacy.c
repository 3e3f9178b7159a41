/* MD4 (RFC 1320 answers) and RC4 from the legacy provider in the private
 * library context; RC4 keeps its keystream across calls. */
#include "crypto/crypto.h"

#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_md4_rfc1320(void **state)
{
    (void)state;
    static const uint8_t md4_abc[16] = {0xa4, 0x48, 0x01, 0x7a, 0xaf, 0x21, 0xd8, 0x52,
                                        0x5f, 0xc1, 0x0a, 0xe8, 0x7a, 0xa6, 0x72, 0x9d};
    static const uint8_t md4_empty[16] = {0x31, 0xd6, 0xcf, 0xe0, 0xd1, 0x6a, 0xe9, 0x31,
                                          0xb7, 0x3c, 0x59, 0xd7, 0xe0, 0xc0, 0x89, 0xc0};
    uint8_t out[16];
    assert_true(nt_ok(crypto_md4("abc", 3, out)));
    assert_memory_equal(out, md4_abc, 16);
    assert_true(nt_ok(crypto_md4(NULL, 0, out)));
    assert_memory_equal(out, md4_empty, 16);
}

/* The legacy provider must not leak into the default context. */
static void test_default_context_untouched(void **state)
{
    (void)state;
    uint8_t out[16];
    assert_true(nt_ok(crypto_md4("abc", 3, out)));
    EVP_MD *md4 = EVP_MD_fetch(NULL, "MD4", NULL);
    assert_null(md4);
    EVP_MD_free(md4);
}

static void test_rc4_stream(void **state)
{
    (void)state;
    /* Key "Key", plaintext "Plaintext" -> BBF316E8D940AF0AD3 */
    static const uint8_t want[9] = {0xbb, 0xf3, 0x16, 0xe8, 0xd9, 0x40, 0xaf, 0x0a, 0xd3};
    struct crypto_rc4 *r = NULL;
    assert_true(nt_ok(crypto_rc4_new(&r, (const uint8_t *)"Key", 3)));
    uint8_t out[9];
    assert_true(nt_ok(crypto_rc4_apply(r, (const uint8_t *)"Plain", out, 5)));
    assert_true(nt_ok(crypto_rc4_apply(r, (const uint8_t *)"text", out + 5, 4)));
    assert_memory_equal(out, want, 9);
    crypto_rc4_free(r);
    /* Decrypting with a fresh stream gives the plaintext back. */
    assert_true(nt_ok(crypto_rc4_new(&r, (const uint8_t *)"Key", 3)));
    assert_true(nt_ok(crypto_rc4_apply(r, out, out, 9)));
    assert_memory_equal(out, "Plaintext", 9);
    crypto_rc4_free(r);
    assert_int_equal(crypto_rc4_new(&r, NULL, 0).code, STATUS_INVALID_PARAMETER.code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_md4_rfc1320),
        cmocka_unit_test(test_default_context_untouched),
        cmocka_unit_test(test_rc4_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
