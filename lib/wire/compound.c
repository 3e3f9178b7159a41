/* Compound chains. [MS-SMB2] 3.2.4.1.4 (sending), 3.3.5.2.7 (receiving). */
#include "wire/compound.h"

#define NEXT_COMMAND_OFFSET 20 /* of NextCommand within the header, 2.2.1 */

void smb2_chain_init(struct smb2_chain *c, const uint8_t *frame, size_t frame_len)
{
    c->frame = frame;
    c->frame_len = frame_len;
    c->next_off = 0;
    c->count = 0;
    c->st = STATUS_SUCCESS;
}

static bool chain_fail(struct smb2_chain *c, ntstatus_t st)
{
    c->st = st;
    c->next_off = c->frame_len;
    return false;
}

/* Each NextCommand is >= 64 (a whole header) and the next element must fit a
 * header, so every step advances: a loop cannot be expressed. */
bool smb2_chain_next(struct smb2_chain *c, struct smb2_chain_elem *e)
{
    if (!nt_ok(c->st))
        return false;
    if (c->count > 0 && c->next_off >= c->frame_len)
        return false;
    size_t off = c->next_off;
    size_t left = c->frame_len - off;
    ntstatus_t st = smb2_hdr_decode(c->frame + off, left, &e->hdr);
    if (!nt_ok(st))
        return chain_fail(c, st);
    uint32_t nc = e->hdr.next_command;
    if (nc == 0) {
        e->len = left;
    } else {
        if (nc % 8 != 0 || nc < SMB2_HDR_SIZE || nc > left || left - nc < SMB2_HDR_SIZE)
            return chain_fail(c, STATUS_INVALID_PARAMETER);
        e->len = nc;
    }
    e->related = (e->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS) != 0;
    if (c->count == 0 && e->related)
        return chain_fail(c, STATUS_INVALID_PARAMETER);
    e->msg = c->frame + off;
    e->offset = off;
    c->next_off = off + e->len;
    c->count++;
    return true;
}

ntstatus_t smb2_chain_link(struct wr *w, size_t elem_off)
{
    if (!wr_ok(w))
        return wr_status(w);
    if (elem_off > wr_pos(w) || wr_pos(w) - elem_off < SMB2_HDR_SIZE) {
        wr_fail(w, STATUS_INTERNAL_ERROR);
        return wr_status(w);
    }
    wr_align(w, 8);
    size_t dist = wr_pos(w) - elem_off;
    if (dist > UINT32_MAX)
        wr_fail(w, STATUS_INTERNAL_ERROR);
    else
        wr_u32_at(w, elem_off + NEXT_COMMAND_OFFSET, (uint32_t)dist);
    return wr_status(w);
}

bool smb2_chain_sessions_match(const uint8_t *frame, size_t frame_len, uint64_t session_id)
{
    struct smb2_chain walk;
    struct smb2_chain_elem e;
    smb2_chain_init(&walk, frame, frame_len);
    while (smb2_chain_next(&walk, &e))
        if (e.hdr.session_id != session_id && !(e.related && e.hdr.session_id == UINT64_MAX))
            return false;
    return true;
}
