/* CREATE dispositions and options, delete-on-close, rename. */
#include "vfs_test.h"

#include <grp.h>
#include <sys/wait.h>

static void dispositions(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    uint32_t act = 99;
    char buf[64];

    assert_status(open_as(t->share, "f", RW, FILE_OPEN, 0, &f, &act), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(open_as(t->share, "f", RW, FILE_OVERWRITE, 0, &f, &act),
                  STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(open_as(t->share, "f", RW, FILE_CREATE, 0, &f, &act), STATUS_SUCCESS);
    assert_int_equal(act, FILE_CREATED);
    vfs_close(f);
    assert_status(open_as(t->share, "f", RW, FILE_CREATE, 0, &f, &act),
                  STATUS_OBJECT_NAME_COLLISION);
    scratch_write(t, "f", "hello");
    assert_status(open_as(t->share, "f", RW, FILE_OPEN, 0, &f, &act), STATUS_SUCCESS);
    assert_int_equal(act, FILE_OPENED);
    vfs_close(f);
    assert_status(open_as(t->share, "f", RW, FILE_OPEN_IF, 0, &f, &act), STATUS_SUCCESS);
    assert_int_equal(act, FILE_OPENED);
    vfs_close(f);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 5);
    assert_status(open_as(t->share, "f", RW, FILE_OVERWRITE, 0, &f, &act), STATUS_SUCCESS);
    assert_int_equal(act, FILE_OVERWRITTEN);
    vfs_close(f);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 0);
    scratch_write(t, "f", "hello");
    assert_status(open_as(t->share, "f", RW, FILE_OVERWRITE_IF, 0, &f, &act), STATUS_SUCCESS);
    assert_int_equal(act, FILE_OVERWRITTEN);
    vfs_close(f);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 0);
    scratch_write(t, "f", "hello");
    assert_status(open_as(t->share, "f", RW, FILE_SUPERSEDE, 0, &f, &act), STATUS_SUCCESS);
    assert_int_equal(act, FILE_SUPERSEDED);
    vfs_close(f);
    assert_int_equal(scratch_read(t, "f", buf, sizeof buf), 0);
    assert_status(open_as(t->share, "g", RW, FILE_OPEN_IF, 0, &f, &act), STATUS_SUCCESS);
    assert_int_equal(act, FILE_CREATED);
    vfs_close(f);
    assert_status(open_as(t->share, "h", RW, FILE_OVERWRITE_IF, 0, &f, &act), STATUS_SUCCESS);
    assert_int_equal(act, FILE_CREATED);
    vfs_close(f);
    assert_status(open_as(t->share, "i", RW, FILE_SUPERSEDE, 0, &f, &act), STATUS_SUCCESS);
    assert_int_equal(act, FILE_CREATED);
    vfs_close(f);
    assert_status(open_as(t->share, "f", RW, 6, 0, &f, &act), STATUS_INVALID_PARAMETER);
}

