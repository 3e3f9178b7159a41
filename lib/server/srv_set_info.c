/* SET_INFO. [MS-SMB2] 3.3.5.21: file classes ([MS-FSCC] 2.4) Basic,
 * EndOfFile, Allocation, Disposition (delete on close), Rename (with
 * ReplaceIfExists), Position and Mode; anything else is
 * STATUS_NOT_SUPPORTED (security descriptors, quotas and file-system
 * settings are not stored). A read-only share refuses every change with
 * STATUS_ACCESS_DENIED before anything else. The access the open must hold
 * is checked per class ([MS-FSA] 2.1.5.14). */
#include "server/srv_int.h"

#include "base/utf16.h"
#include "vfs/vfs.h"
#include "wire/create.h"
#include "wire/set_info.h"

#include <stdlib.h>
#include <string.h>

/* The file-system half: one class applied to the file. */
struct set_job {
    struct vfs_file *f;
    uint8_t cls;
    union {
        struct vfs_basic_info basic;
        uint64_t size;
        bool del;
        struct {
            char *name; /* on the heap */
            size_t len;
            bool replace;
        } rename;
    } u;
};

static ntstatus_t set_work(void *job)
{
    struct set_job *j = job;
    switch (j->cls) {
    case FileBasicInformation:
        return vfs_set_basic(j->f, &j->u.basic);
    case FileEndOfFileInformation:
        return vfs_set_end_of_file(j->f, j->u.size);
    case FileAllocationInformation:
        return vfs_set_allocation(j->f, j->u.size);
    case FileDispositionInformation:
        return vfs_set_delete_on_close(j->f, j->u.del);
    case FileRenameInformation:
        return vfs_rename(j->f, j->u.rename.name, j->u.rename.len, j->u.rename.replace);
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

static ntstatus_t set_done(struct srv_req *r, ntstatus_t st)
{
    struct set_job *j = SRV_JOB(r, struct set_job);
    if (j->cls == FileRenameInformation)
        free(j->u.rename.name);
    if (!nt_ok(st))
        return st;
    return smb2_set_info_rsp_encode(r->w);
}

static ntstatus_t set_basic(struct srv_open *o, const struct smb2_set_info_req *q,
                            struct set_job *j)
{
    struct fscc_basic_info b;
    if (!nt_ok(fscc_basic_info_decode(q->buffer, q->buffer_length, &b)))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (!srv_open_can(o, FILE_WRITE_ATTRIBUTES))
        return STATUS_ACCESS_DENIED;
    j->u.basic = (struct vfs_basic_info){(int64_t)b.creation_time, (int64_t)b.last_access_time,
                                         (int64_t)b.last_write_time, (int64_t)b.change_time,
                                         b.file_attributes};
    return STATUS_SUCCESS;
}

static ntstatus_t set_size(struct srv_open *o, const struct smb2_set_info_req *q, struct set_job *j)
{
    if (!nt_ok(fscc_u64_info_decode(q->buffer, q->buffer_length, &j->u.size)))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (!srv_open_can(o, FILE_WRITE_DATA))
        return STATUS_ACCESS_DENIED;
    if (j->u.size > INT64_MAX)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

static ntstatus_t set_disposition(struct srv_open *o, const struct smb2_set_info_req *q,
                                  struct set_job *j)
{
    if (!nt_ok(fscc_disposition_info_decode(q->buffer, q->buffer_length, &j->u.del)))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (!srv_open_can(o, DELETE))
        return STATUS_ACCESS_DENIED;
    return STATUS_SUCCESS;
}

static ntstatus_t set_rename(struct srv_open *o, const struct smb2_set_info_req *q,
                             struct set_job *j)
{
    struct fscc_rename_info ri;
    if (!nt_ok(fscc_rename_info_decode(q->buffer, q->buffer_length, &ri)))
        return STATUS_INVALID_PARAMETER;
    if (!srv_open_can(o, DELETE))
        return STATUS_ACCESS_DENIED;
    if (ri.root_directory != 0)
        return STATUS_INVALID_PARAMETER; /* SMB2 clients send 0 ([MS-FSCC] 2.4.42.2) */
    char name[VFS_PATH_MAX];
    size_t n = 0;
    if (!nt_ok(utf16le_to_utf8(ri.file_name, ri.file_name_len, name, sizeof name, &n)))
        return STATUS_OBJECT_NAME_INVALID;
    const char *p = name;
    if (n > 0 && p[0] == '\\') { /* some clients name the target from the share root */
        p++;
        n--;
    }
    if (!(j->u.rename.name = malloc(n + 1)))
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(j->u.rename.name, p, n);
    j->u.rename.name[n] = '\0';
    j->u.rename.len = n;
    j->u.rename.replace = ri.replace_if_exists;
    return STATUS_SUCCESS;
}

/* Checks a class and fills the job; the classes that only change the open
 * (Position, Mode) are done here, with nothing for the disk (*done). */
static ntstatus_t set_file(struct srv_open *o, const struct smb2_set_info_req *q, struct set_job *j,
                           bool *done)
{
    *done = false;
    switch (q->file_info_class) {
    case FileBasicInformation:
        return set_basic(o, q, j);
    case FileEndOfFileInformation:
    case FileAllocationInformation:
        return set_size(o, q, j);
    case FileDispositionInformation:
        return set_disposition(o, q, j);
    case FileRenameInformation:
        return set_rename(o, q, j);
    case FilePositionInformation: {
        uint64_t v;
        if (!nt_ok(fscc_u64_info_decode(q->buffer, q->buffer_length, &v)))
            return STATUS_INFO_LENGTH_MISMATCH;
        o->position = v;
        *done = true;
        return STATUS_SUCCESS;
    }
    case FileModeInformation: {
        uint32_t v;
        if (!nt_ok(fscc_u32_info_decode(q->buffer, q->buffer_length, &v)))
            return STATUS_INFO_LENGTH_MISMATCH;
        o->mode = v & 0x3Eu; /* [MS-FSCC] 2.4.26: the settable bits */
        *done = true;
        return STATUS_SUCCESS;
    }
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

ntstatus_t srv_set_info(struct srv_req *r)
{
    struct smb2_set_info_req q;
    if (!nt_ok(smb2_set_info_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    struct srv_open *o;
    ntstatus_t st = srv_open_lookup(r, &q.file_id, &o);
    if (!nt_ok(st))
        return st;
    if (q.buffer_length > SRV_MAX_IO)
        return STATUS_INVALID_PARAMETER;
    if (r->tree->share->read_only)
        return STATUS_ACCESS_DENIED;
    switch (q.info_type) {
    case SMB2_0_INFO_FILE:
        break;
    case SMB2_0_INFO_FILESYSTEM:
    case SMB2_0_INFO_SECURITY:
    case SMB2_0_INFO_QUOTA:
        return STATUS_NOT_SUPPORTED;
    default:
        return STATUS_INVALID_PARAMETER;
    }
    struct set_job *j = SRV_JOB(r, struct set_job);
    *j = (struct set_job){.f = o->f, .cls = q.file_info_class};
    bool done = false;
    st = set_file(o, &q, j, &done);
    if (!nt_ok(st) || done) {
        j->cls = 0; /* nothing of the job's to free */
        return nt_ok(st) ? smb2_set_info_rsp_encode(r->w) : st;
    }
    return srv_req_run(r, set_work, set_done);
}
