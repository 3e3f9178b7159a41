/* SMB2 create contexts: the chain carried by CREATE requests and responses.
 * [MS-SMB2] 2.2.13.2 (the element and the request contexts), 2.2.14.2 (the
 * response contexts).
 *
 * A chain is a run of SMB2_CREATE_CONTEXT elements, each starting 8-byte
 * aligned (relative to the SMB2 header, and therefore to the first element,
 * which CREATE places 8-byte aligned). Next is the distance to the following
 * element, 0 on the last one, which runs to the end of the chain buffer.
 * NameOffset/DataOffset are relative to the element and must lie inside it.
 *
 * The iterator yields (name, data) pairs in chain order, unknown names
 * included: a server ignores the contexts it does not understand
 * (3.3.5.9), a client those it did not ask for. */
#ifndef SIGNET_WIRE_CREATE_CTX_H
#define SIGNET_WIRE_CREATE_CTX_H

#include "base/cursor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Fixed part of an element: Next, NameOffset, NameLength, Reserved,
 * DataOffset, DataLength. */
#define SMB2_CREATE_CTX_HDR_SIZE 16

/* 2.2.13.2: the four-character tags (NameLength 4, not NUL-terminated). */
#define SMB2_CREATE_EA_BUFFER                    "ExtA"
#define SMB2_CREATE_SD_BUFFER                    "SecD"
#define SMB2_CREATE_DURABLE_HANDLE_REQUEST       "DHnQ"
#define SMB2_CREATE_DURABLE_HANDLE_RECONNECT     "DHnC"
#define SMB2_CREATE_ALLOCATION_SIZE              "AlSi"
#define SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST "MxAc"
#define SMB2_CREATE_TIMEWARP_TOKEN               "TWrp"
#define SMB2_CREATE_QUERY_ON_DISK_ID             "QFid"
#define SMB2_CREATE_REQUEST_LEASE                "RqLs"
#define SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2    "DH2Q"
#define SMB2_CREATE_DURABLE_HANDLE_RECONNECT_V2  "DH2C"
#define SMB2_CREATE_CTX_TAG_LEN                  4
/* 2.2.13.2.13: a GUID-named context (NameLength 16) */
#define SMB2_CREATE_APP_INSTANCE_ID                                                                \
    "\x45\xBC\xA6\x6A\xEF\xA7\xF7\x4A\x90\x08\xFA\x46\x2E\x14\x4D\x74"
#define SMB2_CREATE_APP_INSTANCE_ID_LEN 16

/* One element of a chain. Decoding: name and data point into the chain
 * (data is NULL when data_len is 0). Encoding: the caller's bytes. */
struct smb2_create_ctx {
    const uint8_t *name;
    uint16_t name_len;
    const uint8_t *data;
    uint32_t data_len;
};

/* ---- decoding: the iterator ---- */

struct smb2_create_ctx_iter {
    struct rd r;     /* over the chain buffer */
    size_t next_off; /* offset of the next element in the chain */
    bool done;
    unsigned count; /* elements yielded so far */
};

void smb2_create_ctx_iter_init(struct smb2_create_ctx_iter *it, const uint8_t *chain,
                               size_t chain_len);
/* Next element: true with *out filled, false at the end or on a malformed
 * element (then smb2_create_ctx_iter_status is STATUS_INVALID_PARAMETER).
 * Rejects: a chain or element shorter than 16 bytes; Next not a multiple of 8,
 * smaller than 16 or reaching past the chain; NameLength 0; a name or data
 * region that starts inside the element's fixed part, leaves the element, or
 * overlaps the other. An empty chain (chain_len 0) yields nothing. */
bool smb2_create_ctx_next(struct smb2_create_ctx_iter *it, struct smb2_create_ctx *out);
SG_MUST_CHECK static inline ntstatus_t
smb2_create_ctx_iter_status(const struct smb2_create_ctx_iter *it)
{
    return rd_status(&it->r);
}

/* Walk a whole chain: STATUS_SUCCESS and *count (may be NULL) elements, or the
 * iterator's error. */
ntstatus_t smb2_create_ctx_validate(const uint8_t *chain, size_t chain_len, unsigned *count);
/* First element whose name is tag (tag_len bytes): STATUS_SUCCESS,
 * STATUS_NOT_FOUND, or the chain's error when it is malformed. */
