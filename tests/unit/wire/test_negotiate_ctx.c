/* [MS-SMB2] 2.2.3.1 negotiate contexts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/negotiate_ctx.h"

#define INVALID STATUS_INVALID_PARAMETER_CODE

/* The context list of the captured Windows 3.1.1 NEGOTIATE request
 * (tests/vectors/smb311_preauth_integrity.json, bytes 0x70..0xAE). */
static const uint8_t win_req_ctx[] = {
    0x01, 0x00, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x01, 0x00, 0xfa, 0x49,
    0xe6, 0x57, 0x8f, 0x1f, 0x3a, 0x9f, 0x4c, 0xd3, 0xe9, 0xcc, 0x14, 0xa6, 0x7a, 0xa8, 0x84, 0xb3,
    0xd0, 0x58, 0x44, 0xe0, 0xe5, 0xa1, 0x18, 0x22, 0x5c, 0x15, 0x88, 0x7f, 0x32, 0xff, 0x00, 0x00,
    0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x01, 0x00,
};

static uint32_t set_decode_exact(const uint8_t *src, size_t n, uint16_t count,
                                 struct smb2_negctx_set *s)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    ntstatus_t st = smb2_negctx_set_decode(c, n, count, s);
    free(c);
    return st.code;
}

static void test_iterate_windows(void **state)
{
    (void)state;
    struct smb2_negctx_iter it;
    struct smb2_negctx c;
    smb2_negctx_iter_init(&it, win_req_ctx, sizeof(win_req_ctx), 2);
    assert_true(smb2_negctx_next(&it, &c));
    assert_int_equal(c.context_type, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
    assert_int_equal(c.data_length, 38);
    assert_ptr_equal(c.data, win_req_ctx + 8);
    struct smb2_preauth_caps pa;
    assert_true(nt_ok(smb2_preauth_caps_decode(&c, &pa)));
    assert_int_equal(pa.hash_algorithm_count, 1);
    assert_int_equal(pa.hash_algorithms[0], SMB2_PREAUTH_INTEGRITY_SHA512);
    assert_int_equal(pa.salt_length, 32);
    assert_ptr_equal(pa.salt, win_req_ctx + 14);
    assert_true(smb2_negctx_next(&it, &c));
    assert_int_equal(c.context_type, SMB2_ENCRYPTION_CAPABILITIES);
    assert_int_equal(c.data_length, 6);
    assert_ptr_equal(c.data, win_req_ctx + 56);
    struct smb2_encryption_caps ec;
    assert_true(nt_ok(smb2_encryption_caps_decode(&c, &ec)));
    assert_int_equal(ec.cipher_count, 2);
    assert_int_equal(ec.ciphers[0], SMB2_CIPHER_AES128_GCM);
    assert_int_equal(ec.ciphers[1], SMB2_CIPHER_AES128_CCM);
    assert_false(smb2_negctx_next(&it, &c));
    assert_true(nt_ok(smb2_negctx_iter_status(&it)));

    /* re-encoding the decoded set gives the same bytes */
    struct smb2_negctx_set s;
    assert_true(nt_ok(smb2_negctx_set_decode(win_req_ctx, sizeof(win_req_ctx), 2, &s)));
    uint8_t buf[128];
    struct wr w;
    uint16_t n = 0;
    wr_init(&w, buf, sizeof(buf));
    assert_true(nt_ok(smb2_negctx_set_encode(&w, &s, &n)));
    assert_int_equal(n, 2);
    assert_int_equal(wr_pos(&w), sizeof(win_req_ctx));
    assert_memory_equal(buf, win_req_ctx, sizeof(win_req_ctx));
    for (size_t k = 0; k < sizeof(win_req_ctx); k++)
        assert_int_equal(set_decode_exact(win_req_ctx, k, 2, &s), INVALID);
}

static void fill_all(struct smb2_negctx_set *s, const uint8_t *salt)
{
    memset(s, 0, sizeof(*s));
    s->present = SMB2_NEGCTX_HAS(SMB2_PREAUTH_INTEGRITY_CAPABILITIES) |
                 SMB2_NEGCTX_HAS(SMB2_ENCRYPTION_CAPABILITIES) |
                 SMB2_NEGCTX_HAS(SMB2_COMPRESSION_CAPABILITIES) |
                 SMB2_NEGCTX_HAS(SMB2_NETNAME_NEGOTIATE_CONTEXT_ID) |
                 SMB2_NEGCTX_HAS(SMB2_TRANSPORT_CAPABILITIES) |
                 SMB2_NEGCTX_HAS(SMB2_SIGNING_CAPABILITIES);
    s->preauth.hash_algorithm_count = 1;
    s->preauth.hash_algorithms[0] = SMB2_PREAUTH_INTEGRITY_SHA512;
    s->preauth.salt_length = 32;
    s->preauth.salt = salt;
    s->encryption.cipher_count = 4;
    s->encryption.ciphers[0] = SMB2_CIPHER_AES256_GCM;
    s->encryption.ciphers[1] = SMB2_CIPHER_AES128_GCM;
    s->encryption.ciphers[2] = SMB2_CIPHER_AES256_CCM;
    s->encryption.ciphers[3] = SMB2_CIPHER_AES128_CCM;
    s->compression.compression_algorithm_count = 3;
    s->compression.flags = SMB2_COMPRESSION_FLAG_CHAINED;
    s->compression.compression_algorithms[0] = SMB2_COMPRESSION_PATTERN_V1;
    s->compression.compression_algorithms[1] = SMB2_COMPRESSION_LZ77;
    s->compression.compression_algorithms[2] = SMB2_COMPRESSION_LZNT1;
    strcpy(s->netname.net_name, "fileserver.example.test");
    s->transport.flags = SMB2_ACCEPT_TRANSPORT_LEVEL_SECURITY;
    s->signing.signing_algorithm_count = 3;
    s->signing.signing_algorithms[0] = SMB2_SIGNING_AES_GMAC;
    s->signing.signing_algorithms[1] = SMB2_SIGNING_AES_CMAC;
    s->signing.signing_algorithms[2] = SMB2_SIGNING_HMAC_SHA256;
}

static size_t encode_all(uint8_t *buf, size_t cap, const uint8_t *salt)
{
    struct smb2_negctx_set s;
    struct wr w;
    uint16_t n = 0;
    fill_all(&s, salt);
    wr_init(&w, buf, cap);
    assert_true(nt_ok(smb2_negctx_set_encode(&w, &s, &n)));
    assert_int_equal(n, 6);
    return wr_pos(&w);
}

static void test_roundtrip_all(void **state)
{
    (void)state;
    uint8_t salt[32];
    for (int i = 0; i < 32; i++)
        salt[i] = (uint8_t)(i * 7);
    uint8_t buf[512];
    size_t len = encode_all(buf, sizeof(buf), salt);
    /* preauth 8+38 -> pad to 48; encryption 8+10 -> 72; compression 8+14 -> 96;
     * netname 8+46 -> 152; transport 8+4 -> 168; signing 8+8 = 184 */
    assert_int_equal(len, 184);
    assert_memory_equal(buf + 48, "\x02\x00\x0a\x00\x00\x00\x00\x00\x04\x00", 10);
    assert_memory_equal(buf + 96, "\x05\x00\x2e\x00\x00\x00\x00\x00\x66\x00\x69\x00", 12);
    assert_memory_equal(buf + 152, "\x06\x00\x04\x00\x00\x00\x00\x00\x01\x00\x00\x00", 12);
    assert_memory_equal(buf + 168, "\x08\x00\x08\x00\x00\x00\x00\x00\x03\x00\x02\x00", 12);
    struct smb2_negctx_set in, out;
    fill_all(&in, salt);
    assert_true(nt_ok(smb2_negctx_set_decode(buf, len, 6, &out)));
    assert_ptr_equal(out.preauth.salt, buf + 14);
    assert_memory_equal(out.preauth.salt, salt, 32);
    out.preauth.salt = salt;
    assert_memory_equal(&in, &out, sizeof(in));
    for (size_t k = 0; k < len; k++)
        assert_int_equal(set_decode_exact(buf, k, 6, &out), INVALID);
    /* fewer contexts than the list holds: the rest is not looked at */
    assert_true(nt_ok(smb2_negctx_set_decode(buf, len, 2, &out)));
    assert_int_equal(out.present, SMB2_NEGCTX_HAS(1) | SMB2_NEGCTX_HAS(2));
    /* more than it holds */
    assert_int_equal(smb2_negctx_set_decode(buf, len, 7, &out).code, INVALID);
}

/* A context with the given header and data, at the writer's position. */
static void put_ctx(struct wr *w, uint16_t type, const void *data, uint16_t len)
{
    wr_u16(w, type);
    wr_u16(w, len);
    wr_u32(w, 0);
    wr_bytes(w, data, len);
}

static void test_unknown_skipped(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    put_ctx(&w, 0x0100, "\x01\x02\x03", 3); /* unknown */
    wr_align(&w, 8);
    put_ctx(&w, SMB2_RDMA_TRANSFORM_CAPABILITIES, "\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00",
            10); /* known to the spec, not decoded here */
    wr_align(&w, 8);
    put_ctx(&w, SMB2_SIGNING_CAPABILITIES, "\x01\x00\x01\x00", 4);
    struct smb2_negctx_set s;
    assert_true(nt_ok(smb2_negctx_set_decode(buf, wr_pos(&w), 3, &s)));
    assert_int_equal(s.unknown_count, 2);
    assert_int_equal(s.present, SMB2_NEGCTX_HAS(SMB2_SIGNING_CAPABILITIES));
    assert_int_equal(s.signing.signing_algorithm_count, 1);
    assert_int_equal(s.signing.signing_algorithms[0], SMB2_SIGNING_AES_CMAC);
    /* the unknown context's DataLength is still bounded */
    buf[2] = 0xF0;
    assert_int_equal(smb2_negctx_set_decode(buf, wr_pos(&w), 3, &s).code, INVALID);
}

static void test_alignment(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct wr w;
    struct smb2_negctx_set s;
    /* second context not 8-aligned (no padding after a 3-byte context) */
    wr_init(&w, buf, sizeof(buf));
    put_ctx(&w, 0x0100, "\x01\x02\x03", 3);
    put_ctx(&w, SMB2_SIGNING_CAPABILITIES, "\x01\x00\x01\x00", 4);
    assert_int_equal(smb2_negctx_set_decode(buf, wr_pos(&w), 2, &s).code, INVALID);
    /* the last context needs no padding; padding after it is fine too */
    wr_init(&w, buf, sizeof(buf));
    put_ctx(&w, SMB2_SIGNING_CAPABILITIES, "\x01\x00\x01\x00\x00", 5);
    assert_true(nt_ok(smb2_negctx_set_decode(buf, wr_pos(&w), 1, &s)));
    wr_align(&w, 8);
    assert_true(nt_ok(smb2_negctx_set_decode(buf, wr_pos(&w), 1, &s)));
    /* zero contexts: nothing is read */
    assert_true(nt_ok(smb2_negctx_set_decode(NULL, 0, 0, &s)));
    assert_int_equal(s.present, 0);
}

static uint32_t decode_one(uint16_t type, const void *data, uint16_t len)
{
    uint8_t buf[128];
    struct wr w;
    struct smb2_negctx_set s;
    wr_init(&w, buf, sizeof(buf));
    put_ctx(&w, type, data, len);
    return set_decode_exact(buf, wr_pos(&w), 1, &s);
}

static void test_bad_counts(void **state)
{
    (void)state;
    /* preauth: count 0, count 9 > capacity, count beyond data, salt beyond data */
    assert_int_equal(decode_one(1, "\x00\x00\x00\x00", 4), INVALID);
    assert_int_equal(decode_one(1,
                                "\x09\x00\x00\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01\x00\x01"
                                "\x00\x01\x00\x01\x00\x01\x00",
                                22),
                     INVALID);
    assert_int_equal(decode_one(1, "\x02\x00\x00\x00\x01\x00", 6), INVALID);
    assert_int_equal(decode_one(1, "\x01\x00\x04\x00\x01\x00\xaa\xbb\xcc", 9), INVALID);
    assert_int_equal(decode_one(1, "\x01\x00\x03\x00\x01\x00\xaa\xbb\xcc", 9), 0);
    assert_int_equal(decode_one(1, "\x01\x00", 2), INVALID);
    /* encryption */
    assert_int_equal(decode_one(2, "\x00\x00", 2), INVALID);
    assert_int_equal(decode_one(2, "\x02\x00\x01\x00", 4), INVALID);
    assert_int_equal(decode_one(2, "", 0), INVALID);
    /* compression */
    assert_int_equal(decode_one(3, "\x01\x00\x00\x00\x00\x00\x00\x00", 8), INVALID);
    assert_int_equal(decode_one(3, "\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00", 10), 0);
    /* transport: 4 bytes of Flags */
    assert_int_equal(decode_one(6, "\x01\x00\x00", 3), INVALID);
    /* signing: count 9 */
    assert_int_equal(decode_one(8,
                                "\x09\x00\x00\x00\x01\x00\x02\x00\x00\x00\x01\x00\x02\x00\x00"
                                "\x00\x01\x00\x02\x00",
                                20),
                     INVALID);
    assert_int_equal(decode_one(8,
                                "\x08\x00\x00\x00\x01\x00\x02\x00\x00\x00\x01\x00\x02\x00\x00"
                                "\x00\x01\x00",
                                18),
                     0);
    /* netname: odd length, unpaired surrogate */
    assert_int_equal(decode_one(5, "a\x00b", 3), INVALID);
    assert_int_equal(decode_one(5, "\x00\xd8", 2), INVALID);
    assert_int_equal(decode_one(5, "s\x00r\x00v\x00", 6), 0);
}

static void test_netname(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    put_ctx(&w, SMB2_NETNAME_NEGOTIATE_CONTEXT_ID, "s\x00r\x00v\x00\xe9\x00", 8);
    struct smb2_negctx_set s;
    assert_true(nt_ok(smb2_negctx_set_decode(buf, wr_pos(&w), 1, &s)));
    assert_string_equal(s.netname.net_name, "srv\xc3\xa9");
    struct smb2_negctx c = {.context_type = 5, .data_length = 0, .data = buf};
    struct smb2_netname_ctx nn;
    assert_true(nt_ok(smb2_netname_ctx_decode(&c, &nn)));
    assert_string_equal(nn.net_name, "");
    /* too long for SMB2_NETNAME_MAX */
    static uint8_t big[2 * SMB2_NETNAME_MAX];
    for (size_t i = 0; i < sizeof(big); i += 2)
        big[i] = 'x';
    c.data = big;
    c.data_length = sizeof(big);
    assert_int_equal(smb2_netname_ctx_decode(&c, &nn).code, INVALID);
}

static void test_duplicates(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct wr w;
    struct smb2_negctx_set s;
    wr_init(&w, buf, sizeof(buf));
    put_ctx(&w, SMB2_ENCRYPTION_CAPABILITIES, "\x01\x00\x02\x00", 4);
    wr_align(&w, 8);
    put_ctx(&w, SMB2_ENCRYPTION_CAPABILITIES, "\x01\x00\x01\x00", 4);
    assert_int_equal(smb2_negctx_set_decode(buf, wr_pos(&w), 2, &s).code, INVALID);
    /* two unknown contexts of one type are just skipped */
    wr_init(&w, buf, sizeof(buf));
    put_ctx(&w, 0x0200, "\x01\x00\x02\x00", 4);
    wr_align(&w, 8);
    put_ctx(&w, 0x0200, "\x01\x00\x01\x00", 4);
    assert_true(nt_ok(smb2_negctx_set_decode(buf, wr_pos(&w), 2, &s)));
    assert_int_equal(s.unknown_count, 2);
}

static void test_encode_errors(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct wr w;
    struct smb2_signing_caps sc = {.signing_algorithm_count = 0};
    wr_init(&w, buf, sizeof(buf));
    assert_int_equal(smb2_signing_caps_encode(&w, &sc).code, INVALID);
    sc.signing_algorithm_count = SMB2_NEGCTX_MAX_ALGS + 1;
    wr_init(&w, buf, sizeof(buf));
    assert_int_equal(smb2_signing_caps_encode(&w, &sc).code, INVALID);
    struct smb2_preauth_caps pc = {.hash_algorithm_count = 1, .salt_length = 4, .salt = NULL};
    wr_init(&w, buf, sizeof(buf));
    assert_int_equal(smb2_preauth_caps_encode(&w, &pc).code, INVALID);
    struct smb2_netname_ctx nn;
    memset(nn.net_name, 'a', sizeof(nn.net_name)); /* no NUL */
    uint8_t big[2048];
    wr_init(&w, big, sizeof(big));
    assert_int_equal(smb2_netname_ctx_encode(&w, &nn).code, INVALID);
    struct smb2_encryption_caps ec = {.cipher_count = 1, .ciphers = {2}};
    wr_init(&w, buf, 11);
    assert_int_equal(smb2_encryption_caps_encode(&w, &ec).code, STATUS_BUFFER_TOO_SMALL_CODE);
    wr_init(&w, buf, 12);
    assert_true(nt_ok(smb2_encryption_caps_encode(&w, &ec)));
    assert_memory_equal(buf, "\x02\x00\x04\x00\x00\x00\x00\x00\x01\x00\x02\x00", 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iterate_windows), cmocka_unit_test(test_roundtrip_all),
        cmocka_unit_test(test_unknown_skipped), cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_bad_counts),      cmocka_unit_test(test_netname),
        cmocka_unit_test(test_duplicates),      cmocka_unit_test(test_encode_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
