/* SMB2 QUERY_DIRECTORY request and response, and the [MS-FSCC] 2.4
 * directory information classes clients ask for: FileDirectoryInformation,
 * FileFullDirectoryInformation, FileBothDirectoryInformation,
 * FileIdBothDirectoryInformation, FileIdFullDirectoryInformation and
 * FileNamesInformation. [MS-SMB2] 2.2.33, 2.2.34. */
#ifndef SIGNET_WIRE_QUERY_DIRECTORY_H
#define SIGNET_WIRE_QUERY_DIRECTORY_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/fscc_info.h"
#include "wire/smb2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMB2_QUERY_DIRECTORY_REQ_STRUCTURE_SIZE 33
#define SMB2_QUERY_DIRECTORY_RSP_STRUCTURE_SIZE 9
#define SMB2_QUERY_DIRECTORY_REQ_FIXED_END      (SMB2_HDR_SIZE + 32)
#define SMB2_QUERY_DIRECTORY_RSP_FIXED_END      (SMB2_HDR_SIZE + 8)

/* 2.2.33 Flags */
#define SMB2_RESTART_SCANS       0x01
#define SMB2_RETURN_SINGLE_ENTRY 0x02
#define SMB2_INDEX_SPECIFIED     0x04
#define SMB2_REOPEN              0x10

/* [MS-SMB2] 2.2.33 SMB2 QUERY_DIRECTORY Request. */
struct smb2_query_directory_req {
    uint8_t file_information_class;
    uint8_t flags;
    uint32_t file_index;
    struct smb2_file_id file_id;
    const uint8_t *file_name; /* the search pattern, UTF-16LE; may be empty */
    uint16_t file_name_len;
    uint32_t output_buffer_length;
};

/* [MS-SMB2] 2.2.34 SMB2 QUERY_DIRECTORY Response. */
struct smb2_query_directory_rsp {
    const uint8_t *output_buffer; /* decode: into msg. encode: copied, or NULL
                                     when the caller already wrote it in place */
    uint32_t output_buffer_length;
};

/* Checks StructureSize and that the pattern lies after the fixed part, inside
 * msg, with an even length. */
ntstatus_t smb2_query_directory_req_decode(const uint8_t *msg, size_t msg_len,
                                           struct smb2_query_directory_req *out);
ntstatus_t smb2_query_directory_req_encode(struct wr *w, const struct smb2_query_directory_req *in);
ntstatus_t smb2_query_directory_rsp_decode(const uint8_t *msg, size_t msg_len,
                                           struct smb2_query_directory_rsp *out);
/* Copies output_buffer after the fixed part (OutputBufferOffset 72), or
 * writes only the fixed part when output_buffer is NULL (the caller sends the
 * buffer as the next iovec); one zero byte when the length is 0. */
ntstatus_t smb2_query_directory_rsp_encode(struct wr *w, const struct smb2_query_directory_rsp *in);
/* Building the entries in place, without a copy: _begin writes the fixed part
 * at the writer's position and returns where the entries go (*buf, up to
 * *cap bytes; fill them with a fscc_dir_writer); _finish takes the writer
 * past the len bytes used and sets OutputBufferLength. body_start is
 * wr_pos(w) before _begin. */
ntstatus_t smb2_query_directory_rsp_begin(struct wr *w, uint8_t **buf, size_t *cap);
ntstatus_t smb2_query_directory_rsp_finish(struct wr *w, size_t body_start, size_t len);

/* One directory entry: the union of the classes' fields (each class uses a
 * subset; FileNamesInformation only file_index and the name). */
struct fscc_dir_entry {
    uint32_t file_index;
    uint64_t creation_time;
    uint64_t last_access_time;
    uint64_t last_write_time;
    uint64_t change_time;
    uint64_t end_of_file;
    uint64_t allocation_size;
    uint32_t file_attributes;
    uint32_t ea_size;       /* the reparse tag when FILE_ATTRIBUTE_REPARSE_POINT */
    uint64_t file_id;       /* FileId* classes */
    uint8_t short_name_len; /* Both classes: bytes, <= 24 */
    uint8_t short_name[24]; /* UTF-16LE 8.3 name */
    const char *name;       /* encode: UTF-8 name (preferred) ... */
    size_t name_len;
    const uint8_t *file_name; /* ... or UTF-16LE when name is NULL; decode: into the buffer */
    uint32_t file_name_len;
};

/* Fixed size of an entry of a class, or 0 for a class not supported here. */
size_t fscc_dir_entry_fixed_size(uint8_t info_class);

/* Appends entries 8-byte aligned into buf[0..cap), cap being the smaller of
 * the space available and the request's OutputBufferLength; each entry's
 * NextEntryOffset is set when the next one is added, the last one's is 0. */
struct fscc_dir_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;  /* bytes used: the end of the last entry */
    size_t last; /* offset of the last entry */
    unsigned count;
    uint8_t info_class;
};
void fscc_dir_writer_init(struct fscc_dir_writer *dw, uint8_t info_class, uint8_t *buf, size_t cap);
/* STATUS_SUCCESS; STATUS_BUFFER_TOO_SMALL when the entry does not fit (the
 * writer is unchanged: stop and return it in the next response);
 * STATUS_INVALID_INFO_CLASS; STATUS_OBJECT_NAME_INVALID for ill-formed
 * UTF-8; STATUS_INVALID_PARAMETER for a short name over 24 bytes. */
ntstatus_t fscc_dir_writer_add(struct fscc_dir_writer *dw, const struct fscc_dir_entry *e);

/* Walks a response's OutputBuffer. Each entry must start 8-byte aligned
 * (NextEntryOffset a multiple of 8), advance, and hold its fixed part and
 * name inside [entry, entry + NextEntryOffset) (the last: inside the buffer);
 * FileNameLength even, ShortNameLength <= 24. */
struct fscc_dir_iter {
    struct rd r;
    size_t next_off;
    bool done;
    uint8_t info_class;
    unsigned count;
};
void fscc_dir_iter_init(struct fscc_dir_iter *it, uint8_t info_class, const uint8_t *buf,
                        size_t len);
bool fscc_dir_iter_next(struct fscc_dir_iter *it, struct fscc_dir_entry *e);
SG_MUST_CHECK static inline ntstatus_t fscc_dir_iter_status(const struct fscc_dir_iter *it)
{
    return rd_status(&it->r);
}

#endif
