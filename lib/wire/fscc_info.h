/* [MS-FSCC] information classes carried by QUERY_INFO, SET_INFO and
 * QUERY_DIRECTORY: the class numbers, and codecs for the classes clients
 * query and set commonly. Every codec works on the class's own buffer (the
 * OutputBuffer of a QUERY_INFO response, the Buffer of a SET_INFO request),
 * not on a whole message: decoders take (buf, len), encoders append to a
 * writer and fail with STATUS_BUFFER_TOO_SMALL when it is full.
 *
 * Names are UTF-16LE on the wire. Encoders take UTF-8 (what a POSIX file
 * system hands the server) and convert in place; decoders return a pointer
 * to the UTF-16LE bytes and their length (zero copy).
 *
 * Build note: the definitions live in set_info.c (the classes SET_INFO
 * carries) and query_info.c (the query-only ones) until fscc_info.c joins
 * lib/wire/meson.build. */
#ifndef SIGNET_WIRE_FSCC_INFO_H
#define SIGNET_WIRE_FSCC_INFO_H

#include "base/cursor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* [MS-FSCC] 2.4 file information classes (FileInfoClass, InfoType FILE). */
enum fscc_file_info_class {
    FileDirectoryInformation = 1,
    FileFullDirectoryInformation = 2,
    FileBothDirectoryInformation = 3,
    FileBasicInformation = 4,
    FileStandardInformation = 5,
    FileInternalInformation = 6,
    FileEaInformation = 7,
    FileAccessInformation = 8,
    FileNameInformation = 9,
    FileRenameInformation = 10,
    FileLinkInformation = 11,
    FileNamesInformation = 12,
    FileDispositionInformation = 13,
    FilePositionInformation = 14,
    FileFullEaInformation = 15,
    FileModeInformation = 16,
    FileAlignmentInformation = 17,
    FileAllInformation = 18,
    FileAllocationInformation = 19,
    FileEndOfFileInformation = 20,
    FileAlternateNameInformation = 21,
    FileStreamInformation = 22,
    FilePipeInformation = 23,
    FileCompressionInformation = 28,
    FileNetworkOpenInformation = 34,
    FileAttributeTagInformation = 35,
    FileIdBothDirectoryInformation = 37,
    FileIdFullDirectoryInformation = 38,
    FileValidDataLengthInformation = 39,
    FileShortNameInformation = 40,
    FileNormalizedNameInformation = 48,
    FileIdInformation = 59,
    FileIdExtdDirectoryInformation = 60,
};

/* [MS-FSCC] 2.5 file system information classes (InfoType FILESYSTEM). */
enum fscc_fs_info_class {
    FileFsVolumeInformation = 1,
    FileFsLabelInformation = 2,
    FileFsSizeInformation = 3,
    FileFsDeviceInformation = 4,
    FileFsAttributeInformation = 5,
    FileFsControlInformation = 6,
    FileFsFullSizeInformation = 7,
    FileFsObjectIdInformation = 8,
    FileFsSectorSizeInformation = 11,
};

/* FileBasicInformation times: 0 leaves a time as it is; -1 stops, -2 resumes
 * the automatic update of that time for this handle ([MS-FSCC] 2.4 FileBasicInformation). */
#define FSCC_TIME_UNCHANGED 0ull
#define FSCC_TIME_SUSPEND   UINT64_MAX
#define FSCC_TIME_RESUME    (UINT64_MAX - 1)

/* [MS-FSCC] 2.4 FileBasicInformation (40 bytes; 36 accepted on decode,
 * as older clients omit the trailing Reserved). */
#define FSCC_BASIC_INFO_SIZE 40
struct fscc_basic_info {
    uint64_t creation_time;
    uint64_t last_access_time;
    uint64_t last_write_time;
    uint64_t change_time;
    uint32_t file_attributes;
};

/* [MS-FSCC] 2.4 FileStandardInformation (24 bytes). */
#define FSCC_STANDARD_INFO_SIZE 24
struct fscc_standard_info {
    uint64_t allocation_size;
    uint64_t end_of_file;
    uint32_t number_of_links;
    bool delete_pending;
    bool directory;
};

