/* The file-system interface between signetd's handlers and a storage
 * backend (design.md "lib/vfs behind struct vfs_ops"), and its POSIX backend.
 *
 * What lives here is I/O, namespace and metadata only. The SMB semantics -
 * share modes, delete-pending, byte-range locks, oplocks and leases, which
 * open may do what - live above, in the server's file table (lib/server
 * srv_file.c), so that a second backend (a cluster file system through its
 * library) implements the table of operations and nothing of SMB.
 *
 * Blocking. Every call takes flags; with VFS_NOWAIT it either completes
 * without waiting for the disk (the kernel's caches only) or returns
 * STATUS_SIGNET_WOULD_BLOCK having changed nothing, so that the caller can
 * redo it where it may block (io_uring's approach). A backend that cannot
 * promise that for a call always answers WOULD_BLOCK to it. Without
 * VFS_NOWAIT a call may block, and is made on a thread that may.
 *
 * Threads. Calls are thread-safe: signetd makes them from its thread pool,
 * several at once on one share and on one open file (a read next to a
 * rename). Every errno is converted once, with nt_from_errno, at the system
 * call that produced it.
 *
 * Paths. A client path arrives as UTF-8 (the caller converted it from the
 * UTF-16LE of the request) with backslashes, relative to the share; "" is the
 * share root. It is checked by vfs_path_normalize and then resolved by the
 * kernel beneath the share's root descriptor: openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS), or, where openat2 is missing (ENOSYS), a walk of
 * O_NOFOLLOW descriptors that gives the same guarantees. ".." inside the share
 * and relative symlinks that stay inside are followed; anything that would
 * leave the share (.., an absolute symlink, a relative one climbing out) is
 * STATUS_ACCESS_DENIED. Never a string check alone. Calls that take a
 * path after an open (unlink, rename, stat_path) take the normalized,
 * '/'-separated form relative to the root ("rel").
 *
 * Read-only shares refuse every change with STATUS_ACCESS_DENIED (what a
 * Windows server answers on a read-only share) before the disk is touched.
 *
 * Names are case-sensitive, as the POSIX file system below is; the share
 * reports FILE_CASE_SENSITIVE_SEARCH so clients know. */
#ifndef SIGNET_VFS_H
#define SIGNET_VFS_H

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest normalized path (bytes, with the NUL) and component (bytes). */
#define VFS_PATH_MAX 4096
#define VFS_NAME_MAX 255

#define VFS_NOWAIT 0x1u /* complete from the caches or answer WOULD_BLOCK */

struct vfs_ops;

/* A share: a backend's root. Backends embed this first in their own. */
struct vfs_share {
    const struct vfs_ops *ops;
    bool read_only;
};

/* An open file or directory. Backends embed this first in their own. */
struct vfs_file {
    struct vfs_share *share;
    bool is_dir;
    uint64_t dev, ino; /* its identity: the key of the server's file table */
};

/* ---- information: [MS-FSCC] 2.4 ---- */

struct vfs_stat {
    uint64_t creation_time; /* FILETIME; statx btime, else the mtime */
    uint64_t last_access_time;
    uint64_t last_write_time;
    uint64_t change_time;
    uint64_t end_of_file;     /* 0 for a directory */
    uint64_t allocation_size; /* st_blocks * 512; 0 for a directory */
    uint32_t attributes;      /* DIRECTORY, READONLY (a file without owner write),
                                 HIDDEN (a dot-file), else NORMAL */
    uint32_t nlink;
    uint64_t file_index; /* the inode number: FileInternalInformation */
    uint64_t dev;
    bool is_dir;
};

/* FileBasicInformation for SET_INFO ([MS-FSCC] 2.4.7). A time of 0 means
 * "do not change"; -1 and -2 (stop / resume automatic updates) are accepted
 * and change nothing, since POSIX cannot suspend them; anything else below
 * -2 is STATUS_INVALID_PARAMETER ([MS-FSA] 2.1.5.14.2). CreationTime and
 * ChangeTime cannot be set on POSIX and are ignored. attributes 0 means no
 * change; READONLY clears / restores the owner write bit; DIRECTORY on a file
 * or TEMPORARY on a directory is STATUS_INVALID_PARAMETER. */
