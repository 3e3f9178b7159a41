/* Containment: every way out of the share is refused, through openat2 and
 * through the O_NOFOLLOW descriptor walk that replaces it without openat2;
 * symlinks that stay inside keep working. */
#include "vfs_test.h"

#include <errno.h>

/* Run each case twice: with openat2 and with the descriptor walk. */
static void for_both(struct scratch *t, void (*fn)(struct scratch *))
{
    psh(t->share)->force_walk = false;
    fn(t);
    psh(t->share)->force_walk = true;
    fn(t);
}

static ntstatus_t try_open(struct scratch *t, const char *path)
{
    struct vfs_file *f = NULL;
    ntstatus_t st = open_as(t->share, path, RD, FILE_OPEN, 0, 0, &f, NULL);
    if (nt_ok(st))
        vfs_close(f, 0);
    return st;
}

static void layout(struct scratch *t)
{
    scratch_mkdir(t, "a");
    scratch_mkdir(t, "a/b");
    scratch_write(t, "a/b/in.txt", "inside");
    scratch_symlink(t, "/etc", "to_etc");
    scratch_symlink(t, "../outside", "to_outside");
    char secret[128];
    snprintf(secret, sizeof secret, "%s/secret", t->outside);
    scratch_symlink(t, secret, "abs_secret");
    scratch_symlink(t, "../../outside/secret", "a/rel_secret");
    scratch_symlink(t, "b/in.txt", "a/good_link");
    scratch_symlink(t, "../a/b", "a/good_dir_link");
    scratch_symlink(t, "loop2", "loop1");
    scratch_symlink(t, "loop1", "loop2");
}

static void escapes_refused(struct scratch *t)
{
    assert_status(try_open(t, "..\\..\\etc\\passwd"), STATUS_ACCESS_DENIED);
    assert_status(try_open(t, ".."), STATUS_ACCESS_DENIED);
    assert_status(try_open(t, "a\\..\\..\\x"), STATUS_ACCESS_DENIED);
    assert_status(try_open(t, "a\\b\\..\\..\\..\\outside\\secret"), STATUS_ACCESS_DENIED);
    assert_status(try_open(t, "/etc/passwd"), STATUS_OBJECT_NAME_INVALID);
    assert_status(try_open(t, "\\etc\\passwd"), STATUS_INVALID_PARAMETER);
    assert_status(try_open(t, "to_etc\\passwd"), STATUS_ACCESS_DENIED);
    assert_status(try_open(t, "to_etc"), STATUS_ACCESS_DENIED);
    assert_status(try_open(t, "to_outside\\secret"), STATUS_ACCESS_DENIED);
    assert_status(try_open(t, "abs_secret"), STATUS_ACCESS_DENIED);
    assert_status(try_open(t, "a\\rel_secret"), STATUS_ACCESS_DENIED);
    assert_false(nt_ok(try_open(t, "loop1")));
}

