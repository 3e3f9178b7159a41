/* SMB2 NEGOTIATE. [MS-SMB2] 2.2.3, 2.2.4, 3.3.5.3.1. */
#include "wire/negotiate.h"

#include "wire/hdr.h"
#include "wire/negotiate_ctx.h"

#include <string.h>

#define NEG_REQ_STRUCTURE_SIZE 36
#define NEG_RSP_STRUCTURE_SIZE 65
#define NEG_REQ_FIXED_END      (SMB2_HDR_SIZE + 36)
#define NEG_RSP_FIXED_END      (SMB2_HDR_SIZE + 64)

bool smb2_negotiate_req_has_dialect(const struct smb2_negotiate_req *req, uint16_t dialect)
{
    for (uint16_t i = 0; i < req->dialect_count && i < SMB2_NEGOTIATE_MAX_DIALECTS; i++)
        if (req->dialects[i] == dialect)
            return true;
    return false;
}

/* The context list at offset off (2.2.3 / 2.2.4: 8-byte aligned, after
 * everything else in the body): validate count contexts and return the list
 * extent (the rest of the message). min_off is where earlier fields end. */
static void rd_ctx_list(struct rd *r, uint32_t off, uint16_t count, size_t min_off,
                        const uint8_t **list, size_t *list_len)
{
    *list = NULL;
    *list_len = 0;
    if (!rd_ok(r) || count == 0)
        return;
    rd_require(r, off % 8 == 0 && off >= min_off && off < r->len);
    if (!rd_ok(r))
        return;
    struct rd sub = rd_sub(r, off, r->len - off);
    const uint8_t *p = rd_bytes(&sub, r->len - off);
    struct smb2_negctx_iter it;
    struct smb2_negctx c;
    smb2_negctx_iter_init(&it, p, r->len - off, count);
    while (smb2_negctx_next(&it, &c))
        ;
    if (!nt_ok(smb2_negctx_iter_status(&it)) || it.left != 0) {
        rd_fail(r, STATUS_INVALID_PARAMETER);
        return;
    }
    *list = p;
    *list_len = r->len - off;
}

/* [MS-SMB2] 2.2.3 SMB2 NEGOTIATE Request */
ntstatus_t smb2_negotiate_req_decode(const uint8_t *msg, size_t msg_len,
                                     struct smb2_negotiate_req *out)
{
    struct rd r;
    memset(out, 0, sizeof(*out));
    smb2_body_rd(&r, msg, msg_len, NEG_REQ_STRUCTURE_SIZE);
    out->dialect_count = rd_u16(&r);
    rd_require(&r, out->dialect_count >= 1 && out->dialect_count <= SMB2_NEGOTIATE_MAX_DIALECTS);
    out->security_mode = rd_u16(&r);
    rd_skip(&r, 2); /* Reserved */
    out->capabilities = rd_u32(&r);
    rd_copy(&r, out->client_guid, SMB2_GUID_SIZE);
    uint64_t ctx_or_time = rd_u64(&r);
    for (uint16_t i = 0; rd_ok(&r) && i < out->dialect_count; i++)
        out->dialects[i] = rd_u16(&r);
    if (!rd_ok(&r)) {
        memset(out, 0, sizeof(*out));
        return rd_status(&r);
    }
    if (smb2_negotiate_req_has_dialect(out, SMB2_DIALECT_0311)) {
        out->negotiate_context_count = (uint16_t)(ctx_or_time >> 32);
        rd_ctx_list(&r, (uint32_t)ctx_or_time, out->negotiate_context_count, rd_pos(&r),
                    &out->negotiate_context_list, &out->negotiate_context_list_len);
    } else {
        out->client_start_time = ctx_or_time;
    }
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

/* Pad to 8, write the context list and patch its offset at off_at. */
static void wr_ctx_list(struct wr *w, size_t off_at, const uint8_t *list, size_t len)
{
    if (len == 0 || !list) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return;
    }
    wr_align(w, 8);
    size_t off = wr_pos(w);
    wr_bytes(w, list, len);
    wr_u32_at(w, off_at, (uint32_t)off);
}

ntstatus_t smb2_negotiate_req_encode(struct wr *w, const struct smb2_negotiate_req *in)
{
    if (in->dialect_count < 1 || in->dialect_count > SMB2_NEGOTIATE_MAX_DIALECTS) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return wr_status(w);
    }
    bool v311 = smb2_negotiate_req_has_dialect(in, SMB2_DIALECT_0311);
    wr_u16(w, NEG_REQ_STRUCTURE_SIZE);
    wr_u16(w, in->dialect_count);
    wr_u16(w, in->security_mode);
    wr_u16(w, 0);
    wr_u32(w, in->capabilities);
    wr_bytes(w, in->client_guid, SMB2_GUID_SIZE);
    size_t off_at = wr_pos(w);
    if (v311) {
        wr_u32(w, 0); /* NegotiateContextOffset, patched */
        wr_u16(w, in->negotiate_context_count);
        wr_u16(w, 0);
    } else {
        wr_u64(w, in->client_start_time);
    }
    for (uint16_t i = 0; i < in->dialect_count; i++)
        wr_u16(w, in->dialects[i]);
    if (v311 && in->negotiate_context_count > 0)
        wr_ctx_list(w, off_at, in->negotiate_context_list, in->negotiate_context_list_len);
    return wr_status(w);
}

