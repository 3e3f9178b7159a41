/* [MS-SMB2] 2.2.3, 2.2.4 NEGOTIATE; 3.3.5.3.1 SMB1 negotiate probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/hdr.h"
#include "wire/negotiate.h"
#include "wire/negotiate_ctx.h"

/* Captured from Windows (tests/vectors/smb311_preauth_integrity.json, chain
 * anatomy-3.1.1-master). */
/* SMB2 NEGOTIATE request (174 bytes) */
static const uint8_t win_neg_req[] = {
    0xfe, 0x53, 0x4d, 0x42, 0x40, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x24, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f, 0x00, 0x00, 0x00, 0xec, 0xd8, 0x6f, 0x32,
    0x62, 0x76, 0x02, 0x4f, 0x9f, 0x77, 0x52, 0xb8, 0x9b, 0xb3, 0x3f, 0x3a, 0x70, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x02, 0x02, 0x10, 0x02, 0x00, 0x03, 0x02, 0x03, 0x11, 0x03, 0x00, 0x00,
    0x01, 0x00, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x01, 0x00, 0xfa, 0x49,
    0xe6, 0x57, 0x8f, 0x1f, 0x3a, 0x9f, 0x4c, 0xd3, 0xe9, 0xcc, 0x14, 0xa6, 0x7a, 0xa8, 0x84, 0xb3,
    0xd0, 0x58, 0x44, 0xe0, 0xe5, 0xa1, 0x18, 0x22, 0x5c, 0x15, 0x88, 0x7f, 0x32, 0xff, 0x00, 0x00,
    0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x01, 0x00,
};
/* SMB2 NEGOTIATE response (508 bytes) */
static const uint8_t win_neg_rsp[] = {
    0xfe, 0x53, 0x4d, 0x42, 0x40, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x41, 0x00, 0x01, 0x00, 0x11, 0x03, 0x02, 0x00, 0x39, 0xcb, 0xca, 0xf3, 0x29, 0x71, 0x49, 0x42,
    0xbd, 0xce, 0x5d, 0x60, 0xf0, 0x9a, 0xb3, 0xfb, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00,
    0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x80, 0x00, 0xd8, 0xda, 0xe5, 0xad, 0xcb, 0xae, 0xd0, 0x01,
    0x09, 0x09, 0x4a, 0xb0, 0x95, 0xae, 0xd0, 0x01, 0x80, 0x00, 0x40, 0x01, 0xc0, 0x01, 0x00, 0x00,
    0x60, 0x82, 0x01, 0x3c, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02, 0xa0, 0x82, 0x01, 0x30,
    0x30, 0x82, 0x01, 0x2c, 0xa0, 0x1a, 0x30, 0x18, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82,
    0x37, 0x02, 0x02, 0x1e, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
    0xa2, 0x82, 0x01, 0x0c, 0x04, 0x82, 0x01, 0x08, 0x4e, 0x45, 0x47, 0x4f, 0x45, 0x58, 0x54, 0x53,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x70, 0x00, 0x00, 0x00,
    0x7c, 0x7c, 0xc0, 0xfd, 0x06, 0xd6, 0x36, 0x2d, 0x02, 0xdd, 0xe1, 0xcf, 0x34, 0x3b, 0xfe, 0x29,
    0x29, 0x00, 0xf4, 0x97, 0x50, 0xb4, 0xaa, 0x97, 0x93, 0x4d, 0x9c, 0x42, 0x96, 0xb2, 0x6e, 0x51,
    0xfd, 0x37, 0x04, 0x71, 0xb2, 0x35, 0xe1, 0x5a, 0x50, 0xda, 0xe1, 0x5b, 0xd5, 0x48, 0x9c, 0x87,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5c, 0x33, 0x53, 0x0d, 0xea, 0xf9, 0x0d, 0x4d,
    0xb2, 0xec, 0x4a, 0xe3, 0x78, 0x6e, 0xc3, 0x08, 0x4e, 0x45, 0x47, 0x4f, 0x45, 0x58, 0x54, 0x53,
    0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x98, 0x00, 0x00, 0x00,
    0x7c, 0x7c, 0xc0, 0xfd, 0x06, 0xd6, 0x36, 0x2d, 0x02, 0xdd, 0xe1, 0xcf, 0x34, 0x3b, 0xfe, 0x29,
    0x5c, 0x33, 0x53, 0x0d, 0xea, 0xf9, 0x0d, 0x4d, 0xb2, 0xec, 0x4a, 0xe3, 0x78, 0x6e, 0xc3, 0x08,
    0x40, 0x00, 0x00, 0x00, 0x58, 0x00, 0x00, 0x00, 0x30, 0x56, 0xa0, 0x54, 0x30, 0x52, 0x30, 0x27,
    0x80, 0x25, 0x30, 0x23, 0x31, 0x21, 0x30, 0x1f, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x18, 0x54,
    0x6f, 0x6b, 0x65, 0x6e, 0x20, 0x53, 0x69, 0x67, 0x6e, 0x69, 0x6e, 0x67, 0x20, 0x50, 0x75, 0x62,
    0x6c, 0x69, 0x63, 0x20, 0x4b, 0x65, 0x79, 0x30, 0x27, 0x80, 0x25, 0x30, 0x23, 0x31, 0x21, 0x30,
    0x1f, 0x06, 0x03, 0x55, 0x04, 0x03, 0x13, 0x18, 0x54, 0x6f, 0x6b, 0x65, 0x6e, 0x20, 0x53, 0x69,
    0x67, 0x6e, 0x69, 0x6e, 0x67, 0x20, 0x50, 0x75, 0x62, 0x6c, 0x69, 0x63, 0x20, 0x4b, 0x65, 0x79,
    0x01, 0x00, 0x26, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x01, 0x00, 0x60, 0xa3,
    0xc3, 0xb9, 0x5c, 0x3c, 0x7c, 0xcd, 0x51, 0xec, 0x53, 0x66, 0x48, 0xd9, 0xb3, 0xac, 0x74, 0xc4,
    0x83, 0xca, 0x5b, 0x65, 0x38, 0x5a, 0x25, 0x11, 0x17, 0xbe, 0xb3, 0x07, 0x12, 0xe5, 0x00, 0x00,
    0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00,
};

