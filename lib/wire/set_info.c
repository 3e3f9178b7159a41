/* SMB2 SET_INFO ([MS-SMB2] 2.2.39, 2.2.40). The information classes it
 * carries are in fscc_info.c. */
#include "wire/set_info.h"
#include "wire/hdr.h"

#include <string.h>

/* [MS-SMB2] 2.2.39 SMB2 SET_INFO Request */
ntstatus_t smb2_set_info_req_decode(const uint8_t *msg, size_t msg_len,
                                    struct smb2_set_info_req *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_SET_INFO_REQ_STRUCTURE_SIZE);
    out->info_type = rd_u8(&r);
    out->file_info_class = rd_u8(&r);
    out->buffer_length = rd_u32(&r);
    uint16_t off = rd_u16(&r);
    rd_skip(&r, 2); /* Reserved */
    out->additional_information = rd_u32(&r);
    smb2_file_id_read(&r, &out->file_id);
    out->buffer = smb2_body_buf(&r, off, out->buffer_length, SMB2_SET_INFO_REQ_FIXED_END);
    return rd_status(&r);
}

ntstatus_t smb2_set_info_req_encode(struct wr *w, const struct smb2_set_info_req *in)
{
    size_t off = wr_pos(w) + 32;
    if (off > UINT16_MAX || (in->buffer_length && !in->buffer))
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_u16(w, SMB2_SET_INFO_REQ_STRUCTURE_SIZE);
    wr_u8(w, in->info_type);
    wr_u8(w, in->file_info_class);
    wr_u32(w, in->buffer_length);
    wr_u16(w, (uint16_t)off);
    wr_u16(w, 0);
    wr_u32(w, in->additional_information);
    smb2_file_id_write(w, &in->file_id);
    if (in->buffer_length)
        wr_bytes(w, in->buffer, in->buffer_length);
    else
        wr_u8(w, 0);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.40 SMB2 SET_INFO Response */
ntstatus_t smb2_set_info_rsp_decode(const uint8_t *msg, size_t msg_len)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_SET_INFO_RSP_STRUCTURE_SIZE);
    return rd_status(&r);
}

ntstatus_t smb2_set_info_rsp_encode(struct wr *w)
{
    wr_u16(w, SMB2_SET_INFO_RSP_STRUCTURE_SIZE);
    return wr_status(w);
}
