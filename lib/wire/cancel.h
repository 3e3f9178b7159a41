/* SMB2 CANCEL. [MS-SMB2] 2.2.30 (request; CANCEL has no response).
 * The body is StructureSize (4) and a Reserved u16 that receivers ignore. */
#ifndef SIGNET_WIRE_CANCEL_H
#define SIGNET_WIRE_CANCEL_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdint.h>

/* [MS-SMB2] 2.2.30 SMB2 CANCEL Request */
struct smb2_cancel_req {
    uint16_t reserved;
};

ntstatus_t smb2_cancel_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_cancel_req *out);
ntstatus_t smb2_cancel_req_encode(struct wr *w, const struct smb2_cancel_req *in);

#endif
