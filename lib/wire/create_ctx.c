/* SMB2 create-context chains. [MS-SMB2] 2.2.13.2, 2.2.14.2. */
#include "wire/create_ctx.h"

#include "base/endian.h"

#include <string.h>

void smb2_create_ctx_iter_init(struct smb2_create_ctx_iter *it, const uint8_t *chain,
                               size_t chain_len)
{
    rd_init(&it->r, chain, chain_len);
    it->next_off = 0;
    it->done = chain_len == 0;
    it->count = 0;
}

/* A region [off, off+len) of an element of elem_len bytes that must start
 * after the element's fixed part. */
static bool ctx_region_ok(size_t off, size_t len, size_t elem_len)
{
    return off >= SMB2_CREATE_CTX_HDR_SIZE && len <= elem_len && off <= elem_len - len;
}

/* [MS-SMB2] 2.2.13.2 SMB2_CREATE_CONTEXT: one element at it->next_off. */
bool smb2_create_ctx_next(struct smb2_create_ctx_iter *it, struct smb2_create_ctx *out)
{
    struct rd *r = &it->r;
    if (it->done || !rd_ok(r))
        return false;
    size_t start = it->next_off;
    size_t avail = r->len - start;
    rd_seek(r, start);
    rd_require(r, avail >= SMB2_CREATE_CTX_HDR_SIZE);
    uint32_t next = rd_u32(r);
    uint16_t name_off = rd_u16(r);
    uint16_t name_len = rd_u16(r);
    rd_skip(r, 2); /* Reserved */
    uint16_t data_off = rd_u16(r);
    uint32_t data_len = rd_u32(r);
    size_t elem_len = avail;
    if (next != 0) {
        rd_require(r, next % 8 == 0 && next >= SMB2_CREATE_CTX_HDR_SIZE &&
                          next <= avail - SMB2_CREATE_CTX_HDR_SIZE);
        elem_len = next;
    }
    rd_require(r, name_len > 0 && ctx_region_ok(name_off, name_len, elem_len));
    if (data_len > 0) {
        rd_require(r, ctx_region_ok(data_off, data_len, elem_len));
        /* name and data must not overlap */
        rd_require(r, (size_t)name_off + name_len <= data_off ||
                          (size_t)data_off + data_len <= name_off);
    }
    if (!rd_ok(r))
        return false;
    out->name = r->p + start + name_off;
    out->name_len = name_len;
    out->data = data_len ? r->p + start + data_off : NULL;
    out->data_len = data_len;
    if (next == 0)
        it->done = true;
    else
        it->next_off = start + next;
    it->count++;
    return true;
}

ntstatus_t smb2_create_ctx_validate(const uint8_t *chain, size_t chain_len, unsigned *count)
{
    struct smb2_create_ctx_iter it;
    struct smb2_create_ctx c;
    smb2_create_ctx_iter_init(&it, chain, chain_len);
    while (smb2_create_ctx_next(&it, &c))
        ;
    if (count)
        *count = it.count;
    return smb2_create_ctx_iter_status(&it);
}

bool smb2_create_ctx_is(const struct smb2_create_ctx *c, const char *tag)
{
    return c->name_len == SMB2_CREATE_CTX_TAG_LEN &&
           memcmp(c->name, tag, SMB2_CREATE_CTX_TAG_LEN) == 0;
}

ntstatus_t smb2_create_ctx_find(const uint8_t *chain, size_t chain_len, const char *tag,
                                size_t tag_len, struct smb2_create_ctx *out)
{
    struct smb2_create_ctx_iter it;
    smb2_create_ctx_iter_init(&it, chain, chain_len);
    while (smb2_create_ctx_next(&it, out)) {
        if (out->name_len == tag_len && memcmp(out->name, tag, tag_len) == 0)
            return STATUS_SUCCESS;
    }
    ntstatus_t st = smb2_create_ctx_iter_status(&it);
    return nt_ok(st) ? STATUS_NOT_FOUND : st;
}

