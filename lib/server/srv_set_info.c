/* SET_INFO. [MS-SMB2] 3.3.5.21: file classes ([MS-FSCC] 2.4) Basic,
 * EndOfFile, Allocation, Disposition (delete on close), Rename (with
 * ReplaceIfExists), Position and Mode; anything else is
 * STATUS_NOT_SUPPORTED (security descriptors, quotas and file-system
 * settings are not stored). A read-only share refuses every change with
 * STATUS_ACCESS_DENIED before anything else. The access the open must hold
 * is checked per class ([MS-FSA] 2.1.5.14). Delete-pending and the paths of
 * renamed files are the file table's (srv_file.h). */
#include "server/srv_int.h"

#include "base/utf16.h"
#include "vfs/vfs.h"
#include "wire/change_notify.h"
#include "wire/create.h"
#include "wire/set_info.h"

#include <stdlib.h>
#include <string.h>

struct set_job {
    struct vfs_file *f;
    uint8_t cls;
    union {
        struct vfs_basic_info basic;
        uint64_t size;
        bool empty; /* a directory to delete is empty */
        struct {
            struct vfs_share *vs;
            char *old_path, *new_path; /* normalized, on the heap */
            uint64_t dev, ino;
            bool replace;
            bool checked;           /* the target was looked at (first step done) */
            struct vfs_stat target; /* what is at new_path */
            ntstatus_t target_status;
        } ren;
    } u;
};

/* The file-system half of each class. A rename has two: look at the
 * target, then (after the file table's checks) move. */
