/* SMB2 READ. [MS-SMB2] 2.2.19, 2.2.20. */
#include "wire/read.h"
#include "wire/hdr.h"

#include <string.h>

/* [MS-SMB2] 2.2.19 SMB2 READ Request */
ntstatus_t smb2_read_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_read_req *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_READ_REQ_STRUCTURE_SIZE);
    out->padding = rd_u8(&r);
    out->flags = rd_u8(&r);
    out->length = rd_u32(&r);
    out->offset = rd_u64(&r);
    smb2_file_id_read(&r, &out->file_id);
    out->minimum_count = rd_u32(&r);
    out->channel = rd_u32(&r);
    out->remaining_bytes = rd_u32(&r);
    uint16_t info_off = rd_u16(&r);
    uint16_t info_len = rd_u16(&r);
    rd_require(&r, out->channel <= SMB2_CHANNEL_RDMA_TRANSFORM);
    out->rdma = out->channel != SMB2_CHANNEL_NONE;
    rd_require(&r, !out->rdma || info_len > 0);
    out->read_channel_info = smb2_body_buf(&r, info_off, info_len, SMB2_READ_REQ_FIXED_END);
    out->read_channel_info_len = info_len;
    return rd_status(&r);
}

ntstatus_t smb2_read_req_encode(struct wr *w, const struct smb2_read_req *in)
{
    if (in->read_channel_info_len != 0)
        wr_fail(w, STATUS_NOT_SUPPORTED);
    wr_u16(w, SMB2_READ_REQ_STRUCTURE_SIZE);
    wr_u8(w, in->padding);
    wr_u8(w, in->flags);
    wr_u32(w, in->length);
    wr_u64(w, in->offset);
    smb2_file_id_write(w, &in->file_id);
    wr_u32(w, in->minimum_count);
    wr_u32(w, in->channel);
    wr_u32(w, in->remaining_bytes);
    wr_u16(w, 0); /* ReadChannelInfoOffset */
    wr_u16(w, 0); /* ReadChannelInfoLength */
    wr_u8(w, 0);  /* Buffer */
    return wr_status(w);
}

/* [MS-SMB2] 2.2.20 SMB2 READ Response */
ntstatus_t smb2_read_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_read_rsp *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_READ_RSP_STRUCTURE_SIZE);
    out->data_offset = rd_u8(&r);
    rd_skip(&r, 1); /* Reserved */
    out->data_length = rd_u32(&r);
    out->data_remaining = rd_u32(&r);
    out->flags = rd_u32(&r);
    out->data = smb2_body_buf(&r, out->data_offset, out->data_length, SMB2_READ_RSP_FIXED_END);
    return rd_status(&r);
}

ntstatus_t smb2_read_rsp_encode(struct wr *w, const struct smb2_read_rsp *in)
{
    size_t data_off = wr_pos(w) + 16;
    if (data_off > UINT8_MAX)
        wr_fail(w, STATUS_INTERNAL_ERROR);
    wr_u16(w, SMB2_READ_RSP_STRUCTURE_SIZE);
    wr_u8(w, (uint8_t)data_off);
    wr_u8(w, 0);
    wr_u32(w, in->data_length);
    wr_u32(w, in->data_remaining);
    wr_u32(w, in->flags);
    if (in->data_length == 0)
        wr_u8(w, 0);
    else if (in->data)
        wr_bytes(w, in->data, in->data_length);
    return wr_status(w);
}
