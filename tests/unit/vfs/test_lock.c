/* Byte-range locks ([MS-FSA] 2.1.5.7) and their effect on I/O. */
#include "vfs_test.h"

struct hook_count {
    int calls;
};

static void on_unlock(void *ctx, uint64_t dev, uint64_t ino)
{
    (void)dev;
    (void)ino;
    ((struct hook_count *)ctx)->calls++;
}

static void conflicts(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *a = NULL, *b = NULL;
    scratch_write(t, "f", "0123456789abcdef");
    assert_status(open_as(t->share, "f", RW, FILE_OPEN, 0, &a, NULL), STATUS_SUCCESS);
    assert_status(open_as(t->share, "f", RW, FILE_OPEN, 0, &b, NULL), STATUS_SUCCESS);

    assert_status(vfs_lock(a, 0, 10, true), STATUS_SUCCESS);
    assert_status(vfs_lock(b, 5, 10, false), STATUS_LOCK_NOT_GRANTED);
    assert_status(vfs_lock(b, 9, 1, true), STATUS_LOCK_NOT_GRANTED);
    assert_status(vfs_lock(a, 5, 1, true), STATUS_LOCK_NOT_GRANTED); /* even the owner */
    assert_status(vfs_lock(b, 10, 10, true), STATUS_SUCCESS);        /* adjacent */

    /* I/O: the owner may read and write its exclusive range, others not */
    char buf[4];
    size_t n;
    assert_status(vfs_pread(a, buf, 4, 2, &n), STATUS_SUCCESS);
    assert_status(vfs_pwrite(a, "AB", 2, 2, &n), STATUS_SUCCESS);
    assert_status(vfs_pread(b, buf, 4, 2, &n), STATUS_FILE_LOCK_CONFLICT);
    assert_status(vfs_pwrite(b, "AB", 2, 8, &n), STATUS_FILE_LOCK_CONFLICT);
    assert_status(vfs_pread(b, buf, 0, 2, &n), STATUS_SUCCESS); /* empty: no conflict */

    assert_status(vfs_unlock(a, 0, 9), STATUS_RANGE_NOT_LOCKED);  /* exact range only */
    assert_status(vfs_unlock(b, 0, 10), STATUS_RANGE_NOT_LOCKED); /* not b's */
    assert_status(vfs_unlock(a, 0, 10), STATUS_SUCCESS);
    assert_status(vfs_unlock(a, 0, 10), STATUS_RANGE_NOT_LOCKED);
    assert_status(vfs_pread(b, buf, 4, 2, &n), STATUS_SUCCESS);

    /* shared locks stack, and block writes by everyone, the holder too */
    assert_status(vfs_lock(a, 0, 4, false), STATUS_SUCCESS);
    assert_status(vfs_lock(b, 2, 4, false), STATUS_SUCCESS);
    assert_status(vfs_lock(b, 0, 1, true), STATUS_LOCK_NOT_GRANTED);
    assert_status(vfs_pread(b, buf, 4, 0, &n), STATUS_SUCCESS);
    assert_status(vfs_pwrite(a, "x", 1, 0, &n), STATUS_FILE_LOCK_CONFLICT);

    /* overflow is refused; the last byte of the 64-bit space can be locked */
    assert_status(vfs_lock(a, UINT64_MAX, 2, true), STATUS_INVALID_PARAMETER);
    assert_status(vfs_lock(a, UINT64_MAX, 1, true), STATUS_SUCCESS);
    assert_status(vfs_lock(b, 1, UINT64_MAX, false),
                  STATUS_LOCK_NOT_GRANTED); /* up to the last byte */

    /* closing releases a's locks and tells the server */
    struct hook_count hc = {0};
    vfs_share_set_unlock_hook(t->share, on_unlock, &hc);
    vfs_close(a);
    assert_int_equal(hc.calls, 1);
    assert_status(vfs_lock(b, 0, 2, true), STATUS_SUCCESS);
    assert_status(vfs_unlock(b, 0, 2), STATUS_SUCCESS);
    assert_int_equal(hc.calls, 2);
    vfs_close(b);
}

/* [MS-FSA] 2.1.5.7 / Samba: a shared lock stacks on the same open's
 * exclusive one (not on another open's), and an unlock of a stacked range
 * removes the exclusive lock first (smb2.lock.valid-request, .unlock). */
