/* SMB2 WRITE. [MS-SMB2] 2.2.21, 2.2.22. */
#include "wire/write.h"
#include "wire/hdr.h"

#include <string.h>

/* Two buffers already inside the message do not overlap. */
static bool disjoint(size_t a_off, size_t a_len, size_t b_off, size_t b_len)
{
    return a_len == 0 || b_len == 0 || a_off + a_len <= b_off || b_off + b_len <= a_off;
}

/* [MS-SMB2] 2.2.21 SMB2 WRITE Request */
ntstatus_t smb2_write_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_write_req *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_WRITE_REQ_STRUCTURE_SIZE);
    out->data_offset = rd_u16(&r);
    out->length = rd_u32(&r);
    out->offset = rd_u64(&r);
    smb2_file_id_read(&r, &out->file_id);
    out->channel = rd_u32(&r);
    out->remaining_bytes = rd_u32(&r);
    uint16_t info_off = rd_u16(&r);
    uint16_t info_len = rd_u16(&r);
    out->flags = rd_u32(&r);
    rd_require(&r, out->channel <= SMB2_CHANNEL_RDMA_TRANSFORM);
    out->rdma = out->channel != SMB2_CHANNEL_NONE;
    rd_require(&r, !out->rdma || info_len > 0);
    out->data = smb2_body_buf(&r, out->data_offset, out->length, SMB2_WRITE_REQ_FIXED_END);
    out->write_channel_info = smb2_body_buf(&r, info_off, info_len, SMB2_WRITE_REQ_FIXED_END);
    out->write_channel_info_len = info_len;
    rd_require(&r, disjoint(out->data_offset, out->length, info_off, info_len));
    return rd_status(&r);
}

ntstatus_t smb2_write_req_encode(struct wr *w, const struct smb2_write_req *in)
{
    size_t data_off = wr_pos(w) + 48;
    if (in->write_channel_info_len != 0)
        wr_fail(w, STATUS_NOT_SUPPORTED);
    if (data_off > UINT16_MAX)
        wr_fail(w, STATUS_INTERNAL_ERROR);
    wr_u16(w, SMB2_WRITE_REQ_STRUCTURE_SIZE);
    wr_u16(w, (uint16_t)data_off);
    wr_u32(w, in->length);
    wr_u64(w, in->offset);
    smb2_file_id_write(w, &in->file_id);
    wr_u32(w, in->channel);
    wr_u32(w, in->remaining_bytes);
    wr_u16(w, 0); /* WriteChannelInfoOffset */
    wr_u16(w, 0); /* WriteChannelInfoLength */
    wr_u32(w, in->flags);
    if (in->length == 0)
        wr_u8(w, 0);
    else if (in->data)
        wr_bytes(w, in->data, in->length);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.22 SMB2 WRITE Response */
ntstatus_t smb2_write_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_write_rsp *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_WRITE_RSP_STRUCTURE_SIZE);
    rd_skip(&r, 2); /* Reserved */
    out->count = rd_u32(&r);
    out->remaining = rd_u32(&r);
    rd_skip(&r, 4); /* WriteChannelInfoOffset/Length: unused */
    return rd_status(&r);
}

ntstatus_t smb2_write_rsp_encode(struct wr *w, const struct smb2_write_rsp *in)
{
    wr_u16(w, SMB2_WRITE_RSP_STRUCTURE_SIZE);
    wr_u16(w, 0);
    wr_u32(w, in->count);
    wr_u32(w, in->remaining);
    wr_u16(w, 0);
    wr_u16(w, 0);
    wr_u8(w, 0); /* Buffer */
    return wr_status(w);
}
