/* The server-wide table of open files ([MS-FSA] 2.1.1.x File and its
 * OpenList, [MS-SMB2] 3.3.1.x GlobalOpenTable's per-file view): one entry per
 * file identity (share, device, inode) with opens, across every connection
 * and session. It holds what is per file and not per open: the opens with
 * their access and share access, delete-pending, byte-range locks and the
 * requests that wait for one, the path (kept across renames). It belongs to
 * the loop thread; the backend below (lib/vfs) knows none of it.
 *
 * Identity is per share root: two shares over the same directory see
 * separate entries (their clients are not kept from each other by share
 * modes or locks). */
#ifndef SIGNET_SERVER_SRV_FILE_H
#define SIGNET_SERVER_SRV_FILE_H

#include "server/srv_engine.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct srv;
struct srv_open;
struct srv_req;
struct vfs_share;

/* One byte-range lock ([MS-FSA] 2.1.1.x ByteRangeLock). */
struct srv_brl {
    uint64_t off, len;
    const struct srv_open *owner;
    bool exclusive;
};

#define SRV_FILE_BUCKETS     1024
#define SRV_MAX_LOCKS_FILE   4096 /* byte-range locks on one file */
#define SRV_MAX_LOCK_WAITERS 256  /* LOCK requests pending on one file */

struct srv_file {
    struct srv_file *hnext; /* hash chain */
    struct vfs_share *vs;
    uint64_t dev, ino;
    unsigned refs;          /* its opens, and creates and deletes in progress */
    struct srv_open *opens; /* Open.File.OpenList, linked by fnext / fprev */
    unsigned n_opens;
    bool is_dir, is_root;
    bool delete_pending; /* File.PendingDelete: new opens fail, the last close deletes */
    bool deleting;       /* the unlink is on its way */
    char *path;          /* relative to the share root, '/'-separated; "." for the root */
    struct srv_brl *locks;
    size_t nlocks, cap_locks;
    struct srv_req *lock_waiters; /* pending LOCK requests, oldest first */
    unsigned n_lock_waiters;
    struct srv_lease *leases;      /* the leases on it (srv_oplock.c) */
    struct srv_req *break_waiters; /* CREATEs waiting for breaks, oldest first */
    unsigned n_break_waiters;
    struct srv_serial writes; /* WRITEs run one at a time (srv_engine.h) */
};

/* The entry of (vs, dev, ino), created with path if there is none; the
 * caller holds a reference. NULL when out of memory. */
struct srv_file *srv_file_get(struct srv *s, struct vfs_share *vs, uint64_t dev, uint64_t ino,
                              const char *path, bool is_dir, bool is_root);
void srv_file_ref(struct srv_file *f);
void srv_file_unref(struct srv *s, struct srv_file *f);

/* [MS-FSA] 2.1.5.1.2.2: may an open with this (mapped) access and share
 * access join the file's opens? STATUS_SHARING_VIOLATION if not. */
ntstatus_t srv_file_share_check(const struct srv_file *f, uint32_t access, uint32_t share_access);
/* Is any file strictly beneath dir_path (on vs) open? A directory with open
 * files below cannot be renamed ([MS-FSA] 2.1.5.14.11). */
bool srv_file_open_below(const struct srv *s, const struct vfs_share *vs, const char *dir_path);
/* The entry of (vs, dev, ino) if it has one. */
struct srv_file *srv_file_find(const struct srv *s, const struct vfs_share *vs, uint64_t dev,
                               uint64_t ino);
/* The open entry at path (on vs), if any: a linear scan, for the rare
 * checks that know a name and not an identity (a rename's target
 * directory). */
struct srv_file *srv_file_find_path(const struct srv *s, const struct vfs_share *vs,
                                    const char *path);
/* old_path (a file or a directory) moved to new_path: rewrite the paths of
 * the entries at or beneath it. */
ntstatus_t srv_file_renamed(struct srv *s, const struct vfs_share *vs, const char *old_path,
                            const char *new_path);
/* The last component of f's path ("" for the root): what FileNameInformation
 * ends with, and whether a name is a dot-file. */
const char *srv_file_name(const struct srv_file *f);

/* The file's last open is gone and it is delete-pending: remove it on the
 * pool; the entry stays (delete-pending) until that is done. */
void srv_file_delete_later(struct srv *s, struct srv_file *f);

/* ---- byte-range locks (srv_brl.c), [MS-FSA] 2.1.5.7 ---- */

/* Lock [off, off+len) for o: STATUS_LOCK_NOT_GRANTED on a conflict (the
 * caller decides whether to wait), STATUS_INVALID_LOCK_RANGE when the range
 * wraps 64 bits, STATUS_INSUFFICIENT_RESOURCES over SRV_MAX_LOCKS_FILE. */
ntstatus_t srv_brl_lock(struct srv_file *f, const struct srv_open *o, uint64_t off, uint64_t len,
                        bool exclusive);
/* Remove o's lock with exactly this range, else STATUS_RANGE_NOT_LOCKED. */
ntstatus_t srv_brl_unlock(struct srv_file *f, const struct srv_open *o, uint64_t off, uint64_t len);
/* Drop every lock o holds; true if any was dropped. */
bool srv_brl_release_open(struct srv_file *f, const struct srv_open *o);
/* Does o hold a lock on f? */
bool srv_brl_held(const struct srv_file *f, const struct srv_open *o);
/* Would a read (write) of [off, off+len) by o conflict? ([MS-FSA] 2.1.4.10) */
bool srv_brl_io_conflict(const struct srv_file *f, const struct srv_open *o, uint64_t off,
                         uint64_t len, bool write);
/* Locks were released: grant what the pending LOCK requests wait for, in
 * the order they came ([MS-SMB2] 3.3.5.14). */
void srv_brl_wake(struct srv_file *f);

#endif
