/* [MS-SMB2] 2.2.9, 2.2.10 TREE_CONNECT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire/tree_connect.h"

#define INVALID STATUS_INVALID_PARAMETER_CODE

/* "\\srv\share" in UTF-16LE */
static const uint8_t path[] = {'\\', 0,   '\\', 0,   's', 0,   'r', 0,   'v', 0,   '\\',
                               0,    's', 0,    'h', 0,   'a', 0,   'r', 0,   'e', 0};

static uint32_t req_exact(const uint8_t *src, size_t n, struct smb2_tree_connect_req *out)
{
    uint8_t *c = malloc(n ? n : 1);
    assert_non_null(c);
    memcpy(c, src, n);
    ntstatus_t st = smb2_tree_connect_req_decode(c, n, out);
    free(c);
    return st.code;
}

static size_t build_req(uint8_t *buf, size_t cap, uint16_t flags)
{
    struct smb2_tree_connect_req in = {.flags = flags, .path = path, .path_length = sizeof(path)};
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, 64);
    assert_true(nt_ok(smb2_tree_connect_req_encode(&w, &in)));
    return wr_pos(&w);
}

static void test_req_roundtrip(void **state)
{
    (void)state;
    uint8_t buf[128];
    size_t len = build_req(buf, sizeof(buf), SMB2_TREE_CONNECT_FLAG_CLUSTER_RECONNECT);
    assert_int_equal(len, 72 + sizeof(path));
    assert_memory_equal(buf + 64, "\x09\x00\x01\x00\x48\x00\x16\x00\\\x00", 10);
    struct smb2_tree_connect_req out;
    assert_int_equal(req_exact(buf, len, &out), 0);
    assert_int_equal(out.flags, SMB2_TREE_CONNECT_FLAG_CLUSTER_RECONNECT);
    assert_int_equal(out.path_length, sizeof(path));
    assert_memory_equal(out.path, path, sizeof(path));
    assert_true(nt_ok(smb2_tree_connect_req_decode(buf, len, &out)));
    assert_ptr_equal(out.path, buf + 72);
    for (size_t n = 0; n < len; n++)
        assert_int_equal(req_exact(buf, n, &out), INVALID);
}

static void patch(size_t at, uint16_t v, uint32_t expect)
{
    uint8_t buf[128];
    size_t len = build_req(buf, sizeof(buf), 0);
    buf[at] = (uint8_t)v;
    buf[at + 1] = (uint8_t)(v >> 8);
    struct smb2_tree_connect_req out;
    uint32_t got = req_exact(buf, len, &out);
    if (got != expect)
        fail_msg("patch at %zu = 0x%x: 0x%x, wanted 0x%x", at, v, got, expect);
}

static void test_req_malformed(void **state)
{
    (void)state;
    patch(64, 8, INVALID);    /* StructureSize */
    patch(64, 16, INVALID);   /* the response's */
    patch(68, 0, INVALID);    /* offset 0 with a length */
    patch(68, 0x40, INVALID); /* into the header */
    patch(68, 0x47, INVALID); /* into the fixed part */
    patch(68, 0x4a, INVALID); /* runs past the end */
    patch(70, 0x17, INVALID); /* odd UTF-16 length */
    patch(70, 0x18, INVALID); /* past the end */
    patch(70, 0xFFFE, INVALID);
    patch(70, 0x14, 0); /* shorter is fine */
    patch(70, 0, 0);    /* empty path: the handler's call, not the codec's */
    patch(66, SMB2_TREE_CONNECT_FLAG_REDIRECT_TO_OWNER, 0);
}

static void test_req_extension(void **state)
{
    (void)state;
    uint8_t buf[128];
    size_t len = build_req(buf, sizeof(buf), 0);
    buf[66] = SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT;
    struct smb2_tree_connect_req out;
    assert_int_equal(req_exact(buf, len, &out), STATUS_NOT_SUPPORTED_CODE);
    assert_int_equal(out.flags, SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT);
    /* a malformed message with the flag is still INVALID_PARAMETER */
    buf[64] = 8;
    assert_int_equal(req_exact(buf, len, &out), INVALID);
    /* and we never send it */
    struct smb2_tree_connect_req in = {.flags = SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT,
                                       .path = path,
                                       .path_length = sizeof(path)};
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_int_equal(smb2_tree_connect_req_encode(&w, &in).code, STATUS_NOT_SUPPORTED_CODE);
}

static void test_req_encode_errors(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct wr w;
    struct smb2_tree_connect_req in = {.path = NULL, .path_length = 4};
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_int_equal(smb2_tree_connect_req_encode(&w, &in).code, INVALID);
    in.path = path;
    in.path_length = 3;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_int_equal(smb2_tree_connect_req_encode(&w, &in).code, INVALID);
    in.path_length = sizeof(path);
    wr_init(&w, buf, 80);
    wr_zero(&w, 64);
    assert_int_equal(smb2_tree_connect_req_encode(&w, &in).code, STATUS_BUFFER_TOO_SMALL_CODE);
}

static void test_rsp(void **state)
{
    (void)state;
    struct smb2_tree_connect_rsp in = {
        .share_type = SMB2_SHARE_TYPE_DISK,
        .share_flags = SMB2_SHAREFLAG_ENCRYPT_DATA | SMB2_SHAREFLAG_NO_CACHING,
        .capabilities = SMB2_SHARE_CAP_CONTINUOUS_AVAILABILITY,
        .maximal_access = 0x001F01FF,
    };
    struct smb2_tree_connect_rsp out;
    uint8_t buf[100];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_zero(&w, 64);
    assert_true(nt_ok(smb2_tree_connect_rsp_encode(&w, &in)));
    assert_int_equal(wr_pos(&w), 80);
    static const uint8_t body[16] = {0x10, 0, 1, 0, 0x30, 0x80, 0,    0,
                                     0x10, 0, 0, 0, 0xff, 0x01, 0x1f, 0};
    assert_memory_equal(buf + 64, body, 16);
    assert_true(nt_ok(smb2_tree_connect_rsp_decode(buf, 80, &out)));
    assert_int_equal(out.share_type, in.share_type);
    assert_int_equal(out.share_flags, in.share_flags);
    assert_int_equal(out.capabilities, in.capabilities);
    assert_int_equal(out.maximal_access, in.maximal_access);
    for (size_t n = 0; n < 80; n++) {
        uint8_t *c = malloc(n ? n : 1);
        assert_non_null(c);
        memcpy(c, buf, n);
        assert_int_equal(smb2_tree_connect_rsp_decode(c, n, &out).code, INVALID);
        free(c);
    }
    buf[64] = 9;
    assert_int_equal(smb2_tree_connect_rsp_decode(buf, 80, &out).code, INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req_roundtrip), cmocka_unit_test(test_req_malformed),
        cmocka_unit_test(test_req_extension), cmocka_unit_test(test_req_encode_errors),
        cmocka_unit_test(test_rsp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
