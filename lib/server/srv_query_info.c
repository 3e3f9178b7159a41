/* QUERY_INFO. [MS-SMB2] 3.3.5.20: file classes ([MS-FSCC] 2.4) Basic,
 * Standard, Internal, Ea, Access, Position, Mode, Alignment, All,
 * NetworkOpen, AttributeTag, Stream; file-system classes (2.5) Volume, Size,
 * Device, Attribute, FullSize; SECURITY: the minimal descriptor of
 * srv_sd_encode (owner and group Everyone, a DACL granting Everyone full
 * access); QUOTA: STATUS_NOT_SUPPORTED.
 *
 * Also FileAlternateName (the name itself: POSIX has no 8.3 names),
 * FileCompression (uncompressed), FileFsControl (no quotas) and
 * FileFsSectorSize.
 *
 * A class is encoded into a scratch buffer first, then sized against
 * OutputBufferLength as Windows does (3.3.5.20.1-3): below the class's fixed
 * part, STATUS_INFO_LENGTH_MISMATCH; above it but short of the whole, what
 * fits with STATUS_BUFFER_OVERFLOW; a security descriptor that does not fit
 * is STATUS_BUFFER_TOO_SMALL with the size it needs as ErrorData. */
#include "server/srv_int.h"

#include "base/endian.h"
#include "vfs/vfs.h"
#include "wire/create.h"
#include "wire/query_info.h"

#include <string.h>

#define SCRATCH (VFS_PATH_MAX * 2 + 512)
_Static_assert(SCRATCH <= SRV_QUERY_INFO_MAX, "srv_dispatch.c reserves SRV_QUERY_INFO_MAX");

/* "\dir\file" ("\" for the share root), as Windows names an open. */
static size_t open_name(struct srv_open *o, char *out, size_t cap)
{
    const char *p = o->file->is_root ? "" : o->file->path;
    size_t n = 0;
    out[n++] = '\\';
    for (size_t i = 0; p[i] && n + 1 < cap; i++)
        out[n++] = p[i] == '/' ? '\\' : p[i];
    out[n] = '\0';
    return n;
}

static void fill_all(struct srv_open *o, const struct vfs_stat *s, struct fscc_all_info *a,
                     char *name, size_t name_cap)
{
    *a = (struct fscc_all_info){.basic = {s->creation_time, s->last_access_time, s->last_write_time,
                                          s->change_time, s->attributes},
                                .standard = {s->allocation_size, s->end_of_file, s->nlink,
                                             o->file->delete_pending, s->is_dir},
                                .index_number = s->file_index,
                                .access_flags = o->access,
                                .current_offset = o->position,
                                .mode = o->mode,
                                .name = name};
    a->name_len = open_name(o, name, name_cap);
}

/* The fixed part of a class: less room is STATUS_INFO_LENGTH_MISMATCH
 * (the sizes Windows checks, as smbtorture's getinfo buffer checks list). */
static size_t min_size(uint8_t type, uint8_t cls)
{
    static const uint8_t file_min[64] = {
        [FileBasicInformation] = 40,       [FileStandardInformation] = 24,
        [FileInternalInformation] = 8,     [FileEaInformation] = 4,
        [FileAccessInformation] = 4,       [FilePositionInformation] = 8,
        [FileModeInformation] = 4,         [FileAlignmentInformation] = 4,
        [FileAllInformation] = 104,        [FileAlternateNameInformation] = 8,
        [FileStreamInformation] = 32,      [FileCompressionInformation] = 16,
        [FileNetworkOpenInformation] = 56, [FileAttributeTagInformation] = 8};
    static const uint8_t fs_min[16] = {
        [FileFsVolumeInformation] = 24,   [FileFsSizeInformation] = 24,
        [FileFsDeviceInformation] = 8,    [FileFsAttributeInformation] = 16,
        [FileFsControlInformation] = 48,  [FileFsFullSizeInformation] = 32,
        [FileFsObjectIdInformation] = 64, [FileFsSectorSizeInformation] = 28};
    if (type == SMB2_0_INFO_FILE && cls < sizeof file_min)
        return file_min[cls];
    if (type == SMB2_0_INFO_FILESYSTEM && cls < sizeof fs_min)
        return fs_min[cls];
    return 0;
}

