/* LOCK. [MS-SMB2] 3.3.5.14: a request either unlocks ranges (its first
 * element says UNLOCK) or takes them. Unlocks go one by one; taking several
 * locks is all or nothing: the ones granted are released when a later one
 * fails (3.3.5.14.2). A shared lock stacks on the same open's exclusive
 * one, and an unlock removes an exclusive lock before a shared one
 * (srv_brl.c).
 *
 * A conflicting lock with FAIL_IMMEDIATELY is STATUS_LOCK_NOT_GRANTED. One
 * without it (a request of one element: 3.3.5.14.2) waits, pending with an
 * interim response, on its file's list until the range is free, a CANCEL
 * names it (STATUS_CANCELLED), or its open is closed
 * (STATUS_RANGE_NOT_LOCKED). When its tree or session goes, it is answered
 * STATUS_SUCCESS, as Windows does (smbtorture's smb2.lock.cancel-tdis and
 * cancel-logoff expect that; its "samba4" option expects
 * RANGE_NOT_LOCKED).
 *
 * On a durable open (SMB 2.1 and later) a request whose LockSequence
 * (index 1 to 64 and number) matches the last one that succeeded under that
 * index is a replay: it is answered success and not done again (3.3.5.14,
 * smbtorture lock.replay_smb3_specification_durable). */
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

static ntstatus_t take(struct srv_open *o, const struct smb2_lock_req *q, uint16_t *failed)
{
    struct srv_file *f = o->file;
    for (uint16_t i = 0; i < q->lock_count; i++) {
        const struct smb2_lock_element *e = &q->locks[i];
        ntstatus_t st = range_ok(e) ? srv_brl_lock(f, o, e->offset, e->length,
                                                   (e->flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK) != 0)
                                    : STATUS_INVALID_LOCK_RANGE;
        if (nt_ok(st))
            continue;
        *failed = i;
        while (i-- > 0)
            (void)srv_brl_unlock(f, o, q->locks[i].offset, q->locks[i].length);
        return st;
    }
    return STATUS_SUCCESS;
}

/* 3.3.5.14.1: the elements one by one, stopping at the first that is not a
 * plain UNLOCK (STATUS_INVALID_PARAMETER) or names a range this open has not
 * locked (STATUS_RANGE_NOT_LOCKED); the ones before it stay unlocked. */
static ntstatus_t release(struct srv_open *o, const struct smb2_lock_req *q, bool *any)
{
    for (uint16_t i = 0; i < q->lock_count; i++) {
        if (q->locks[i].flags != SMB2_LOCKFLAG_UNLOCK)
            return STATUS_INVALID_PARAMETER;
        ntstatus_t st = srv_brl_unlock(o->file, o, q->locks[i].offset, q->locks[i].length);
        if (!nt_ok(st))
            return st;
        *any = true;
    }
    return STATUS_SUCCESS;
}

/* ---- waiting ---- */

struct lock_wait {
    uint64_t off, len;
    bool exclusive;
    uint32_t seq_index; /* the request's LockSequence */
    uint8_t seq;
};

static void waiters_unlink(struct srv_file *f, struct srv_req *r)
{
    if (r->wait_prev)
        r->wait_prev->wait_next = r->wait_next;
    else
        f->lock_waiters = r->wait_next;
    if (r->wait_next)
        r->wait_next->wait_prev = r->wait_prev;
    r->wait_next = r->wait_prev = NULL;
    f->n_lock_waiters--;
}

static ntstatus_t lock_granted(struct srv_req *r, ntstatus_t st)
{
    if (!nt_ok(st))
        return st;
    const struct lock_wait *lw = SRV_JOB(r, struct lock_wait);
    srv_durable_lock_done(r->open, r->conn->dialect, lw->seq_index, lw->seq);
    return smb2_lock_rsp_encode(r->w);
}

static ntstatus_t lock_cancel(struct srv_req *r, enum srv_cancel_why why)
{
    waiters_unlink(r->open->file, r);
    switch (why) {
    case SRV_CANCEL_REQUEST:
        return STATUS_CANCELLED;
    case SRV_CANCEL_TREE:
    case SRV_CANCEL_LOGOFF:
        return STATUS_SUCCESS; /* what Windows answers; see the top of this file */
    default:
        return STATUS_RANGE_NOT_LOCKED;
    }
}

void srv_brl_wake(struct srv_file *f)
{
    struct srv_req *r = f->lock_waiters;
    while (r) {
        struct srv_req *next = r->wait_next;
        const struct lock_wait *lw = SRV_JOB(r, struct lock_wait);
        if (nt_ok(srv_brl_lock(f, r->open, lw->off, lw->len, lw->exclusive))) {
            waiters_unlink(f, r);
            srv_req_wake(r, STATUS_SUCCESS);
        }
        r = next;
    }
}

/* A lock that may wait: on the file's list, pending. */
static ntstatus_t wait_for(struct srv_req *r, const struct smb2_lock_req *q,
                           const struct smb2_lock_element *e)
{
    struct srv_file *f = r->open->file;
    if (f->n_lock_waiters >= SRV_MAX_LOCK_WAITERS)
        return STATUS_INSUFFICIENT_RESOURCES;
    struct lock_wait *lw = SRV_JOB(r, struct lock_wait);
    *lw = (struct lock_wait){e->offset, e->length, (e->flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK) != 0,
                             q->lock_sequence_index, q->lock_sequence_number};
    r->wait_next = NULL;
    r->wait_prev = NULL;
    struct srv_req **tail = &f->lock_waiters;
    while (*tail) {
        r->wait_prev = *tail;
        tail = &(*tail)->wait_next;
    }
    *tail = r;
    f->n_lock_waiters++;
    ntstatus_t st = srv_req_pend(r, lock_granted, lock_cancel);
    if (!nt_eq(st, STATUS_SIGNET_ASYNC))
        waiters_unlink(f, r);
    return st;
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
    uint16_t dialect = r->conn->dialect;
    if (srv_durable_lock_replayed(o, dialect, q.lock_sequence_index, q.lock_sequence_number))
        return smb2_lock_rsp_encode(r->w); /* done already */
    bool unlock = (q.locks[0].flags & SMB2_LOCKFLAG_UNLOCK) != 0;
    st = unlock ? STATUS_SUCCESS : check_lock_flags(&q);
    if (!nt_ok(st))
        return st;
    if (o->is_dir)
        return STATUS_INVALID_PARAMETER;
    if (unlock) {
        bool any = false;
        st = release(o, &q, &any);
        if (any)
            srv_brl_wake(o->file);
    } else {
        srv_cache_contend(o); /* others' read caching goes ([MS-FSA] 2.1.5.7) */
        uint16_t failed = 0;
        st = take(o, &q, &failed);
        const struct smb2_lock_element *e = &q.locks[failed];
        if (nt_eq(st, STATUS_LOCK_NOT_GRANTED) && !(e->flags & SMB2_LOCKFLAG_FAIL_IMMEDIATELY))
            return wait_for(r, &q, e);
    }
    if (!nt_ok(st))
        return st;
    srv_durable_lock_done(o, dialect, q.lock_sequence_index, q.lock_sequence_number);
    return smb2_lock_rsp_encode(r->w);
}
