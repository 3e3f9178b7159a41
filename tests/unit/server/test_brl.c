/* Byte-range locks of the server's file table (srv_brl.c): [MS-FSA] 2.1.5.7
 * and the read/write checks of [MS-FSA] 2.1.4.10, on a file entry of its
 * own with two opens as owners (no engine: srv_brl_wake is not called). */
#include "server/srv_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define assert_status(expr, want)                                                                  \
    do {                                                                                           \
        ntstatus_t got_ = (expr);                                                                  \
        if (!nt_eq(got_, (want)))                                                                  \
            fail_msg("%s: got %s, want %s", #expr, nt_name(got_), nt_name(want));                  \
    } while (0)

#define EXCL   true
#define SHARED false
#define READ   false
#define WRITE  true

/* Two opens of a file: the owners of its locks. */
static struct srv_open open_a = {.id = 1}, open_b = {.id = 2};

static void conflicts(void **state)
{
    (void)state;
    struct srv_file file = {0};
    struct srv_file *f = &file;
    const struct srv_open *a = &open_a, *b = &open_b;

    assert_status(srv_brl_lock(f, a, 0, 10, EXCL), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, b, 5, 10, SHARED), STATUS_LOCK_NOT_GRANTED);
    assert_status(srv_brl_lock(f, b, 9, 1, EXCL), STATUS_LOCK_NOT_GRANTED);
    assert_status(srv_brl_lock(f, a, 5, 1, EXCL), STATUS_LOCK_NOT_GRANTED); /* even the owner */
    assert_status(srv_brl_lock(f, b, 10, 10, EXCL), STATUS_SUCCESS);        /* adjacent */
    assert_int_equal(f->nlocks, 2);

    /* I/O: the owner may read and write its exclusive range, others not */
    assert_false(srv_brl_io_conflict(f, a, 2, 4, READ));
    assert_false(srv_brl_io_conflict(f, a, 2, 2, WRITE));
    assert_true(srv_brl_io_conflict(f, b, 2, 4, READ));
    assert_true(srv_brl_io_conflict(f, b, 8, 2, WRITE));
    assert_true(srv_brl_io_conflict(f, a, 8, 4, READ));  /* reaches into b's */
    assert_false(srv_brl_io_conflict(f, b, 2, 0, READ)); /* empty: no conflict */
    assert_false(srv_brl_io_conflict(f, b, 2, 0, WRITE));
    assert_false(srv_brl_io_conflict(f, b, 20, 100, WRITE)); /* past both */

    assert_status(srv_brl_unlock(f, a, 0, 9), STATUS_RANGE_NOT_LOCKED); /* exact range only */
    assert_status(srv_brl_unlock(f, a, 0, 11), STATUS_RANGE_NOT_LOCKED);
    assert_status(srv_brl_unlock(f, b, 0, 10), STATUS_RANGE_NOT_LOCKED); /* not b's */
    assert_int_equal(f->nlocks, 2);
    assert_status(srv_brl_unlock(f, a, 0, 10), STATUS_SUCCESS);
    assert_status(srv_brl_unlock(f, a, 0, 10), STATUS_RANGE_NOT_LOCKED);
    assert_false(srv_brl_io_conflict(f, b, 2, 4, READ));
    assert_int_equal(f->nlocks, 1);

    /* shared locks stack, and block writes by everyone, the holder too */
    assert_status(srv_brl_lock(f, a, 0, 4, SHARED), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, b, 2, 4, SHARED), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, a, 0, 4, SHARED), STATUS_SUCCESS); /* the same one again */
    assert_status(srv_brl_lock(f, b, 0, 1, EXCL), STATUS_LOCK_NOT_GRANTED);
    assert_false(srv_brl_io_conflict(f, b, 0, 4, READ));
    assert_false(srv_brl_io_conflict(f, a, 0, 4, READ));
    assert_true(srv_brl_io_conflict(f, a, 0, 1, WRITE));
    assert_true(srv_brl_io_conflict(f, b, 5, 1, WRITE));
    assert_status(srv_brl_unlock(f, a, 0, 4), STATUS_SUCCESS);
    assert_status(srv_brl_unlock(f, a, 0, 4), STATUS_SUCCESS);
    assert_status(srv_brl_unlock(f, b, 2, 4), STATUS_SUCCESS);
    assert_int_equal(f->nlocks, 1); /* b's at 10 */

    /* a range that wraps 64 bits is refused; the last byte of the 64-bit
     * space can be locked */
    assert_status(srv_brl_lock(f, a, UINT64_MAX, 2, EXCL), STATUS_INVALID_LOCK_RANGE);
    assert_status(srv_brl_lock(f, a, 2, UINT64_MAX, SHARED), STATUS_INVALID_LOCK_RANGE);
    assert_int_equal(f->nlocks, 1);
    assert_status(srv_brl_lock(f, a, UINT64_MAX, 1, EXCL), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, b, 1, UINT64_MAX, SHARED),
                  STATUS_LOCK_NOT_GRANTED); /* up to the last byte */
    assert_true(srv_brl_io_conflict(f, b, UINT64_MAX, 1, READ));

    /* closing a releases its locks: b can take the range */
    assert_status(srv_brl_lock(f, a, 0, 2, SHARED), STATUS_SUCCESS);
    assert_true(srv_brl_release_open(f, a));
    assert_int_equal(f->nlocks, 1);
    assert_ptr_equal(f->locks[0].owner, b); /* b's is kept */
    assert_false(srv_brl_release_open(f, a));
    assert_status(srv_brl_lock(f, b, 0, 2, EXCL), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, b, 1, UINT64_MAX, SHARED), STATUS_SUCCESS);
    assert_status(srv_brl_unlock(f, b, 0, 2), STATUS_SUCCESS);
    assert_true(srv_brl_release_open(f, b));
    assert_int_equal(f->nlocks, 0);
    assert_false(srv_brl_io_conflict(f, a, 0, UINT64_MAX, WRITE));
    free(file.locks);
}

