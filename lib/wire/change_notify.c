/* SMB2 CHANGE_NOTIFY. [MS-SMB2] 2.2.35, 2.2.36; [MS-FSCC] 2.7.1. */
#include "wire/change_notify.h"
#include "wire/hdr.h"

#include "base/endian.h"
#include "base/utf16.h"

#include <string.h>

/* [MS-SMB2] 2.2.35 SMB2 CHANGE_NOTIFY Request */
ntstatus_t smb2_change_notify_req_decode(const uint8_t *msg, size_t msg_len,
                                         struct smb2_change_notify_req *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_CHANGE_NOTIFY_REQ_STRUCTURE_SIZE);
    out->flags = rd_u16(&r);
    out->output_buffer_length = rd_u32(&r);
    smb2_file_id_read(&r, &out->file_id);
    out->completion_filter = rd_u32(&r);
    rd_skip(&r, 4); /* Reserved */
    return rd_status(&r);
}

ntstatus_t smb2_change_notify_req_encode(struct wr *w, const struct smb2_change_notify_req *in)
{
    wr_u16(w, SMB2_CHANGE_NOTIFY_REQ_STRUCTURE_SIZE);
    wr_u16(w, in->flags);
    wr_u32(w, in->output_buffer_length);
    smb2_file_id_write(w, &in->file_id);
    wr_u32(w, in->completion_filter);
    wr_u32(w, 0);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.36 SMB2 CHANGE_NOTIFY Response */
ntstatus_t smb2_change_notify_rsp_decode(const uint8_t *msg, size_t msg_len,
                                         struct smb2_change_notify_rsp *out)
{
    memset(out, 0, sizeof(*out));
    return smb2_outbuf_rsp_decode(msg, msg_len, &out->output_buffer, &out->output_buffer_length);
}

ntstatus_t smb2_change_notify_rsp_encode(struct wr *w, const struct smb2_change_notify_rsp *in)
{
    size_t body_start = wr_pos(w);
    if (in->output_buffer_length && !in->output_buffer)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    (void)smb2_outbuf_rsp_begin(w);
    wr_bytes(w, in->output_buffer, in->output_buffer_length);
    (void)smb2_outbuf_rsp_finish(w, body_start);
    if (in->output_buffer_length == 0)
        wr_u16_at(w, body_start + 2, 0); /* no buffer: OutputBufferOffset 0 */
    return wr_status(w);
}

/* ---- [MS-FSCC] 2.7.1 FILE_NOTIFY_INFORMATION ---- */

void fscc_notify_writer_init(struct fscc_notify_writer *nw, uint8_t *buf, size_t cap)
{
    memset(nw, 0, sizeof(*nw));
    nw->buf = buf;
    nw->cap = buf ? cap : 0;
}

ntstatus_t fscc_notify_writer_add(struct fscc_notify_writer *nw, const struct fscc_notify_entry *e)
{
    size_t name16 = e->name ? utf8_utf16le_len(e->name, e->name_len) : e->file_name_len;
    if (name16 == SIZE_MAX || name16 > UINT32_MAX / 2 || name16 % 2 != 0)
        return STATUS_OBJECT_NAME_INVALID;
    size_t start = nw->count ? (nw->len + 3) & ~(size_t)3 : 0;
    if (start > nw->cap || FSCC_NOTIFY_INFO_FIXED_SIZE + name16 > nw->cap - start)
        return STATUS_BUFFER_TOO_SMALL;
    struct wr w;
    wr_init(&w, nw->buf + nw->len, nw->cap - nw->len);
    wr_zero(&w, start - nw->len);
    wr_u32(&w, 0); /* NextEntryOffset: set by the next add */
    wr_u32(&w, e->action);
    wr_u32(&w, (uint32_t)name16);
    if (e->name)
        (void)wr_utf16(&w, e->name, e->name_len);
    else
        wr_bytes(&w, e->file_name, e->file_name_len);
    ntstatus_t st = wr_status(&w);
    if (!nt_ok(st))
        return st;
    if (nw->count)
        le32_put(nw->buf + nw->last, (uint32_t)(start - nw->last));
    nw->last = start;
    nw->len = start + FSCC_NOTIFY_INFO_FIXED_SIZE + name16;
    nw->count++;
    return STATUS_SUCCESS;
}

void fscc_notify_iter_init(struct fscc_notify_iter *it, const uint8_t *buf, size_t len)
{
    rd_init(&it->r, buf, len);
    it->next_off = 0;
    it->done = len == 0;
    it->count = 0;
}

bool fscc_notify_iter_next(struct fscc_notify_iter *it, struct fscc_notify_entry *e)
{
    struct rd *r = &it->r;
    if (it->done || !rd_ok(r))
        return false;
    memset(e, 0, sizeof(*e));
    size_t start = it->next_off;
    size_t avail = r->len - start;
    rd_seek(r, start);
    rd_require(r, avail >= FSCC_NOTIFY_INFO_FIXED_SIZE);
    uint32_t next = rd_u32(r);
    e->action = rd_u32(r);
    e->file_name_len = rd_u32(r);
    size_t elem_len = avail;
    if (next != 0) {
        rd_require(r, next % 4 == 0 && next >= FSCC_NOTIFY_INFO_FIXED_SIZE &&
                          next <= avail - FSCC_NOTIFY_INFO_FIXED_SIZE);
        elem_len = next;
    }
    rd_require(r, e->file_name_len % 2 == 0 &&
                      e->file_name_len <= elem_len - FSCC_NOTIFY_INFO_FIXED_SIZE);
    e->file_name = rd_bytes(r, e->file_name_len);
    if (!rd_ok(r))
        return false;
    if (next == 0)
        it->done = true;
    else
        it->next_off = start + next;
    it->count++;
    return true;
}
