/* SMB 3.1.1 negotiate contexts. [MS-SMB2] 2.2.3.1, 2.2.4.1. */
#include "wire/negotiate_ctx.h"

#include <string.h>

/* ---- the list walk ---- */

void smb2_negctx_iter_init(struct smb2_negctx_iter *it, const uint8_t *list, size_t list_len,
                           uint16_t count)
{
    rd_init(&it->r, list, list_len);
    it->left = count;
    it->first = true;
}

/* [MS-SMB2] 2.2.3.1 NEGOTIATE_CONTEXT: every context but the first begins at
 * an 8-byte boundary; DataLength bounds the data. */
bool smb2_negctx_next(struct smb2_negctx_iter *it, struct smb2_negctx *c)
{
    struct rd *r = &it->r;
    if (it->left == 0 || !rd_ok(r))
        return false;
    if (!it->first)
        rd_align(r, 8, false);
    c->context_type = rd_u16(r);
    c->data_length = rd_u16(r);
    rd_skip(r, 4); /* Reserved */
    c->data = rd_bytes(r, c->data_length);
    if (!rd_ok(r)) {
        memset(c, 0, sizeof(*c));
        return false;
    }
    it->first = false;
    it->left--;
    return true;
}

/* ---- per-type data ---- */

/* Read a u16 algorithm list whose count is 1..SMB2_NEGCTX_MAX_ALGS. */
static void rd_alg_list(struct rd *r, uint16_t count, uint16_t *out)
{
    rd_require(r, count >= 1 && count <= SMB2_NEGCTX_MAX_ALGS);
    if (!rd_ok(r))
        return;
    for (uint16_t i = 0; i < count; i++)
        out[i] = rd_u16(r);
}