/* [MS-FSA] 2.1.5.7 / Samba: a shared lock stacks on the same open's
 * exclusive one (not on another open's), and an unlock of a stacked range
 * removes the exclusive lock first (smb2.lock.valid-request, .unlock). */
static void stacking(void **state)
{
    (void)state;
    struct srv_file file = {0};
    struct srv_file *f = &file;
    const struct srv_open *a = &open_a, *b = &open_b;
    assert_status(srv_brl_lock(f, a, 0, 10, EXCL), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, a, 0, 10, SHARED), STATUS_SUCCESS); /* stacks */
    assert_status(srv_brl_lock(f, b, 0, 10, SHARED), STATUS_LOCK_NOT_GRANTED);
    assert_status(srv_brl_lock(f, a, 0, 10, EXCL), STATUS_LOCK_NOT_GRANTED);
    /* the first unlock takes the exclusive lock: b's shared lock now fits */
    assert_status(srv_brl_unlock(f, a, 0, 10), STATUS_SUCCESS);
    assert_int_equal(f->nlocks, 1);
    assert_false(f->locks[0].exclusive);
    assert_status(srv_brl_lock(f, b, 2, 4, SHARED), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, b, 2, 1, EXCL), STATUS_LOCK_NOT_GRANTED); /* a's shared remains */
    assert_status(srv_brl_unlock(f, a, 0, 10), STATUS_SUCCESS);
    assert_status(srv_brl_unlock(f, a, 0, 10), STATUS_RANGE_NOT_LOCKED);
    /* the order holds with the shared lock taken first, too */
    assert_status(srv_brl_lock(f, a, 20, 0, SHARED), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, a, 20, 0, EXCL), STATUS_SUCCESS); /* zero-length: no overlap */
    assert_status(srv_brl_unlock(f, a, 20, 0), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, b, 15, 10, SHARED), STATUS_SUCCESS); /* a's shared is left */
    assert_status(srv_brl_unlock(f, b, 15, 10), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, b, 15, 10, EXCL), STATUS_LOCK_NOT_GRANTED);
    /* of several shared locks on one range, the oldest goes first; others'
     * keep their places */
    assert_status(srv_brl_unlock(f, a, 20, 0), STATUS_SUCCESS);
    assert_status(srv_brl_unlock(f, b, 2, 4), STATUS_SUCCESS);
    assert_int_equal(f->nlocks, 0);
    assert_status(srv_brl_lock(f, a, 30, 5, SHARED), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, b, 40, 5, SHARED), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, a, 30, 5, SHARED), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, a, 30, 5, EXCL), STATUS_LOCK_NOT_GRANTED);
    assert_status(srv_brl_unlock(f, a, 30, 5), STATUS_SUCCESS);
    assert_int_equal(f->nlocks, 2);
    assert_ptr_equal(f->locks[0].owner, b);
    assert_ptr_equal(f->locks[1].owner, a);
    assert_status(srv_brl_unlock(f, a, 30, 5), STATUS_SUCCESS);
    assert_status(srv_brl_unlock(f, a, 30, 5), STATUS_RANGE_NOT_LOCKED);
    free(file.locks);
}

/* Zero-length locks as Samba reads Windows: they conflict with no other
 * zero-length lock, and with a range only when it strictly contains the
 * point (starts before it). */
