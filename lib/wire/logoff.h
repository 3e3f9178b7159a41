/* SMB2 LOGOFF. [MS-SMB2] 2.2.7 (request), 2.2.8 (response).
 * The body is StructureSize (4) and a Reserved u16 that receivers ignore. */
#ifndef SIGNET_WIRE_LOGOFF_H
#define SIGNET_WIRE_LOGOFF_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdint.h>

/* [MS-SMB2] 2.2.7 SMB2 LOGOFF Request */
struct smb2_logoff_req {
    uint16_t reserved;
};

/* [MS-SMB2] 2.2.8 SMB2 LOGOFF Response */
struct smb2_logoff_rsp {
    uint16_t reserved;
};

ntstatus_t smb2_logoff_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_logoff_req *out);
ntstatus_t smb2_logoff_req_encode(struct wr *w, const struct smb2_logoff_req *in);
ntstatus_t smb2_logoff_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_logoff_rsp *out);
ntstatus_t smb2_logoff_rsp_encode(struct wr *w, const struct smb2_logoff_rsp *in);

#endif