ntstatus_t smb2_create_ctx_find(const uint8_t *chain, size_t chain_len, const char *tag,
                                size_t tag_len, struct smb2_create_ctx *out);
/* Does the element carry this four-character tag? */
bool smb2_create_ctx_is(const struct smb2_create_ctx *c, const char *tag);

/* ---- encoding ---- */

/* Append ctxs[0..n) as a chain at the writer's position, which must be 8-byte
 * aligned (STATUS_INTERNAL_ERROR otherwise): each element with its name at
 * offset 16 and its data 8-byte aligned after the name, elements 8-byte
 * aligned, no padding after the last. n == 0 writes nothing. */
ntstatus_t smb2_create_ctx_chain_encode(struct wr *w, const struct smb2_create_ctx *ctxs, size_t n);

/* ---- the small context payloads clients always send ---- */

/* 2.2.13.2.5 SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST: empty or a Timestamp. */
struct smb2_ctx_mxac_req {
    bool has_timestamp;
    uint64_t timestamp; /* FILETIME */
};
ntstatus_t smb2_ctx_mxac_req_decode(const struct smb2_create_ctx *c, struct smb2_ctx_mxac_req *out);

/* 2.2.14.2.5 SMB2_CREATE_QUERY_MAXIMAL_ACCESS_RESPONSE: 8 bytes. */
#define SMB2_CTX_MXAC_RSP_SIZE 8
struct smb2_ctx_mxac_rsp {
    uint32_t query_status; /* an NTSTATUS code */
    uint32_t maximal_access;
};
ntstatus_t smb2_ctx_mxac_rsp_decode(const struct smb2_create_ctx *c, struct smb2_ctx_mxac_rsp *out);
void smb2_ctx_mxac_rsp_pack(uint8_t out[SMB2_CTX_MXAC_RSP_SIZE],
                            const struct smb2_ctx_mxac_rsp *in);

/* 2.2.14.2.9 SMB2_CREATE_QUERY_ON_DISK_ID response: 32 bytes (the request
 * carries no data). */
#define SMB2_CTX_QFID_RSP_SIZE 32
struct smb2_ctx_qfid_rsp {
    uint64_t disk_file_id;
    uint64_t volume_id;
};
ntstatus_t smb2_ctx_qfid_rsp_decode(const struct smb2_create_ctx *c, struct smb2_ctx_qfid_rsp *out);
void smb2_ctx_qfid_rsp_pack(uint8_t out[SMB2_CTX_QFID_RSP_SIZE],
                            const struct smb2_ctx_qfid_rsp *in);

/* 2.2.13.2.6 SMB2_CREATE_ALLOCATION_SIZE and 2.2.13.2.7
 * SMB2_CREATE_TIMEWARP_TOKEN: one 8-byte little-endian value each. */
#define SMB2_CTX_U64_SIZE 8
ntstatus_t smb2_ctx_alsi_decode(const struct smb2_create_ctx *c, uint64_t *allocation_size);
ntstatus_t smb2_ctx_twrp_decode(const struct smb2_create_ctx *c, uint64_t *timestamp);
void smb2_ctx_u64_pack(uint8_t out[SMB2_CTX_U64_SIZE], uint64_t v);

/* 2.2.13.2.8 SMB2_CREATE_REQUEST_LEASE (v1, 32 bytes) and 2.2.13.2.10
 * SMB2_CREATE_REQUEST_LEASE_V2 (52 bytes); the responses 2.2.14.2.10/11 have
 * the same layouts. */
#define SMB2_CTX_LEASE_V1_SIZE 32
#define SMB2_CTX_LEASE_V2_SIZE 52
#define SMB2_LEASE_NONE        0x00u
#define SMB2_LEASE_READ        0x01u
#define SMB2_LEASE_HANDLE      0x02u
#define SMB2_LEASE_WRITE       0x04u
/* LeaseFlags */
#define SMB2_LEASE_FLAG_BREAK_IN_PROGRESS    0x02u
#define SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET 0x04u
struct smb2_ctx_lease {
    uint8_t version; /* 1 or 2, from the data length */
    uint8_t lease_key[16];
    uint32_t lease_state;
    uint32_t lease_flags;
    uint64_t lease_duration;
    uint8_t parent_lease_key[16]; /* v2 */
    uint16_t epoch;               /* v2 */
};
ntstatus_t smb2_ctx_lease_decode(const struct smb2_create_ctx *c, struct smb2_ctx_lease *out);
/* Writes 32 or 52 bytes (by in->version) into out, which must hold 52;
 * returns the size. */
