/* lib/sec signing ([MS-SMB2] 3.1.4.1, 3.1.5.1): sign then verify for all
 * three algorithms; any single flipped bit (header, signature, body,
 * padding) fails; multi-iovec equals single buffer; verify never modifies the
 * message; the GMAC nonce's server and cancel bits; key checks. */
#include "base/endian.h"
#include "sec/sign.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#define MSG_LEN 168 /* header + 97-byte body + 7 bytes of padding */

static const enum smb2_signing_alg algs[] = {SMB2_SIGNING_HMAC_SHA256, SMB2_SIGNING_AES_CMAC,
                                             SMB2_SIGNING_AES_GMAC};
static const uint8_t key16[16] = {0x73, 0xfe, 0x7a, 0x9a, 0x77, 0xbe, 0xf0, 0xbd,
                                  0xe4, 0x9c, 0x65, 0x0d, 0x8c, 0xcb, 0x5f, 0x76};

static void make_message(uint8_t *m, uint16_t command, uint32_t flags)
{
    for (size_t i = 0; i < MSG_LEN; i++)
        m[i] = (uint8_t)(i * 13 + 1);
    le32_put(m, SMB2_PROTOCOL_ID);
    le16_put(m + 4, 64);
    le16_put(m + 12, command);
    le32_put(m + 16, flags);
    le64_put(m + 24, 0x1122334455667788u);
}

static void init_key(struct sec_sign_key *k, enum smb2_signing_alg alg)
{
    assert_true(nt_ok(sec_sign_key_init(k, alg, key16, sizeof key16)));
}

static void test_sign_then_verify(void **state)
{
    (void)state;
    for (size_t a = 0; a < 3; a++) {
        struct sec_sign_key k;
        init_key(&k, algs[a]);
        uint8_t m[MSG_LEN], before[MSG_LEN];
        make_message(m, SMB2_READ, 0);
        struct iovec iov = {m, MSG_LEN};
        assert_true(nt_ok(sec_sign(&k, &iov, 1)));
        assert_true(le32_get(m + 16) & SMB2_FLAGS_SIGNED);
        memcpy(before, m, MSG_LEN);
        assert_int_equal(sec_verify(&k, &iov, 1).code, STATUS_SUCCESS.code);
        assert_memory_equal(m, before, MSG_LEN); /* verify is read-only */
        sec_sign_key_clear(&k);
        sec_sign_key_clear(&k); /* idempotent */
    }
}

