/* QUERY_INFO and SET_INFO on an open file: [MS-FSCC] 2.4, [MS-FSA] 2.1.5.14. */
#include "vfs/internal.h"

#include "base/filetime.h"
#include "base/status.h"
#include "wire/create.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static uint64_t ft_of(struct statx_timestamp t)
{
    struct timespec ts = {.tv_sec = t.tv_sec, .tv_nsec = t.tv_nsec};
    return filetime_from_timespec(ts);
}

/* [MS-FSCC] 2.6 attributes from a POSIX mode and name. */
static uint32_t attributes_of(mode_t mode, const char *name)
{
    uint32_t a = 0;
    if (S_ISDIR(mode))
        a |= FILE_ATTRIBUTE_DIRECTORY;
    else if (!(mode & S_IWUSR))
        a |= FILE_ATTRIBUTE_READONLY;
    if (name && name[0] == '.' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
        a |= FILE_ATTRIBUTE_HIDDEN;
    return a ? a : FILE_ATTRIBUTE_NORMAL;
}

ntstatus_t vfs_stat_fd(int fd, const char *name, struct vfs_stat *out)
{
    return vfs_stat_at(fd, "", AT_EMPTY_PATH, name, out);
}

ntstatus_t vfs_stat_at(int dirfd, const char *path, int at_flags, const char *name,
                       struct vfs_stat *out)
{
    struct statx sx;
    if (statx(dirfd, path, at_flags, STATX_BASIC_STATS | STATX_BTIME, &sx) < 0)
        return nt_from_errno(errno);
    memset(out, 0, sizeof *out);
    bool dir = S_ISDIR(sx.stx_mode);
    out->last_access_time = ft_of(sx.stx_atime);
    out->last_write_time = ft_of(sx.stx_mtime);
    out->change_time = ft_of(sx.stx_ctime);
    out->creation_time = (sx.stx_mask & STATX_BTIME) ? ft_of(sx.stx_btime) : out->last_write_time;
    out->end_of_file = dir ? 0 : sx.stx_size;
    out->allocation_size = dir ? 0 : sx.stx_blocks * 512;
    out->attributes = attributes_of(sx.stx_mode, name);
    out->nlink = sx.stx_nlink;
    out->file_index = sx.stx_ino;
    out->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    out->is_dir = dir;
    return STATUS_SUCCESS;
}

/* The figures of an open file; the HIDDEN bit of a dot-file comes with
 * the name, which the server knows (srv_file.c). */
ntstatus_t posix_fstat(struct vfs_file *f, unsigned flags, struct vfs_stat *out)
{
    if (!posix_nowait_ok(f->share, flags))
        return STATUS_SIGNET_WOULD_BLOCK;
    return vfs_stat_fd(pf(f)->fd, NULL, out);
}

ntstatus_t posix_stat_path(struct vfs_share *vs, const char *rel, unsigned flags,
                           struct vfs_stat *out)
{
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK; /* a lookup can wait on the disk */
    int dirfd;
    const char *name;
    ntstatus_t st = vfs_resolve_parent(psh(vs), rel, &dirfd, &name);
    if (!nt_ok(st))
        return st;
    st = vfs_stat_at(dirfd, name, AT_SYMLINK_NOFOLLOW, name, out);
    close(dirfd);
    return st;
}

ntstatus_t posix_dir_is_empty(struct vfs_file *dir, unsigned flags, bool *empty)
{
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    if (!dir->is_dir) {
        *empty = true;
        return STATUS_SUCCESS;
    }
    int dfd = openat(pf(dir)->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return nt_from_errno(errno);
    DIR *d = fdopendir(dfd);
    if (!d) {
        ntstatus_t e = nt_from_errno(errno);
        close(dfd);
        return e;
    }
    *empty = true;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            *empty = false;
            break;
        }
    }
    int err = *empty ? errno : 0;
    closedir(d);
    return nt_from_errno(err);
}

