/* CREATE dispositions and options, and what an open reports (struct
 * vfs_open_result). Share modes, delete-on-close and the truncation of an
 * overwrite are the server's: the open leaves the data as it was. */
#include "vfs_test.h"

#include <grp.h>
#include <sys/wait.h>

static void dispositions(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    struct vfs_open_result res = {.action = 99};
    char buf[64];

    assert_status(open_as(t->share, "f", RW, FILE_OPEN, 0, 0, &f, &res),
                  STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(open_as(t->share, "f", RW, FILE_OVERWRITE, 0, 0, &f, &res),
                  STATUS_OBJECT_NAME_NOT_FOUND);
    assert_false(scratch_exists(t, "f"));
    assert_status(open_as(t->share, "f", RW, FILE_CREATE, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_CREATED);
    assert_status(vfs_close(f, 0), STATUS_SUCCESS);
    assert_true(scratch_exists(t, "f"));
    assert_status(open_as(t->share, "f", RW, FILE_CREATE, 0, 0, &f, &res),
                  STATUS_OBJECT_NAME_COLLISION);
    scratch_write(t, "f", "hello");
    assert_status(open_as(t->share, "f", RW, FILE_OPEN, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_OPENED);
    vfs_close(f, 0);
    assert_status(open_as(t->share, "f", RW, FILE_OPEN_IF, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_OPENED);
    vfs_close(f, 0);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 5);

    /* the overwriting dispositions report it and leave the data: the caller
     * truncates once its own checks passed */
    assert_status(open_as(t->share, "f", RW, FILE_OVERWRITE, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_OVERWRITTEN);
    assert_int_equal(res.st.end_of_file, 5);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 5);
    assert_string_equal(buf, "hello");
    assert_status(vfs_set_end_of_file(f, 0, 0), STATUS_SUCCESS);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 0);
    vfs_close(f, 0);
    scratch_write(t, "f", "hello");
    assert_status(open_as(t->share, "f", RW, FILE_OVERWRITE_IF, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_OVERWRITTEN);
    vfs_close(f, 0);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 5);
    assert_status(open_as(t->share, "f", RW, FILE_SUPERSEDE, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_SUPERSEDED);
    assert_int_equal(res.st.end_of_file, 5);
    vfs_close(f, 0);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 5);
    assert_string_equal(buf, "hello");
    /* ... and the descriptor allows that truncation even when the client
     * asked for no write access */
    assert_status(open_as(t->share, "f", RD, FILE_OVERWRITE, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_OVERWRITTEN);
    assert_status(vfs_set_end_of_file(f, 0, 0), STATUS_SUCCESS);
    vfs_close(f, 0);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 0);

    assert_status(open_as(t->share, "g", RW, FILE_OPEN_IF, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_CREATED);
    vfs_close(f, 0);
    assert_status(open_as(t->share, "h", RW, FILE_OVERWRITE_IF, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_CREATED);
    vfs_close(f, 0);
    assert_status(open_as(t->share, "i", RW, FILE_SUPERSEDE, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_CREATED);
    vfs_close(f, 0);
    assert_true(scratch_exists(t, "g") && scratch_exists(t, "h") && scratch_exists(t, "i"));
    assert_status(open_as(t->share, "j", RW, 6, 0, 0, &f, &res), STATUS_INVALID_PARAMETER);
    assert_false(scratch_exists(t, "j"));
}

static void paths_and_types(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    struct vfs_open_result res;
    assert_status(open_as(t->share, "nodir\\f", RW, FILE_CREATE, 0, 0, &f, &res),
                  STATUS_OBJECT_PATH_NOT_FOUND);
    assert_status(open_as(t->share, "nodir\\f", RW, FILE_OPEN, 0, 0, &f, &res),
                  STATUS_OBJECT_PATH_NOT_FOUND);
    assert_false(scratch_exists(t, "nodir"));
    assert_status(open_as(t->share, "d", RD, FILE_CREATE, FILE_DIRECTORY_FILE, 0, &f, &res),
                  STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_CREATED);
    assert_true(f->is_dir);
    assert_true(res.st.is_dir);
    vfs_close(f, 0);
    assert_true(S_ISDIR(scratch_lstat(t, "d").st_mode));
    assert_status(open_as(t->share, "d", RD, FILE_CREATE, FILE_DIRECTORY_FILE, 0, &f, &res),
                  STATUS_OBJECT_NAME_COLLISION);
    assert_status(open_as(t->share, "d", RD, FILE_OPEN_IF, FILE_DIRECTORY_FILE, 0, &f, &res),
                  STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_OPENED);
    vfs_close(f, 0);
    assert_status(open_as(t->share, "d", RW, FILE_OPEN, FILE_NON_DIRECTORY_FILE, 0, &f, &res),
                  STATUS_FILE_IS_A_DIRECTORY);
    assert_status(open_as(t->share, "d", RW, FILE_OPEN_IF, FILE_NON_DIRECTORY_FILE, 0, &f, &res),
                  STATUS_FILE_IS_A_DIRECTORY);
    assert_status(open_as(t->share, "d", RW, FILE_OPEN, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_true(f->is_dir);
    vfs_close(f, 0);
    assert_status(open_as(t->share, "d", RD, FILE_OVERWRITE_IF, FILE_DIRECTORY_FILE, 0, &f, &res),
                  STATUS_INVALID_PARAMETER);
    assert_status(open_as(t->share, "d", RD, FILE_OVERWRITE, 0, 0, &f, &res),
                  STATUS_INVALID_PARAMETER); /* a directory cannot be overwritten */
    assert_status(open_as(t->share, "d", RD, FILE_OPEN,
                          FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE, 0, &f, &res),
                  STATUS_INVALID_PARAMETER);
    scratch_write(t, "file", "x");
    assert_status(open_as(t->share, "file", RD, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &f, &res),
                  STATUS_NOT_A_DIRECTORY);
    assert_status(open_as(t->share, "file\\", RD, FILE_OPEN, 0, 0, &f, &res),
                  STATUS_OBJECT_NAME_INVALID);
    assert_status(open_as(t->share, "newf\\", RW, FILE_CREATE, 0, 0, &f, &res),
                  STATUS_OBJECT_NAME_INVALID);
    assert_false(scratch_exists(t, "newf"));
    assert_status(open_as(t->share, "newd\\", RD, FILE_CREATE, FILE_DIRECTORY_FILE, 0, &f, &res),
                  STATUS_SUCCESS);
    assert_string_equal(res.rel, "newd");
    vfs_close(f, 0);
    assert_true(S_ISDIR(scratch_lstat(t, "newd").st_mode));
    assert_status(open_as(t->share, "d\\", RD, FILE_OPEN, 0, 0, &f, &res), STATUS_SUCCESS);
    vfs_close(f, 0);
    assert_status(open_as(t->share, "file:stream", RD, FILE_OPEN, 0, 0, &f, &res),
                  STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(open_as(t->share, "file::$DATA", RD, FILE_OPEN, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_string_equal(res.rel, "file");
    vfs_close(f, 0);
    char fifo[256];
    scratch_path(t, "fifo", fifo, sizeof fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_status(open_as(t->share, "fifo", RD, FILE_OPEN, 0, 0, &f, &res), STATUS_ACCESS_DENIED);
}

/* struct vfs_open_result: the action, the normalized path, whether it is the
 * share root, and the figures as opened. */
static void open_result(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    struct vfs_open_result res;
    scratch_mkdir(t, "a");
    scratch_mkdir(t, "a/b");
    scratch_write(t, "a/b/c.txt", "12345");
    scratch_write(t, ".hidden", "");
    struct stat root = scratch_lstat(t, ".");

    memset(&res, 0xAA, sizeof res);
    assert_status(open_as(t->share, "", RD, FILE_OPEN, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_OPENED);
    assert_string_equal(res.rel, ".");
    assert_true(res.is_root);
    assert_true(res.st.is_dir);
    assert_int_equal(res.st.attributes, FILE_ATTRIBUTE_DIRECTORY);
    assert_true(res.st.file_index == root.st_ino);
    assert_true(f->is_dir);
    assert_true(f->dev == root.st_dev && f->ino == root.st_ino);
    assert_ptr_equal(f->share, t->share);
    vfs_close(f, 0);

    /* the root reached through a subdirectory is still the root */
    assert_status(open_as(t->share, "a\\..", RD, FILE_OPEN, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_true(res.is_root);
    vfs_close(f, 0);
    assert_status(open_as(t->share, "a\\", RD, FILE_OPEN, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_false(res.is_root);
    assert_string_equal(res.rel, "a");
    assert_true(res.st.is_dir);
    vfs_close(f, 0);

    memset(&res, 0xAA, sizeof res);
    assert_status(open_as(t->share, "a\\b\\c.txt", RD, FILE_OPEN, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_OPENED);
    assert_string_equal(res.rel, "a/b/c.txt");
    assert_false(res.is_root);
    struct stat ps = scratch_lstat(t, "a/b/c.txt");
    assert_false(res.st.is_dir);
    assert_int_equal(res.st.end_of_file, 5);
    assert_int_equal(res.st.attributes, FILE_ATTRIBUTE_NORMAL);
    assert_int_equal(res.st.nlink, 1);
    assert_true(res.st.file_index == ps.st_ino);
    assert_true(res.st.dev == ps.st_dev);
    assert_false(f->is_dir);
    assert_true(f->dev == ps.st_dev && f->ino == ps.st_ino);
    struct vfs_stat st;
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_true(st.file_index == res.st.file_index && st.dev == res.st.dev);
    assert_true(st.last_write_time == res.st.last_write_time);
    vfs_close(f, 0);

    assert_status(open_as(t->share, "a\\b\\c.txt::$DATA", RD, FILE_OPEN, 0, 0, &f, &res),
                  STATUS_SUCCESS);
    assert_string_equal(res.rel, "a/b/c.txt");
    vfs_close(f, 0);

    /* the HIDDEN bit of a dot-file comes with the name: the open knows it,
     * an fstat of the descriptor does not (the server adds it) */
    assert_status(open_as(t->share, ".hidden", RD, FILE_OPEN, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.st.attributes, FILE_ATTRIBUTE_HIDDEN);
    assert_string_equal(res.rel, ".hidden");
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.attributes & FILE_ATTRIBUTE_HIDDEN, 0);
    vfs_close(f, 0);

    /* a created file's figures are those of the new file */
    assert_status(open_as(t->share, "a\\new", RW, FILE_CREATE, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_CREATED);
    assert_string_equal(res.rel, "a/new");
    assert_int_equal(res.st.end_of_file, 0);
    assert_true(res.st.file_index == scratch_lstat(t, "a/new").st_ino);
    vfs_close(f, 0);

    /* FILE_ATTRIBUTE_READONLY on a create drops the write bits */
    struct vfs_open_req r = {.path = "ro",
                             .path_len = 2,
                             .desired_access = RW,
                             .file_attributes = FILE_ATTRIBUTE_READONLY,
                             .create_disposition = FILE_CREATE};
    assert_status(vfs_open(t->share, &r, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.st.attributes, FILE_ATTRIBUTE_READONLY);
    assert_int_equal(scratch_lstat(t, "ro").st_mode & 0222, 0);
    vfs_close(f, 0);
}

/* Files still open keep the share alive after vfs_share_close. */
static void share_outlives_close(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL, *d = NULL;
    scratch_write(t, "f", "still here");
    assert_status(open_as(t->share, "f", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(open_as(t->share, "", RD, FILE_OPEN, 0, 0, &d, NULL), STATUS_SUCCESS);
    vfs_share_close(t->share);
    t->share = NULL;
    char buf[16];
    size_t n = 0;
    assert_status(vfs_pread(f, buf, sizeof buf, 0, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 10);
    assert_memory_equal(buf, "still here", 10);
    struct vfs_dirent e;
    assert_status(vfs_dir_rewind(d, "..", 2, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS); /* needs the root's identity */
    assert_string_equal(e.name, "..");
    assert_status(vfs_close(f, 0), STATUS_SUCCESS);
    assert_status(vfs_close(d, 0), STATUS_SUCCESS);
    assert_status(vfs_close(NULL, 0), STATUS_SUCCESS);
}

/* As an unprivileged user (a child that drops root, when run as root):
 * an open for attributes only of an unreadable file still works (an O_PATH
 * descriptor) and refuses data access; a read open is STATUS_ACCESS_DENIED.
 * Exit codes report from the child: 0 good, 77 skipped, else the step. */
static int unprivileged_child(struct scratch *t)
{
    if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
                           setresuid(65534, 65534, 65534) < 0))
        return 77;
    struct vfs_file *f = NULL;
    if (!nt_eq(open_as(t->share, "noread", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_ACCESS_DENIED))
        return 1;
    ntstatus_t ost = open_as(t->share, "noread", FILE_READ_ATTRIBUTES, FILE_OPEN, 0, 0, &f, NULL);
    if (!nt_ok(ost)) {
        fprintf(stderr, "attributes-only open: %s\n", nt_name(ost));
        return 2;
    }
    struct vfs_stat st;
    char b[4];
    size_t n;
    int rc = 0;
    if (!nt_ok(vfs_fstat(f, 0, &st)) || st.end_of_file != 6)
        rc = 3;
    else if (!nt_eq(vfs_pread(f, b, sizeof b, 0, 0, &n), STATUS_ACCESS_DENIED))
        rc = 4;
    vfs_close(f, 0);
    if (rc == 0 &&
        !nt_eq(open_as(t->share, "new", RW, FILE_CREATE, 0, 0, &f, NULL), STATUS_ACCESS_DENIED))
        rc = 5; /* the share root is root's, mode 0755 */
    if (rc == 0 && !nt_eq(open_as(t->share, "noread", RD, FILE_OVERWRITE, 0, 0, &f, NULL),
                          STATUS_ACCESS_DENIED))
        rc = 6; /* the truncation it announces needs a writable descriptor */
    return rc;
}

static void unprivileged(void **state)
{
    struct scratch *t = *state;
    scratch_write(t, "noread", "secret");
    char p[256];
    scratch_path(t, "noread", p, sizeof p);
    assert_int_equal(chmod(p, 0), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(unprivileged_child(t));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip();
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_false(scratch_exists(t, "new"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dispositions, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(paths_and_types, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(open_result, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(share_outlives_close, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(unprivileged, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(dispositions, scratch_setup_walk, scratch_teardown),
        cmocka_unit_test_setup_teardown(paths_and_types, scratch_setup_walk, scratch_teardown),
        cmocka_unit_test_setup_teardown(open_result, scratch_setup_walk, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