/* [MS-FSCC] 2.4.5 FileAlternateNameInformation: FileNameLength, FileName.
 * POSIX names have no 8.3 alias; the last component stands for it. */
static ntstatus_t alt_name(struct srv_open *o, struct wr *w)
{
    char name[VFS_PATH_MAX + 1];
    size_t n = open_name(o, name, sizeof name);
    const char *base = strrchr(name, '\\');
    base = base ? base + 1 : name;
    n -= (size_t)(base - name);
    size_t at = wr_pos(w);
    wr_u32(w, 0);
    size_t bytes = wr_utf16(w, base, n);
    wr_u32_at(w, at, (uint32_t)bytes);
    return wr_status(w);
}

/* [MS-FSCC] 2.4.9 FileCompressionInformation: not compressed. */
static ntstatus_t compression(const struct vfs_stat *s, struct wr *w)
{
    wr_u64(w, s->end_of_file); /* CompressedFileSize */
    wr_u16(w, 0);              /* COMPRESSION_FORMAT_NONE */
    wr_zero(w, 6);             /* unit, chunk and cluster shifts, reserved */
    return wr_status(w);
}

/* [MS-FSCC] 2.5.2 FileFsControlInformation: no quotas (limits "none"). */
static ntstatus_t fs_control(struct wr *w)
{
    wr_zero(w, 24); /* the three free-space filtering values */
    wr_u64(w, UINT64_MAX);
    wr_u64(w, UINT64_MAX);
    wr_u32(w, 0); /* FileSystemControlFlags */
    wr_u32(w, 0);
    return wr_status(w);
}

/* [MS-FSCC] 2.5.6 FileFsObjectIdInformation: an ObjectId from the volume
 * serial number, no extended information. */
static ntstatus_t fs_object_id(const struct vfs_fsinfo *f, struct wr *w)
{
    wr_u32(w, f->serial_number);
    wr_zero(w, 12 + 48);
    return wr_status(w);
}

/* [MS-FSCC] 2.4.30 FileNormalizedNameInformation (3.1.1 only, 3.3.5.20.1):
 * the path from the share root without a leading '\', "" for the root. */
static ntstatus_t normalized_name(const struct srv_req *r, struct srv_open *o, struct wr *w)
{
    if (r->conn->dialect < SMB2_DIALECT_0311)
        return STATUS_NOT_SUPPORTED;
    char name[VFS_PATH_MAX + 1];
    size_t n = open_name(o, name, sizeof name);
    size_t at = wr_pos(w);
    wr_u32(w, 0);
    size_t bytes = wr_utf16(w, name + 1, n - 1);
    wr_u32_at(w, at, (uint32_t)bytes);
    return wr_status(w);
}

/* [MS-FSCC] 2.5.7 FileFsSectorSizeInformation. */
static ntstatus_t fs_sector_size(const struct vfs_fsinfo *f, struct wr *w)
{
    for (int i = 0; i < 4; i++)
        wr_u32(w, f->bytes_per_sector);
    wr_u32(w, 0x3u); /* SSINFO_FLAGS_ALIGNED_DEVICE | _PARTITION_ALIGNED_ON_DEVICE */
    wr_u32(w, 0);    /* ByteOffsetForSectorAlignment */
    wr_u32(w, 0);    /* ByteOffsetForPartitionAlignment */
    return wr_status(w);
}

