/* SMB2 WRITE request and response. [MS-SMB2] 2.2.21, 2.2.22.
 *
 * Large MTU: the request's data is never copied by the codec unless asked.
 * smb2_write_req_encode with data == NULL writes only the 48-byte fixed part,
 * with DataOffset = 112 (SMB2_WRITE_REQ_DATA_OFFSET) and Length = length: the
 * caller sends the data as the next iovec, immediately after. The decoder
 * returns a pointer into the message.
 *
 * RDMA is not supported: a request naming an RDMA channel is decoded (its
 * WriteChannelInfo validated) and flagged with rdma = true so that the server
 * can refuse it; the encoders refuse channel info. */
#ifndef SIGNET_WIRE_WRITE_H
#define SIGNET_WIRE_WRITE_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/read.h" /* SMB2_CHANNEL_* */
#include "wire/smb2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMB2_WRITE_REQ_STRUCTURE_SIZE 49
#define SMB2_WRITE_RSP_STRUCTURE_SIZE 17
#define SMB2_WRITE_REQ_FIXED_END      (SMB2_HDR_SIZE + 48)
#define SMB2_WRITE_RSP_FIXED_END      (SMB2_HDR_SIZE + 16)
#define SMB2_WRITE_REQ_DATA_OFFSET    SMB2_WRITE_REQ_FIXED_END

/* 2.2.21 Flags */
#define SMB2_WRITEFLAG_WRITE_THROUGH    0x00000001u
#define SMB2_WRITEFLAG_WRITE_UNBUFFERED 0x00000002u

/* [MS-SMB2] 2.2.21 SMB2 WRITE Request. */
struct smb2_write_req {
    uint16_t data_offset; /* decode only; the encoder uses 112 */
    uint32_t length;
    uint64_t offset;
    struct smb2_file_id file_id;
    uint32_t channel;
    uint32_t remaining_bytes;
    uint32_t flags;
    const uint8_t *data;               /* decode: into msg. encode: copied, or NULL for an iovec */
    const uint8_t *write_channel_info; /* into msg; NULL when absent */
    uint16_t write_channel_info_len;
    bool rdma; /* decode: channel is an RDMA channel (unsupported) */
};

/* [MS-SMB2] 2.2.22 SMB2 WRITE Response. */
struct smb2_write_rsp {
    uint32_t count;
    uint32_t remaining; /* reserved, 0 */
};

/* Checks StructureSize, that the data and WriteChannelInfo lie after the fixed
 * part inside msg and apart, Channel <= RDMA_TRANSFORM, and that an RDMA
 * channel comes with channel info. */
ntstatus_t smb2_write_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_write_req *out);
/* Fixed part with DataOffset 112, then: length bytes from in->data, or nothing
 * when in->data is NULL (the caller appends the data), or one zero byte when
 * length is 0. STATUS_NOT_SUPPORTED for channel info. */
ntstatus_t smb2_write_req_encode(struct wr *w, const struct smb2_write_req *in);
/* Checks StructureSize; the (unused) WriteChannelInfo fields are ignored. */
ntstatus_t smb2_write_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_write_rsp *out);
ntstatus_t smb2_write_rsp_encode(struct wr *w, const struct smb2_write_rsp *in);

#endif
