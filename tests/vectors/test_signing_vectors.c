/* smb2_signing.json: every vector's signature is recomputed from its message
 * with the Signature zeroed ([MS-SMB2] 3.1.4.1), compared with
 * expected_signature_hex AND with the message's own bytes 48..63, and the
 * untouched message verifies (3.1.5.1). */
#include "vec.h"

#include "sec/kdf.h"
#include "sec/sign.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static enum smb2_signing_alg alg_named(const char *name)
{
    if (strcmp(name, "HMAC-SHA256") == 0)
        return SMB2_SIGNING_HMAC_SHA256;
    if (strcmp(name, "AES-128-CMAC") == 0)
        return SMB2_SIGNING_AES_CMAC;
    if (strcmp(name, "AES-128-GMAC") == 0)
        return SMB2_SIGNING_AES_GMAC;
    fail_msg("unknown algorithm %s", name);
    return SMB2_SIGNING_AES_CMAC;
}

static uint16_t dialect_named(const char *name)
{
    static const struct {
        const char *name;
        uint16_t dialect;
    } map[] = {{"2.0.2", SMB2_DIALECT_0202},
               {"2.1", SMB2_DIALECT_0210},
               {"3.0", SMB2_DIALECT_0300},
               {"3.0.2", SMB2_DIALECT_0302},
               {"3.1.1", SMB2_DIALECT_0311}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].name, name) == 0)
            return map[i].dialect;
    fail_msg("unknown dialect %s", name);
    return 0;
}

/* The algorithm must be the one the dialect allows (3.1.4.1). */
static void check_alg_matches_dialect(uint16_t dialect, enum smb2_signing_alg alg)
{
    enum smb2_signing_alg got;
    bool negotiated = alg == SMB2_SIGNING_AES_GMAC;
    assert_true(nt_ok(sec_signing_alg_for(dialect, negotiated, (uint16_t)alg, &got)));
    assert_int_equal(got, alg);
}

static void sign_vector(void **state)
{
    json_object *v = *state;
    struct vec_bytes key = vec_hex(v, "signing_key_hex");
    struct vec_bytes msg = vec_hex(v, "message_hex");
    struct vec_bytes want = vec_hex(v, "expected_signature_hex");
    enum smb2_signing_alg alg = alg_named(vec_str(v, "algorithm"));
    check_alg_matches_dialect(dialect_named(vec_str(v, "dialect")), alg);
    assert_int_equal(msg.len, (size_t)vec_int(v, "message_len"));
    assert_true(msg.len >= SMB2_HDR_SIZE);
    vec_assert_bytes("message bytes 48..63", msg.p + SMB2_SIG_OFFSET, SMB2_SIG_SIZE, want);

    struct sec_sign_key k;
    assert_true(nt_ok(sec_sign_key_init(&k, alg, key.p, key.len)));

    /* Verify the message as received, and that verify left it untouched. */
    uint8_t *orig = malloc(msg.len);
    assert_non_null(orig);
    memcpy(orig, msg.p, msg.len);
    struct iovec iov = {msg.p, msg.len};
    assert_int_equal(sec_verify(&k, &iov, 1).code, STATUS_SUCCESS.code);
    assert_memory_equal(orig, msg.p, msg.len);

    /* Re-sign from a zeroed signature: exactly the message on the wire. */
    memset(msg.p + SMB2_SIG_OFFSET, 0, SMB2_SIG_SIZE);
    assert_true(nt_ok(sec_sign(&k, &iov, 1)));
    vec_assert_bytes("signature", msg.p + SMB2_SIG_OFFSET, SMB2_SIG_SIZE, want);
    struct vec_bytes whole = {orig, msg.len};
    vec_assert_bytes("signed message", msg.p, msg.len, whole);
    free(orig);
    sec_sign_key_clear(&k);
}

/* Published inputs that come with the vector are checked too. */
static void check_extras(json_object *v, struct vec_bytes msg)
{
    json_object *x = NULL;
    if (json_object_object_get_ex(v, "gmac_nonce_hex", &x)) {
        uint8_t nonce[12];
        sec_gmac_nonce(msg.p, nonce);
        vec_assert_bytes("GMAC nonce", nonce, sizeof nonce, vec_hex(v, "gmac_nonce_hex"));
    }
    if (json_object_object_get_ex(v, "session_key_hex", &x)) {
        struct vec_bytes sk = vec_hex(v, "session_key_hex");
        struct sec_keys keys;
        assert_true(nt_ok(sec_derive_keys(dialect_named(vec_str(v, "dialect")),
                                          SMB2_CIPHER_AES128_CCM, sk.p, sk.len, NULL, &keys)));
        vec_assert_bytes("derived signing key", keys.signing, 16, vec_hex(v, "signing_key_hex"));
        sec_keys_clear(&keys);
    }
}

static void test_vector(void **state)
{
    sign_vector(state);
    check_extras(*state, vec_hex(*state, "message_hex"));
}

int main(void)
{
    json_object *root = vec_load("smb2_signing.json");
    json_object *vectors = vec_get(root, "vectors");
    if (json_object_array_length(vectors) != 14)
        return 1;
    int failed = vec_run("smb2_signing", vectors, test_vector);
    json_object_put(root);
    return failed;
}
