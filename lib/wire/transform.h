/* SMB2 TRANSFORM_HEADER (encryption). [MS-SMB2] 2.2.41. */
#ifndef SIGNET_WIRE_TRANSFORM_H
#define SIGNET_WIRE_TRANSFORM_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdint.h>

struct smb2_transform_hdr {
    uint8_t signature[16]; /* the AEAD tag */
    uint8_t nonce[16];     /* CCM uses 11 bytes, GCM 12; the rest is reserved */
    uint32_t original_message_size;
    uint16_t flags; /* 3.1.1 Flags / 3.0.x EncryptionAlgorithm: 0x0001 */
    uint64_t session_id;
};

/* Decode the 52-byte header at frame. Rejects frame_len <= 52 (there must be
 * ciphertext), a wrong ProtocolId, flags != 0x0001, and an
 * OriginalMessageSize that differs from frame_len - 52. */
ntstatus_t smb2_transform_decode(const uint8_t *frame, size_t frame_len,
                                 struct smb2_transform_hdr *out);
ntstatus_t smb2_transform_encode(struct wr *w, const struct smb2_transform_hdr *h);

/* The AEAD additional data is bytes 20..51 of the header ([MS-SMB2] 3.1.4.3). */
#define SMB2_TRANSFORM_AAD_OFFSET 20
#define SMB2_TRANSFORM_AAD_SIZE   32

#endif
