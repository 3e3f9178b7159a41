/* WRITE. [MS-SMB2] 3.3.5.13: Length up to MaxWriteSize (8 MiB) with a
 * CreditCharge that covers it (3.3.5.2.5), FILE_WRITE_DATA or
 * FILE_APPEND_DATA on the open, a directory is STATUS_INVALID_DEVICE_REQUEST.
 * Offset 0xFFFFFFFFFFFFFFFF on an append-only open writes at the end
 * (3.3.5.13); the data is written from the request frame (no copy);
 * WRITE_THROUGH syncs before answering. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/change_notify.h"
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

struct write_job {
    struct vfs_file *f;
    const uint8_t *data; /* in the request frame */
    uint32_t length;
    uint64_t offset; /* UINT64_MAX: at the end of file (append-only open) */
    bool append, write_through;
    size_t done;
};

static ntstatus_t write_work(void *job, unsigned flags)
{
    struct write_job *j = job;
    uint64_t off = j->offset;
    if (j->append) {
        struct vfs_stat vs;
        ntstatus_t st = vfs_fstat(j->f, flags, &vs);
        if (!nt_ok(st))
            return st;
        off = vs.end_of_file;
    }
    if (off > INT64_MAX || j->length > INT64_MAX - off)
        return STATUS_INVALID_PARAMETER;
    if (j->length == 0)
        return STATUS_SUCCESS;
    ntstatus_t st = vfs_pwrite(j->f, j->data, j->length, off, flags, &j->done);
    /* 2.2.21 SMB2_WRITEFLAG_WRITE_THROUGH: on stable storage before the
     * response. */
    if (nt_ok(st) && j->write_through && j->done > 0)
        st = vfs_fsync(j->f, flags);
    return st;
}

static ntstatus_t write_done(struct srv_req *r, ntstatus_t st)
{
    struct write_job *j = SRV_JOB(r, struct write_job);
    if (!nt_ok(st))
        return st;
    if (j->done > 0)
        srv_notify_change(r->conn->srv, r->open->file->vs, r->open->file->path,
                          FILE_ACTION_MODIFIED,
                          FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE);
    srv_metrics_written(r->conn->srv, j->done);
    struct smb2_write_rsp rsp = {.count = (uint32_t)j->done};
    return smb2_write_rsp_encode(r->w, &rsp);
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
    bool append = q.offset == UINT64_MAX && !srv_open_can(o, FILE_WRITE_DATA);
    if (!append && srv_brl_io_conflict(o->file, o, q.offset, q.length, true))
        return STATUS_FILE_LOCK_CONFLICT; /* [MS-FSA] 2.1.5.3 */
    srv_cache_contend(o);                 /* others' read caching goes ([MS-FSA] 2.1.5.3) */
    struct write_job *j = SRV_JOB(r, struct write_job);
    *j = (struct write_job){.f = o->f,
                            .data = q.data,
                            .length = q.length,
                            .offset = q.offset,
                            .append = append,
                            .write_through = (q.flags & SMB2_WRITEFLAG_WRITE_THROUGH) != 0};
    return srv_req_run_serial(r, &o->file->writes, write_work, write_done);
}
