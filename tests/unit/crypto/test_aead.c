/* lib/crypto AEAD: for all four ciphers, round trip in place, multi-iovec
 * equals single buffer (CCM gathers, GCM streams), a flipped bit in tag, AAD
 * or ciphertext fails with STATUS_DECRYPTION_FAILED and zeroes the output,
 * wrong nonce lengths are rejected; a keyed context (crypto_aead_new) used
 * for several messages gives the one-shot calls' bytes and tags, opens a
 * good message after refusing a tampered one, and will not run the other
 * direction. */
#include "crypto/crypto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define MSG_LEN 1000

static const enum crypto_aead_alg algs[] = {CRYPTO_AES128_CCM, CRYPTO_AES128_GCM, CRYPTO_AES256_CCM,
                                            CRYPTO_AES256_GCM};
static const uint8_t key[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t nonce[12] = {0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 1, 2, 3, 4, 5, 6};
static const uint8_t aad[32] = {0x55};

static size_t nonce_len(enum crypto_aead_alg a)
{
    return a == CRYPTO_AES128_CCM || a == CRYPTO_AES256_CCM ? 11 : 12;
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + 7);
}

static void test_multi_iovec_equals_single(void **state)
{
    (void)state;
    for (size_t a = 0; a < 4; a++) {
        uint8_t one[MSG_LEN], many[MSG_LEN], plain[MSG_LEN], tag1[16], tag2[16];
        fill(plain, MSG_LEN);
        memcpy(one, plain, MSG_LEN);
        memcpy(many, plain, MSG_LEN);
        struct iovec iov1 = {one, MSG_LEN};
        struct iovec iovn[4] = {{many, 64}, {many + 64, 0}, {many + 64, 13}, {many + 77, 923}};
        size_t nl = nonce_len(algs[a]);
        assert_true(nt_ok(crypto_aead_encrypt(algs[a], key, nonce, nl, aad, 32, &iov1, 1, tag1)));
        assert_true(nt_ok(crypto_aead_encrypt(algs[a], key, nonce, nl, aad, 32, iovn, 4, tag2)));
        assert_memory_equal(one, many, MSG_LEN);
        assert_memory_equal(tag1, tag2, 16);
        assert_memory_not_equal(one, plain, MSG_LEN);
        assert_true(nt_ok(crypto_aead_decrypt(algs[a], key, nonce, nl, aad, 32, iovn, 4, tag1)));
        assert_memory_equal(many, plain, MSG_LEN);
    }
}

/* Encrypt, flip bit `which` (0: tag, 1: AAD, 2: ciphertext), decrypt. */
static void tamper_case(enum crypto_aead_alg alg, int which)
{
    uint8_t buf[MSG_LEN], tag[16], a[32];
    fill(buf, MSG_LEN);
    memcpy(a, aad, sizeof a);
    struct iovec iov = {buf, MSG_LEN};
    size_t nl = nonce_len(alg);
    assert_true(nt_ok(crypto_aead_encrypt(alg, key, nonce, nl, a, 32, &iov, 1, tag)));
    uint8_t *target = which == 0 ? tag : which == 1 ? a + 31 : buf + MSG_LEN / 2;
    *target ^= 0x80;
    assert_int_equal(crypto_aead_decrypt(alg, key, nonce, nl, a, 32, &iov, 1, tag).code,
                     STATUS_DECRYPTION_FAILED.code);
    static const uint8_t zero[MSG_LEN];
    assert_memory_equal(buf, zero, MSG_LEN); /* no unauthenticated plaintext */
}

static void test_tamper_fails(void **state)
{
    (void)state;
    for (size_t a = 0; a < 4; a++)
        for (int which = 0; which < 3; which++)
            tamper_case(algs[a], which);
}

static void test_bad_nonce_length(void **state)
{
    (void)state;
    uint8_t buf[16] = {0}, tag[16];
    struct iovec iov = {buf, sizeof buf};
    assert_int_equal(
        crypto_aead_encrypt(CRYPTO_AES128_CCM, key, nonce, 12, aad, 32, &iov, 1, tag).code,
        STATUS_INVALID_PARAMETER.code);
    assert_int_equal(
        crypto_aead_encrypt(CRYPTO_AES256_GCM, key, nonce, 11, aad, 32, &iov, 1, tag).code,
        STATUS_INVALID_PARAMETER.code);
}

/* Three messages under one keyed context each, with different nonces: the
 * same ciphertext and tag as crypto_aead_encrypt; then a tampered message
 * fails to open and the next good one still opens to the plaintext. */
static void test_keyed_context_reused(void **state)
{
    (void)state;
    for (size_t a = 0; a < 4; a++) {
        struct crypto_aead *seal, *open;
        assert_true(nt_ok(crypto_aead_new(&seal, algs[a], key, true)));
        assert_true(nt_ok(crypto_aead_new(&open, algs[a], key, false)));
        size_t nl = nonce_len(algs[a]);
        for (uint8_t m = 0; m < 3; m++) {
            uint8_t n2[12], plain[MSG_LEN], keyed[MSG_LEN], once[MSG_LEN], t1[16], t2[16];
            memcpy(n2, nonce, sizeof n2);
            n2[0] = m;
            fill(plain, MSG_LEN);
            memcpy(keyed, plain, MSG_LEN);
            memcpy(once, plain, MSG_LEN);
            struct iovec ik = {keyed, MSG_LEN}, io = {once, MSG_LEN};
            assert_true(nt_ok(crypto_aead_seal(seal, n2, nl, aad, 32, &ik, 1, t1)));
            assert_true(nt_ok(crypto_aead_encrypt(algs[a], key, n2, nl, aad, 32, &io, 1, t2)));
            assert_memory_equal(keyed, once, MSG_LEN);
            assert_memory_equal(t1, t2, 16);
            if (m == 1) { /* a flipped ciphertext bit: refused, output zeroed */
                keyed[10] ^= 1;
                assert_int_equal(crypto_aead_open(open, n2, nl, aad, 32, &ik, 1, t1).code,
                                 STATUS_DECRYPTION_FAILED.code);
                continue;
            }
            assert_true(nt_ok(crypto_aead_open(open, n2, nl, aad, 32, &ik, 1, t1)));
            assert_memory_equal(keyed, plain, MSG_LEN);
        }
        uint8_t buf[16] = {0}, tag[16] = {0};
        struct iovec iv = {buf, sizeof buf};
        assert_int_equal(crypto_aead_seal(open, nonce, nl, aad, 32, &iv, 1, tag).code,
                         STATUS_INVALID_PARAMETER.code);
        assert_int_equal(crypto_aead_open(seal, nonce, nl, aad, 32, &iv, 1, tag).code,
                         STATUS_INVALID_PARAMETER.code);
        crypto_aead_free(seal);
        crypto_aead_free(open);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multi_iovec_equals_single),
        cmocka_unit_test(test_tamper_fails),
        cmocka_unit_test(test_bad_nonce_length),
        cmocka_unit_test(test_keyed_context_reused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
