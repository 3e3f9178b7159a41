/* SMB2 TREE_DISCONNECT. [MS-SMB2] 2.2.11 (request), 2.2.12 (response).
 * The body is StructureSize (4) and a Reserved u16 that receivers ignore. */
#ifndef SIGNET_WIRE_TREE_DISCONNECT_H
#define SIGNET_WIRE_TREE_DISCONNECT_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdint.h>

/* [MS-SMB2] 2.2.11 SMB2 TREE_DISCONNECT Request */
struct smb2_tree_disconnect_req {
    uint16_t reserved;
};

/* [MS-SMB2] 2.2.12 SMB2 TREE_DISCONNECT Response */
struct smb2_tree_disconnect_rsp {
    uint16_t reserved;
};

ntstatus_t smb2_tree_disconnect_req_decode(const uint8_t *msg, size_t msg_len,
                                           struct smb2_tree_disconnect_req *out);
ntstatus_t smb2_tree_disconnect_req_encode(struct wr *w, const struct smb2_tree_disconnect_req *in);
ntstatus_t smb2_tree_disconnect_rsp_decode(const uint8_t *msg, size_t msg_len,
                                           struct smb2_tree_disconnect_rsp *out);
ntstatus_t smb2_tree_disconnect_rsp_encode(struct wr *w, const struct smb2_tree_disconnect_rsp *in);

#endif
