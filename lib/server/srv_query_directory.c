/* QUERY_DIRECTORY. [MS-SMB2] 3.3.5.18: FileDirectory, FileFullDirectory,
 * FileBothDirectory, FileIdBothDirectory, FileIdFullDirectory and
 * FileNames information; RESTART_SCANS and REOPEN restart the enumeration
 * with the request's pattern (as does the first request on an open);
 * RETURN_SINGLE_ENTRY stops after one entry. FileIndex is the entry's place
 * in the enumeration (from 1; [MS-FSCC] 2.4 leaves it to the file system);
 * INDEX_SPECIFIED is accepted and the enumeration goes on from where it is,
 * as Windows does (a resume by index is optional, [MS-SMB2] <54>). The end is STATUS_NO_MORE_FILES,
 * or STATUS_NO_SUCH_FILE when the first request of an enumeration matches nothing. Entries are
 * written straight into the response frame (fscc_dir_writer). */
#include "server/srv_int.h"

#include "base/utf16.h"
#include "vfs/vfs.h"
#include "wire/create.h"
#include "wire/query_directory.h"

#include <stdlib.h>
#include <string.h>

static void to_entry(const struct vfs_dirent *d, struct fscc_dir_entry *e)
{
    *e = (struct fscc_dir_entry){.file_index = d->dir_index,
                                 .creation_time = d->st.creation_time,
                                 .last_access_time = d->st.last_access_time,
                                 .last_write_time = d->st.last_write_time,
                                 .change_time = d->st.change_time,
                                 .end_of_file = d->st.end_of_file,
                                 .allocation_size = d->st.allocation_size,
                                 .file_attributes = srv_attributes(d->st.attributes, d->name),
                                 .file_id = d->st.file_index,
                                 .name = d->name,
                                 .name_len = d->name_len};
}

/* Fill the writer; returns how many entries went in, or an error. */
static ntstatus_t fill(struct vfs_file *f, struct fscc_dir_writer *dw, bool single, unsigned flags)
{
    struct vfs_dirent *d = malloc(sizeof *d);
    if (!d)
        return STATUS_INSUFFICIENT_RESOURCES;
    ntstatus_t st = STATUS_SUCCESS;
    while (!(single && dw->count == 1)) {
        st = vfs_dir_next(f, flags, d);
        if (!nt_ok(st))
            break;
        struct fscc_dir_entry e;
        to_entry(d, &e);
        st = fscc_dir_writer_add(dw, &e);
        if (nt_eq(st, STATUS_OBJECT_NAME_INVALID))
            continue; /* a name we cannot express: skip it */
        if (!nt_ok(st)) {
            vfs_dir_unread(f);
            break;
        }
    }
    free(d);
    if (dw->count > 0 && (nt_eq(st, STATUS_NO_MORE_FILES) || nt_eq(st, STATUS_BUFFER_TOO_SMALL)))
        return STATUS_SUCCESS;
    if (dw->count == 0 && nt_eq(st, STATUS_BUFFER_TOO_SMALL))
        return STATUS_INFO_LENGTH_MISMATCH; /* not even one entry fits */
    return st;
}

/* The file-system half: restart the enumeration if asked, then fill the
 * response's buffer (in the chain's response frame) with entries. */
struct dir_job {
    struct vfs_file *f;
    char *pattern; /* restart with it; NULL: go on */
    size_t pattern_len;
    struct fscc_dir_writer dw;
    bool single;
};

static ntstatus_t dir_work(void *job, unsigned flags)
{
    struct dir_job *j = job;
    if (j->pattern) {
        ntstatus_t st = vfs_dir_rewind(j->f, j->pattern, j->pattern_len, flags);
        if (!nt_ok(st))
            return st;
    }
    return fill(j->f, &j->dw, j->single, flags);
}

static ntstatus_t dir_done(struct srv_req *r, ntstatus_t st)
{
    struct dir_job *j = SRV_JOB(r, struct dir_job);
    bool first = j->pattern != NULL;
    free(j->pattern);
    if (first && (nt_ok(st) || nt_eq(st, STATUS_NO_MORE_FILES)))
        r->open->dir_started = true;
    if (nt_eq(st, STATUS_NO_MORE_FILES) && first)
        return STATUS_NO_SUCH_FILE;
    if (!nt_ok(st))
        return st;
    return smb2_query_directory_rsp_finish(r->w, SMB2_HDR_SIZE, j->dw.len);
}

/* The pattern of a restart ("*" when empty), as UTF-8 on the heap. */
static ntstatus_t take_pattern(const struct smb2_query_directory_req *q, struct dir_job *j)
{
    char pat[VFS_NAME_MAX * 3 + 1];
    size_t n = 0;
    if (q->file_name_len > 0 &&
        !nt_ok(utf16le_to_utf8(q->file_name, q->file_name_len, pat, sizeof pat, &n)))
        return STATUS_OBJECT_NAME_INVALID;
    if (n == 0)
        pat[n++] = '*';
    if (!(j->pattern = malloc(n + 1)))
        return STATUS_INSUFFICIENT_RESOURCES;
    memcpy(j->pattern, pat, n);
    j->pattern[n] = '\0';
    j->pattern_len = n;
    return STATUS_SUCCESS;
}

ntstatus_t srv_query_directory(struct srv_req *r)
{
    struct smb2_query_directory_req q;
    if (!nt_ok(smb2_query_directory_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    struct srv_open *o;
    ntstatus_t st = srv_open_lookup(r, &q.file_id, &o);
    if (!nt_ok(st))
        return st;
    if (!o->is_dir)
        return STATUS_INVALID_PARAMETER;
    if (!srv_open_can(o, FILE_LIST_DIRECTORY))
        return STATUS_ACCESS_DENIED;
    if (fscc_dir_entry_fixed_size(q.file_information_class) == 0)
        return STATUS_INVALID_INFO_CLASS;
    if (q.output_buffer_length > SRV_MAX_IO)
        return STATUS_INVALID_PARAMETER;
    struct dir_job *j = SRV_JOB(r, struct dir_job);
    *j = (struct dir_job){.f = o->f, .single = (q.flags & SMB2_RETURN_SINGLE_ENTRY) != 0};
    bool first = !o->dir_started || (q.flags & (SMB2_RESTART_SCANS | SMB2_REOPEN));
    if (first && !nt_ok(st = take_pattern(&q, j)))
        return st;
    size_t cap = 0;
    uint8_t *buf = NULL;
    st = smb2_query_directory_rsp_begin(r->w, &buf, &cap);
    if (!nt_ok(st)) {
        free(j->pattern);
        return st;
    }
    if (cap > q.output_buffer_length)
        cap = q.output_buffer_length;
    fscc_dir_writer_init(&j->dw, q.file_information_class, buf, cap);
    return srv_req_run(r, dir_work, dir_done);
}
