/* Create-context chains: [MS-SMB2] 2.2.13.2 / 2.2.14.2. */
#include "base/endian.h"
#include "wire/create_ctx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const uint8_t guid_name[16] = {0x45, 0xbc, 0xa6, 0x6a, 0xef, 0xa7, 0xf7, 0x4a,
                                      0x94, 0x19, 0xd8, 0x30, 0x3d, 0x3b, 0x9c, 0x7e};
static const uint8_t guid_data[20] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                      11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

/* Encode MxAc (no data), RqLs v2 and an unknown GUID-named context. */
static size_t build_chain(uint8_t *buf, size_t cap, struct smb2_create_ctx ctxs[3],
                          uint8_t lease[SMB2_CTX_LEASE_V2_SIZE])
{
    struct smb2_ctx_lease l = {.version = 2,
                               .lease_state = SMB2_LEASE_READ | SMB2_LEASE_HANDLE,
                               .lease_flags = SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET,
                               .lease_duration = 0,
                               .epoch = 7};
    memset(l.lease_key, 0xAB, 16);
    memset(l.parent_lease_key, 0xCD, 16);
    size_t ln = smb2_ctx_lease_pack(lease, &l);
    assert_int_equal(ln, SMB2_CTX_LEASE_V2_SIZE);
    ctxs[0] = (struct smb2_create_ctx){(const uint8_t *)"MxAc", 4, NULL, 0};
    ctxs[1] = (struct smb2_create_ctx){(const uint8_t *)"RqLs", 4, lease, (uint32_t)ln};
    ctxs[2] = (struct smb2_create_ctx){guid_name, 16, guid_data, sizeof(guid_data)};
    struct wr w;
    wr_init(&w, buf, cap);
    assert_true(nt_ok(smb2_create_ctx_chain_encode(&w, ctxs, 3)));
    return wr_pos(&w);
}

/* Validate a heap copy of exactly n bytes so ASan catches any overread. */
static ntstatus_t validate_exact(const uint8_t *chain, size_t n, unsigned *count)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, chain, n);
    ntstatus_t st = smb2_create_ctx_validate(copy, n, count);
    free(copy);
    return st;
}

static void test_chain_round_trip(void **state)
{
    (void)state;
    uint8_t buf[256], lease[SMB2_CTX_LEASE_V2_SIZE];
    struct smb2_create_ctx in[3], c;
    size_t len = build_chain(buf, sizeof(buf), in, lease);
    /* element 0: 16 + 4 name, padded to 24 */
    assert_int_equal(le32_get(buf), 24);
    assert_int_equal(le32_get(buf + 24), 80); /* 16 + 4 -> 24, + 52 = 76 -> 80 */
    struct smb2_create_ctx_iter it;
    smb2_create_ctx_iter_init(&it, buf, len);
    for (int i = 0; i < 3; i++) {
        assert_true(smb2_create_ctx_next(&it, &c));
        assert_int_equal(c.name_len, in[i].name_len);
        assert_memory_equal(c.name, in[i].name, c.name_len);
        assert_int_equal(c.data_len, in[i].data_len);
        if (c.data_len)
            assert_memory_equal(c.data, in[i].data, c.data_len);
        else
            assert_null(c.data);
        /* every element starts 8-byte aligned */
        assert_int_equal((size_t)(c.name - 16 - buf) % 8, 0);
    }
    assert_false(smb2_create_ctx_next(&it, &c));
    assert_true(nt_ok(smb2_create_ctx_iter_status(&it)));
    assert_int_equal(it.count, 3);
    assert_true(smb2_create_ctx_is(&in[0], SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST));
    assert_false(smb2_create_ctx_is(&in[2], SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST));
}

static void test_chain_lease_payload(void **state)
{
    (void)state;
    uint8_t buf[256], lease[SMB2_CTX_LEASE_V2_SIZE];
    struct smb2_create_ctx in[3], c;
    size_t len = build_chain(buf, sizeof(buf), in, lease);
    assert_true(nt_ok(smb2_create_ctx_find(buf, len, "RqLs", 4, &c)));
    struct smb2_ctx_lease l;
    assert_true(nt_ok(smb2_ctx_lease_decode(&c, &l)));
    assert_int_equal(l.version, 2);
    assert_int_equal(l.lease_state, SMB2_LEASE_READ | SMB2_LEASE_HANDLE);
    assert_int_equal(l.lease_flags, SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET);
    assert_int_equal(l.epoch, 7);
    assert_int_equal(l.lease_key[15], 0xAB);
    assert_int_equal(l.parent_lease_key[0], 0xCD);
    assert_true(nt_eq(smb2_create_ctx_find(buf, len, "DH2Q", 4, &c), STATUS_NOT_FOUND));
    assert_true(nt_ok(smb2_create_ctx_find(buf, len, (const char *)guid_name, 16, &c)));
    assert_int_equal(c.data_len, sizeof(guid_data));
}

