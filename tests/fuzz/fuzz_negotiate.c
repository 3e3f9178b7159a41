/* libFuzzer target: SMB2 NEGOTIATE request and response with their 3.1.1
 * negotiate contexts (lib/wire/negotiate.h, negotiate_ctx.h), and the SMB1
 * multi-protocol NEGOTIATE probe.
 *
 * Input: one message starting at the SMB2 header (or an SMB1 header).
 * Both decoders run on every input. Every context of a decoded list is
 * iterated and decoded by type; each known context, the whole context set and
 * the message itself are re-encoded and decoded again (round-trip oracle). */
#include "fuzz_smb2.h"
#include "wire/negotiate.h"
#include "wire/negotiate_ctx.h"

#include <stdbool.h>

static bool same_u16s(const uint16_t *a, const uint16_t *b, size_t n)
{
    return n == 0 || memcmp(a, b, n * sizeof(*a)) == 0;
}

static bool same_preauth(const struct smb2_preauth_caps *a, const struct smb2_preauth_caps *b)
{
    return a->hash_algorithm_count == b->hash_algorithm_count &&
           a->hash_algorithm_count <= SMB2_NEGCTX_MAX_ALGS &&
           same_u16s(a->hash_algorithms, b->hash_algorithms, a->hash_algorithm_count) &&
           fuzz_same_bytes(a->salt, a->salt_length, b->salt, b->salt_length);
}

static bool same_encryption(const struct smb2_encryption_caps *a,
                            const struct smb2_encryption_caps *b)
{
    return a->cipher_count == b->cipher_count && a->cipher_count <= SMB2_NEGCTX_MAX_ALGS &&
           same_u16s(a->ciphers, b->ciphers, a->cipher_count);
}

static bool same_compression(const struct smb2_compression_caps *a,
                             const struct smb2_compression_caps *b)
{
    return a->compression_algorithm_count == b->compression_algorithm_count &&
           a->compression_algorithm_count <= SMB2_NEGCTX_MAX_ALGS && a->flags == b->flags &&
           same_u16s(a->compression_algorithms, b->compression_algorithms,
                     a->compression_algorithm_count);
}

static bool same_netname(const struct smb2_netname_ctx *a, const struct smb2_netname_ctx *b)
{
    FUZZ_CHECK(memchr(a->net_name, 0, sizeof(a->net_name)) != NULL);
    return strcmp(a->net_name, b->net_name) == 0;
}

static bool same_signing(const struct smb2_signing_caps *a, const struct smb2_signing_caps *b)
{
    return a->signing_algorithm_count == b->signing_algorithm_count &&
           a->signing_algorithm_count <= SMB2_NEGCTX_MAX_ALGS &&
           same_u16s(a->signing_algorithms, b->signing_algorithms, a->signing_algorithm_count);
}

/* Encode one context with enc, read it back with the iterator, decode it
 * with dec and compare with eq. */
#define CTX_ROUNDTRIP(type_, T, val, enc, dec, eq)                                                 \
    do {                                                                                           \
        uint8_t buf_[8 + 4096];                                                                    \
        struct wr w_;                                                                              \
        wr_init(&w_, buf_, sizeof(buf_));                                                          \
        if (!nt_ok(enc(&w_, (val))))                                                               \
            break; /* e.g. a NetName too long to re-encode */                                      \
        struct smb2_negctx_iter it_;                                                               \
        struct smb2_negctx c_;                                                                     \
        smb2_negctx_iter_init(&it_, buf_, wr_pos(&w_), 1);                                         \
        FUZZ_CHECK(smb2_negctx_next(&it_, &c_));                                                   \
        FUZZ_CHECK(c_.context_type == (type_));                                                    \
        T v2_;                                                                                     \
        FUZZ_CHECK_OK(dec(&c_, &v2_));                                                             \
        FUZZ_CHECK(eq((val), &v2_));                                                               \
    } while (0)

