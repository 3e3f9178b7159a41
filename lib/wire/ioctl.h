/* SMB2 IOCTL request and response, and the VALIDATE_NEGOTIATE_INFO payloads.
 * [MS-SMB2] 2.2.31, 2.2.31.4, 2.2.32, 2.2.32.6. */
#ifndef SIGNET_WIRE_IOCTL_H
#define SIGNET_WIRE_IOCTL_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/smb2.h"

#include <stddef.h>
#include <stdint.h>

#define SMB2_IOCTL_REQ_STRUCTURE_SIZE 57
#define SMB2_IOCTL_RSP_STRUCTURE_SIZE 49
#define SMB2_IOCTL_REQ_FIXED_END      (SMB2_HDR_SIZE + 56)
#define SMB2_IOCTL_RSP_FIXED_END      (SMB2_HDR_SIZE + 48)

/* 2.2.31 Flags */
#define SMB2_0_IOCTL_IS_IOCTL 0x00000000u
#define SMB2_0_IOCTL_IS_FSCTL 0x00000001u

/* 2.2.31 CtlCode: the FSCTLs SMB2 names ([MS-FSCC] 2.3 for the file system
 * ones). */
#define FSCTL_DFS_GET_REFERRALS            0x00060194u
#define FSCTL_DFS_GET_REFERRALS_EX         0x000601B0u
#define FSCTL_PIPE_PEEK                    0x0011400Cu
#define FSCTL_PIPE_WAIT                    0x00110018u
#define FSCTL_PIPE_TRANSCEIVE              0x0011C017u
#define FSCTL_SRV_COPYCHUNK                0x001440F2u
#define FSCTL_SRV_COPYCHUNK_WRITE          0x001480F2u
#define FSCTL_SRV_ENUMERATE_SNAPSHOTS      0x00144064u
#define FSCTL_SRV_REQUEST_RESUME_KEY       0x00140078u
#define FSCTL_SRV_READ_HASH                0x001441BBu
#define FSCTL_LMR_REQUEST_RESILIENCY       0x001401D4u
#define FSCTL_QUERY_NETWORK_INTERFACE_INFO 0x001401FCu
#define FSCTL_VALIDATE_NEGOTIATE_INFO      0x00140204u
#define FSCTL_SET_REPARSE_POINT            0x000900A4u
#define FSCTL_GET_REPARSE_POINT            0x000900A8u
#define FSCTL_FILE_LEVEL_TRIM              0x00098208u
#define FSCTL_GET_COMPRESSION              0x0009003Cu
#define FSCTL_SET_COMPRESSION              0x0009C040u
#define FSCTL_SET_SPARSE                   0x000900C4u
#define FSCTL_SET_ZERO_DATA                0x000980C8u
#define FSCTL_QUERY_ALLOCATED_RANGES       0x000940CFu
#define FSCTL_CREATE_OR_GET_OBJECT_ID      0x000900C0u
#define FSCTL_DUPLICATE_EXTENTS_TO_FILE    0x00098344u

/* [MS-SMB2] 2.2.31 SMB2 IOCTL Request. */
struct smb2_ioctl_req {
    uint32_t ctl_code;
    struct smb2_file_id file_id; /* all ones for FSCTLs that name no file */
    const uint8_t *input;        /* decode: into msg; encode: copied */
    uint32_t input_count;
    uint32_t max_input_response;
    const uint8_t *output; /* normally empty in requests */
    uint32_t output_count;
    uint32_t max_output_response;
    uint32_t flags;
};

/* [MS-SMB2] 2.2.32 SMB2 IOCTL Response. */
struct smb2_ioctl_rsp {
    uint32_t ctl_code;
    struct smb2_file_id file_id;
    const uint8_t *input;
    uint32_t input_count;
    const uint8_t *output;
    uint32_t output_count;
    uint32_t flags;
};

/* Check StructureSize and that the input and output buffers lie after the
 * fixed part, inside msg and apart. */
ntstatus_t smb2_ioctl_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_ioctl_req *out);
ntstatus_t smb2_ioctl_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_ioctl_rsp *out);
/* Input then output, each 8-byte aligned after the fixed part (offset 0 when
 * empty); one zero byte when both are empty. */
ntstatus_t smb2_ioctl_req_encode(struct wr *w, const struct smb2_ioctl_req *in);
ntstatus_t smb2_ioctl_rsp_encode(struct wr *w, const struct smb2_ioctl_rsp *in);

/* [MS-SMB2] 2.2.31.4 VALIDATE_NEGOTIATE_INFO Request (the IOCTL input). */
#define SMB2_VNI_MAX_DIALECTS 16
struct smb2_validate_negotiate_req {
    uint32_t capabilities;
    uint8_t guid[16];
    uint16_t security_mode;
    uint16_t dialect_count; /* 1 .. SMB2_VNI_MAX_DIALECTS */
    uint16_t dialects[SMB2_VNI_MAX_DIALECTS];
};

/* [MS-SMB2] 2.2.32.6 VALIDATE_NEGOTIATE_INFO Response (the IOCTL output). */
#define SMB2_VNI_RSP_SIZE 24
struct smb2_validate_negotiate_rsp {
    uint32_t capabilities;
    uint8_t guid[16];
    uint16_t security_mode;
    uint16_t dialect;
};

/* buf/len: the IOCTL input. Rejects DialectCount 0 or above
 * SMB2_VNI_MAX_DIALECTS, or dialects past len. */
ntstatus_t smb2_validate_negotiate_req_decode(const uint8_t *buf, size_t len,
                                              struct smb2_validate_negotiate_req *out);
ntstatus_t smb2_validate_negotiate_req_encode(struct wr *w,
                                              const struct smb2_validate_negotiate_req *in);
/* buf/len: the IOCTL output; len must be at least 24. */
ntstatus_t smb2_validate_negotiate_rsp_decode(const uint8_t *buf, size_t len,
                                              struct smb2_validate_negotiate_rsp *out);
ntstatus_t smb2_validate_negotiate_rsp_encode(struct wr *w,
                                              const struct smb2_validate_negotiate_rsp *in);

#endif