static ntstatus_t set_work(void *job, unsigned flags)
{
    struct set_job *j = job;
    switch (j->cls) {
    case FileBasicInformation:
        return vfs_set_basic(j->f, &j->u.basic, flags);
    case FileEndOfFileInformation:
        return vfs_set_end_of_file(j->f, j->u.size, flags);
    case FileAllocationInformation:
        return vfs_set_allocation(j->f, j->u.size, flags);
    case FileDispositionInformation:
        return vfs_dir_is_empty(j->f, flags, &j->u.empty);
    case FileRenameInformation:
        if (!j->u.ren.checked) {
            j->u.ren.target_status =
                vfs_stat_path(j->u.ren.vs, j->u.ren.new_path, flags, &j->u.ren.target);
            return nt_eq(j->u.ren.target_status, STATUS_SIGNET_WOULD_BLOCK) ? j->u.ren.target_status
                                                                            : STATUS_SUCCESS;
        }
        return vfs_rename(j->u.ren.vs, j->u.ren.old_path, j->u.ren.dev, j->u.ren.ino,
                          j->u.ren.new_path, j->u.ren.replace, flags);
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

static void job_free(struct set_job *j)
{
    if (j->cls == FileRenameInformation) {
        free(j->u.ren.old_path);
        free(j->u.ren.new_path);
        j->u.ren.old_path = j->u.ren.new_path = NULL;
    }
}

static ntstatus_t set_done(struct srv_req *r, ntstatus_t st);

static bool same_parent(const char *a, const char *b)
{
    const char *sa = strrchr(a, '/'), *sb = strrchr(b, '/');
    size_t la = sa ? (size_t)(sa - a) : 0, lb = sb ? (size_t)(sb - b) : 0;
    return la == lb && strncmp(a, b, la) == 0;
}

/* CHANGE_NOTIFY of a rename: old and new name in one directory, else a
 * removal from one and an addition to the other (as Windows reports a
 * move). */
static void announce_rename(struct srv *s, const struct set_job *j, bool is_dir)
{
    uint32_t filter = srv_notify_name_filter(is_dir);
    const char *from = j->u.ren.old_path, *to = j->u.ren.new_path;
    bool here = same_parent(from, to);
    srv_notify_change(s, j->u.ren.vs, from,
                      here ? FILE_ACTION_RENAMED_OLD_NAME : FILE_ACTION_REMOVED, filter);
    srv_notify_change(s, j->u.ren.vs, to, here ? FILE_ACTION_RENAMED_NEW_NAME : FILE_ACTION_ADDED,
                      filter);
}

/* CHANGE_NOTIFY of the other classes: what they changed. */
static void announce_change(struct srv *s, const struct srv_file *f, const struct set_job *j)
{
    uint32_t filter = 0;
    if (j->cls == FileBasicInformation) {
        const struct vfs_basic_info *b = &j->u.basic;
        filter |= b->attributes ? FILE_NOTIFY_CHANGE_ATTRIBUTES : 0;
        filter |= b->last_write_time > 0 ? FILE_NOTIFY_CHANGE_LAST_WRITE : 0;
        filter |= b->last_access_time > 0 ? FILE_NOTIFY_CHANGE_LAST_ACCESS : 0;
        filter |= b->creation_time > 0 ? FILE_NOTIFY_CHANGE_CREATION : 0;
    } else if (j->cls == FileEndOfFileInformation || j->cls == FileAllocationInformation) {
        filter = FILE_NOTIFY_CHANGE_SIZE;
    }
    if (filter)
        srv_notify_change(s, f->vs, f->path, FILE_ACTION_MODIFIED, filter);
}

/* [MS-FSA] 2.1.5.14.11 once the target was looked at: replacing a file
 * that is open is STATUS_ACCESS_DENIED; then the move, on the pool. */
static ntstatus_t rename_checked(struct srv_req *r, struct set_job *j)
{
    j->u.ren.checked = true;
    const struct vfs_stat *t = &j->u.ren.target;
    if (nt_ok(j->u.ren.target_status) && j->u.ren.replace &&
        !(t->dev == j->u.ren.dev && t->file_index == j->u.ren.ino)) {
        const struct srv_file *tf = srv_file_find(r->conn->srv, j->u.ren.vs, t->dev, t->file_index);
        if (tf && tf->n_opens > 0)
            return STATUS_ACCESS_DENIED;
    } else if (!nt_ok(j->u.ren.target_status) &&
               !nt_eq(j->u.ren.target_status, STATUS_OBJECT_NAME_NOT_FOUND)) {
        return j->u.ren.target_status; /* e.g. the target's directory is missing */
    }
    return srv_req_run(r, set_work, set_done);
}

static ntstatus_t set_done(struct srv_req *r, ntstatus_t st)
{
    struct set_job *j = SRV_JOB(r, struct set_job);
    struct srv_file *file = r->open->file;
    if (nt_ok(st) && j->cls == FileRenameInformation && !j->u.ren.checked) {
        st = rename_checked(r, j);
        if (nt_eq(st, STATUS_SIGNET_ASYNC))
            return st;
    } else if (nt_ok(st) && j->cls == FileRenameInformation) {
        st = srv_file_renamed(r->conn->srv, j->u.ren.vs, j->u.ren.old_path, j->u.ren.new_path);
        announce_rename(r->conn->srv, j, file->is_dir);
    } else if (nt_ok(st) && j->cls == FileDispositionInformation) {
        if (j->u.empty) {
            file->delete_pending = true;
            srv_notify_delete_pending(file);
        } else
            st = STATUS_DIRECTORY_NOT_EMPTY; /* [MS-FSA] 2.1.5.14.3 */
    }
    if (nt_ok(st))
        announce_change(r->conn->srv, file, j);
    job_free(j);
    if (!nt_ok(st))
        return st;
    return smb2_set_info_rsp_encode(r->w);
}

/* ---- the classes: checks on the loop, the job filled ---- */

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
    srv_cache_contend(o); /* others' read caching goes ([MS-FSA] 2.1.5.14.4) */
    return STATUS_SUCCESS;
}

/* FileDispositionInformation ([MS-FSA] 2.1.5.14.3): DeletePending on the
 * file; a directory must be empty first (looked at on the pool); the share
 * root cannot go. Clearing it, or setting it on a file, needs nothing of
 * the disk (*done). */
static ntstatus_t set_disposition(struct srv_open *o, const struct smb2_set_info_req *q, bool *done)
{
    bool del;
    if (!nt_ok(fscc_disposition_info_decode(q->buffer, q->buffer_length, &del)))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (!srv_open_can(o, DELETE))
        return STATUS_ACCESS_DENIED;
    if (del && o->file->is_root)
        return STATUS_ACCESS_DENIED;
    if (del)
        srv_cache_before_delete(o);
    if (!del || !o->is_dir) {
        o->file->delete_pending = del;
        *done = true;
    }
    return STATUS_SUCCESS;
}

/* A rename adds a name to the target's directory: as if it opened that
 * directory to add a file (FILE_ADD_FILE, sharing read and write), it
 * conflicts with an open of the directory that has DELETE access or does
 * not share writing (Windows; smbtorture smb2.rename.*_delete_access). */
static ntstatus_t target_dir_check(const struct srv *s, const struct vfs_share *vs, const char *rel)
{
    char dir[VFS_PATH_MAX];
    const char *slash = strrchr(rel, '/');
    if (slash) {
        memcpy(dir, rel, (size_t)(slash - rel));
        dir[slash - rel] = '\0';
    } else {
        strcpy(dir, ".");
    }
    const struct srv_file *d = srv_file_find_path(s, vs, dir);
    if (!d)
        return STATUS_SUCCESS;
    return srv_file_share_check(d, FILE_WRITE_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE);
}

/* FileRenameInformation ([MS-FSA] 2.1.5.14.11): the target normalized here;
 * the share root cannot move, nor a directory with open files below it. */
static ntstatus_t set_rename(struct srv_req *r, struct srv_open *o,
                             const struct smb2_set_info_req *q, struct set_job *j)
{
    struct fscc_rename_info ri;
    if (!nt_ok(fscc_rename_info_decode(q->buffer, q->buffer_length, &ri)))
        return STATUS_INVALID_PARAMETER;
    if (!srv_open_can(o, DELETE))
        return STATUS_ACCESS_DENIED;
    if (ri.root_directory != 0)
        return STATUS_INVALID_PARAMETER; /* SMB2 clients send 0 ([MS-FSCC] 2.4.42.2) */
    char name[VFS_PATH_MAX], rel[VFS_PATH_MAX];
    size_t n = 0;
    if (!nt_ok(utf16le_to_utf8(ri.file_name, ri.file_name_len, name, sizeof name, &n)))
        return STATUS_OBJECT_NAME_INVALID;
    const char *p = name;
    if (n > 0 && p[0] == '\\') { /* some clients name the target from the share root */
        p++;
        n--;
    }
    ntstatus_t st = vfs_path_normalize(p, n, rel, sizeof rel, NULL);
    if (!nt_ok(st))
        return st;
    struct srv_file *f = o->file;
    if (f->is_root || strcmp(rel, ".") == 0)
        return STATUS_ACCESS_DENIED;
    if (f->is_dir && srv_file_open_below(r->conn->srv, f->vs, f->path))
        return STATUS_ACCESS_DENIED;
    if (!nt_ok(st = target_dir_check(r->conn->srv, f->vs, rel)))
        return st;
    j->u.ren.vs = f->vs;
    j->u.ren.dev = f->dev;
    j->u.ren.ino = f->ino;
    j->u.ren.replace = ri.replace_if_exists;
    j->u.ren.old_path = strdup(f->path);
    j->u.ren.new_path = strdup(rel);
    if (!j->u.ren.old_path || !j->u.ren.new_path)
        return STATUS_INSUFFICIENT_RESOURCES; /* job_free frees what was taken */
    return STATUS_SUCCESS;
}

/* Checks a class and fills the job; the classes that change only the open
 * or the file table are done here, with nothing for the disk (*done). */
static ntstatus_t set_file(struct srv_req *r, struct srv_open *o, const struct smb2_set_info_req *q,
                           struct set_job *j, bool *done)
{
    *done = false;
    switch (q->file_info_class) {
    case FileBasicInformation:
        return set_basic(o, q, j);
    case FileEndOfFileInformation:
    case FileAllocationInformation:
        return set_size(o, q, j);
    case FileDispositionInformation:
        return set_disposition(o, q, done);
    case FileRenameInformation:
        return set_rename(r, o, q, j);
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

/* A rename waited for other leases' handle caching: all of it again. */
static ntstatus_t rename_woken(struct srv_req *r, ntstatus_t st)
{
    return nt_ok(st) ? srv_set_info(r) : st;
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
    st = set_file(r, o, &q, j, &done);
    if (nt_ok(st) && !done && j->cls == FileRenameInformation &&
        nt_eq(st = srv_cache_before_rename(o), STATUS_RETRY)) {
        job_free(j);
        return srv_cache_wait(r, o->file, rename_woken);
    }
    if (!nt_ok(st) || done) {
        job_free(j);
        return nt_ok(st) ? smb2_set_info_rsp_encode(r->w) : st;
    }
    return srv_req_run(r, set_work, set_done);
}
