/* FLUSH. [MS-SMB2] 3.3.5.11: needs FILE_WRITE_DATA or FILE_APPEND_DATA on
 * the open, else STATUS_ACCESS_DENIED; then fsync. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/create.h"
#include "wire/flush.h"

static ntstatus_t flush_work(void *job, unsigned flags)
{
    struct vfs_file **f = job;
    return vfs_fsync(*f, flags);
}

static ntstatus_t flush_done(struct srv_req *r, ntstatus_t st)
{
    if (!nt_ok(st))
        return st;
    struct smb2_flush_rsp rsp = {0};
    return smb2_flush_rsp_encode(r->w, &rsp);
}

ntstatus_t srv_flush(struct srv_req *r)
{
    struct smb2_flush_req q;
    if (!nt_ok(smb2_flush_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    struct srv_open *o;
    ntstatus_t st = srv_open_lookup(r, &q.file_id, &o);
    if (!nt_ok(st))
        return st;
    if (!srv_open_can(o, FILE_WRITE_DATA | FILE_APPEND_DATA))
        return STATUS_ACCESS_DENIED;
    if (o->is_dir)
        return flush_done(r, STATUS_SUCCESS);
    *SRV_JOB(r, struct vfs_file *) = o->f;
    return srv_req_run(r, flush_work, flush_done);
}
