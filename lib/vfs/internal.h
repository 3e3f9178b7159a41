/* The POSIX backend's internals: shared by its files and its unit tests. */
#ifndef SIGNET_VFS_INTERNAL_H
#define SIGNET_VFS_INTERNAL_H

#include "vfs/vfs.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

struct posix_share {
    struct vfs_share base;
    int root_fd;     /* O_PATH | O_DIRECTORY */
    bool force_walk; /* tests: use the descriptor walk instead of openat2 */
    bool local_fs;   /* the root is on a local file system: VFS_NOWAIT applies */
    atomic_uint refs;
    uint64_t root_dev, root_ino;
};

struct posix_file {
    struct vfs_file base;
    int fd;             /* O_RDONLY / O_RDWR; O_PATH when no data access was possible */
    bool can_read;      /* the descriptor allows read(2) */
    bool can_write;     /* ... and write(2) */
    pthread_mutex_t mu; /* the directory cursor */
    DIR *dir;
    char *pattern;
    bool dot_done, dotdot_done;
    uint32_t entries; /* returned since the last rewind: the next dir_index - 1 */
    bool have_unread;
    struct vfs_dirent *unread;
};

static inline struct posix_share *psh(struct vfs_share *s)
{
    return (struct posix_share *)s;
}
static inline const struct posix_share *cpsh(const struct vfs_share *s)
{
    return (const struct posix_share *)s;
}
static inline struct posix_file *pf(struct vfs_file *f)
{
    return (struct posix_file *)f;
}

/* ---- nowait.c ---- */
/* May this call be made? With VFS_NOWAIT on a share that is not on a local
 * file system: no (the caller answers WOULD_BLOCK). */
static inline bool posix_nowait_ok(const struct vfs_share *s, unsigned flags)
{
    return !(flags & VFS_NOWAIT) || cpsh(s)->local_fs;
}
bool vfs_fs_is_local(int fd);
/* vfs.h "Tests only": the hook, if one is set and the call may block. */
void vfs_test_point(const char *op, unsigned flags);

/* ---- resolve.c ---- */
/* Open rel (normalized) beneath the share root: a descriptor, or -errno.
 * An escape is -EXDEV; with VFS_NOWAIT a name not in the dentry cache is
 * -EAGAIN. */
int vfs_resolve(const struct posix_share *s, const char *rel, int flags, mode_t mode,
                unsigned vflags);
/* The same through the O_NOFOLLOW descriptor walk (the ENOSYS fallback). */
int vfs_resolve_walk(int root_fd, const char *rel, int flags, mode_t mode);
/* Split rel into its parent, opened O_PATH|O_DIRECTORY beneath the root
 * (*dirfd), and its last component (*name, pointing into rel). "." or ".."
 * as the last component, or the root itself: STATUS_OBJECT_NAME_INVALID. */
ntstatus_t vfs_resolve_parent(const struct posix_share *s, const char *rel, int *dirfd,
                              const char **name);
/* The path of what fd names, relative to the share root, as the kernel
 * names it now (/proc/self/fd): "." for the root. OBJECT_PATH_NOT_FOUND when
 * it is not beneath the root (or /proc is missing). */
ntstatus_t vfs_fd_rel(const struct posix_share *s, int fd, char *out, size_t cap);
/* -errno from resolution as a status: an escape (EXDEV) is
 * STATUS_ACCESS_DENIED, -EAGAIN with VFS_NOWAIT STATUS_SIGNET_WOULD_BLOCK,
 * the rest nt_from_errno. */
ntstatus_t vfs_resolve_status(int neg_errno, unsigned vflags);

/* ---- share.c ---- */
void posix_share_unref(struct posix_share *s);

/* ---- info.c ---- */
/* Fill out from an fd (name: for the dot-file HIDDEN bit, may be NULL). */
ntstatus_t vfs_stat_fd(int fd, const char *name, struct vfs_stat *out);
/* statx(dirfd, path, at_flags) into out; name as for vfs_stat_fd. */
ntstatus_t vfs_stat_at(int dirfd, const char *path, int at_flags, const char *name,
                       struct vfs_stat *out);
ntstatus_t posix_fstat(struct vfs_file *f, unsigned flags, struct vfs_stat *out);
ntstatus_t posix_set_basic(struct vfs_file *f, const struct vfs_basic_info *in, unsigned flags);
ntstatus_t posix_set_end_of_file(struct vfs_file *f, uint64_t size, unsigned flags);
ntstatus_t posix_set_allocation(struct vfs_file *f, uint64_t size, unsigned flags);
ntstatus_t posix_dir_is_empty(struct vfs_file *dir, unsigned flags, bool *empty);
ntstatus_t posix_stat_path(struct vfs_share *s, const char *rel, unsigned flags,
                           struct vfs_stat *out);
ntstatus_t posix_fsinfo(struct vfs_share *s, unsigned flags, struct vfs_fsinfo *out);

/* ---- open.c, ns.c ---- */
ntstatus_t posix_open(struct vfs_share *s, const struct vfs_open_req *req, unsigned flags,
                      struct vfs_file **out, struct vfs_open_result *res);
ntstatus_t posix_close(struct vfs_file *f, unsigned flags);
ntstatus_t posix_unlink(struct vfs_share *s, const char *rel, uint64_t dev, uint64_t ino,
                        bool is_dir, unsigned flags);
ntstatus_t posix_rename(struct vfs_share *s, const char *old_rel, uint64_t dev, uint64_t ino,
                        const char *new_rel, bool replace, unsigned flags);

/* ---- io.c ---- */
ntstatus_t posix_pread(struct vfs_file *f, void *buf, size_t len, uint64_t off, unsigned flags,
                       size_t *got);
ntstatus_t posix_pwrite(struct vfs_file *f, const void *buf, size_t len, uint64_t off,
                        unsigned flags, size_t *written);
ntstatus_t posix_fsync(struct vfs_file *f, unsigned flags);

/* ---- dir.c ---- */
ntstatus_t posix_dir_rewind(struct vfs_file *dir, const char *pattern, size_t pattern_len,
                            unsigned flags);
ntstatus_t posix_dir_next(struct vfs_file *dir, unsigned flags, struct vfs_dirent *out);
void posix_dir_unread(struct vfs_file *dir);

#endif
