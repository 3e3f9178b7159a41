/* SMB2 NEGOTIATE. [MS-SMB2] 2.2.3 (request), 2.2.4 (response), plus the
 * SMB1 multi-protocol NEGOTIATE probe a server answers with SMB2 (3.3.5.3.1).
 * The 3.1.1 NegotiateContextList is returned/taken as raw bytes: walk or
 * build it with negotiate_ctx.h. */
#ifndef SIGNET_WIRE_NEGOTIATE_H
#define SIGNET_WIRE_NEGOTIATE_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most dialects a request may offer; more is STATUS_INVALID_PARAMETER
 * (five dialects are defined). */
#define SMB2_NEGOTIATE_MAX_DIALECTS 16
#define SMB2_GUID_SIZE              16

/* [MS-SMB2] 2.2.3 SMB2 NEGOTIATE Request. When dialects[] contains 0x0311 the
 * 8 bytes after ClientGuid are NegotiateContextOffset/Count, otherwise
 * ClientStartTime. */
struct smb2_negotiate_req {
    uint16_t dialect_count; /* 1..SMB2_NEGOTIATE_MAX_DIALECTS */
    uint16_t security_mode;
    uint32_t capabilities;
    uint8_t client_guid[SMB2_GUID_SIZE];
    uint64_t client_start_time;       /* dialects without 0x0311 only */
    uint16_t negotiate_context_count; /* with 0x0311 only */
    uint16_t dialects[SMB2_NEGOTIATE_MAX_DIALECTS];
    /* The first context through the end of the message (decode: validated
     * to hold negotiate_context_count well-formed contexts); encode: the
     * bytes to place 8-byte aligned after the dialects. NULL/0 when none. */
    const uint8_t *negotiate_context_list;
    size_t negotiate_context_list_len;
};

/* [MS-SMB2] 2.2.4 SMB2 NEGOTIATE Response. The context fields apply only when
 * dialect_revision is 0x0311 (otherwise they are Reserved: decoded as 0,
 * encoded as 0). */
struct smb2_negotiate_rsp {
    uint16_t security_mode;
    uint16_t dialect_revision;
    uint16_t negotiate_context_count;
    uint8_t server_guid[SMB2_GUID_SIZE];
    uint32_t capabilities;
    uint32_t max_transact_size;
    uint32_t max_read_size;
    uint32_t max_write_size;
    uint64_t system_time;       /* FILETIME */
    uint64_t server_start_time; /* FILETIME */
    const uint8_t *security_buffer;
    uint16_t security_buffer_length;
    const uint8_t *negotiate_context_list; /* as in the request */
    size_t negotiate_context_list_len;
};

bool smb2_negotiate_req_has_dialect(const struct smb2_negotiate_req *req, uint16_t dialect);

ntstatus_t smb2_negotiate_req_decode(const uint8_t *msg, size_t msg_len,
                                     struct smb2_negotiate_req *out);
ntstatus_t smb2_negotiate_req_encode(struct wr *w, const struct smb2_negotiate_req *in);
ntstatus_t smb2_negotiate_rsp_decode(const uint8_t *msg, size_t msg_len,
                                     struct smb2_negotiate_rsp *out);
ntstatus_t smb2_negotiate_rsp_encode(struct wr *w, const struct smb2_negotiate_rsp *in);

/* SMB1 multi-protocol NEGOTIATE ([MS-SMB2] 3.3.5.3.1, [MS-CIFS] 2.2.4.52.1):
 * msg points at the SMB1 header (0xFF 'SMB', Command 0x72), after the Direct
 * TCP prefix. Returns SMB2_DIALECT_WILDCARD (0x02FF) when "SMB 2.???" is
 * offered, else SMB2_DIALECT_0202 when "SMB 2.002" is, else 0 (also for a
 * malformed message: the dialect list is parsed within ByteCount and
 * msg_len, and every dialect string must be 0x02-prefixed and
 * NUL-terminated). */
uint16_t smb1_negotiate_smb2_dialect(const uint8_t *msg, size_t msg_len);
static inline bool smb1_negotiate_has_smb2(const uint8_t *msg, size_t msg_len)
{
    return smb1_negotiate_smb2_dialect(msg, msg_len) != 0;
}

#endif
