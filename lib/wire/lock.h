/* SMB2 LOCK request and response. [MS-SMB2] 2.2.26, 2.2.27. */
#ifndef SIGNET_WIRE_LOCK_H
#define SIGNET_WIRE_LOCK_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/smb2.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMB2_LOCK_REQ_STRUCTURE_SIZE 48
#define SMB2_LOCK_RSP_STRUCTURE_SIZE 4
#define SMB2_LOCK_ELEMENT_SIZE       24
#define SMB2_LOCK_REQ_LOCKS_OFFSET   (SMB2_HDR_SIZE + 24)

/* The most lock elements one request may carry. The spec sets no limit;
 * Windows clients send one range per request (and unlocks in small batches),
 * so 64 bounds the struct (and the server's work per request) with room to
 * spare. A request with more is STATUS_INVALID_PARAMETER. */
#define SMB2_LOCK_MAX_ELEMENTS 64

/* 2.2.26.1 Flags */
#define SMB2_LOCKFLAG_SHARED_LOCK      0x00000001u
#define SMB2_LOCKFLAG_EXCLUSIVE_LOCK   0x00000002u
#define SMB2_LOCKFLAG_UNLOCK           0x00000004u
#define SMB2_LOCKFLAG_FAIL_IMMEDIATELY 0x00000010u

/* [MS-SMB2] 2.2.26.1 SMB2_LOCK_ELEMENT. */
struct smb2_lock_element {
    uint64_t offset;
    uint64_t length;
    uint32_t flags;
};

/* [MS-SMB2] 2.2.26 SMB2 LOCK Request. */
struct smb2_lock_req {
    uint16_t lock_count;          /* 1 .. SMB2_LOCK_MAX_ELEMENTS */
    uint8_t lock_sequence_number; /* low 4 bits of the 32-bit field */
    uint32_t lock_sequence_index; /* high 28 bits */
    struct smb2_file_id file_id;
    struct smb2_lock_element locks[SMB2_LOCK_MAX_ELEMENTS];
};

/* Checks StructureSize, 1 <= LockCount <= SMB2_LOCK_MAX_ELEMENTS and that
 * the elements fit in msg. Flag combinations are the server's to judge
 * (smb2_lock_flags_valid). */
ntstatus_t smb2_lock_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_lock_req *out);
ntstatus_t smb2_lock_req_encode(struct wr *w, const struct smb2_lock_req *in);
/* [MS-SMB2] 2.2.27: StructureSize and Reserved only. */
ntstatus_t smb2_lock_rsp_decode(const uint8_t *msg, size_t msg_len);
ntstatus_t smb2_lock_rsp_encode(struct wr *w);

/* One of the five combinations 3.3.5.14 allows: SHARED or EXCLUSIVE, either
 * with FAIL_IMMEDIATELY, or UNLOCK alone. */
bool smb2_lock_flags_valid(uint32_t flags);

#endif