#define INVALID STATUS_INVALID_PARAMETER_CODE

static uint8_t *dup_exact(const uint8_t *src, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    return c;
}

static uint32_t req_decode_exact(const uint8_t *src, size_t n)
{
    struct smb2_negotiate_req out;
    uint8_t *c = dup_exact(src, n);
    ntstatus_t st = smb2_negotiate_req_decode(c, n, &out);
    free(c);
    return st.code;
}

static uint32_t rsp_decode_exact(const uint8_t *src, size_t n)
{
    struct smb2_negotiate_rsp out;
    uint8_t *c = dup_exact(src, n);
    ntstatus_t st = smb2_negotiate_rsp_decode(c, n, &out);
    free(c);
    return st.code;
}

/* Field-by-field: the structs have padding that memcmp would compare. */
static void req_equal(const struct smb2_negotiate_req *a, const struct smb2_negotiate_req *b)
{
    assert_int_equal(a->dialect_count, b->dialect_count);
    assert_int_equal(a->security_mode, b->security_mode);
    assert_int_equal(a->capabilities, b->capabilities);
    assert_memory_equal(a->client_guid, b->client_guid, SMB2_GUID_SIZE);
    assert_int_equal(a->client_start_time, b->client_start_time);
    assert_int_equal(a->negotiate_context_count, b->negotiate_context_count);
    assert_memory_equal(a->dialects, b->dialects, sizeof(a->dialects));
    assert_int_equal(a->negotiate_context_list_len, b->negotiate_context_list_len);
    if (a->negotiate_context_list_len)
        assert_memory_equal(a->negotiate_context_list, b->negotiate_context_list,
                            a->negotiate_context_list_len);
    else
        assert_null(b->negotiate_context_list);
}