/* [MS-SMB2] 2.2.4 SMB2 NEGOTIATE Response */
ntstatus_t smb2_negotiate_rsp_decode(const uint8_t *msg, size_t msg_len,
                                     struct smb2_negotiate_rsp *out)
{
    struct rd r;
    memset(out, 0, sizeof(*out));
    smb2_body_rd(&r, msg, msg_len, NEG_RSP_STRUCTURE_SIZE);
    out->security_mode = rd_u16(&r);
    out->dialect_revision = rd_u16(&r);
    uint16_t ctx_count = rd_u16(&r);
    rd_copy(&r, out->server_guid, SMB2_GUID_SIZE);
    out->capabilities = rd_u32(&r);
    out->max_transact_size = rd_u32(&r);
    out->max_read_size = rd_u32(&r);
    out->max_write_size = rd_u32(&r);
    out->system_time = rd_u64(&r);
    out->server_start_time = rd_u64(&r);
    uint16_t sb_off = rd_u16(&r);
    out->security_buffer_length = rd_u16(&r);
    uint32_t ctx_off = rd_u32(&r);
    out->security_buffer =
        smb2_body_buf(&r, sb_off, out->security_buffer_length, NEG_RSP_FIXED_END);
    if (out->dialect_revision == SMB2_DIALECT_0311) {
        size_t sb_end = out->security_buffer_length ? (size_t)sb_off + out->security_buffer_length
                                                    : NEG_RSP_FIXED_END;
        if (sb_end < NEG_RSP_FIXED_END)
            sb_end = NEG_RSP_FIXED_END;
        out->negotiate_context_count = ctx_count;
        rd_ctx_list(&r, ctx_off, ctx_count, sb_end, &out->negotiate_context_list,
                    &out->negotiate_context_list_len);
    }
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

ntstatus_t smb2_negotiate_rsp_encode(struct wr *w, const struct smb2_negotiate_rsp *in)
{
    bool v311 = in->dialect_revision == SMB2_DIALECT_0311;
    size_t buf_off = wr_pos(w) + (NEG_RSP_FIXED_END - SMB2_HDR_SIZE);
    if (buf_off > UINT16_MAX || (in->security_buffer_length && !in->security_buffer)) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return wr_status(w);
    }
    wr_u16(w, NEG_RSP_STRUCTURE_SIZE);
    wr_u16(w, in->security_mode);
    wr_u16(w, in->dialect_revision);
    wr_u16(w, v311 ? in->negotiate_context_count : 0);
    wr_bytes(w, in->server_guid, SMB2_GUID_SIZE);
    wr_u32(w, in->capabilities);
    wr_u32(w, in->max_transact_size);
    wr_u32(w, in->max_read_size);
    wr_u32(w, in->max_write_size);
    wr_u64(w, in->system_time);
    wr_u64(w, in->server_start_time);
    wr_u16(w, (uint16_t)buf_off);
    wr_u16(w, in->security_buffer_length);
    size_t off_at = wr_pos(w);
    wr_u32(w, 0); /* NegotiateContextOffset / Reserved2, patched */
    wr_bytes(w, in->security_buffer, in->security_buffer_length);
    bool ctx = v311 && in->negotiate_context_count > 0;
    if (ctx)
        wr_ctx_list(w, off_at, in->negotiate_context_list, in->negotiate_context_list_len);
    else if (in->security_buffer_length == 0)
        wr_u8(w, 0); /* StructureSize 65 counts one byte of Buffer */
    return wr_status(w);
}

/* ---- SMB1 multi-protocol negotiate ---- */

#define SMB1_HDR_SIZE      32
#define SMB1_COM_NEGOTIATE 0x72
#define SMB1_DIALECT_FMT   0x02

/* Match one dialect string (without its NUL) against the SMB2 ones. */
static uint16_t smb1_dialect_value(const uint8_t *s, size_t n)
{
    static const char d2002[] = "SMB 2.002";
    static const char d2any[] = "SMB 2.???";
    if (n == sizeof(d2any) - 1 && memcmp(s, d2any, n) == 0)
        return SMB2_DIALECT_WILDCARD;
    if (n == sizeof(d2002) - 1 && memcmp(s, d2002, n) == 0)
        return SMB2_DIALECT_0202;
    return 0;
}

/* [MS-CIFS] 2.2.4.52.1: WordCount (0), ByteCount, then Dialects: each a
 * BufferFormat 0x02 byte and a NUL-terminated OEM string. */
uint16_t smb1_negotiate_smb2_dialect(const uint8_t *msg, size_t msg_len)
{
    struct rd r;
    rd_init(&r, msg, msg_len);
    rd_require(&r, rd_u32(&r) == SMB1_PROTOCOL_ID);
    rd_require(&r, rd_u8(&r) == SMB1_COM_NEGOTIATE);
    rd_seek(&r, SMB1_HDR_SIZE);
    rd_skip(&r, (size_t)rd_u8(&r) * 2); /* WordCount words: 0 in a request */
    uint16_t byte_count = rd_u16(&r);
    struct rd b = rd_sub(&r, rd_pos(&r), byte_count);
    uint16_t best = 0;
    while (rd_ok(&b) && rd_left(&b) > 0) {
        rd_require(&b, rd_u8(&b) == SMB1_DIALECT_FMT);
        const uint8_t *s = rd_bytes(&b, 0);
        size_t n = 0;
        while (rd_u8(&b) != 0) /* a missing NUL runs off the end: b fails */
            n++;
        if (!rd_ok(&b))
            break;
        uint16_t v = smb1_dialect_value(s, n);
        if (v == SMB2_DIALECT_WILDCARD || (v && !best))
            best = v;
    }
    return rd_ok(&r) && rd_ok(&b) ? best : 0;
}
