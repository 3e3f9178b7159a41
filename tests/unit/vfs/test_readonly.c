/* A read-only share refuses every change with STATUS_ACCESS_DENIED and
 * leaves the disk as it was. */
#include "vfs_test.h"

static int ro_setup(void **state)
{
    struct scratch *t = scratch_new(false);
    scratch_write(t, "f", "original");
    scratch_mkdir(t, "d");
    scratch_mkdir(t, "e");
    vfs_share_close(t->share);
    assert_true(nt_ok(vfs_share_open(t->share_dir, true, &t->share)));
    *state = t;
    return 0;
}

static void refuses_changes(void **state)
{
    struct scratch *t = *state;
    struct vfs_share *s = t->share;
    struct vfs_file *f = NULL;
    assert_true(s->read_only);
    assert_status(open_as(s, "new", RD, FILE_CREATE, 0, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(s, "new", RD, FILE_OPEN_IF, 0, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(s, "nd", RD, FILE_CREATE, FILE_DIRECTORY_FILE, 0, &f, NULL),
                  STATUS_ACCESS_DENIED);
    assert_status(open_as(s, "f", RD, FILE_OVERWRITE, 0, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(s, "f", RD, FILE_OVERWRITE_IF, 0, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(s, "f", RD, FILE_SUPERSEDE, 0, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(s, "f", RW, FILE_OPEN, 0, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(s, "f", GENERIC_ALL, FILE_OPEN, 0, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(s, "f", GENERIC_WRITE, FILE_OPEN, 0, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(s, "f", RD | DELETE, FILE_OPEN, 0, 0, &f, NULL), STATUS_ACCESS_DENIED);
    assert_status(open_as(s, "f", RD | FILE_WRITE_ATTRIBUTES, FILE_OPEN, 0, 0, &f, NULL),
                  STATUS_ACCESS_DENIED);
    /* ... with VFS_NOWAIT as well: nothing there waits */
    assert_status(open_as(s, "new", RD, FILE_CREATE, 0, VFS_NOWAIT, &f, NULL),
                  STATUS_ACCESS_DENIED);
    assert_null(f);
    assert_false(scratch_exists(t, "new") || scratch_exists(t, "nd"));

    /* reading works, and every change through a read open is refused */
    struct vfs_open_result res;
    assert_status(open_as(s, "f", RD | MAXIMUM_ALLOWED, FILE_OPEN_IF, 0, 0, &f, &res),
                  STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_OPENED);
    char buf[32];
    size_t n;
    assert_status(vfs_pread(f, buf, sizeof buf, 0, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 8);
    assert_status(vfs_pwrite(f, "x", 1, 0, 0, &n), STATUS_ACCESS_DENIED);
    assert_int_equal(n, 0);
    assert_status(vfs_set_end_of_file(f, 0, 0), STATUS_ACCESS_DENIED);
    assert_status(vfs_set_allocation(f, 0, 0), STATUS_ACCESS_DENIED);
    struct vfs_basic_info bi = {.last_write_time = 131402304001234567LL};
    assert_status(vfs_set_basic(f, &bi, 0), STATUS_ACCESS_DENIED);
    struct vfs_basic_info ro = {.attributes = FILE_ATTRIBUTE_READONLY};
    assert_status(vfs_set_basic(f, &ro, 0), STATUS_ACCESS_DENIED);
    assert_status(vfs_rename(s, "f", f->dev, f->ino, "g", false, 0), STATUS_ACCESS_DENIED);
    assert_status(vfs_rename(s, "f", f->dev, f->ino, "d", true, 0), STATUS_ACCESS_DENIED);
    assert_status(vfs_unlink(s, "f", f->dev, f->ino, false, 0), STATUS_ACCESS_DENIED);
    assert_status(vfs_fsync(f, 0), STATUS_SUCCESS); /* nothing of ours to flush */
    struct vfs_stat st;
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 8);
    vfs_close(f, 0);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 8);
    assert_string_equal(buf, "original");
    assert_true(scratch_exists(t, "f") && !scratch_exists(t, "g"));
    assert_true(scratch_lstat(t, "f").st_mode & S_IWUSR);

    /* directories: looked at, not removed */
    struct stat ds = scratch_lstat(t, "e");
    assert_status(vfs_unlink(s, "e", ds.st_dev, ds.st_ino, true, 0), STATUS_ACCESS_DENIED);
    assert_status(vfs_rename(s, "e", ds.st_dev, ds.st_ino, "e2", false, 0), STATUS_ACCESS_DENIED);
    assert_true(scratch_exists(t, "e") && !scratch_exists(t, "e2"));
    assert_status(open_as(s, "e", RD, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &f, NULL), STATUS_SUCCESS);
    bool empty = false;
    assert_status(vfs_dir_is_empty(f, 0, &empty), STATUS_SUCCESS);
    assert_true(empty);
    struct vfs_dirent e;
    assert_status(vfs_dir_next(f, 0, &e), STATUS_SUCCESS);
    assert_string_equal(e.name, ".");
    vfs_close(f, 0);
    assert_status(vfs_stat_path(s, "d", 0, &st), STATUS_SUCCESS);
    assert_true(st.is_dir);

    struct vfs_fsinfo fi;
    assert_status(vfs_fsinfo(s, 0, &fi), STATUS_SUCCESS);
    assert_int_equal(fi.fs_attributes & 0x80000, 0x80000);
    assert_int_equal(fi.device_characteristics & 0x2, 0x2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(refuses_changes, ro_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