/* One element at the writer's (8-byte aligned) position. */
static void ctx_encode_one(struct wr *w, const struct smb2_create_ctx *c)
{
    size_t data_off = 0;
    if (c->data_len > 0)
        data_off = (SMB2_CREATE_CTX_HDR_SIZE + (size_t)c->name_len + 7) & ~(size_t)7;
    if (c->name_len == 0 || data_off > UINT16_MAX || (c->data_len > 0 && !c->data)) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return;
    }
    wr_u32(w, 0); /* Next: patched by the caller */
    wr_u16(w, SMB2_CREATE_CTX_HDR_SIZE);
    wr_u16(w, c->name_len);
    wr_u16(w, 0);
    wr_u16(w, (uint16_t)data_off);
    wr_u32(w, c->data_len);
    wr_bytes(w, c->name, c->name_len);
    if (c->data_len > 0) {
        wr_align(w, 8);
        wr_bytes(w, c->data, c->data_len);
    }
}

ntstatus_t smb2_create_ctx_chain_encode(struct wr *w, const struct smb2_create_ctx *ctxs, size_t n)
{
    if (n > 0 && (wr_pos(w) & 7) != 0)
        wr_fail(w, STATUS_INTERNAL_ERROR);
    size_t prev = 0;
    for (size_t i = 0; i < n && wr_ok(w); i++) {
        wr_align(w, 8);
        size_t start = wr_pos(w);
        if (i > 0) {
            if (start - prev > UINT32_MAX)
                wr_fail(w, STATUS_INVALID_PARAMETER);
            wr_u32_at(w, prev, (uint32_t)(start - prev));
        }
        ctx_encode_one(w, &ctxs[i]);
        prev = start;
    }
    return wr_status(w);
}

/* ---- payloads ---- */

/* 2.2.13.2.5: no data, or an 8-byte Timestamp. */
ntstatus_t smb2_ctx_mxac_req_decode(const struct smb2_create_ctx *c, struct smb2_ctx_mxac_req *out)
{
    memset(out, 0, sizeof(*out));
    if (c->data_len == 0)
        return STATUS_SUCCESS;
    if (c->data_len != 8)
        return STATUS_INVALID_PARAMETER;
    out->has_timestamp = true;
    out->timestamp = le64_get(c->data);
    return STATUS_SUCCESS;
}

/* 2.2.14.2.5: QueryStatus, MaximalAccess. */
ntstatus_t smb2_ctx_mxac_rsp_decode(const struct smb2_create_ctx *c, struct smb2_ctx_mxac_rsp *out)
{
    if (c->data_len != SMB2_CTX_MXAC_RSP_SIZE)
        return STATUS_INVALID_PARAMETER;
    out->query_status = le32_get(c->data);
    out->maximal_access = le32_get(c->data + 4);
    return STATUS_SUCCESS;
}

void smb2_ctx_mxac_rsp_pack(uint8_t out[SMB2_CTX_MXAC_RSP_SIZE], const struct smb2_ctx_mxac_rsp *in)
{
    le32_put(out, in->query_status);
    le32_put(out + 4, in->maximal_access);
}

/* 2.2.14.2.9: DiskFileId, VolumeId, 16 reserved bytes. */
ntstatus_t smb2_ctx_qfid_rsp_decode(const struct smb2_create_ctx *c, struct smb2_ctx_qfid_rsp *out)
{
    if (c->data_len != SMB2_CTX_QFID_RSP_SIZE)
        return STATUS_INVALID_PARAMETER;
    out->disk_file_id = le64_get(c->data);
    out->volume_id = le64_get(c->data + 8);
    return STATUS_SUCCESS;
}

void smb2_ctx_qfid_rsp_pack(uint8_t out[SMB2_CTX_QFID_RSP_SIZE], const struct smb2_ctx_qfid_rsp *in)
{
    memset(out, 0, SMB2_CTX_QFID_RSP_SIZE);
    le64_put(out, in->disk_file_id);
    le64_put(out + 8, in->volume_id);
}

