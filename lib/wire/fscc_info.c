/* [MS-FSCC] 2.4 file and 2.5 file-system information classes: the payloads
 * of QUERY_INFO responses and SET_INFO requests (declared in fscc_info.h). */
#include "wire/fscc_info.h"

#include "base/utf16.h"

#include <string.h>

/* [MS-FSCC] 2.4 FileBasicInformation: 40 bytes; the trailing Reserved may be
 * missing (36). */
ntstatus_t fscc_basic_info_decode(const uint8_t *buf, size_t len, struct fscc_basic_info *out)
{
    struct rd r;
    rd_init(&r, buf, len);
    out->creation_time = rd_u64(&r);
    out->last_access_time = rd_u64(&r);
    out->last_write_time = rd_u64(&r);
    out->change_time = rd_u64(&r);
    out->file_attributes = rd_u32(&r);
    return rd_status(&r);
}

ntstatus_t fscc_basic_info_encode(struct wr *w, const struct fscc_basic_info *in)
{
    wr_u64(w, in->creation_time);
    wr_u64(w, in->last_access_time);
    wr_u64(w, in->last_write_time);
    wr_u64(w, in->change_time);
    wr_u32(w, in->file_attributes);
    wr_u32(w, 0);
    return wr_status(w);
}

/* [MS-FSCC] 2.4 FileEndOfFile / FileAllocation / FileInternal /
 * FilePositionInformation: one 8-byte value. */
ntstatus_t fscc_u64_info_decode(const uint8_t *buf, size_t len, uint64_t *out)
{
    struct rd r;
    rd_init(&r, buf, len);
    *out = rd_u64(&r);
    return rd_status(&r);
}

ntstatus_t fscc_u64_info_encode(struct wr *w, uint64_t v)
{
    wr_u64(w, v);
    return wr_status(w);
}

/* [MS-FSCC] 2.4 FileDispositionInformation */
ntstatus_t fscc_disposition_info_decode(const uint8_t *buf, size_t len, bool *delete_pending)
{
    struct rd r;
    rd_init(&r, buf, len);
    *delete_pending = rd_u8(&r) != 0;
    return rd_status(&r);
}

ntstatus_t fscc_disposition_info_encode(struct wr *w, bool delete_pending)
{
    wr_u8(w, delete_pending);
    return wr_status(w);
}

/* [MS-FSCC] 2.4 FileRenameInformation, SMB2 form: ReplaceIfExists (1),
 * Reserved (7), RootDirectory (8), FileNameLength (4), FileName. */
ntstatus_t fscc_rename_info_decode(const uint8_t *buf, size_t len, struct fscc_rename_info *out)
{
    struct rd r;
    rd_init(&r, buf, len);
    memset(out, 0, sizeof(*out));
    out->replace_if_exists = rd_u8(&r) != 0;
    rd_skip(&r, 7);
    out->root_directory = rd_u64(&r);
    out->file_name_len = rd_u32(&r);
    rd_require(&r, out->file_name_len > 0 && out->file_name_len % 2 == 0);
    out->file_name = rd_bytes(&r, out->file_name_len);
    return rd_status(&r);
}

ntstatus_t fscc_rename_info_encode(struct wr *w, const struct fscc_rename_info *in)
{
    if (in->file_name_len == 0 || in->file_name_len % 2 != 0 || !in->file_name)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_u8(w, in->replace_if_exists);
    wr_zero(w, 7);
    wr_u64(w, in->root_directory);
    wr_u32(w, in->file_name_len);
    wr_bytes(w, in->file_name, in->file_name_len);
    return wr_status(w);
}

static uint32_t name16_len(struct wr *w, const char *s, size_t n);

/* A UTF-8 name as its length in UTF-16 bytes (u32) and the UTF-16LE. */
static void put_name32(struct wr *w, const char *s, size_t n)
{
    wr_u32(w, name16_len(w, s, n));
    (void)wr_utf16(w, s, n);
}

/* [MS-FSCC] 2.4 FileStandardInformation */
ntstatus_t fscc_standard_info_encode(struct wr *w, const struct fscc_standard_info *in)
{
    wr_u64(w, in->allocation_size);
    wr_u64(w, in->end_of_file);
    wr_u32(w, in->number_of_links);
    wr_u8(w, in->delete_pending);
    wr_u8(w, in->directory);
    wr_u16(w, 0);
    return wr_status(w);
}

