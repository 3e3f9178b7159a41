/* A read-only share refuses every change with STATUS_ACCESS_DENIED and
 * leaves the disk as it was. */
#include "vfs_test.h"

static int ro_setup(void **state)
{
    struct scratch *t = scratch_new(false);
    scratch_write(t, "f", "original");
    scratch_mkdir(t, "d");
    vfs_share_close(t->share);
    assert_true(nt_ok(vfs_share_open(t->share_dir, true, &t->share)));
    *state = t;
    return 0;
}

static void refuses_changes(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    assert_true(vfs_share_read_only(t->share));
    assert_status(open_as(t->share, "new", RD, FILE_CREATE, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(t->share, "new", RD, FILE_OPEN_IF, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(t->share, "nd", RD, FILE_CREATE, FILE_DIRECTORY_FILE, &f, NULL),
                  STATUS_ACCESS_DENIED);
    assert_status(open_as(t->share, "f", RD, FILE_OVERWRITE, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(t->share, "f", RD, FILE_SUPERSEDE, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(t->share, "f", RW, FILE_OPEN, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(t->share, "f", GENERIC_ALL, FILE_OPEN, 0, &f, NULL),
                  STATUS_ACCESS_DENIED);
    assert_status(open_as(t->share, "f", RD | DELETE, FILE_OPEN, 0, &f, NULL),
                  STATUS_ACCESS_DENIED);
    assert_status(open_as(t->share, "f", RD | FILE_WRITE_ATTRIBUTES, FILE_OPEN, 0, &f, NULL),
                  STATUS_ACCESS_DENIED);
    assert_false(scratch_exists(t, "new") || scratch_exists(t, "nd"));

    /* reading works, and every change through a read open is refused */
    assert_status(open_as(t->share, "f", RD | MAXIMUM_ALLOWED, FILE_OPEN_IF, 0, &f, NULL),
                  STATUS_SUCCESS);
    char buf[32];
    size_t n;
    assert_status(vfs_pread(f, buf, sizeof buf, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 8);
    assert_status(vfs_pwrite(f, "x", 1, 0, &n), STATUS_ACCESS_DENIED);
    assert_status(vfs_set_end_of_file(f, 0), STATUS_ACCESS_DENIED);
    assert_status(vfs_set_allocation(f, 0), STATUS_ACCESS_DENIED);
    struct vfs_basic_info bi = {.last_write_time = 131402304001234567LL};
    assert_status(vfs_set_basic(f, &bi), STATUS_ACCESS_DENIED);
    assert_status(vfs_rename(f, "g", 1, false), STATUS_ACCESS_DENIED);
    assert_status(vfs_set_delete_on_close(f, true), STATUS_ACCESS_DENIED);
    assert_status(vfs_fsync(f), STATUS_SUCCESS);
    vfs_close(f);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 8);
    assert_string_equal(buf, "original");
    assert_true(scratch_exists(t, "f") && !scratch_exists(t, "g"));

    struct vfs_fsinfo fi;
    assert_status(vfs_fsinfo(t->share, &fi), STATUS_SUCCESS);
    assert_int_equal(fi.fs_attributes & 0x80000, 0x80000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(refuses_changes, ro_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