static void fuzz_ctx(const struct smb2_negctx *c, const uint8_t *base, size_t base_len)
{
    FUZZ_WITHIN(c->data, c->data_length, base, base_len);
    fuzz_consume(c->data, c->data_length);
    switch (c->context_type) {
    case SMB2_PREAUTH_INTEGRITY_CAPABILITIES: {
        struct smb2_preauth_caps v;
        if (nt_ok(smb2_preauth_caps_decode(c, &v))) {
            FUZZ_WITHIN(v.salt, v.salt_length, c->data, c->data_length);
            CTX_ROUNDTRIP(SMB2_PREAUTH_INTEGRITY_CAPABILITIES, struct smb2_preauth_caps, &v,
                          smb2_preauth_caps_encode, smb2_preauth_caps_decode, same_preauth);
        }
        break;
    }
    case SMB2_ENCRYPTION_CAPABILITIES: {
        struct smb2_encryption_caps v;
        if (nt_ok(smb2_encryption_caps_decode(c, &v)))
            CTX_ROUNDTRIP(SMB2_ENCRYPTION_CAPABILITIES, struct smb2_encryption_caps, &v,
                          smb2_encryption_caps_encode, smb2_encryption_caps_decode,
                          same_encryption);
        break;
    }
    case SMB2_COMPRESSION_CAPABILITIES: {
        struct smb2_compression_caps v;
        if (nt_ok(smb2_compression_caps_decode(c, &v)))
            CTX_ROUNDTRIP(SMB2_COMPRESSION_CAPABILITIES, struct smb2_compression_caps, &v,
                          smb2_compression_caps_encode, smb2_compression_caps_decode,
                          same_compression);
        break;
    }
    case SMB2_NETNAME_NEGOTIATE_CONTEXT_ID: {
        struct smb2_netname_ctx v;
        if (nt_ok(smb2_netname_ctx_decode(c, &v)))
            CTX_ROUNDTRIP(SMB2_NETNAME_NEGOTIATE_CONTEXT_ID, struct smb2_netname_ctx, &v,
                          smb2_netname_ctx_encode, smb2_netname_ctx_decode, same_netname);
        break;
    }
    case SMB2_TRANSPORT_CAPABILITIES: {
        struct smb2_transport_caps v, v2;
        if (nt_ok(smb2_transport_caps_decode(c, &v))) {
            uint8_t buf[64];
            struct wr w;
            wr_init(&w, buf, sizeof(buf));
            FUZZ_CHECK_OK(smb2_transport_caps_encode(&w, &v));
            struct smb2_negctx_iter it;
            struct smb2_negctx c2;
            smb2_negctx_iter_init(&it, buf, wr_pos(&w), 1);
            FUZZ_CHECK(smb2_negctx_next(&it, &c2));
            FUZZ_CHECK_OK(smb2_transport_caps_decode(&c2, &v2));
            FUZZ_CHECK(v.flags == v2.flags);
        }
        break;
    }
    case SMB2_SIGNING_CAPABILITIES: {
        struct smb2_signing_caps v;
        if (nt_ok(smb2_signing_caps_decode(c, &v)))
            CTX_ROUNDTRIP(SMB2_SIGNING_CAPABILITIES, struct smb2_signing_caps, &v,
                          smb2_signing_caps_encode, smb2_signing_caps_decode, same_signing);
        break;
    }
    default:
        break;
    }
}

static void fuzz_ctx_list(const uint8_t *list, size_t list_len, uint16_t count, const uint8_t *msg,
                          size_t msg_len)
{
    if (list == NULL) {
        FUZZ_CHECK(list_len == 0);
        return;
    }
    FUZZ_WITHIN(list, list_len, msg, msg_len);

    /* The decoder validated count contexts: the iterator must agree. */
    struct smb2_negctx_iter it;
    struct smb2_negctx c;
    unsigned n = 0;
    smb2_negctx_iter_init(&it, list, list_len, count);
    while (smb2_negctx_next(&it, &c)) {
        fuzz_ctx(&c, list, list_len);
        n++;
    }
    FUZZ_CHECK_OK(smb2_negctx_iter_status(&it));
    FUZZ_CHECK(n == count);

    /* The whole set: decode, encode, decode, compare the known contexts. */
    struct smb2_negctx_set *s = calloc(2, sizeof(*s));
    if (s == NULL)
        abort();
    if (nt_ok(smb2_negctx_set_decode(list, list_len, count, &s[0]))) {
        uint8_t *buf = malloc(FUZZ_RT_CAP);
        if (buf == NULL)
            abort();
        struct wr w;
        wr_init(&w, buf, FUZZ_RT_CAP);
        uint16_t count2 = 0;
        if (nt_ok(smb2_negctx_set_encode(&w, &s[0], &count2))) {
            FUZZ_CHECK_OK(smb2_negctx_set_decode(buf, wr_pos(&w), count2, &s[1]));
            FUZZ_CHECK(s[1].present == s[0].present);
            FUZZ_CHECK(s[1].unknown_count == 0);
            const struct smb2_negctx_set *a = &s[0], *b = &s[1];
            if (smb2_negctx_set_has(a, SMB2_PREAUTH_INTEGRITY_CAPABILITIES))
                FUZZ_CHECK(same_preauth(&a->preauth, &b->preauth));
            if (smb2_negctx_set_has(a, SMB2_ENCRYPTION_CAPABILITIES))
                FUZZ_CHECK(same_encryption(&a->encryption, &b->encryption));
            if (smb2_negctx_set_has(a, SMB2_COMPRESSION_CAPABILITIES))
                FUZZ_CHECK(same_compression(&a->compression, &b->compression));
            if (smb2_negctx_set_has(a, SMB2_NETNAME_NEGOTIATE_CONTEXT_ID))
                FUZZ_CHECK(same_netname(&a->netname, &b->netname));
            if (smb2_negctx_set_has(a, SMB2_TRANSPORT_CAPABILITIES))
                FUZZ_CHECK(a->transport.flags == b->transport.flags);
            if (smb2_negctx_set_has(a, SMB2_SIGNING_CAPABILITIES))
                FUZZ_CHECK(same_signing(&a->signing, &b->signing));
        }
        free(buf);
    }
    free(s);
}

