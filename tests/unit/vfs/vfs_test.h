/* Helpers for the lib/vfs unit tests: a scratch tree under /tmp per test,
 * opened as a share of the POSIX backend. */
#ifndef SIGNET_TEST_VFS_H
#define SIGNET_TEST_VFS_H

#include "vfs/internal.h"
#include "wire/create.h"

#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* The scratch layout: base/ holds share/ (the share root) and outside/. */
struct scratch {
    char base[64];
    char share_dir[96];
    char outside[96];
    struct vfs_share *share;
};

static inline int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static inline void scratch_path(const struct scratch *t, const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", t->share_dir, rel);
}

static inline void scratch_write(const struct scratch *t, const char *rel, const char *data)
{
    char p[256];
    scratch_path(t, rel, p, sizeof p);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(data, fp);
    fclose(fp);
}

static inline void scratch_mkdir(const struct scratch *t, const char *rel)
{
    char p[256];
    scratch_path(t, rel, p, sizeof p);
    assert_int_equal(mkdir(p, 0755), 0);
}

static inline void scratch_symlink(const struct scratch *t, const char *target, const char *rel)
{
    char p[256];
    scratch_path(t, rel, p, sizeof p);
    assert_int_equal(symlink(target, p), 0);
}

static inline bool scratch_exists(const struct scratch *t, const char *rel)
{
    char p[256];
    struct stat st;
    scratch_path(t, rel, p, sizeof p);
    return lstat(p, &st) == 0;
}

/* lstat a name of the share (it must exist). */
static inline struct stat scratch_lstat(const struct scratch *t, const char *rel)
{
    char p[256];
    struct stat st;
    scratch_path(t, rel, p, sizeof p);
    assert_int_equal(lstat(p, &st), 0);
    return st;
}

/* rename(2) on the disk, behind the back end. */
static inline void scratch_rename(const struct scratch *t, const char *from, const char *to)
{
    char a[256], b[256];
    scratch_path(t, from, a, sizeof a);
    scratch_path(t, to, b, sizeof b);
    assert_int_equal(rename(a, b), 0);
}

/* Read a whole file of the share into buf (NUL-terminated); its length. */
static inline size_t scratch_read(const struct scratch *t, const char *rel, char *buf, size_t cap)
{
    char p[256];
    scratch_path(t, rel, p, sizeof p);
    FILE *fp = fopen(p, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, cap - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return n;
}

static inline struct scratch *scratch_new(bool read_only)
{
    struct scratch *t = calloc(1, sizeof *t);
    assert_non_null(t);
    strcpy(t->base, "/tmp/signet-vfs-XXXXXX");
    assert_non_null(mkdtemp(t->base));
    snprintf(t->share_dir, sizeof t->share_dir, "%s/share", t->base);
    snprintf(t->outside, sizeof t->outside, "%s/outside", t->base);
    assert_int_equal(mkdir(t->share_dir, 0755), 0);
    assert_int_equal(mkdir(t->outside, 0755), 0);
    char secret[128];
    snprintf(secret, sizeof secret, "%s/secret", t->outside);
    FILE *fp = fopen(secret, "w");
    assert_non_null(fp);
    fputs("outside the share", fp);
    fclose(fp);
    assert_true(nt_ok(vfs_share_open(t->share_dir, read_only, &t->share)));
    return t;
}

static inline int scratch_setup(void **state)
{
    *state = scratch_new(false);
    return 0;
}

/* The same, resolving through the O_NOFOLLOW descriptor walk (the fallback
 * for kernels without openat2) instead of openat2. */
static inline int scratch_setup_walk(void **state)
{
    struct scratch *t = scratch_new(false);
    psh(t->share)->force_walk = true;
    *state = t;
    return 0;
}

static inline int scratch_teardown(void **state)
{
    struct scratch *t = *state;
    vfs_test_set_hook(NULL);
    vfs_share_close(t->share);
    nftw(t->base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(t);
    return 0;
}

/* vfs_open with the usual arguments; res may be NULL. */
static inline ntstatus_t open_as(struct vfs_share *s, const char *path, uint32_t access,
                                 uint32_t disposition, uint32_t options, unsigned flags,
                                 struct vfs_file **f, struct vfs_open_result *res)
{
    struct vfs_open_req r = {
        .path = path,
        .path_len = strlen(path),
        .desired_access = access,
        .create_disposition = disposition,
        .create_options = options,
    };
    struct vfs_open_result dummy;
    return vfs_open(s, &r, flags, f, res ? res : &dummy);
}

#define assert_status(expr, want)                                                                  \
    do {                                                                                           \
        ntstatus_t got_ = (expr);                                                                  \
        if (!nt_eq(got_, (want)))                                                                  \
            fail_msg("%s: got %s, want %s", #expr, nt_name(got_), nt_name(want));                  \
    } while (0)

#define RW          (FILE_READ_DATA | FILE_WRITE_DATA)
#define RD          FILE_READ_DATA
#define WOULD_BLOCK STATUS_SIGNET_WOULD_BLOCK

#endif
