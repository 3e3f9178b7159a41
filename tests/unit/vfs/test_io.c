/* READ / WRITE / FLUSH, end of file and allocation, times and attributes,
 * file-system information. */
#include "vfs_test.h"

#include "base/filetime.h"

static void read_write(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    assert_status(open_as(t->share, "data", RW, FILE_CREATE, 0, &f, NULL), STATUS_SUCCESS);
    enum { N = 3 * 1024 * 1024 + 17 };
    uint8_t *in = malloc(N), *out = malloc(N);
    assert_non_null(in);
    assert_non_null(out);
    for (size_t i = 0; i < N; i++)
        in[i] = (uint8_t)(i * 131 + (i >> 11));
    size_t n = 0;
    assert_status(vfs_pwrite(f, in, N, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, N);
    assert_status(vfs_pwrite(f, "XYZ", 3, 1000, &n), STATUS_SUCCESS);
    memcpy(in + 1000, "XYZ", 3);
    assert_status(vfs_fsync(f), STATUS_SUCCESS);
    assert_status(vfs_pread(f, out, N, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, N);
    assert_memory_equal(in, out, N);
    assert_status(vfs_pread(f, out, 100, N - 10, &n), STATUS_SUCCESS);
    assert_int_equal(n, 10);
    assert_memory_equal(out, in + N - 10, 10);
    assert_status(vfs_pread(f, out, 100, N + 5, &n), STATUS_SUCCESS);
    assert_int_equal(n, 0);
    assert_status(vfs_pread(f, out, 1, UINT64_MAX, &n), STATUS_INVALID_PARAMETER);

    struct vfs_stat st;
    assert_status(vfs_set_end_of_file(f, 10), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 10);
    assert_status(vfs_pread(f, out, N, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 10);
    assert_memory_equal(out, in, 10);
    assert_status(vfs_set_end_of_file(f, 20), STATUS_SUCCESS);
    assert_status(vfs_pread(f, out, N, 0, &n), STATUS_SUCCESS);
    assert_int_equal(n, 20);
    static const uint8_t zeros[10];
    assert_memory_equal(out + 10, zeros, 10);
    assert_status(vfs_set_allocation(f, 1 << 20), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 20);
    assert_status(vfs_set_allocation(f, 5), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 5);
    vfs_close(f);

    /* a read-only open cannot write */
    assert_status(open_as(t->share, "data", RD, FILE_OPEN, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_pwrite(f, "x", 1, 0, &n), STATUS_ACCESS_DENIED);
    assert_status(vfs_set_end_of_file(f, 0), STATUS_ACCESS_DENIED);
    vfs_close(f);
    free(in);
    free(out);
}

static void stat_and_times(void **state)
{
    struct scratch *t = *state;
    struct vfs_file *f = NULL;
    scratch_write(t, "file", "12345");
    scratch_write(t, ".hidden", "");
    assert_status(open_as(t->share, "file", RW | FILE_WRITE_ATTRIBUTES, FILE_OPEN, 0, &f, NULL),
                  STATUS_SUCCESS);
    struct vfs_stat st;
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS);
    assert_int_equal(st.end_of_file, 5);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_NORMAL);
    assert_false(st.is_dir);
    struct stat ps;
    char p[256];
    scratch_path(t, "file", p, sizeof p);
    assert_int_equal(stat(p, &ps), 0);
    assert_true(st.file_index == ps.st_ino);
    assert_true(st.creation_time > 0 && st.creation_time <= st.change_time + 10000000);

    /* 2017-05-26 00:00:00.1234567 UTC */
    const int64_t when = 131402304001234567LL;
    struct vfs_basic_info bi = {.last_write_time = when, .last_access_time = -1};
    assert_status(vfs_set_basic(f, &bi), STATUS_SUCCESS);
    uint64_t atime_before = st.last_access_time;
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS);
    assert_true(st.last_write_time == (uint64_t)when);
    assert_true(st.last_access_time == atime_before);
    struct vfs_basic_info bad = {.change_time = -3};
    assert_status(vfs_set_basic(f, &bad), STATUS_INVALID_PARAMETER);
    struct vfs_basic_info ro = {.attributes = FILE_ATTRIBUTE_READONLY};
    assert_status(vfs_set_basic(f, &ro), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_READONLY);
    struct vfs_basic_info normal = {.attributes = FILE_ATTRIBUTE_NORMAL};
    assert_status(vfs_set_basic(f, &normal), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_NORMAL);
    struct vfs_basic_info dir = {.attributes = FILE_ATTRIBUTE_DIRECTORY};
    assert_status(vfs_set_basic(f, &dir), STATUS_INVALID_PARAMETER);
    vfs_close(f);

    assert_status(open_as(t->share, ".hidden", RD, FILE_OPEN, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_HIDDEN);
    vfs_close(f);
    assert_status(open_as(t->share, "", RD, FILE_OPEN, 0, &f, NULL), STATUS_SUCCESS);
    assert_status(vfs_fstat(f, &st), STATUS_SUCCESS);
    assert_int_equal(st.attributes, FILE_ATTRIBUTE_DIRECTORY);
    assert_true(st.is_dir);
    assert_int_equal(st.end_of_file, 0);
    size_t n;
    char b[4];
    assert_status(vfs_pread(f, b, 4, 0, &n), STATUS_INVALID_DEVICE_REQUEST);
    vfs_close(f);
}

static void fsinfo(void **state)
{
    struct scratch *t = *state;
    struct vfs_fsinfo fi;
    assert_status(vfs_fsinfo(t->share, &fi), STATUS_SUCCESS);
    assert_string_equal(fi.fs_name, "NTFS");
    assert_true(fi.total_units > 0);
    assert_true(fi.caller_free_units <= fi.actual_free_units);
    assert_int_equal(fi.bytes_per_sector, 512);
    assert_true(fi.sectors_per_unit >= 1);
    assert_int_equal(fi.max_name_len, 255);
    assert_int_equal(fi.fs_attributes & 0x7, 0x7);
    assert_int_equal(fi.fs_attributes & 0x80000, 0);
    assert_int_equal(fi.device_type, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(read_write, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(stat_and_times, scratch_setup, scratch_teardown),
        cmocka_unit_test_setup_teardown(fsinfo, scratch_setup, scratch_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
