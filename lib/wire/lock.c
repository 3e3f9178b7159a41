/* SMB2 LOCK. [MS-SMB2] 2.2.26, 2.2.27. */
#include "wire/lock.h"

#include <string.h>

/* [MS-SMB2] 2.2.26 SMB2 LOCK Request */
ntstatus_t smb2_lock_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_lock_req *out)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_LOCK_REQ_STRUCTURE_SIZE);
    uint16_t count = rd_u16(&r);
    uint32_t seq = rd_u32(&r);
    smb2_file_id_read(&r, &out->file_id);
    rd_require(&r, count >= 1 && count <= SMB2_LOCK_MAX_ELEMENTS);
    rd_require(&r, rd_left(&r) / SMB2_LOCK_ELEMENT_SIZE >= count);
    if (!rd_ok(&r))
        return rd_status(&r);
    out->lock_count = count;
    out->lock_sequence_number = (uint8_t)(seq & 0xF);
    out->lock_sequence_index = seq >> 4;
    for (uint16_t i = 0; i < count; i++) {
        /* [MS-SMB2] 2.2.26.1 SMB2_LOCK_ELEMENT */
        out->locks[i].offset = rd_u64(&r);
        out->locks[i].length = rd_u64(&r);
        out->locks[i].flags = rd_u32(&r);
        rd_skip(&r, 4); /* Reserved */
    }
    return rd_status(&r);
}

ntstatus_t smb2_lock_req_encode(struct wr *w, const struct smb2_lock_req *in)
{
    if (in->lock_count < 1 || in->lock_count > SMB2_LOCK_MAX_ELEMENTS ||
        in->lock_sequence_number > 0xF || in->lock_sequence_index > 0x0FFFFFFFu)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_u16(w, SMB2_LOCK_REQ_STRUCTURE_SIZE);
    wr_u16(w, in->lock_count);
    wr_u32(w, in->lock_sequence_index << 4 | in->lock_sequence_number);
    smb2_file_id_write(w, &in->file_id);
    for (uint16_t i = 0; i < in->lock_count && wr_ok(w); i++) {
        wr_u64(w, in->locks[i].offset);
        wr_u64(w, in->locks[i].length);
        wr_u32(w, in->locks[i].flags);
        wr_u32(w, 0);
    }
    return wr_status(w);
}

/* [MS-SMB2] 2.2.27 SMB2 LOCK Response */
ntstatus_t smb2_lock_rsp_decode(const uint8_t *msg, size_t msg_len)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    rd_seek(&r, SMB2_HDR_SIZE);
    rd_require(&r, rd_u16(&r) == SMB2_LOCK_RSP_STRUCTURE_SIZE);
    rd_skip(&r, 2); /* Reserved */
    return rd_status(&r);
}

ntstatus_t smb2_lock_rsp_encode(struct wr *w)
{
    wr_u16(w, SMB2_LOCK_RSP_STRUCTURE_SIZE);
    wr_u16(w, 0);
    return wr_status(w);
}

bool smb2_lock_flags_valid(uint32_t flags)
{
    switch (flags) {
    case SMB2_LOCKFLAG_SHARED_LOCK:
    case SMB2_LOCKFLAG_EXCLUSIVE_LOCK:
    case SMB2_LOCKFLAG_SHARED_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY:
    case SMB2_LOCKFLAG_EXCLUSIVE_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY:
    case SMB2_LOCKFLAG_UNLOCK:
        return true;
    default:
        return false;
    }
}
