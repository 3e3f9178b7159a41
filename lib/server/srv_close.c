/* CLOSE. [MS-SMB2] 3.3.5.10: with SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB the
 * attributes are taken just before the close; the open leaves the table at
 * once (what waits on it is cancelled) and a pending delete happens (lib/vfs)
 * when it was the file's last open. When no other request uses the open the
 * file is closed here, so the response carries the delete's status; else it
 * is closed with the last of those requests. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/close.h"

struct close_job {
    struct vfs_file *f;      /* to close, when no other request uses it */
    struct vfs_file *stat_f; /* to stat (r->open keeps it alive meanwhile) */
    bool postquery;
    struct vfs_stat st;
    ntstatus_t stat_status;
};

static ntstatus_t close_work(void *job)
{
    struct close_job *j = job;
    if (j->postquery) {
        j->stat_status = srv_fstat(j->stat_f, &j->st);
        if (nt_eq(j->stat_status, STATUS_SIGNET_WOULD_BLOCK))
            return j->stat_status;
    }
    return j->f ? vfs_close(j->f) : STATUS_SUCCESS;
}

static ntstatus_t close_done(struct srv_req *r, ntstatus_t st)
{
    struct close_job *j = SRV_JOB(r, struct close_job);
    if (!nt_ok(st))
        return st; /* the handle is gone; the pending delete failed */
    struct smb2_close_rsp rsp = {0};
    if (j->postquery && nt_ok(j->stat_status))
        rsp = (struct smb2_close_rsp){.flags = SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB,
                                      .creation_time = j->st.creation_time,
                                      .last_access_time = j->st.last_access_time,
                                      .last_write_time = j->st.last_write_time,
                                      .change_time = j->st.change_time,
                                      .allocation_size = j->st.allocation_size,
                                      .end_of_file = j->st.end_of_file,
                                      .file_attributes = j->st.attributes};
    return smb2_close_rsp_encode(r->w, &rsp);
}

ntstatus_t srv_close(struct srv_req *r)
{
    struct smb2_close_req q;
    if (!nt_ok(smb2_close_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    struct srv_open *o;
    ntstatus_t st = srv_open_lookup(r, &q.file_id, &o);
    if (!nt_ok(st))
        return st;
    struct close_job *j = SRV_JOB(r, struct close_job);
    *j = (struct close_job){.postquery = (q.flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB) != 0,
                            .stat_f = o->f};
    srv_open_remove(o);
    if (o->refs == 1) { /* only this request's: the file is ours to close */
        j->f = o->f;
        o->f = NULL;
    }
    return srv_req_run(r, close_work, close_done);
}
