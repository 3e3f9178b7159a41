/* SMB2 CANCEL. [MS-SMB2] 2.2.30. */
#include "wire/cancel.h"

#include "wire/hdr.h"

#define CANCEL_STRUCTURE_SIZE 4

/* [MS-SMB2] 2.2.30 */
ntstatus_t smb2_cancel_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_cancel_req *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, CANCEL_STRUCTURE_SIZE);
    out->reserved = rd_u16(&r);
    return rd_status(&r);
}

ntstatus_t smb2_cancel_req_encode(struct wr *w, const struct smb2_cancel_req *in)
{
    wr_u16(w, CANCEL_STRUCTURE_SIZE);
    wr_u16(w, in->reserved);
    return wr_status(w);
}
