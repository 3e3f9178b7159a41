/* SMB2 QUERY_INFO ([MS-SMB2] 2.2.37, 2.2.38). The information classes it
 * carries are in fscc_info.c. */
#include "wire/query_info.h"
#include "wire/hdr.h"

#include "base/utf16.h"

#include <string.h>

/* [MS-SMB2] 2.2.37 SMB2 QUERY_INFO Request */
ntstatus_t smb2_query_info_req_decode(const uint8_t *msg, size_t msg_len,
                                      struct smb2_query_info_req *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_QUERY_INFO_REQ_STRUCTURE_SIZE);
    out->info_type = rd_u8(&r);
    out->file_info_class = rd_u8(&r);
    out->output_buffer_length = rd_u32(&r);
    uint16_t in_off = rd_u16(&r);
    rd_skip(&r, 2); /* Reserved */
    out->input_buffer_length = rd_u32(&r);
    out->additional_information = rd_u32(&r);
    out->flags = rd_u32(&r);
    smb2_file_id_read(&r, &out->file_id);
    out->input_buffer =
        smb2_body_buf(&r, in_off, out->input_buffer_length, SMB2_QUERY_INFO_REQ_FIXED_END);
    return rd_status(&r);
}

ntstatus_t smb2_query_info_req_encode(struct wr *w, const struct smb2_query_info_req *in)
{
    size_t in_off = wr_pos(w) + 40;
    if (in_off > UINT16_MAX || (in->input_buffer_length && !in->input_buffer))
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_u16(w, SMB2_QUERY_INFO_REQ_STRUCTURE_SIZE);
    wr_u8(w, in->info_type);
    wr_u8(w, in->file_info_class);
    wr_u32(w, in->output_buffer_length);
    wr_u16(w, in->input_buffer_length ? (uint16_t)in_off : 0);
    wr_u16(w, 0);
    wr_u32(w, in->input_buffer_length);
    wr_u32(w, in->additional_information);
    wr_u32(w, in->flags);
    smb2_file_id_write(w, &in->file_id);
    if (in->input_buffer_length)
        wr_bytes(w, in->input_buffer, in->input_buffer_length);
    else
        wr_u8(w, 0);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.38 SMB2 QUERY_INFO Response */
ntstatus_t smb2_query_info_rsp_decode(const uint8_t *msg, size_t msg_len,
                                      struct smb2_query_info_rsp *out)
{
    memset(out, 0, sizeof(*out));
    return smb2_outbuf_rsp_decode(msg, msg_len, &out->output_buffer, &out->output_buffer_length);
}

ntstatus_t smb2_query_info_rsp_begin(struct wr *w)
{
    return smb2_outbuf_rsp_begin(w);
}

ntstatus_t smb2_query_info_rsp_finish(struct wr *w, size_t body_start)
{
    return smb2_outbuf_rsp_finish(w, body_start);
}

ntstatus_t smb2_query_info_rsp_encode(struct wr *w, const struct smb2_query_info_rsp *in)
{
    size_t body_start = wr_pos(w);
    if (in->output_buffer_length && !in->output_buffer)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    (void)smb2_query_info_rsp_begin(w);
    wr_bytes(w, in->output_buffer, in->output_buffer_length);
    return smb2_query_info_rsp_finish(w, body_start);
}
