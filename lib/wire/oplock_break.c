/* SMB2 OPLOCK_BREAK. [MS-SMB2] 2.2.23, 2.2.24, 2.2.25. */
#include "wire/oplock_break.h"

#include <string.h>

/* 2.2.23.1 / 2.2.24.1 / 2.2.25.1, after StructureSize. */
static void oplock_read(struct rd *r, struct smb2_oplock_break *o)
{
    o->oplock_level = rd_u8(r);
    rd_skip(r, 1); /* Reserved */
    rd_skip(r, 4); /* Reserved2 */
    smb2_file_id_read(r, &o->file_id);
}

/* 2.2.23.2, after StructureSize. */
static void lease_notify_read(struct rd *r, struct smb2_lease_break_notify *n)
{
    n->new_epoch = rd_u16(r);
    n->flags = rd_u32(r);
    rd_copy(r, n->lease_key, 16);
    n->current_lease_state = rd_u32(r);
    n->new_lease_state = rd_u32(r);
    n->break_reason = rd_u32(r);
    n->access_mask_hint = rd_u32(r);
    n->share_mask_hint = rd_u32(r);
}

/* 2.2.24.2 / 2.2.25.2, after StructureSize. */
static void lease_ack_read(struct rd *r, struct smb2_lease_break_ack *a)
{
    rd_skip(r, 2); /* Reserved */
    a->flags = rd_u32(r);
    rd_copy(r, a->lease_key, 16);
    a->lease_state = rd_u32(r);
    a->lease_duration = rd_u64(r);
}

static ntstatus_t break_decode(const uint8_t *msg, size_t msg_len, struct smb2_break *out,
                               bool from_server)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    memset(out, 0, sizeof(*out));
    rd_seek(&r, SMB2_HDR_SIZE);
    uint16_t size = rd_u16(&r);
    if (size == SMB2_OPLOCK_BREAK_STRUCTURE_SIZE) {
        out->kind = SMB2_BREAK_OPLOCK;
        oplock_read(&r, &out->u.oplock);
    } else if (size == SMB2_LEASE_BREAK_ACK_STRUCTURE_SIZE) {
        out->kind = SMB2_BREAK_LEASE_ACK;
        lease_ack_read(&r, &out->u.lease_ack);
    } else if (size == SMB2_LEASE_BREAK_NOTIFY_STRUCTURE_SIZE && from_server) {
        out->kind = SMB2_BREAK_LEASE_NOTIFY;
        lease_notify_read(&r, &out->u.lease_notify);
    } else {
        rd_fail(&r, STATUS_INVALID_PARAMETER);
    }
    return rd_status(&r);
}

/* [MS-SMB2] 2.2.24 SMB2 OPLOCK_BREAK Acknowledgment */
ntstatus_t smb2_oplock_break_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_break *out)
{
    return break_decode(msg, msg_len, out, false);
}

/* [MS-SMB2] 2.2.23 Notification / 2.2.25 Response */
ntstatus_t smb2_oplock_break_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_break *out)
{
    return break_decode(msg, msg_len, out, true);
}

ntstatus_t smb2_oplock_break_encode(struct wr *w, const struct smb2_break *in)
{
    switch (in->kind) {
    case SMB2_BREAK_OPLOCK:
        wr_u16(w, SMB2_OPLOCK_BREAK_STRUCTURE_SIZE);
        wr_u8(w, in->u.oplock.oplock_level);
        wr_u8(w, 0);
        wr_u32(w, 0);
        smb2_file_id_write(w, &in->u.oplock.file_id);
        break;
    case SMB2_BREAK_LEASE_NOTIFY:
        wr_u16(w, SMB2_LEASE_BREAK_NOTIFY_STRUCTURE_SIZE);
        wr_u16(w, in->u.lease_notify.new_epoch);
        wr_u32(w, in->u.lease_notify.flags);
        wr_bytes(w, in->u.lease_notify.lease_key, 16);
        wr_u32(w, in->u.lease_notify.current_lease_state);
        wr_u32(w, in->u.lease_notify.new_lease_state);
        wr_u32(w, in->u.lease_notify.break_reason);
        wr_u32(w, in->u.lease_notify.access_mask_hint);
        wr_u32(w, in->u.lease_notify.share_mask_hint);
        break;
    case SMB2_BREAK_LEASE_ACK:
        wr_u16(w, SMB2_LEASE_BREAK_ACK_STRUCTURE_SIZE);
        wr_u16(w, 0);
        wr_u32(w, in->u.lease_ack.flags);
        wr_bytes(w, in->u.lease_ack.lease_key, 16);
        wr_u32(w, in->u.lease_ack.lease_state);
        wr_u64(w, in->u.lease_ack.lease_duration);
        break;
    default:
        wr_fail(w, STATUS_INVALID_PARAMETER);
    }
    return wr_status(w);
}