static void rsp_equal(const struct smb2_negotiate_rsp *a, const struct smb2_negotiate_rsp *b)
{
    assert_int_equal(a->security_mode, b->security_mode);
    assert_int_equal(a->dialect_revision, b->dialect_revision);
    assert_int_equal(a->negotiate_context_count, b->negotiate_context_count);
    assert_memory_equal(a->server_guid, b->server_guid, SMB2_GUID_SIZE);
    assert_int_equal(a->capabilities, b->capabilities);
    assert_int_equal(a->max_transact_size, b->max_transact_size);
    assert_int_equal(a->max_read_size, b->max_read_size);
    assert_int_equal(a->max_write_size, b->max_write_size);
    assert_int_equal(a->system_time, b->system_time);
    assert_int_equal(a->server_start_time, b->server_start_time);
    assert_int_equal(a->security_buffer_length, b->security_buffer_length);
    if (a->security_buffer_length)
        assert_memory_equal(a->security_buffer, b->security_buffer, a->security_buffer_length);
    else
        assert_null(b->security_buffer);
    assert_int_equal(a->negotiate_context_list_len, b->negotiate_context_list_len);
    if (a->negotiate_context_list_len)
        assert_memory_equal(a->negotiate_context_list, b->negotiate_context_list,
                            a->negotiate_context_list_len);
    else
        assert_null(b->negotiate_context_list);
}

static void test_decode_windows_req(void **state)
{
    (void)state;
    struct smb2_negotiate_req q;
    assert_true(nt_ok(smb2_negotiate_req_decode(win_neg_req, sizeof(win_neg_req), &q)));
    assert_int_equal(q.dialect_count, 5);
    assert_int_equal(q.security_mode, 0);
    assert_int_equal(q.capabilities, 0x3f);
    assert_memory_equal(q.client_guid, win_neg_req + 76, 16);
    assert_int_equal(q.client_guid[0], 0xec);
    assert_int_equal(q.client_guid[15], 0x3a);
    static const uint16_t d[5] = {0x0202, 0x0210, 0x0300, 0x0302, 0x0311};
    assert_memory_equal(q.dialects, d, sizeof(d));
    assert_true(smb2_negotiate_req_has_dialect(&q, SMB2_DIALECT_0311));
    assert_false(smb2_negotiate_req_has_dialect(&q, SMB2_DIALECT_WILDCARD));
    assert_int_equal(q.client_start_time, 0);
    assert_int_equal(q.negotiate_context_count, 2);
    assert_ptr_equal(q.negotiate_context_list, win_neg_req + 0x70);
    assert_int_equal(q.negotiate_context_list_len, sizeof(win_neg_req) - 0x70);

    struct smb2_negctx_set s;
    assert_true(nt_ok(smb2_negctx_set_decode(q.negotiate_context_list, q.negotiate_context_list_len,
                                             q.negotiate_context_count, &s)));
    assert_int_equal(s.present, SMB2_NEGCTX_HAS(SMB2_PREAUTH_INTEGRITY_CAPABILITIES) |
                                    SMB2_NEGCTX_HAS(SMB2_ENCRYPTION_CAPABILITIES));
    assert_int_equal(s.preauth.hash_algorithm_count, 1);
    assert_int_equal(s.preauth.hash_algorithms[0], SMB2_PREAUTH_INTEGRITY_SHA512);
    assert_int_equal(s.preauth.salt_length, 32);
    assert_int_equal(s.preauth.salt[0], 0xfa);
    assert_int_equal(s.preauth.salt[31], 0xff);
    assert_int_equal(s.encryption.cipher_count, 2);
    assert_int_equal(s.encryption.ciphers[0], SMB2_CIPHER_AES128_GCM);
    assert_int_equal(s.encryption.ciphers[1], SMB2_CIPHER_AES128_CCM);
}

static void test_decode_windows_rsp(void **state)
{
    (void)state;
    struct smb2_negotiate_rsp p;
    assert_true(nt_ok(smb2_negotiate_rsp_decode(win_neg_rsp, sizeof(win_neg_rsp), &p)));
    assert_int_equal(p.security_mode, SMB2_NEGOTIATE_SIGNING_ENABLED);
    assert_int_equal(p.dialect_revision, SMB2_DIALECT_0311);
    assert_int_equal(p.negotiate_context_count, 2);
    assert_memory_equal(p.server_guid, win_neg_rsp + 72, 16);
    assert_int_equal(p.server_guid[0], 0x39);
    assert_int_equal(p.capabilities, 0x2f);
    assert_int_equal(p.max_transact_size, 8388608);
    assert_int_equal(p.max_read_size, 8388608);
    assert_int_equal(p.max_write_size, 8388608);
    assert_int_equal(p.system_time, 130796579012860632ULL);
    assert_int_equal(p.server_start_time, 130796347124746505ULL);
    assert_ptr_equal(p.security_buffer, win_neg_rsp + 128);
    assert_int_equal(p.security_buffer_length, 320);
    assert_int_equal(p.security_buffer[0], 0x60); /* GSS-API InitialContextToken */
    assert_ptr_equal(p.negotiate_context_list, win_neg_rsp + 448);
    assert_int_equal(p.negotiate_context_list_len, sizeof(win_neg_rsp) - 448);

    struct smb2_negctx_set s;
    assert_true(nt_ok(smb2_negctx_set_decode(p.negotiate_context_list, p.negotiate_context_list_len,
                                             p.negotiate_context_count, &s)));
    assert_int_equal(s.preauth.hash_algorithm_count, 1);
    assert_int_equal(s.preauth.salt_length, 32);
    assert_int_equal(s.preauth.salt[0], 0x60);
    assert_int_equal(s.encryption.cipher_count, 1);
    assert_int_equal(s.encryption.ciphers[0], SMB2_CIPHER_AES128_GCM);
}

