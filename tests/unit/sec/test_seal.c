/* lib/sec seal/unseal ([MS-SMB2] 2.2.41, 3.1.4.3, 3.3.5.2.1.1): all four
 * ciphers round trip; multi-iovec equals single buffer; the header carries
 * Flags 1, OriginalMessageSize and SessionId; unseal rejects a bad
 * ProtocolId, Flags or size, and a bad tag is STATUS_DECRYPTION_FAILED; the
 * nonce generator counts, keeps its random part and refuses to wrap. */
#include "base/endian.h"
#include "sec/seal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define MSG_LEN 300

static const enum smb2_cipher ciphers[] = {SMB2_CIPHER_AES128_CCM, SMB2_CIPHER_AES128_GCM,
                                           SMB2_CIPHER_AES256_CCM, SMB2_CIPHER_AES256_GCM};
static const uint8_t key_bytes[32] = {9, 8, 7, 6, 5, 4, 3, 2, 1};

static void init_key(struct sec_cipher_key *k, enum smb2_cipher c)
{
    size_t len = c == SMB2_CIPHER_AES256_CCM || c == SMB2_CIPHER_AES256_GCM ? 32 : 16;
    assert_true(nt_ok(sec_cipher_key_init(k, c, key_bytes, len)));
}

static void fill(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i ^ 0x3c);
}

static void test_round_trip_and_split(void **state)
{
    (void)state;
    for (size_t c = 0; c < 4; c++) {
        struct sec_cipher_key k;
        struct sec_nonce_gen g;
        init_key(&k, ciphers[c]);
        assert_true(nt_ok(sec_nonce_gen_init(&g)));
        uint8_t nonce[16], plain[MSG_LEN], one[MSG_LEN], many[MSG_LEN], h1[52], h2[52];
        assert_true(nt_ok(sec_nonce_next(&g, ciphers[c], nonce)));
        fill(plain, MSG_LEN);
        memcpy(one, plain, MSG_LEN);
        memcpy(many, plain, MSG_LEN);
        struct iovec iov1 = {one, MSG_LEN};
        struct iovec iovn[3] = {{many, 64}, {many + 64, 200}, {many + 264, 36}};
        assert_true(nt_ok(sec_seal(&k, nonce, 0x1122334455ull, h1, &iov1, 1)));
        assert_true(nt_ok(sec_seal(&k, nonce, 0x1122334455ull, h2, iovn, 3)));
        assert_memory_equal(h1, h2, 52);
        assert_memory_equal(one, many, MSG_LEN);
        assert_int_equal(le32_get(h1), SMB2_TRANSFORM_ID);
        assert_int_equal(le32_get(h1 + 36), MSG_LEN);
        assert_int_equal(le16_get(h1 + 42), 1);
        assert_int_equal(le64_get(h1 + 44), 0x1122334455ull);
        assert_true(nt_ok(sec_unseal(&k, h1, iovn, 3)));
        assert_memory_equal(many, plain, MSG_LEN);
        sec_cipher_key_clear(&k);
    }
}

static void test_unseal_rejects(void **state)
{
    (void)state;
    struct sec_cipher_key k;
    init_key(&k, SMB2_CIPHER_AES128_GCM);
    uint8_t nonce[16] = {1}, msg[MSG_LEN], hdr[52], bad[52];
    fill(msg, MSG_LEN);
    struct iovec iov = {msg, MSG_LEN};
    assert_true(nt_ok(sec_seal(&k, nonce, 7, hdr, &iov, 1)));
    memcpy(bad, hdr, 52);
    bad[42] = 2; /* Flags */
    assert_int_equal(sec_unseal(&k, bad, &iov, 1).code, STATUS_INVALID_PARAMETER.code);
    memcpy(bad, hdr, 52);
    bad[0] = 0xfe; /* ProtocolId */
    assert_int_equal(sec_unseal(&k, bad, &iov, 1).code, STATUS_INVALID_PARAMETER.code);
    struct iovec shorter = {msg, MSG_LEN - 1}; /* OriginalMessageSize mismatch */
    assert_int_equal(sec_unseal(&k, hdr, &shorter, 1).code, STATUS_INVALID_PARAMETER.code);
    memcpy(bad, hdr, 52);
    bad[10] ^= 1; /* tag */
    assert_int_equal(sec_unseal(&k, bad, &iov, 1).code, STATUS_DECRYPTION_FAILED.code);
    fill(msg, MSG_LEN);
    assert_true(nt_ok(sec_seal(&k, nonce, 7, hdr, &iov, 1)));
    memcpy(bad, hdr, 52);
    bad[47] ^= 1; /* SessionId is authenticated */
    assert_int_equal(sec_unseal(&k, bad, &iov, 1).code, STATUS_DECRYPTION_FAILED.code);
    sec_cipher_key_clear(&k);
}

static void test_nonce_generator(void **state)
{
    (void)state;
    struct sec_nonce_gen g;
    assert_true(nt_ok(sec_nonce_gen_init(&g)));
    uint8_t a[16], b[16], c[16];
    assert_true(nt_ok(sec_nonce_next(&g, SMB2_CIPHER_AES128_GCM, a)));
    assert_true(nt_ok(sec_nonce_next(&g, SMB2_CIPHER_AES128_GCM, b)));
    assert_memory_not_equal(a, b, 12);
    assert_int_equal(le64_get(b) - le64_get(a), 1);
    assert_memory_equal(a + 8, b + 8, 4); /* fixed random part */
    static const uint8_t zero[5];
    assert_memory_equal(a + 12, zero, 4); /* GCM reserved bytes are zero */
    assert_true(nt_ok(sec_nonce_next(&g, SMB2_CIPHER_AES128_CCM, c)));
    assert_memory_equal(c + 11, zero, 5); /* CCM uses 11 bytes */
    g.counter = UINT64_MAX - 1;
    assert_true(nt_ok(sec_nonce_next(&g, SMB2_CIPHER_AES128_GCM, a)));
    assert_int_equal(sec_nonce_next(&g, SMB2_CIPHER_AES128_GCM, a).code,
                     STATUS_NETWORK_SESSION_EXPIRED.code);
    assert_int_equal(sec_nonce_next(&g, SMB2_CIPHER_AES128_GCM, a).code,
                     STATUS_NETWORK_SESSION_EXPIRED.code);
    assert_int_equal(sec_nonce_next(&g, SMB2_CIPHER_NONE, a).code, STATUS_INVALID_PARAMETER.code);
}

static void test_key_sizes(void **state)
{
    (void)state;
    struct sec_cipher_key k;
    assert_int_equal(sec_cipher_key_init(&k, SMB2_CIPHER_AES128_CCM, key_bytes, 32).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_int_equal(sec_cipher_key_init(&k, SMB2_CIPHER_AES256_GCM, key_bytes, 16).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_int_equal(sec_cipher_key_init(&k, SMB2_CIPHER_NONE, key_bytes, 16).code,
                     STATUS_INVALID_PARAMETER.code);
    uint8_t hdr[52], msg[8] = {0}, nonce[16] = {0};
    struct iovec iov = {msg, sizeof msg};
    assert_int_equal(sec_seal(&k, nonce, 1, hdr, &iov, 1).code, STATUS_INVALID_PARAMETER.code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_split),
        cmocka_unit_test(test_unseal_rejects),
        cmocka_unit_test(test_nonce_generator),
        cmocka_unit_test(test_key_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