static void test_chain_truncations(void **state)
{
    (void)state;
    uint8_t buf[256], lease[SMB2_CTX_LEASE_V2_SIZE];
    struct smb2_create_ctx in[3];
    size_t len = build_chain(buf, sizeof(buf), in, lease);
    unsigned count = 99;
    assert_true(nt_ok(validate_exact(buf, len, &count)));
    assert_int_equal(count, 3);
    assert_true(nt_ok(validate_exact(buf, 0, &count)));
    assert_int_equal(count, 0);
    for (size_t n = 1; n < len; n++)
        assert_true(nt_eq(validate_exact(buf, n, NULL), STATUS_INVALID_PARAMETER));
}

static void expect_bad(const uint8_t *buf, size_t len)
{
    assert_true(nt_eq(validate_exact(buf, len, NULL), STATUS_INVALID_PARAMETER));
}

static void test_chain_bad_next(void **state)
{
    (void)state;
    uint8_t buf[256], bad[256], lease[SMB2_CTX_LEASE_V2_SIZE];
    struct smb2_create_ctx in[3];
    size_t len = build_chain(buf, sizeof(buf), in, lease);
    const uint32_t nexts[] = {
        4, 8, 12, 20, 25, (uint32_t)len, (uint32_t)len - 8, (uint32_t)(len & ~7u) + 8, 0xFFFFFFF8u};
    for (size_t i = 0; i < sizeof(nexts) / sizeof(nexts[0]); i++) {
        memcpy(bad, buf, len);
        le32_put(bad, nexts[i]);
        expect_bad(bad, len);
    }
    /* Next 0 on the first element: it then runs to the end, and its data
     * still fits, so the chain is one (long) element. */
    memcpy(bad, buf, len);
    le32_put(bad, 0);
    unsigned count = 0;
    assert_true(nt_ok(validate_exact(bad, len, &count)));
    assert_int_equal(count, 1);
}

static void test_chain_bad_regions(void **state)
{
    (void)state;
    uint8_t buf[256], bad[256], lease[SMB2_CTX_LEASE_V2_SIZE];
    struct smb2_create_ctx in[3];
    size_t len = build_chain(buf, sizeof(buf), in, lease);
    size_t e1 = le32_get(buf); /* second element (RqLs, data at 24) */
    struct {
        size_t off;
        unsigned width;
        uint32_t v;
    } cases[] = {
        {4, 2, 8},        /* NameOffset inside the fixed part */
        {4, 2, 22},       /* name leaves element 0 (24 bytes) */
        {6, 2, 0},        /* NameLength 0 */
        {e1 + 10, 2, 8},  /* DataOffset inside the fixed part */
        {e1 + 10, 2, 16}, /* data overlaps the name */
        {e1 + 12, 4, 57}, /* data leaves element 1 (80 bytes) */
        {e1 + 12, 4, 0xFFFFFFFFu},
        {e1 + 10, 2, 0xFFF8}, /* data offset past the element */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(bad, buf, len);
        if (cases[i].width == 2)
            le16_put(bad + cases[i].off, (uint16_t)cases[i].v);
        else
            le32_put(bad + cases[i].off, cases[i].v);
        expect_bad(bad, len);
    }
    /* A bare 15-byte chain cannot hold an element. */
    expect_bad(buf, 15);
}

static void test_chain_encode_errors(void **state)
{
    (void)state;
    uint8_t buf[256], lease[SMB2_CTX_LEASE_V2_SIZE];
    struct smb2_create_ctx in[3];
    size_t len = build_chain(buf, sizeof(buf), in, lease);
    for (size_t cap = 0; cap < len; cap++) {
        struct wr w;
        wr_init(&w, buf, cap);
        assert_true(nt_eq(smb2_create_ctx_chain_encode(&w, in, 3), STATUS_BUFFER_TOO_SMALL));
    }
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    wr_u8(&w, 0);
    assert_true(nt_eq(smb2_create_ctx_chain_encode(&w, in, 1), STATUS_INTERNAL_ERROR));
    struct smb2_create_ctx noname = {NULL, 0, NULL, 0};
    wr_init(&w, buf, sizeof(buf));
    assert_true(nt_eq(smb2_create_ctx_chain_encode(&w, &noname, 1), STATUS_INVALID_PARAMETER));
    wr_init(&w, buf, sizeof(buf));
    assert_true(nt_ok(smb2_create_ctx_chain_encode(&w, in, 0)));
    assert_int_equal(wr_pos(&w), 0);
}