static ntstatus_t ctx_u64_decode(const struct smb2_create_ctx *c, uint64_t *v)
{
    if (c->data_len != SMB2_CTX_U64_SIZE)
        return STATUS_INVALID_PARAMETER;
    *v = le64_get(c->data);
    return STATUS_SUCCESS;
}

/* 2.2.13.2.6 SMB2_CREATE_ALLOCATION_SIZE */
ntstatus_t smb2_ctx_alsi_decode(const struct smb2_create_ctx *c, uint64_t *allocation_size)
{
    return ctx_u64_decode(c, allocation_size);
}

/* 2.2.13.2.7 SMB2_CREATE_TIMEWARP_TOKEN */
ntstatus_t smb2_ctx_twrp_decode(const struct smb2_create_ctx *c, uint64_t *timestamp)
{
    return ctx_u64_decode(c, timestamp);
}

void smb2_ctx_u64_pack(uint8_t out[SMB2_CTX_U64_SIZE], uint64_t v)
{
    le64_put(out, v);
}

/* 2.2.13.2.8 / 2.2.13.2.10: LeaseKey, LeaseState, LeaseFlags, LeaseDuration
 * [, ParentLeaseKey, Epoch, Reserved]. */
ntstatus_t smb2_ctx_lease_decode(const struct smb2_create_ctx *c, struct smb2_ctx_lease *out)
{
    memset(out, 0, sizeof(*out));
    if (c->data_len != SMB2_CTX_LEASE_V1_SIZE && c->data_len != SMB2_CTX_LEASE_V2_SIZE)
        return STATUS_INVALID_PARAMETER;
    struct rd r;
    rd_init(&r, c->data, c->data_len);
    out->version = c->data_len == SMB2_CTX_LEASE_V2_SIZE ? 2 : 1;
    rd_copy(&r, out->lease_key, 16);
    out->lease_state = rd_u32(&r);
    out->lease_flags = rd_u32(&r);
    out->lease_duration = rd_u64(&r);
    if (out->version == 2) {
        rd_copy(&r, out->parent_lease_key, 16);
        out->epoch = rd_u16(&r);
        rd_skip(&r, 2);
    }
    return rd_status(&r);
}

size_t smb2_ctx_lease_pack(uint8_t out[SMB2_CTX_LEASE_V2_SIZE], const struct smb2_ctx_lease *in)
{
    size_t n = in->version == 2 ? SMB2_CTX_LEASE_V2_SIZE : SMB2_CTX_LEASE_V1_SIZE;
    struct wr w;
    wr_init(&w, out, n);
    wr_bytes(&w, in->lease_key, 16);
    wr_u32(&w, in->lease_state);
    wr_u32(&w, in->lease_flags);
    wr_u64(&w, in->lease_duration);
    if (in->version == 2) {
        wr_bytes(&w, in->parent_lease_key, 16);
        wr_u16(&w, in->epoch);
        wr_u16(&w, 0);
    }
    return wr_pos(&w);
}

/* 2.2.13.2.11: Timeout, Flags, Reserved (8), CreateGuid. */
ntstatus_t smb2_ctx_dh2q_decode(const struct smb2_create_ctx *c, struct smb2_ctx_dh2q *out)
{
    if (c->data_len != SMB2_CTX_DH2Q_SIZE)
        return STATUS_INVALID_PARAMETER;
    out->timeout = le32_get(c->data);
    out->flags = le32_get(c->data + 4);
    memcpy(out->create_guid, c->data + 16, 16);
    return STATUS_SUCCESS;
}

void smb2_ctx_dh2q_pack(uint8_t out[SMB2_CTX_DH2Q_SIZE], const struct smb2_ctx_dh2q *in)
{
    memset(out, 0, SMB2_CTX_DH2Q_SIZE);
    le32_put(out, in->timeout);
    le32_put(out + 4, in->flags);
    memcpy(out + 16, in->create_guid, 16);
}

