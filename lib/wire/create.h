/* SMB2 CREATE request and response. [MS-SMB2] 2.2.13, 2.2.14.
 * The constants clients send (access masks, share access, dispositions,
 * options, attributes, oplock levels) are here too. */
#ifndef SIGNET_WIRE_CREATE_H
#define SIGNET_WIRE_CREATE_H

#include "base/cursor.h"
#include "wire/create_ctx.h"
#include "wire/file_id.h"
#include "wire/smb2.h"

#include <stddef.h>
#include <stdint.h>

#define SMB2_CREATE_REQ_STRUCTURE_SIZE 57
#define SMB2_CREATE_RSP_STRUCTURE_SIZE 89
/* End of the fixed parts, from the start of the SMB2 header. */
#define SMB2_CREATE_REQ_FIXED_END (SMB2_HDR_SIZE + 56)
#define SMB2_CREATE_RSP_FIXED_END (SMB2_HDR_SIZE + 88)

/* 2.2.13 RequestedOplockLevel / 2.2.14 OplockLevel */
#define SMB2_OPLOCK_LEVEL_NONE      0x00
#define SMB2_OPLOCK_LEVEL_II        0x01
#define SMB2_OPLOCK_LEVEL_EXCLUSIVE 0x08
#define SMB2_OPLOCK_LEVEL_BATCH     0x09
#define SMB2_OPLOCK_LEVEL_LEASE     0xFF

/* 2.2.13 ImpersonationLevel */
#define SMB2_IMPERSONATION_ANONYMOUS      0x00000000u
#define SMB2_IMPERSONATION_IDENTIFICATION 0x00000001u
#define SMB2_IMPERSONATION_IMPERSONATION  0x00000002u
#define SMB2_IMPERSONATION_DELEGATE       0x00000003u

/* 2.2.13.1 access masks ([MS-DTYP] 2.4.3): files ... */
#define FILE_READ_DATA         0x00000001u
#define FILE_WRITE_DATA        0x00000002u
#define FILE_APPEND_DATA       0x00000004u
#define FILE_READ_EA           0x00000008u
#define FILE_WRITE_EA          0x00000010u
#define FILE_EXECUTE           0x00000020u
#define FILE_DELETE_CHILD      0x00000040u
#define FILE_READ_ATTRIBUTES   0x00000080u
#define FILE_WRITE_ATTRIBUTES  0x00000100u
#define DELETE                 0x00010000u
#define READ_CONTROL           0x00020000u
#define WRITE_DAC              0x00040000u
#define WRITE_OWNER            0x00080000u
#define SYNCHRONIZE            0x00100000u
#define ACCESS_SYSTEM_SECURITY 0x01000000u
#define MAXIMUM_ALLOWED        0x02000000u
#define GENERIC_ALL            0x10000000u
#define GENERIC_EXECUTE        0x20000000u
#define GENERIC_WRITE          0x40000000u
#define GENERIC_READ           0x80000000u
/* ... and directories (2.2.13.1.2) */
#define FILE_LIST_DIRECTORY   0x00000001u
#define FILE_ADD_FILE         0x00000002u
#define FILE_ADD_SUBDIRECTORY 0x00000004u
#define FILE_TRAVERSE         0x00000020u
/* Everything a file access mask may name (bits 0-8, 16-20, 24-25, 28-31). */
#define FILE_ALL_ACCESS_MASK 0xF31F01FFu

/* 2.2.13 ShareAccess */
#define FILE_SHARE_READ   0x00000001u
#define FILE_SHARE_WRITE  0x00000002u
#define FILE_SHARE_DELETE 0x00000004u

/* 2.2.13 CreateDisposition */
#define FILE_SUPERSEDE    0x00000000u
#define FILE_OPEN         0x00000001u
#define FILE_CREATE       0x00000002u
#define FILE_OPEN_IF      0x00000003u
#define FILE_OVERWRITE    0x00000004u
#define FILE_OVERWRITE_IF 0x00000005u

/* 2.2.13 CreateOptions */
#define FILE_DIRECTORY_FILE            0x00000001u
#define FILE_WRITE_THROUGH             0x00000002u
#define FILE_SEQUENTIAL_ONLY           0x00000004u
#define FILE_NO_INTERMEDIATE_BUFFERING 0x00000008u
#define FILE_SYNCHRONOUS_IO_ALERT      0x00000010u
#define FILE_SYNCHRONOUS_IO_NONALERT   0x00000020u
#define FILE_NON_DIRECTORY_FILE        0x00000040u
#define FILE_COMPLETE_IF_OPLOCKED      0x00000100u
#define FILE_NO_EA_KNOWLEDGE           0x00000200u
#define FILE_OPEN_REMOTE_INSTANCE      0x00000400u
#define FILE_RANDOM_ACCESS             0x00000800u
#define FILE_DELETE_ON_CLOSE           0x00001000u
#define FILE_OPEN_BY_FILE_ID           0x00002000u
#define FILE_OPEN_FOR_BACKUP_INTENT    0x00004000u
#define FILE_NO_COMPRESSION            0x00008000u
#define FILE_OPEN_REQUIRING_OPLOCK     0x00010000u
#define FILE_DISALLOW_EXCLUSIVE        0x00020000u
#define FILE_RESERVE_OPFILTER          0x00100000u
#define FILE_OPEN_REPARSE_POINT        0x00200000u
#define FILE_OPEN_NO_RECALL            0x00400000u
#define FILE_OPEN_FOR_FREE_SPACE_QUERY 0x00800000u

