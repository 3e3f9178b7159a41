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

#include <string.h>

static ntstatus_t set_basic(struct srv_open *o, const struct smb2_set_info_req *q)
{
    struct fscc_basic_info b;
    if (!nt_ok(fscc_basic_info_decode(q->buffer, q->buffer_length, &b)))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (!srv_open_can(o, FILE_WRITE_ATTRIBUTES))
        return STATUS_ACCESS_DENIED;
    struct vfs_basic_info v = {(int64_t)b.creation_time, (int64_t)b.last_access_time,
                               (int64_t)b.last_write_time, (int64_t)b.change_time,
                               b.file_attributes};
    return vfs_set_basic(o->f, &v);
}

static ntstatus_t set_size(struct srv_open *o, const struct smb2_set_info_req *q, bool eof)
{
    uint64_t v;
    if (!nt_ok(fscc_u64_info_decode(q->buffer, q->buffer_length, &v)))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (!srv_open_can(o, FILE_WRITE_DATA))
        return STATUS_ACCESS_DENIED;
    if (v > INT64_MAX)
        return STATUS_INVALID_PARAMETER;
    return eof ? vfs_set_end_of_file(o->f, v) : vfs_set_allocation(o->f, v);
}

static ntstatus_t set_disposition(struct srv_open *o, const struct smb2_set_info_req *q)
{
    bool del;
    if (!nt_ok(fscc_disposition_info_decode(q->buffer, q->buffer_length, &del)))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (!srv_open_can(o, DELETE))
        return STATUS_ACCESS_DENIED;
    return vfs_set_delete_on_close(o->f, del);
}

static ntstatus_t set_rename(struct srv_open *o, const struct smb2_set_info_req *q)
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
    return vfs_rename(o->f, p, n, ri.replace_if_exists);
}

static ntstatus_t set_file(struct srv_open *o, const struct smb2_set_info_req *q)
{
    switch (q->file_info_class) {
    case FileBasicInformation:
        return set_basic(o, q);
    case FileEndOfFileInformation:
        return set_size(o, q, true);
    case FileAllocationInformation:
        return set_size(o, q, false);
    case FileDispositionInformation:
        return set_disposition(o, q);
    case FileRenameInformation:
        return set_rename(o, q);
    case FilePositionInformation: {
        uint64_t v;
        if (!nt_ok(fscc_u64_info_decode(q->buffer, q->buffer_length, &v)))
            return STATUS_INFO_LENGTH_MISMATCH;
        o->position = v;
        return STATUS_SUCCESS;
    }
    case FileModeInformation: {
        uint32_t v;
        if (!nt_ok(fscc_u32_info_decode(q->buffer, q->buffer_length, &v)))
            return STATUS_INFO_LENGTH_MISMATCH;
        o->mode = v & 0x3Eu; /* [MS-FSCC] 2.4.26: the settable bits */
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
        st = set_file(o, &q);
        break;
    case SMB2_0_INFO_FILESYSTEM:
    case SMB2_0_INFO_SECURITY:
    case SMB2_0_INFO_QUOTA:
        st = STATUS_NOT_SUPPORTED;
        break;
    default:
        st = STATUS_INVALID_PARAMETER;
    }
    if (!nt_ok(st))
        return st;
    return smb2_set_info_rsp_encode(r->w);
}