/* [MS-FSCC] 2.4 FileNetworkOpenInformation (56 bytes). */
#define FSCC_NETWORK_OPEN_INFO_SIZE 56
struct fscc_network_open_info {
    uint64_t creation_time;
    uint64_t last_access_time;
    uint64_t last_write_time;
    uint64_t change_time;
    uint64_t allocation_size;
    uint64_t end_of_file;
    uint32_t file_attributes;
};

/* [MS-FSCC] 2.4 FileAllInformation: Basic, Standard, Internal, Ea, Access,
 * Position, Mode, Alignment, Name (100 bytes before the name). */
#define FSCC_ALL_INFO_FIXED_SIZE 100
struct fscc_all_info {
    struct fscc_basic_info basic;
    struct fscc_standard_info standard;
    uint64_t index_number;    /* FileInternalInformation */
    uint32_t ea_size;         /* FileEaInformation */
    uint32_t access_flags;    /* FileAccessInformation */
    uint64_t current_offset;  /* FilePositionInformation */
    uint32_t mode;            /* FileModeInformation */
    uint32_t alignment;       /* FileAlignmentInformation */
    const char *name;         /* encode: UTF-8 */
    size_t name_len;          /* encode: UTF-8 bytes */
    const uint8_t *file_name; /* decode: UTF-16LE */
    uint32_t file_name_len;   /* decode: bytes */
};

/* [MS-FSCC] 2.4 FileAttributeTagInformation (8 bytes). */
struct fscc_attribute_tag_info {
    uint32_t file_attributes;
    uint32_t reparse_tag;
};

/* [MS-FSCC] 2.4 FileStreamInformation: one entry of the chain. */
struct fscc_stream_entry {
    const char *name; /* encode: UTF-8, e.g. "::$DATA" */
    size_t name_len;
    const uint8_t *stream_name; /* decode: UTF-16LE */
    uint32_t stream_name_len;
    uint64_t stream_size;
    uint64_t stream_allocation_size;
};

/* [MS-FSCC] 2.4 FileRenameInformation for SMB2 (type 2). */
#define FSCC_RENAME_INFO_FIXED_SIZE 20
struct fscc_rename_info {
    bool replace_if_exists;
    uint64_t root_directory;  /* 0 from SMB2 clients */
    const uint8_t *file_name; /* UTF-16LE; decode: into buf, encode: copied */
    uint32_t file_name_len;
};

/* [MS-FSCC] 2.5 FileFsVolumeInformation (18 bytes + label). */
struct fscc_fs_volume_info {
    uint64_t volume_creation_time;
    uint32_t volume_serial_number;
    bool supports_objects;
    const char *label; /* encode: UTF-8 */
    size_t label_len;
};

/* [MS-FSCC] 2.5 FileFsSizeInformation (24 bytes). */
struct fscc_fs_size_info {
    uint64_t total_allocation_units;
    uint64_t available_allocation_units;
    uint32_t sectors_per_allocation_unit;
    uint32_t bytes_per_sector;
};

/* [MS-FSCC] 2.5 FileFsFullSizeInformation (32 bytes). */
struct fscc_fs_full_size_info {
    uint64_t total_allocation_units;
    uint64_t caller_available_allocation_units;
    uint64_t actual_available_allocation_units;
    uint32_t sectors_per_allocation_unit;
    uint32_t bytes_per_sector;
};

/* [MS-FSCC] 2.5 FileFsDeviceInformation (8 bytes). */
#define FILE_DEVICE_DISK       0x00000007u
#define FILE_REMOTE_DEVICE     0x00000010u
#define FILE_DEVICE_IS_MOUNTED 0x00000020u
struct fscc_fs_device_info {
    uint32_t device_type;
    uint32_t characteristics;
};