struct vfs_basic_info {
    int64_t creation_time;
    int64_t last_access_time;
    int64_t last_write_time;
    int64_t change_time;
    uint32_t attributes;
};

/* ---- open / create: [MS-SMB2] 2.2.13, [MS-FSA] 2.1.5.1 ---- */

struct vfs_open_req {
    const char *path; /* UTF-8 with backslashes, as vfs_path_normalize takes */
    size_t path_len;
    uint32_t desired_access;     /* [MS-SMB2] 2.2.13.1, generic rights mapped */
    uint32_t file_attributes;    /* for a created file: READONLY drops the write bits */
    uint32_t create_disposition; /* FILE_SUPERSEDE .. FILE_OVERWRITE_IF */
    uint32_t create_options;     /* FILE_DIRECTORY_FILE and FILE_NON_DIRECTORY_FILE */
};

struct vfs_open_result {
    /* FILE_SUPERSEDED, FILE_OPENED, FILE_CREATED or FILE_OVERWRITTEN
     * ([MS-SMB2] 2.2.14). The open never truncates: for SUPERSEDED and
     * OVERWRITTEN the caller truncates (ops->set_end_of_file 0) once its
     * sharing checks passed. */
    uint32_t action;
    char rel[VFS_PATH_MAX]; /* the normalized path ("." for the root) */
    bool is_root;           /* the share's root directory */
    struct vfs_stat st;     /* as it was opened */
};

/* ---- directories: QUERY_DIRECTORY ---- */

struct vfs_dirent {
    char name[VFS_NAME_MAX * 3 + 1]; /* UTF-8 */
    size_t name_len;
    struct vfs_stat st;
    uint32_t dir_index; /* its place in this enumeration, from 1 (FileIndex) */
};

/* ---- file system: [MS-FSCC] 2.5 ---- */

struct vfs_fsinfo {
    uint64_t total_units;       /* allocation units (statvfs f_blocks) */
    uint64_t caller_free_units; /* f_bavail */
    uint64_t actual_free_units; /* f_bfree */
    uint32_t sectors_per_unit;
    uint32_t bytes_per_sector;       /* 512, or the unit size when that is smaller */
    uint32_t serial_number;          /* from the root's device number */
    uint64_t volume_creation_time;   /* the root's FILETIME (btime, else mtime) */
    uint32_t device_type;            /* FILE_DEVICE_DISK (7) */
    uint32_t device_characteristics; /* FILE_DEVICE_IS_MOUNTED, + READ_ONLY_DEVICE */
    /* FILE_CASE_SENSITIVE_SEARCH | FILE_CASE_PRESERVED_NAMES |
     * FILE_UNICODE_ON_DISK, + FILE_READ_ONLY_VOLUME on a read-only share. */
    uint32_t fs_attributes;
    uint32_t max_name_len; /* 255 */
    const char *fs_name;   /* "NTFS": what clients expect from a disk share */
};

