/* SMB2 CHANGE_NOTIFY request and response, and the [MS-FSCC] 2.7.1
 * FILE_NOTIFY_INFORMATION entries of its output. [MS-SMB2] 2.2.35, 2.2.36. */
#ifndef SIGNET_WIRE_CHANGE_NOTIFY_H
#define SIGNET_WIRE_CHANGE_NOTIFY_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/smb2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMB2_CHANGE_NOTIFY_REQ_STRUCTURE_SIZE 32
#define SMB2_CHANGE_NOTIFY_RSP_STRUCTURE_SIZE 9
#define SMB2_CHANGE_NOTIFY_RSP_FIXED_END      (SMB2_HDR_SIZE + 8)

/* 2.2.35 Flags */
#define SMB2_WATCH_TREE 0x0001

/* 2.2.35 CompletionFilter */
#define FILE_NOTIFY_CHANGE_FILE_NAME    0x00000001u
#define FILE_NOTIFY_CHANGE_DIR_NAME     0x00000002u
#define FILE_NOTIFY_CHANGE_ATTRIBUTES   0x00000004u
#define FILE_NOTIFY_CHANGE_SIZE         0x00000008u
#define FILE_NOTIFY_CHANGE_LAST_WRITE   0x00000010u
#define FILE_NOTIFY_CHANGE_LAST_ACCESS  0x00000020u
#define FILE_NOTIFY_CHANGE_CREATION     0x00000040u
#define FILE_NOTIFY_CHANGE_EA           0x00000080u
#define FILE_NOTIFY_CHANGE_SECURITY     0x00000100u
#define FILE_NOTIFY_CHANGE_STREAM_NAME  0x00000200u
#define FILE_NOTIFY_CHANGE_STREAM_SIZE  0x00000400u
#define FILE_NOTIFY_CHANGE_STREAM_WRITE 0x00000800u

/* [MS-FSCC] 2.7.1 Action */
#define FILE_ACTION_ADDED            0x00000001u
#define FILE_ACTION_REMOVED          0x00000002u
#define FILE_ACTION_MODIFIED         0x00000003u
#define FILE_ACTION_RENAMED_OLD_NAME 0x00000004u
#define FILE_ACTION_RENAMED_NEW_NAME 0x00000005u
#define FILE_ACTION_ADDED_STREAM     0x00000006u
#define FILE_ACTION_REMOVED_STREAM   0x00000007u
#define FILE_ACTION_MODIFIED_STREAM  0x00000008u

/* [MS-SMB2] 2.2.35 SMB2 CHANGE_NOTIFY Request. */
struct smb2_change_notify_req {
    uint16_t flags;
    uint32_t output_buffer_length;
    struct smb2_file_id file_id;
    uint32_t completion_filter;
};

/* [MS-SMB2] 2.2.36 SMB2 CHANGE_NOTIFY Response. */
struct smb2_change_notify_rsp {
    const uint8_t *output_buffer; /* decode: into msg; encode: copied */
    uint32_t output_buffer_length;
};

ntstatus_t smb2_change_notify_req_decode(const uint8_t *msg, size_t msg_len,
                                         struct smb2_change_notify_req *out);
ntstatus_t smb2_change_notify_req_encode(struct wr *w, const struct smb2_change_notify_req *in);
/* Checks StructureSize and that the output buffer lies after the fixed part
 * inside msg. */
ntstatus_t smb2_change_notify_rsp_decode(const uint8_t *msg, size_t msg_len,
                                         struct smb2_change_notify_rsp *out);
/* OutputBufferOffset 72 (0 when empty, with one zero byte). */
ntstatus_t smb2_change_notify_rsp_encode(struct wr *w, const struct smb2_change_notify_rsp *in);

/* One FILE_NOTIFY_INFORMATION. */
#define FSCC_NOTIFY_INFO_FIXED_SIZE 12
struct fscc_notify_entry {
    uint32_t action;
    const char *name; /* encode: UTF-8 (preferred) ... */
    size_t name_len;
    const uint8_t *file_name; /* ... or UTF-16LE; decode: into the buffer */
    uint32_t file_name_len;
};

/* Appends entries 4-byte aligned into buf[0..cap) (cap: the smaller of the
 * space and the request's OutputBufferLength), linking NextEntryOffset.
 * STATUS_BUFFER_TOO_SMALL leaves the writer unchanged (the server then
 * answers STATUS_NOTIFY_ENUM_DIR); STATUS_OBJECT_NAME_INVALID for bad UTF-8. */
struct fscc_notify_writer {
    uint8_t *buf;
    size_t cap;
    size_t len;
    size_t last;
    unsigned count;
};
void fscc_notify_writer_init(struct fscc_notify_writer *nw, uint8_t *buf, size_t cap);
ntstatus_t fscc_notify_writer_add(struct fscc_notify_writer *nw, const struct fscc_notify_entry *e);

/* Walks the entries: NextEntryOffset a multiple of 4 that advances past the
 * entry's name and stays inside the buffer; FileNameLength even. */
struct fscc_notify_iter {
    struct rd r;
    size_t next_off;
    bool done;
    unsigned count;
};
void fscc_notify_iter_init(struct fscc_notify_iter *it, const uint8_t *buf, size_t len);
bool fscc_notify_iter_next(struct fscc_notify_iter *it, struct fscc_notify_entry *e);
SG_MUST_CHECK static inline ntstatus_t fscc_notify_iter_status(const struct fscc_notify_iter *it)
{
    return rd_status(&it->r);
}

#endif