/* 2.2.13.2.3: DurableRequest, 16 bytes the server ignores. */
ntstatus_t smb2_ctx_dhnq_decode(const struct smb2_create_ctx *c)
{
    return c->data_len == SMB2_CTX_DHNQ_SIZE ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

/* 2.2.14.2.3: Reserved, 8 bytes of zero. */
void smb2_ctx_dhnq_rsp_pack(uint8_t out[SMB2_CTX_DHNQ_RSP_SIZE])
{
    memset(out, 0, SMB2_CTX_DHNQ_RSP_SIZE);
}

/* 2.2.13.2.4: Data, an SMB2_FILEID (2.2.14.1). */
ntstatus_t smb2_ctx_dhnc_decode(const struct smb2_create_ctx *c, struct smb2_ctx_dhnc *out)
{
    if (c->data_len != SMB2_CTX_DHNC_SIZE)
        return STATUS_INVALID_PARAMETER;
    out->persistent = le64_get(c->data);
    out->volatile_id = le64_get(c->data + 8);
    return STATUS_SUCCESS;
}

void smb2_ctx_dhnc_pack(uint8_t out[SMB2_CTX_DHNC_SIZE], const struct smb2_ctx_dhnc *in)
{
    le64_put(out, in->persistent);
    le64_put(out + 8, in->volatile_id);
}

/* 2.2.14.2.12: Timeout, Flags. */
ntstatus_t smb2_ctx_dh2q_rsp_decode(const struct smb2_create_ctx *c, struct smb2_ctx_dh2q_rsp *out)
{
    if (c->data_len != SMB2_CTX_DH2Q_RSP_SIZE)
        return STATUS_INVALID_PARAMETER;
    out->timeout = le32_get(c->data);
    out->flags = le32_get(c->data + 4);
    return STATUS_SUCCESS;
}

void smb2_ctx_dh2q_rsp_pack(uint8_t out[SMB2_CTX_DH2Q_RSP_SIZE], const struct smb2_ctx_dh2q_rsp *in)
{
    le32_put(out, in->timeout);
    le32_put(out + 4, in->flags);
}

/* 2.2.13.2.12: FileId (Persistent, Volatile), CreateGuid, Flags. */
ntstatus_t smb2_ctx_dh2c_decode(const struct smb2_create_ctx *c, struct smb2_ctx_dh2c *out)
{
    if (c->data_len != SMB2_CTX_DH2C_SIZE)
        return STATUS_INVALID_PARAMETER;
    out->persistent = le64_get(c->data);
    out->volatile_id = le64_get(c->data + 8);
    memcpy(out->create_guid, c->data + 16, 16);
    out->flags = le32_get(c->data + 32);
    return STATUS_SUCCESS;
}

void smb2_ctx_dh2c_pack(uint8_t out[SMB2_CTX_DH2C_SIZE], const struct smb2_ctx_dh2c *in)
{
    le64_put(out, in->persistent);
    le64_put(out + 8, in->volatile_id);
    memcpy(out + 16, in->create_guid, 16);
    le32_put(out + 32, in->flags);
}

/* 2.2.13.2.13: StructureSize 20, Reserved, AppInstanceId. */
ntstatus_t smb2_ctx_app_instance_id_decode(const struct smb2_create_ctx *c, uint8_t id[16])
{
    if (c->data_len != SMB2_CTX_APP_INSTANCE_ID_SIZE ||
        le16_get(c->data) != SMB2_CTX_APP_INSTANCE_ID_SIZE)
        return STATUS_INVALID_PARAMETER;
    memcpy(id, c->data + 4, 16);
    return STATUS_SUCCESS;
}

void smb2_ctx_app_instance_id_pack(uint8_t out[SMB2_CTX_APP_INSTANCE_ID_SIZE], const uint8_t id[16])
{
    le16_put(out, SMB2_CTX_APP_INSTANCE_ID_SIZE);
    le16_put(out + 2, 0);
    memcpy(out + 4, id, 16);
}
