/* READ. [MS-SMB2] 3.3.5.12: Length up to MaxReadSize (8 MiB) with a
 * CreditCharge that covers it (3.3.5.2.5), FILE_READ_DATA on the open (or
 * FILE_EXECUTE, which Windows also accepts for reading), a directory is
 * STATUS_INVALID_DEVICE_REQUEST, reading at or past the end of file (or less
 * than MinimumCount) is STATUS_END_OF_FILE. The data is read straight into
 * the response frame after the 16-byte fixed part (no copy). */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/create.h"
#include "wire/read.h"

static ntstatus_t check(const struct srv_req *r, const struct smb2_read_req *q)
{
    if (q->rdma || q->channel != SMB2_CHANNEL_NONE)
        return STATUS_INVALID_PARAMETER; /* no RDMA transport */
    if (!srv_io_len_ok(r, q->length))
        return STATUS_INVALID_PARAMETER;
    if (q->offset > INT64_MAX || q->length > INT64_MAX - q->offset)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

struct read_job {
    struct vfs_file *f;
    uint8_t *data; /* in the response, after its fixed part */
    uint32_t length, minimum_count;
    uint64_t offset;
    size_t got;
};

static ntstatus_t read_work(void *job, unsigned flags)
{
    struct read_job *j = job;
    return vfs_pread(j->f, j->data, j->length, j->offset, flags, &j->got);
}

static ntstatus_t read_done(struct srv_req *r, ntstatus_t st)
{
    struct read_job *j = SRV_JOB(r, struct read_job);
    if (!nt_ok(st))
        return st;
    /* 3.3.5.12: fewer bytes than MinimumCount, or none when some were asked
     * for, is the end of file; a zero-length read is answered empty. */
    if (j->got < j->minimum_count || (j->got == 0 && j->length > 0))
        return STATUS_END_OF_FILE;
    r->open->position = j->offset + j->got; /* Samba's FilePositionInformation */
    srv_metrics_read(r->conn->srv, j->got);
    struct smb2_read_rsp rsp = {.data_length = (uint32_t)j->got, .data = NULL};
    st = smb2_read_rsp_encode(r->w, &rsp);
    if (nt_ok(st) && !wr_reserve(r->w, j->got))
        st = STATUS_INTERNAL_ERROR;
    return st;
}

ntstatus_t srv_read(struct srv_req *r)
{
    struct smb2_read_req q;
    if (!nt_ok(smb2_read_req_decode(r->msg, r->len, &q)))
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
    if (!srv_open_can(o, FILE_READ_DATA | FILE_EXECUTE))
        return STATUS_ACCESS_DENIED;
    if (srv_brl_io_conflict(o->file, o, q.offset, q.length, false))
        return STATUS_FILE_LOCK_CONFLICT; /* [MS-FSA] 2.1.5.2 */
    struct wr *w = r->w;
    if (wr_left(w) < 16 + (size_t)q.length)
        return STATUS_INSUFFICIENT_RESOURCES; /* over the frame's room */
    struct read_job *j = SRV_JOB(r, struct read_job);
    *j = (struct read_job){.f = o->f,
                           .data = w->p + wr_pos(w) + 16,
                           .length = q.length,
                           .minimum_count = q.minimum_count,
                           .offset = q.offset};
    if (q.length == 0)
        return read_done(r, STATUS_SUCCESS);
    /* A large read is a long copy even from the page cache: on the pool it
     * runs beside the loop's signing and sending of the responses before it. */
    if (q.length > SRV_READ_INLINE_MAX)
        return srv_req_run_pool(r, read_work, read_done);
    return srv_req_run(r, read_work, read_done);
}
