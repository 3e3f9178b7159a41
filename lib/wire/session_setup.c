/* SMB2 SESSION_SETUP. [MS-SMB2] 2.2.5, 2.2.6. */
#include "wire/session_setup.h"

#include "wire/hdr.h"

#include <string.h>

#define SS_REQ_STRUCTURE_SIZE 25
#define SS_RSP_STRUCTURE_SIZE 9
#define SS_REQ_FIXED_END      (SMB2_HDR_SIZE + 24)
#define SS_RSP_FIXED_END      (SMB2_HDR_SIZE + 8)

/* [MS-SMB2] 2.2.5 */
ntstatus_t smb2_session_setup_req_decode(const uint8_t *msg, size_t msg_len,
                                         struct smb2_session_setup_req *out)
{
    struct rd r;
    memset(out, 0, sizeof(*out));
    smb2_body_rd(&r, msg, msg_len, SS_REQ_STRUCTURE_SIZE);
    out->flags = rd_u8(&r);
    out->security_mode = rd_u8(&r);
    out->capabilities = rd_u32(&r);
    out->channel = rd_u32(&r);
    uint16_t off = rd_u16(&r);
    out->security_buffer_length = rd_u16(&r);
    out->previous_session_id = rd_u64(&r);
    out->security_buffer = smb2_body_buf(&r, off, out->security_buffer_length, SS_REQ_FIXED_END);
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

/* Write the buffer at the current position (just after the fixed part),
 * patching the u16 Offset at off_at; an empty buffer still gets the one byte
 * an odd StructureSize counts. */
static void wr_sec_buf(struct wr *w, size_t off_at, const uint8_t *buf, uint16_t len)
{
    if (len && !buf) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return;
    }
    size_t off = wr_pos(w);
    if (off > UINT16_MAX)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_u16_at(w, off_at, (uint16_t)off);
    if (len)
        wr_bytes(w, buf, len);
    else
        wr_u8(w, 0);
}

ntstatus_t smb2_session_setup_req_encode(struct wr *w, const struct smb2_session_setup_req *in)
{
    wr_u16(w, SS_REQ_STRUCTURE_SIZE);
    wr_u8(w, in->flags);
    wr_u8(w, in->security_mode);
    wr_u32(w, in->capabilities);
    wr_u32(w, in->channel);
    size_t off_at = wr_pos(w);
    wr_u16(w, 0); /* SecurityBufferOffset, patched */
    wr_u16(w, in->security_buffer_length);
    wr_u64(w, in->previous_session_id);
    wr_sec_buf(w, off_at, in->security_buffer, in->security_buffer_length);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.6 */
ntstatus_t smb2_session_setup_rsp_decode(const uint8_t *msg, size_t msg_len,
                                         struct smb2_session_setup_rsp *out)
{
    struct rd r;
    memset(out, 0, sizeof(*out));
    smb2_body_rd(&r, msg, msg_len, SS_RSP_STRUCTURE_SIZE);
    out->session_flags = rd_u16(&r);
    uint16_t off = rd_u16(&r);
    out->security_buffer_length = rd_u16(&r);
    out->security_buffer = smb2_body_buf(&r, off, out->security_buffer_length, SS_RSP_FIXED_END);
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

ntstatus_t smb2_session_setup_rsp_encode(struct wr *w, const struct smb2_session_setup_rsp *in)
{
    wr_u16(w, SS_RSP_STRUCTURE_SIZE);
    wr_u16(w, in->session_flags);
    size_t off_at = wr_pos(w);
    wr_u16(w, 0); /* SecurityBufferOffset, patched */
    wr_u16(w, in->security_buffer_length);
    wr_sec_buf(w, off_at, in->security_buffer, in->security_buffer_length);
    return wr_status(w);
}
