/* SMB2 CLOSE. [MS-SMB2] 2.2.15, 2.2.16. */
#include "wire/close.h"

#include "wire/hdr.h"

#include <string.h>

#define CLOSE_REQ_STRUCTURE_SIZE 24
#define CLOSE_RSP_STRUCTURE_SIZE 60

/* [MS-SMB2] 2.2.15: StructureSize, Flags, Reserved (u32), FileId. */
ntstatus_t smb2_close_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_close_req *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, CLOSE_REQ_STRUCTURE_SIZE);
    out->flags = rd_u16(&r);
    rd_skip(&r, 4); /* Reserved */
    smb2_file_id_read(&r, &out->file_id);
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

ntstatus_t smb2_close_req_encode(struct wr *w, const struct smb2_close_req *in)
{
    wr_u16(w, CLOSE_REQ_STRUCTURE_SIZE);
    wr_u16(w, in->flags);
    wr_u32(w, 0);
    smb2_file_id_write(w, &in->file_id);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.16: StructureSize, Flags, Reserved (u32), four FILETIMEs,
 * AllocationSize, EndofFile, FileAttributes. */
ntstatus_t smb2_close_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_close_rsp *out)
{
    struct rd r;
    smb2_body_rd(&r, msg, msg_len, CLOSE_RSP_STRUCTURE_SIZE);
    out->flags = rd_u16(&r);
    rd_skip(&r, 4); /* Reserved */
    out->creation_time = rd_u64(&r);
    out->last_access_time = rd_u64(&r);
    out->last_write_time = rd_u64(&r);
    out->change_time = rd_u64(&r);
    out->allocation_size = rd_u64(&r);
    out->end_of_file = rd_u64(&r);
    out->file_attributes = rd_u32(&r);
    uint16_t flags = out->flags;
    if (!rd_ok(&r) || !(flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB)) {
        /* the attributes are not valid without the flag: receivers ignore them */
        memset(out, 0, sizeof(*out));
        out->flags = rd_ok(&r) ? flags : 0;
    }
    return rd_status(&r);
}

ntstatus_t smb2_close_rsp_encode(struct wr *w, const struct smb2_close_rsp *in)
{
    bool attrib = (in->flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB) != 0;
    wr_u16(w, CLOSE_RSP_STRUCTURE_SIZE);
    wr_u16(w, in->flags);
    wr_u32(w, 0);
    wr_u64(w, attrib ? in->creation_time : 0);
    wr_u64(w, attrib ? in->last_access_time : 0);
    wr_u64(w, attrib ? in->last_write_time : 0);
    wr_u64(w, attrib ? in->change_time : 0);
    wr_u64(w, attrib ? in->allocation_size : 0);
    wr_u64(w, attrib ? in->end_of_file : 0);
    wr_u32(w, attrib ? in->file_attributes : 0);
    return wr_status(w);
}