/* A SET_INFO time: 0, -1, -2 leave it alone; below -2 is invalid. */
static ntstatus_t time_arg(int64_t v, struct timespec *ts)
{
    if (v < -2)
        return STATUS_INVALID_PARAMETER; /* [MS-FSA] 2.1.5.14.2 */
    if (v <= 0) {
        ts->tv_sec = 0;
        ts->tv_nsec = UTIME_OMIT;
        return STATUS_SUCCESS;
    }
    *ts = filetime_to_timespec((uint64_t)v);
    return STATUS_SUCCESS;
}

static ntstatus_t set_attributes(struct posix_file *f, uint32_t attrs)
{
    struct stat st;
    if (fstat(f->fd, &st) < 0)
        return nt_from_errno(errno);
    bool dir = S_ISDIR(st.st_mode);
    if ((attrs & FILE_ATTRIBUTE_DIRECTORY) && !dir)
        return STATUS_INVALID_PARAMETER;
    if ((attrs & FILE_ATTRIBUTE_TEMPORARY) && dir)
        return STATUS_INVALID_PARAMETER;
    if (dir)
        return STATUS_SUCCESS; /* READONLY means nothing on a directory */
    mode_t mode = st.st_mode & 07777;
    mode_t want = (attrs & FILE_ATTRIBUTE_READONLY) ? mode & ~(mode_t)0222 : mode | S_IWUSR;
    if (want != mode && fchmod(f->fd, want) < 0)
        return nt_from_errno(errno);
    return STATUS_SUCCESS;
}

ntstatus_t posix_set_basic(struct vfs_file *vf, const struct vfs_basic_info *in, unsigned flags)
{
    struct posix_file *f = pf(vf);
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    if (vf->share->read_only)
        return STATUS_ACCESS_DENIED;
    struct timespec ts[2], ignored;
    ntstatus_t st = time_arg(in->last_access_time, &ts[0]);
    if (nt_ok(st))
        st = time_arg(in->last_write_time, &ts[1]);
    if (nt_ok(st))
        st = time_arg(in->creation_time, &ignored);
    if (nt_ok(st))
        st = time_arg(in->change_time, &ignored);
    if (!nt_ok(st))
        return st;
    if (in->attributes != 0) {
        st = set_attributes(f, in->attributes);
        if (!nt_ok(st))
            return st;
    }
    if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
        return STATUS_SUCCESS;
    if (futimens(f->fd, ts) < 0)
        return nt_from_errno(errno);
    return STATUS_SUCCESS;
}

ntstatus_t posix_set_end_of_file(struct vfs_file *vf, uint64_t size, unsigned flags)
{
    struct posix_file *f = pf(vf);
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    if (vf->share->read_only)
        return STATUS_ACCESS_DENIED;
    if (vf->is_dir)
        return STATUS_INVALID_PARAMETER;
    if (!f->can_write)
        return STATUS_ACCESS_DENIED;
    if (size > INT64_MAX)
        return STATUS_INVALID_PARAMETER;
    if (ftruncate(f->fd, (off_t)size) < 0)
        return nt_from_errno(errno);
    return STATUS_SUCCESS;
}

ntstatus_t posix_set_allocation(struct vfs_file *vf, uint64_t size, unsigned flags)
{
    struct posix_file *f = pf(vf);
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    if (vf->share->read_only)
        return STATUS_ACCESS_DENIED;
    if (vf->is_dir)
        return STATUS_INVALID_PARAMETER;
    if (!f->can_write)
        return STATUS_ACCESS_DENIED;
    if (size > INT64_MAX)
        return STATUS_INVALID_PARAMETER;
    struct stat st;
    if (fstat(f->fd, &st) < 0)
        return nt_from_errno(errno);
    if (size < (uint64_t)st.st_size) { /* [MS-FSA] 2.1.5.14.1 */
        if (ftruncate(f->fd, (off_t)size) < 0)
            return nt_from_errno(errno);
        return STATUS_SUCCESS;
    }
    if (size > (uint64_t)st.st_size && fallocate(f->fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) < 0) {
        if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG)
            return nt_from_errno(errno);
        /* EOPNOTSUPP and friends: reserving is advice, not a promise. */
    }
    return STATUS_SUCCESS;
}
