/* SMB2 TREE_CONNECT. [MS-SMB2] 2.2.9, 2.2.10. */
#include "wire/tree_connect.h"

#include "wire/hdr.h"

#include <string.h>

#define TC_REQ_STRUCTURE_SIZE 9
#define TC_RSP_STRUCTURE_SIZE 16
#define TC_REQ_FIXED_END      (SMB2_HDR_SIZE + 8)

/* [MS-SMB2] 2.2.9: StructureSize, Flags/Reserved, PathOffset, PathLength,
 * Buffer. PathOffset locates the path with or without the extension. */
ntstatus_t smb2_tree_connect_req_decode(const uint8_t *msg, size_t msg_len,
                                        struct smb2_tree_connect_req *out)
{
    struct rd r;
    memset(out, 0, sizeof(*out));
    smb2_body_rd(&r, msg, msg_len, TC_REQ_STRUCTURE_SIZE);
    out->flags = rd_u16(&r);
    uint16_t off = rd_u16(&r);
    out->path_length = rd_u16(&r);
    rd_require(&r, out->path_length % 2 == 0);
    out->path = smb2_body_buf(&r, off, out->path_length, TC_REQ_FIXED_END);
    if (!rd_ok(&r)) {
        memset(out, 0, sizeof(*out));
        return rd_status(&r);
    }
    if (out->flags & SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT)
        return STATUS_NOT_SUPPORTED;
    return STATUS_SUCCESS;
}

ntstatus_t smb2_tree_connect_req_encode(struct wr *w, const struct smb2_tree_connect_req *in)
{
    if ((in->flags & SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT) || (in->path_length && !in->path) ||
        in->path_length % 2) {
        wr_fail(w, (in->flags & SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT)
                       ? STATUS_NOT_SUPPORTED
                       : STATUS_INVALID_PARAMETER);
        return wr_status(w);
    }
    size_t off = wr_pos(w) + (TC_REQ_FIXED_END - SMB2_HDR_SIZE);
    if (off > UINT16_MAX)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_u16(w, TC_REQ_STRUCTURE_SIZE);
    wr_u16(w, in->flags);
    wr_u16(w, (uint16_t)off);
    wr_u16(w, in->path_length);
    if (in->path_length)
        wr_bytes(w, in->path, in->path_length);
    else
        wr_u8(w, 0); /* StructureSize 9 counts one byte of Buffer */
    return wr_status(w);
}

/* [MS-SMB2] 2.2.10: StructureSize, ShareType, Reserved, ShareFlags,
 * Capabilities, MaximalAccess. */
ntstatus_t smb2_tree_connect_rsp_decode(const uint8_t *msg, size_t msg_len,
                                        struct smb2_tree_connect_rsp *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, TC_RSP_STRUCTURE_SIZE);
    out->share_type = rd_u8(&r);
    rd_skip(&r, 1); /* Reserved */
    out->share_flags = rd_u32(&r);
    out->capabilities = rd_u32(&r);
    out->maximal_access = rd_u32(&r);
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

ntstatus_t smb2_tree_connect_rsp_encode(struct wr *w, const struct smb2_tree_connect_rsp *in)
{
    wr_u16(w, TC_RSP_STRUCTURE_SIZE);
    wr_u8(w, in->share_type);
    wr_u8(w, 0);
    wr_u32(w, in->share_flags);
    wr_u32(w, in->capabilities);
    wr_u32(w, in->maximal_access);
    return wr_status(w);
}
