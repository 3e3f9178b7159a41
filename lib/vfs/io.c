/* READ, WRITE and FLUSH on an open file. */
#include "vfs/internal.h"

#include "base/status.h"

#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

/* Would this I/O run into another open's byte-range lock? */
static bool io_conflict(struct vfs_file *f, uint64_t off, size_t len, bool write)
{
    pthread_mutex_lock(&f->share->mu);
    bool c = f->node->nlocks > 0 && vfs_lock_io_conflict_locked(f, off, len, write);
    pthread_mutex_unlock(&f->share->mu);
    return c;
}

ntstatus_t vfs_pread(struct vfs_file *f, void *buf, size_t len, uint64_t off, size_t *got)
{
    *got = 0;
    if (f->node->is_dir)
        return STATUS_INVALID_DEVICE_REQUEST; /* what Windows answers a READ on a directory */
    if (!f->can_read)
        return STATUS_ACCESS_DENIED;
    if (off > INT64_MAX || len > INT64_MAX - off)
        return STATUS_INVALID_PARAMETER;
    if (!vfs_nowait_share_ok(f->share))
        return STATUS_SIGNET_WOULD_BLOCK;
    if (io_conflict(f, off, len, false))
        return STATUS_FILE_LOCK_CONFLICT;
    /* nowait mode: the page cache only; a partly cached range is read again
     * whole by the caller's thread that may block */
    int flags = vfs_nowait() ? RWF_NOWAIT : 0;
    vfs_test_point("pread");
    size_t done = 0;
    while (done < len) {
        struct iovec iov = {(char *)buf + done, len - done};
        ssize_t n = preadv2(f->fd, &iov, 1, (off_t)(off + done), flags);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && flags && (errno == EAGAIN || errno == EOPNOTSUPP))
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

ntstatus_t vfs_pwrite(struct vfs_file *f, const void *buf, size_t len, uint64_t off,
                      size_t *written)
{
    *written = 0;
    if (vfs_nowait())
        return STATUS_SIGNET_WOULD_BLOCK;
    if (f->share->read_only)
        return STATUS_ACCESS_DENIED;
    if (f->node->is_dir)
        return STATUS_INVALID_DEVICE_REQUEST;
    if (!f->can_write)
        return STATUS_ACCESS_DENIED;
    if (off > INT64_MAX || len > INT64_MAX - off)
        return STATUS_INVALID_PARAMETER;
    if (io_conflict(f, off, len, true))
        return STATUS_FILE_LOCK_CONFLICT;
    vfs_test_point("pwrite");
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

ntstatus_t vfs_fsync(struct vfs_file *f)
{
    if (vfs_nowait())
        return STATUS_SIGNET_WOULD_BLOCK;
    if (f->share->read_only)
        return STATUS_SUCCESS; /* nothing of ours to flush */
    vfs_test_point("fsync");
    if (fsync(f->fd) < 0 && errno != EINVAL && errno != EBADF)
        return nt_from_errno(errno);
    return STATUS_SUCCESS;
}
