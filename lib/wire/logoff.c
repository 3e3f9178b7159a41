/* SMB2 LOGOFF. [MS-SMB2] 2.2.7, 2.2.8. */
#include "wire/logoff.h"

#include "wire/hdr.h"

#define LOGOFF_STRUCTURE_SIZE 4

/* [MS-SMB2] 2.2.7 */
ntstatus_t smb2_logoff_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_logoff_req *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, LOGOFF_STRUCTURE_SIZE);
    out->reserved = rd_u16(&r);
    return rd_status(&r);
}

ntstatus_t smb2_logoff_req_encode(struct wr *w, const struct smb2_logoff_req *in)
{
    wr_u16(w, LOGOFF_STRUCTURE_SIZE);
    wr_u16(w, in->reserved);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.8 */
ntstatus_t smb2_logoff_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_logoff_rsp *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, LOGOFF_STRUCTURE_SIZE);
    out->reserved = rd_u16(&r);
    return rd_status(&r);
}

ntstatus_t smb2_logoff_rsp_encode(struct wr *w, const struct smb2_logoff_rsp *in)
{
    wr_u16(w, LOGOFF_STRUCTURE_SIZE);
    wr_u16(w, in->reserved);
    return wr_status(w);
}