/* Decode a real message and encode it back: every byte must match. */
static void test_reencode_windows(void **state)
{
    (void)state;
    uint8_t buf[600];
    struct wr w;
    struct smb2_hdr h;
    struct smb2_negotiate_req q;
    assert_true(nt_ok(smb2_hdr_decode(win_neg_req, sizeof(win_neg_req), &h)));
    assert_true(nt_ok(smb2_negotiate_req_decode(win_neg_req, sizeof(win_neg_req), &q)));
    wr_init(&w, buf, sizeof(buf));
    assert_true(nt_ok(smb2_hdr_encode(&w, &h)));
    assert_true(nt_ok(smb2_negotiate_req_encode(&w, &q)));
    assert_int_equal(wr_pos(&w), sizeof(win_neg_req));
    /* all but the sync header's Reserved (ProcessId 0xFEFF), which we write as 0 */
    assert_memory_equal(buf, win_neg_req, 32);
    assert_memory_equal(buf + 36, win_neg_req + 36, sizeof(win_neg_req) - 36);

    struct smb2_negotiate_rsp p;
    assert_true(nt_ok(smb2_hdr_decode(win_neg_rsp, sizeof(win_neg_rsp), &h)));
    assert_true(nt_ok(smb2_negotiate_rsp_decode(win_neg_rsp, sizeof(win_neg_rsp), &p)));
    wr_init(&w, buf, sizeof(buf));
    assert_true(nt_ok(smb2_hdr_encode(&w, &h)));
    assert_true(nt_ok(smb2_negotiate_rsp_encode(&w, &p)));
    assert_int_equal(wr_pos(&w), sizeof(win_neg_rsp));
    assert_memory_equal(buf, win_neg_rsp, 32);
    assert_memory_equal(buf + 36, win_neg_rsp + 36, sizeof(win_neg_rsp) - 36);
}

static size_t encode_req(uint8_t *buf, size_t cap, const struct smb2_negotiate_req *q)
{
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, SMB2_HDR_SIZE);
    memcpy(buf, "\xfeSMB\x40\x00", 6);
    assert_true(nt_ok(smb2_negotiate_req_encode(&w, q)));
    return wr_pos(&w);
}

static void test_roundtrip_req_smb2(void **state)
{
    (void)state;
    struct smb2_negotiate_req in = {
        .dialect_count = 2,
        .security_mode = SMB2_NEGOTIATE_SIGNING_REQUIRED,
        .capabilities = SMB2_GLOBAL_CAP_DFS | SMB2_GLOBAL_CAP_LARGE_MTU,
        .client_start_time = 0x0123456789ABCDEFULL,
        .dialects = {0x0202, 0x0210},
    };
    for (int i = 0; i < 16; i++)
        in.client_guid[i] = (uint8_t)(i * 3);
    uint8_t buf[256];
    size_t len = encode_req(buf, sizeof(buf), &in);
    assert_int_equal(len, 64 + 36 + 4);
    assert_memory_equal(buf + 92, "\xef\xcd\xab\x89\x67\x45\x23\x01", 8);
    struct smb2_negotiate_req out;
    assert_true(nt_ok(smb2_negotiate_req_decode(buf, len, &out)));
    req_equal(&in, &out);
    for (size_t n = 0; n < len; n++)
        assert_int_equal(req_decode_exact(buf, n), INVALID);
}

