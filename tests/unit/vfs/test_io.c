/* READ / WRITE / FLUSH, end of file and allocation, times and attributes,
 * file-system information, and calls from several threads at once. */
#include "vfs_test.h"

#include "base/filetime.h"

static void read_write(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    assert_status(open_as(t->share, "data", RW, FILE_CREATE, 0, 0, &f, NULL), STATUS_SUCCESS);
    enum { N = 3 * 1024 * 1024 + 17 };
    uint8_t *in = malloc(N), *out = malloc(N);
    assert_non_null(in);
    assert_non_null(out);
    for (size_t i = 0; i < N; i++)
        in[i] = (uint8_t)(i * 131 + (i >> 11));
    size_t n = 0;
    assert_status(vfs_pwrite(f, in, N, 0, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, N);
    assert_status(vfs_pwrite(f, "XYZ", 3, 1000, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 3);
    memcpy(in + 1000, "XYZ", 3);
    assert_status(vfs_fsync(f, 0), STATUS_SUCCESS);
    assert_status(vfs_pread(f, out, N, 0, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, N);
    assert_memory_equal(in, out, N);
    assert_status(vfs_pread(f, out, 100, N - 10, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 10);
    assert_memory_equal(out, in + N - 10, 10);
    assert_status(vfs_pread(f, out, 100, N + 5, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 0);
    assert_status(vfs_pread(f, out, 1, UINT64_MAX, 0, &n), STATUS_INVALID_PARAMETER);
    assert_status(vfs_pwrite(f, "x", 1, UINT64_MAX, 0, &n), STATUS_INVALID_PARAMETER);
    assert_int_equal(n, 0);

    struct vfs_stat st;
    assert_status(vfs_set_end_of_file(f, 10, 0), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 10);
    assert_status(vfs_pread(f, out, N, 0, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 10);
    assert_memory_equal(out, in, 10);
    assert_status(vfs_set_end_of_file(f, 20, 0), STATUS_SUCCESS);
    assert_status(vfs_pread(f, out, N, 0, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 20);
    static const uint8_t zeros[10];
    assert_memory_equal(out + 10, zeros, 10);
    assert_status(vfs_set_end_of_file(f, UINT64_MAX, 0), STATUS_INVALID_PARAMETER);
    assert_status(vfs_set_allocation(f, 1 << 20, 0), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 20);
    assert_status(vfs_set_allocation(f, 5, 0), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 5);
    vfs_close(f, 0);
    struct stat ps = scratch_lstat(t, "data");
    assert_int_equal(ps.st_size, 5);

    /* a read-only open cannot write */
    assert_status(open_as(t->share, "data", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_pwrite(f, "x", 1, 0, 0, &n), STATUS_ACCESS_DENIED);
    assert_status(vfs_set_end_of_file(f, 0, 0), STATUS_ACCESS_DENIED);
    assert_status(vfs_set_allocation(f, 0, 0), STATUS_ACCESS_DENIED);
    vfs_close(f, 0);
    char buf[16];
    assert_int_equal(scratch_read(t, "data", buf, sizeof buf), 5);
    assert_memory_equal(buf, in, 5);
    free(in);
    free(out);
}

static void stat_and_times(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    scratch_write(t, "file", "12345");
    assert_status(open_as(t->share, "file", RW | FILE_WRITE_ATTRIBUTES, FILE_OPEN, 0, 0, &f, NULL),
                  STATUS_SUCCESS);
    struct vfs_stat st;
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 5);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_NORMAL);
    assert_false(st.is_dir);
    struct stat ps = scratch_lstat(t, "file");
    assert_true(st.file_index == ps.st_ino);
    assert_true(st.dev == ps.st_dev);
    assert_true(st.creation_time > 0 && st.creation_time <= st.change_time + 10000000);

    /* 2017-05-26 00:00:00.1234567 UTC */
    const int64_t when = 131402304001234567LL;
    struct vfs_basic_info bi = {.last_write_time = when, .last_access_time = -1};
    assert_status(vfs_set_basic(f, &bi, 0), STATUS_SUCCESS);
    uint64_t atime_before = st.last_access_time;
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_true(st.last_write_time == (uint64_t)when);
    assert_true(st.last_access_time == atime_before);
    ps = scratch_lstat(t, "file");
    assert_true(filetime_from_timespec(ps.st_mtim) == (uint64_t)when);
    struct vfs_basic_info keep = {.last_write_time = -2, .creation_time = -1};
    assert_status(vfs_set_basic(f, &keep, 0), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_true(st.last_write_time == (uint64_t)when);
    struct vfs_basic_info bad = {.change_time = -3};
    assert_status(vfs_set_basic(f, &bad, 0), STATUS_INVALID_PARAMETER);
    struct vfs_basic_info ro = {.attributes = FILE_ATTRIBUTE_READONLY};
    assert_status(vfs_set_basic(f, &ro, 0), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_READONLY);
    assert_int_equal(scratch_lstat(t, "file").st_mode & 0222, 0);
    struct vfs_basic_info normal = {.attributes = FILE_ATTRIBUTE_NORMAL};
    assert_status(vfs_set_basic(f, &normal, 0), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_NORMAL);
    assert_true(scratch_lstat(t, "file").st_mode & S_IWUSR);
    struct vfs_basic_info dir = {.attributes = FILE_ATTRIBUTE_DIRECTORY};
    assert_status(vfs_set_basic(f, &dir, 0), STATUS_INVALID_PARAMETER);
    vfs_close(f, 0);

    assert_status(open_as(t->share, "", RD, FILE_OPEN, 0, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_DIRECTORY);
    assert_true(st.is_dir);
    assert_int_equal(st.end_of_file, 0);
    size_t n;
    char b[4];
    assert_status(vfs_pread(f, b, 4, 0, 0, &n), STATUS_INVALID_DEVICE_REQUEST);
    vfs_close(f, 0);

    /* a directory: no data, no size; READONLY means nothing on it */
    scratch_mkdir(t, "d");
    assert_status(open_as(t->share, "d", RW | FILE_WRITE_ATTRIBUTES, FILE_OPEN, 0, 0, &f, NULL),
                  STATUS_SUCCESS);
    assert_status(vfs_pwrite(f, "x", 1, 0, 0, &n), STATUS_INVALID_DEVICE_REQUEST);
    assert_status(vfs_set_end_of_file(f, 0, 0), STATUS_INVALID_PARAMETER);
    assert_status(vfs_set_allocation(f, 0, 0), STATUS_INVALID_PARAMETER);
    struct vfs_basic_info tmp = {.attributes = FILE_ATTRIBUTE_TEMPORARY};
    assert_status(vfs_set_basic(f, &tmp, 0), STATUS_INVALID_PARAMETER);
    assert_status(vfs_set_basic(f, &ro, 0), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, 0, &st), STATUS_SUCCESS);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_DIRECTORY);
    assert_status(vfs_fsync(f, 0), STATUS_SUCCESS);
    vfs_close(f, 0);
}

static void fsinfo(void **state)
{
    struct scratch *t = *state;
    struct vfs_fsinfo fi;
    assert_status(vfs_fsinfo(t->share, 0, &fi), STATUS_SUCCESS);
    assert_string_equal(fi.fs_name, "NTFS");
    assert_true(fi.total_units > 0);
    assert_true(fi.caller_free_units <= fi.actual_free_units);
    assert_int_equal(fi.bytes_per_sector, 512);
    assert_true(fi.sectors_per_unit >= 1);
    assert_int_equal(fi.max_name_len, 255);
    assert_int_equal(fi.fs_attributes & 0x7, 0x7);
    assert_int_equal(fi.fs_attributes & 0x80000, 0);
    assert_int_equal(fi.device_type, 7);
    assert_int_equal(fi.device_characteristics & 0x2, 0);
    assert_string_equal(t->share->ops->name, "posix");
}

/* Threads opening, writing, reading and closing files of one share at once,
 * and sharing one open file and one enumeration (run under ASan/UBSan). */
#define THREADS 4
#define ROUNDS  100

struct worker {
    struct scratch *t;
    struct vfs_file *shared; /* one open file for every thread */
    struct vfs_file *dir;    /* one enumeration for every thread */
    int id;
    int ok;
    int entries;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    char name[16], mine[8], back[8];
    snprintf(name, sizeof name, "t%d", w->id);
    memset(mine, 'a' + w->id, sizeof mine);
    for (int i = 0; i < ROUNDS; i++) {
        struct vfs_file *f = NULL;
        struct vfs_open_result res;
        size_t n = 0, m = 0;
        if (!nt_ok(open_as(w->t->share, name, RW, FILE_OPEN_IF, 0, 0, &f, &res)))
            continue;
        bool good = nt_ok(vfs_pwrite(f, mine, sizeof mine, (uint64_t)i * 8, 0, &n)) &&
                    n == sizeof mine &&
                    nt_ok(vfs_pread(f, back, sizeof back, (uint64_t)i * 8, 0, &m)) &&
                    m == sizeof back && memcmp(back, mine, sizeof mine) == 0;
        /* the shared open: each thread its own 8 bytes */
        good = good &&
               nt_ok(vfs_pwrite(w->shared, mine, sizeof mine, (uint64_t)w->id * 8, 0, &n)) &&
               nt_ok(vfs_pread(w->shared, back, sizeof back, (uint64_t)w->id * 8, 0, &m)) &&
               m == sizeof back && memcmp(back, mine, sizeof mine) == 0;
        struct vfs_stat st;
        good = good && nt_ok(vfs_fstat(f, 0, &st)) && st.end_of_file == (uint64_t)(i + 1) * 8;
        good = nt_ok(vfs_close(f, 0)) && good;
        if (good)
            w->ok++;
        struct vfs_dirent e;
        if (nt_ok(vfs_dir_next(w->dir, 0, &e)))
            w->entries++;
    }
    return NULL;
}

static void threads(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *shared = NULL, *dir = NULL;
    scratch_mkdir(t, "many");
    for (int i = 0; i < 50; i++) {
        char name[32];
        snprintf(name, sizeof name, "many/e%d", i);
        scratch_write(t, name, "x");
    }
    assert_status(open_as(t->share, "shared", RW, FILE_CREATE, 0, 0, &shared, NULL),
                  STATUS_SUCCESS);
    assert_status(open_as(t->share, "many", RD, FILE_OPEN, FILE_DIRECTORY_FILE, 0, &dir, NULL),
                  STATUS_SUCCESS);
    pthread_t th[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.t = t, .shared = shared, .dir = dir, .id = i};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    int entries = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].ok, ROUNDS);
        entries += w[i].entries;
    }
    /* every entry once: 50 files, "." and ".." */
    assert_int_equal(entries, 52);
    assert_status(vfs_close(dir, 0), STATUS_SUCCESS);
    assert_status(vfs_close(shared, 0), STATUS_SUCCESS);
    char buf[64];
    assert_int_equal(scratch_read(t, "shared", buf, sizeof buf), THREADS * 8);
    for (int i = 0; i < THREADS; i++)
        for (int j = 0; j < 8; j++)
            assert_int_equal(buf[i * 8 + j], 'a' + i);
    for (int i = 0; i < THREADS; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        assert_int_equal(scratch_lstat(t, name).st_size, ROUNDS * 8);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(read_write, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(stat_and_times, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(fsinfo, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(threads, scratch_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