/* The operations of a backend. Every one takes flags (VFS_NOWAIT). */
struct vfs_ops {
    const char *name;
    void (*share_close)(struct vfs_share *s);
    /* Open or create per the disposition. Errors include
     * STATUS_OBJECT_NAME_NOT_FOUND (last component missing),
     * STATUS_OBJECT_PATH_NOT_FOUND (a directory on the way missing),
     * STATUS_OBJECT_NAME_COLLISION (FILE_CREATE of an existing name),
     * STATUS_FILE_IS_A_DIRECTORY / STATUS_NOT_A_DIRECTORY (the options
     * disagree with what is there), STATUS_INVALID_PARAMETER (bad
     * disposition or options), STATUS_ACCESS_DENIED (escape, read-only share,
     * a device, FIFO or socket). Files are created with mode 0666 and
     * directories 0777, less the umask. */
    ntstatus_t (*open)(struct vfs_share *s, const struct vfs_open_req *req, unsigned flags,
                       struct vfs_file **out, struct vfs_open_result *res);
    /* Release the descriptor. NULL is ignored. */
    ntstatus_t (*close)(struct vfs_file *f, unsigned flags);
    /* Read up to len bytes at off; *got < len only at the end of file. */
    ntstatus_t (*pread)(struct vfs_file *f, void *buf, size_t len, uint64_t off, unsigned flags,
                        size_t *got);
    /* Write len bytes at off, looping over short writes; *written < len only
     * when the disk refused the rest after some bytes went (the status is
     * then STATUS_SUCCESS, as Windows reports a partial write). */
    ntstatus_t (*pwrite)(struct vfs_file *f, const void *buf, size_t len, uint64_t off,
                         unsigned flags, size_t *written);
    ntstatus_t (*fsync)(struct vfs_file *f, unsigned flags);
    ntstatus_t (*fstat)(struct vfs_file *f, unsigned flags, struct vfs_stat *out);
    ntstatus_t (*set_basic)(struct vfs_file *f, const struct vfs_basic_info *in, unsigned flags);
    /* FileEndOfFileInformation: truncate or extend. */
    ntstatus_t (*set_end_of_file)(struct vfs_file *f, uint64_t size, unsigned flags);
    /* FileAllocationInformation: below the end of file truncates to it
     * ([MS-FSA] 2.1.5.14.1); above it reserves space where the file system
     * can, and otherwise succeeds without reserving. */
    ntstatus_t (*set_allocation)(struct vfs_file *f, uint64_t size, unsigned flags);
    /* Does the directory have entries besides . and ..? */
    ntstatus_t (*dir_is_empty)(struct vfs_file *dir, unsigned flags, bool *empty);
    /* Restart the enumeration with a new pattern (vfs_name_match). The first
     * call to dir_next on an open starts with pattern "*". */
    ntstatus_t (*dir_rewind)(struct vfs_file *dir, const char *pattern, size_t pattern_len,
                             unsigned flags);
    /* The next matching entry, or STATUS_NO_MORE_FILES. "." and ".." come
     * first, as Windows returns them (".." of the share root describes the
     * root itself). Names a client could not use (not UTF-8, or containing
     * '\' ':' and the other characters forbidden in Windows names) and
     * symlinks that do not resolve beneath the share are skipped. */
    ntstatus_t (*dir_next)(struct vfs_file *dir, unsigned flags, struct vfs_dirent *out);
    /* Give back the entry dir_next just returned (it did not fit in the
     * response): the next call returns it again. Only one can be put back. */
    void (*dir_unread)(struct vfs_file *dir);
    /* Remove rel if it is still the file (dev, ino); a directory must be
     * empty (STATUS_DIRECTORY_NOT_EMPTY). Replaced behind our back:
     * STATUS_OBJECT_NAME_NOT_FOUND, and nothing is removed. */
    ntstatus_t (*unlink)(struct vfs_share *s, const char *rel, uint64_t dev, uint64_t ino,
                         bool is_dir, unsigned flags);
    /* Move old_rel (which must still be (dev, ino)) to new_rel. Without
     * replace an existing target is STATUS_OBJECT_NAME_COLLISION; with it a
     * target that is a directory is STATUS_ACCESS_DENIED ([MS-FSA]
     * 2.1.5.14.11). A target that is the source itself changes nothing. */
    ntstatus_t (*rename)(struct vfs_share *s, const char *old_rel, uint64_t dev, uint64_t ino,
                         const char *new_rel, bool replace, unsigned flags);
    /* The figures of rel (not following a last symlink); NOT_FOUND when
     * missing. */
    ntstatus_t (*stat_path)(struct vfs_share *s, const char *rel, unsigned flags,
                            struct vfs_stat *out);
    ntstatus_t (*fsinfo)(struct vfs_share *s, unsigned flags, struct vfs_fsinfo *out);
};

/* ---- the calls, through a share's or file's backend ---- */

