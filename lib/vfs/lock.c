/* Byte-range locks: an in-process table per file (device + inode) of the
 * share, owned by opens, with the semantics of [MS-FSA] 2.1.5.7 and the
 * read/write checks of [MS-FSA] 2.1.4.10. The locks are advisory to other
 * processes; signetd is the only writer the shares are meant to have. */
#include "vfs/internal.h"

#include <stdlib.h>
#include <string.h>

/* Inclusive end of a non-empty range, or false if it wraps 64 bits. */
static bool range_end(uint64_t off, uint64_t len, uint64_t *last)
{
    if (len == 0) {
        *last = off;
        return true;
    }
    if (off + (len - 1) < off)
        return false;
    *last = off + (len - 1);
    return true;
}

/* Samba's brl_overlap: ranges overlap when they intersect; a zero-length
 * range at x overlaps one that strictly contains x (starts before it). */
static bool overlaps(uint64_t a_off, uint64_t a_len, uint64_t b_off, uint64_t b_len)
{
    uint64_t a_last = 0, b_last = 0;
    if (a_len == 0 && b_len == 0)
        return false;
    if (a_len == 0)
        return range_end(b_off, b_len, &b_last) && b_off < a_off && a_off <= b_last;
    if (b_len == 0)
        return range_end(a_off, a_len, &a_last) && a_off < b_off && b_off <= a_last;
    range_end(a_off, a_len, &a_last);
    range_end(b_off, b_len, &b_last);
    return a_off <= b_last && b_off <= a_last;
}

/* Two shared locks never conflict, and a shared lock stacks on an exclusive
 * one the same open holds ([MS-FSA] 2.1.5.7; Windows and Samba agree). */
static bool lock_conflict_locked(const struct vfs_file *f, uint64_t off, uint64_t len,
                                 bool exclusive)
{
    const struct vfs_node *n = f->node;
    for (size_t i = 0; i < n->nlocks; i++) {
        const struct vfs_lock_rec *l = &n->locks[i];
        if (!exclusive && (!l->exclusive || l->owner == f))
            continue;
        if (overlaps(l->off, l->len, off, len))
            return true;
    }
    return false;
}

ntstatus_t vfs_lock(struct vfs_file *f, uint64_t off, uint64_t len, bool exclusive)
{
    uint64_t last;
    if (!range_end(off, len, &last))
        return STATUS_INVALID_PARAMETER; /* Windows: STATUS_INVALID_LOCK_RANGE */
    if (f->node->is_dir)
        return STATUS_INVALID_PARAMETER;
    struct vfs_share *s = f->share;
    struct vfs_node *n = f->node;
    ntstatus_t st = STATUS_SUCCESS;
    pthread_mutex_lock(&s->mu);
    if (lock_conflict_locked(f, off, len, exclusive)) {
        st = STATUS_LOCK_NOT_GRANTED;
    } else if (n->nlocks == n->cap_locks) {
        size_t cap = n->cap_locks ? n->cap_locks * 2 : 4;
        struct vfs_lock_rec *p = NULL;
        if (cap <= VFS_MAX_LOCKS_PER_FILE)
            p = realloc(n->locks, cap * sizeof *p);
        if (!p) {
            st = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            n->locks = p;
            n->cap_locks = cap;
        }
    }
    if (nt_ok(st))
        n->locks[n->nlocks++] = (struct vfs_lock_rec){off, len, f, exclusive};
    pthread_mutex_unlock(&s->mu);
    return st;
}

ntstatus_t vfs_unlock(struct vfs_file *f, uint64_t off, uint64_t len)
{
    struct vfs_share *s = f->share;
    struct vfs_node *n = f->node;
    ntstatus_t st = STATUS_RANGE_NOT_LOCKED;
    pthread_mutex_lock(&s->mu);
    /* Of the locks this open holds on exactly this range, an exclusive one
     * goes first, else the oldest shared one (Samba's order, which
     * smb2.lock.unlock checks); the rest keep their order. */
    size_t found = n->nlocks;
    for (size_t i = 0; i < n->nlocks; i++) {
        const struct vfs_lock_rec *l = &n->locks[i];
        if (l->owner != f || l->off != off || l->len != len)
            continue;
        if (found == n->nlocks || (l->exclusive && !n->locks[found].exclusive))
            found = i;
    }
    if (found < n->nlocks) {
        memmove(&n->locks[found], &n->locks[found + 1],
                (n->nlocks - found - 1) * sizeof n->locks[0]);
        n->nlocks--;
        st = STATUS_SUCCESS;
    }
    vfs_unlock_fn hook = nt_ok(st) ? s->unlock_fn : NULL;
    void *ctx = s->unlock_ctx;
    pthread_mutex_unlock(&s->mu);
    if (hook)
        hook(ctx, n->dev, n->ino);
    return st;
}

bool vfs_lock_io_conflict_locked(const struct vfs_file *f, uint64_t off, uint64_t len, bool write)
{
    const struct vfs_node *n = f->node;
    if (len == 0)
        return false;
    for (size_t i = 0; i < n->nlocks; i++) {
        const struct vfs_lock_rec *l = &n->locks[i];
        bool blocks = write ? (!l->exclusive || l->owner != f) : (l->exclusive && l->owner != f);
        if (blocks && overlaps(l->off, l->len, off, len))
            return true;
    }
    return false;
}

bool vfs_lock_release_all_locked(struct vfs_file *f)
{
    struct vfs_node *n = f->node;
    size_t kept = 0;
    for (size_t i = 0; i < n->nlocks; i++)
        if (n->locks[i].owner != f)
            n->locks[kept++] = n->locks[i];
    bool any = kept != n->nlocks;
    n->nlocks = kept;
    return any;
}
