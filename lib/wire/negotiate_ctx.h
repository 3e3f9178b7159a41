/* SMB 3.1.1 negotiate contexts. [MS-SMB2] 2.2.3.1 (request), 2.2.4.1 (response).
 *
 * A NegotiateContextList is NegotiateContextCount contexts, each
 * ContextType(2) DataLength(2) Reserved(4) Data[DataLength], every context
 * after the first starting 8-byte aligned (the list itself starts 8-byte
 * aligned from the SMB2 header, so aligning relative to the list start is the
 * same thing). The last context needs no trailing padding.
 *
 * Two levels:
 *  - the iterator yields (type, data, len) for every context, known or not,
 *    bounded by DataLength and the list's extent;
 *  - per-type codecs decode/encode the known ones into small fixed-capacity
 *    structs, and smb2_negctx_set_{decode,encode} do a whole list at once
 *    (unknown types are skipped, duplicates of a known type are rejected). */
#ifndef SIGNET_WIRE_NEGOTIATE_CTX_H
#define SIGNET_WIRE_NEGOTIATE_CTX_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMB2_NEGCTX_HDR_SIZE 8
/* Capacity of every algorithm list below; a larger count is rejected with
 * STATUS_INVALID_PARAMETER (there are at most four algorithms of any kind
 * defined today). */
#define SMB2_NEGCTX_MAX_ALGS 8
/* Largest NetName we keep, as UTF-8 including the NUL. */
#define SMB2_NETNAME_MAX 512

/* 2.2.3.1.3 Compression algorithms and flags */
#define SMB2_COMPRESSION_NONE         0x0000
#define SMB2_COMPRESSION_LZNT1        0x0001
#define SMB2_COMPRESSION_LZ77         0x0002
#define SMB2_COMPRESSION_LZ77_HUFF    0x0003
#define SMB2_COMPRESSION_PATTERN_V1   0x0004
#define SMB2_COMPRESSION_LZ4          0x0005
#define SMB2_COMPRESSION_FLAG_CHAINED 0x00000001u
/* 2.2.3.1.5 Transport capabilities flags */
#define SMB2_ACCEPT_TRANSPORT_LEVEL_SECURITY 0x00000001u

/* One context as it lies in the list. */
struct smb2_negctx {
    uint16_t context_type;
    uint16_t data_length;
    const uint8_t *data; /* into the list; valid for data_length bytes */
};

struct smb2_negctx_iter {
    struct rd r;
    uint16_t left; /* contexts still to return */
    bool first;
};

/* list/list_len: from the first context to the end of the message. */
void smb2_negctx_iter_init(struct smb2_negctx_iter *it, const uint8_t *list, size_t list_len,
                           uint16_t count);
/* Next context: true with *c filled; false when count contexts were returned
 * or on a malformed list (then smb2_negctx_iter_status is an error). */
bool smb2_negctx_next(struct smb2_negctx_iter *it, struct smb2_negctx *c);
SG_MUST_CHECK static inline ntstatus_t smb2_negctx_iter_status(const struct smb2_negctx_iter *it)
{
    return rd_status(&it->r);
}

/* 2.2.3.1.1 SMB2_PREAUTH_INTEGRITY_CAPABILITIES */
struct smb2_preauth_caps {
    uint16_t hash_algorithm_count; /* 1..SMB2_NEGCTX_MAX_ALGS */
    uint16_t hash_algorithms[SMB2_NEGCTX_MAX_ALGS];
    uint16_t salt_length;
    const uint8_t *salt; /* decode: into the message; encode: caller's bytes */
};

/* 2.2.3.1.2 SMB2_ENCRYPTION_CAPABILITIES */
struct smb2_encryption_caps {
    uint16_t cipher_count; /* 1..SMB2_NEGCTX_MAX_ALGS */
    uint16_t ciphers[SMB2_NEGCTX_MAX_ALGS];
};

/* 2.2.3.1.3 SMB2_COMPRESSION_CAPABILITIES */
struct smb2_compression_caps {
    uint16_t compression_algorithm_count; /* 1..SMB2_NEGCTX_MAX_ALGS */
    uint32_t flags;
    uint16_t compression_algorithms[SMB2_NEGCTX_MAX_ALGS];
};

