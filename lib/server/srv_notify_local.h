/* Between srv_notify.c (CHANGE_NOTIFY) and srv_notify_local.c (the
 * changes local processes make, from lib/vfs's watcher). The two entry
 * points srv_int.h declares (srv_notify_local_watch, _close) are the rest. */
#ifndef SIGNET_SERVER_SRV_NOTIFY_LOCAL_H
#define SIGNET_SERVER_SRV_NOTIFY_LOCAL_H

#include <stdbool.h>
#include <stdint.h>

struct srv;
struct srv_open;
struct vfs_share;

/* ---- srv_notify_local.c ---- */

/* srv_notify_change calls it first: a change made through signetd (path
 * relative to vs's root, its FILE_ACTION_*). The kernel reports the same
 * change a moment later; that echo is not reported again. */
void srv_notify_local_note(struct srv *s, const struct vfs_share *vs, const char *path,
                           uint32_t action);
/* srv_notify_open_gone calls it: o watches no more, and the directory it
 * watched is no longer watched for it. */
void srv_notify_local_release(struct srv *s, struct srv_open *o);

/* ---- srv_notify.c ---- */

/* Does o's CHANGE_NOTIFY watch the tree below its directory
 * (SMB2_WATCH_TREE of its last request)? */
bool srv_notify_watches_tree(const struct srv_open *o);
/* Changes were lost: the watches that could have seen them answer
 * STATUS_NOTIFY_ENUM_DIR ([MS-SMB2] 3.3.5.19; the client lists the
 * directory again). vs NULL: every watch; else those on vs whose directory
 * is path or below it, or that watch a tree above it (path NULL: all on
 * vs). */
void srv_notify_overflow(struct srv *s, const struct vfs_share *vs, const char *path);

#endif