static void test_roundtrip_req_311(void **state)
{
    (void)state;
    static const uint8_t salt[4] = {1, 2, 3, 4};
    struct smb2_negctx_set s = {
        .present = SMB2_NEGCTX_HAS(SMB2_PREAUTH_INTEGRITY_CAPABILITIES) |
                   SMB2_NEGCTX_HAS(SMB2_SIGNING_CAPABILITIES),
        .preauth = {.hash_algorithm_count = 1,
                    .hash_algorithms = {1},
                    .salt_length = 4,
                    .salt = salt},
        .signing = {.signing_algorithm_count = 2, .signing_algorithms = {2, 1}},
    };
    uint8_t ctx[128];
    struct wr cw;
    uint16_t count = 0;
    wr_init(&cw, ctx, sizeof(ctx));
    assert_true(nt_ok(smb2_negctx_set_encode(&cw, &s, &count)));
    assert_int_equal(count, 2);
    struct smb2_negotiate_req in = {
        .dialect_count = 3,
        .security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED,
        .capabilities = SMB2_GLOBAL_CAP_ENCRYPTION,
        .negotiate_context_count = count,
        .dialects = {0x0300, 0x0302, 0x0311},
        .negotiate_context_list = ctx,
        .negotiate_context_list_len = wr_pos(&cw),
    };
    uint8_t buf[256];
    size_t len = encode_req(buf, sizeof(buf), &in);
    /* 100 + 6 = 106, padded to 112 */
    assert_memory_equal(buf + 92, "\x70\x00\x00\x00\x02\x00\x00\x00", 8);
    assert_memory_equal(buf + 106, "\0\0", 2);
    assert_int_equal(len, 112 + wr_pos(&cw));
    struct smb2_negotiate_req out;
    assert_true(nt_ok(smb2_negotiate_req_decode(buf, len, &out)));
    assert_int_equal(out.negotiate_context_list_len, in.negotiate_context_list_len);
    assert_memory_equal(out.negotiate_context_list, ctx, wr_pos(&cw));
    assert_ptr_equal(out.negotiate_context_list, buf + 112);
    req_equal(&in, &out);
    for (size_t n = 0; n < len; n++)
        assert_int_equal(req_decode_exact(buf, n), INVALID);
}

static void test_roundtrip_rsp_smb3(void **state)
{
    (void)state;
    static const uint8_t blob[5] = {0x60, 1, 2, 3, 4};
    struct smb2_negotiate_rsp in = {
        .security_mode = 3,
        .dialect_revision = SMB2_DIALECT_0302,
        .capabilities = 0x7f,
        .max_transact_size = 1u << 20,
        .max_read_size = 1u << 21,
        .max_write_size = 1u << 22,
        .system_time = 0x01D0AECBADE5DAD8ULL,
        .server_start_time = 1,
        .security_buffer = blob,
        .security_buffer_length = 5,
    };
    memset(in.server_guid, 0x5a, 16);
    uint8_t buf[256];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_negotiate_rsp_encode(&w, &in)));
    size_t len = wr_pos(&w);
    assert_int_equal(len, 128 + 5);
    assert_memory_equal(buf + 64 + 56, "\x80\x00\x05\x00\x00\x00\x00\x00", 8);
    struct smb2_negotiate_rsp out;
    assert_true(nt_ok(smb2_negotiate_rsp_decode(buf, len, &out)));
    assert_ptr_equal(out.security_buffer, buf + 128);
    rsp_equal(&in, &out);
    for (size_t n = 0; n < len; n++)
        assert_int_equal(rsp_decode_exact(buf, n), INVALID);

    /* empty security buffer: one pad byte, offset 128 length 0 decodes */
    in.security_buffer = NULL;
    in.security_buffer_length = 0;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, SMB2_HDR_SIZE);
    assert_true(nt_ok(smb2_negotiate_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), 129);
    assert_true(nt_ok(smb2_negotiate_rsp_decode(buf, 129, &out)));
    rsp_equal(&in, &out);
}

static void test_truncated_windows(void **state)
{
    (void)state;
    for (size_t n = 0; n < sizeof(win_neg_req); n++)
        assert_int_equal(req_decode_exact(win_neg_req, n), INVALID);
    for (size_t n = 0; n < sizeof(win_neg_rsp); n++)
        assert_int_equal(rsp_decode_exact(win_neg_rsp, n), INVALID);
    assert_int_equal(req_decode_exact(win_neg_req, sizeof(win_neg_req)), 0);
    assert_int_equal(rsp_decode_exact(win_neg_rsp, sizeof(win_neg_rsp)), 0);
}

