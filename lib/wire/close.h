/* SMB2 CLOSE. [MS-SMB2] 2.2.15 (request), 2.2.16 (response). */
#ifndef SIGNET_WIRE_CLOSE_H
#define SIGNET_WIRE_CLOSE_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/smb2.h"

#include <stdint.h>

/* 2.2.15 Flags */
#define SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB 0x0001

/* [MS-SMB2] 2.2.15 SMB2 CLOSE Request */
struct smb2_close_req {
    uint16_t flags;
    struct smb2_file_id file_id;
};

/* [MS-SMB2] 2.2.16 SMB2 CLOSE Response. Without SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB
 * in flags the attribute fields are 0 on the wire and are decoded as 0. */
struct smb2_close_rsp {
    uint16_t flags;
    uint64_t creation_time; /* FILETIME */
    uint64_t last_access_time;
    uint64_t last_write_time;
    uint64_t change_time;
    uint64_t allocation_size;
    uint64_t end_of_file;
    uint32_t file_attributes;
};

ntstatus_t smb2_close_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_close_req *out);
ntstatus_t smb2_close_req_encode(struct wr *w, const struct smb2_close_req *in);
ntstatus_t smb2_close_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_close_rsp *out);
ntstatus_t smb2_close_rsp_encode(struct wr *w, const struct smb2_close_rsp *in);

#endif