static void standard_read(struct rd *r, struct fscc_standard_info *out)
{
    out->allocation_size = rd_u64(r);
    out->end_of_file = rd_u64(r);
    out->number_of_links = rd_u32(r);
    out->delete_pending = rd_u8(r) != 0;
    out->directory = rd_u8(r) != 0;
    rd_skip(r, 2);
}

ntstatus_t fscc_standard_info_decode(const uint8_t *buf, size_t len, struct fscc_standard_info *out)
{
    struct rd r;
    rd_init(&r, buf, len);
    memset(out, 0, sizeof(*out));
    standard_read(&r, out);
    return rd_status(&r);
}

/* [MS-FSCC] 2.4 FileEa/FileAccess/FileMode/FileAlignmentInformation */
ntstatus_t fscc_u32_info_encode(struct wr *w, uint32_t v)
{
    wr_u32(w, v);
    return wr_status(w);
}

ntstatus_t fscc_u32_info_decode(const uint8_t *buf, size_t len, uint32_t *out)
{
    struct rd r;
    rd_init(&r, buf, len);
    *out = rd_u32(&r);
    return rd_status(&r);
}

/* [MS-FSCC] 2.4 FileAllInformation */
ntstatus_t fscc_all_info_encode(struct wr *w, const struct fscc_all_info *in)
{
    (void)fscc_basic_info_encode(w, &in->basic);
    (void)fscc_standard_info_encode(w, &in->standard);
    wr_u64(w, in->index_number);
    wr_u32(w, in->ea_size);
    wr_u32(w, in->access_flags);
    wr_u64(w, in->current_offset);
    wr_u32(w, in->mode);
    wr_u32(w, in->alignment);
    put_name32(w, in->name, in->name_len);
    return wr_status(w);
}

ntstatus_t fscc_all_info_decode(const uint8_t *buf, size_t len, struct fscc_all_info *out)
{
    memset(out, 0, sizeof(*out));
    if (len < FSCC_ALL_INFO_FIXED_SIZE)
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st = fscc_basic_info_decode(buf, FSCC_BASIC_INFO_SIZE, &out->basic);
    if (!nt_ok(st))
        return st;
    struct rd r;
    rd_init(&r, buf, len);
    rd_skip(&r, FSCC_BASIC_INFO_SIZE);
    standard_read(&r, &out->standard);
    out->index_number = rd_u64(&r);
    out->ea_size = rd_u32(&r);
    out->access_flags = rd_u32(&r);
    out->current_offset = rd_u64(&r);
    out->mode = rd_u32(&r);
    out->alignment = rd_u32(&r);
    out->file_name_len = rd_u32(&r);
    rd_require(&r, out->file_name_len % 2 == 0);
    out->file_name = rd_bytes(&r, out->file_name_len);
    return rd_status(&r);
}

/* [MS-FSCC] 2.4 FileNetworkOpenInformation */
ntstatus_t fscc_network_open_info_encode(struct wr *w, const struct fscc_network_open_info *in)
{
    wr_u64(w, in->creation_time);
    wr_u64(w, in->last_access_time);
    wr_u64(w, in->last_write_time);
    wr_u64(w, in->change_time);
    wr_u64(w, in->allocation_size);
    wr_u64(w, in->end_of_file);
    wr_u32(w, in->file_attributes);
    wr_u32(w, 0);
    return wr_status(w);
}

ntstatus_t fscc_network_open_info_decode(const uint8_t *buf, size_t len,
                                         struct fscc_network_open_info *out)
{
    struct rd r;
    rd_init(&r, buf, len);
    out->creation_time = rd_u64(&r);
    out->last_access_time = rd_u64(&r);
    out->last_write_time = rd_u64(&r);
    out->change_time = rd_u64(&r);
    out->allocation_size = rd_u64(&r);
    out->end_of_file = rd_u64(&r);
    out->file_attributes = rd_u32(&r);
    rd_skip(&r, 4);
    return rd_status(&r);
}

/* [MS-FSCC] 2.4 FileAttributeTagInformation */
ntstatus_t fscc_attribute_tag_info_encode(struct wr *w, const struct fscc_attribute_tag_info *in)
{
    wr_u32(w, in->file_attributes);
    wr_u32(w, in->reparse_tag);
    return wr_status(w);
}

