/* LOGOFF. [MS-SMB2] 3.3.5.6: the session and its tree connects go, what
 * waits on them is cancelled; the response is still signed with the
 * session's key (the response's record holds a reference on it). */
#include "server/srv_int.h"

#include "wire/logoff.h"

#include <inttypes.h>

ntstatus_t srv_logoff(struct srv_req *r)
{
    struct smb2_logoff_req req;
    if (!nt_ok(smb2_logoff_req_decode(r->msg, r->len, &req)))
        return STATUS_INVALID_PARAMETER;
    struct smb2_logoff_rsp rsp = {0};
    ntstatus_t st = smb2_logoff_rsp_encode(r->w, &rsp);
    if (!nt_ok(st))
        return st;
    sg_log(SG_LOG_INFO, "conn %" PRIu64 " (%s): session 0x%016" PRIx64 " logged off", r->conn->id,
           r->conn->peer, r->sess->id);
    r->sign_sess = r->sess;
    srv_session_retire(r->conn, r->sess);
    return STATUS_SUCCESS;
}
