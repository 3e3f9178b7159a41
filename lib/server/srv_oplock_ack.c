/* OPLOCK_BREAK: a client acknowledges an oplock or lease break ([MS-SMB2]
 * 3.3.5.22). The break itself, and what an acknowledgment changes for the
 * requests that wait on it, are srv_oplock.c's. */
#include "server/srv_int.h"

#include "wire/create.h"
#include "wire/oplock_break.h"

#include <string.h>

static ntstatus_t oplock_ack(struct srv_req *r, const struct smb2_oplock_break *a)
{
    struct srv_open *o;
    ntstatus_t st = srv_open_lookup(r, &a->file_id, &o);
    if (!nt_ok(st))
        return st;
    if (a->oplock_level == SMB2_OPLOCK_LEVEL_LEASE)
        return STATUS_INVALID_PARAMETER;
    if (!o->oplock_breaking)
        return STATUS_INVALID_OPLOCK_PROTOCOL; /* 3.3.5.22.1: nothing to acknowledge */
    if (a->oplock_level > o->oplock_break_to) {
        /* more than it was broken to: it is broken to none */
        o->oplock_level = SMB2_OPLOCK_LEVEL_NONE;
        srv_cache_breaking_done(r->conn->srv, o);
        srv_cache_wake(o->file);
        return STATUS_INVALID_OPLOCK_PROTOCOL;
    }
    o->oplock_level = a->oplock_level;
    srv_cache_breaking_done(r->conn->srv, o);
    srv_cache_wake(o->file);
    struct smb2_break rsp = {.kind = SMB2_BREAK_OPLOCK};
    rsp.u.oplock =
        (struct smb2_oplock_break){.oplock_level = o->oplock_level, .file_id = a->file_id};
    return smb2_oplock_break_encode(r->w, &rsp);
}

static ntstatus_t lease_ack(struct srv_req *r, const struct smb2_lease_break_ack *a)
{
    struct srv *s = r->conn->srv;
    struct srv_lease *l = s->leases;
    while (l && (memcmp(l->client_guid, r->conn->client_guid, 16) != 0 ||
                 memcmp(l->key, a->lease_key, 16) != 0 || !l->breaking))
        l = l->snext;
    if (!l) {
        for (l = s->leases; l; l = l->snext)
            if (memcmp(l->client_guid, r->conn->client_guid, 16) == 0 &&
                memcmp(l->key, a->lease_key, 16) == 0)
                return STATUS_UNSUCCESSFUL; /* 3.3.5.22.2: not breaking */
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    if ((a->lease_state & ~l->breaking_to) != 0)
        return STATUS_REQUEST_NOT_ACCEPTED; /* 3.3.5.22.2: still breaking */
    struct smb2_break rsp = {.kind = SMB2_BREAK_LEASE_ACK};
    rsp.u.lease_ack = *a;
    srv_cache_lease_acked(s, l, a->lease_state);
    if (!l->breaking)
        srv_cache_wake(l->file);
    (void)srv_durable_purge(s); /* l may be gone */
    return smb2_oplock_break_encode(r->w, &rsp);
}

ntstatus_t srv_oplock_break(struct srv_req *r)
{
    struct smb2_break b;
    if (!nt_ok(smb2_oplock_break_req_decode(r->msg, r->len, &b)))
        return STATUS_INVALID_PARAMETER;
    if (b.kind == SMB2_BREAK_OPLOCK)
        return oplock_ack(r, &b.u.oplock);
    if (b.kind == SMB2_BREAK_LEASE_ACK)
        return lease_ack(r, &b.u.lease_ack);
    return STATUS_INVALID_PARAMETER;
}
