/* Byte-range locks of the file table (srv_file.h): owned by opens, with the
 * semantics of [MS-FSA] 2.1.5.7 and the read/write checks of [MS-FSA]
 * 2.1.4.10. They are the server's own: other processes on the host do not
 * see them (signetd is the only writer the shares are meant to have). */
#include "server/srv_int.h"

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
static bool conflicts(const struct srv_file *f, const struct srv_open *o, uint64_t off,
                      uint64_t len, bool exclusive)
{
    for (size_t i = 0; i < f->nlocks; i++) {
        const struct srv_brl *l = &f->locks[i];
        if (!exclusive && (!l->exclusive || l->owner == o))
            continue;
        if (overlaps(l->off, l->len, off, len))
            return true;
    }
    return false;
}

ntstatus_t srv_brl_lock(struct srv_file *f, const struct srv_open *o, uint64_t off, uint64_t len,
                        bool exclusive)
{
    uint64_t last;
    if (!range_end(off, len, &last))
        return STATUS_INVALID_LOCK_RANGE;
    if (conflicts(f, o, off, len, exclusive))
        return STATUS_LOCK_NOT_GRANTED;
    if (f->nlocks == f->cap_locks) {
        size_t cap = f->cap_locks ? f->cap_locks * 2 : 4;
        struct srv_brl *p = cap <= SRV_MAX_LOCKS_FILE ? realloc(f->locks, cap * sizeof *p) : NULL;
        if (!p)
            return STATUS_INSUFFICIENT_RESOURCES;
        f->locks = p;
        f->cap_locks = cap;
    }
    f->locks[f->nlocks++] = (struct srv_brl){off, len, o, exclusive};
    return STATUS_SUCCESS;
}

ntstatus_t srv_brl_unlock(struct srv_file *f, const struct srv_open *o, uint64_t off, uint64_t len)
{
    /* Of the locks this open holds on exactly this range, an exclusive one
     * goes first, else the oldest shared one (Samba's order, which
     * smb2.lock.unlock checks); the rest keep their order. */
    size_t found = f->nlocks;
    for (size_t i = 0; i < f->nlocks; i++) {
        const struct srv_brl *l = &f->locks[i];
        if (l->owner != o || l->off != off || l->len != len)
            continue;
        if (found == f->nlocks || (l->exclusive && !f->locks[found].exclusive))
            found = i;
    }
    if (found == f->nlocks)
        return STATUS_RANGE_NOT_LOCKED;
    memmove(&f->locks[found], &f->locks[found + 1], (f->nlocks - found - 1) * sizeof f->locks[0]);
    f->nlocks--;
    return STATUS_SUCCESS;
}

bool srv_brl_held(const struct srv_file *f, const struct srv_open *o)
{
    for (size_t i = 0; i < f->nlocks; i++)
        if (f->locks[i].owner == o)
            return true;
    return false;
}

bool srv_brl_release_open(struct srv_file *f, const struct srv_open *o)
{
    size_t kept = 0;
    for (size_t i = 0; i < f->nlocks; i++)
        if (f->locks[i].owner != o)
            f->locks[kept++] = f->locks[i];
    bool any = kept != f->nlocks;
    f->nlocks = kept;
    return any;
}

bool srv_brl_io_conflict(const struct srv_file *f, const struct srv_open *o, uint64_t off,
                         uint64_t len, bool write)
{
    if (len == 0)
        return false;
    for (size_t i = 0; i < f->nlocks; i++) {
        const struct srv_brl *l = &f->locks[i];
        bool blocks = write ? (!l->exclusive || l->owner != o) : (l->exclusive && l->owner != o);
        if (blocks && overlaps(l->off, l->len, off, len))
            return true;
    }
    return false;
}