static void zero_length(void **state)
{
    (void)state;
    struct srv_file file = {0};
    struct srv_file *f = &file;
    const struct srv_open *a = &open_a, *b = &open_b;
    assert_status(srv_brl_lock(f, a, 5, 0, EXCL), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, b, 5, 0, EXCL), STATUS_SUCCESS);  /* two empty ranges */
    assert_status(srv_brl_lock(f, b, 5, 10, EXCL), STATUS_SUCCESS); /* starts at the point */
    assert_status(srv_brl_lock(f, a, 4, 2, EXCL), STATUS_LOCK_NOT_GRANTED);
    assert_status(srv_brl_lock(f, a, 7, 0, EXCL), STATUS_LOCK_NOT_GRANTED);  /* inside b's */
    assert_status(srv_brl_lock(f, a, 14, 0, EXCL), STATUS_LOCK_NOT_GRANTED); /* its last byte */
    assert_status(srv_brl_lock(f, a, 15, 0, EXCL), STATUS_SUCCESS);          /* just past it */
    assert_status(srv_brl_lock(f, a, UINT64_MAX, 0, EXCL), STATUS_SUCCESS);
    assert_status(srv_brl_unlock(f, a, 5, 0), STATUS_SUCCESS);
    assert_status(srv_brl_unlock(f, a, 5, 0), STATUS_RANGE_NOT_LOCKED);
    assert_status(srv_brl_unlock(f, a, 15, 0), STATUS_SUCCESS);
    assert_status(srv_brl_unlock(f, a, UINT64_MAX, 0), STATUS_SUCCESS);
    assert_int_equal(f->nlocks, 2);
    free(file.locks);
}

/* Locks belong to their file: the same range on two files is two locks. */
static void per_file(void **state)
{
    (void)state;
    struct srv_file f = {0}, g = {0};
    assert_status(srv_brl_lock(&f, &open_a, 0, 100, EXCL), STATUS_SUCCESS);
    assert_status(srv_brl_lock(&g, &open_b, 0, 100, EXCL), STATUS_SUCCESS);
    assert_false(srv_brl_io_conflict(&g, &open_b, 0, 100, WRITE));
    assert_true(srv_brl_io_conflict(&f, &open_b, 0, 100, READ));
    assert_false(srv_brl_release_open(&g, &open_a));
    assert_true(srv_brl_release_open(&g, &open_b));
    assert_int_equal(f.nlocks, 1);
    free(f.locks);
    free(g.locks);
}

/* At most SRV_MAX_LOCKS_FILE locks on one file; a refused lock leaves the
 * table as it was, and one released makes room again. */
static void limit(void **state)
{
    (void)state;
    struct srv_file file = {0};
    struct srv_file *f = &file;
    const struct srv_open *a = &open_a, *b = &open_b;
    for (uint64_t i = 0; i < SRV_MAX_LOCKS_FILE; i++)
        assert_status(srv_brl_lock(f, i % 2 ? a : b, i * 2, 1, EXCL), STATUS_SUCCESS);
    assert_int_equal(f->nlocks, SRV_MAX_LOCKS_FILE);
    uint64_t end = 2 * (uint64_t)SRV_MAX_LOCKS_FILE;
    assert_status(srv_brl_lock(f, a, end, 1, EXCL), STATUS_INSUFFICIENT_RESOURCES);
    assert_status(srv_brl_lock(f, a, end, 0, SHARED), STATUS_INSUFFICIENT_RESOURCES);
    assert_int_equal(f->nlocks, SRV_MAX_LOCKS_FILE);
    /* a conflict is still a conflict */
    assert_status(srv_brl_lock(f, a, 0, 1, EXCL), STATUS_LOCK_NOT_GRANTED);
    assert_false(srv_brl_io_conflict(f, a, end, 1, WRITE));
    assert_true(srv_brl_io_conflict(f, a, 0, 1, READ));
    assert_status(srv_brl_unlock(f, b, 0, 1), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, a, end, 1, EXCL), STATUS_SUCCESS);
    assert_status(srv_brl_lock(f, a, end + 2, 1, EXCL), STATUS_INSUFFICIENT_RESOURCES);
    assert_true(srv_brl_release_open(f, b));
    assert_int_equal(f->nlocks, SRV_MAX_LOCKS_FILE / 2 + 1);
    assert_status(srv_brl_lock(f, b, end + 2, 1, EXCL), STATUS_SUCCESS);
    free(file.locks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conflicts), cmocka_unit_test(stacking), cmocka_unit_test(zero_length),
        cmocka_unit_test(per_file),  cmocka_unit_test(limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