static inline ntstatus_t vfs_open(struct vfs_share *s, const struct vfs_open_req *req,
                                  unsigned flags, struct vfs_file **out,
                                  struct vfs_open_result *res)
{
    return s->ops->open(s, req, flags, out, res);
}
static inline ntstatus_t vfs_close(struct vfs_file *f, unsigned flags)
{
    return f ? f->share->ops->close(f, flags) : STATUS_SUCCESS;
}
static inline ntstatus_t vfs_pread(struct vfs_file *f, void *buf, size_t len, uint64_t off,
                                   unsigned flags, size_t *got)
{
    return f->share->ops->pread(f, buf, len, off, flags, got);
}
static inline ntstatus_t vfs_pwrite(struct vfs_file *f, const void *buf, size_t len, uint64_t off,
                                    unsigned flags, size_t *written)
{
    return f->share->ops->pwrite(f, buf, len, off, flags, written);
}
static inline ntstatus_t vfs_fsync(struct vfs_file *f, unsigned flags)
{
    return f->share->ops->fsync(f, flags);
}
static inline ntstatus_t vfs_fstat(struct vfs_file *f, unsigned flags, struct vfs_stat *out)
{
    return f->share->ops->fstat(f, flags, out);
}
static inline ntstatus_t vfs_set_basic(struct vfs_file *f, const struct vfs_basic_info *in,
                                       unsigned flags)
{
    return f->share->ops->set_basic(f, in, flags);
}
static inline ntstatus_t vfs_set_end_of_file(struct vfs_file *f, uint64_t size, unsigned flags)
{
    return f->share->ops->set_end_of_file(f, size, flags);
}
static inline ntstatus_t vfs_set_allocation(struct vfs_file *f, uint64_t size, unsigned flags)
{
    return f->share->ops->set_allocation(f, size, flags);
}
static inline ntstatus_t vfs_dir_is_empty(struct vfs_file *dir, unsigned flags, bool *empty)
{
    return dir->share->ops->dir_is_empty(dir, flags, empty);
}
static inline ntstatus_t vfs_dir_rewind(struct vfs_file *dir, const char *pattern,
                                        size_t pattern_len, unsigned flags)
{
    return dir->share->ops->dir_rewind(dir, pattern, pattern_len, flags);
}
static inline ntstatus_t vfs_dir_next(struct vfs_file *dir, unsigned flags, struct vfs_dirent *out)
{
    return dir->share->ops->dir_next(dir, flags, out);
}
static inline void vfs_dir_unread(struct vfs_file *dir)
{
    dir->share->ops->dir_unread(dir);
}
static inline ntstatus_t vfs_unlink(struct vfs_share *s, const char *rel, uint64_t dev,
                                    uint64_t ino, bool is_dir, unsigned flags)
{
    return s->ops->unlink(s, rel, dev, ino, is_dir, flags);
}
static inline ntstatus_t vfs_rename(struct vfs_share *s, const char *old_rel, uint64_t dev,
                                    uint64_t ino, const char *new_rel, bool replace, unsigned flags)
{
    return s->ops->rename(s, old_rel, dev, ino, new_rel, replace, flags);
}
static inline ntstatus_t vfs_stat_path(struct vfs_share *s, const char *rel, unsigned flags,
                                       struct vfs_stat *out)
{
    return s->ops->stat_path(s, rel, flags, out);
}
static inline ntstatus_t vfs_fsinfo(struct vfs_share *s, unsigned flags, struct vfs_fsinfo *out)
{
    return s->ops->fsinfo(s, flags, out);
}
/* Release the share (files still open keep it alive until they close). */
static inline void vfs_share_close(struct vfs_share *s)
{
    if (s)
        s->ops->share_close(s);
}

/* ---- the POSIX backend ---- */

/* Open root (which must be a directory) as a share. Calls with VFS_NOWAIT
 * take part only when it is on a local file system (ext4, xfs, btrfs,
 * tmpfs, f2fs, zfs, overlayfs): on any other every call would block, since
 * a network file system can wait on a stat or a close. What completes from
 * the caches: opening an existing name in the dentry cache (openat2
 * RESOLVE_CACHED), reading from the page cache (RWF_NOWAIT), fstat, and
 * closing; everything else answers WOULD_BLOCK with VFS_NOWAIT. */
