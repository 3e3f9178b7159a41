/* nowait mode (vfs.h): what can finish from the kernel's caches does, the
 * rest answers STATUS_SIGNET_WOULD_BLOCK having changed nothing, and the same
 * call outside nowait mode then does it. */
#include "vfs_test.h"

#define WOULD_BLOCK STATUS_SIGNET_WOULD_BLOCK

static void set_nowait(bool on)
{
    vfs_nowait_set(on);
    assert_int_equal(vfs_nowait(), on);
}

/* /tmp is a local file system here (the scratch tree lives there). */
static void share_is_local(void **state)
{
    struct scratch *t = *state;
    assert_true(t->share->local_fs);
}

static void creates_nothing(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    scratch_write(t, "keep", "old data");
    set_nowait(true);
    assert_status(open_as(t->share, "new", RW, FILE_CREATE, 0, &f, NULL), WOULD_BLOCK);
    assert_status(open_as(t->share, "new", RW, FILE_OPEN_IF, 0, &f, NULL), WOULD_BLOCK);
    assert_status(open_as(t->share, "new", RW, FILE_SUPERSEDE, 0, &f, NULL), WOULD_BLOCK);
    assert_status(open_as(t->share, "keep", RW, FILE_OVERWRITE_IF, 0, &f, NULL), WOULD_BLOCK);
    assert_status(open_as(t->share, "keep", RW, FILE_OVERWRITE, 0, &f, NULL), WOULD_BLOCK);
    assert_status(open_as(t->share, "keep", RD | DELETE, FILE_OPEN, FILE_DELETE_ON_CLOSE, &f, NULL),
                  WOULD_BLOCK);
    set_nowait(false);
    assert_null(f);
    assert_false(scratch_exists(t, "new"));
    char buf[32];
    assert_int_equal(scratch_read(t, "keep", buf, sizeof buf), 8);
    assert_string_equal(buf, "old data");
    /* the same calls, blocking */
    assert_status(open_as(t->share, "new", RW, FILE_OPEN_IF, 0, &f, NULL), STATUS_SUCCESS);
    vfs_close(f);
    assert_true(scratch_exists(t, "new"));
}

static void cached_file(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    scratch_write(t, "a", "cached bytes");
    assert_true(scratch_exists(t, "a")); /* the lookup fills the dentry cache */
    set_nowait(true);
    uint32_t action = 0;
    assert_status(open_as(t->share, "a", RW, FILE_OPEN_IF, 0, &f, &action), STATUS_SUCCESS);
    assert_int_equal(action, FILE_OPENED);
    struct vfs_stat st;
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 12);
    char buf[32] = {0};
    size_t n = 0;
    assert_status(vfs_pread(f, buf, 6, 0, &n), STATUS_SUCCESS); /* just written: cached */
    assert_int_equal(n, 6);
    assert_memory_equal(buf, "cached", 6);
    assert_status(vfs_lock(f, 0, 4, true), STATUS_SUCCESS);
    assert_status(vfs_unlock(f, 0, 4), STATUS_SUCCESS);
    /* what writes would block, and wrote nothing */
    assert_status(vfs_pwrite(f, "XX", 2, 0, &n), WOULD_BLOCK);
    assert_int_equal(n, 0);
    assert_status(vfs_set_end_of_file(f, 1), WOULD_BLOCK);
    assert_status(vfs_set_allocation(f, 1), WOULD_BLOCK);
    assert_status(vfs_set_delete_on_close(f, true), WOULD_BLOCK);
    assert_status(vfs_rename(f, "b", 1, false), WOULD_BLOCK);
    assert_status(vfs_fsync(f), WOULD_BLOCK);
    struct vfs_fsinfo fi;
    assert_status(vfs_fsinfo(t->share, &fi), WOULD_BLOCK);
    assert_status(vfs_close(f), STATUS_SUCCESS);
    set_nowait(false);
    assert_int_equal(scratch_read(t, "a", buf, sizeof buf), 12);
    assert_string_equal(buf, "cached bytes");
    assert_false(scratch_exists(t, "b"));
}

/* A missing name: not found from a cached negative entry, or would block;
 * nothing else, and never created. */
static void missing_name(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    set_nowait(true);
    ntstatus_t st = open_as(t->share, "nothere", RD, FILE_OPEN, 0, &f, NULL);
    set_nowait(false);
    assert_true(nt_eq(st, WOULD_BLOCK) || nt_eq(st, STATUS_OBJECT_NAME_NOT_FOUND));
    assert_status(open_as(t->share, "nothere", RD, FILE_OPEN, 0, &f, NULL),
                  STATUS_OBJECT_NAME_NOT_FOUND);
    set_nowait(true); /* the failed lookup left a negative entry */
    assert_status(open_as(t->share, "nothere", RD, FILE_OPEN, 0, &f, NULL),
                  STATUS_OBJECT_NAME_NOT_FOUND);
    set_nowait(false);
    assert_false(scratch_exists(t, "nothere"));
}

/* The last close of a file with a delete pending unlinks it: that waits. */
static void close_with_delete_pending(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL, *g = NULL;
    scratch_write(t, "d", "x");
    assert_status(open_as(t->share, "d", RD | DELETE, FILE_OPEN, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(open_as(t->share, "d", RD | DELETE, FILE_OPEN, 0, &g, NULL), STATUS_SUCCESS);
    assert_status(vfs_set_delete_on_close(f, true), STATUS_SUCCESS);
    set_nowait(true);
    assert_status(vfs_close(g), STATUS_SUCCESS); /* not the last open */
    assert_status(vfs_close(f), WOULD_BLOCK);
    struct vfs_stat st;
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS); /* still open */
    assert_true(st.delete_pending);
    set_nowait(false);
    assert_true(scratch_exists(t, "d"));
    assert_status(vfs_close(f), STATUS_SUCCESS);
    assert_false(scratch_exists(t, "d"));
}

static void directory_reads_block(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *d = NULL;
    scratch_mkdir(t, "dir");
    assert_status(open_as(t->share, "dir", RD, FILE_OPEN, FILE_DIRECTORY_FILE, &d, NULL),
                  STATUS_SUCCESS);
    set_nowait(true);
    assert_status(vfs_dir_rewind(d, "*", 1), WOULD_BLOCK);
    struct vfs_dirent e;
    assert_status(vfs_dir_next(d, &e), WOULD_BLOCK);
    set_nowait(false);
    assert_status(vfs_dir_rewind(d, "*", 1), STATUS_SUCCESS);
    assert_status(vfs_dir_next(d, &e), STATUS_SUCCESS);
    vfs_close(d);
}

/* The descriptor walk (no openat2) cannot promise not to wait. */
static void walk_blocks(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    scratch_write(t, "w", "x");
    assert_true(scratch_exists(t, "w"));
    set_nowait(true);
    assert_status(open_as(t->share, "w", RD, FILE_OPEN, 0, &f, NULL), WOULD_BLOCK);
    set_nowait(false);
    assert_status(open_as(t->share, "w", RD, FILE_OPEN, 0, &f, NULL), STATUS_SUCCESS);
    vfs_close(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(share_is_local, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(creates_nothing, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(cached_file, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(missing_name, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(close_with_delete_pending, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(directory_reads_block, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(walk_blocks, scratch_setup_walk, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
