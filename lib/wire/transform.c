/* SMB2 TRANSFORM_HEADER. [MS-SMB2] 2.2.41. */
#include "wire/transform.h"

#include <string.h>

/* [MS-SMB2] 2.2.41: ProtocolId, Signature, Nonce, OriginalMessageSize,
 * Reserved, Flags/EncryptionAlgorithm, SessionId. */
ntstatus_t smb2_transform_decode(const uint8_t *frame, size_t frame_len,
                                 struct smb2_transform_hdr *out)
{
    struct rd r;
    rd_init(&r, frame, frame_len);
    memset(out, 0, sizeof(*out));
    rd_require(&r, frame_len > SMB2_TRANSFORM_HDR_SIZE);
    rd_require(&r, rd_u32(&r) == SMB2_TRANSFORM_ID);
    rd_copy(&r, out->signature, sizeof(out->signature));
    rd_copy(&r, out->nonce, sizeof(out->nonce));
    out->original_message_size = rd_u32(&r);
    rd_skip(&r, 2); /* Reserved */
    out->flags = rd_u16(&r);
    out->session_id = rd_u64(&r);
    rd_require(&r, out->flags == SMB2_TRANSFORM_FLAG_ENCRYPTED);
    rd_require(&r, rd_ok(&r) && out->original_message_size == frame_len - SMB2_TRANSFORM_HDR_SIZE);
    return rd_status(&r);
}

ntstatus_t smb2_transform_encode(struct wr *w, const struct smb2_transform_hdr *h)
{
    wr_u32(w, SMB2_TRANSFORM_ID);
    wr_bytes(w, h->signature, sizeof(h->signature));
    wr_bytes(w, h->nonce, sizeof(h->nonce));
    wr_u32(w, h->original_message_size);
    wr_u16(w, 0);
    wr_u16(w, h->flags);
    wr_u64(w, h->session_id);
    return wr_status(w);
}
