/* SMB2 FLUSH. [MS-SMB2] 2.2.17, 2.2.18. */
#include "wire/flush.h"

#include "wire/hdr.h"

#include <string.h>

#define FLUSH_REQ_STRUCTURE_SIZE 24
#define FLUSH_RSP_STRUCTURE_SIZE 4

/* [MS-SMB2] 2.2.17 */
ntstatus_t smb2_flush_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_flush_req *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, FLUSH_REQ_STRUCTURE_SIZE);
    rd_skip(&r, 2 + 4); /* Reserved1, Reserved2 */
    smb2_file_id_read(&r, &out->file_id);
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

ntstatus_t smb2_flush_req_encode(struct wr *w, const struct smb2_flush_req *in)
{
    wr_u16(w, FLUSH_REQ_STRUCTURE_SIZE);
    wr_u16(w, 0);
    wr_u32(w, 0);
    smb2_file_id_write(w, &in->file_id);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.18 */
ntstatus_t smb2_flush_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_flush_rsp *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, FLUSH_RSP_STRUCTURE_SIZE);
    out->reserved = rd_u16(&r);
    return rd_status(&r);
}

ntstatus_t smb2_flush_rsp_encode(struct wr *w, const struct smb2_flush_rsp *in)
{
    wr_u16(w, FLUSH_RSP_STRUCTURE_SIZE);
    wr_u16(w, in->reserved);
    return wr_status(w);
}
