/* READ, WRITE and FLUSH on an open file. Byte-range locks are the server's
 * (it checks them before it reads or writes). */
#include "vfs/internal.h"

#include "base/status.h"

#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

ntstatus_t posix_pread(struct vfs_file *vf, void *buf, size_t len, uint64_t off, unsigned flags,
                       size_t *got)
{
    struct posix_file *f = pf(vf);
    *got = 0;
    if (vf->is_dir)
        return STATUS_INVALID_DEVICE_REQUEST; /* what Windows answers a READ on a directory */
    if (!f->can_read)
        return STATUS_ACCESS_DENIED;
    if (off > INT64_MAX || len > INT64_MAX - off)
        return STATUS_INVALID_PARAMETER;
    if (!posix_nowait_ok(vf->share, flags))
        return STATUS_SIGNET_WOULD_BLOCK;
    /* VFS_NOWAIT: the page cache only; a partly cached range is read again
     * whole by the caller's thread that may block */
    int rwf = (flags & VFS_NOWAIT) ? RWF_NOWAIT : 0;
    vfs_test_point("pread", flags);
    size_t done = 0;
    while (done < len) {
        struct iovec iov = {(char *)buf + done, len - done};
        ssize_t n = preadv2(f->fd, &iov, 1, (off_t)(off + done), rwf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && rwf && (errno == EAGAIN || errno == EOPNOTSUPP))
            return STATUS_SIGNET_WOULD_BLOCK;
        if (n < 0)
            return nt_from_errno(errno);
        if (n == 0)
            break;
        done += (size_t)n;
    }
    *got = done;
    return STATUS_SUCCESS;
}

ntstatus_t posix_pwrite(struct vfs_file *vf, const void *buf, size_t len, uint64_t off,
                        unsigned flags, size_t *written)
{
    struct posix_file *f = pf(vf);
    *written = 0;
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    if (vf->share->read_only)
        return STATUS_ACCESS_DENIED;
    if (vf->is_dir)
        return STATUS_INVALID_DEVICE_REQUEST;
    if (!f->can_write)
        return STATUS_ACCESS_DENIED;
    if (off > INT64_MAX || len > INT64_MAX - off)
        return STATUS_INVALID_PARAMETER;
    vfs_test_point("pwrite", flags);
    size_t done = 0;
    while (done < len) {
        ssize_t n = pwrite(f->fd, (const char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return done ? STATUS_SUCCESS : nt_from_errno(errno);
        done += (size_t)n;
        *written = done;
    }
    return STATUS_SUCCESS;
}

ntstatus_t posix_fsync(struct vfs_file *vf, unsigned flags)
{
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    if (vf->share->read_only)
        return STATUS_SUCCESS; /* nothing of ours to flush */
    vfs_test_point("fsync", flags);
    if (fsync(pf(vf)->fd) < 0 && errno != EINVAL && errno != EBADF)
        return nt_from_errno(errno);
    return STATUS_SUCCESS;
}
