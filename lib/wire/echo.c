/* SMB2 ECHO. [MS-SMB2] 2.2.28, 2.2.29. */
#include "wire/echo.h"

#include "wire/hdr.h"

#define ECHO_STRUCTURE_SIZE 4

/* [MS-SMB2] 2.2.28 */
ntstatus_t smb2_echo_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_echo_req *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, ECHO_STRUCTURE_SIZE);
    out->reserved = rd_u16(&r);
    return rd_status(&r);
}

ntstatus_t smb2_echo_req_encode(struct wr *w, const struct smb2_echo_req *in)
{
    wr_u16(w, ECHO_STRUCTURE_SIZE);
    wr_u16(w, in->reserved);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.29 */
ntstatus_t smb2_echo_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_echo_rsp *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, ECHO_STRUCTURE_SIZE);
    out->reserved = rd_u16(&r);
    return rd_status(&r);
}

ntstatus_t smb2_echo_rsp_encode(struct wr *w, const struct smb2_echo_rsp *in)
{
    wr_u16(w, ECHO_STRUCTURE_SIZE);
    wr_u16(w, in->reserved);
    return wr_status(w);
}
