/* CANCEL. [MS-SMB2] 3.3.5.16: no response, no credits. Every request is
 * answered synchronously in this version, so there is never anything pending
 * to cancel; the request is still decoded and, on a session, verified by the
 * dispatcher. */
#include "server/srv_int.h"

#include "wire/cancel.h"

ntstatus_t srv_cancel(struct srv_req *r)
{
    struct smb2_cancel_req req;
    r->no_response = true;
    if (!nt_ok(smb2_cancel_req_decode(r->msg, r->len, &req)))
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}
