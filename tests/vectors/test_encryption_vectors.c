/* smb3_encryption.json: each vector is sealed from its plaintext with its own
 * key, nonce field and SessionId and must reproduce the whole transformed
 * message (header, tag, ciphertext; [MS-SMB2] 2.2.41, 3.1.4.3). The published
 * transformed message then unseals back to the plaintext, and a single
 * flipped bit in the tag, the AAD (reserved nonce bytes included) or the
 * ciphertext makes unsealing fail with STATUS_DECRYPTION_FAILED. */
#include "vec.h"

#include "sec/seal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static enum smb2_cipher cipher_named(const char *name)
{
    if (strcmp(name, "AES-128-CCM") == 0)
        return SMB2_CIPHER_AES128_CCM;
    if (strcmp(name, "AES-128-GCM") == 0)
        return SMB2_CIPHER_AES128_GCM;
    if (strcmp(name, "AES-256-CCM") == 0)
        return SMB2_CIPHER_AES256_CCM;
    if (strcmp(name, "AES-256-GCM") == 0)
        return SMB2_CIPHER_AES256_GCM;
    fail_msg("unknown cipher %s", name);
    return SMB2_CIPHER_NONE;
}

static bool is_ccm(enum smb2_cipher c)
{
    return c == SMB2_CIPHER_AES128_CCM || c == SMB2_CIPHER_AES256_CCM;
}

/* Fields that restate parts of the transformed message must agree with it. */
static void check_fields(json_object *v, enum smb2_cipher c, struct vec_bytes plain,
                         struct vec_bytes want)
{
    assert_int_equal(vec_int(v, "cipher_id"), c);
    assert_int_equal(vec_int(v, "flags_or_encryption_algorithm"), 1);
    assert_int_equal((size_t)vec_int(v, "original_message_size"), plain.len);
    assert_int_equal(want.len, SMB2_TRANSFORM_HDR_SIZE + plain.len);
    struct vec_bytes nonce = vec_hex(v, "nonce_field_hex");
    struct vec_bytes aes_nonce = vec_hex(v, "aes_nonce_hex");
    assert_int_equal(aes_nonce.len, is_ccm(c) ? 11 : 12);
    vec_assert_bytes("aes_nonce", nonce.p, aes_nonce.len, aes_nonce);
    vec_assert_bytes("aad", want.p + 20, 32, vec_hex(v, "aad_hex"));
    vec_assert_bytes("tag", want.p + 4, 16, vec_hex(v, "expected_signature_hex"));
    vec_assert_bytes("ciphertext", want.p + SMB2_TRANSFORM_HDR_SIZE, plain.len,
                     vec_hex(v, "expected_ciphertext_hex"));
}

static void check_seal(json_object *v, const struct sec_cipher_key *k, struct vec_bytes plain,
                       struct vec_bytes want)
{
    uint64_t session_id = strtoull(vec_str(v, "session_id"), NULL, 16);
    uint8_t *out = malloc(want.len);
    assert_non_null(out);
    memcpy(out + SMB2_TRANSFORM_HDR_SIZE, plain.p, plain.len);
    struct iovec iov = {out + SMB2_TRANSFORM_HDR_SIZE, plain.len};
    assert_true(nt_ok(sec_seal(k, vec_hex(v, "nonce_field_hex").p, session_id, out, &iov, 1)));
    vec_assert_bytes("transformed message", out, want.len, want);
    free(out);
}

/* Unseal a copy of the transformed message, with bit `flip` (or none if
 * flip < 0) inverted first. */
static ntstatus_t unseal_copy(const struct sec_cipher_key *k, struct vec_bytes frame, long flip,
                              uint8_t *plain_out)
{
    uint8_t *buf = malloc(frame.len);
    assert_non_null(buf);
    memcpy(buf, frame.p, frame.len);
    if (flip >= 0)
        buf[flip / 8] ^= (uint8_t)(1u << (flip % 8));
    struct iovec iov = {buf + SMB2_TRANSFORM_HDR_SIZE, frame.len - SMB2_TRANSFORM_HDR_SIZE};
    ntstatus_t st = sec_unseal(k, buf, &iov, 1);
    if (plain_out)
        memcpy(plain_out, iov.iov_base, iov.iov_len);
    free(buf);
    return st;
}

static void check_unseal(const struct sec_cipher_key *k, struct vec_bytes plain,
                         struct vec_bytes frame)
{
    uint8_t *got = malloc(plain.len);
    assert_non_null(got);
    assert_int_equal(unseal_copy(k, frame, -1, got).code, STATUS_SUCCESS.code);
    vec_assert_bytes("decrypted", got, plain.len, plain);
    free(got);
    /* Tag, then Nonce (incl. a reserved byte), SessionId, first and last
     * ciphertext bytes. */
    const long flips[] = {4 * 8,
                          19 * 8 + 7,
                          20 * 8,
                          35 * 8 + 3,
                          51 * 8,
                          SMB2_TRANSFORM_HDR_SIZE * 8,
                          (long)frame.len * 8 - 1};
    for (size_t i = 0; i < sizeof flips / sizeof flips[0]; i++)
        assert_int_equal(unseal_copy(k, frame, flips[i], NULL).code, STATUS_DECRYPTION_FAILED.code);
}

static void test_vector(void **state)
{
    json_object *v = *state;
    enum smb2_cipher c = cipher_named(vec_str(v, "cipher"));
    struct vec_bytes key = vec_hex(v, "key_hex");
    struct vec_bytes plain = vec_hex(v, "plaintext_hex");
    struct vec_bytes want = vec_hex(v, "expected_transformed_message_hex");
    check_fields(v, c, plain, want);
    struct sec_cipher_key k;
    assert_true(nt_ok(sec_cipher_key_init(&k, c, key.p, key.len)));
    check_seal(v, &k, plain, want);
    check_unseal(&k, plain, want);
    sec_cipher_key_clear(&k);
}

int main(void)
{
    json_object *root = vec_load("smb3_encryption.json");
    json_object *vectors = vec_get(root, "vectors");
    if (json_object_array_length(vectors) != 16)
        return 1;
    int failed = vec_run("smb3_encryption", vectors, test_vector);
    json_object_put(root);
    return failed;
}
