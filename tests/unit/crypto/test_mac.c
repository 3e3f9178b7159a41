/* lib/crypto MACs: published answers (RFC 4231 HMAC-SHA256, RFC 4493
 * AES-CMAC, RFC 2104 HMAC-MD5), GMAC equal to an AES-GCM tag over empty
 * plaintext, context reuse across messages, split input, bad keys. */
#include "crypto/crypto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const uint8_t rfc4493_key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                        0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
static const uint8_t rfc4493_msg[16] = {0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
                                        0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a};

static void mac_once(struct crypto_mac *m, const uint8_t *nonce, const void *p, size_t n,
                     uint8_t tag[16])
{
    assert_true(nt_ok(crypto_mac_begin(m, nonce)));
    assert_true(nt_ok(crypto_mac_update(m, p, n)));
    assert_true(nt_ok(crypto_mac_end(m, tag)));
}

static void test_cmac_rfc4493(void **state)
{
    (void)state;
    static const uint8_t empty_tag[16] = {0xbb, 0x1d, 0x69, 0x29, 0xe9, 0x59, 0x37, 0x28,
                                          0x7f, 0xa3, 0x7d, 0x12, 0x9b, 0x75, 0x67, 0x46};
    static const uint8_t block_tag[16] = {0x07, 0x0a, 0x16, 0xb4, 0x6b, 0x4d, 0x41, 0x44,
                                          0xf7, 0x9b, 0xdd, 0x9d, 0xd0, 0x4a, 0x28, 0x7c};
    struct crypto_mac *m = NULL;
    assert_true(nt_ok(crypto_mac_new(&m, CRYPTO_AES128_CMAC, rfc4493_key, 16)));
    uint8_t tag[16];
    mac_once(m, NULL, rfc4493_msg, 0, tag);
    assert_memory_equal(tag, empty_tag, 16);
    mac_once(m, NULL, rfc4493_msg, 16, tag); /* reused context, same key */
    assert_memory_equal(tag, block_tag, 16);
    mac_once(m, NULL, rfc4493_msg, 0, tag);
    assert_memory_equal(tag, empty_tag, 16);
    crypto_mac_free(m);
}

static void test_hmac_sha256_rfc4231(void **state)
{
    (void)state;
    uint8_t key[20];
    memset(key, 0x0b, sizeof key);
    static const uint8_t want[32] = {0xb0, 0x34, 0x4c, 0x61, 0xd8, 0xdb, 0x38, 0x53,
                                     0x5c, 0xa8, 0xaf, 0xce, 0xaf, 0x0b, 0xf1, 0x2b,
                                     0x88, 0x1d, 0xc2, 0x00, 0xc9, 0x83, 0x3d, 0xa7,
                                     0x26, 0xe9, 0x37, 0x6c, 0x2e, 0x32, 0xcf, 0xf7};
    struct iovec iov[2] = {{(void *)"Hi ", 3}, {(void *)"There", 5}};
    uint8_t full[32];
    assert_true(nt_ok(crypto_hmac_sha256(key, sizeof key, iov, 2, full)));
    assert_memory_equal(full, want, 32);
    struct crypto_mac *m = NULL;
    assert_true(nt_ok(crypto_mac_new(&m, CRYPTO_HMAC_SHA256, key, sizeof key)));
    uint8_t tag[16];
    for (int i = 0; i < 3; i++) {
        mac_once(m, NULL, "Hi There", 8, tag);
        assert_memory_equal(tag, want, 16); /* truncated to 16 */
    }
    crypto_mac_free(m);
}

static void test_hmac_md5_rfc2104(void **state)
{
    (void)state;
    uint8_t key[16];
    memset(key, 0x0b, sizeof key);
    static const uint8_t want[16] = {0x92, 0x94, 0x72, 0x7a, 0x36, 0x38, 0xbb, 0x1c,
                                     0x13, 0xf4, 0x8e, 0xf8, 0x15, 0x8b, 0xfc, 0x9d};
    struct iovec iov = {(void *)"Hi There", 8};
    uint8_t out[16];
    assert_true(nt_ok(crypto_hmac_md5(key, sizeof key, &iov, 1, out)));
    assert_memory_equal(out, want, 16);
}

static void test_gmac_is_gcm_tag(void **state)
{
    (void)state;
    uint8_t msg[100];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 7);
    const uint8_t nonce[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    uint8_t gcm_tag[16], tag[16], other[16];
    assert_true(nt_ok(crypto_aead_encrypt(CRYPTO_AES128_GCM, rfc4493_key, nonce, 12, msg,
                                          sizeof msg, NULL, 0, gcm_tag)));
    struct crypto_mac *m = NULL;
    assert_true(nt_ok(crypto_mac_new(&m, CRYPTO_AES128_GMAC, rfc4493_key, 16)));
    assert_true(nt_ok(crypto_mac_begin(m, nonce)));
    assert_true(nt_ok(crypto_mac_update(m, msg, 48))); /* split input */
    assert_true(nt_ok(crypto_mac_update(m, msg + 48, sizeof msg - 48)));
    assert_true(nt_ok(crypto_mac_end(m, tag)));
    assert_memory_equal(tag, gcm_tag, 16);
    const uint8_t nonce2[12] = {2};
    mac_once(m, nonce2, msg, sizeof msg, other);
    assert_memory_not_equal(tag, other, 16); /* the nonce matters */
    mac_once(m, nonce, msg, sizeof msg, other);
    assert_memory_equal(tag, other, 16); /* and the context is reusable */
    crypto_mac_free(m);
}

static void test_bad_keys_and_nonces(void **state)
{
    (void)state;
    struct crypto_mac *m = (struct crypto_mac *)&m;
    uint8_t key[32] = {0};
    assert_int_equal(crypto_mac_new(&m, CRYPTO_AES128_CMAC, key, 15).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_null(m);
    assert_int_equal(crypto_mac_new(&m, CRYPTO_AES128_GMAC, key, 32).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_int_equal(crypto_mac_new(&m, CRYPTO_HMAC_SHA256, key, 0).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_true(nt_ok(crypto_mac_new(&m, CRYPTO_AES128_GMAC, key, 16)));
    assert_int_equal(crypto_mac_begin(m, NULL).code, STATUS_INVALID_PARAMETER.code);
    crypto_mac_free(m);
    assert_true(nt_ok(crypto_mac_new(&m, CRYPTO_AES128_CMAC, key, 16)));
    assert_int_equal(crypto_mac_begin(m, key).code, STATUS_INVALID_PARAMETER.code);
    crypto_mac_free(m);
    crypto_mac_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmac_rfc4493),        cmocka_unit_test(test_hmac_sha256_rfc4231),
        cmocka_unit_test(test_hmac_md5_rfc2104),    cmocka_unit_test(test_gmac_is_gcm_tag),
        cmocka_unit_test(test_bad_keys_and_nonces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
