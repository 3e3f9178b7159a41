/* SMB2 packet header (sync and async) and Direct TCP framing.
 * [MS-SMB2] 2.1 (transport), 2.2.1.1 (ASYNC), 2.2.1.2 (SYNC). */
#ifndef SIGNET_WIRE_HDR_H
#define SIGNET_WIRE_HDR_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdbool.h>
#include <stdint.h>

struct smb2_hdr {
    uint16_t credit_charge;
    /* Status in responses; in 3.x requests ChannelSequence (low 16 bits) + Reserved. */
    uint32_t status;
    uint16_t command;
    uint16_t credit_request; /* CreditRequest / CreditResponse */
    uint32_t flags;
    uint32_t next_command;
    uint64_t message_id;
    uint64_t async_id; /* when flags & SMB2_FLAGS_ASYNC_COMMAND */
    uint32_t tree_id;  /* otherwise */
    uint64_t session_id;
    uint8_t signature[SMB2_SIG_SIZE];
};

/* Decode the 64-byte header at msg. Rejects a wrong ProtocolId or
 * StructureSize (STATUS_INVALID_PARAMETER) and msg_len < 64. Does not look at
 * NextCommand beyond reading it: the compound walker checks it. */
ntstatus_t smb2_hdr_decode(const uint8_t *msg, size_t msg_len, struct smb2_hdr *out);
/* Write the 64-byte header at the writer's current position (normally 0 of a
 * message). The signature is written as given (zero it to sign later). */
ntstatus_t smb2_hdr_encode(struct wr *w, const struct smb2_hdr *h);

static inline bool smb2_hdr_is_response(const struct smb2_hdr *h)
{
    return (h->flags & SMB2_FLAGS_SERVER_TO_REDIR) != 0;
}

/* Direct TCP transport (2.1): a 4-byte header, one zero byte and a 24-bit
 * big-endian length. Returns STATUS_INVALID_PARAMETER when the first byte is
 * not zero or the length is 0 or above max_len. */
ntstatus_t smb2_frame_decode(const uint8_t hdr[4], uint32_t max_len, uint32_t *len);
void smb2_frame_encode(uint8_t hdr[4], uint32_t len);

/* ---- helpers shared by the command codecs ([MS-SMB2] 2.2) ----
 * Not part of the header format itself; every command decoder starts and
 * bounds its variable-length buffers the same way, so the rules live here. */

/* Start a reader over [msg, msg + msg_len) positioned just after the body's
 * StructureSize (offset 66), failing it with STATUS_INVALID_PARAMETER when
 * msg_len cannot hold the header or StructureSize is not structure_size. */
void smb2_body_rd(struct rd *r, const uint8_t *msg, size_t msg_len, uint16_t structure_size);

/* The (Offset, Length) buffer of a body: Offset is from the SMB2 header, i.e.
 * an absolute offset in r. A non-empty buffer must start at or after
 * fixed_end (header + fixed part of the body) and end inside r. An empty one
 * may have Offset 0 or any Offset in [fixed_end, end]. Returns the pointer
 * (NULL when empty) and fails r (STATUS_INVALID_PARAMETER) otherwise. Does
 * not move r. */
const uint8_t *smb2_body_buf(struct rd *r, size_t off, size_t len, size_t fixed_end);

/* The response body QUERY_DIRECTORY (2.2.34), CHANGE_NOTIFY (2.2.36) and
 * QUERY_INFO (2.2.38) share: StructureSize 9, OutputBufferOffset (u16),
 * OutputBufferLength (u32), Buffer. */
#define SMB2_OUTBUF_RSP_STRUCTURE_SIZE 9
#define SMB2_OUTBUF_RSP_FIXED_END      (SMB2_HDR_SIZE + 8)
/* Decode it: *buf points into msg (NULL when the buffer is empty). */
ntstatus_t smb2_outbuf_rsp_decode(const uint8_t *msg, size_t msg_len, const uint8_t **buf,
                                  uint32_t *buf_len);
/* Write the fixed part with OutputBufferOffset pointing right after it; the
 * caller then writes the buffer through w (or in place, then wr_reserve's it)
 * and calls _finish with the position _begin was called at. */
ntstatus_t smb2_outbuf_rsp_begin(struct wr *w);
/* Set OutputBufferLength to what was written since _begin; an empty buffer
 * gets the one byte StructureSize 9 counts. */
ntstatus_t smb2_outbuf_rsp_finish(struct wr *w, size_t body_start);

#endif
