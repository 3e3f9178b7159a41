/* WRITE. [MS-SMB2] 3.3.5.13: Length up to MaxWriteSize (8 MiB) with a
 * CreditCharge that covers it (3.3.5.2.5), FILE_WRITE_DATA or
 * FILE_APPEND_DATA on the open, a directory is STATUS_INVALID_DEVICE_REQUEST.
 * Offset 0xFFFFFFFFFFFFFFFF on an append-only open writes at the end
 * (3.3.5.13); the data is written from the request frame (no copy);
 * WRITE_THROUGH syncs before answering. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/create.h"
#include "wire/write.h"

static ntstatus_t check(const struct srv_req *r, const struct smb2_write_req *q)
{
    if (q->rdma || q->channel != SMB2_CHANNEL_NONE)
        return STATUS_INVALID_PARAMETER;
    if (!srv_io_len_ok(r, q->length))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

ntstatus_t srv_write(struct srv_req *r)
{
    struct smb2_write_req q;
    if (!nt_ok(smb2_write_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st = check(r, &q);
    if (!nt_ok(st))
        return st;
    struct srv_open *o;
    st = srv_open_lookup(r, &q.file_id, &o);
    if (!nt_ok(st))
        return st;
    if (o->is_dir)
        return STATUS_INVALID_DEVICE_REQUEST;
    if (!srv_open_can(o, FILE_WRITE_DATA | FILE_APPEND_DATA))
        return STATUS_ACCESS_DENIED;
    uint64_t off = q.offset;
    if (off == UINT64_MAX && !srv_open_can(o, FILE_WRITE_DATA)) {
        struct vfs_stat vs;
        st = vfs_fstat(o->f, &vs);
        if (!nt_ok(st))
            return st;
        off = vs.end_of_file;
    }
    if (off > INT64_MAX || q.length > INT64_MAX - off)
        return STATUS_INVALID_PARAMETER;
    size_t done = 0;
    if (q.length > 0) {
        st = vfs_pwrite(o->f, q.data, q.length, off, &done);
        if (!nt_ok(st))
            return st;
    }
    /* 2.2.21 SMB2_WRITEFLAG_WRITE_THROUGH: on stable storage before the
     * response. */
    if ((q.flags & SMB2_WRITEFLAG_WRITE_THROUGH) && done > 0 && !nt_ok(st = vfs_fsync(o->f)))
        return st;
    struct smb2_write_rsp rsp = {.count = (uint32_t)done};
    return smb2_write_rsp_encode(r->w, &rsp);
}
