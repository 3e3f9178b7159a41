/* libFuzzer target: SMB2 CREATE request and response with the create-context
 * chain (lib/wire/create.h, create_ctx.h).
 *
 * Input: one message starting at the SMB2 header; both decoders run on it,
 * and the whole input is also walked as a bare context chain.
 * Oracles: a decoded message re-encodes and decodes to the same fields; a
 * walked chain rebuilt with smb2_create_ctx_chain_encode walks to the same
 * (name, data) pairs; the known context payloads decode, pack and decode to
 * the same values; smb2_create_ctx_find finds the first element of a name. */
#include "fuzz_smb2.h"
#include "wire/create.h"
#include "wire/create_ctx.h"

#include <stdbool.h>

#define MAX_CTX 64

static bool same_ctx(const struct smb2_create_ctx *a, const struct smb2_create_ctx *b)
{
    return fuzz_same_bytes(a->name, a->name_len, b->name, b->name_len) &&
           fuzz_same_bytes(a->data, a->data_len, b->data, b->data_len);
}

static void fuzz_payload(const struct smb2_create_ctx *c)
{
    struct smb2_ctx_mxac_req mq;
    if (nt_ok(smb2_ctx_mxac_req_decode(c, &mq)))
        FUZZ_CHECK(mq.has_timestamp == (c->data_len != 0));

    struct smb2_ctx_mxac_rsp mr;
    if (nt_ok(smb2_ctx_mxac_rsp_decode(c, &mr))) {
        uint8_t b[SMB2_CTX_MXAC_RSP_SIZE];
        smb2_ctx_mxac_rsp_pack(b, &mr);
        FUZZ_CHECK(fuzz_same_bytes(b, sizeof(b), c->data, c->data_len));
    }

    struct smb2_ctx_qfid_rsp q, q2;
    if (nt_ok(smb2_ctx_qfid_rsp_decode(c, &q))) {
        uint8_t b[SMB2_CTX_QFID_RSP_SIZE];
        smb2_ctx_qfid_rsp_pack(b, &q);
        struct smb2_create_ctx c2 = {c->name, c->name_len, b, sizeof(b)};
        FUZZ_CHECK_OK(smb2_ctx_qfid_rsp_decode(&c2, &q2));
        FUZZ_CHECK(q.disk_file_id == q2.disk_file_id && q.volume_id == q2.volume_id);
    }

    uint64_t v;
    if (nt_ok(smb2_ctx_alsi_decode(c, &v))) {
        uint8_t b[SMB2_CTX_U64_SIZE];
        smb2_ctx_u64_pack(b, v);
        FUZZ_CHECK(fuzz_same_bytes(b, sizeof(b), c->data, c->data_len));
        uint64_t t;
        FUZZ_CHECK_OK(smb2_ctx_twrp_decode(c, &t));
        FUZZ_CHECK(t == v);
    }

    struct smb2_ctx_lease l, l2;
    if (nt_ok(smb2_ctx_lease_decode(c, &l))) {
        FUZZ_CHECK(l.version == 1 || l.version == 2);
        uint8_t b[SMB2_CTX_LEASE_V2_SIZE];
        size_t n = smb2_ctx_lease_pack(b, &l);
        FUZZ_CHECK(n == c->data_len);
        struct smb2_create_ctx c2 = {c->name, c->name_len, b, (uint32_t)n};
        FUZZ_CHECK_OK(smb2_ctx_lease_decode(&c2, &l2));
        FUZZ_CHECK(memcmp(&l, &l2, sizeof(l)) == 0); /* both memset before filling */
        /* Everything but the v2 Reserved field is kept. */
        FUZZ_CHECK(memcmp(b, c->data, l.version == 2 ? n - 2 : n) == 0);
    }

    struct smb2_ctx_dh2q d, d2;
    if (nt_ok(smb2_ctx_dh2q_decode(c, &d))) {
        uint8_t b[SMB2_CTX_DH2Q_SIZE];
        smb2_ctx_dh2q_pack(b, &d);
        struct smb2_create_ctx c2 = {c->name, c->name_len, b, sizeof(b)};
        FUZZ_CHECK_OK(smb2_ctx_dh2q_decode(&c2, &d2));
        FUZZ_CHECK(d.timeout == d2.timeout && d.flags == d2.flags &&
                   memcmp(d.create_guid, d2.create_guid, 16) == 0);
    }

    if (nt_ok(smb2_ctx_dhnq_decode(c)))
        FUZZ_CHECK(c->data_len == SMB2_CTX_DHNQ_SIZE);

    struct smb2_ctx_dhnc n;
    if (nt_ok(smb2_ctx_dhnc_decode(c, &n))) {
        uint8_t b[SMB2_CTX_DHNC_SIZE];
        smb2_ctx_dhnc_pack(b, &n);
        FUZZ_CHECK(fuzz_same_bytes(b, sizeof(b), c->data, c->data_len));
    }

    struct smb2_ctx_dh2c dc;
    if (nt_ok(smb2_ctx_dh2c_decode(c, &dc))) {
        uint8_t b[SMB2_CTX_DH2C_SIZE];
        smb2_ctx_dh2c_pack(b, &dc);
        FUZZ_CHECK(fuzz_same_bytes(b, sizeof(b), c->data, c->data_len));
    }

    uint8_t app_id[16];
    if (nt_ok(smb2_ctx_app_instance_id_decode(c, app_id))) {
        uint8_t b[SMB2_CTX_APP_INSTANCE_ID_SIZE];
        smb2_ctx_app_instance_id_pack(b, app_id);
        FUZZ_CHECK(memcmp(b + 4, c->data + 4, 16) == 0 && memcmp(b, c->data, 2) == 0);
    }

    struct smb2_ctx_dh2q_rsp t;
    if (nt_ok(smb2_ctx_dh2q_rsp_decode(c, &t))) {
        uint8_t b[SMB2_CTX_DH2Q_RSP_SIZE];
        smb2_ctx_dh2q_rsp_pack(b, &t);
        FUZZ_CHECK(fuzz_same_bytes(b, sizeof(b), c->data, c->data_len));
    }
}