static void test_every_bit_flip_fails(void **state)
{
    (void)state;
    for (size_t a = 0; a < 3; a++) {
        struct sec_sign_key k;
        init_key(&k, algs[a]);
        uint8_t m[MSG_LEN];
        make_message(m, SMB2_WRITE, SMB2_FLAGS_SERVER_TO_REDIR);
        struct iovec iov = {m, MSG_LEN};
        assert_true(nt_ok(sec_sign(&k, &iov, 1)));
        for (size_t bit = 0; bit < MSG_LEN * 8; bit++) {
            m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_int_equal(sec_verify(&k, &iov, 1).code, STATUS_ACCESS_DENIED.code);
            m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        assert_true(nt_ok(sec_verify(&k, &iov, 1)));
        sec_sign_key_clear(&k);
    }
}

static void test_multi_iovec_equals_single(void **state)
{
    (void)state;
    for (size_t a = 0; a < 3; a++) {
        struct sec_sign_key k;
        init_key(&k, algs[a]);
        uint8_t one[MSG_LEN], many[MSG_LEN];
        make_message(one, SMB2_CREATE, 0);
        memcpy(many, one, MSG_LEN);
        struct iovec iov1 = {one, MSG_LEN};
        struct iovec iovn[4] = {{many, 64}, {many + 64, 1}, {many + 65, 0}, {many + 65, 103}};
        assert_true(nt_ok(sec_sign(&k, &iov1, 1)));
        assert_true(nt_ok(sec_sign(&k, iovn, 4)));
        assert_memory_equal(one, many, MSG_LEN);
        /* a header iovec longer than 64 bytes, and verify across the split */
        struct iovec iov2[2] = {{many, 100}, {many + 100, MSG_LEN - 100}};
        assert_true(nt_ok(sec_verify(&k, iov2, 2)));
        assert_true(nt_ok(sec_verify(&k, iovn, 4)));
        sec_sign_key_clear(&k);
    }
}

static void sign_with(struct sec_sign_key *k, uint16_t cmd, uint32_t flags, uint8_t sig[16])
{
    uint8_t m[MSG_LEN];
    make_message(m, cmd, flags);
    struct iovec iov = {m, MSG_LEN};
    assert_true(nt_ok(sec_sign(k, &iov, 1)));
    memcpy(sig, m + SMB2_SIG_OFFSET, 16);
}

/* The nonce bits change the GMAC tag even for identical bytes MACed; the
 * flags differ in the header too, so compare nonces directly as well. */
static void test_gmac_nonce_bits(void **state)
{
    (void)state;
    uint8_t hdr[SMB2_HDR_SIZE] = {0}, nonce[12];
    le64_put(hdr + 24, 5);
    le16_put(hdr + 12, SMB2_CANCEL);
    sec_gmac_nonce(hdr, nonce);
    static const uint8_t cancel_req[12] = {5, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0};
    assert_memory_equal(nonce, cancel_req, 12);
    le32_put(hdr + 16, SMB2_FLAGS_SERVER_TO_REDIR); /* a CANCEL "response": bit 0 only */
    sec_gmac_nonce(hdr, nonce);
    static const uint8_t from_server[12] = {5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    assert_memory_equal(nonce, from_server, 12);

    struct sec_sign_key gmac, cmac;
    init_key(&gmac, SMB2_SIGNING_AES_GMAC);
    init_key(&cmac, SMB2_SIGNING_AES_CMAC);
    uint8_t plain[16], server[16], cancel[16];
    sign_with(&gmac, SMB2_ECHO, 0, plain);
    sign_with(&gmac, SMB2_ECHO, SMB2_FLAGS_SERVER_TO_REDIR, server);
    sign_with(&gmac, SMB2_CANCEL, 0, cancel);
    assert_memory_not_equal(plain, server, 16);
    assert_memory_not_equal(plain, cancel, 16);
    assert_memory_not_equal(server, cancel, 16);
    sec_sign_key_clear(&gmac);
    sec_sign_key_clear(&cmac);
}

static void test_bad_keys_and_messages(void **state)
{
    (void)state;
    struct sec_sign_key k;
    uint8_t key32[32] = {0};
    assert_int_equal(sec_sign_key_init(&k, SMB2_SIGNING_AES_CMAC, key32, 32).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_false(sec_sign_key_is_set(&k));
    assert_int_equal(sec_sign_key_init(&k, SMB2_SIGNING_HMAC_SHA256, key32, 15).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_int_equal(sec_sign_key_init(&k, (enum smb2_signing_alg)3, key32, 16).code,
                     STATUS_INVALID_PARAMETER.code);
    uint8_t m[MSG_LEN];
    make_message(m, SMB2_READ, 0);
    struct iovec iov = {m, MSG_LEN};
    assert_int_equal(sec_verify(&k, &iov, 1).code, STATUS_NOT_SUPPORTED.code);
    init_key(&k, SMB2_SIGNING_AES_CMAC);
    struct iovec short_hdr[2] = {{m, 63}, {m + 63, MSG_LEN - 63}};
    assert_int_equal(sec_sign(&k, short_hdr, 2).code, STATUS_INVALID_PARAMETER.code);
    assert_int_equal(sec_verify(&k, short_hdr, 2).code, STATUS_INVALID_PARAMETER.code);
    assert_int_equal(sec_verify(&k, &iov, 0).code, STATUS_INVALID_PARAMETER.code);
    sec_sign_key_clear(&k);
}

static void test_alg_per_dialect(void **state)
{
    (void)state;
    enum smb2_signing_alg a;
    assert_true(nt_ok(sec_signing_alg_for(SMB2_DIALECT_0202, true, 2, &a)));
    assert_int_equal(a, SMB2_SIGNING_HMAC_SHA256);
    assert_true(nt_ok(sec_signing_alg_for(SMB2_DIALECT_0302, true, 2, &a)));
    assert_int_equal(a, SMB2_SIGNING_AES_CMAC);
    assert_true(nt_ok(sec_signing_alg_for(SMB2_DIALECT_0311, false, 2, &a)));
    assert_int_equal(a, SMB2_SIGNING_AES_CMAC);
    assert_true(nt_ok(sec_signing_alg_for(SMB2_DIALECT_0311, true, 2, &a)));
    assert_int_equal(a, SMB2_SIGNING_AES_GMAC);
    assert_int_equal(sec_signing_alg_for(SMB2_DIALECT_0311, true, 3, &a).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_int_equal(sec_signing_alg_for(0x0201, false, 0, &a).code, STATUS_INVALID_PARAMETER.code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_then_verify),
        cmocka_unit_test(test_every_bit_flip_fails),
        cmocka_unit_test(test_multi_iovec_equals_single),
        cmocka_unit_test(test_gmac_nonce_bits),
        cmocka_unit_test(test_bad_keys_and_messages),
        cmocka_unit_test(test_alg_per_dialect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
