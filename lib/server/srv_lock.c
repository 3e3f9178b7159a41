/* LOCK. [MS-SMB2] 3.3.5.14: a request either unlocks ranges (its first
 * element says UNLOCK) or takes them. Unlocks go one by one; taking several
 * locks is all or nothing: the ones granted are released when a later one
 * fails (3.3.5.14.2). A shared lock stacks on the same open's exclusive
 * one, and an unlock removes an exclusive lock before a shared one
 * (lib/vfs/lock.c).
 *
 * Blocking locks are not held pending: a conflicting lock without
 * FAIL_IMMEDIATELY answers STATUS_FILE_LOCK_CONFLICT at once (what Windows
 * answers for such a lock once its wait is over), with it
 * STATUS_LOCK_NOT_GRANTED. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/lock.h"

/* 3.3.5.14.2: every element of a lock request must be a valid lock (never
 * UNLOCK), and with more than one each must say FAIL_IMMEDIATELY. */
static ntstatus_t check_lock_flags(const struct smb2_lock_req *q)
{
    for (uint16_t i = 0; i < q->lock_count; i++) {
        const struct smb2_lock_element *e = &q->locks[i];
        if (!smb2_lock_flags_valid(e->flags) || (e->flags & SMB2_LOCKFLAG_UNLOCK))
            return STATUS_INVALID_PARAMETER;
        if (q->lock_count > 1 && !(e->flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY))
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

/* 3.3.5.14.1: the elements one by one, stopping at the first that is not a
 * plain UNLOCK (STATUS_INVALID_PARAMETER) or names a range this open has not
 * locked (STATUS_RANGE_NOT_LOCKED); the ones before it stay unlocked. */
static ntstatus_t release(struct srv_open *o, const struct smb2_lock_req *q)
{
    for (uint16_t i = 0; i < q->lock_count; i++) {
        if (q->locks[i].flags != SMB2_LOCKFLAG_UNLOCK)
            return STATUS_INVALID_PARAMETER;
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
    bool unlock = (q.locks[0].flags & SMB2_LOCKFLAG_UNLOCK) != 0;
    st = unlock ? STATUS_SUCCESS : check_lock_flags(&q);
    if (!nt_ok(st))
        return st;
    if (o->is_dir)
        return STATUS_INVALID_PARAMETER;
    st = unlock ? release(o, &q) : take(o, &q);
    if (!nt_ok(st))
        return st;
    return smb2_lock_rsp_encode(r->w);
}