ntstatus_t vfs_share_open(const char *root, bool read_only, struct vfs_share **out);

/* ---- helpers for every backend ---- */

#define VFS_PATH_TRAILING_SEP 0x1u /* "dir\" : the target must be a directory */

/* Check an SMB path and turn it into the relative POSIX path the resolver
 * takes ("." for the share root, '/' separators). Rules:
 *  - a leading '\' is STATUS_INVALID_PARAMETER ([MS-SMB2] 3.3.5.9);
 *  - empty components ("a\\b"), '/', control characters and the characters
 *    Windows forbids in names ('<' '>' '"' '|' '?' '*', [MS-FSCC] 2.1.5.2)
 *    are STATUS_OBJECT_NAME_INVALID, and so is a component longer than 255;
 *  - streams: a trailing "::$DATA" (the default data stream) is dropped;
 *    any other ':' names a stream this back end does not have:
 *    STATUS_OBJECT_NAME_NOT_FOUND on the last component (what Samba without
 *    stream support answers), STATUS_OBJECT_NAME_INVALID elsewhere. The
 *    share does not report FILE_NAMED_STREAMS;
 *  - one trailing '\' is dropped and sets VFS_PATH_TRAILING_SEP;
 *  - "." and ".." are left for the kernel to resolve beneath the root;
 *  - longer than VFS_PATH_MAX: STATUS_NAME_TOO_LONG.
 * out_cap must be at least len + 1 (and 2); VFS_PATH_MAX always does.
 * *flags may be NULL. */
ntstatus_t vfs_path_normalize(const char *smb, size_t len, char *out, size_t out_cap,
                              unsigned *flags);

/* SMB directory pattern matching ([MS-FSA] 2.1.4.4), case-sensitive like
 * the file system: '*' matches any run of characters, '?' exactly one (a
 * UTF-8 code point), and the DOS wildcards Windows clients send: '<' any run
 * not taking the name's last '.', '>' one character or nothing at a '.' or
 * the end, '"' a '.' or nothing at the end. "" "*" and "*.*" match every
 * name (as Windows servers treat "*.*"). Linear in pattern x name. */
bool vfs_name_match(const char *pattern, size_t pattern_len, const char *name);

/* Tests only (signetd never sets it): when set, called by these calls of
 * the POSIX backend, on the thread that runs them and never with
 * VFS_NOWAIT, with the operation's name: open ("open"), pread ("pread"),
 * pwrite ("pwrite"), fsync ("fsync"), dir_rewind ("dir"), unlink ("unlink")
 * and rename ("rename"), before they touch the disk, so that a test can
 * hold one there. */
typedef void (*vfs_test_hook_fn)(const char *op);
void vfs_test_set_hook(vfs_test_hook_fn fn);

/* ---- change watching ----
 *
 * What changes beneath watched directories, by anyone: signetd's own calls
 * above and local processes alike (the server's CHANGE_NOTIFY, [MS-SMB2]
 * 3.3.5.19, needs the latter). On POSIX from inotify(7).
 *
 * A watcher serves every share. A watch names an open directory and, when
 * recursive, every directory below it: those there when it starts and
 * those that appear later, each once the caller passed it to
 * vfs_watch_more (for those below at the start: the directory itself, with
 * its own path; for those that come later an event says so). The open
 * directory itself is watched at once, through its descriptor, so that
 * nothing that happens in it after vfs_watch_dir returns goes unseen.
 * Kernel watches are per directory and shared between the watches that
 * cover it; at most VFS_WATCH_MAX (directory, share) pairs are watched per
 * watcher. Beyond that, or beyond the kernel's own limit, a watch is set up
 * in part and says so: what it does not cover is not reported.
 *
 * Threads. vfs_watch_more may block (it resolves and walks directories;
 * with VFS_NOWAIT it answers WOULD_BLOCK) and is made on a thread that
 * may; the others do not block. All are thread-safe, except that
 * vfs_watcher_read is called from one thread at a time and
 * vfs_watcher_close when no other call runs or will run. */

