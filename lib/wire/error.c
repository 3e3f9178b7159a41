/* SMB2 ERROR Response. [MS-SMB2] 2.2.2, 2.2.2.1. */
#include "wire/error.h"

#include "wire/hdr.h"

#include <string.h>

#define ERROR_STRUCTURE_SIZE 9
#define ERROR_DATA_OFFSET    (SMB2_HDR_SIZE + 8)

/* [MS-SMB2] 2.2.2: StructureSize, ErrorContextCount, Reserved, ByteCount,
 * ErrorData. */
ntstatus_t smb2_error_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_error_rsp *out)
{
    struct rd r;
    memset(out, 0, sizeof(*out));
    smb2_body_rd(&r, msg, msg_len, ERROR_STRUCTURE_SIZE);
    out->error_context_count = rd_u8(&r);
    rd_skip(&r, 1); /* Reserved */
    out->byte_count = rd_u32(&r);
    if (out->byte_count == 0)
        rd_skip(&r, 1); /* the one byte of ErrorData that must be present */
    else
        out->error_data = rd_bytes(&r, out->byte_count);
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

ntstatus_t smb2_error_rsp_encode(struct wr *w, const struct smb2_error_rsp *in)
{
    if (in->byte_count && !in->error_data) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return wr_status(w);
    }
    wr_u16(w, ERROR_STRUCTURE_SIZE);
    wr_u8(w, in->error_context_count);
    wr_u8(w, 0);
    wr_u32(w, in->byte_count);
    if (in->byte_count)
        wr_bytes(w, in->error_data, in->byte_count);
    else
        wr_u8(w, 0);
    return wr_status(w);
}

void smb2_error_ctx_iter_init(struct smb2_error_ctx_iter *it, const struct smb2_error_rsp *e)
{
    rd_init(&it->r, e->error_data, e->byte_count);
    it->left = e->error_context_count;
    it->first = true;
}

/* [MS-SMB2] 2.2.2.1 */
bool smb2_error_ctx_next(struct smb2_error_ctx_iter *it, struct smb2_error_ctx *c)
{
    struct rd *r = &it->r;
    if (it->left == 0 || !rd_ok(r))
        return false;
    if (!it->first)
        rd_align(r, 8, false);
    c->error_data_length = rd_u32(r);
    c->error_id = rd_u32(r);
    c->error_context_data = rd_bytes(r, c->error_data_length);
    if (!rd_ok(r)) {
        memset(c, 0, sizeof(*c));
        return false;
    }
    it->first = false;
    it->left--;
    return true;
}
