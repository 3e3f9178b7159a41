/* ECHO. [MS-SMB2] 3.3.5.17: answered at once; on a session it is checked and
 * signed like any request. */
#include "server/srv_int.h"

#include "wire/echo.h"

ntstatus_t srv_echo(struct srv_req *r)
{
    struct smb2_echo_req req;
    if (!nt_ok(smb2_echo_req_decode(r->msg, r->len, &req)))
        return STATUS_INVALID_PARAMETER;
    struct smb2_echo_rsp rsp = {0};
    return smb2_echo_rsp_encode(r->w, &rsp);
}
