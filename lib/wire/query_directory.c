/* SMB2 QUERY_DIRECTORY and the [MS-FSCC] 2.4 directory information classes.
 * [MS-SMB2] 2.2.33, 2.2.34. */
#include "wire/query_directory.h"
#include "wire/hdr.h"

#include "base/endian.h"
#include "base/utf16.h"

#include <string.h>

/* [MS-SMB2] 2.2.33 SMB2 QUERY_DIRECTORY Request */
ntstatus_t smb2_query_directory_req_decode(const uint8_t *msg, size_t msg_len,
                                           struct smb2_query_directory_req *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_QUERY_DIRECTORY_REQ_STRUCTURE_SIZE);
    out->file_information_class = rd_u8(&r);
    out->flags = rd_u8(&r);
    out->file_index = rd_u32(&r);
    smb2_file_id_read(&r, &out->file_id);
    uint16_t name_off = rd_u16(&r);
    out->file_name_len = rd_u16(&r);
    out->output_buffer_length = rd_u32(&r);
    rd_require(&r, out->file_name_len % 2 == 0);
    out->file_name =
        smb2_body_buf(&r, name_off, out->file_name_len, SMB2_QUERY_DIRECTORY_REQ_FIXED_END);
    return rd_status(&r);
}

ntstatus_t smb2_query_directory_req_encode(struct wr *w, const struct smb2_query_directory_req *in)
{
    size_t name_off = wr_pos(w) + 32;
    if (in->file_name_len % 2 != 0 || name_off > UINT16_MAX)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_u16(w, SMB2_QUERY_DIRECTORY_REQ_STRUCTURE_SIZE);
    wr_u8(w, in->file_information_class);
    wr_u8(w, in->flags);
    wr_u32(w, in->file_index);
    smb2_file_id_write(w, &in->file_id);
    wr_u16(w, in->file_name_len ? (uint16_t)name_off : 0);
    wr_u16(w, in->file_name_len);
    wr_u32(w, in->output_buffer_length);
    if (in->file_name_len)
        wr_bytes(w, in->file_name, in->file_name_len);
    else
        wr_u8(w, 0);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.34 SMB2 QUERY_DIRECTORY Response */
ntstatus_t smb2_query_directory_rsp_decode(const uint8_t *msg, size_t msg_len,
                                           struct smb2_query_directory_rsp *out)
{
    memset(out, 0, sizeof(*out));
    return smb2_outbuf_rsp_decode(msg, msg_len, &out->output_buffer, &out->output_buffer_length);
}

ntstatus_t smb2_query_directory_rsp_encode(struct wr *w, const struct smb2_query_directory_rsp *in)
{
    size_t body_start = wr_pos(w);
    uint8_t *buf;
    size_t cap;
    (void)smb2_query_directory_rsp_begin(w, &buf, &cap);
    if (!in->output_buffer) {
        wr_u32_at(w, body_start + 4, in->output_buffer_length);
        if (in->output_buffer_length == 0)
            wr_u8(w, 0);
        return wr_status(w);
    }
    wr_bytes(w, in->output_buffer, in->output_buffer_length);
    wr_u32_at(w, body_start + 4, in->output_buffer_length);
    return wr_status(w);
}

ntstatus_t smb2_query_directory_rsp_begin(struct wr *w, uint8_t **buf, size_t *cap)
{
    (void)smb2_outbuf_rsp_begin(w);
    *buf = wr_reserve(w, 0);
    *cap = wr_left(w);
    return wr_status(w);
}

ntstatus_t smb2_query_directory_rsp_finish(struct wr *w, size_t body_start, size_t len)
{
    if (len > UINT32_MAX)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    (void)wr_reserve(w, len); /* already filled in place */
    return smb2_outbuf_rsp_finish(w, body_start);
}

/* ---- [MS-FSCC] 2.4 directory information classes ---- */

size_t fscc_dir_entry_fixed_size(uint8_t info_class)
{
    switch (info_class) {
    case FileDirectoryInformation:
        return 64;
    case FileFullDirectoryInformation:
        return 68;
    case FileBothDirectoryInformation:
        return 94;
    case FileIdBothDirectoryInformation:
        return 104;
    case FileIdFullDirectoryInformation:
        return 80;
    case FileNamesInformation:
        return 12;
    default:
        return 0;
    }
}

/* The fields after FileNameLength that the richer classes add. */
static void dir_write_extra(struct wr *w, uint8_t cls, const struct fscc_dir_entry *e)
{
    if (cls == FileDirectoryInformation)
        return;
    wr_u32(w, e->ea_size);
    if (cls == FileBothDirectoryInformation || cls == FileIdBothDirectoryInformation) {
        wr_u8(w, e->short_name_len);
        wr_u8(w, 0);
        wr_bytes(w, e->short_name, 24);
        if (cls == FileIdBothDirectoryInformation) {
            wr_u16(w, 0);
            wr_u64(w, e->file_id);
        }
    } else if (cls == FileIdFullDirectoryInformation) {
        wr_u32(w, 0);
        wr_u64(w, e->file_id);
    }
}

/* One entry at w's position; NextEntryOffset 0 (patched by the next add). */
static void dir_write_entry(struct wr *w, uint8_t cls, const struct fscc_dir_entry *e,
                            uint32_t name16_len)
{
    wr_u32(w, 0);
    wr_u32(w, e->file_index);
    if (cls != FileNamesInformation) {
        wr_u64(w, e->creation_time);
        wr_u64(w, e->last_access_time);
        wr_u64(w, e->last_write_time);
        wr_u64(w, e->change_time);
        wr_u64(w, e->end_of_file);
        wr_u64(w, e->allocation_size);
        wr_u32(w, e->file_attributes);
    }
    wr_u32(w, name16_len);
    if (cls != FileNamesInformation)
        dir_write_extra(w, cls, e);
    if (e->name)
        (void)wr_utf16(w, e->name, e->name_len);
    else
        wr_bytes(w, e->file_name, e->file_name_len);
}

void fscc_dir_writer_init(struct fscc_dir_writer *dw, uint8_t info_class, uint8_t *buf, size_t cap)
{
    memset(dw, 0, sizeof(*dw));
    dw->buf = buf;
    dw->cap = buf ? cap : 0;
    dw->info_class = info_class;
}

ntstatus_t fscc_dir_writer_add(struct fscc_dir_writer *dw, const struct fscc_dir_entry *e)
{
    size_t fixed = fscc_dir_entry_fixed_size(dw->info_class);
    if (fixed == 0)
        return STATUS_INVALID_INFO_CLASS;
    if (e->short_name_len > 24)
        return STATUS_INVALID_PARAMETER;
    size_t name16 = e->name ? utf8_utf16le_len(e->name, e->name_len) : e->file_name_len;
    if (name16 == SIZE_MAX || name16 > UINT32_MAX / 2 || name16 % 2 != 0)
        return STATUS_OBJECT_NAME_INVALID;
    size_t start = dw->count ? (dw->len + 7) & ~(size_t)7 : 0;
    if (start > dw->cap || fixed + name16 > dw->cap - start)
        return STATUS_BUFFER_TOO_SMALL;
    struct wr w;
    wr_init(&w, dw->buf + dw->len, dw->cap - dw->len);
    wr_zero(&w, start - dw->len); /* padding after the previous entry */
    dir_write_entry(&w, dw->info_class, e, (uint32_t)name16);
    ntstatus_t st = wr_status(&w);
    if (!nt_ok(st))
        return st;
    if (dw->count)
        le32_put(dw->buf + dw->last, (uint32_t)(start - dw->last));
    dw->last = start;
    dw->len = start + fixed + name16;
    dw->count++;
    return STATUS_SUCCESS;
}

void fscc_dir_iter_init(struct fscc_dir_iter *it, uint8_t info_class, const uint8_t *buf,
                        size_t len)
{
    rd_init(&it->r, buf, len);
    it->next_off = 0;
    it->done = len == 0;
    it->info_class = info_class;
    it->count = 0;
    if (fscc_dir_entry_fixed_size(info_class) == 0)
        rd_fail(&it->r, STATUS_INVALID_INFO_CLASS);
}

/* The fixed part after FileNameLength, mirroring dir_write_extra. */
static void dir_read_extra(struct rd *r, uint8_t cls, struct fscc_dir_entry *e)
{
    if (cls == FileDirectoryInformation)
        return;
    e->ea_size = rd_u32(r);
    if (cls == FileBothDirectoryInformation || cls == FileIdBothDirectoryInformation) {
        e->short_name_len = rd_u8(r);
        rd_skip(r, 1);
        rd_copy(r, e->short_name, 24);
        rd_require(r, e->short_name_len <= 24);
        if (cls == FileIdBothDirectoryInformation) {
            rd_skip(r, 2);
            e->file_id = rd_u64(r);
        }
    } else if (cls == FileIdFullDirectoryInformation) {
        rd_skip(r, 4);
        e->file_id = rd_u64(r);
    }
}

/* One entry of the class from r, which covers exactly the entry. */
static void dir_read_entry(struct rd *r, uint8_t cls, struct fscc_dir_entry *e)
{
    e->file_index = rd_u32(r);
    if (cls != FileNamesInformation) {
        e->creation_time = rd_u64(r);
        e->last_access_time = rd_u64(r);
        e->last_write_time = rd_u64(r);
        e->change_time = rd_u64(r);
        e->end_of_file = rd_u64(r);
        e->allocation_size = rd_u64(r);
        e->file_attributes = rd_u32(r);
    }
    e->file_name_len = rd_u32(r);
    if (cls != FileNamesInformation)
        dir_read_extra(r, cls, e);
    rd_require(r, e->file_name_len % 2 == 0);
    e->file_name = rd_bytes(r, e->file_name_len);
}

bool fscc_dir_iter_next(struct fscc_dir_iter *it, struct fscc_dir_entry *e)
{
    struct rd *r = &it->r;
    if (it->done || !rd_ok(r))
        return false;
    memset(e, 0, sizeof(*e));
    size_t fixed = fscc_dir_entry_fixed_size(it->info_class);
    size_t start = it->next_off;
    size_t avail = r->len - start;
    rd_seek(r, start);
    uint32_t next = rd_u32(r);
    size_t elem_len = avail;
    if (next != 0) {
        rd_require(r, next % 8 == 0 && next >= fixed && avail >= fixed && next <= avail - fixed);
        elem_len = next;
    }
    struct rd er = rd_sub(r, start + 4, elem_len >= 4 ? elem_len - 4 : 0);
    rd_require(r, elem_len >= fixed);
    if (rd_ok(r))
        dir_read_entry(&er, it->info_class, e);
    if (!rd_ok(&er))
        rd_fail(r, STATUS_INVALID_PARAMETER);
    if (!rd_ok(r))
        return false;
    if (next == 0)
        it->done = true;
    else
        it->next_off = start + next;
    it->count++;
    return true;
}
