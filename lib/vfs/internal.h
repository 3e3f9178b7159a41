/* lib/vfs internals: shared by the back end's files and its unit tests. */
#ifndef SIGNET_VFS_INTERNAL_H
#define SIGNET_VFS_INTERNAL_H

#include "vfs/vfs.h"

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

/* One byte-range lock held by an open. */
struct vfs_lock_rec {
    uint64_t off;
    uint64_t len;
    const struct vfs_file *owner;
    bool exclusive;
};

/* The file object: one per (dev, ino) with opens on a share. Guarded by the
 * share's mutex. */
struct vfs_node {
    struct vfs_node *next; /* hash chain */
    uint64_t dev;
    uint64_t ino;
    unsigned opens;
    bool delete_pending;
    bool is_dir;
    char *path; /* relative to the root; follows renames through the share */
    struct vfs_lock_rec *locks;
    size_t nlocks, cap_locks;
};

#define VFS_NODE_BUCKETS       256
#define VFS_MAX_LOCKS_PER_FILE 4096

struct vfs_share {
    int root_fd; /* O_PATH | O_DIRECTORY */
    bool read_only;
    bool force_walk; /* tests: use the descriptor walk instead of openat2 */
    bool local_fs;   /* the root is on a local file system: nowait mode applies */
    atomic_uint refs;
    uint64_t root_dev, root_ino;
    pthread_mutex_t mu;
    struct vfs_node *nodes[VFS_NODE_BUCKETS];
    vfs_unlock_fn unlock_fn;
    void *unlock_ctx;
};

struct vfs_file {
    struct vfs_share *share;
    struct vfs_node *node;
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

/* ---- nowait.c ---- */
/* In nowait mode, may s serve this call without blocking? (Its file system
 * is local.) Outside nowait mode: always. */
bool vfs_nowait_share_ok(const struct vfs_share *s);
bool vfs_fs_is_local(int fd);
/* vfs.h "Tests only": the hook, if one is set and the mode may block. */
void vfs_test_point(const char *op);

/* ---- resolve.c ---- */
/* Open rel (normalized) beneath the share root: a descriptor, or -errno.
 * An escape is -EXDEV. */
int vfs_resolve(const struct vfs_share *s, const char *rel, int flags, mode_t mode);
/* The same through the O_NOFOLLOW descriptor walk (the ENOSYS fallback). */
int vfs_resolve_walk(int root_fd, const char *rel, int flags, mode_t mode);
/* Split rel into its parent, opened O_PATH|O_DIRECTORY beneath the root
 * (*dirfd), and its last component (*name, pointing into rel). "." or ".."
 * as the last component, or the root itself: STATUS_OBJECT_NAME_INVALID. */
ntstatus_t vfs_resolve_parent(const struct vfs_share *s, const char *rel, int *dirfd,
                              const char **name);
/* -errno from resolution as a status: an escape (EXDEV) is
 * STATUS_ACCESS_DENIED, the rest nt_from_errno. */
ntstatus_t vfs_resolve_status(int neg_errno);

/* ---- node.c ---- */
/* Find or create the node for st, counting one more open. */
ntstatus_t vfs_node_get(struct vfs_share *s, const struct stat *st, const char *rel,
                        struct vfs_node **out);
/* Drop one open; when it was the last, unlink the node (returning true) and
 * hand the caller its path and delete flag. Must hold s->mu. */
bool vfs_node_put_locked(struct vfs_share *s, struct vfs_node *n);
void vfs_node_free(struct vfs_node *n);
/* Under s->mu: the node for (dev, ino) if one is open. */
struct vfs_node *vfs_node_find_locked(struct vfs_share *s, uint64_t dev, uint64_t ino);
/* Under s->mu: rewrite paths at or beneath old_rel to new_rel. */
ntstatus_t vfs_node_renamed_locked(struct vfs_share *s, const char *old_rel, const char *new_rel);
void vfs_share_unref(struct vfs_share *s);

/* ---- lock.c ---- */
/* Under s->mu: would a read (write) of [off, off+len) by f conflict? */
bool vfs_lock_io_conflict_locked(const struct vfs_file *f, uint64_t off, uint64_t len, bool write);
/* Under s->mu: drop every lock f holds; true if any was dropped. */
bool vfs_lock_release_all_locked(struct vfs_file *f);

/* ---- info.c ---- */
/* Fill out from an fd (path: for the dot-file HIDDEN bit, may be NULL). */
ntstatus_t vfs_stat_fd(int fd, const char *name, struct vfs_stat *out);
/* statx(dirfd, path, at_flags) into out; name as for vfs_stat_fd. */
ntstatus_t vfs_stat_at(int dirfd, const char *path, int at_flags, const char *name,
                       struct vfs_stat *out);
/* Does the directory open on fd have entries besides . and ..? */
ntstatus_t vfs_dir_is_empty(int fd, bool *empty);

#endif
