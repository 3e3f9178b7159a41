/* SMB2 FLUSH. [MS-SMB2] 2.2.17 (request), 2.2.18 (response). */
#ifndef SIGNET_WIRE_FLUSH_H
#define SIGNET_WIRE_FLUSH_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/smb2.h"

#include <stdint.h>

/* [MS-SMB2] 2.2.17 SMB2 FLUSH Request: Reserved1 (u16), Reserved2 (u32),
 * FileId. The reserved fields are written as 0 and ignored on receipt. */
struct smb2_flush_req {
    struct smb2_file_id file_id;
};

/* [MS-SMB2] 2.2.18 SMB2 FLUSH Response */
struct smb2_flush_rsp {
    uint16_t reserved;
};

ntstatus_t smb2_flush_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_flush_req *out);
ntstatus_t smb2_flush_req_encode(struct wr *w, const struct smb2_flush_req *in);
ntstatus_t smb2_flush_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_flush_rsp *out);
ntstatus_t smb2_flush_rsp_encode(struct wr *w, const struct smb2_flush_rsp *in);

#endif