static void fuzz_req(const uint8_t *msg, size_t len)
{
    struct smb2_negotiate_req a, b;
    if (!nt_ok(smb2_negotiate_req_decode(msg, len, &a)))
        return;
    FUZZ_CHECK(a.dialect_count >= 1 && a.dialect_count <= SMB2_NEGOTIATE_MAX_DIALECTS);
    fuzz_ctx_list(a.negotiate_context_list, a.negotiate_context_list_len, a.negotiate_context_count,
                  msg, len);

    struct wr w;
    size_t len2;
    fuzz_rt_begin(&w, msg);
    uint8_t *msg2 = fuzz_rt_end(&w, smb2_negotiate_req_encode(&w, &a), &len2);
    FUZZ_CHECK_OK(smb2_negotiate_req_decode(msg2, len2, &b));
    FUZZ_CHECK(a.dialect_count == b.dialect_count);
    FUZZ_CHECK(a.security_mode == b.security_mode);
    FUZZ_CHECK(a.capabilities == b.capabilities);
    FUZZ_CHECK(memcmp(a.client_guid, b.client_guid, SMB2_GUID_SIZE) == 0);
    FUZZ_CHECK(a.client_start_time == b.client_start_time);
    FUZZ_CHECK(a.negotiate_context_count == b.negotiate_context_count);
    FUZZ_CHECK(same_u16s(a.dialects, b.dialects, a.dialect_count));
    FUZZ_CHECK(fuzz_same_bytes(a.negotiate_context_list, a.negotiate_context_list_len,
                               b.negotiate_context_list, b.negotiate_context_list_len));
    for (uint16_t d = 0x0200; d <= 0x0320; d++)
        (void)smb2_negotiate_req_has_dialect(&a, d);
    free(msg2);
}

static void fuzz_rsp(const uint8_t *msg, size_t len)
{
    struct smb2_negotiate_rsp a, b;
    if (!nt_ok(smb2_negotiate_rsp_decode(msg, len, &a)))
        return;
    FUZZ_WITHIN(a.security_buffer, a.security_buffer_length, msg, len);
    fuzz_consume(a.security_buffer, a.security_buffer_length);
    fuzz_ctx_list(a.negotiate_context_list, a.negotiate_context_list_len, a.negotiate_context_count,
                  msg, len);

    struct wr w;
    size_t len2;
    fuzz_rt_begin(&w, msg);
    uint8_t *msg2 = fuzz_rt_end(&w, smb2_negotiate_rsp_encode(&w, &a), &len2);
    FUZZ_CHECK_OK(smb2_negotiate_rsp_decode(msg2, len2, &b));
    FUZZ_CHECK(a.security_mode == b.security_mode);
    FUZZ_CHECK(a.dialect_revision == b.dialect_revision);
    FUZZ_CHECK(a.negotiate_context_count == b.negotiate_context_count);
    FUZZ_CHECK(memcmp(a.server_guid, b.server_guid, SMB2_GUID_SIZE) == 0);
    FUZZ_CHECK(a.capabilities == b.capabilities);
    FUZZ_CHECK(a.max_transact_size == b.max_transact_size);
    FUZZ_CHECK(a.max_read_size == b.max_read_size);
    FUZZ_CHECK(a.max_write_size == b.max_write_size);
    FUZZ_CHECK(a.system_time == b.system_time);
    FUZZ_CHECK(a.server_start_time == b.server_start_time);
    FUZZ_CHECK(fuzz_same_bytes(a.security_buffer, a.security_buffer_length, b.security_buffer,
                               b.security_buffer_length));
    FUZZ_CHECK(fuzz_same_bytes(a.negotiate_context_list, a.negotiate_context_list_len,
                               b.negotiate_context_list, b.negotiate_context_list_len));
    free(msg2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_req(data, size);
    fuzz_rsp(data, size);
    uint16_t d = smb1_negotiate_smb2_dialect(data, size);
    FUZZ_CHECK(d == 0 || d == SMB2_DIALECT_0202 || d == SMB2_DIALECT_WILDCARD);
    return 0;
}