/* Copy a Windows message, patch a little-endian field, expect rejection. */
static void patch_req(size_t at, uint32_t v, unsigned width)
{
    uint8_t m[sizeof(win_neg_req)];
    memcpy(m, win_neg_req, sizeof(m));
    for (unsigned i = 0; i < width; i++)
        m[at + i] = (uint8_t)(v >> (8 * i));
    if (req_decode_exact(m, sizeof(m)) != INVALID)
        fail_msg("request patched at %zu with 0x%x decoded", at, v);
}

static void patch_rsp(size_t at, uint32_t v, unsigned width)
{
    uint8_t m[sizeof(win_neg_rsp)];
    memcpy(m, win_neg_rsp, sizeof(m));
    for (unsigned i = 0; i < width; i++)
        m[at + i] = (uint8_t)(v >> (8 * i));
    if (rsp_decode_exact(m, sizeof(m)) != INVALID)
        fail_msg("response patched at %zu with 0x%x decoded", at, v);
}

static void test_malformed_req(void **state)
{
    (void)state;
    patch_req(64, 37, 2);   /* StructureSize */
    patch_req(64, 0, 2);    /* StructureSize */
    patch_req(66, 0, 2);    /* DialectCount 0 */
    patch_req(66, 17, 2);   /* above SMB2_NEGOTIATE_MAX_DIALECTS */
    patch_req(92, 0x74, 4); /* context offset unaligned */
    patch_req(92, 0x68, 4); /* context offset inside the dialects */
    patch_req(92, 0x40, 4); /* context offset inside the fixed part */
    patch_req(92, 0, 4);    /* context offset 0 with count 2 */
    patch_req(92, 0xB0, 4); /* context offset at the end */
    patch_req(92, 0x1000, 4);
    patch_req(96, 3, 2);     /* more contexts than present */
    patch_req(114, 0x29, 2); /* first context DataLength runs into the next */
    patch_req(114, 0xFFFF, 2);
}

static void test_malformed_rsp(void **state)
{
    (void)state;
    patch_rsp(64, 64, 2);   /* StructureSize */
    patch_rsp(120, 127, 2); /* security buffer inside the fixed part */
    patch_rsp(120, 0, 2);   /* offset 0 with a length */
    patch_rsp(120, 500, 2); /* runs past the end */
    patch_rsp(122, 0xFFFF, 2);
    patch_rsp(122, 321, 2); /* overlaps the context list */
    patch_rsp(124, 440, 4); /* contexts inside the security buffer */
    patch_rsp(124, 452, 4); /* unaligned */
    patch_rsp(124, 512, 4); /* past the end */
    patch_rsp(70, 3, 2);    /* context count above what is there */
    /* a 3.0.2 response ignores the context fields */
    uint8_t m[sizeof(win_neg_rsp)];
    struct smb2_negotiate_rsp p;
    memcpy(m, win_neg_rsp, sizeof(m));
    m[66 + 2] = 0x02;
    m[66 + 3] = 0x03;
    assert_true(nt_ok(smb2_negotiate_rsp_decode(m, sizeof(m), &p)));
    assert_int_equal(p.negotiate_context_count, 0);
    assert_null(p.negotiate_context_list);
}

static void test_encode_errors(void **state)
{
    (void)state;
    uint8_t buf[200];
    struct wr w;
    struct smb2_negotiate_req q = {.dialect_count = 0};
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_int_equal(smb2_negotiate_req_encode(&w, &q).code, INVALID);
    q.dialect_count = 1;
    q.dialects[0] = 0x0311;
    q.negotiate_context_count = 1; /* but no list */
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_int_equal(smb2_negotiate_req_encode(&w, &q).code, INVALID);
    struct smb2_negotiate_rsp p = {.dialect_revision = 0x0202, .security_buffer_length = 4};
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_int_equal(smb2_negotiate_rsp_encode(&w, &p).code, INVALID);
    p.security_buffer_length = 0;
    wr_init(&w, buf, 100);
    wr_zero(&w, 64);
    assert_int_equal(smb2_negotiate_rsp_encode(&w, &p).code, STATUS_BUFFER_TOO_SMALL_CODE);
}

