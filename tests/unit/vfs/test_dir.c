/* QUERY_DIRECTORY enumeration: dots first, patterns, rewind, put-back, and
 * what is hidden from clients. */
#include "vfs_test.h"

/* Collect every name (in order) into names; the count. */
static int collect(struct vfs_file *d, char names[][64], int max)
{
    int n = 0;
    struct vfs_dirent e;
    ntstatus_t st;
    while (nt_ok(st = vfs_dir_next(d, 0, &e))) {
        assert_true(n < max);
        assert_int_equal(e.name_len, strlen(e.name));
        assert_int_equal(e.dir_index, n + 1);
        snprintf(names[n++], 64, "%s", e.name);
    }
    assert_status(st, STATUS_NO_MORE_FILES);
    return n;
}

static bool has(char names[][64], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

static void listing(void **state)
{
    struct scratch *t = *state;
    scratch_write(t, "a.txt", "1");
    scratch_write(t, "b.txt", "22");
    scratch_write(t, "c.dat", "333");
    scratch_write(t, "bad\\name", "x"); /* a name no client could open */
    scratch_write(t, "bad:name", "x");
    scratch_mkdir(t, "sub");
    scratch_symlink(t, "a.txt", "good_link");
    scratch_symlink(t, "/etc/passwd", "bad_link");
    scratch_symlink(t, "../outside/secret", "bad_rel_link");
    struct vfs_file *d = NULL;
    assert_status(
        open_as(t->share, "", FILE_LIST_DIRECTORY, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &d, NULL),
        STATUS_SUCCESS);
    char names[32][64];
    int n = collect(d, names, 32); /* without a rewind: pattern "*" */
    assert_int_equal(n, 7);
    assert_string_equal(names[0], ".");
    assert_string_equal(names[1], "..");
    assert_true(has(names, n, "a.txt") && has(names, n, "b.txt") && has(names, n, "c.dat"));
    assert_true(has(names, n, "sub") && has(names, n, "good_link"));
    assert_false(has(names, n, "bad_link") || has(names, n, "bad_rel_link"));
    assert_false(has(names, n, "bad\\name") || has(names, n, "bad:name"));
    struct vfs_dirent e;
    assert_status(vfs_dir_next(d, 0, &e), STATUS_NO_MORE_FILES); /* and stays at the end */

    assert_status(vfs_dir_rewind(d, "*.txt", 5, 0), STATUS_SUCCESS);
    n = collect(d, names, 32);
    assert_int_equal(n, 2);
    assert_true(has(names, n, "a.txt") && has(names, n, "b.txt"));

    assert_status(vfs_dir_rewind(d, "?.dat", 5, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS);
    assert_string_equal(e.name, "c.dat");
    assert_int_equal(e.st.end_of_file, 3);
    assert_int_equal(e.dir_index, 1); /* the first entry of this enumeration */
    vfs_dir_unread(d);                /* did not fit: give it back */
    assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS);
    assert_string_equal(e.name, "c.dat");
    assert_int_equal(e.dir_index, 1);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_NO_MORE_FILES);

    /* FileIndex counts the entries returned, "." and ".." included */
    assert_status(vfs_dir_rewind(d, "*", 1, 0), STATUS_SUCCESS);
    for (uint32_t i = 1; i <= 3; i++) {
        assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS);
        assert_int_equal(e.dir_index, i);
    }
    assert_string_not_equal(e.name, "..");
    /* an entry given back does not survive a rewind */
    vfs_dir_unread(d);
    assert_status(vfs_dir_rewind(d, "*", 1, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS);
    assert_string_equal(e.name, ".");
    assert_int_equal(e.dir_index, 1);

    assert_status(vfs_dir_rewind(d, "sub", 3, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS);
    assert_string_equal(e.name, "sub");
    assert_int_equal(e.dir_index, 1);
    assert_true(e.st.is_dir);
    assert_int_equal(e.st.attributes, FILE_ATTRIBUTE_DIRECTORY);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_NO_MORE_FILES);

    assert_status(vfs_dir_rewind(d, "good_link", 9, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS);
    assert_int_equal(e.st.end_of_file, 1); /* the target's size */

    assert_status(vfs_dir_rewind(d, "nomatch*", 8, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_NO_MORE_FILES);
    vfs_close(d, 0);
}

static void dots(void **state)
{
    struct scratch *t = *state;
    scratch_mkdir(t, "sub");
    scratch_write(t, ".dot", "");
    struct vfs_file *root = NULL, *sub = NULL;
    assert_status(open_as(t->share, "", RD, FILE_OPEN, 0, 0, &root, NULL), STATUS_SUCCESS);
    assert_status(open_as(t->share, "sub", RD, FILE_OPEN, 0, 0, &sub, NULL), STATUS_SUCCESS);
    struct vfs_stat rs;
    assert_status(vfs_fstat(root, 0, &rs), STATUS_SUCCESS);
    struct vfs_dirent e;
    /* ".." of the share root is the root itself, not what lies above */
    assert_status(vfs_dir_rewind(root, "..", 2, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(root, 0, &e), STATUS_SUCCESS);
    assert_string_equal(e.name, "..");
    assert_true(e.st.file_index == rs.file_index);
    /* dot-files are HIDDEN; "." and ".." are not */
    assert_int_equal(e.st.attributes, FILE_ATTRIBUTE_DIRECTORY);
    assert_status(vfs_dir_rewind(root, ".dot", 4, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(root, 0, &e), STATUS_SUCCESS);
    assert_int_equal(e.st.attributes, FILE_ATTRIBUTE_HIDDEN);
    /* ".." of sub is the root */
    assert_status(vfs_dir_rewind(sub, "..", 2, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(sub, 0, &e), STATUS_SUCCESS);
    assert_true(e.st.file_index == rs.file_index);
    char names[8][64];
    assert_status(vfs_dir_rewind(sub, "*", 1, 0), STATUS_SUCCESS);
    assert_int_equal(collect(sub, names, 8), 2);
    /* a file is not a directory to enumerate */
    scratch_write(t, "f", "x");
    struct vfs_file *f = NULL;
    assert_status(open_as(t->share, "f", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_dir_next(f, 0, &e), STATUS_INVALID_PARAMETER);
    assert_status(vfs_dir_rewind(f, "*", 1, 0), STATUS_INVALID_PARAMETER);
    vfs_close(f, 0);
    vfs_close(sub, 0);
    vfs_close(root, 0);
}

/* A symlink inside a directory that was renamed after it was opened is
 * still resolved beneath the root, from where the directory is now. */
static void links_after_rename(void **state)
{
    struct scratch *t = *state;
    scratch_mkdir(t, "dir");
    scratch_write(t, "dir/target", "12345");
    scratch_symlink(t, "target", "dir/link");
    scratch_symlink(t, "../../outside/secret", "dir/out");
    struct vfs_file *d = NULL;
    assert_status(open_as(t->share, "dir", RD, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &d, NULL),
                  STATUS_SUCCESS);
    scratch_rename(t, "dir", "moved");
    char names[8][64];
    int n = collect(d, names, 8);
    assert_int_equal(n, 4);
    assert_true(has(names, n, "target") && has(names, n, "link"));
    assert_false(has(names, n, "out"));
    struct vfs_dirent e;
    assert_status(vfs_dir_rewind(d, "link", 4, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS);
    assert_int_equal(e.st.end_of_file, 5);
    vfs_close(d, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(listing, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(dots, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(links_after_rename, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(listing, scratch_setup_walk, scratch_teardown),
        cmocka_unit_test_setup_teardown(links_after_rename, scratch_setup_walk, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
