/* TREE_DISCONNECT. [MS-SMB2] 3.3.5.8. */
#include "server/srv_int.h"

#include "wire/tree_disconnect.h"

ntstatus_t srv_tree_disconnect(struct srv_req *r)
{
    struct smb2_tree_disconnect_req req;
    if (!nt_ok(smb2_tree_disconnect_req_decode(r->msg, r->len, &req)))
        return STATUS_INVALID_PARAMETER;
    struct smb2_tree_disconnect_rsp rsp = {0};
    ntstatus_t st = smb2_tree_disconnect_rsp_encode(r->w, &rsp);
    if (nt_ok(st))
        /* durable opens are closed too: a TREE_DISCONNECT ends them for
         * good (Windows and Samba; smbtorture durable-open.reopen3) */
        srv_tree_remove(r->sess, r->tree, false); /* the request keeps its reference */
    return st;
}