static void stacking(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *a = NULL, *b = NULL;
    scratch_write(t, "s", "0123456789abcdef");
    assert_status(open_as(t->share, "s", RW, FILE_OPEN, 0, &a, NULL), STATUS_SUCCESS);
    assert_status(open_as(t->share, "s", RW, FILE_OPEN, 0, &b, NULL), STATUS_SUCCESS);
    assert_status(vfs_lock(a, 0, 10, true), STATUS_SUCCESS);
    assert_status(vfs_lock(a, 0, 10, false), STATUS_SUCCESS); /* stacks */
    assert_status(vfs_lock(b, 0, 10, false), STATUS_LOCK_NOT_GRANTED);
    assert_status(vfs_lock(a, 0, 10, true), STATUS_LOCK_NOT_GRANTED);
    /* the first unlock takes the exclusive lock: b's shared lock now fits */
    assert_status(vfs_unlock(a, 0, 10), STATUS_SUCCESS);
    assert_status(vfs_lock(b, 2, 4, false), STATUS_SUCCESS);
    assert_status(vfs_lock(b, 2, 1, true), STATUS_LOCK_NOT_GRANTED); /* a's shared remains */
    assert_status(vfs_unlock(a, 0, 10), STATUS_SUCCESS);
    assert_status(vfs_unlock(a, 0, 10), STATUS_RANGE_NOT_LOCKED);
    /* the order holds with the shared lock taken first, too */
    assert_status(vfs_lock(a, 20, 0, false), STATUS_SUCCESS);
    assert_status(vfs_lock(a, 20, 0, true), STATUS_SUCCESS); /* zero-length: no overlap */
    assert_status(vfs_unlock(a, 20, 0), STATUS_SUCCESS);
    assert_status(vfs_lock(b, 15, 10, false), STATUS_SUCCESS); /* a's shared is left */
    assert_status(vfs_unlock(b, 15, 10), STATUS_SUCCESS);
    assert_status(vfs_lock(b, 15, 10, true), STATUS_LOCK_NOT_GRANTED);
    vfs_close(a);
    vfs_close(b);
}

static void zero_length(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *a = NULL, *b = NULL;
    scratch_write(t, "f", "x");
    assert_status(open_as(t->share, "f", RW, FILE_OPEN, 0, &a, NULL), STATUS_SUCCESS);
    assert_status(open_as(t->share, "f", RW, FILE_OPEN, 0, &b, NULL), STATUS_SUCCESS);
    assert_status(vfs_lock(a, 5, 0, true), STATUS_SUCCESS);
    assert_status(vfs_lock(b, 5, 0, true), STATUS_SUCCESS);  /* two empty ranges */
    assert_status(vfs_lock(b, 5, 10, true), STATUS_SUCCESS); /* starts at the point */
    assert_status(vfs_lock(a, 4, 2, true), STATUS_LOCK_NOT_GRANTED);
    assert_status(vfs_lock(a, 7, 0, true), STATUS_LOCK_NOT_GRANTED); /* inside b's */
    assert_status(vfs_unlock(a, 5, 0), STATUS_SUCCESS);
    vfs_close(a);
    vfs_close(b);
}

static void per_file(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *a = NULL, *b = NULL;
    scratch_write(t, "f", "x");
    scratch_write(t, "g", "x");
    assert_status(open_as(t->share, "f", RW, FILE_OPEN, 0, &a, NULL), STATUS_SUCCESS);
    assert_status(open_as(t->share, "g", RW, FILE_OPEN, 0, &b, NULL), STATUS_SUCCESS);
    assert_status(vfs_lock(a, 0, 100, true), STATUS_SUCCESS);
    assert_status(vfs_lock(b, 0, 100, true), STATUS_SUCCESS);
    vfs_close(a);
    vfs_close(b);
}

/* Threads opening, locking, writing and closing one file at once: the lock
 * table and file objects stay consistent (run under ASan/UBSan). */
struct worker {
    struct scratch *t;
    int id;
    int granted;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 200; i++) {
        struct vfs_file *f = NULL;
        if (!nt_ok(open_as(w->t->share, "shared", RW, FILE_OPEN_IF, 0, &f, NULL)))
            continue;
        if (nt_ok(vfs_lock(f, 0, 8, true))) {
            size_t n;
            char b[8];
            memset(b, 'a' + w->id, sizeof b);
            if (nt_ok(vfs_pwrite(f, b, sizeof b, 0, &n)))
                w->granted++;
            if (i % 2)
                vfs_unlock(f, 0, 8);
        }
        vfs_close(f);
    }
    return NULL;
}

static void threads(void **state)
{
    struct scratch *t = *state;
    pthread_t th[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){t, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        total += w[i].granted;
    }
    assert_true(total > 0);
    pthread_mutex_lock(&t->share->mu);
    for (size_t b = 0; b < VFS_NODE_BUCKETS; b++)
        assert_null(t->share->nodes[b]); /* every file object released */
    pthread_mutex_unlock(&t->share->mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(conflicts, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(stacking, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(zero_length, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(per_file, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(threads, scratch_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
