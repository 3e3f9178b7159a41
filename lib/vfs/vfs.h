/* The file-system interface the server's handlers call, and its POSIX backend.
 *
 * Every function is synchronous and thread-safe: signetd runs them on libuv's
 * thread pool, so several may run at once on one share and even on one open
 * file (a read next to a rename). Every errno is converted once, with
 * nt_from_errno, at the system call that produced it.
 *
 * Paths. A client path arrives as UTF-8 (the caller converted it from the
 * UTF-16LE of the request) with backslashes, relative to the share; "" is the
 * share root. It is checked by vfs_path_normalize and then resolved by the
 * kernel beneath the share's root descriptor: openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS), or, where openat2 is missing (ENOSYS), a walk of
 * O_NOFOLLOW descriptors that gives the same guarantees. ".." inside the share
 * and relative symlinks that stay inside are followed; anything that would
 * leave the share (.., an absolute symlink, a relative one climbing out) is
 * STATUS_ACCESS_DENIED. Never a string check alone.
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

struct vfs_share; /* a root directory descriptor, the read-only flag, open files */
struct vfs_file;  /* one open: a descriptor, its file object, directory cursor */

/* ---- nowait mode ----
 *
 * signetd's loop thread tries a file command in place before it hands it to
 * the thread pool (a hand-off costs two context switches, more than opening
 * a cached file). In nowait mode, set per thread, every function below
 * either completes without waiting for the disk or returns
 * STATUS_SIGNET_WOULD_BLOCK having changed nothing, so that the caller can
 * redo the whole operation on a thread that may block (io_uring's approach):
 *  - vfs_open of an existing file (FILE_OPEN, FILE_OPEN_IF) resolves with
 *    RESOLVE_CACHED (the dentry cache only); creating, truncating or
 *    delete-on-close opens would block;
 *  - vfs_pread reads with RWF_NOWAIT (the page cache only);
 *  - vfs_close would block when it has a pending delete to carry out;
 *  - vfs_fstat, vfs_file_path, vfs_lock, vfs_unlock never wait;
 *  - everything else (writes, directory reads, SET_INFO, fsync, fsinfo)
 *    would block.
 * Only shares on local file systems (ext4, xfs, btrfs, tmpfs, f2fs, zfs,
 * overlayfs) take part: on any other, every call would block, since a
 * network file system can wait on a stat or a close. */
bool vfs_nowait_set(bool on); /* the calling thread's mode; returns the old one */
bool vfs_nowait(void);

/* Tests only (signetd never sets it): when set, called by the calls below
 * that may block, on the thread that runs them and never in nowait mode,
 * with the operation's name ("open", "pread", "pwrite", "fsync", "dir"),
 * before they touch the disk, so a test can hold an operation there. */
typedef void (*vfs_test_hook_fn)(const char *op);
void vfs_test_set_hook(vfs_test_hook_fn fn);

/* ---- shares ---- */

/* Open root (which must be a directory) as a share. */
ntstatus_t vfs_share_open(const char *root, bool read_only, struct vfs_share **out);
/* Release the share. Files still open keep it alive until they are closed. */
void vfs_share_close(struct vfs_share *s);
bool vfs_share_read_only(const struct vfs_share *s);

/* Called (from whichever thread released them) when byte-range locks of a
 * file are released, so that the server can retry the blocking LOCK requests
 * it holds pending ([MS-SMB2] 3.3.5.14). ctx is passed back. */
typedef void (*vfs_unlock_fn)(void *ctx, uint64_t dev, uint64_t ino);
void vfs_share_set_unlock_hook(struct vfs_share *s, vfs_unlock_fn fn, void *ctx);

/* ---- paths ---- */

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

/* ---- open / create: [MS-SMB2] 2.2.13, [MS-FSA] 2.1.5.1 ---- */

struct vfs_open_req {
    const char *path; /* UTF-8 with backslashes, as vfs_path_normalize takes */
    size_t path_len;
    uint32_t desired_access;     /* [MS-SMB2] 2.2.13.1 */
    uint32_t file_attributes;    /* for a created file: READONLY drops the write bits */
    uint32_t create_disposition; /* FILE_SUPERSEDE .. FILE_OVERWRITE_IF */
    uint32_t create_options;     /* FILE_DIRECTORY_FILE, FILE_NON_DIRECTORY_FILE,
                                    FILE_DELETE_ON_CLOSE honoured; others ignored */
};

/* Open or create. *create_action: FILE_SUPERSEDED, FILE_OPENED, FILE_CREATED
 * or FILE_OVERWRITTEN ([MS-SMB2] 2.2.14). Errors include
 * STATUS_OBJECT_NAME_NOT_FOUND (last component missing),
 * STATUS_OBJECT_PATH_NOT_FOUND (a directory on the way missing),
 * STATUS_OBJECT_NAME_COLLISION (FILE_CREATE of an existing name),
 * STATUS_FILE_IS_A_DIRECTORY / STATUS_NOT_A_DIRECTORY (the options disagree
 * with what is there), STATUS_INVALID_PARAMETER (bad disposition or options),
 * STATUS_DELETE_PENDING, STATUS_DIRECTORY_NOT_EMPTY (FILE_DELETE_ON_CLOSE on a
 * directory with entries), STATUS_ACCESS_DENIED (escape, read-only share,
 * FILE_DELETE_ON_CLOSE without DELETE, a device, FIFO or socket).
 * Files are created with mode 0666 and directories 0777, less the umask. */
