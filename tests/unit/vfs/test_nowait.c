/* VFS_NOWAIT (vfs.h "Blocking"): a call with it either completes from the
 * kernel's caches or answers STATUS_SIGNET_WOULD_BLOCK having changed
 * nothing, and the same call without it then does the work. And the tests'
 * hook, called by the calls that may block and never with VFS_NOWAIT. */
#include "vfs_test.h"

#define NW VFS_NOWAIT

/* /tmp is a local file system here (the scratch tree lives there). */
static void share_is_local(void **state)
{
    struct scratch *t = *state;
    assert_true(psh(t->share)->local_fs);
}

static void creates_nothing(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    struct vfs_open_result res;
    scratch_write(t, "keep", "old data");
    assert_true(scratch_exists(t, "keep")); /* in the dentry cache */
    assert_status(open_as(t->share, "new", RW, FILE_CREATE, 0, NW, &f, &res), WOULD_BLOCK);
    assert_status(open_as(t->share, "new", RW, FILE_OPEN_IF, 0, NW, &f, &res), WOULD_BLOCK);
    assert_status(open_as(t->share, "new", RW, FILE_SUPERSEDE, 0, NW, &f, &res), WOULD_BLOCK);
    assert_status(open_as(t->share, "new", RW, FILE_OVERWRITE_IF, 0, NW, &f, &res), WOULD_BLOCK);
    assert_status(open_as(t->share, "nd", RD, FILE_CREATE, FILE_DIRECTORY_FILE, NW, &f, &res),
                  WOULD_BLOCK);
    assert_status(open_as(t->share, "nd", RD, FILE_OPEN_IF, FILE_DIRECTORY_FILE, NW, &f, &res),
                  WOULD_BLOCK);
    assert_null(f);
    assert_false(scratch_exists(t, "new") || scratch_exists(t, "nd"));
    /* an overwrite of what exists may open it (the open never truncates:
     * the caller does, later) or would block; the data stays either way */
    static const uint32_t overwrite[] = {FILE_OVERWRITE_IF, FILE_OVERWRITE, FILE_SUPERSEDE};
    for (size_t i = 0; i < sizeof overwrite / sizeof *overwrite; i++) {
        ntstatus_t st = open_as(t->share, "keep", RW, overwrite[i], 0, NW, &f, &res);
        if (nt_ok(st)) {
            assert_int_equal(res.action, i < 2 ? FILE_OVERWRITTEN : FILE_SUPERSEDED);
            assert_status(vfs_set_end_of_file(f, 0, NW), WOULD_BLOCK);
            assert_status(vfs_close(f, NW), STATUS_SUCCESS);
            f = NULL;
        } else {
            assert_status(st, WOULD_BLOCK);
            assert_null(f);
        }
    }
    char buf[32];
    assert_int_equal(scratch_read(t, "keep", buf, sizeof buf), 8);
    assert_string_equal(buf, "old data");
    /* the same calls, blocking */
    assert_status(open_as(t->share, "new", RW, FILE_OPEN_IF, 0, 0, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_CREATED);
    vfs_close(f, 0);
    assert_true(scratch_exists(t, "new"));
    assert_status(open_as(t->share, "nd", RD, FILE_CREATE, FILE_DIRECTORY_FILE, 0, &f, &res),
                  STATUS_SUCCESS);
    vfs_close(f, 0);
    assert_true(scratch_exists(t, "nd"));
}

static void cached_file(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    struct vfs_open_result res = {.action = 0};
    scratch_write(t, "a", "cached bytes");
    assert_true(scratch_exists(t, "a")); /* the lookup fills the dentry cache */
    struct stat before = scratch_lstat(t, "a");
    assert_status(open_as(t->share, "a", RW, FILE_OPEN_IF, 0, NW, &f, &res), STATUS_SUCCESS);
    assert_int_equal(res.action, FILE_OPENED);
    assert_string_equal(res.rel, "a");
    assert_int_equal(res.st.end_of_file, 12);
    struct vfs_stat st;
    assert_status(vfs_fstat(f, NW, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 12);
    char buf[32] = {0};
    size_t n = 0;
    assert_status(vfs_pread(f, buf, 6, 0, NW, &n), STATUS_SUCCESS); /* just written: cached */
    assert_int_equal(n, 6);
    assert_memory_equal(buf, "cached", 6);
    /* what writes or looks up would block, and changed nothing */
    n = 99;
    assert_status(vfs_pwrite(f, "XX", 2, 0, NW, &n), WOULD_BLOCK);
    assert_int_equal(n, 0);
    assert_status(vfs_set_end_of_file(f, 1, NW), WOULD_BLOCK);
    assert_status(vfs_set_allocation(f, 1, NW), WOULD_BLOCK);
    struct vfs_basic_info bi = {.last_write_time = 131402304001234567LL,
                                .attributes = FILE_ATTRIBUTE_READONLY};
    assert_status(vfs_set_basic(f, &bi, NW), WOULD_BLOCK);
    assert_status(vfs_fsync(f, NW), WOULD_BLOCK);
    assert_status(vfs_rename(t->share, "a", f->dev, f->ino, "b", false, NW), WOULD_BLOCK);
    assert_status(vfs_rename(t->share, "a", f->dev, f->ino, "b", true, NW), WOULD_BLOCK);
    assert_status(vfs_unlink(t->share, "a", f->dev, f->ino, false, NW), WOULD_BLOCK);
    assert_status(vfs_stat_path(t->share, "a", NW, &st), WOULD_BLOCK);
    struct vfs_fsinfo fi;
    assert_status(vfs_fsinfo(t->share, NW, &fi), WOULD_BLOCK);
    assert_status(vfs_close(f, NW), STATUS_SUCCESS);
    assert_int_equal(scratch_read(t, "a", buf, sizeof buf), 12);
    assert_string_equal(buf, "cached bytes");
    assert_false(scratch_exists(t, "b"));
    struct stat after = scratch_lstat(t, "a");
    assert_true(after.st_mode == before.st_mode);
    assert_true(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
                after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
    /* and blocking they work */
    assert_status(vfs_stat_path(t->share, "a", 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 12);
    assert_status(vfs_fsinfo(t->share, 0, &fi), STATUS_SUCCESS);
    assert_status(vfs_unlink(t->share, "a", after.st_dev, after.st_ino, false, 0), STATUS_SUCCESS);
    assert_false(scratch_exists(t, "a"));
}

/* A read of a range that is not in the page cache completes or would block
 * with nothing read; without VFS_NOWAIT it reads. */
static void uncached_read(void **state)
{
    struct scratch *t = *state;
    enum { N = 1 << 20 };
    uint8_t *data = malloc(N), *out = malloc(N);
    assert_non_null(data);
    assert_non_null(out);
    for (size_t i = 0; i < N; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    char p[256];
    scratch_path(t, "cold", p, sizeof p);
    int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, N), N);
    assert_int_equal(fsync(fd), 0);
    assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    close(fd);
    struct vfs_file *f = NULL;
    assert_status(open_as(t->share, "cold", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    size_t n = 99;
    ntstatus_t st = vfs_pread(f, out, N, 0, NW, &n);
    if (nt_ok(st)) {
        assert_int_equal(n, N);
        assert_memory_equal(out, data, N);
    } else {
        assert_status(st, WOULD_BLOCK);
        assert_int_equal(n, 0);
    }
    memset(out, 0, N);
    assert_status(vfs_pread(f, out, N, 0, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, N);
    assert_memory_equal(out, data, N);
    /* now it is cached */
    assert_status(vfs_pread(f, out, N, 0, NW, &n), STATUS_SUCCESS);
    assert_int_equal(n, N);
    vfs_close(f, 0);
    free(data);
    free(out);
}

/* A missing name would block (telling which part is missing would look it
 * up), whether the kernel has a negative entry for it or not; never
 * created. */
static void missing_name(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    assert_status(open_as(t->share, "nothere", RD, FILE_OPEN, 0, NW, &f, NULL), WOULD_BLOCK);
    assert_status(open_as(t->share, "nothere", RD, FILE_OPEN, 0, 0, &f, NULL),
                  STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(open_as(t->share, "nothere", RD, FILE_OPEN, 0, NW, &f, NULL), WOULD_BLOCK);
    assert_status(open_as(t->share, "nodir\\x", RD, FILE_OPEN, 0, NW, &f, NULL), WOULD_BLOCK);
    assert_null(f);
    assert_false(scratch_exists(t, "nothere"));
    /* what is refused before the disk is refused with VFS_NOWAIT too */
    assert_status(open_as(t->share, "a<b", RD, FILE_OPEN, 0, NW, &f, NULL),
                  STATUS_OBJECT_NAME_INVALID);
    assert_status(open_as(t->share, "x", RD, 6, 0, NW, &f, NULL), STATUS_INVALID_PARAMETER);
}

static void directory_reads_block(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *d = NULL;
    scratch_mkdir(t, "dir");
    scratch_write(t, "dir/x", "x");
    assert_status(open_as(t->share, "dir", RD, FILE_OPEN, FILE_DIRECTORY_FILE, NW, &d, NULL),
                  STATUS_SUCCESS);
    struct vfs_dirent e;
    bool empty = true;
    assert_status(vfs_dir_rewind(d, "x", 1, NW), WOULD_BLOCK);
    assert_status(vfs_dir_next(d, NW, &e), WOULD_BLOCK);
    assert_status(vfs_dir_is_empty(d, NW, &empty), WOULD_BLOCK);
    /* nothing moved: the enumeration starts at "." with pattern "*" */
    assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS);
    assert_string_equal(e.name, ".");
    assert_int_equal(e.dir_index, 1);
    assert_status(vfs_dir_next(d, NW, &e), WOULD_BLOCK);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS);
    assert_string_equal(e.name, "..");
    assert_int_equal(e.dir_index, 2);
    assert_status(vfs_dir_rewind(d, "*", 1, 0), STATUS_SUCCESS);
    assert_status(vfs_dir_next(d, 0, &e), STATUS_SUCCESS);
    assert_string_equal(e.name, ".");
    assert_status(vfs_dir_is_empty(d, 0, &empty), STATUS_SUCCESS);
    assert_false(empty);
    vfs_close(d, 0);
}

/* A share that is not on a local file system: every call with VFS_NOWAIT
 * would block, closing included, and the file stays usable. */
static void not_local(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    scratch_write(t, "r", "remote");
    assert_true(scratch_exists(t, "r"));
    psh(t->share)->local_fs = false;
    assert_status(open_as(t->share, "r", RD, FILE_OPEN, 0, NW, &f, NULL), WOULD_BLOCK);
    assert_null(f);
    assert_status(open_as(t->share, "r", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    struct vfs_stat st;
    assert_status(vfs_fstat(f, NW, &st), WOULD_BLOCK);
    char buf[16];
    size_t n = 99;
    assert_status(vfs_pread(f, buf, sizeof buf, 0, NW, &n), WOULD_BLOCK);
    assert_int_equal(n, 0);
    assert_status(vfs_close(f, NW), WOULD_BLOCK);
    assert_status(vfs_pread(f, buf, sizeof buf, 0, 0, &n), STATUS_SUCCESS); /* still open */
    assert_int_equal(n, 6);
    assert_memory_equal(buf, "remote", 6);
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 6);
    assert_status(vfs_close(f, 0), STATUS_SUCCESS);
}

/* The descriptor walk (no openat2) cannot promise not to wait. */
static void walk_blocks(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    scratch_write(t, "w", "x");
    assert_true(scratch_exists(t, "w"));
    assert_status(open_as(t->share, "w", RD, FILE_OPEN, 0, NW, &f, NULL), WOULD_BLOCK);
    assert_null(f);
    assert_status(open_as(t->share, "w", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    vfs_close(f, 0);
}

/* ---- the tests' hook ---- */

static char hook_ops[32][16];
static int hook_n;
static char hook_file[256]; /* read when the hook sees "pwrite" */
static char hook_seen[32];

static void record(const char *op)
{
    if (hook_n < 32)
        snprintf(hook_ops[hook_n++], sizeof hook_ops[0], "%s", op);
    if (strcmp(op, "pwrite") == 0 && hook_file[0]) {
        FILE *fp = fopen(hook_file, "r");
        size_t n = fp ? fread(hook_seen, 1, sizeof hook_seen - 1, fp) : 0;
        hook_seen[n] = '\0';
        if (fp)
            fclose(fp);
    }
}

static void hook_reset(void)
{
    hook_n = 0;
    hook_seen[0] = '\0';
}

/* The hook saw exactly op since the last reset (NULL: nothing). */
static void saw(const char *op)
{
    if (!op) {
        assert_int_equal(hook_n, 0);
        return;
    }
    assert_int_equal(hook_n, 1);
    assert_string_equal(hook_ops[0], op);
    hook_reset();
}

static void test_hook(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    scratch_write(t, "h", "old");
    scratch_mkdir(t, "d");
    assert_true(scratch_exists(t, "h"));
    scratch_path(t, "h", hook_file, sizeof hook_file);
    hook_reset();
    vfs_test_set_hook(record);

    assert_status(open_as(t->share, "h", RW, FILE_OPEN, 0, NW, &f, NULL), STATUS_SUCCESS);
    saw(NULL);
    char buf[8];
    size_t n;
    assert_status(vfs_pread(f, buf, 3, 0, NW, &n), STATUS_SUCCESS);
    saw(NULL);
    assert_status(vfs_pwrite(f, "new", 3, 0, NW, &n), WOULD_BLOCK);
    saw(NULL);
    assert_status(vfs_fsync(f, NW), WOULD_BLOCK);
    saw(NULL);
    assert_status(vfs_close(f, NW), STATUS_SUCCESS);
    saw(NULL);

    /* blocking: the hook runs before the disk is touched */
    assert_status(open_as(t->share, "h", RW, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    saw("open");
    assert_status(vfs_pwrite(f, "new", 3, 0, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 3);
    assert_string_equal(hook_seen, "old");
    saw("pwrite");
    char now[8];
    assert_int_equal(scratch_read(t, "h", now, sizeof now), 3);
    assert_string_equal(now, "new");
    assert_status(vfs_pread(f, buf, 3, 0, 0, &n), STATUS_SUCCESS);
    saw("pread");
    assert_status(vfs_fsync(f, 0), STATUS_SUCCESS);
    saw("fsync");
    uint64_t dev = f->dev, ino = f->ino;
    assert_status(vfs_close(f, 0), STATUS_SUCCESS);
    saw(NULL);

    struct vfs_file *d = NULL;
    assert_status(open_as(t->share, "d", RD, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &d, NULL),
                  STATUS_SUCCESS);
    saw("open");
    assert_status(vfs_dir_rewind(d, "*", 1, NW), WOULD_BLOCK);
    saw(NULL);
    assert_status(vfs_dir_rewind(d, "*", 1, 0), STATUS_SUCCESS);
    saw("dir");
    vfs_close(d, 0);

    assert_status(vfs_rename(t->share, "h", dev, ino, "h2", false, NW), WOULD_BLOCK);
    saw(NULL);
    assert_status(vfs_rename(t->share, "h", dev, ino, "h2", false, 0), STATUS_SUCCESS);
    saw("rename");
    assert_status(vfs_unlink(t->share, "h2", dev, ino, false, NW), WOULD_BLOCK);
    saw(NULL);
    assert_status(vfs_unlink(t->share, "h2", dev, ino, false, 0), STATUS_SUCCESS);
    saw("unlink");
    assert_false(scratch_exists(t, "h") || scratch_exists(t, "h2"));

    /* unset, it is not called */
    vfs_test_set_hook(NULL);
    assert_status(open_as(t->share, "h", RW, FILE_CREATE, 0, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_pwrite(f, "x", 1, 0, 0, &n), STATUS_SUCCESS);
    vfs_close(f, 0);
    saw(NULL);
    hook_file[0] = '\0';
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(share_is_local, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(creates_nothing, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(cached_file, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(uncached_read, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(missing_name, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(directory_reads_block, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(not_local, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(walk_blocks, scratch_setup_walk, scratch_teardown),
        cmocka_unit_test_setup_teardown(test_hook, scratch_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
