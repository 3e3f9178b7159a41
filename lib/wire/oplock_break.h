/* SMB2 OPLOCK_BREAK: oplock and lease break notifications, acknowledgments
 * and responses. [MS-SMB2] 2.2.23 (notifications), 2.2.24 (acks), 2.2.25
 * (responses). The variants share the command code and are told apart by
 * StructureSize: 24 oplock (notification, ack and response alike), 44 lease
 * break notification, 36 lease break ack / response. */
#ifndef SIGNET_WIRE_OPLOCK_BREAK_H
#define SIGNET_WIRE_OPLOCK_BREAK_H

#include "base/cursor.h"
#include "wire/file_id.h"
#include "wire/smb2.h"

#include <stddef.h>
#include <stdint.h>

#define SMB2_OPLOCK_BREAK_STRUCTURE_SIZE       24
#define SMB2_LEASE_BREAK_NOTIFY_STRUCTURE_SIZE 44
#define SMB2_LEASE_BREAK_ACK_STRUCTURE_SIZE    36

/* 2.2.23.2 Flags */
#define SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED 0x01u

enum smb2_break_kind {
    SMB2_BREAK_OPLOCK = 1,   /* 2.2.23.1 / 2.2.24.1 / 2.2.25.1 */
    SMB2_BREAK_LEASE_NOTIFY, /* 2.2.23.2 */
    SMB2_BREAK_LEASE_ACK,    /* 2.2.24.2 / 2.2.25.2 */
};

/* [MS-SMB2] 2.2.23.1 / 2.2.24.1 / 2.2.25.1: Oplock Break
 * Notification / Acknowledgment / Response. */
struct smb2_oplock_break {
    uint8_t oplock_level; /* SMB2_OPLOCK_LEVEL_* (create.h) */
    struct smb2_file_id file_id;
};

/* [MS-SMB2] 2.2.23.2 Lease Break Notification. */
struct smb2_lease_break_notify {
    uint16_t new_epoch;
    uint32_t flags;
    uint8_t lease_key[16];
    uint32_t current_lease_state;
    uint32_t new_lease_state;
    uint32_t break_reason;     /* reserved, 0 */
    uint32_t access_mask_hint; /* reserved, 0 */
    uint32_t share_mask_hint;  /* reserved, 0 */
};

/* [MS-SMB2] 2.2.24.2 / 2.2.25.2 Lease Break Acknowledgment / Response. */
struct smb2_lease_break_ack {
    uint32_t flags; /* reserved, 0 */
    uint8_t lease_key[16];
    uint32_t lease_state;
    uint64_t lease_duration; /* reserved, 0 */
};

struct smb2_break {
    enum smb2_break_kind kind;
    union {
        struct smb2_oplock_break oplock;
        struct smb2_lease_break_notify lease_notify;
        struct smb2_lease_break_ack lease_ack;
    } u;
};

/* Client to server (acknowledgments): StructureSize 24 or 36. */
ntstatus_t smb2_oplock_break_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_break *out);
/* Server to client (notifications and responses): StructureSize 24, 44 or
 * 36. An oplock notification and an oplock response look the same: the
 * caller tells them apart by MessageId 0xFFFFFFFFFFFFFFFF (3.2.5.19). */
ntstatus_t smb2_oplock_break_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_break *out);
/* Any variant, by in->kind. */
ntstatus_t smb2_oplock_break_encode(struct wr *w, const struct smb2_break *in);

#endif
