/* SMB2 CREATE. [MS-SMB2] 2.2.13, 2.2.14. */
#include "wire/create.h"
#include "wire/hdr.h"

#include "base/utf16.h"

#include <string.h>

/* The context chain: 8-byte aligned, apart from the name, well formed. */
static const uint8_t *ctx_chain(struct rd *r, size_t fixed_end, uint32_t off, uint32_t len,
                                size_t name_off, size_t name_len)
{
    if (len == 0)
        return smb2_body_buf(r, off, len, fixed_end);
    rd_require(r, off % 8 == 0);
    const uint8_t *chain = smb2_body_buf(r, off, len, fixed_end);
    rd_require(r, name_len == 0 || name_off + name_len <= off || (size_t)off + len <= name_off);
    if (rd_ok(r)) {
        ntstatus_t st = smb2_create_ctx_validate(chain, len, NULL);
        if (!nt_ok(st))
            rd_fail(r, st);
    }
    return chain;
}

/* [MS-SMB2] 2.2.13 SMB2 CREATE Request */
ntstatus_t smb2_create_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_create_req *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_CREATE_REQ_STRUCTURE_SIZE);
    out->security_flags = rd_u8(&r);
    out->requested_oplock_level = rd_u8(&r);
    out->impersonation_level = rd_u32(&r);
    out->smb_create_flags = rd_u64(&r);
    rd_skip(&r, 8); /* Reserved */
    out->desired_access = rd_u32(&r);
    out->file_attributes = rd_u32(&r);
    out->share_access = rd_u32(&r);
    out->create_disposition = rd_u32(&r);
    out->create_options = rd_u32(&r);
    uint16_t name_off = rd_u16(&r);
    uint16_t name_len = rd_u16(&r);
    uint32_t ctx_off = rd_u32(&r);
    uint32_t ctx_len = rd_u32(&r);
    rd_require(&r, name_len % 2 == 0);
    out->name = smb2_body_buf(&r, name_off, name_len, SMB2_CREATE_REQ_FIXED_END);
    out->name_len = name_len;
    out->create_contexts =
        ctx_chain(&r, SMB2_CREATE_REQ_FIXED_END, ctx_off, ctx_len, name_off, name_len);
    out->create_contexts_len = ctx_len;
    return rd_status(&r);
}

/* [MS-SMB2] 2.2.14 SMB2 CREATE Response */
ntstatus_t smb2_create_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_create_rsp *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_CREATE_RSP_STRUCTURE_SIZE);
    out->oplock_level = rd_u8(&r);
    out->flags = rd_u8(&r);
    out->create_action = rd_u32(&r);
    out->creation_time = rd_u64(&r);
    out->last_access_time = rd_u64(&r);
    out->last_write_time = rd_u64(&r);
    out->change_time = rd_u64(&r);
    out->allocation_size = rd_u64(&r);
    out->end_of_file = rd_u64(&r);
    out->file_attributes = rd_u32(&r);
    rd_skip(&r, 4); /* Reserved2 */
    smb2_file_id_read(&r, &out->file_id);
    uint32_t ctx_off = rd_u32(&r);
    uint32_t ctx_len = rd_u32(&r);
    out->create_contexts = ctx_chain(&r, SMB2_CREATE_RSP_FIXED_END, ctx_off, ctx_len, 0, 0);
    out->create_contexts_len = ctx_len;
    return rd_status(&r);
}

/* Append the contexts (raw or built from the list) 8-byte aligned; returns
 * their offset and sets *len, or returns 0 with *len 0 when there are none. */
static size_t write_ctxs(struct wr *w, const uint8_t *raw, uint32_t raw_len,
                         const struct smb2_create_ctx *list, size_t count, uint32_t *len)
{
    *len = 0;
    if (raw_len == 0 && count == 0)
        return 0;
    wr_align(w, 8);
    size_t off = wr_pos(w);
    if (raw_len > 0)
        wr_bytes(w, raw, raw_len);
    else
        (void)smb2_create_ctx_chain_encode(w, list, count);
    if (wr_pos(w) - off > UINT32_MAX)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    *len = (uint32_t)(wr_pos(w) - off);
    return off;
}

ntstatus_t smb2_create_req_encode(struct wr *w, const struct smb2_create_req *in)
{
    size_t start = wr_pos(w);
    size_t name_off = start + 56;
    if (in->name_len % 2 != 0 || name_off > UINT16_MAX)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_u16(w, SMB2_CREATE_REQ_STRUCTURE_SIZE);
    wr_u8(w, in->security_flags);
    wr_u8(w, in->requested_oplock_level);
    wr_u32(w, in->impersonation_level);
    wr_u64(w, in->smb_create_flags);
    wr_u64(w, 0); /* Reserved */
    wr_u32(w, in->desired_access);
    wr_u32(w, in->file_attributes);
    wr_u32(w, in->share_access);
    wr_u32(w, in->create_disposition);
    wr_u32(w, in->create_options);
    wr_u16(w, (uint16_t)name_off);
    wr_u16(w, in->name_len);
    size_t ctx_fields = wr_pos(w);
    wr_u32(w, 0); /* CreateContextsOffset, CreateContextsLength: patched */
    wr_u32(w, 0);
    wr_bytes(w, in->name, in->name_len);
    uint32_t ctx_len;
    size_t ctx_off = write_ctxs(w, in->create_contexts, in->create_contexts_len, in->ctx_list,
                                in->ctx_count, &ctx_len);
    if (in->name_len == 0 && ctx_len == 0)
        wr_u8(w, 0);
    wr_u32_at(w, ctx_fields, (uint32_t)ctx_off);
    wr_u32_at(w, ctx_fields + 4, ctx_len);
    return wr_status(w);
}

ntstatus_t smb2_create_rsp_encode(struct wr *w, const struct smb2_create_rsp *in)
{
    wr_u16(w, SMB2_CREATE_RSP_STRUCTURE_SIZE);
    wr_u8(w, in->oplock_level);
    wr_u8(w, in->flags);
    wr_u32(w, in->create_action);
    wr_u64(w, in->creation_time);
    wr_u64(w, in->last_access_time);
    wr_u64(w, in->last_write_time);
    wr_u64(w, in->change_time);
    wr_u64(w, in->allocation_size);
    wr_u64(w, in->end_of_file);
    wr_u32(w, in->file_attributes);
    wr_u32(w, 0); /* Reserved2 */
    smb2_file_id_write(w, &in->file_id);
    size_t ctx_fields = wr_pos(w);
    wr_u32(w, 0);
    wr_u32(w, 0);
    uint32_t ctx_len;
    size_t ctx_off = write_ctxs(w, in->create_contexts, in->create_contexts_len, in->ctx_list,
                                in->ctx_count, &ctx_len);
    if (ctx_len == 0)
        wr_u8(w, 0);
    wr_u32_at(w, ctx_fields, (uint32_t)ctx_off);
    wr_u32_at(w, ctx_fields + 4, ctx_len);
    return wr_status(w);
}

ntstatus_t smb2_create_req_name(const struct smb2_create_req *req, char *out, size_t out_cap)
{
    size_t n;
    return utf16le_to_utf8(req->name, req->name_len, out, out_cap, &n);
}
