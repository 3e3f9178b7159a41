/* AV_PAIR lists ([MS-NLMP] 2.2.2.1) and the NTLMv2 response's shape (2.2.2.7,
 * 2.2.2.8); see ntlmssp.h. */
#include "auth/ntlmssp.h"

#include "base/endian.h"

#include <string.h>

void ntlm_av_iter_init(struct ntlm_av_iter *it, const uint8_t *p, size_t len)
{
    rd_init(&it->r, p, len);
    it->at_eol = false;
}

/* AvId(2) AvLen(2) Value(AvLen); MsvAvEOL ends the list and has AvLen 0. */
bool ntlm_av_next(struct ntlm_av_iter *it, uint16_t *id, struct ntlm_bytes *value)
{
    if (it->at_eol || !rd_ok(&it->r))
        return false;
    uint16_t av_id = rd_u16(&it->r);
    uint16_t av_len = rd_u16(&it->r);
    const uint8_t *v = rd_bytes(&it->r, av_len);
    if (!rd_ok(&it->r))
        return false;
    if (av_id == MSV_AV_EOL) {
        rd_require(&it->r, av_len == 0);
        it->at_eol = true;
        return false;
    }
    *id = av_id;
    value->p = v;
    value->len = av_len;
    return true;
}

ntstatus_t ntlm_av_iter_status(const struct ntlm_av_iter *it)
{
    if (!rd_ok(&it->r))
        return rd_status(&it->r);
    return it->at_eol ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

/* Required value size of a pair, or 0 for variable-length pairs. */
static size_t av_fixed_size(uint16_t id)
{
    switch (id) {
    case MSV_AV_FLAGS:
        return 4;
    case MSV_AV_TIMESTAMP:
        return 8;
    case MSV_AV_CHANNEL_BINDINGS:
        return 16;
    default:
        return 0;
    }
}

ntstatus_t ntlm_av_validate(const uint8_t *p, size_t len)
{
    struct ntlm_av_iter it;
    uint16_t id = 0;
    struct ntlm_bytes v;
    ntlm_av_iter_init(&it, p, len);
    while (ntlm_av_next(&it, &id, &v)) {
        size_t want = av_fixed_size(id);
        if (want && v.len != want)
            return STATUS_INVALID_PARAMETER;
    }
    return ntlm_av_iter_status(&it);
}

ntstatus_t ntlm_av_find(const uint8_t *p, size_t len, uint16_t id, struct ntlm_bytes *value)
{
    struct ntlm_av_iter it;
    uint16_t got = 0;
    struct ntlm_bytes v;
    value->p = NULL;
    value->len = 0;
    ntlm_av_iter_init(&it, p, len);
    while (ntlm_av_next(&it, &got, &v)) {
        if (got == id) {
            *value = v;
            return STATUS_SUCCESS;
        }
    }
    ntstatus_t st = ntlm_av_iter_status(&it);
    return nt_ok(st) ? STATUS_NOT_FOUND : st;
}

void ntlm_av_put(struct wr *w, uint16_t id, const void *value, size_t len)
{
    if (len > UINT16_MAX) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return;
    }
    wr_u16(w, id);
    wr_u16(w, (uint16_t)len);
    if (len)
        wr_bytes(w, value, len);
}

void ntlm_av_put_utf16(struct wr *w, uint16_t id, const char *utf8)
{
    size_t at = wr_pos(w);
    wr_u16(w, id);
    wr_u16(w, 0);
    size_t n = wr_utf16(w, utf8, strlen(utf8));
    if (n > UINT16_MAX)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_u16_at(w, at + 2, (uint16_t)n);
}

void ntlm_av_put_u32(struct wr *w, uint16_t id, uint32_t v)
{
    uint8_t b[4];
    le32_put(b, v);
    ntlm_av_put(w, id, b, sizeof b);
}

void ntlm_av_put_u64(struct wr *w, uint16_t id, uint64_t v)
{
    uint8_t b[8];
    le64_put(b, v);
    ntlm_av_put(w, id, b, sizeof b);
}

void ntlm_av_put_eol(struct wr *w)
{
    ntlm_av_put(w, MSV_AV_EOL, NULL, 0);
}

/* Pairs the client writes itself, so a server's copy must not be repeated. */
static bool av_is_client_owned(uint16_t id)
{
    return id == MSV_AV_FLAGS || id == MSV_AV_CHANNEL_BINDINGS || id == MSV_AV_TARGET_NAME;
}

void ntlm_av_build_client(struct wr *w, const uint8_t *server_ti, size_t server_ti_len,
                          const struct ntlm_av_client_opts *opts)
{
    static const uint8_t no_bindings[16];
    struct ntlm_av_iter it;
    uint16_t id = 0;
    struct ntlm_bytes v;
    uint32_t flags = 0;
    bool had_flags = false;
    ntlm_av_iter_init(&it, server_ti, server_ti_len);
    while (ntlm_av_next(&it, &id, &v)) {
        if (id == MSV_AV_FLAGS && v.len == 4) {
            flags = le32_get(v.p);
            had_flags = true;
        }
        if (!av_is_client_owned(id))
            ntlm_av_put(w, id, v.p, v.len);
    }
    if (!nt_ok(ntlm_av_iter_status(&it)))
        wr_fail(w, STATUS_INVALID_PARAMETER);
    if (opts->with_mic)
        flags |= MSV_AV_FLAG_MIC_PRESENT;
    if (had_flags || opts->with_mic)
        ntlm_av_put_u32(w, MSV_AV_FLAGS, flags);
    ntlm_av_put(w, MSV_AV_CHANNEL_BINDINGS,
                opts->channel_bindings ? opts->channel_bindings : no_bindings, 16);
    if (opts->target_spn)
        ntlm_av_put_utf16(w, MSV_AV_TARGET_NAME, opts->target_spn);
    ntlm_av_put_eol(w);
}

ntstatus_t ntlmv2_response_av_pairs(struct ntlm_bytes nt_response, struct ntlm_bytes *av)
{
    av->p = NULL;
    av->len = 0;
    if (!nt_response.p || nt_response.len < NTLMV2_RESP_MIN)
        return STATUS_INVALID_PARAMETER;
    const uint8_t *blob = nt_response.p + NTLMV2_PROOF_LEN;
    if (blob[0] != 1 || blob[1] != 1) /* RespType, HiRespType */
        return STATUS_INVALID_PARAMETER;
    av->p = blob + NTLMV2_BLOB_FIXED;
    av->len = nt_response.len - NTLMV2_PROOF_LEN - NTLMV2_BLOB_FIXED;
    return STATUS_SUCCESS;
}

bool ntlmssp_auth_mic_required(const struct ntlmssp_authenticate *auth)
{
    struct ntlm_bytes av, flags;
    if (!nt_ok(ntlmv2_response_av_pairs(auth->nt_response, &av)))
        return false;
    if (!nt_ok(ntlm_av_find(av.p, av.len, MSV_AV_FLAGS, &flags)) || flags.len != 4)
        return false;
    return (le32_get(flags.p) & MSV_AV_FLAG_MIC_PRESENT) != 0;
}