/* [MS-FSCC] 2.5 FileFsAttributeInformation (12 bytes + name). */
#define FILE_CASE_SENSITIVE_SEARCH   0x00000001u
#define FILE_CASE_PRESERVED_NAMES    0x00000002u
#define FILE_UNICODE_ON_DISK         0x00000004u
#define FILE_PERSISTENT_ACLS         0x00000008u
#define FILE_SUPPORTS_SPARSE_FILES   0x00000040u
#define FILE_SUPPORTS_REPARSE_POINTS 0x00000080u
#define FILE_SUPPORTS_OBJECT_IDS     0x00010000u
#define FILE_NAMED_STREAMS           0x00040000u
#define FILE_READ_ONLY_VOLUME        0x00080000u
struct fscc_fs_attribute_info {
    uint32_t file_system_attributes;
    int32_t maximum_component_name_length;
    const char *name; /* encode: UTF-8, e.g. "NTFS" */
    size_t name_len;
};

/* ---- classes SET_INFO carries (defined in set_info.c) ---- */
ntstatus_t fscc_basic_info_decode(const uint8_t *buf, size_t len, struct fscc_basic_info *out);
ntstatus_t fscc_basic_info_encode(struct wr *w, const struct fscc_basic_info *in);
/* [MS-FSCC] 2.4 FileEndOfFileInformation and FileAllocationInformation:
 * one 8-byte value; decode requires len >= 8. */
ntstatus_t fscc_u64_info_decode(const uint8_t *buf, size_t len, uint64_t *out);
ntstatus_t fscc_u64_info_encode(struct wr *w, uint64_t v);
/* [MS-FSCC] 2.4 FileDispositionInformation: DeletePending (1 byte). */
ntstatus_t fscc_disposition_info_decode(const uint8_t *buf, size_t len, bool *delete_pending);
ntstatus_t fscc_disposition_info_encode(struct wr *w, bool delete_pending);
/* Rejects an odd, empty or out-of-buffer FileName. */
ntstatus_t fscc_rename_info_decode(const uint8_t *buf, size_t len, struct fscc_rename_info *out);
ntstatus_t fscc_rename_info_encode(struct wr *w, const struct fscc_rename_info *in);

/* ---- query encoders (and the decoders a client needs), in query_info.c ---- */
ntstatus_t fscc_standard_info_encode(struct wr *w, const struct fscc_standard_info *in);
ntstatus_t fscc_standard_info_decode(const uint8_t *buf, size_t len,
                                     struct fscc_standard_info *out);
/* FileInternal (IndexNumber), FilePosition (CurrentByteOffset): u64 codecs
 * above. FileEa (EaSize), FileAccess (AccessFlags), FileMode (Mode),
 * FileAlignment (AlignmentRequirement): one 4-byte value. */
ntstatus_t fscc_u32_info_encode(struct wr *w, uint32_t v);
ntstatus_t fscc_u32_info_decode(const uint8_t *buf, size_t len, uint32_t *out);
ntstatus_t fscc_all_info_encode(struct wr *w, const struct fscc_all_info *in);
ntstatus_t fscc_all_info_decode(const uint8_t *buf, size_t len, struct fscc_all_info *out);
ntstatus_t fscc_network_open_info_encode(struct wr *w, const struct fscc_network_open_info *in);
ntstatus_t fscc_network_open_info_decode(const uint8_t *buf, size_t len,
                                         struct fscc_network_open_info *out);
ntstatus_t fscc_attribute_tag_info_encode(struct wr *w, const struct fscc_attribute_tag_info *in);
/* The whole chain, entries 8-byte aligned, NextEntryOffset 0 on the last. */
ntstatus_t fscc_stream_info_encode(struct wr *w, const struct fscc_stream_entry *entries, size_t n);
ntstatus_t fscc_fs_volume_info_encode(struct wr *w, const struct fscc_fs_volume_info *in);
ntstatus_t fscc_fs_size_info_encode(struct wr *w, const struct fscc_fs_size_info *in);
ntstatus_t fscc_fs_full_size_info_encode(struct wr *w, const struct fscc_fs_full_size_info *in);
ntstatus_t fscc_fs_full_size_info_decode(const uint8_t *buf, size_t len,
                                         struct fscc_fs_full_size_info *out);
ntstatus_t fscc_fs_device_info_encode(struct wr *w, const struct fscc_fs_device_info *in);
ntstatus_t fscc_fs_attribute_info_encode(struct wr *w, const struct fscc_fs_attribute_info *in);

#endif
