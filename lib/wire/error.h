/* SMB2 ERROR Response. [MS-SMB2] 2.2.2, 2.2.2.1 (3.1.1 error contexts). */
#ifndef SIGNET_WIRE_ERROR_H
#define SIGNET_WIRE_ERROR_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdbool.h>
#include <stdint.h>

/* 2.2.2.1 ErrorId */
#define SMB2_ERROR_ID_DEFAULT        0x00000000u
#define SMB2_ERROR_ID_SHARE_REDIRECT 0x72645253u

/* [MS-SMB2] 2.2.2 SMB2 ERROR Response. ErrorData starts right after the
 * 8-byte fixed part; with ByteCount 0 the body still carries one (zero) byte,
 * which the decoder requires and the encoder writes. With error_context_count
 * > 0 (3.1.1), error_data is a list of error contexts (walk it with
 * smb2_error_ctx_next); otherwise it is command-specific (e.g. 2.2.2.2). */
struct smb2_error_rsp {
    uint8_t error_context_count;
    uint32_t byte_count;
    const uint8_t *error_data; /* NULL when byte_count is 0 */
};

ntstatus_t smb2_error_rsp_decode(const uint8_t *msg, size_t msg_len, struct smb2_error_rsp *out);
ntstatus_t smb2_error_rsp_encode(struct wr *w, const struct smb2_error_rsp *in);

/* [MS-SMB2] 2.2.2.1 SMB2 ERROR Context Response: ErrorDataLength (u32),
 * ErrorId (u32), ErrorContextData; each context after the first 8-byte aligned
 * (relative to ErrorData, which is itself 8-byte aligned in the message). */
struct smb2_error_ctx {
    uint32_t error_id;
    uint32_t error_data_length;
    const uint8_t *error_context_data;
};

struct smb2_error_ctx_iter {
    struct rd r;
    uint8_t left;
    bool first;
};

void smb2_error_ctx_iter_init(struct smb2_error_ctx_iter *it, const struct smb2_error_rsp *e);
bool smb2_error_ctx_next(struct smb2_error_ctx_iter *it, struct smb2_error_ctx *c);
SG_MUST_CHECK static inline ntstatus_t
smb2_error_ctx_iter_status(const struct smb2_error_ctx_iter *it)
{
    return rd_status(&it->r);
}

#endif