static void paths_and_types(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    uint32_t act;
    assert_status(open_as(t->share, "nodir\\f", RW, FILE_CREATE, 0, &f, &act),
                  STATUS_OBJECT_PATH_NOT_FOUND);
    assert_status(open_as(t->share, "nodir\\f", RW, FILE_OPEN, 0, &f, &act),
                  STATUS_OBJECT_PATH_NOT_FOUND);
    assert_status(open_as(t->share, "d", RD, FILE_CREATE, FILE_DIRECTORY_FILE, &f, &act),
                  STATUS_SUCCESS);
    assert_int_equal(act, FILE_CREATED);
    assert_true(vfs_file_is_dir(f));
    vfs_close(f);
    assert_status(open_as(t->share, "d", RD, FILE_CREATE, FILE_DIRECTORY_FILE, &f, &act),
                  STATUS_OBJECT_NAME_COLLISION);
    assert_status(open_as(t->share, "d", RD, FILE_OPEN_IF, FILE_DIRECTORY_FILE, &f, &act),
                  STATUS_SUCCESS);
    assert_int_equal(act, FILE_OPENED);
    vfs_close(f);
    assert_status(open_as(t->share, "d", RW, FILE_OPEN, FILE_NON_DIRECTORY_FILE, &f, &act),
                  STATUS_FILE_IS_A_DIRECTORY);
    assert_status(open_as(t->share, "d", RW, FILE_OPEN, 0, &f, &act), STATUS_SUCCESS);
    assert_true(vfs_file_is_dir(f));
    vfs_close(f);
    assert_status(open_as(t->share, "d", RD, FILE_OVERWRITE_IF, FILE_DIRECTORY_FILE, &f, &act),
                  STATUS_INVALID_PARAMETER);
    assert_status(open_as(t->share, "d", RD, FILE_OPEN,
                          FILE_DIRECTORY_FILE | FILE_NON_DIRECTORY_FILE, &f, &act),
                  STATUS_INVALID_PARAMETER);
    scratch_write(t, "file", "x");
    assert_status(open_as(t->share, "file", RD, FILE_OPEN, FILE_DIRECTORY_FILE, &f, &act),
                  STATUS_NOT_A_DIRECTORY);
    assert_status(open_as(t->share, "file\\", RD, FILE_OPEN, 0, &f, &act),
                  STATUS_OBJECT_NAME_INVALID);
    assert_status(open_as(t->share, "d\\", RD, FILE_OPEN, 0, &f, &act), STATUS_SUCCESS);
    vfs_close(f);
    assert_status(open_as(t->share, "file:stream", RD, FILE_OPEN, 0, &f, &act),
                  STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(open_as(t->share, "file::$DATA", RD, FILE_OPEN, 0, &f, &act), STATUS_SUCCESS);
    char p[64];
    assert_status(vfs_file_path(f, p, sizeof p), STATUS_SUCCESS);
    assert_string_equal(p, "file");
    vfs_close(f);
    char fifo[256];
    scratch_path(t, "fifo", fifo, sizeof fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_status(open_as(t->share, "fifo", RD, FILE_OPEN, 0, &f, &act), STATUS_ACCESS_DENIED);
}

static void delete_on_close(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL, *g = NULL;
    scratch_write(t, "f", "x");
    assert_status(open_as(t->share, "f", RD, FILE_OPEN, FILE_DELETE_ON_CLOSE, &f, NULL),
                  STATUS_ACCESS_DENIED); /* needs DELETE */
    assert_status(open_as(t->share, "f", RD | DELETE, FILE_OPEN, FILE_DELETE_ON_CLOSE, &f, NULL),
                  STATUS_SUCCESS);
    assert_status(open_as(t->share, "f", RD, FILE_OPEN, 0, &g, NULL), STATUS_DELETE_PENDING);
    assert_true(scratch_exists(t, "f"));
    assert_status(vfs_close(f), STATUS_SUCCESS);
    assert_false(scratch_exists(t, "f"));

    /* disposition through SET_INFO, the last of two opens removes it */
    scratch_write(t, "f2", "x");
    assert_status(open_as(t->share, "f2", RD | DELETE, FILE_OPEN, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(open_as(t->share, "f2", RD, FILE_OPEN, 0, &g, NULL), STATUS_SUCCESS);
    assert_status(vfs_set_delete_on_close(f, true), STATUS_SUCCESS);
    struct vfs_stat st;
    assert_status(vfs_fstat(g, &st), STATUS_SUCCESS);
    assert_true(st.delete_pending);
    vfs_close(f);
    assert_true(scratch_exists(t, "f2"));
    vfs_close(g);
    assert_false(scratch_exists(t, "f2"));

    /* directories: only empty ones */
    scratch_mkdir(t, "full");
    scratch_write(t, "full/x", "x");
    assert_status(open_as(t->share, "full", DELETE, FILE_OPEN, FILE_DIRECTORY_FILE, &f, NULL),
                  STATUS_SUCCESS);
    assert_status(vfs_set_delete_on_close(f, true), STATUS_DIRECTORY_NOT_EMPTY);
    vfs_close(f);
    assert_status(open_as(t->share, "full", DELETE, FILE_OPEN,
                          FILE_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, &f, NULL),
                  STATUS_DIRECTORY_NOT_EMPTY);
    assert_true(scratch_exists(t, "full/x"));
    scratch_mkdir(t, "empty");
    assert_status(open_as(t->share, "empty", DELETE, FILE_OPEN,
                          FILE_DIRECTORY_FILE | FILE_DELETE_ON_CLOSE, &f, NULL),
                  STATUS_SUCCESS);
    vfs_close(f);
    assert_false(scratch_exists(t, "empty"));
    /* the share root cannot be deleted */
    assert_status(open_as(t->share, "", DELETE, FILE_OPEN, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_set_delete_on_close(f, true), STATUS_ACCESS_DENIED);
    vfs_close(f);
}

static void rename_cases(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL, *g = NULL;
    char buf[64], p[64];
    scratch_write(t, "a", "AAA");
    scratch_write(t, "b", "BBB");
    scratch_mkdir(t, "dir");
    assert_status(open_as(t->share, "a", RD | DELETE, FILE_OPEN, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_rename(f, "b", 1, false), STATUS_OBJECT_NAME_COLLISION);
    assert_int_equal(scratch_read(t, "b", buf, sizeof buf), 3);
    assert_string_equal(buf, "BBB");
    assert_status(vfs_rename(f, "dir", 3, true), STATUS_ACCESS_DENIED);
    assert_status(vfs_rename(f, "b", 1, true), STATUS_SUCCESS);
    scratch_read(t, "b", buf, sizeof buf);
    assert_string_equal(buf, "AAA");
    assert_false(scratch_exists(t, "a"));
    assert_status(vfs_file_path(f, p, sizeof p), STATUS_SUCCESS);
    assert_string_equal(p, "b");
    assert_status(vfs_rename(f, "dir\\c", 5, false), STATUS_SUCCESS);
    assert_true(scratch_exists(t, "dir/c"));
    assert_status(vfs_rename(f, "..\\escaped", 10, false), STATUS_ACCESS_DENIED);
    assert_status(vfs_rename(f, "nodir\\x", 7, false), STATUS_OBJECT_PATH_NOT_FOUND);
    assert_status(vfs_rename(f, "dir\\c", 5, false), STATUS_SUCCESS); /* onto itself */
    /* delete-on-close follows the rename */
    assert_status(vfs_set_delete_on_close(f, true), STATUS_SUCCESS);
    vfs_close(f);
    assert_false(scratch_exists(t, "dir/c"));

    /* renaming a directory carries the paths of files open beneath it */
    scratch_write(t, "dir/in", "x");
    assert_status(open_as(t->share, "dir\\in", RD, FILE_OPEN, 0, &g, NULL), STATUS_SUCCESS);
    assert_status(open_as(t->share, "dir", DELETE, FILE_OPEN, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_rename(f, "dir2", 4, false), STATUS_SUCCESS);
    assert_status(vfs_file_path(g, p, sizeof p), STATUS_SUCCESS);
    assert_string_equal(p, "dir2/in");
    vfs_close(f);
    /* a target that is open cannot be replaced */
    scratch_write(t, "victim", "v");
    assert_status(open_as(t->share, "victim", RD | DELETE, FILE_OPEN, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_rename(f, "dir2\\in", 7, true), STATUS_ACCESS_DENIED);
    vfs_close(f);
    vfs_close(g);
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
    if (!nt_eq(open_as(t->share, "noread", RD, FILE_OPEN, 0, &f, NULL), STATUS_ACCESS_DENIED))
        return 1;
    ntstatus_t ost = open_as(t->share, "noread", FILE_READ_ATTRIBUTES, FILE_OPEN, 0, &f, NULL);
    if (!nt_ok(ost)) {
        fprintf(stderr, "attributes-only open: %s\n", nt_name(ost));
        return 2;
    }
    struct vfs_stat st;
    char b[4];
    size_t n;
    int rc = 0;
    if (!nt_ok(vfs_fstat(f, &st)) || st.end_of_file != 6)
        rc = 3;
    else if (!nt_eq(vfs_pread(f, b, sizeof b, 0, &n), STATUS_ACCESS_DENIED))
        rc = 4;
    vfs_close(f);
    if (!nt_eq(open_as(t->share, "new", RW, FILE_CREATE, 0, &f, NULL), STATUS_ACCESS_DENIED))
        rc = 5; /* the share root is root's, mode 0755 */
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(dispositions, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(paths_and_types, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(delete_on_close, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(rename_cases, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(unprivileged, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(dispositions, scratch_setup_walk, scratch_teardown),
        cmocka_unit_test_setup_teardown(paths_and_types, scratch_setup_walk, scratch_teardown),
        cmocka_unit_test_setup_teardown(delete_on_close, scratch_setup_walk, scratch_teardown),
        cmocka_unit_test_setup_teardown(rename_cases, scratch_setup_walk, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