static void test_payloads(void **state)
{
    (void)state;
    uint8_t b[64];
    struct smb2_create_ctx c = {(const uint8_t *)"MxAc", 4, NULL, 0};
    struct smb2_ctx_mxac_req mq;
    assert_true(nt_ok(smb2_ctx_mxac_req_decode(&c, &mq)));
    assert_false(mq.has_timestamp);
    smb2_ctx_u64_pack(b, 0x01D9000011112222ull);
    c.data = b, c.data_len = 8;
    assert_true(nt_ok(smb2_ctx_mxac_req_decode(&c, &mq)));
    assert_true(mq.has_timestamp);
    assert_int_equal(mq.timestamp, 0x01D9000011112222ull);
    c.data_len = 4;
    assert_true(nt_eq(smb2_ctx_mxac_req_decode(&c, &mq), STATUS_INVALID_PARAMETER));

    struct smb2_ctx_mxac_rsp mr = {0, 0x001F01FF}, mr2;
    smb2_ctx_mxac_rsp_pack(b, &mr);
    c.data_len = SMB2_CTX_MXAC_RSP_SIZE;
    assert_true(nt_ok(smb2_ctx_mxac_rsp_decode(&c, &mr2)));
    assert_int_equal(mr2.query_status, 0);
    assert_int_equal(mr2.maximal_access, 0x001F01FF);
    c.data_len = 7;
    assert_false(nt_ok(smb2_ctx_mxac_rsp_decode(&c, &mr2)));

    struct smb2_ctx_qfid_rsp q = {0x1122334455667788ull, 0x99AABBCCDDEEFF00ull}, q2;
    smb2_ctx_qfid_rsp_pack(b, &q);
    c.data_len = SMB2_CTX_QFID_RSP_SIZE;
    assert_true(nt_ok(smb2_ctx_qfid_rsp_decode(&c, &q2)));
    assert_int_equal(q2.disk_file_id, q.disk_file_id);
    assert_int_equal(q2.volume_id, q.volume_id);
    c.data_len = 16;
    assert_false(nt_ok(smb2_ctx_qfid_rsp_decode(&c, &q2)));

    uint64_t v = 0;
    smb2_ctx_u64_pack(b, 1u << 20);
    c.data_len = 8;
    assert_true(nt_ok(smb2_ctx_alsi_decode(&c, &v)));
    assert_int_equal(v, 1u << 20);
    assert_true(nt_ok(smb2_ctx_twrp_decode(&c, &v)));
    c.data_len = 9;
    assert_false(nt_ok(smb2_ctx_alsi_decode(&c, &v)));
    assert_false(nt_ok(smb2_ctx_twrp_decode(&c, &v)));
}

static void test_lease_v1_dh2q(void **state)
{
    (void)state;
    uint8_t b[SMB2_CTX_LEASE_V2_SIZE];
    struct smb2_ctx_lease l = {.version = 1, .lease_state = SMB2_LEASE_WRITE}, l2;
    memset(l.lease_key, 0x11, 16);
    size_t n = smb2_ctx_lease_pack(b, &l);
    assert_int_equal(n, SMB2_CTX_LEASE_V1_SIZE);
    struct smb2_create_ctx c = {(const uint8_t *)"RqLs", 4, b, (uint32_t)n};
    assert_true(nt_ok(smb2_ctx_lease_decode(&c, &l2)));
    assert_int_equal(l2.version, 1);
    assert_int_equal(l2.lease_state, SMB2_LEASE_WRITE);
    assert_memory_equal(l2.lease_key, l.lease_key, 16);
    c.data_len = 40;
    assert_false(nt_ok(smb2_ctx_lease_decode(&c, &l2)));

    uint8_t d[SMB2_CTX_DH2Q_SIZE];
    struct smb2_ctx_dh2q h = {.timeout = 60000, .flags = SMB2_DHANDLE_FLAG_PERSISTENT}, h2;
    memset(h.create_guid, 0x5A, 16);
    smb2_ctx_dh2q_pack(d, &h);
    c = (struct smb2_create_ctx){(const uint8_t *)"DH2Q", 4, d, SMB2_CTX_DH2Q_SIZE};
    assert_true(nt_ok(smb2_ctx_dh2q_decode(&c, &h2)));
    assert_int_equal(h2.timeout, 60000);
    assert_int_equal(h2.flags, SMB2_DHANDLE_FLAG_PERSISTENT);
    assert_memory_equal(h2.create_guid, h.create_guid, 16);
    c.data_len = 16;
    assert_false(nt_ok(smb2_ctx_dh2q_decode(&c, &h2)));
}

/* 2.2.13.2.3/4, 2.2.13.2.12, 2.2.14.2.3, 2.2.14.2.12: the durable handle
 * payloads, their exact sizes and byte layout. */
