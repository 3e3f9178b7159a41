/* SMB2 packet header and Direct TCP framing. [MS-SMB2] 2.1, 2.2.1. */
#include "wire/hdr.h"

#include "base/endian.h"

#include <string.h>

#define SMB2_HDR_STRUCTURE_SIZE 64
#define DIRECT_TCP_MAX_LEN      0x00FFFFFFu

/* [MS-SMB2] 2.2.1.1 (ASYNC) and 2.2.1.2 (SYNC): the two differ only in bytes
 * 32..39, AsyncId versus Reserved (ProcessId) + TreeId. */
ntstatus_t smb2_hdr_decode(const uint8_t *msg, size_t msg_len, struct smb2_hdr *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_require(&r, msg_len >= SMB2_HDR_SIZE);
    rd_require(&r, rd_u32(&r) == SMB2_PROTOCOL_ID);
    rd_require(&r, rd_u16(&r) == SMB2_HDR_STRUCTURE_SIZE);
    out->credit_charge = rd_u16(&r);
    out->status = rd_u32(&r);
    out->command = rd_u16(&r);
    out->credit_request = rd_u16(&r);
    out->flags = rd_u32(&r);
    out->next_command = rd_u32(&r);
    out->message_id = rd_u64(&r);
    if (out->flags & SMB2_FLAGS_ASYNC_COMMAND) {
        out->async_id = rd_u64(&r);
    } else {
        rd_skip(&r, 4); /* Reserved (ProcessId) */
        out->tree_id = rd_u32(&r);
    }
    out->session_id = rd_u64(&r);
    rd_copy(&r, out->signature, SMB2_SIG_SIZE);
    return rd_status(&r);
}

ntstatus_t smb2_hdr_encode(struct wr *w, const struct smb2_hdr *h)
{
    wr_u32(w, SMB2_PROTOCOL_ID);
    wr_u16(w, SMB2_HDR_STRUCTURE_SIZE);
    wr_u16(w, h->credit_charge);
    wr_u32(w, h->status);
    wr_u16(w, h->command);
    wr_u16(w, h->credit_request);
    wr_u32(w, h->flags);
    wr_u32(w, h->next_command);
    wr_u64(w, h->message_id);
    if (h->flags & SMB2_FLAGS_ASYNC_COMMAND) {
        wr_u64(w, h->async_id);
    } else {
        wr_u32(w, 0);
        wr_u32(w, h->tree_id);
    }
    wr_u64(w, h->session_id);
    wr_bytes(w, h->signature, SMB2_SIG_SIZE);
    return wr_status(w);
}

/* [MS-SMB2] 2.1: Direct TCP prefixes each message with a zero byte and a
 * 24-bit big-endian StreamProtocolLength. */
ntstatus_t smb2_frame_decode(const uint8_t hdr[4], uint32_t max_len, uint32_t *len)
{
    uint32_t v = be32_get(hdr);
    *len = 0;
    if (hdr[0] != 0)
        return STATUS_INVALID_PARAMETER;
    if (v == 0 || v > max_len)
        return STATUS_INVALID_PARAMETER;
    *len = v;
    return STATUS_SUCCESS;
}

void smb2_frame_encode(uint8_t hdr[4], uint32_t len)
{
    be32_put(hdr, len & DIRECT_TCP_MAX_LEN);
}

void smb2_body_rd(struct rd *r, const uint8_t *msg, size_t msg_len, uint16_t structure_size)
{
    rd_init(r, msg, msg_len);
    rd_seek(r, SMB2_HDR_SIZE);
    rd_require(r, rd_u16(r) == structure_size);
}

const uint8_t *smb2_body_buf(struct rd *r, size_t off, size_t len, size_t fixed_end)
{
    if (!rd_ok(r))
        return NULL;
    if (len == 0) {
        rd_require(r, off == 0 || (off >= fixed_end && off <= r->len));
        return NULL;
    }
    rd_require(r, off >= fixed_end);
    struct rd sub = rd_sub(r, off, len);
    return rd_bytes(&sub, len);
}

ntstatus_t smb2_outbuf_rsp_decode(const uint8_t *msg, size_t msg_len, const uint8_t **buf,
                                  uint32_t *buf_len)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, SMB2_OUTBUF_RSP_STRUCTURE_SIZE);
    uint16_t off = rd_u16(&r);
    *buf_len = rd_u32(&r);
    *buf = smb2_body_buf(&r, off, *buf_len, SMB2_OUTBUF_RSP_FIXED_END);
    return rd_status(&r);
}

ntstatus_t smb2_outbuf_rsp_begin(struct wr *w)
{
    size_t off = wr_pos(w) + 8;
    if (off > UINT16_MAX)
        wr_fail(w, STATUS_INTERNAL_ERROR);
    wr_u16(w, SMB2_OUTBUF_RSP_STRUCTURE_SIZE);
    wr_u16(w, (uint16_t)off);
    wr_u32(w, 0); /* OutputBufferLength: set by _finish */
    return wr_status(w);
}

ntstatus_t smb2_outbuf_rsp_finish(struct wr *w, size_t body_start)
{
    if (!wr_ok(w))
        return wr_status(w);
    size_t len = wr_pos(w) - (body_start + 8);
    if (len > UINT32_MAX)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    if (len == 0)
        wr_u8(w, 0);
    wr_u32_at(w, body_start + 4, (uint32_t)len);
    return wr_status(w);
}