/* UTF-16 bytes of a UTF-8 name, failing w when it is ill-formed. */
static uint32_t name16_len(struct wr *w, const char *s, size_t n)
{
    size_t n16 = utf8_utf16le_len(s, n);
    if (n16 == SIZE_MAX || n16 > UINT32_MAX) {
        wr_fail(w, STATUS_OBJECT_NAME_INVALID);
        return 0;
    }
    return (uint32_t)n16;
}

/* [MS-FSCC] 2.4 FileStreamInformation: entries 8-byte aligned (relative to
 * the start of the buffer), NextEntryOffset 0 on the last. */
ntstatus_t fscc_stream_info_encode(struct wr *w, const struct fscc_stream_entry *entries, size_t n)
{
    size_t base = wr_pos(w), prev = 0;
    for (size_t i = 0; i < n && wr_ok(w); i++) {
        const struct fscc_stream_entry *e = &entries[i];
        if (i > 0) {
            wr_zero(w, (8 - ((wr_pos(w) - base) & 7)) & 7);
            wr_u32_at(w, prev, (uint32_t)(wr_pos(w) - prev));
        }
        prev = wr_pos(w);
        wr_u32(w, 0); /* NextEntryOffset: set by the next entry */
        wr_u32(w, name16_len(w, e->name, e->name_len));
        wr_u64(w, e->stream_size);
        wr_u64(w, e->stream_allocation_size);
        (void)wr_utf16(w, e->name, e->name_len);
    }
    return wr_status(w);
}

/* [MS-FSCC] 2.5 FileFsVolumeInformation */
ntstatus_t fscc_fs_volume_info_encode(struct wr *w, const struct fscc_fs_volume_info *in)
{
    wr_u64(w, in->volume_creation_time);
    wr_u32(w, in->volume_serial_number);
    wr_u32(w, name16_len(w, in->label, in->label_len));
    wr_u8(w, in->supports_objects);
    wr_u8(w, 0);
    (void)wr_utf16(w, in->label, in->label_len);
    return wr_status(w);
}

/* [MS-FSCC] 2.5 FileFsSizeInformation */
ntstatus_t fscc_fs_size_info_encode(struct wr *w, const struct fscc_fs_size_info *in)
{
    wr_u64(w, in->total_allocation_units);
    wr_u64(w, in->available_allocation_units);
    wr_u32(w, in->sectors_per_allocation_unit);
    wr_u32(w, in->bytes_per_sector);
    return wr_status(w);
}

/* [MS-FSCC] 2.5 FileFsFullSizeInformation */
ntstatus_t fscc_fs_full_size_info_encode(struct wr *w, const struct fscc_fs_full_size_info *in)
{
    wr_u64(w, in->total_allocation_units);
    wr_u64(w, in->caller_available_allocation_units);
    wr_u64(w, in->actual_available_allocation_units);
    wr_u32(w, in->sectors_per_allocation_unit);
    wr_u32(w, in->bytes_per_sector);
    return wr_status(w);
}

ntstatus_t fscc_fs_full_size_info_decode(const uint8_t *buf, size_t len,
                                         struct fscc_fs_full_size_info *out)
{
    struct rd r;
    rd_init(&r, buf, len);
    out->total_allocation_units = rd_u64(&r);
    out->caller_available_allocation_units = rd_u64(&r);
    out->actual_available_allocation_units = rd_u64(&r);
    out->sectors_per_allocation_unit = rd_u32(&r);
    out->bytes_per_sector = rd_u32(&r);
    return rd_status(&r);
}

/* [MS-FSCC] 2.5 FileFsDeviceInformation */
ntstatus_t fscc_fs_device_info_encode(struct wr *w, const struct fscc_fs_device_info *in)
{
    wr_u32(w, in->device_type);
    wr_u32(w, in->characteristics);
    return wr_status(w);
}

/* [MS-FSCC] 2.5 FileFsAttributeInformation */
ntstatus_t fscc_fs_attribute_info_encode(struct wr *w, const struct fscc_fs_attribute_info *in)
{
    wr_u32(w, in->file_system_attributes);
    wr_u32(w, (uint32_t)in->maximum_component_name_length);
    put_name32(w, in->name, in->name_len);
    return wr_status(w);
}
