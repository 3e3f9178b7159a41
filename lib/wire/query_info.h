/* SMB2 QUERY_INFO request and response. [MS-SMB2] 2.2.37, 2.2.38.
 * The information classes themselves: fscc_info.h. */
#ifndef SIGNET_WIRE_QUERY_INFO_H
#define SIGNET_WIRE_QUERY_INFO_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/fscc_info.h"
#include "wire/smb2.h"

#include <stddef.h>
#include <stdint.h>

#define SMB2_QUERY_INFO_REQ_STRUCTURE_SIZE 41
#define SMB2_QUERY_INFO_RSP_STRUCTURE_SIZE 9
#define SMB2_QUERY_INFO_REQ_FIXED_END      (SMB2_HDR_SIZE + 40)
#define SMB2_QUERY_INFO_RSP_FIXED_END      (SMB2_HDR_SIZE + 8)

/* 2.2.37 InfoType (also SET_INFO's) */
#define SMB2_0_INFO_FILE       0x01
#define SMB2_0_INFO_FILESYSTEM 0x02
#define SMB2_0_INFO_SECURITY   0x03
#define SMB2_0_INFO_QUOTA      0x04

/* 2.2.37 AdditionalInformation for SECURITY */
#define OWNER_SECURITY_INFORMATION     0x00000001u
#define GROUP_SECURITY_INFORMATION     0x00000002u
#define DACL_SECURITY_INFORMATION      0x00000004u
#define SACL_SECURITY_INFORMATION      0x00000008u
#define LABEL_SECURITY_INFORMATION     0x00000010u
#define ATTRIBUTE_SECURITY_INFORMATION 0x00000020u
#define SCOPE_SECURITY_INFORMATION     0x00000040u
#define BACKUP_SECURITY_INFORMATION    0x00010000u

/* 2.2.37 Flags */
#define SL_RESTART_SCAN        0x00000001u
#define SL_RETURN_SINGLE_ENTRY 0x00000002u
#define SL_INDEX_SPECIFIED     0x00000004u

/* [MS-SMB2] 2.2.37 SMB2 QUERY_INFO Request. */
struct smb2_query_info_req {
    uint8_t info_type;
    uint8_t file_info_class;
    uint32_t output_buffer_length;
    const uint8_t *input_buffer; /* quota queries and FileFullEaInformation */
    uint32_t input_buffer_length;
    uint32_t additional_information;
    uint32_t flags;
    struct smb2_file_id file_id;
};

/* [MS-SMB2] 2.2.38 SMB2 QUERY_INFO Response. */
struct smb2_query_info_rsp {
    const uint8_t *output_buffer; /* decode: into msg; encode: copied */
    uint32_t output_buffer_length;
};

/* Checks StructureSize and that the input buffer lies after the fixed part
 * inside msg. */
ntstatus_t smb2_query_info_req_decode(const uint8_t *msg, size_t msg_len,
                                      struct smb2_query_info_req *out);
ntstatus_t smb2_query_info_req_encode(struct wr *w, const struct smb2_query_info_req *in);
ntstatus_t smb2_query_info_rsp_decode(const uint8_t *msg, size_t msg_len,
                                      struct smb2_query_info_rsp *out);
/* OutputBufferOffset 72; one zero byte when the buffer is empty. */
ntstatus_t smb2_query_info_rsp_encode(struct wr *w, const struct smb2_query_info_rsp *in);
/* Writing the class in place: _begin writes the fixed part at w's position
 * and leaves w where the class goes; encode it into w (an fscc_*_encode),
 * then _finish(w, body_start) sets OutputBufferLength from w's position.
 * body_start is wr_pos(w) before _begin. */
ntstatus_t smb2_query_info_rsp_begin(struct wr *w);
ntstatus_t smb2_query_info_rsp_finish(struct wr *w, size_t body_start);

#endif
