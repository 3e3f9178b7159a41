/* SMB2 ECHO. [MS-SMB2] 2.2.28 (request), 2.2.29 (response).
 * The body is StructureSize (4) and a Reserved u16 that receivers ignore. */
#ifndef SIGNET_WIRE_ECHO_H
#define SIGNET_WIRE_ECHO_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdint.h>

/* [MS-SMB2] 2.2.28 SMB2 ECHO Request */
struct smb2_echo_req {
    uint16_t reserved;
};

/* [MS-SMB2] 2.2.29 SMB2 ECHO Response */
struct smb2_echo_rsp {
    uint16_t reserved;
};

ntstatus_t smb2_echo_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_echo_req *out);
ntstatus_t smb2_echo_req_encode(struct wr *w, const struct smb2_echo_req *in);
ntstatus_t smb2_echo_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_echo_rsp *out);
ntstatus_t smb2_echo_rsp_encode(struct wr *w, const struct smb2_echo_rsp *in);

#endif
