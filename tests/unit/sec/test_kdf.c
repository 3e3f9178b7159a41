/* lib/sec key derivation ([MS-SMB2] 3.1.4.2, 3.2.5.3.1, 3.3.5.5.3): 2.x uses
 * the session key, signing keys come from the first 16 bytes only, AES-256
 * cipher keys from the full key, 3.1.1 needs the hash and depends on it,
 * short keys are zero-padded, bad arguments leave no key behind. */
#include "sec/kdf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static uint8_t gss32[32];
static uint8_t hash[64];

static int setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < 32; i++)
        gss32[i] = (uint8_t)(0xa0 + i);
    memset(hash, 0x5a, sizeof hash);
    return 0;
}

static void test_2x_uses_session_key(void **state)
{
    (void)state;
    struct sec_keys k;
    assert_true(nt_ok(sec_derive_keys(SMB2_DIALECT_0210, SMB2_CIPHER_NONE, gss32, 32, NULL, &k)));
    assert_memory_equal(k.signing, gss32, 16);
    assert_int_equal(k.cipher_key_len, 0);
    uint8_t chan[16];
    assert_int_equal(sec_derive_channel_signing_key(SMB2_DIALECT_0210, gss32, 16, NULL, chan).code,
                     STATUS_INVALID_PARAMETER.code);
    sec_keys_clear(&k);
}

static void test_signing_from_first_16(void **state)
{
    (void)state;
    struct sec_keys k128, k256, first16;
    assert_true(
        nt_ok(sec_derive_keys(SMB2_DIALECT_0311, SMB2_CIPHER_AES128_GCM, gss32, 32, hash, &k128)));
    assert_true(
        nt_ok(sec_derive_keys(SMB2_DIALECT_0311, SMB2_CIPHER_AES256_GCM, gss32, 32, hash, &k256)));
    assert_true(nt_ok(
        sec_derive_keys(SMB2_DIALECT_0311, SMB2_CIPHER_AES256_GCM, gss32, 16, hash, &first16)));
    assert_memory_equal(k128.signing, k256.signing, 16);
    assert_memory_equal(k128.application, k256.application, 16);
    assert_memory_equal(first16.signing, k256.signing, 16);
    assert_int_equal(k128.cipher_key_len, 16);
    assert_int_equal(k256.cipher_key_len, 32);
    /* the cipher keys use the FULL key: bytes 16..31 matter */
    assert_memory_not_equal(first16.c2s_cipher, k256.c2s_cipher, 32);
    assert_memory_not_equal(k256.c2s_cipher, k256.s2c_cipher, 32);
    sec_keys_clear(&k128);
    sec_keys_clear(&k256);
    sec_keys_clear(&first16);
}

static void test_short_key_zero_padded(void **state)
{
    (void)state;
    uint8_t padded[16] = {1, 2, 3, 4, 5, 6, 7, 8};
    struct sec_keys a, b;
    assert_true(
        nt_ok(sec_derive_keys(SMB2_DIALECT_0300, SMB2_CIPHER_AES128_CCM, padded, 8, NULL, &a)));
    assert_true(
        nt_ok(sec_derive_keys(SMB2_DIALECT_0300, SMB2_CIPHER_AES128_CCM, padded, 16, NULL, &b)));
    assert_memory_equal(&a, &b, sizeof a);
}

static void test_311_depends_on_hash(void **state)
{
    (void)state;
    struct sec_keys a, b;
    assert_int_equal(
        sec_derive_keys(SMB2_DIALECT_0311, SMB2_CIPHER_AES128_GCM, gss32, 16, NULL, &a).code,
        STATUS_INVALID_PARAMETER.code);
    static const struct sec_keys zero;
    assert_memory_equal(&a, &zero, sizeof a);
    assert_true(
        nt_ok(sec_derive_keys(SMB2_DIALECT_0311, SMB2_CIPHER_AES128_GCM, gss32, 16, hash, &a)));
    uint8_t other[64];
    memcpy(other, hash, 64);
    other[63] ^= 1;
    assert_true(
        nt_ok(sec_derive_keys(SMB2_DIALECT_0311, SMB2_CIPHER_AES128_GCM, gss32, 16, other, &b)));
    assert_memory_not_equal(a.signing, b.signing, 16);
    uint8_t chan[16];
    assert_true(nt_ok(sec_derive_channel_signing_key(SMB2_DIALECT_0311, gss32, 16, hash, chan)));
    assert_memory_equal(chan, a.signing, 16); /* same Ki and hash: same key */
}

static void test_bad_arguments(void **state)
{
    (void)state;
    struct sec_keys k;
    assert_int_equal(sec_derive_keys(0x0301, SMB2_CIPHER_NONE, gss32, 16, NULL, &k).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_int_equal(sec_derive_keys(SMB2_DIALECT_0300, SMB2_CIPHER_NONE, gss32, 0, NULL, &k).code,
                     STATUS_INVALID_PARAMETER.code);
    assert_int_equal(
        sec_derive_keys(SMB2_DIALECT_0300, (enum smb2_cipher)5, gss32, 16, NULL, &k).code,
        STATUS_INVALID_PARAMETER.code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_2x_uses_session_key, setup),
        cmocka_unit_test_setup(test_signing_from_first_16, setup),
        cmocka_unit_test_setup(test_short_key_zero_padded, setup),
        cmocka_unit_test_setup(test_311_depends_on_hash, setup),
        cmocka_unit_test_setup(test_bad_arguments, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