/* [MS-FSCC] 2.6 file attributes */
#define FILE_ATTRIBUTE_READONLY            0x00000001u
#define FILE_ATTRIBUTE_HIDDEN              0x00000002u
#define FILE_ATTRIBUTE_SYSTEM              0x00000004u
#define FILE_ATTRIBUTE_DIRECTORY           0x00000010u
#define FILE_ATTRIBUTE_ARCHIVE             0x00000020u
#define FILE_ATTRIBUTE_NORMAL              0x00000080u
#define FILE_ATTRIBUTE_TEMPORARY           0x00000100u
#define FILE_ATTRIBUTE_SPARSE_FILE         0x00000200u
#define FILE_ATTRIBUTE_REPARSE_POINT       0x00000400u
#define FILE_ATTRIBUTE_COMPRESSED          0x00000800u
#define FILE_ATTRIBUTE_OFFLINE             0x00001000u
#define FILE_ATTRIBUTE_NOT_CONTENT_INDEXED 0x00002000u
#define FILE_ATTRIBUTE_ENCRYPTED           0x00004000u
#define FILE_ATTRIBUTE_INTEGRITY_STREAM    0x00008000u
#define FILE_ATTRIBUTE_NO_SCRUB_DATA       0x00020000u

/* 2.2.14 Flags and CreateAction */
#define SMB2_CREATE_FLAG_REPARSEPOINT 0x01
#define FILE_SUPERSEDED               0x00000000u
#define FILE_OPENED                   0x00000001u
#define FILE_CREATED                  0x00000002u
#define FILE_OVERWRITTEN              0x00000003u

/* [MS-SMB2] 2.2.13 SMB2 CREATE Request. */
struct smb2_create_req {
    uint8_t security_flags; /* reserved, 0 */
    uint8_t requested_oplock_level;
    uint32_t impersonation_level;
    uint64_t smb_create_flags; /* reserved, 0 */
    uint32_t desired_access;
    uint32_t file_attributes;
    uint32_t share_access;
    uint32_t create_disposition;
    uint32_t create_options;
    /* Name: UTF-16LE, no terminator, relative to the share; may be empty. */
    const uint8_t *name;
    uint16_t name_len; /* bytes */
    /* The create-context chain as raw bytes (decode: validated, pointing into
     * msg; encode: copied when create_contexts_len > 0). */
    const uint8_t *create_contexts;
    uint32_t create_contexts_len;
    /* Encode only, used when create_contexts_len is 0: build the chain. */
    const struct smb2_create_ctx *ctx_list;
    size_t ctx_count;
};

/* [MS-SMB2] 2.2.14 SMB2 CREATE Response. */
struct smb2_create_rsp {
    uint8_t oplock_level;
    uint8_t flags;
    uint32_t create_action;
    uint64_t creation_time;
    uint64_t last_access_time;
    uint64_t last_write_time;
    uint64_t change_time;
    uint64_t allocation_size;
    uint64_t end_of_file;
    uint32_t file_attributes;
    struct smb2_file_id file_id;
    const uint8_t *create_contexts; /* as in the request */
    uint32_t create_contexts_len;
    const struct smb2_create_ctx *ctx_list; /* encode only */
    size_t ctx_count;
};

/* Decoders check StructureSize, that Name lies after the fixed part inside
 * msg with an even length, that the context chain starts 8-byte aligned
 * after the fixed part, inside msg and apart from the name, and that the
 * chain is well formed (smb2_create_ctx_next). STATUS_INVALID_PARAMETER
 * otherwise. The one-byte minimum Buffer is not required. */
ntstatus_t smb2_create_req_decode(const uint8_t *msg, size_t msg_len, struct smb2_create_req *out);
ntstatus_t smb2_create_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_create_rsp *out);
/* The request's Name at 120, contexts 8-byte aligned after it; a zero byte
 * when both are empty (StructureSize counts one byte of Buffer). */
ntstatus_t smb2_create_req_encode(struct wr *w, const struct smb2_create_req *in);
/* The response's contexts at 152 (8-byte aligned), or one zero byte. */
ntstatus_t smb2_create_rsp_encode(struct wr *w, const struct smb2_create_rsp *in);

/* The request's name as NUL-terminated UTF-8 (STATUS_OBJECT_NAME_INVALID for
 * ill-formed UTF-16, STATUS_BUFFER_TOO_SMALL when out_cap is short). */
ntstatus_t smb2_create_req_name(const struct smb2_create_req *req, char *out, size_t out_cap);

#endif
