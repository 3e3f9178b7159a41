/* CLOSE. [MS-SMB2] 3.3.5.10: with SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB the
 * attributes are taken just before the close; the open leaves the table and
 * a pending delete happens (lib/vfs) when it was the file's last open. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/close.h"

ntstatus_t srv_close(struct srv_req *r)
{
    struct smb2_close_req q;
    if (!nt_ok(smb2_close_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    struct srv_open *o;
    ntstatus_t st = srv_open_lookup(r, &q.file_id, &o);
    if (!nt_ok(st))
        return st;
    struct smb2_close_rsp rsp = {0};
    struct vfs_stat vs;
    if ((q.flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB) && nt_ok(srv_fstat(o->f, &vs))) {
        rsp = (struct smb2_close_rsp){.flags = SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB,
                                      .creation_time = vs.creation_time,
                                      .last_access_time = vs.last_access_time,
                                      .last_write_time = vs.last_write_time,
                                      .change_time = vs.change_time,
                                      .allocation_size = vs.allocation_size,
                                      .end_of_file = vs.end_of_file,
                                      .file_attributes = vs.attributes};
    }
    st = srv_open_close(r->conn, o);
    if (!nt_ok(st))
        return st; /* the handle is gone; the pending delete failed */
    return smb2_close_rsp_encode(r->w, &rsp);
}
