/* Walking a compound chain inside one frame. [MS-SMB2] 3.2.4.1.4, 3.3.5.2.7.
 * Each element starts 8-byte aligned at the previous one's NextCommand; the
 * last element (NextCommand 0) runs to the end of the frame, padding included,
 * because signatures cover that padding (3.1.4.1). */
#ifndef SIGNET_WIRE_COMPOUND_H
#define SIGNET_WIRE_COMPOUND_H

#include "wire/hdr.h"

#include <stdbool.h>
#include <stddef.h>

struct smb2_chain {
    const uint8_t *frame;
    size_t frame_len;
    size_t next_off; /* offset of the next element, or frame_len when done */
    unsigned count;  /* elements returned so far */
    ntstatus_t st;
};

struct smb2_chain_elem {
    const uint8_t *msg; /* points into the frame */
    size_t len;         /* header through NextCommand, or to the end of the frame */
    size_t offset;      /* of msg within the frame */
    struct smb2_hdr hdr;
    bool related; /* SMB2_FLAGS_RELATED_OPERATIONS */
};

void smb2_chain_init(struct smb2_chain *c, const uint8_t *frame, size_t frame_len);
/* Next element: true with *e filled, or false at the end or on error
 * (check smb2_chain_status). Rejects a NextCommand that is not a multiple of 8,
 * is smaller than a header, or points past the frame; and the first element
 * marked related (3.3.5.2.7.2 allows it only after another element). */
bool smb2_chain_next(struct smb2_chain *c, struct smb2_chain_elem *e);
SG_MUST_CHECK static inline ntstatus_t smb2_chain_status(const struct smb2_chain *c)
{
    return c->st;
}
/* [MS-SMB2] 3.3.5.2.1.1 / 3.2.5.1.1.1: every element of a decrypted chain
 * names the TRANSFORM_HEADER's session; a related element may say
 * 0xFFFFFFFFFFFFFFFF (the previous element's). A malformed chain is not
 * judged here: the caller's own walk rejects it. */
bool smb2_chain_sessions_match(const uint8_t *frame, size_t frame_len, uint64_t session_id);

/* Encoding side: after writing an element at elem_off in w, pad w to 8 and set
 * that element's NextCommand to the distance to the current position.
 * Call it for every element but the last, before signing any of them. */
ntstatus_t smb2_chain_link(struct wr *w, size_t elem_off);

#endif