/* Encode a file class into w; *fixed tells whether it has a fixed size. */
static ntstatus_t file_class(struct srv_open *o, const struct vfs_stat *sp, uint8_t cls,
                             struct wr *w, bool *fixed)
{
    struct vfs_stat s = *sp;
    s.attributes = srv_attributes(s.attributes, srv_file_name(o->file));
    *fixed = true;
    switch (cls) {
    case FileBasicInformation: {
        struct fscc_basic_info b = {s.creation_time, s.last_access_time, s.last_write_time,
                                    s.change_time, s.attributes};
        return fscc_basic_info_encode(w, &b);
    }
    case FileStandardInformation: {
        struct fscc_standard_info b = {s.allocation_size, s.end_of_file, s.nlink,
                                       o->file->delete_pending, s.is_dir};
        return fscc_standard_info_encode(w, &b);
    }
    case FileInternalInformation:
        return fscc_u64_info_encode(w, s.file_index);
    case FileEaInformation:
    case FileAlignmentInformation:
        return fscc_u32_info_encode(w, 0);
    case FileAccessInformation:
        return fscc_u32_info_encode(w, o->access);
    case FilePositionInformation:
        return fscc_u64_info_encode(w, o->position);
    case FileModeInformation:
        return fscc_u32_info_encode(w, o->mode);
    case FileNetworkOpenInformation: {
        struct fscc_network_open_info b = {s.creation_time, s.last_access_time, s.last_write_time,
                                           s.change_time,   s.allocation_size,  s.end_of_file,
                                           s.attributes};
        return fscc_network_open_info_encode(w, &b);
    }
    case FileAttributeTagInformation: {
        struct fscc_attribute_tag_info b = {s.attributes, 0};
        return fscc_attribute_tag_info_encode(w, &b);
    }
    case FileAllInformation: {
        char name[VFS_PATH_MAX + 1];
        struct fscc_all_info a;
        fill_all(o, &s, &a, name, sizeof name);
        *fixed = false;
        return fscc_all_info_encode(w, &a);
    }
    case FileStreamInformation: {
        struct fscc_stream_entry e = {.name = "::$DATA",
                                      .name_len = 7,
                                      .stream_size = s.end_of_file,
                                      .stream_allocation_size = s.allocation_size};
        *fixed = false;
        return fscc_stream_info_encode(w, &e, s.is_dir ? 0 : 1);
    }
    case FileAlternateNameInformation:
        return alt_name(o, w);
    case FileCompressionInformation:
        return compression(&s, w);
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

static ntstatus_t fs_class(struct srv_tree *t, const struct vfs_fsinfo *fp, uint8_t cls,
                           struct wr *w, bool *fixed)
{
    const struct vfs_fsinfo f = *fp;
    *fixed = true;
    switch (cls) {
    case FileFsVolumeInformation: {
        struct fscc_fs_volume_info v = {f.volume_creation_time, f.serial_number, false,
                                        t->share->name, strlen(t->share->name)};
        *fixed = false;
        return fscc_fs_volume_info_encode(w, &v);
    }
    case FileFsSizeInformation: {
        struct fscc_fs_size_info v = {f.total_units, f.caller_free_units, f.sectors_per_unit,
                                      f.bytes_per_sector};
        return fscc_fs_size_info_encode(w, &v);
    }
    case FileFsFullSizeInformation: {
        struct fscc_fs_full_size_info v = {f.total_units, f.caller_free_units, f.actual_free_units,
                                           f.sectors_per_unit, f.bytes_per_sector};
        return fscc_fs_full_size_info_encode(w, &v);
    }
    case FileFsDeviceInformation: {
        struct fscc_fs_device_info v = {f.device_type, f.device_characteristics};
        return fscc_fs_device_info_encode(w, &v);
    }
    case FileFsAttributeInformation: {
        struct fscc_fs_attribute_info v = {f.fs_attributes, (int32_t)f.max_name_len, f.fs_name,
                                           strlen(f.fs_name)};
        *fixed = false;
        return fscc_fs_attribute_info_encode(w, &v);
    }
    case FileFsControlInformation:
        return fs_control(w);
    case FileFsSectorSizeInformation:
        return fs_sector_size(&f, w);
    case FileFsObjectIdInformation:
        return fs_object_id(&f, w);
    default:
        return STATUS_INVALID_INFO_CLASS;
    }
}

/* The access the open must hold for a class ([MS-FSA] 2.1.5.11 and
 * 2.1.5.12, [MS-SMB2] 3.3.5.20.3): attributes need FILE_READ_ATTRIBUTES,
 * security descriptors READ_CONTROL (a SACL ACCESS_SYSTEM_SECURITY). */
static bool may_query(const struct srv_open *o, const struct smb2_query_info_req *q)
{
    if (q->info_type == SMB2_0_INFO_SECURITY)
        return srv_open_can(o, READ_CONTROL) &&
               (!(q->additional_information & SACL_SECURITY_INFORMATION) ||
                srv_open_can(o, ACCESS_SYSTEM_SECURITY));
    if (q->info_type != SMB2_0_INFO_FILE)
        return true;
    switch (q->file_info_class) {
    case FileBasicInformation:
    case FileAllInformation:
    case FileNetworkOpenInformation:
    case FileAttributeTagInformation:
        return srv_open_can(o, FILE_READ_ATTRIBUTES);
    default:
        return true;
    }
}

/* The file-system half: the file's or the volume's figures. */
struct info_job {
    struct vfs_file *f;
    struct vfs_share *vs;
    uint8_t info_type;
    union {
        struct vfs_stat st;
        struct vfs_fsinfo fs;
    } u;
};

static ntstatus_t info_work(void *job, unsigned flags)
{
    struct info_job *j = job;
    if (j->info_type == SMB2_0_INFO_FILESYSTEM)
        return vfs_fsinfo(j->vs, flags, &j->u.fs);
    return vfs_fstat(j->f, flags, &j->u.st);
}

static ntstatus_t encode_class(struct srv_req *r, const struct info_job *j,
                               const struct smb2_query_info_req *q, struct wr *w, bool *fixed)
{
    switch (q->info_type) {
    case SMB2_0_INFO_FILE:
        if (q->file_info_class == FileNormalizedNameInformation)
            return normalized_name(r, r->open, w);
        return file_class(r->open, &j->u.st, q->file_info_class, w, fixed);
    case SMB2_0_INFO_FILESYSTEM:
        return fs_class(r->tree, &j->u.fs, q->file_info_class, w, fixed);
    case SMB2_0_INFO_SECURITY:
        *fixed = false;
        return srv_sd_encode(w, q->additional_information);
    case SMB2_0_INFO_QUOTA:
        return STATUS_NOT_SUPPORTED;
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

static ntstatus_t info_done(struct srv_req *r, ntstatus_t st)
{
    const struct info_job *j = SRV_JOB(r, struct info_job);
    if (!nt_ok(st))
        return st;
    struct smb2_query_info_req q;
    if (!nt_ok(smb2_query_info_req_decode(r->msg, r->len, &q)))
        return STATUS_INTERNAL_ERROR;
    uint8_t scratch[SCRATCH];
    struct wr sw;
    wr_init(&sw, scratch, sizeof scratch);
    bool fixed = true;
    st = encode_class(r, j, &q, &sw, &fixed);
    if (!nt_ok(st))
        return nt_eq(st, STATUS_BUFFER_TOO_SMALL) ? STATUS_INTERNAL_ERROR : st;
    size_t len = wr_pos(&sw);
    if (q.info_type == SMB2_0_INFO_SECURITY && len > q.output_buffer_length) {
        le32_put(r->err_data, (uint32_t)len); /* 3.3.5.20.3 */
        r->err_len = 4;
        return STATUS_BUFFER_TOO_SMALL;
    }
    if (q.output_buffer_length < min_size(q.info_type, q.file_info_class))
        return STATUS_INFO_LENGTH_MISMATCH;
    if (len > q.output_buffer_length) {
        len = q.output_buffer_length;
        st = STATUS_BUFFER_OVERFLOW;
    }
    size_t body_start = wr_pos(r->w);
    ntstatus_t s2 = smb2_query_info_rsp_begin(r->w);
    if (nt_ok(s2)) {
        wr_bytes(r->w, scratch, len);
        s2 = smb2_query_info_rsp_finish(r->w, body_start);
    }
    return nt_ok(s2) ? st : s2;
}

/* Does the class need the file's or the volume's figures from the disk? */
static bool needs_disk(const struct smb2_query_info_req *q)
{
    if (q->info_type == SMB2_0_INFO_FILESYSTEM)
        return true;
    return q->info_type == SMB2_0_INFO_FILE && q->file_info_class != FileNormalizedNameInformation;
}

ntstatus_t srv_query_info(struct srv_req *r)
{
    struct smb2_query_info_req q;
    if (!nt_ok(smb2_query_info_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    struct srv_open *o;
    ntstatus_t st = srv_open_lookup(r, &q.file_id, &o);
    if (!nt_ok(st))
        return st;
    if (q.output_buffer_length > SRV_MAX_IO)
        return STATUS_INVALID_PARAMETER;
    if (!may_query(o, &q))
        return STATUS_ACCESS_DENIED;
    struct info_job *j = SRV_JOB(r, struct info_job);
    *j = (struct info_job){.f = o->f, .vs = r->tree->vs, .info_type = q.info_type};
    if (!needs_disk(&q))
        return info_done(r, STATUS_SUCCESS);
    return srv_req_run(r, info_work, info_done);
}