/* 2.2.3.1.1: HashAlgorithmCount, SaltLength, HashAlgorithms, Salt. */
ntstatus_t smb2_preauth_caps_decode(const struct smb2_negctx *c, struct smb2_preauth_caps *out)
{
    struct rd r;
    rd_init(&r, c->data, c->data_length);
    memset(out, 0, sizeof(*out));
    out->hash_algorithm_count = rd_u16(&r);
    out->salt_length = rd_u16(&r);
    rd_alg_list(&r, out->hash_algorithm_count, out->hash_algorithms);
    out->salt = rd_bytes(&r, out->salt_length);
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

/* 2.2.3.1.2: CipherCount, Ciphers. */
ntstatus_t smb2_encryption_caps_decode(const struct smb2_negctx *c,
                                       struct smb2_encryption_caps *out)
{
    struct rd r;
    rd_init(&r, c->data, c->data_length);
    memset(out, 0, sizeof(*out));
    out->cipher_count = rd_u16(&r);
    rd_alg_list(&r, out->cipher_count, out->ciphers);
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

/* 2.2.3.1.3: CompressionAlgorithmCount, Padding, Flags, CompressionAlgorithms. */
ntstatus_t smb2_compression_caps_decode(const struct smb2_negctx *c,
                                        struct smb2_compression_caps *out)
{
    struct rd r;
    rd_init(&r, c->data, c->data_length);
    memset(out, 0, sizeof(*out));
    out->compression_algorithm_count = rd_u16(&r);
    rd_skip(&r, 2); /* Padding */
    out->flags = rd_u32(&r);
    rd_alg_list(&r, out->compression_algorithm_count, out->compression_algorithms);
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

/* 2.2.3.1.4: NetName, UTF-16LE filling the whole DataLength. */
ntstatus_t smb2_netname_ctx_decode(const struct smb2_negctx *c, struct smb2_netname_ctx *out)
{
    struct rd r;
    rd_init(&r, c->data, c->data_length);
    memset(out, 0, sizeof(*out));
    rd_utf16(&r, c->data_length, out->net_name, sizeof(out->net_name));
    if (!rd_ok(&r)) {
        memset(out, 0, sizeof(*out));
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

/* 2.2.3.1.5: Flags. */
ntstatus_t smb2_transport_caps_decode(const struct smb2_negctx *c, struct smb2_transport_caps *out)
{
    struct rd r;
    rd_init(&r, c->data, c->data_length);
    out->flags = rd_u32(&r);
    return rd_status(&r);
}

/* 2.2.3.1.7: SigningAlgorithmCount, SigningAlgorithms. */
ntstatus_t smb2_signing_caps_decode(const struct smb2_negctx *c, struct smb2_signing_caps *out)
{
    struct rd r;
    rd_init(&r, c->data, c->data_length);
    memset(out, 0, sizeof(*out));
    out->signing_algorithm_count = rd_u16(&r);
    rd_alg_list(&r, out->signing_algorithm_count, out->signing_algorithms);
    if (!rd_ok(&r))
        memset(out, 0, sizeof(*out));
    return rd_status(&r);
}

/* ---- encoding ---- */

/* Write a context header with DataLength 0; returns its offset for ctx_end. */
static size_t ctx_begin(struct wr *w, uint16_t type)
{
    size_t at = wr_pos(w);
    wr_u16(w, type);
    wr_u16(w, 0); /* DataLength, patched by ctx_end */
    wr_u32(w, 0); /* Reserved */
    return at;
}

static ntstatus_t ctx_end(struct wr *w, size_t at)
{
    if (!wr_ok(w))
        return wr_status(w);
    size_t len = wr_pos(w) - at - SMB2_NEGCTX_HDR_SIZE;
    if (len > UINT16_MAX)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    else
        wr_u16_at(w, at + 2, (uint16_t)len);
    return wr_status(w);
}

static void wr_alg_list(struct wr *w, uint16_t count, const uint16_t *algs)
{
    if (count < 1 || count > SMB2_NEGCTX_MAX_ALGS) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return;
    }
    for (uint16_t i = 0; i < count; i++)
        wr_u16(w, algs[i]);
}

ntstatus_t smb2_preauth_caps_encode(struct wr *w, const struct smb2_preauth_caps *in)
{
    size_t at = ctx_begin(w, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
    wr_u16(w, in->hash_algorithm_count);
    wr_u16(w, in->salt_length);
    wr_alg_list(w, in->hash_algorithm_count, in->hash_algorithms);
    if (in->salt_length && !in->salt)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    wr_bytes(w, in->salt, in->salt_length);
    return ctx_end(w, at);
}

ntstatus_t smb2_encryption_caps_encode(struct wr *w, const struct smb2_encryption_caps *in)
{
    size_t at = ctx_begin(w, SMB2_ENCRYPTION_CAPABILITIES);
    wr_u16(w, in->cipher_count);
    wr_alg_list(w, in->cipher_count, in->ciphers);
    return ctx_end(w, at);
}

ntstatus_t smb2_compression_caps_encode(struct wr *w, const struct smb2_compression_caps *in)
{
    size_t at = ctx_begin(w, SMB2_COMPRESSION_CAPABILITIES);
    wr_u16(w, in->compression_algorithm_count);
    wr_u16(w, 0); /* Padding */
    wr_u32(w, in->flags);
    wr_alg_list(w, in->compression_algorithm_count, in->compression_algorithms);
    return ctx_end(w, at);
}

ntstatus_t smb2_netname_ctx_encode(struct wr *w, const struct smb2_netname_ctx *in)
{
    size_t at = ctx_begin(w, SMB2_NETNAME_NEGOTIATE_CONTEXT_ID);
    size_t n = strnlen(in->net_name, sizeof(in->net_name));
    if (n == sizeof(in->net_name))
        wr_fail(w, STATUS_INVALID_PARAMETER);
    (void)wr_utf16(w, in->net_name, n);
    return ctx_end(w, at);
}

ntstatus_t smb2_transport_caps_encode(struct wr *w, const struct smb2_transport_caps *in)
{
    size_t at = ctx_begin(w, SMB2_TRANSPORT_CAPABILITIES);
    wr_u32(w, in->flags);
    return ctx_end(w, at);
}

ntstatus_t smb2_signing_caps_encode(struct wr *w, const struct smb2_signing_caps *in)
{
    size_t at = ctx_begin(w, SMB2_SIGNING_CAPABILITIES);
    wr_u16(w, in->signing_algorithm_count);
    wr_alg_list(w, in->signing_algorithm_count, in->signing_algorithms);
    return ctx_end(w, at);
}

/* ---- whole lists ---- */

static ntstatus_t set_decode_one(const struct smb2_negctx *c, struct smb2_negctx_set *out)
{
    switch (c->context_type) {
    case SMB2_PREAUTH_INTEGRITY_CAPABILITIES:
        return smb2_preauth_caps_decode(c, &out->preauth);
    case SMB2_ENCRYPTION_CAPABILITIES:
        return smb2_encryption_caps_decode(c, &out->encryption);
    case SMB2_COMPRESSION_CAPABILITIES:
        return smb2_compression_caps_decode(c, &out->compression);
    case SMB2_NETNAME_NEGOTIATE_CONTEXT_ID:
        return smb2_netname_ctx_decode(c, &out->netname);
    case SMB2_TRANSPORT_CAPABILITIES:
        return smb2_transport_caps_decode(c, &out->transport);
    case SMB2_SIGNING_CAPABILITIES:
        return smb2_signing_caps_decode(c, &out->signing);
    default:
        out->unknown_count++;
        return STATUS_SUCCESS;
    }
}

static bool is_known(uint16_t type)
{
    switch (type) {
    case SMB2_PREAUTH_INTEGRITY_CAPABILITIES:
    case SMB2_ENCRYPTION_CAPABILITIES:
    case SMB2_COMPRESSION_CAPABILITIES:
    case SMB2_NETNAME_NEGOTIATE_CONTEXT_ID:
    case SMB2_TRANSPORT_CAPABILITIES:
    case SMB2_SIGNING_CAPABILITIES:
        return true;
    default:
        return false;
    }
}

ntstatus_t smb2_negctx_set_decode(const uint8_t *list, size_t list_len, uint16_t count,
                                  struct smb2_negctx_set *out)
{
    struct smb2_negctx_iter it;
    struct smb2_negctx c;
    memset(out, 0, sizeof(*out));
    smb2_negctx_iter_init(&it, list, list_len, count);
    while (smb2_negctx_next(&it, &c)) {
        bool known = is_known(c.context_type);
        if (known && smb2_negctx_set_has(out, c.context_type))
            return STATUS_INVALID_PARAMETER;
        ntstatus_t st = set_decode_one(&c, out);
        if (!nt_ok(st))
            return st;
        if (known)
            out->present |= SMB2_NEGCTX_HAS(c.context_type);
    }
    return smb2_negctx_iter_status(&it);
}

static ntstatus_t set_encode_one(struct wr *w, const struct smb2_negctx_set *in, uint16_t type)
{
    switch (type) {
    case SMB2_PREAUTH_INTEGRITY_CAPABILITIES:
        return smb2_preauth_caps_encode(w, &in->preauth);
    case SMB2_ENCRYPTION_CAPABILITIES:
        return smb2_encryption_caps_encode(w, &in->encryption);
    case SMB2_COMPRESSION_CAPABILITIES:
        return smb2_compression_caps_encode(w, &in->compression);
    case SMB2_NETNAME_NEGOTIATE_CONTEXT_ID:
        return smb2_netname_ctx_encode(w, &in->netname);
    case SMB2_TRANSPORT_CAPABILITIES:
        return smb2_transport_caps_encode(w, &in->transport);
    default:
        return smb2_signing_caps_encode(w, &in->signing);
    }
}

ntstatus_t smb2_negctx_set_encode(struct wr *w, const struct smb2_negctx_set *in, uint16_t *count)
{
    static const uint16_t order[] = {
        SMB2_PREAUTH_INTEGRITY_CAPABILITIES, SMB2_ENCRYPTION_CAPABILITIES,
        SMB2_COMPRESSION_CAPABILITIES,       SMB2_NETNAME_NEGOTIATE_CONTEXT_ID,
        SMB2_TRANSPORT_CAPABILITIES,         SMB2_SIGNING_CAPABILITIES,
    };
    uint16_t n = 0;
    *count = 0;
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (!smb2_negctx_set_has(in, order[i]))
            continue;
        if (n > 0)
            wr_align(w, 8);
        ntstatus_t st = set_encode_one(w, in, order[i]);
        if (!nt_ok(st))
            return st;
        n++;
    }
    *count = n;
    return wr_status(w);
}
