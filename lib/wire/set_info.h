/* SMB2 SET_INFO request and response. [MS-SMB2] 2.2.39, 2.2.40.
 * The information classes themselves: fscc_info.h. */
#ifndef SIGNET_WIRE_SET_INFO_H
#define SIGNET_WIRE_SET_INFO_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/fscc_info.h"
#include "wire/query_info.h" /* SMB2_0_INFO_*, *_SECURITY_INFORMATION */
#include "wire/smb2.h"

#include <stddef.h>
#include <stdint.h>

#define SMB2_SET_INFO_REQ_STRUCTURE_SIZE 33
#define SMB2_SET_INFO_RSP_STRUCTURE_SIZE 2
#define SMB2_SET_INFO_REQ_FIXED_END      (SMB2_HDR_SIZE + 32)

/* [MS-SMB2] 2.2.39 SMB2 SET_INFO Request. */
struct smb2_set_info_req {
    uint8_t info_type;
    uint8_t file_info_class;
    const uint8_t *buffer; /* decode: into msg; encode: copied */
    uint32_t buffer_length;
    uint32_t additional_information;
    struct smb2_file_id file_id;
};

/* Checks StructureSize and that the buffer lies after the fixed part inside
 * msg. An empty buffer is left to the server to judge per class. */
ntstatus_t smb2_set_info_req_decode(const uint8_t *msg, size_t msg_len,
                                    struct smb2_set_info_req *out);
/* The buffer at 96; one zero byte when it is empty. */
ntstatus_t smb2_set_info_req_encode(struct wr *w, const struct smb2_set_info_req *in);
/* [MS-SMB2] 2.2.40: StructureSize only. */
ntstatus_t smb2_set_info_rsp_decode(const uint8_t *msg, size_t msg_len);
ntstatus_t smb2_set_info_rsp_encode(struct wr *w);

#endif