static void inside_allowed(struct scratch *t)
{
    assert_status(try_open(t, ""), STATUS_SUCCESS);
    assert_status(try_open(t, "a\\b\\in.txt"), STATUS_SUCCESS);
    assert_status(try_open(t, "a\\..\\a\\b\\in.txt"), STATUS_SUCCESS);
    assert_status(try_open(t, "a\\good_link"), STATUS_SUCCESS);
    assert_status(try_open(t, "a\\good_dir_link\\in.txt"), STATUS_SUCCESS);
    assert_status(try_open(t, "a\\b\\.."), STATUS_SUCCESS);
    struct vfs_file *f = NULL;
    assert_status(
        open_as(t->share, "a\\good_dir_link", RD, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &f, NULL),
        STATUS_SUCCESS);
    assert_true(f->is_dir);
    vfs_close(f, 0);
    assert_status(try_open(t, "a\\missing"), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(try_open(t, "missing\\x"), STATUS_OBJECT_PATH_NOT_FOUND);
    assert_status(try_open(t, "a\\b\\in.txt\\x"), STATUS_OBJECT_PATH_NOT_FOUND);
}

static void creation_through_links(struct scratch *t)
{
    struct vfs_file *f = NULL;
    /* a link climbing out cannot be used to create a file outside */
    assert_status(open_as(t->share, "to_outside\\new", RW, FILE_CREATE, 0, 0, &f, NULL),
                  STATUS_ACCESS_DENIED);
    assert_status(open_as(t->share, "a\\..\\..\\outside\\new", RW, FILE_OPEN_IF, 0, 0, &f, NULL),
                  STATUS_ACCESS_DENIED);
    char p[160];
    snprintf(p, sizeof p, "%s/new", t->outside);
    assert_int_equal(access(p, F_OK), -1);
}

/* The calls that take a path after an open (vfs_stat_path, vfs_unlink,
 * vfs_rename) stay beneath the root as well. */
static void namespace_contained(struct scratch *t)
{
    struct vfs_share *s = t->share;
    char secret[128], moved[128];
    snprintf(secret, sizeof secret, "%s/secret", t->outside);
    snprintf(moved, sizeof moved, "%s/moved", t->outside);
    struct stat ss;
    assert_int_equal(lstat(secret, &ss), 0);
    struct vfs_stat st;
    static const char *const out[] = {"../outside/secret", "to_outside/secret", "to_etc/passwd",
                                      "a/b/../../../outside/secret"};
    for (size_t i = 0; i < sizeof out / sizeof *out; i++) {
        assert_status(vfs_stat_path(s, out[i], 0, &st), STATUS_ACCESS_DENIED);
        assert_status(vfs_unlink(s, out[i], ss.st_dev, ss.st_ino, false, 0), STATUS_ACCESS_DENIED);
    }
    assert_status(vfs_rename(s, "to_outside/secret", ss.st_dev, ss.st_ino, "stolen", false, 0),
                  STATUS_ACCESS_DENIED);
    assert_int_equal(access(secret, F_OK), 0);
    assert_false(scratch_exists(t, "stolen"));
    /* nothing inside can be moved out */
    struct stat in = scratch_lstat(t, "a/b/in.txt");
    assert_status(vfs_rename(s, "a/b/in.txt", in.st_dev, in.st_ino, "to_outside/moved", false, 0),
                  STATUS_ACCESS_DENIED);
    assert_status(vfs_rename(s, "a/b/in.txt", in.st_dev, in.st_ino, "../outside/moved", true, 0),
                  STATUS_ACCESS_DENIED);
    assert_int_equal(access(moved, F_OK), -1);
    assert_true(scratch_exists(t, "a/b/in.txt"));
    /* links that stay inside are followed on the way */
    assert_status(vfs_stat_path(s, "a/good_dir_link/in.txt", 0, &st), STATUS_SUCCESS);
    assert_true(st.file_index == in.st_ino);
    assert_status(vfs_stat_path(s, "a/../a/b/in.txt", 0, &st), STATUS_SUCCESS);
    assert_true(st.file_index == in.st_ino);
}

static void escapes(void **state)
{
    struct scratch *t = *state;
    layout(t);
    for_both(t, escapes_refused);
}

static void inside(void **state)
{
    struct scratch *t = *state;
    layout(t);
    for_both(t, inside_allowed);
}

static void creation(void **state)
{
    struct scratch *t = *state;
    layout(t);
    for_both(t, creation_through_links);
}

static void namespace(void **state)
{
    struct scratch *t = *state;
    layout(t);
    for_both(t, namespace_contained);
}

/* The walk on its own: dangling links are expanded and then created
 * beneath, like openat2 does. */
static void walk_direct(void **state)
{
    struct scratch *t = *state;
    scratch_mkdir(t, "d");
    scratch_symlink(t, "d/target", "dangling");
    int fd = vfs_resolve_walk(psh(t->share)->root_fd, "dangling", O_RDWR | O_CREAT, 0644);
    assert_true(fd >= 0);
    close(fd);
    assert_true(scratch_exists(t, "d/target"));
    assert_int_equal(vfs_resolve_walk(psh(t->share)->root_fd, "d/../..", O_PATH, 0), -EXDEV);
    fd = vfs_resolve_walk(psh(t->share)->root_fd, "./d/./target", O_RDONLY, 0);
    assert_true(fd >= 0);
    close(fd);
    fd = vfs_resolve_walk(psh(t->share)->root_fd, ".", O_PATH | O_DIRECTORY, 0);
    assert_true(fd >= 0);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(escapes, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(inside, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(creation, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(namespace, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(walk_direct, scratch_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
