/* The POSIX backend's shares, its table of operations, and the file-system
 * information of [MS-FSCC] 2.5. */
#include "vfs/internal.h"

#include "base/filetime.h"
#include "base/status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

static void posix_share_close(struct vfs_share *s)
{
    posix_share_unref(psh(s));
}

static const struct vfs_ops posix_ops = {
    .name = "posix",
    .share_close = posix_share_close,
    .open = posix_open,
    .close = posix_close,
    .pread = posix_pread,
    .pwrite = posix_pwrite,
    .fsync = posix_fsync,
    .fstat = posix_fstat,
    .set_basic = posix_set_basic,
    .set_end_of_file = posix_set_end_of_file,
    .set_allocation = posix_set_allocation,
    .dir_is_empty = posix_dir_is_empty,
    .dir_rewind = posix_dir_rewind,
    .dir_next = posix_dir_next,
    .dir_unread = posix_dir_unread,
    .unlink = posix_unlink,
    .rename = posix_rename,
    .stat_path = posix_stat_path,
    .fsinfo = posix_fsinfo,
};

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
    struct posix_share *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return STATUS_NO_MEMORY;
    }
    s->base.ops = &posix_ops;
    s->base.read_only = read_only;
    s->root_fd = fd;
    s->root_dev = st.st_dev;
    s->root_ino = st.st_ino;
    s->local_fs = vfs_fs_is_local(fd);
    atomic_init(&s->refs, 1);
    *out = &s->base;
    return STATUS_SUCCESS;
}

/* The share and each open file hold a reference on the root. */
void posix_share_unref(struct posix_share *s)
{
    if (atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    close(s->root_fd);
    free(s);
}

/* ---- [MS-FSCC] 2.5 file-system information ---- */

#define FS_CASE_SENSITIVE_SEARCH 0x00000001u /* 2.5.1 */
#define FS_CASE_PRESERVED_NAMES  0x00000002u
#define FS_UNICODE_ON_DISK       0x00000004u
#define FS_READ_ONLY_VOLUME      0x00080000u
#define FS_DEVICE_DISK           0x00000007u /* 2.5.10 */
#define FS_READ_ONLY_DEVICE      0x00000002u
#define FS_DEVICE_IS_MOUNTED     0x00000020u

ntstatus_t posix_fsinfo(struct vfs_share *vs, unsigned flags, struct vfs_fsinfo *out)
{
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK; /* statfs can wait on the disk */
    struct posix_share *s = psh(vs);
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
    out->device_characteristics = FS_DEVICE_IS_MOUNTED | (vs->read_only ? FS_READ_ONLY_DEVICE : 0);
    out->fs_attributes = FS_CASE_SENSITIVE_SEARCH | FS_CASE_PRESERVED_NAMES | FS_UNICODE_ON_DISK |
                         (vs->read_only ? FS_READ_ONLY_VOLUME : 0);
    out->max_name_len = VFS_NAME_MAX;
    out->fs_name = "NTFS";
    return STATUS_SUCCESS;
}
