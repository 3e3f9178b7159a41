/* smb3_kdf.json: each vector is derived twice and both must equal
 * expected_hex: once through sec_derive_keys / sec_derive_channel_signing_key
 * from the dialect and key type alone (our label table, [MS-SMB2] 3.1.4.2),
 * and once through the raw KBKDF with the vector's own label and context
 * bytes. The informative first-block HMAC input is checked as well. */
#include "vec.h"

#include "crypto/crypto.h"
#include "sec/kdf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static uint16_t dialect_named(const char *name)
{
    if (strcmp(name, "3.0") == 0)
        return SMB2_DIALECT_0300;
    if (strcmp(name, "3.0.2") == 0)
        return SMB2_DIALECT_0302;
    if (strcmp(name, "3.1.1") == 0)
        return SMB2_DIALECT_0311;
    fail_msg("unknown dialect %s", name);
    return 0;
}

/* The key of struct sec_keys that key_type names. */
static const uint8_t *key_of(const struct sec_keys *k, const char *key_type)
{
    if (strcmp(key_type, "SigningKey") == 0)
        return k->signing;
    if (strcmp(key_type, "ApplicationKey") == 0)
        return k->application;
    if (strncmp(key_type, "EncryptionKey(client)", 21) == 0)
        return k->c2s_cipher;
    if (strncmp(key_type, "DecryptionKey(client)", 21) == 0)
        return k->s2c_cipher;
    fail_msg("unknown key_type %s", key_type);
    return NULL;
}

/* HMAC-SHA256(Ki, block1 input) is the first 32 output bytes. */
static void check_block1(json_object *v, struct vec_bytes ki, struct vec_bytes want)
{
    struct vec_bytes block1 = vec_hex(v, "kdf_input_block1_hex");
    struct iovec iov = {block1.p, block1.len};
    uint8_t prf[32];
    assert_true(nt_ok(crypto_hmac_sha256(ki.p, ki.len, &iov, 1, prf)));
    struct vec_bytes head = {want.p, want.len < 32 ? want.len : 32};
    vec_assert_bytes("HMAC of kdf_input_block1", prf, head.len, head);
}

/* The raw KBKDF with the vector's own label and context. */
static void check_raw_kdf(json_object *v, struct vec_bytes ki, struct vec_bytes want)
{
    struct vec_bytes label = vec_hex(v, "label_hex");
    struct vec_bytes context = vec_hex(v, "context_hex");
    const char *ascii = vec_str(v, "label_ascii");
    assert_int_equal(label.len, strlen(ascii) + 1); /* NUL included */
    assert_memory_equal(label.p, ascii, label.len);
    uint8_t out[32];
    assert_true(nt_ok(crypto_kbkdf_sha256(ki.p, ki.len, label.p, label.len, context.p, context.len,
                                          out, want.len)));
    vec_assert_bytes("KBKDF(label_hex, context_hex)", out, want.len, want);
}

/* Our per-dialect derivation, which knows nothing of the vector's strings. */
static void check_sec_kdf(json_object *v, struct vec_bytes ki, struct vec_bytes want)
{
    uint16_t dialect = dialect_named(vec_str(v, "dialect"));
    struct vec_bytes context = vec_hex(v, "context_hex");
    const uint8_t *hash = NULL;
    if (dialect == SMB2_DIALECT_0311) {
        assert_int_equal(context.len, SEC_PREAUTH_HASH_SIZE);
        hash = context.p;
    }
    bool wide = vec_int(v, "L_bits") == 256;
    assert_int_equal(want.len, wide ? 32 : 16);
    enum smb2_cipher cipher = wide ? SMB2_CIPHER_AES256_GCM : SMB2_CIPHER_AES128_CCM;
    struct sec_keys keys;
    assert_true(nt_ok(sec_derive_keys(dialect, cipher, ki.p, ki.len, hash, &keys)));
    const uint8_t *got = key_of(&keys, vec_str(v, "key_type"));
    vec_assert_bytes("sec_derive_keys", got, want.len, want);
    sec_keys_clear(&keys);
    if (strstr(vec_str(v, "id"), "channel")) {
        uint8_t chan[16];
        assert_true(nt_ok(sec_derive_channel_signing_key(dialect, ki.p, ki.len, hash, chan)));
        vec_assert_bytes("sec_derive_channel_signing_key", chan, sizeof chan, want);
    }
}

static void test_vector(void **state)
{
    json_object *v = *state;
    struct vec_bytes ki = vec_hex(v, "ki_hex");
    struct vec_bytes want = vec_hex(v, "expected_hex");
    assert_int_equal(want.len * 8, (size_t)vec_int(v, "L_bits"));
    check_block1(v, ki, want);
    check_raw_kdf(v, ki, want);
    check_sec_kdf(v, ki, want);
}

int main(void)
{
    json_object *root = vec_load("smb3_kdf.json");
    json_object *vectors = vec_get(root, "vectors");
    if (json_object_array_length(vectors) != 26)
        return 1;
    int failed = vec_run("smb3_kdf", vectors, test_vector);
    json_object_put(root);
    return failed;
}