ntstatus_t vfs_open(struct vfs_share *s, const struct vfs_open_req *req, struct vfs_file **out,
                    uint32_t *create_action);
/* Release the open's locks and descriptor; when it was the file's last open
 * and a delete is pending, remove the file. Returns the removal's status
 * (the handle is gone either way). NULL is ignored. */
ntstatus_t vfs_close(struct vfs_file *f);

bool vfs_file_is_dir(const struct vfs_file *f);
/* The open's current path relative to the share ("." for the root), '/'
 * separated; STATUS_BUFFER_TOO_SMALL when cap is short. */
ntstatus_t vfs_file_path(const struct vfs_file *f, char *out, size_t cap);

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
    bool delete_pending; /* FileStandardInformation.DeletePending */
};

ntstatus_t vfs_fstat(struct vfs_file *f, struct vfs_stat *out);

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
ntstatus_t vfs_set_basic(struct vfs_file *f, const struct vfs_basic_info *in);
/* FileEndOfFileInformation: truncate or extend (needs write access). */
ntstatus_t vfs_set_end_of_file(struct vfs_file *f, uint64_t size);
/* FileAllocationInformation: below the end of file truncates to it
 * ([MS-FSA] 2.1.5.14.1); above it reserves space (fallocate KEEP_SIZE)
 * where the file system can, and otherwise succeeds without reserving. */
ntstatus_t vfs_set_allocation(struct vfs_file *f, uint64_t size);
/* FileDispositionInformation: mark (or unmark) the file to be removed when
 * its last open closes. A directory with entries: STATUS_DIRECTORY_NOT_EMPTY;
 * the share root: STATUS_ACCESS_DENIED. */
ntstatus_t vfs_set_delete_on_close(struct vfs_file *f, bool delete_pending);
/* FileRenameInformation: move the open file to new_path (an SMB path like
 * vfs_open's, resolved beneath the root too). Without replace an existing
 * target is STATUS_OBJECT_NAME_COLLISION; with replace, a target that is a
 * directory or is open is STATUS_ACCESS_DENIED ([MS-FSA] 2.1.5.14.11). */
ntstatus_t vfs_rename(struct vfs_file *f, const char *new_path, size_t new_path_len, bool replace);

/* ---- data ---- */

/* Read up to len bytes at off; *got < len only at the end of file (0 at or
 * past it: the caller answers STATUS_END_OF_FILE). STATUS_FILE_LOCK_CONFLICT
 * when another open holds an exclusive lock on the range. */
ntstatus_t vfs_pread(struct vfs_file *f, void *buf, size_t len, uint64_t off, size_t *got);
/* Write len bytes at off, looping over short writes; *written < len only
 * when the disk refused the rest after some bytes went (the status is then
 * STATUS_SUCCESS, as Windows reports a partial write). Conflicts with shared
 * locks of any open and exclusive locks of other opens:
 * STATUS_FILE_LOCK_CONFLICT. */
ntstatus_t vfs_pwrite(struct vfs_file *f, const void *buf, size_t len, uint64_t off,
                      size_t *written);
ntstatus_t vfs_fsync(struct vfs_file *f);

/* ---- directories: QUERY_DIRECTORY ---- */

struct vfs_dirent {
    char name[VFS_NAME_MAX * 3 + 1]; /* UTF-8 */
    size_t name_len;
    struct vfs_stat st;
    uint32_t dir_index; /* its place in this enumeration, from 1 (FileIndex) */
};

/* Restart the enumeration with a new pattern (vfs_name_match). The first
 * call to vfs_dir_next on an open starts with pattern "*". */
ntstatus_t vfs_dir_rewind(struct vfs_file *dir, const char *pattern, size_t pattern_len);
/* The next matching entry, or STATUS_NO_MORE_FILES. "." and ".." come first,
 * as Windows returns them (".." of the share root describes the root
 * itself). Names a client could not use (not UTF-8, or containing '\' ':'
 * and the other characters forbidden in Windows names) and symlinks that do
 * not resolve beneath the share are skipped. */
ntstatus_t vfs_dir_next(struct vfs_file *dir, struct vfs_dirent *out);
/* Give back the entry vfs_dir_next just returned (it did not fit in the
 * response): the next call returns it again. Only one entry can be put back. */
void vfs_dir_unread(struct vfs_file *dir);

/* ---- byte-range locks: [MS-FSA] 2.1.5.7, per file (device + inode) ---- */

/* Lock [off, off+len) for this open. An exclusive lock conflicts with every
 * overlapping lock, a shared one with overlapping exclusive locks, whoever
 * holds them; a zero-length lock overlaps a lock that strictly contains its
 * offset (Samba's reading of Windows). Conflict: STATUS_LOCK_NOT_GRANTED
 * (the server decides whether to wait). off + len - 1 overflowing 64 bits:
 * STATUS_INVALID_PARAMETER (Windows says STATUS_INVALID_LOCK_RANGE). */
ntstatus_t vfs_lock(struct vfs_file *f, uint64_t off, uint64_t len, bool exclusive);
/* Remove the lock of this open with exactly this range, else
 * STATUS_RANGE_NOT_LOCKED. */
ntstatus_t vfs_unlock(struct vfs_file *f, uint64_t off, uint64_t len);

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
ntstatus_t vfs_fsinfo(struct vfs_share *s, struct vfs_fsinfo *out);

#endif
