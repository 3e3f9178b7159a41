/* CANCEL. [MS-SMB2] 3.3.5.16: no response, no credits. The request it names
 * is found by AsyncId when the CANCEL is async, else by MessageId; one that
 * waits for an event is withdrawn and answered STATUS_CANCELLED (a read or
 * write already on the disk finishes as it would have). Only a request of
 * the same session can be cancelled. The CANCEL itself was checked like any
 * request first (srv_dispatch.c): on a session that requires signing, one
 * that does not verify never gets here. */
#include "server/srv_int.h"

#include "wire/cancel.h"

#include <inttypes.h>

ntstatus_t srv_cancel(struct srv_req *r)
{
    struct smb2_cancel_req req;
    r->no_response = true;
    if (!nt_ok(smb2_cancel_req_decode(r->msg, r->len, &req)))
        return STATUS_INVALID_PARAMETER;
    bool async = (r->hdr.flags & SMB2_FLAGS_ASYNC_COMMAND) != 0;
    struct srv_req *t =
        srv_conn_find_req(r->conn, async, async ? r->hdr.async_id : r->hdr.message_id);
    if (!t || t == r || t->hdr.session_id != r->hdr.session_id) {
        sg_log(SG_LOG_DEBUG,
               "conn %" PRIu64 ": CANCEL of %s %" PRIu64 " on session 0x%" PRIx64
               ": no such request%s",
               r->conn->id, async ? "AsyncId" : "MessageId",
               async ? r->hdr.async_id : r->hdr.message_id, r->hdr.session_id,
               t && t != r ? " of that session" : "");
        return STATUS_SUCCESS;
    }
    srv_req_cancel(t, SRV_CANCEL_REQUEST);
    return STATUS_SUCCESS;
}
