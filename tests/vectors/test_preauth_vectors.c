/* smb311_preauth_integrity.json: each chain is one test. Every SHA-512 step
 * is computed from its hash_before ([MS-SMB2] 3.2.5.2, 3.3.5.4, 3.2.5.3.1,
 * 3.3.5.5) and must equal both expected_hash_after and the next step's
 * hash_before; the chain starts at 64 zero bytes. The final hash then gives
 * the signing key (SMBSigningKey, 3.1.4.2), which must be the published one
 * and must verify the final SESSION_SETUP response (never hashed itself). */
#include "vec.h"

#include "sec/kdf.h"
#include "sec/preauth.h"
#include "sec/sign.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void run_steps(json_object *steps, uint8_t hash[64])
{
    size_t n = json_object_array_length(steps);
    assert_int_equal(n, 5);
    sec_preauth_init(hash);
    for (size_t i = 0; i < n; i++) {
        json_object *s = json_object_array_get_idx(steps, i);
        vec_assert_bytes("hash_before", hash, 64, vec_hex(s, "hash_before_hex"));
        struct vec_bytes msg = vec_hex(s, "message_hex");
        struct iovec iov = {msg.p, msg.len};
        assert_true(nt_ok(sec_preauth_update(hash, &iov, 1)));
        vec_assert_bytes("expected_hash_after", hash, 64, vec_hex(s, "expected_hash_after_hex"));
    }
}

static void check_final_response(json_object *chain, const uint8_t hash[64])
{
    struct vec_bytes sk = vec_hex(chain, "session_key_hex");
    uint8_t signing[16];
    bool binding = strstr(vec_str(chain, "id"), "binding") != NULL;
    if (binding) {
        assert_true(
            nt_ok(sec_derive_channel_signing_key(SMB2_DIALECT_0311, sk.p, sk.len, hash, signing)));
    } else {
        struct sec_keys keys;
        assert_true(
            nt_ok(sec_derive_keys(SMB2_DIALECT_0311, SMB2_CIPHER_NONE, sk.p, sk.len, hash, &keys)));
        memcpy(signing, keys.signing, sizeof signing);
        sec_keys_clear(&keys);
    }
    vec_assert_bytes("signing key", signing, 16, vec_hex(chain, "expected_signing_key_hex"));

    struct sec_sign_key key;
    assert_true(nt_ok(sec_sign_key_init(&key, SMB2_SIGNING_AES_CMAC, signing, 16)));
    struct vec_bytes rsp = vec_hex(chain, "final_session_setup_response_hex");
    struct iovec iov = {rsp.p, rsp.len};
    assert_int_equal(sec_verify(&key, &iov, 1).code, STATUS_SUCCESS.code);
    sec_sign_key_clear(&key);
}

static void test_chain(void **state)
{
    json_object *chain = *state;
    uint8_t hash[64];
    run_steps(vec_get(chain, "steps"), hash);
    check_final_response(chain, hash);
}

int main(void)
{
    json_object *root = vec_load("smb311_preauth_integrity.json");
    json_object *chains = vec_get(root, "chains");
    if (json_object_array_length(chains) != 4)
        return 1;
    int failed = vec_run("smb311_preauth", chains, test_chain);
    json_object_put(root);
    return failed;
}