/* Walk a chain; when it is well formed, rebuild it and compare. */
static void fuzz_chain(const uint8_t *chain, size_t len, bool must_be_valid)
{
    struct smb2_create_ctx_iter it;
    struct smb2_create_ctx *c = calloc(MAX_CTX, sizeof(*c));
    if (c == NULL)
        abort();
    size_t n = 0;
    struct smb2_create_ctx e;
    smb2_create_ctx_iter_init(&it, chain, len);
    while (smb2_create_ctx_next(&it, &e)) {
        FUZZ_CHECK(e.name_len > 0);
        FUZZ_WITHIN(e.name, e.name_len, chain, len);
        FUZZ_WITHIN(e.data, e.data_len, chain, len);
        fuzz_consume(e.name, e.name_len);
        fuzz_consume(e.data, e.data_len);
        fuzz_payload(&e);
        (void)smb2_create_ctx_is(&e, SMB2_CREATE_REQUEST_LEASE);
        if (n < MAX_CTX)
            c[n] = e;
        n++;
    }
    ntstatus_t st = smb2_create_ctx_iter_status(&it);
    unsigned count = 0;
    ntstatus_t vst = smb2_create_ctx_validate(chain, len, &count);
    FUZZ_CHECK(nt_ok(st) == nt_ok(vst));
    if (must_be_valid)
        FUZZ_CHECK_OK(st);
    if (!nt_ok(st) || n > MAX_CTX) {
        free(c);
        return;
    }
    FUZZ_CHECK(count == n);

    for (size_t i = 0; i < n; i++) {
        struct smb2_create_ctx f;
        FUZZ_CHECK_OK(smb2_create_ctx_find(chain, len, (const char *)c[i].name, c[i].name_len, &f));
        size_t first = 0;
        while (!fuzz_same_bytes(c[first].name, c[first].name_len, c[i].name, c[i].name_len))
            first++;
        FUZZ_CHECK(f.name == c[first].name && f.data_len == c[first].data_len);
    }

    size_t cap = len * 2 + 64 + n * 16;
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        abort();
    struct wr w;
    wr_init(&w, buf, cap);
    FUZZ_CHECK_OK(smb2_create_ctx_chain_encode(&w, c, n));
    size_t len2 = wr_pos(&w);
    FUZZ_CHECK(n != 0 || len2 == 0);
    uint8_t *chain2 = fuzz_dup(buf, len2);
    smb2_create_ctx_iter_init(&it, chain2, len2);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(smb2_create_ctx_next(&it, &e));
        FUZZ_CHECK(same_ctx(&c[i], &e));
    }
    FUZZ_CHECK(!smb2_create_ctx_next(&it, &e));
    FUZZ_CHECK_OK(smb2_create_ctx_iter_status(&it));
    free(chain2);
    free(buf);
    free(c);
}

