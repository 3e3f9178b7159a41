/* SMB2 IOCTL. [MS-SMB2] 2.2.31, 2.2.32. */
#include "wire/ioctl.h"
#include "wire/hdr.h"

#include <string.h>

/* Two buffers already inside the message do not overlap. */
static bool disjoint(size_t a_off, size_t a_len, size_t b_off, size_t b_len)
{
    return a_len == 0 || b_len == 0 || a_off + a_len <= b_off || b_off + b_len <= a_off;
}

/* Both buffers of an IOCTL, given their offset/count fields. */
static void ioctl_bufs(struct rd *r, size_t fixed_end, uint32_t in_off, uint32_t in_cnt,
                       uint32_t out_off, uint32_t out_cnt, const uint8_t **in, const uint8_t **out)
{
    *in = smb2_body_buf(r, in_off, in_cnt, fixed_end);
    *out = smb2_body_buf(r, out_off, out_cnt, fixed_end);
    rd_require(r, disjoint(in_off, in_cnt, out_off, out_cnt));
}

/* [MS-SMB2] 2.2.31 SMB2 IOCTL Request */
ntstatus_t smb2_ioctl_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_ioctl_req *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_IOCTL_REQ_STRUCTURE_SIZE);
    rd_skip(&r, 2); /* Reserved */
    out->ctl_code = rd_u32(&r);
    smb2_file_id_read(&r, &out->file_id);
    uint32_t in_off = rd_u32(&r);
    out->input_count = rd_u32(&r);
    out->max_input_response = rd_u32(&r);
    uint32_t out_off = rd_u32(&r);
    out->output_count = rd_u32(&r);
    out->max_output_response = rd_u32(&r);
    out->flags = rd_u32(&r);
    rd_skip(&r, 4); /* Reserved2 */
    ioctl_bufs(&r, SMB2_IOCTL_REQ_FIXED_END, in_off, out->input_count, out_off, out->output_count,
               &out->input, &out->output);
    return rd_status(&r);
}

/* [MS-SMB2] 2.2.32 SMB2 IOCTL Response */
ntstatus_t smb2_ioctl_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_ioctl_rsp *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_IOCTL_RSP_STRUCTURE_SIZE);
    rd_skip(&r, 2); /* Reserved */
    out->ctl_code = rd_u32(&r);
    smb2_file_id_read(&r, &out->file_id);
    uint32_t in_off = rd_u32(&r);
    out->input_count = rd_u32(&r);
    uint32_t out_off = rd_u32(&r);
    out->output_count = rd_u32(&r);
    out->flags = rd_u32(&r);
    rd_skip(&r, 4); /* Reserved2 */
    ioctl_bufs(&r, SMB2_IOCTL_RSP_FIXED_END, in_off, out->input_count, out_off, out->output_count,
               &out->input, &out->output);
    return rd_status(&r);
}

/* Write a buffer 8-byte aligned and patch its offset field (0 when empty). */
static void put_buf(struct wr *w, size_t off_field, const uint8_t *p, uint32_t n)
{
    if (n == 0)
        return;
    if (!p)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_align(w, 8);
    size_t at = wr_pos(w);
    wr_bytes(w, p, n);
    wr_u32_at(w, off_field, (uint32_t)at);
}

ntstatus_t smb2_ioctl_req_encode(struct wr *w, const struct smb2_ioctl_req *in)
{
    wr_u16(w, SMB2_IOCTL_REQ_STRUCTURE_SIZE);
    wr_u16(w, 0);
    wr_u32(w, in->ctl_code);
    smb2_file_id_write(w, &in->file_id);
    size_t in_field = wr_pos(w);
    wr_u32(w, 0);
    wr_u32(w, in->input_count);
    wr_u32(w, in->max_input_response);
    size_t out_field = wr_pos(w);
    wr_u32(w, 0);
    wr_u32(w, in->output_count);
    wr_u32(w, in->max_output_response);
    wr_u32(w, in->flags);
    wr_u32(w, 0);
    put_buf(w, in_field, in->input, in->input_count);
    put_buf(w, out_field, in->output, in->output_count);
    if (in->input_count == 0 && in->output_count == 0)
        wr_u8(w, 0);
    return wr_status(w);
}

ntstatus_t smb2_ioctl_rsp_encode(struct wr *w, const struct smb2_ioctl_rsp *in)
{
    wr_u16(w, SMB2_IOCTL_RSP_STRUCTURE_SIZE);
    wr_u16(w, 0);
    wr_u32(w, in->ctl_code);
    smb2_file_id_write(w, &in->file_id);
    size_t in_field = wr_pos(w);
    wr_u32(w, 0);
    wr_u32(w, in->input_count);
    size_t out_field = wr_pos(w);
    wr_u32(w, 0);
    wr_u32(w, in->output_count);
    wr_u32(w, in->flags);
    wr_u32(w, 0);
    put_buf(w, in_field, in->input, in->input_count);
    put_buf(w, out_field, in->output, in->output_count);
    if (in->input_count == 0 && in->output_count == 0)
        wr_u8(w, 0);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.31.4 VALIDATE_NEGOTIATE_INFO Request */
ntstatus_t smb2_validate_negotiate_req_decode(const uint8_t *buf, size_t len,
                                              struct smb2_validate_negotiate_req *out)
{
    struct rd r;
    rd_init(&r, buf, len);
    memset(out, 0, sizeof(*out));
    out->capabilities = rd_u32(&r);
    rd_copy(&r, out->guid, 16);
    out->security_mode = rd_u16(&r);
    out->dialect_count = rd_u16(&r);
    rd_require(&r, out->dialect_count >= 1 && out->dialect_count <= SMB2_VNI_MAX_DIALECTS);
    rd_require(&r, rd_left(&r) / 2 >= out->dialect_count);
    for (uint16_t i = 0; i < out->dialect_count && rd_ok(&r); i++)
        out->dialects[i] = rd_u16(&r);
    return rd_status(&r);
}

ntstatus_t smb2_validate_negotiate_req_encode(struct wr *w,
                                              const struct smb2_validate_negotiate_req *in)
{
    if (in->dialect_count < 1 || in->dialect_count > SMB2_VNI_MAX_DIALECTS)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_u32(w, in->capabilities);
    wr_bytes(w, in->guid, 16);
    wr_u16(w, in->security_mode);
    wr_u16(w, in->dialect_count);
    for (uint16_t i = 0; i < in->dialect_count && wr_ok(w); i++)
        wr_u16(w, in->dialects[i]);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.32.6 VALIDATE_NEGOTIATE_INFO Response */
ntstatus_t smb2_validate_negotiate_rsp_decode(const uint8_t *buf, size_t len,
                                              struct smb2_validate_negotiate_rsp *out)
{
    struct rd r;
    rd_init(&r, buf, len);
    memset(out, 0, sizeof(*out));
    out->capabilities = rd_u32(&r);
    rd_copy(&r, out->guid, 16);
    out->security_mode = rd_u16(&r);
    out->dialect = rd_u16(&r);
    return rd_status(&r);
}

ntstatus_t smb2_validate_negotiate_rsp_encode(struct wr *w,
                                              const struct smb2_validate_negotiate_rsp *in)
{
    wr_u32(w, in->capabilities);
    wr_bytes(w, in->guid, 16);
    wr_u16(w, in->security_mode);
    wr_u16(w, in->dialect);
    return wr_status(w);
}
