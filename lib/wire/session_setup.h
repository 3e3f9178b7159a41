/* SMB2 SESSION_SETUP. [MS-SMB2] 2.2.5 (request), 2.2.6 (response). */
#ifndef SIGNET_WIRE_SESSION_SETUP_H
#define SIGNET_WIRE_SESSION_SETUP_H

#include "base/cursor.h"
#include "wire/smb2.h"

#include <stdint.h>

/* [MS-SMB2] 2.2.5 SMB2 SESSION_SETUP Request. SecurityMode is one byte here
 * (SMB2_NEGOTIATE_SIGNING_* values); Flags is SMB2_SESSION_FLAG_BINDING. */
struct smb2_session_setup_req {
    uint8_t flags;
    uint8_t security_mode;
    uint32_t capabilities;
    uint32_t channel;
    uint64_t previous_session_id;
    const uint8_t *security_buffer; /* the GSS token; NULL when empty */
    uint16_t security_buffer_length;
};

/* [MS-SMB2] 2.2.6 SMB2 SESSION_SETUP Response */
struct smb2_session_setup_rsp {
    uint16_t session_flags; /* SMB2_SESSION_FLAG_IS_GUEST / IS_NULL / ENCRYPT_DATA */
    const uint8_t *security_buffer;
    uint16_t security_buffer_length;
};

ntstatus_t smb2_session_setup_req_decode(const uint8_t *msg, size_t msg_len,
                                         struct smb2_session_setup_req *out);
ntstatus_t smb2_session_setup_req_encode(struct wr *w, const struct smb2_session_setup_req *in);
ntstatus_t smb2_session_setup_rsp_decode(const uint8_t *msg, size_t msg_len,
                                         struct smb2_session_setup_rsp *out);
ntstatus_t smb2_session_setup_rsp_encode(struct wr *w, const struct smb2_session_setup_rsp *in);

#endif