static void fuzz_req(const uint8_t *msg, size_t len)
{
    struct smb2_create_req a, b;
    if (!nt_ok(smb2_create_req_decode(msg, len, &a)))
        return;
    FUZZ_WITHIN(a.name, a.name_len, msg, len);
    FUZZ_WITHIN(a.create_contexts, a.create_contexts_len, msg, len);
    FUZZ_CHECK(a.name_len % 2 == 0);
    fuzz_chain(a.create_contexts, a.create_contexts_len, true);
    char name[3 * 32768 + 1];
    (void)smb2_create_req_name(&a, name, sizeof(name));
    char small[8];
    (void)smb2_create_req_name(&a, small, sizeof(small));

    struct wr w;
    size_t len2;
    fuzz_rt_begin(&w, msg);
    uint8_t *msg2 = fuzz_rt_end(&w, smb2_create_req_encode(&w, &a), &len2);
    FUZZ_CHECK_OK(smb2_create_req_decode(msg2, len2, &b));
    FUZZ_CHECK(a.security_flags == b.security_flags);
    FUZZ_CHECK(a.requested_oplock_level == b.requested_oplock_level);
    FUZZ_CHECK(a.impersonation_level == b.impersonation_level);
    FUZZ_CHECK(a.smb_create_flags == b.smb_create_flags);
    FUZZ_CHECK(a.desired_access == b.desired_access);
    FUZZ_CHECK(a.file_attributes == b.file_attributes);
    FUZZ_CHECK(a.share_access == b.share_access);
    FUZZ_CHECK(a.create_disposition == b.create_disposition);
    FUZZ_CHECK(a.create_options == b.create_options);
    FUZZ_CHECK(fuzz_same_bytes(a.name, a.name_len, b.name, b.name_len));
    FUZZ_CHECK(fuzz_same_bytes(a.create_contexts, a.create_contexts_len, b.create_contexts,
                               b.create_contexts_len));
    free(msg2);
}

static void fuzz_rsp(const uint8_t *msg, size_t len)
{
    struct smb2_create_rsp a, b;
    if (!nt_ok(smb2_create_rsp_decode(msg, len, &a)))
        return;
    FUZZ_WITHIN(a.create_contexts, a.create_contexts_len, msg, len);
    fuzz_chain(a.create_contexts, a.create_contexts_len, true);

    struct wr w;
    size_t len2;
    fuzz_rt_begin(&w, msg);
    uint8_t *msg2 = fuzz_rt_end(&w, smb2_create_rsp_encode(&w, &a), &len2);
    FUZZ_CHECK_OK(smb2_create_rsp_decode(msg2, len2, &b));
    FUZZ_CHECK(a.oplock_level == b.oplock_level);
    FUZZ_CHECK(a.flags == b.flags);
    FUZZ_CHECK(a.create_action == b.create_action);
    FUZZ_CHECK(a.creation_time == b.creation_time);
    FUZZ_CHECK(a.last_access_time == b.last_access_time);
    FUZZ_CHECK(a.last_write_time == b.last_write_time);
    FUZZ_CHECK(a.change_time == b.change_time);
    FUZZ_CHECK(a.allocation_size == b.allocation_size);
    FUZZ_CHECK(a.end_of_file == b.end_of_file);
    FUZZ_CHECK(a.file_attributes == b.file_attributes);
    FUZZ_CHECK(a.file_id.persistent == b.file_id.persistent);
    FUZZ_CHECK(a.file_id.volatile_id == b.file_id.volatile_id);
    FUZZ_CHECK(fuzz_same_bytes(a.create_contexts, a.create_contexts_len, b.create_contexts,
                               b.create_contexts_len));
    free(msg2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_req(data, size);
    fuzz_rsp(data, size);
    fuzz_chain(data, size, false);
    return 0;
}
