/* SMB2 TREE_DISCONNECT. [MS-SMB2] 2.2.11, 2.2.12. */
#include "wire/tree_disconnect.h"

#include "wire/hdr.h"

#define TREE_DISCONNECT_STRUCTURE_SIZE 4

/* [MS-SMB2] 2.2.11 */
ntstatus_t smb2_tree_disconnect_req_decode(const uint8_t *msg, size_t msg_len,
                                           struct smb2_tree_disconnect_req *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, TREE_DISCONNECT_STRUCTURE_SIZE);
    out->reserved = rd_u16(&r);
    return rd_status(&r);
}

ntstatus_t smb2_tree_disconnect_req_encode(struct wr *w, const struct smb2_tree_disconnect_req *in)
{
    wr_u16(w, TREE_DISCONNECT_STRUCTURE_SIZE);
    wr_u16(w, in->reserved);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.12 */
ntstatus_t smb2_tree_disconnect_rsp_decode(const uint8_t *msg, size_t msg_len,
                                           struct smb2_tree_disconnect_rsp *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, TREE_DISCONNECT_STRUCTURE_SIZE);
    out->reserved = rd_u16(&r);
    return rd_status(&r);
}

ntstatus_t smb2_tree_disconnect_rsp_encode(struct wr *w, const struct smb2_tree_disconnect_rsp *in)
{
    wr_u16(w, TREE_DISCONNECT_STRUCTURE_SIZE);
    wr_u16(w, in->reserved);
    return wr_status(w);
}