struct vfs_watcher;
struct vfs_watch;

#define VFS_WATCH_MAX 4096 /* watched (directory, share) pairs per watcher */

enum vfs_change {
    VFS_CHANGE_ADDED,       /* a name appeared: created, or moved in */
    VFS_CHANGE_REMOVED,     /* a name went: deleted, or moved out */
    VFS_CHANGE_RENAMED_OLD, /* renamed within its directory: the old name, */
    VFS_CHANGE_RENAMED_NEW, /* ... then the new one */
    VFS_CHANGE_DATA,        /* contents written or truncated */
    VFS_CHANGE_ATTRIBUTES,  /* metadata: mode, owner, times, xattrs, link count */
    VFS_CHANGE_OVERFLOW,    /* events were lost (the kernel's queue overflowed) */
};

struct vfs_change_event {
    enum vfs_change kind;
    /* The share and the directory (relative to its root, '/'-separated, "."
     * for the root) the name changed in, as the watcher knows them; an
     * event in a directory two shares watch comes once for each. NULL,
     * NULL with OVERFLOW (any share, anywhere). */
    struct vfs_share *share;
    const char *dir;
    /* one component ("" with OVERFLOW); names vfs_dir_next would not show
     * are not reported, nor watched below */
    const char *name;
    bool is_dir;
    /* A directory that appeared (ADDED or RENAMED_NEW) below a recursive
     * watch: pass dir/name to vfs_watch_more to see what happens in it. */
    bool watch_below;
    bool created; /* ADDED: made here, not moved in (what is in it is new too) */
};

/* On the reading thread; ev and its strings are valid during the call. The
 * callback may call vfs_unwatch_dir, but not vfs_watcher_read or _close. */
typedef void (*vfs_change_fn)(void *ctx, const struct vfs_change_event *ev);
/* On the thread of vfs_watch_more: an entry the walk found in a directory
 * it set watches on (its changes before the watch came are not reported). */
typedef void (*vfs_found_fn)(void *ctx, const char *dir, const char *name, bool is_dir);

/* A watcher with nothing watched; *fd becomes readable when there is
 * something to vfs_watcher_read (it stays the watcher's). */
ntstatus_t vfs_watcher_open(struct vfs_watcher **out, int *fd);
/* Watch the directory open as dir, whose path is rel (normalized, as the
 * server's file table holds it; "." the root): at once, through its
 * descriptor, without blocking (VFS_NOWAIT changes nothing). When
 * recursive, the directories below are covered too, and watched once
 * vfs_watch_more(rel) has walked them. The watch holds a reference on the
 * share. *partial is set when the directory could not be watched for the
 * limits above. STATUS_NOT_SUPPORTED when the backend cannot watch. */
ntstatus_t vfs_watch_dir(struct vfs_watcher *w, struct vfs_file *dir, const char *rel,
                         bool recursive, unsigned flags, struct vfs_watch **out, bool *partial);
/* rel and the directories below it, for the recursive watches of share
 * that cover it (an event's watch_below); nothing when none does any more.
 * found (may be NULL) is told what the walk finds. */
ntstatus_t vfs_watch_more(struct vfs_watcher *w, struct vfs_share *share, const char *rel,
                          unsigned flags, vfs_found_fn found, void *ctx, bool *partial);
/* End a watch: directories no other watch covers are no longer watched. */
void vfs_unwatch_dir(struct vfs_watcher *w, struct vfs_watch *watch);
/* The changes pending, without waiting, each to fn in the order they
 * happened (per directory). A directory renamed or moved between watched
 * directories keeps being watched under its new name. */
ntstatus_t vfs_watcher_read(struct vfs_watcher *w, vfs_change_fn fn, void *ctx);
/* Ends the watches left and closes the descriptor. NULL is ignored. */
void vfs_watcher_close(struct vfs_watcher *w);

#endif