/* 2.2.3.1.4 SMB2_NETNAME_NEGOTIATE_CONTEXT_ID: the server name the client
 * connects to, UTF-16LE on the wire, held here as UTF-8. */
struct smb2_netname_ctx {
    char net_name[SMB2_NETNAME_MAX];
};

/* 2.2.3.1.5 SMB2_TRANSPORT_CAPABILITIES */
struct smb2_transport_caps {
    uint32_t flags;
};

/* 2.2.3.1.7 SMB2_SIGNING_CAPABILITIES */
struct smb2_signing_caps {
    uint16_t signing_algorithm_count; /* 1..SMB2_NEGCTX_MAX_ALGS */
    uint16_t signing_algorithms[SMB2_NEGCTX_MAX_ALGS];
};

/* Decode one context's Data (c->data, c->data_length). Counts of zero, above
 * the capacity or beyond DataLength are STATUS_INVALID_PARAMETER; bytes after
 * the defined fields are ignored (DataLength bounds them). */
ntstatus_t smb2_preauth_caps_decode(const struct smb2_negctx *c, struct smb2_preauth_caps *out);
ntstatus_t smb2_encryption_caps_decode(const struct smb2_negctx *c,
                                       struct smb2_encryption_caps *out);
ntstatus_t smb2_compression_caps_decode(const struct smb2_negctx *c,
                                        struct smb2_compression_caps *out);
ntstatus_t smb2_netname_ctx_decode(const struct smb2_negctx *c, struct smb2_netname_ctx *out);
ntstatus_t smb2_transport_caps_decode(const struct smb2_negctx *c, struct smb2_transport_caps *out);
ntstatus_t smb2_signing_caps_decode(const struct smb2_negctx *c, struct smb2_signing_caps *out);

/* Encode one whole context (8-byte context header + data) at w's position,
 * which the caller keeps 8-byte aligned (smb2_negctx_set_encode does). */
ntstatus_t smb2_preauth_caps_encode(struct wr *w, const struct smb2_preauth_caps *in);
ntstatus_t smb2_encryption_caps_encode(struct wr *w, const struct smb2_encryption_caps *in);
ntstatus_t smb2_compression_caps_encode(struct wr *w, const struct smb2_compression_caps *in);
ntstatus_t smb2_netname_ctx_encode(struct wr *w, const struct smb2_netname_ctx *in);
ntstatus_t smb2_transport_caps_encode(struct wr *w, const struct smb2_transport_caps *in);
ntstatus_t smb2_signing_caps_encode(struct wr *w, const struct smb2_signing_caps *in);

/* A whole list: the known contexts, each with a presence bit. */
#define SMB2_NEGCTX_HAS(type) (1u << (type))
struct smb2_negctx_set {
    uint32_t present;       /* SMB2_NEGCTX_HAS(SMB2_..._CAPABILITIES) bits */
    uint16_t unknown_count; /* contexts of other types, skipped */
    struct smb2_preauth_caps preauth;
    struct smb2_encryption_caps encryption;
    struct smb2_compression_caps compression;
    struct smb2_netname_ctx netname;
    struct smb2_transport_caps transport;
    struct smb2_signing_caps signing;
};

static inline bool smb2_negctx_set_has(const struct smb2_negctx_set *s, uint16_t type)
{
    return type < 32 && (s->present & SMB2_NEGCTX_HAS(type)) != 0;
}

/* Decode count contexts from list (see smb2_negctx_iter_init). A known type
 * that appears twice is STATUS_INVALID_PARAMETER ([MS-SMB2] 3.3.5.4). */
ntstatus_t smb2_negctx_set_decode(const uint8_t *list, size_t list_len, uint16_t count,
                                  struct smb2_negctx_set *out);
/* Encode the present contexts in type order, 8-byte aligned relative to w's
 * start (so start w at an 8-aligned place); *count receives how many. */
ntstatus_t smb2_negctx_set_encode(struct wr *w, const struct smb2_negctx_set *in, uint16_t *count);

#endif
