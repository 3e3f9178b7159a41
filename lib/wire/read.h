/* SMB2 READ request and response. [MS-SMB2] 2.2.19, 2.2.20.
 *
 * Large MTU: the response's data is never copied by the codec unless asked.
 * smb2_read_rsp_encode with data == NULL writes only the 16-byte fixed part,
 * with DataOffset = 80 (SMB2_READ_RSP_DATA_OFFSET) and DataLength = data_len:
 * the caller sends the data as the next iovec, immediately after. The decoder
 * returns a pointer into the message.
 *
 * RDMA is not supported: a request naming an RDMA channel is decoded (its
 * ReadChannelInfo validated) and flagged with rdma = true so that the server
 * can refuse it; the encoders refuse channel info. */
#ifndef SIGNET_WIRE_READ_H
#define SIGNET_WIRE_READ_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/smb2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMB2_READ_REQ_STRUCTURE_SIZE 49
#define SMB2_READ_RSP_STRUCTURE_SIZE 17
#define SMB2_READ_REQ_FIXED_END      (SMB2_HDR_SIZE + 48)
#define SMB2_READ_RSP_FIXED_END      (SMB2_HDR_SIZE + 16)
#define SMB2_READ_RSP_DATA_OFFSET    SMB2_READ_RSP_FIXED_END

/* 2.2.19 Flags */
#define SMB2_READFLAG_READ_UNBUFFERED    0x01
#define SMB2_READFLAG_REQUEST_COMPRESSED 0x02
/* 2.2.20 Flags (3.1.1) */
#define SMB2_READFLAG_RESPONSE_NONE           0x00000000u
#define SMB2_READFLAG_RESPONSE_RDMA_TRANSFORM 0x00000001u

/* 2.2.19 / 2.2.21 Channel */
#define SMB2_CHANNEL_NONE               0x00000000u
#define SMB2_CHANNEL_RDMA_V1            0x00000001u
#define SMB2_CHANNEL_RDMA_V1_INVALIDATE 0x00000002u
#define SMB2_CHANNEL_RDMA_TRANSFORM     0x00000003u

/* [MS-SMB2] 2.2.19 SMB2 READ Request. */
struct smb2_read_req {
    uint8_t padding; /* the DataOffset the client wants in the response */
    uint8_t flags;
    uint32_t length;
    uint64_t offset;
    struct smb2_file_id file_id;
    uint32_t minimum_count;
    uint32_t channel;
    uint32_t remaining_bytes;
    const uint8_t *read_channel_info; /* into msg; NULL when absent */
    uint16_t read_channel_info_len;
    bool rdma; /* decode: channel is an RDMA channel (unsupported) */
};

/* [MS-SMB2] 2.2.20 SMB2 READ Response. */
struct smb2_read_rsp {
    uint8_t data_offset; /* decode only; the encoder uses 80 */
    uint32_t data_length;
    uint32_t data_remaining;
    uint32_t flags;
    const uint8_t *data; /* decode: into msg. encode: copied, or NULL for an iovec */
};

/* Checks StructureSize, Channel <= RDMA_TRANSFORM, ReadChannelInfo (after the
 * fixed part, inside msg; required non-empty for an RDMA channel). */
ntstatus_t smb2_read_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_read_req *out);
/* Writes the fixed part and the one Buffer byte. STATUS_NOT_SUPPORTED if
 * in->read_channel_info_len is not 0. */
ntstatus_t smb2_read_req_encode(struct wr *w, const struct smb2_read_req *in);
/* Checks StructureSize and that [DataOffset, +DataLength) lies after the fixed
 * part inside msg. */
ntstatus_t smb2_read_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_read_rsp *out);
/* Fixed part with DataOffset 80, then: data_length bytes from in->data, or
 * nothing when in->data is NULL (the caller appends the data), or one zero
 * byte when data_length is 0. */
ntstatus_t smb2_read_rsp_encode(struct wr *w, const struct smb2_read_rsp *in);

#endif