/* ---- SMB1 multi-protocol negotiate ---- */

static size_t smb1_neg(uint8_t *buf, size_t cap, uint8_t cmd, const char *const *dialects)
{
    struct wr w;
    wr_init(&w, buf, cap);
    wr_bytes(&w, "\xffSMB", 4);
    wr_u8(&w, cmd);
    wr_zero(&w, 27);
    wr_u8(&w, 0); /* WordCount */
    size_t bc_at = wr_pos(&w);
    wr_u16(&w, 0);
    for (size_t i = 0; dialects[i]; i++) {
        wr_u8(&w, 0x02);
        wr_bytes(&w, dialects[i], strlen(dialects[i]) + 1);
    }
    wr_u16_at(&w, bc_at, (uint16_t)(wr_pos(&w) - bc_at - 2));
    assert_true(wr_ok(&w));
    return wr_pos(&w);
}

static uint16_t smb1_exact(const uint8_t *src, size_t n)
{
    uint8_t *c = dup_exact(src, n);
    uint16_t v = smb1_negotiate_smb2_dialect(c, n);
    free(c);
    return v;
}

static void test_smb1_negotiate(void **state)
{
    (void)state;
    static const char *const win7[] = {"NT LM 0.12", "SMB 2.002", "SMB 2.???", NULL};
    static const char *const vista[] = {"PC NETWORK PROGRAM 1.0", "NT LM 0.12", "SMB 2.002", NULL};
    static const char *const wild_first[] = {"SMB 2.???", "SMB 2.002", NULL};
    static const char *const old[] = {"NT LM 0.12", "SMB 2.0022", "SMB 2.00", NULL};
    uint8_t buf[256];
    size_t len = smb1_neg(buf, sizeof(buf), 0x72, win7);
    assert_int_equal(smb1_exact(buf, len), SMB2_DIALECT_WILDCARD);
    assert_true(smb1_negotiate_has_smb2(buf, len));
    for (size_t n = 0; n < len; n++)
        assert_int_equal(smb1_exact(buf, n), 0);
    len = smb1_neg(buf, sizeof(buf), 0x72, vista);
    assert_int_equal(smb1_exact(buf, len), SMB2_DIALECT_0202);
    len = smb1_neg(buf, sizeof(buf), 0x72, wild_first);
    assert_int_equal(smb1_exact(buf, len), SMB2_DIALECT_WILDCARD);
    len = smb1_neg(buf, sizeof(buf), 0x72, old);
    assert_int_equal(smb1_exact(buf, len), 0);
    assert_false(smb1_negotiate_has_smb2(buf, len));
    /* not a NEGOTIATE (SESSION_SETUP_ANDX 0x73) */
    len = smb1_neg(buf, sizeof(buf), 0x73, win7);
    assert_int_equal(smb1_exact(buf, len), 0);
    /* ByteCount past the end */
    len = smb1_neg(buf, sizeof(buf), 0x72, win7);
    buf[33] = (uint8_t)(buf[33] + 1);
    assert_int_equal(smb1_exact(buf, len), 0);
    /* last string not NUL-terminated within ByteCount */
    len = smb1_neg(buf, sizeof(buf), 0x72, win7);
    buf[33] = (uint8_t)(buf[33] - 1);
    assert_int_equal(smb1_exact(buf, len), 0);
    /* a dialect without the 0x02 BufferFormat */
    len = smb1_neg(buf, sizeof(buf), 0x72, win7);
    buf[35] = 0x03;
    assert_int_equal(smb1_exact(buf, len), 0);
    /* an SMB2 header is not an SMB1 negotiate */
    assert_int_equal(smb1_exact(win_neg_req, sizeof(win_neg_req)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_windows_req), cmocka_unit_test(test_decode_windows_rsp),
        cmocka_unit_test(test_reencode_windows),   cmocka_unit_test(test_roundtrip_req_smb2),
        cmocka_unit_test(test_roundtrip_req_311),  cmocka_unit_test(test_roundtrip_rsp_smb3),
        cmocka_unit_test(test_truncated_windows),  cmocka_unit_test(test_malformed_req),
        cmocka_unit_test(test_malformed_rsp),      cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_smb1_negotiate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
