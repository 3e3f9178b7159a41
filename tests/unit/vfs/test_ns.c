/* The namespace calls that take a path after an open: vfs_unlink,
 * vfs_rename, vfs_stat_path; and vfs_dir_is_empty. Whether a name may go
 * (delete-pending, open targets) is the server's; these check that the name
 * still names the file the caller meant, and nothing else. */
#include "vfs_test.h"

static void unlink_cases(void **state)
{
    struct scratch *t = *state;
    struct vfs_share *s = t->share;
    char buf[32];

    /* a file */
    scratch_write(t, "f", "x");
    struct stat st = scratch_lstat(t, "f");
    assert_status(vfs_unlink(s, "f", st.st_dev, st.st_ino, false, 0), STATUS_SUCCESS);
    assert_false(scratch_exists(t, "f"));
    assert_status(vfs_unlink(s, "f", st.st_dev, st.st_ino, false, 0), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(vfs_unlink(s, "nodir/f", st.st_dev, st.st_ino, false, 0),
                  STATUS_OBJECT_PATH_NOT_FOUND);

    /* the identity the server has from an open */
    scratch_mkdir(t, "sub");
    scratch_write(t, "sub/g", "x");
    struct vfs_file *f = NULL;
    assert_status(open_as(s, "sub\\g", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_unlink(s, "sub/g", f->dev, f->ino, false, 0), STATUS_SUCCESS);
    assert_false(scratch_exists(t, "sub/g"));
    assert_status(vfs_close(f, 0), STATUS_SUCCESS);

    /* an empty directory; a full one stays */
    scratch_mkdir(t, "empty");
    st = scratch_lstat(t, "empty");
    assert_status(vfs_unlink(s, "empty", st.st_dev, st.st_ino, true, 0), STATUS_SUCCESS);
    assert_false(scratch_exists(t, "empty"));
    scratch_mkdir(t, "full");
    scratch_write(t, "full/x", "x");
    st = scratch_lstat(t, "full");
    assert_status(vfs_unlink(s, "full", st.st_dev, st.st_ino, true, 0), STATUS_DIRECTORY_NOT_EMPTY);
    assert_true(scratch_exists(t, "full/x"));

    /* the kind the caller gives must be the kind that is there */
    st = scratch_lstat(t, "full/x");
    assert_false(nt_ok(vfs_unlink(s, "full/x", st.st_dev, st.st_ino, true, 0)));
    assert_true(scratch_exists(t, "full/x"));
    scratch_mkdir(t, "e2");
    st = scratch_lstat(t, "e2");
    assert_false(nt_ok(vfs_unlink(s, "e2", st.st_dev, st.st_ino, false, 0)));
    assert_true(scratch_exists(t, "e2"));

    /* replaced behind our back: the name is another file now, left alone.
     * The old one stays open so that its inode number cannot come back. */
    scratch_write(t, "r", "old");
    assert_status(open_as(s, "r", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    scratch_write(t, "r.new", "new");
    scratch_rename(t, "r.new", "r");
    assert_status(vfs_unlink(s, "r", f->dev, f->ino, false, 0), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(scratch_read(t, "r", buf, sizeof buf), 3);
    assert_string_equal(buf, "new");
    vfs_close(f, 0);
    /* ... and a directory */
    scratch_mkdir(t, "rd");
    assert_status(open_as(s, "rd", RD, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &f, NULL),
                  STATUS_SUCCESS);
    char p[256];
    scratch_path(t, "rd", p, sizeof p);
    assert_int_equal(rmdir(p), 0);
    scratch_mkdir(t, "rd");
    assert_status(vfs_unlink(s, "rd", f->dev, f->ino, true, 0), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_true(scratch_exists(t, "rd"));
    vfs_close(f, 0);

    /* the root is not a name to remove; nothing outside is reachable */
    st = scratch_lstat(t, ".");
    assert_false(nt_ok(vfs_unlink(s, ".", st.st_dev, st.st_ino, true, 0)));
    assert_true(scratch_exists(t, "."));
    char secret[128];
    snprintf(secret, sizeof secret, "%s/secret", t->outside);
    struct stat sst;
    assert_int_equal(lstat(secret, &sst), 0);
    assert_status(vfs_unlink(s, "../outside/secret", sst.st_dev, sst.st_ino, false, 0),
                  STATUS_ACCESS_DENIED);
    assert_int_equal(access(secret, F_OK), 0);
}

static void rename_cases(void **state)
{
    struct scratch *t = *state;
    struct vfs_share *s = t->share;
    struct vfs_file *f = NULL;
    char buf[64];
    scratch_write(t, "a", "AAA");
    scratch_write(t, "b", "BBB");
    scratch_mkdir(t, "dir");
    assert_status(open_as(s, "a", RD | DELETE, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    uint64_t dev = f->dev, ino = f->ino;

    /* an existing target: refused without replace, replaced with it, except
     * a directory */
    assert_status(vfs_rename(s, "a", dev, ino, "b", false, 0), STATUS_OBJECT_NAME_COLLISION);
    assert_int_equal(scratch_read(t, "b", buf, sizeof buf), 3);
    assert_string_equal(buf, "BBB");
    assert_true(scratch_exists(t, "a"));
    assert_status(vfs_rename(s, "a", dev, ino, "dir", false, 0), STATUS_OBJECT_NAME_COLLISION);
    assert_status(vfs_rename(s, "a", dev, ino, "dir", true, 0), STATUS_ACCESS_DENIED);
    assert_true(scratch_exists(t, "a"));
    assert_true(S_ISDIR(scratch_lstat(t, "dir").st_mode));
    assert_status(vfs_rename(s, "a", dev, ino, "b", true, 0), STATUS_SUCCESS);
    scratch_read(t, "b", buf, sizeof buf);
    assert_string_equal(buf, "AAA");
    assert_false(scratch_exists(t, "a"));
    assert_true(scratch_lstat(t, "b").st_ino == ino);

    /* into a directory; the open file goes along */
    assert_status(vfs_rename(s, "b", dev, ino, "dir/c", false, 0), STATUS_SUCCESS);
    assert_true(scratch_exists(t, "dir/c"));
    assert_false(scratch_exists(t, "b"));
    size_t n = 0;
    assert_status(vfs_pread(f, buf, sizeof buf, 0, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "AAA", 3);
    /* the old name is gone */
    assert_status(vfs_rename(s, "b", dev, ino, "x", false, 0), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_false(scratch_exists(t, "x"));

    /* targets outside the share or beneath nothing */
    assert_status(vfs_rename(s, "dir/c", dev, ino, "../escaped", false, 0), STATUS_ACCESS_DENIED);
    char p[160];
    snprintf(p, sizeof p, "%s/escaped", t->base);
    assert_int_equal(access(p, F_OK), -1);
    assert_status(vfs_rename(s, "dir/c", dev, ino, "nodir/x", false, 0),
                  STATUS_OBJECT_PATH_NOT_FOUND);
    assert_true(scratch_exists(t, "dir/c"));

    /* onto itself: nothing changes, with or without replace */
    assert_status(vfs_rename(s, "dir/c", dev, ino, "dir/c", false, 0), STATUS_SUCCESS);
    assert_status(vfs_rename(s, "dir/c", dev, ino, "dir/c", true, 0), STATUS_SUCCESS);
    scratch_read(t, "dir/c", buf, sizeof buf);
    assert_string_equal(buf, "AAA");
    assert_true(scratch_lstat(t, "dir/c").st_ino == ino);

    /* the source replaced behind our back: NOT_FOUND, and nothing moves
     * (f stays open, so the old inode number cannot come back) */
    scratch_write(t, "dir/c.new", "NEW");
    scratch_rename(t, "dir/c.new", "dir/c");
    assert_status(vfs_rename(s, "dir/c", dev, ino, "moved", false, 0),
                  STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(vfs_rename(s, "dir/c", dev, ino, "b", true, 0), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_false(scratch_exists(t, "moved") || scratch_exists(t, "b"));
    scratch_read(t, "dir/c", buf, sizeof buf);
    assert_string_equal(buf, "NEW");
    vfs_close(f, 0);

    /* a directory moves with what it holds */
    scratch_write(t, "dir/in", "x");
    struct stat ds = scratch_lstat(t, "dir");
    assert_status(vfs_rename(s, "dir", ds.st_dev, ds.st_ino, "dir2", false, 0), STATUS_SUCCESS);
    assert_true(scratch_exists(t, "dir2/in") && scratch_exists(t, "dir2/c"));
    assert_false(scratch_exists(t, "dir"));
    /* ... and an empty directory target is not replaced either */
    scratch_mkdir(t, "dir3");
    assert_status(vfs_rename(s, "dir2", ds.st_dev, ds.st_ino, "dir3", true, 0),
                  STATUS_ACCESS_DENIED);
    assert_true(scratch_exists(t, "dir2/in"));

    /* the share root cannot be renamed */
    struct stat rs = scratch_lstat(t, ".");
    assert_status(vfs_rename(s, ".", rs.st_dev, rs.st_ino, "root", false, 0), STATUS_ACCESS_DENIED);
    assert_false(scratch_exists(t, "root"));
}

static void stat_path_cases(void **state)
{
    struct scratch *t = *state;
    struct vfs_share *s = t->share;
    struct vfs_stat st;
    scratch_write(t, "f", "12345");
    scratch_mkdir(t, "d");
    scratch_write(t, "d/.dot", "");
    scratch_symlink(t, "f", "lnk");

    assert_status(vfs_stat_path(s, "f", 0, &st), STATUS_SUCCESS);
    struct stat ps = scratch_lstat(t, "f");
    assert_false(st.is_dir);
    assert_int_equal(st.end_of_file, 5);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_NORMAL);
    assert_int_equal(st.nlink, 1);
    assert_true(st.file_index == ps.st_ino && st.dev == ps.st_dev);

    assert_status(vfs_stat_path(s, "d", 0, &st), STATUS_SUCCESS);
    assert_true(st.is_dir);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_DIRECTORY);
    assert_int_equal(st.end_of_file, 0);
    assert_true(st.file_index == scratch_lstat(t, "d").st_ino);
    assert_status(vfs_stat_path(s, "d/.dot", 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_HIDDEN);

    /* a last symlink is not followed */
    assert_status(vfs_stat_path(s, "lnk", 0, &st), STATUS_SUCCESS);
    assert_true(st.file_index == scratch_lstat(t, "lnk").st_ino);
    assert_true(st.file_index != ps.st_ino);

    assert_status(vfs_stat_path(s, "missing", 0, &st), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(vfs_stat_path(s, "d/missing", 0, &st), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(vfs_stat_path(s, "nodir/x", 0, &st), STATUS_OBJECT_PATH_NOT_FOUND);
    assert_status(vfs_stat_path(s, "f/x", 0, &st), STATUS_OBJECT_PATH_NOT_FOUND);
    assert_status(vfs_stat_path(s, "../outside/secret", 0, &st), STATUS_ACCESS_DENIED);
}

static void dir_is_empty_cases(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *d = NULL, *f = NULL;
    scratch_mkdir(t, "e");
    assert_status(open_as(t->share, "e", RD, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &d, NULL),
                  STATUS_SUCCESS);
    bool empty = false;
    assert_status(vfs_dir_is_empty(d, 0, &empty), STATUS_SUCCESS);
    assert_true(empty);
    /* asked again, it looks again */
    scratch_write(t, "e/x", "x");
    assert_status(vfs_dir_is_empty(d, 0, &empty), STATUS_SUCCESS);
    assert_false(empty);
    char p[256];
    scratch_path(t, "e/x", p, sizeof p);
    assert_int_equal(unlink(p), 0);
    assert_status(vfs_dir_is_empty(d, 0, &empty), STATUS_SUCCESS);
    assert_true(empty);
    /* names a client never sees still make it non-empty */
    scratch_write(t, "e/bad\\name", "x");
    assert_status(vfs_dir_is_empty(d, 0, &empty), STATUS_SUCCESS);
    assert_false(empty);
    scratch_path(t, "e/bad\\name", p, sizeof p);
    assert_int_equal(unlink(p), 0);
    scratch_mkdir(t, "e/sub");
    assert_status(vfs_dir_is_empty(d, 0, &empty), STATUS_SUCCESS);
    assert_false(empty);
    /* the enumeration of the same open is not disturbed */
    struct vfs_dirent ent;
    assert_status(vfs_dir_next(d, 0, &ent), STATUS_SUCCESS);
    assert_string_equal(ent.name, ".");
    assert_status(vfs_dir_is_empty(d, 0, &empty), STATUS_SUCCESS);
    assert_status(vfs_dir_next(d, 0, &ent), STATUS_SUCCESS);
    assert_string_equal(ent.name, "..");
    assert_status(vfs_dir_next(d, 0, &ent), STATUS_SUCCESS);
    assert_string_equal(ent.name, "sub");
    vfs_close(d, 0);

    /* a file has nothing in it */
    scratch_write(t, "f", "x");
    assert_status(open_as(t->share, "f", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    empty = false;
    assert_status(vfs_dir_is_empty(f, 0, &empty), STATUS_SUCCESS);
    assert_true(empty);
    vfs_close(f, 0);
    assert_status(open_as(t->share, "", RD, FILE_OPEN, 0, 0, &d, NULL), STATUS_SUCCESS);
    assert_status(vfs_dir_is_empty(d, 0, &empty), STATUS_SUCCESS);
    assert_false(empty);
    vfs_close(d, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(unlink_cases, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(rename_cases, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(stat_path_cases, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(dir_is_empty_cases, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(unlink_cases, scratch_setup_walk, scratch_teardown),
        cmocka_unit_test_setup_teardown(rename_cases, scratch_setup_walk, scratch_teardown),
        cmocka_unit_test_setup_teardown(stat_path_cases, scratch_setup_walk, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
