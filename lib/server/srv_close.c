/* CLOSE. [MS-SMB2] 3.3.5.10: with SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB the
 * attributes are taken just before the close. The open leaves the table and
 * its file's OpenList at once (its locks go, what waits on it is
 * cancelled); when it was the last open of a delete-pending file the file
 * is removed before the response, which carries the removal's status. The
 * descriptor is closed with the open's last reference (a READ or WRITE on
 * the pool may still hold one). */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/change_notify.h"
#include "wire/close.h"

#include <stdlib.h>
#include <string.h>

struct close_job {
    struct vfs_file *f; /* to stat (r->open keeps it alive meanwhile) */
    bool postquery;
    struct vfs_stat st;
    ntstatus_t stat_status;
    /* the file to delete, when this was its last open */
    struct vfs_share *vs;
    char *path;
    uint64_t dev, ino;
    bool is_dir;
};

static ntstatus_t close_work(void *job, unsigned flags)
{
    struct close_job *j = job;
    if (j->postquery) {
        j->stat_status = vfs_fstat(j->f, flags, &j->st);
        if (nt_eq(j->stat_status, STATUS_SIGNET_WOULD_BLOCK))
            return j->stat_status;
    }
    if (j->path)
        return vfs_unlink(j->vs, j->path, j->dev, j->ino, j->is_dir, flags);
    return STATUS_SUCCESS;
}

static ntstatus_t close_done(struct srv_req *r, ntstatus_t st)
{
    struct close_job *j = SRV_JOB(r, struct close_job);
    struct srv_file *file = r->open->file;
    if (j->path) {
        if (nt_ok(st))
            srv_notify_change(r->conn->srv, j->vs, j->path, FILE_ACTION_REMOVED,
                              srv_notify_name_filter(j->is_dir));
        free(j->path);
        j->path = NULL;
        file->deleting = false;
        srv_cache_wake(file); /* CREATEs waiting for it to go (srv_create.c) */
        srv_file_unref(r->conn->srv, file);
    }
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
                                      .file_attributes =
                                          srv_attributes(j->st.attributes, srv_file_name(file))};
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
    *j = (struct close_job){.f = o->f,
                            .postquery = (q.flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB) != 0};
    if (srv_open_remove(o, true)) {
        struct srv_file *file = o->file; /* r->open keeps it */
        j->path = strdup(file->path);
        if (!j->path) {
            srv_file_delete_later(r->conn->srv, file);
        } else {
            j->vs = file->vs;
            j->dev = file->dev;
            j->ino = file->ino;
            j->is_dir = file->is_dir;
            file->deleting = true;
            srv_file_ref(file);
        }
    }
    if (!j->postquery && !j->path)
        return close_done(r, STATUS_SUCCESS);
    return srv_req_run(r, close_work, close_done);
}