static void test_durable_payloads(void **state)
{
    (void)state;
    uint8_t q[SMB2_CTX_DHNQ_SIZE] = {0xFF};
    struct smb2_create_ctx c = {(const uint8_t *)"DHnQ", 4, q, sizeof q};
    assert_true(nt_ok(smb2_ctx_dhnq_decode(&c))); /* reserved bytes: any value */
    c.data_len = 0;
    assert_false(nt_ok(smb2_ctx_dhnq_decode(&c)));
    c.data_len = 15;
    assert_false(nt_ok(smb2_ctx_dhnq_decode(&c)));
    uint8_t r[SMB2_CTX_DHNQ_RSP_SIZE];
    memset(r, 0xEE, sizeof r);
    smb2_ctx_dhnq_rsp_pack(r);
    static const uint8_t zero[8];
    assert_memory_equal(r, zero, 8);

    uint8_t b[SMB2_CTX_DH2C_SIZE];
    struct smb2_ctx_dhnc n = {.persistent = 0x0102030405060708ull, .volatile_id = 0x1112}, n2;
    smb2_ctx_dhnc_pack(b, &n);
    assert_int_equal(b[0], 0x08); /* little-endian Persistent first */
    assert_int_equal(le64_get(b + 8), 0x1112);
    c = (struct smb2_create_ctx){(const uint8_t *)"DHnC", 4, b, SMB2_CTX_DHNC_SIZE};
    assert_true(nt_ok(smb2_ctx_dhnc_decode(&c, &n2)));
    assert_int_equal(n2.persistent, n.persistent);
    assert_int_equal(n2.volatile_id, n.volatile_id);
    c.data_len = 17;
    assert_false(nt_ok(smb2_ctx_dhnc_decode(&c, &n2)));

    struct smb2_ctx_dh2c v = {.persistent = 7, .volatile_id = 9, .flags = 2}, v2;
    memset(v.create_guid, 0x3C, 16);
    smb2_ctx_dh2c_pack(b, &v);
    assert_int_equal(le32_get(b + 32), 2);
    assert_int_equal(b[16], 0x3C);
    c = (struct smb2_create_ctx){(const uint8_t *)"DH2C", 4, b, SMB2_CTX_DH2C_SIZE};
    assert_true(nt_ok(smb2_ctx_dh2c_decode(&c, &v2)));
    assert_int_equal(v2.persistent, 7);
    assert_int_equal(v2.volatile_id, 9);
    assert_int_equal(v2.flags, 2);
    assert_memory_equal(v2.create_guid, v.create_guid, 16);
    c.data_len = 32;
    assert_false(nt_ok(smb2_ctx_dh2c_decode(&c, &v2)));

    struct smb2_ctx_dh2q_rsp t = {.timeout = 300000, .flags = 0}, t2;
    smb2_ctx_dh2q_rsp_pack(r, &t);
    assert_int_equal(le32_get(r), 300000);
    assert_int_equal(le32_get(r + 4), 0);
    c = (struct smb2_create_ctx){(const uint8_t *)"DH2Q", 4, r, SMB2_CTX_DH2Q_RSP_SIZE};
    assert_true(nt_ok(smb2_ctx_dh2q_rsp_decode(&c, &t2)));
    assert_int_equal(t2.timeout, 300000);
    c.data_len = SMB2_CTX_DH2Q_SIZE;
    assert_false(nt_ok(smb2_ctx_dh2q_rsp_decode(&c, &t2)));

    uint8_t app[SMB2_CTX_APP_INSTANCE_ID_SIZE], id[16] = {0x99, 1}, id2[16];
    smb2_ctx_app_instance_id_pack(app, id);
    assert_int_equal(le16_get(app), 20);
    c = (struct smb2_create_ctx){(const uint8_t *)SMB2_CREATE_APP_INSTANCE_ID,
                                 SMB2_CREATE_APP_INSTANCE_ID_LEN, app, sizeof app};
    assert_true(nt_ok(smb2_ctx_app_instance_id_decode(&c, id2)));
    assert_memory_equal(id, id2, 16);
    app[0] = 24; /* StructureSize must say 20 */
    assert_false(nt_ok(smb2_ctx_app_instance_id_decode(&c, id2)));
    c.data_len = 16;
    assert_false(nt_ok(smb2_ctx_app_instance_id_decode(&c, id2)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_round_trip),  cmocka_unit_test(test_chain_lease_payload),
        cmocka_unit_test(test_chain_truncations), cmocka_unit_test(test_chain_bad_next),
        cmocka_unit_test(test_chain_bad_regions), cmocka_unit_test(test_chain_encode_errors),
        cmocka_unit_test(test_payloads),          cmocka_unit_test(test_lease_v1_dh2q),
        cmocka_unit_test(test_durable_payloads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
