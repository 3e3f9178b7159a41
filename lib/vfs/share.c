/* Shares, their file objects (one per device + inode with opens), and the
 * file-system information of [MS-FSCC] 2.5. */
#include "vfs/internal.h"

#include "base/filetime.h"
#include "base/status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

ntstatus_t vfs_share_open(const char *root, bool read_only, struct vfs_share **out)
{
    int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return nt_from_errno(errno);
    struct stat st;
    if (fstat(fd, &st) < 0) {
        ntstatus_t e = nt_from_errno(errno);
        close(fd);
        return e;
    }
    struct vfs_share *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return STATUS_NO_MEMORY;
    }
    s->root_fd = fd;
    s->read_only = read_only;
    s->root_dev = st.st_dev;
    s->root_ino = st.st_ino;
    s->local_fs = vfs_fs_is_local(fd);
    atomic_init(&s->refs, 1);
    pthread_mutex_init(&s->mu, NULL);
    *out = s;
    return STATUS_SUCCESS;
}

void vfs_share_unref(struct vfs_share *s)
{
    if (atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    for (size_t i = 0; i < VFS_NODE_BUCKETS; i++) {
        while (s->nodes[i]) {
            struct vfs_node *n = s->nodes[i];
            s->nodes[i] = n->next;
            vfs_node_free(n);
        }
    }
    pthread_mutex_destroy(&s->mu);
    close(s->root_fd);
    free(s);
}

void vfs_share_close(struct vfs_share *s)
{
    if (s)
        vfs_share_unref(s);
}

bool vfs_share_read_only(const struct vfs_share *s)
{
    return s->read_only;
}

void vfs_share_set_unlock_hook(struct vfs_share *s, vfs_unlock_fn fn, void *ctx)
{
    pthread_mutex_lock(&s->mu);
    s->unlock_fn = fn;
    s->unlock_ctx = ctx;
    pthread_mutex_unlock(&s->mu);
}

/* ---- file objects ---- */

static size_t node_bucket(uint64_t dev, uint64_t ino)
{
    uint64_t h = (ino * 0x9E3779B97F4A7C15ull) ^ dev;
    return (size_t)(h >> 56) % VFS_NODE_BUCKETS;
}

struct vfs_node *vfs_node_find_locked(struct vfs_share *s, uint64_t dev, uint64_t ino)
{
    for (struct vfs_node *n = s->nodes[node_bucket(dev, ino)]; n; n = n->next)
        if (n->dev == dev && n->ino == ino)
            return n;
    return NULL;
}

void vfs_node_free(struct vfs_node *n)
{
    if (!n)
        return;
    free(n->path);
    free(n->locks);
    free(n);
}

ntstatus_t vfs_node_get(struct vfs_share *s, const struct stat *st, const char *rel,
                        struct vfs_node **out)
{
    pthread_mutex_lock(&s->mu);
    struct vfs_node *n = vfs_node_find_locked(s, st->st_dev, st->st_ino);
    if (n && n->delete_pending) {
        pthread_mutex_unlock(&s->mu);
        return STATUS_DELETE_PENDING; /* [MS-FSA] 2.1.5.1.2 */
    }
    if (!n) {
        n = calloc(1, sizeof *n);
        char *path = strdup(rel);
        if (!n || !path) {
            pthread_mutex_unlock(&s->mu);
            free(n);
            free(path);
            return STATUS_NO_MEMORY;
        }
        n->dev = st->st_dev;
        n->ino = st->st_ino;
        n->is_dir = S_ISDIR(st->st_mode);
        n->path = path;
        size_t b = node_bucket(n->dev, n->ino);
        n->next = s->nodes[b];
        s->nodes[b] = n;
    }
    n->opens++;
    *out = n;
    pthread_mutex_unlock(&s->mu);
    return STATUS_SUCCESS;
}

bool vfs_node_put_locked(struct vfs_share *s, struct vfs_node *n)
{
    if (--n->opens > 0)
        return false;
    struct vfs_node **pp = &s->nodes[node_bucket(n->dev, n->ino)];
    while (*pp != n)
        pp = &(*pp)->next;
    *pp = n->next;
    return true;
}

/* Does path lie at or beneath prefix (both relative, '/' separated)? */
static bool path_under(const char *path, const char *prefix, size_t plen)
{
    return strncmp(path, prefix, plen) == 0 && (path[plen] == '\0' || path[plen] == '/');
}

ntstatus_t vfs_node_renamed_locked(struct vfs_share *s, const char *old_rel, const char *new_rel)
{
    size_t olen = strlen(old_rel), nlen = strlen(new_rel);
    for (size_t i = 0; i < VFS_NODE_BUCKETS; i++) {
        for (struct vfs_node *n = s->nodes[i]; n; n = n->next) {
            if (!path_under(n->path, old_rel, olen))
                continue;
            size_t tail = strlen(n->path) - olen;
            char *p = malloc(nlen + tail + 1);
            if (!p)
                return STATUS_NO_MEMORY;
            memcpy(p, new_rel, nlen);
            memcpy(p + nlen, n->path + olen, tail + 1);
            free(n->path);
            n->path = p;
        }
    }
    return STATUS_SUCCESS;
}

/* ---- [MS-FSCC] 2.5 file-system information ---- */

#define FS_CASE_SENSITIVE_SEARCH 0x00000001u /* 2.5.1 */
#define FS_CASE_PRESERVED_NAMES  0x00000002u
#define FS_UNICODE_ON_DISK       0x00000004u
#define FS_READ_ONLY_VOLUME      0x00080000u
#define FS_DEVICE_DISK           0x00000007u /* 2.5.10 */
#define FS_READ_ONLY_DEVICE      0x00000002u
#define FS_DEVICE_IS_MOUNTED     0x00000020u

ntstatus_t vfs_fsinfo(struct vfs_share *s, struct vfs_fsinfo *out)
{
    if (vfs_nowait())
        return STATUS_SIGNET_WOULD_BLOCK; /* statfs can wait on the disk */
    struct statvfs v;
    if (fstatvfs(s->root_fd, &v) < 0)
        return nt_from_errno(errno);
    struct vfs_stat root;
    ntstatus_t st = vfs_stat_fd(s->root_fd, NULL, &root);
    if (!nt_ok(st))
        return st;
    memset(out, 0, sizeof *out);
    uint64_t unit = v.f_frsize ? v.f_frsize : v.f_bsize;
    out->bytes_per_sector = unit >= 512 ? 512 : (uint32_t)unit;
    out->sectors_per_unit = (uint32_t)(unit / out->bytes_per_sector);
    out->total_units = v.f_blocks;
    out->caller_free_units = v.f_bavail;
    out->actual_free_units = v.f_bfree;
    out->serial_number = (uint32_t)(s->root_dev ^ (s->root_dev >> 32));
    out->volume_creation_time = root.creation_time;
    out->device_type = FS_DEVICE_DISK;
    out->device_characteristics = FS_DEVICE_IS_MOUNTED | (s->read_only ? FS_READ_ONLY_DEVICE : 0);
    out->fs_attributes = FS_CASE_SENSITIVE_SEARCH | FS_CASE_PRESERVED_NAMES | FS_UNICODE_ON_DISK |
                         (s->read_only ? FS_READ_ONLY_VOLUME : 0);
    out->max_name_len = VFS_NAME_MAX;
    out->fs_name = "NTFS";
    return STATUS_SUCCESS;
}
