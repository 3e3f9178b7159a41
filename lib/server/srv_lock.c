/* LOCK. [MS-SMB2] 3.3.5.14: a request either unlocks ranges or takes them;
 * the flag combinations of 3.3.5.14 only; more than one lock in a request
 * must each say FAIL_IMMEDIATELY. Taking several locks is all or nothing:
 * the ones granted are released when a later one fails (3.3.5.14.2).
 *
 * Blocking locks are not held pending: a conflicting lock without
 * FAIL_IMMEDIATELY answers STATUS_FILE_LOCK_CONFLICT at once (what Windows
 * answers for such a lock once its wait is over), with it
 * STATUS_LOCK_NOT_GRANTED. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/lock.h"

static ntstatus_t check_flags(const struct smb2_lock_req *q, bool *unlock)
{
    *unlock = (q->locks[0].flags & SMB2_LOCKFLAG_UNLOCK) != 0;
    for (uint16_t i = 0; i < q->lock_count; i++) {
        const struct smb2_lock_element *e = &q->locks[i];
        if (!smb2_lock_flags_valid(e->flags))
            return STATUS_INVALID_PARAMETER;
        if (((e->flags & SMB2_LOCKFLAG_UNLOCK) != 0) != *unlock)
            return STATUS_INVALID_PARAMETER;
        if (!*unlock && q->lock_count > 1 && !(e->flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY))
            return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

static bool range_ok(const struct smb2_lock_element *e)
{
    return e->length == 0 || e->offset <= UINT64_MAX - (e->length - 1);
}

static ntstatus_t take(struct srv_open *o, const struct smb2_lock_req *q)
{
    for (uint16_t i = 0; i < q->lock_count; i++) {
        const struct smb2_lock_element *e = &q->locks[i];
        ntstatus_t st = range_ok(e) ? vfs_lock(o->f, e->offset, e->length,
                                               (e->flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK) != 0)
                                    : STATUS_INVALID_LOCK_RANGE;
        if (nt_ok(st))
            continue;
        while (i-- > 0)
            (void)vfs_unlock(o->f, q->locks[i].offset, q->locks[i].length);
        if (nt_eq(st, STATUS_LOCK_NOT_GRANTED) && !(e->flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY))
            st = STATUS_FILE_LOCK_CONFLICT;
        return st;
    }
    return STATUS_SUCCESS;
}

static ntstatus_t release(struct srv_open *o, const struct smb2_lock_req *q)
{
    for (uint16_t i = 0; i < q->lock_count; i++) {
        ntstatus_t st = vfs_unlock(o->f, q->locks[i].offset, q->locks[i].length);
        if (!nt_ok(st))
            return st;
    }
    return STATUS_SUCCESS;
}

ntstatus_t srv_lock(struct srv_req *r)
{
    struct smb2_lock_req q;
    if (!nt_ok(smb2_lock_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    struct srv_open *o;
    ntstatus_t st = srv_open_lookup(r, &q.file_id, &o);
    if (!nt_ok(st))
        return st;
    bool unlock;
    st = check_flags(&q, &unlock);
    if (!nt_ok(st))
        return st;
    if (o->is_dir)
        return STATUS_INVALID_PARAMETER;
    st = unlock ? release(o, &q) : take(o, &q);
    if (!nt_ok(st))
        return st;
    return smb2_lock_rsp_encode(r->w);
}
