/* The namespace: closing, removing and renaming ([MS-FSA] 2.1.5.4,
 * 2.1.5.14.11). Whether a file may be removed or replaced (delete-pending,
 * an open target) is the server's decision; these only check that the name
 * still names the file the server meant. */
#include "vfs/internal.h"

#include "base/status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ntstatus_t posix_close(struct vfs_file *vf, unsigned flags)
{
    struct posix_file *f = pf(vf);
    struct posix_share *s = psh(vf->share);
    if (!posix_nowait_ok(vf->share, flags))
        return STATUS_SIGNET_WOULD_BLOCK; /* a network file system can wait on close */
    if (f->dir)
        closedir(f->dir); /* closes its own descriptor, a dup of fd's directory */
    if (f->fd >= 0)
        close(f->fd);
    pthread_mutex_destroy(&f->mu);
    free(f->pattern);
    free(f->unread);
    free(f);
    posix_share_unref(s);
    return STATUS_SUCCESS;
}

/* Does name (in dirfd) still name the file (dev, ino)? Itself, or a
 * symlink to it: a file opened through a symlink is deleted or renamed by
 * that name, as its client named it. */
static bool names_file(int dirfd, const char *name, uint64_t dev, uint64_t ino, ntstatus_t *st)
{
    struct stat now;
    *st = STATUS_SUCCESS;
    if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0) {
        *st = nt_from_errno(errno);
        return false;
    }
    if (now.st_dev == dev && now.st_ino == ino)
        return true;
    return S_ISLNK(now.st_mode) && fstatat(dirfd, name, &now, 0) == 0 && now.st_dev == dev &&
           now.st_ino == ino;
}

ntstatus_t posix_unlink(struct vfs_share *vs, const char *rel, uint64_t dev, uint64_t ino,
                        bool is_dir, unsigned flags)
{
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    if (vs->read_only)
        return STATUS_ACCESS_DENIED;
    vfs_test_point("unlink", flags);
    int dirfd;
    const char *name;
    ntstatus_t st = vfs_resolve_parent(psh(vs), rel, &dirfd, &name);
    if (!nt_ok(st))
        return st;
    if (!names_file(dirfd, name, dev, ino, &st))
        st = nt_ok(st) ? STATUS_OBJECT_NAME_NOT_FOUND : st; /* replaced behind our back */
    else if (unlinkat(dirfd, name, is_dir ? AT_REMOVEDIR : 0) < 0)
        st = nt_from_errno(errno);
    close(dirfd);
    return st;
}

struct rename_ends {
    int odir, ndir;
    const char *oname, *nname;
};

static bool same_dir(int a, int b)
{
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* [MS-FSA] 2.1.5.14.11: what may be replaced. 1: nothing to do (the target
 * is the source's own name); 2: the target is another link to the source
 * (rename(2) would do nothing): the source's name is to be removed. */
static int check_target(const struct rename_ends *e, uint64_t dev, uint64_t ino, bool replace,
                        ntstatus_t *st)
{
    struct stat src, dst;
    if (!names_file(e->odir, e->oname, dev, ino, st)) {
        *st = nt_ok(*st) ? STATUS_OBJECT_NAME_NOT_FOUND : *st; /* moved behind our back */
        return -1;
    }
    if (fstatat(e->odir, e->oname, &src, AT_SYMLINK_NOFOLLOW) < 0) {
        *st = nt_from_errno(errno);
        return -1;
    }
    if (fstatat(e->ndir, e->nname, &dst, AT_SYMLINK_NOFOLLOW) < 0) {
        *st = errno == ENOENT ? STATUS_SUCCESS : nt_from_errno(errno);
        return nt_ok(*st) ? 0 : -1;
    }
    bool same_inode = dst.st_dev == src.st_dev && dst.st_ino == src.st_ino;
    if (same_inode && strcmp(e->oname, e->nname) == 0 && same_dir(e->odir, e->ndir))
        return 1;
    *st = STATUS_OBJECT_NAME_COLLISION;
    if (!replace)
        return -1;
    *st = STATUS_ACCESS_DENIED;
    if (S_ISDIR(dst.st_mode))
        return -1;
    *st = STATUS_SUCCESS;
    return same_inode ? 2 : 0;
}

static ntstatus_t rename_ends(const struct rename_ends *e, bool replace)
{
    if (renameat2(e->odir, e->oname, e->ndir, e->nname, replace ? 0 : RENAME_NOREPLACE) == 0)
        return STATUS_SUCCESS;
    if (errno != EINVAL || replace)
        return nt_from_errno(errno);
    /* RENAME_NOREPLACE unsupported here: the target was checked just before */
    if (renameat(e->odir, e->oname, e->ndir, e->nname) < 0)
        return nt_from_errno(errno);
    return STATUS_SUCCESS;
}

ntstatus_t posix_rename(struct vfs_share *vs, const char *old_rel, uint64_t dev, uint64_t ino,
                        const char *new_rel, bool replace, unsigned flags)
{
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    if (vs->read_only)
        return STATUS_ACCESS_DENIED;
    if (strcmp(old_rel, ".") == 0)
        return STATUS_ACCESS_DENIED;
    vfs_test_point("rename", flags);
    struct posix_share *s = psh(vs);
    struct rename_ends e = {-1, -1, NULL, NULL};
    ntstatus_t st = vfs_resolve_parent(s, old_rel, &e.odir, &e.oname);
    if (nt_ok(st))
        st = vfs_resolve_parent(s, new_rel, &e.ndir, &e.nname);
    int same = 0;
    if (nt_ok(st))
        same = check_target(&e, dev, ino, replace, &st);
    if (nt_ok(st) && same == 0)
        st = rename_ends(&e, replace);
    if (nt_ok(st) && same == 2 && unlinkat(e.odir, e.oname, 0) < 0)
        st = nt_from_errno(errno); /* replacing another link of itself */
    if (e.odir >= 0)
        close(e.odir);
    if (e.ndir >= 0)
        close(e.ndir);
    return st;
}