size_t smb2_ctx_lease_pack(uint8_t out[SMB2_CTX_LEASE_V2_SIZE], const struct smb2_ctx_lease *in);

/* 2.2.13.2.3 SMB2_CREATE_DURABLE_HANDLE_REQUEST: 16 reserved bytes (the
 * server ignores their value, not their length); 2.2.14.2.3 its response:
 * 8 reserved bytes, zero. */
#define SMB2_CTX_DHNQ_SIZE     16
#define SMB2_CTX_DHNQ_RSP_SIZE 8
ntstatus_t smb2_ctx_dhnq_decode(const struct smb2_create_ctx *c);
void smb2_ctx_dhnq_rsp_pack(uint8_t out[SMB2_CTX_DHNQ_RSP_SIZE]);

/* 2.2.13.2.4 SMB2_CREATE_DURABLE_HANDLE_RECONNECT: the SMB2_FILEID
 * (Persistent, Volatile) of the open to reestablish, 16 bytes. */
#define SMB2_CTX_DHNC_SIZE 16
struct smb2_ctx_dhnc {
    uint64_t persistent, volatile_id;
};
ntstatus_t smb2_ctx_dhnc_decode(const struct smb2_create_ctx *c, struct smb2_ctx_dhnc *out);
void smb2_ctx_dhnc_pack(uint8_t out[SMB2_CTX_DHNC_SIZE], const struct smb2_ctx_dhnc *in);

/* 2.2.13.2.11 SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2 (32 bytes) and
 * 2.2.14.2.12 its response (8 bytes: Timeout, Flags). */
#define SMB2_CTX_DH2Q_SIZE           32
#define SMB2_CTX_DH2Q_RSP_SIZE       8
#define SMB2_DHANDLE_FLAG_PERSISTENT 0x00000002u
struct smb2_ctx_dh2q {
    uint32_t timeout;
    uint32_t flags;
    uint8_t create_guid[16];
};
ntstatus_t smb2_ctx_dh2q_decode(const struct smb2_create_ctx *c, struct smb2_ctx_dh2q *out);
void smb2_ctx_dh2q_pack(uint8_t out[SMB2_CTX_DH2Q_SIZE], const struct smb2_ctx_dh2q *in);
struct smb2_ctx_dh2q_rsp {
    uint32_t timeout; /* milliseconds the server keeps the open after a disconnect */
    uint32_t flags;   /* SMB2_DHANDLE_FLAG_PERSISTENT when granted */
};
ntstatus_t smb2_ctx_dh2q_rsp_decode(const struct smb2_create_ctx *c, struct smb2_ctx_dh2q_rsp *out);
void smb2_ctx_dh2q_rsp_pack(uint8_t out[SMB2_CTX_DH2Q_RSP_SIZE],
                            const struct smb2_ctx_dh2q_rsp *in);

/* 2.2.13.2.13 SMB2_CREATE_APP_INSTANCE_ID: StructureSize (20), Reserved,
 * AppInstanceId; 20 bytes. */
#define SMB2_CTX_APP_INSTANCE_ID_SIZE 20
ntstatus_t smb2_ctx_app_instance_id_decode(const struct smb2_create_ctx *c, uint8_t id[16]);
void smb2_ctx_app_instance_id_pack(uint8_t out[SMB2_CTX_APP_INSTANCE_ID_SIZE],
                                   const uint8_t id[16]);

/* 2.2.13.2.12 SMB2_CREATE_DURABLE_HANDLE_RECONNECT_V2: FileId, CreateGuid,
 * Flags; 36 bytes. */
#define SMB2_CTX_DH2C_SIZE 36
struct smb2_ctx_dh2c {
    uint64_t persistent, volatile_id;
    uint8_t create_guid[16];
    uint32_t flags;
};
ntstatus_t smb2_ctx_dh2c_decode(const struct smb2_create_ctx *c, struct smb2_ctx_dh2c *out);
void smb2_ctx_dh2c_pack(uint8_t out[SMB2_CTX_DH2C_SIZE], const struct smb2_ctx_dh2c *in);

#endif
