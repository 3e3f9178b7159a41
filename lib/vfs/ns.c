/* The namespace: closing (with delete-on-close), FileDispositionInformation
 * and FileRenameInformation ([MS-FSA] 2.1.5.4, 2.1.5.14.3, 2.1.5.14.11). */
#include "vfs/internal.h"

#include "base/status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Remove path if it is still the file (dev, ino) we had open. */
static ntstatus_t remove_node(const struct vfs_share *s, const char *path, uint64_t dev,
                              uint64_t ino, bool dir)
{
    int dirfd;
    const char *name;
    ntstatus_t st = vfs_resolve_parent(s, path, &dirfd, &name);
    if (!nt_ok(st))
        return st;
    struct stat now;
    if (fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) < 0)
        st = nt_from_errno(errno);
    else if (now.st_dev != dev || now.st_ino != ino)
        st = STATUS_OBJECT_NAME_NOT_FOUND; /* replaced behind our back: leave it */
    else if (unlinkat(dirfd, name, dir ? AT_REMOVEDIR : 0) < 0)
        st = nt_from_errno(errno);
    close(dirfd);
    return st;
}

ntstatus_t vfs_close(struct vfs_file *f)
{
    if (!f)
        return STATUS_SUCCESS;
    struct vfs_share *s = f->share;
    struct vfs_node *n = f->node;
    pthread_mutex_lock(&s->mu);
    if (vfs_nowait() && (!s->local_fs || (n->delete_pending && n->opens == 1))) {
        pthread_mutex_unlock(&s->mu);
        return STATUS_SIGNET_WOULD_BLOCK; /* the unlink can wait on the disk */
    }
    bool released = vfs_lock_release_all_locked(f);
    bool last = vfs_node_put_locked(s, n);
    vfs_unlock_fn hook = released ? s->unlock_fn : NULL;
    void *hook_ctx = s->unlock_ctx;
    uint64_t dev = n->dev, ino = n->ino; /* n may be freed by another close */
    pthread_mutex_unlock(&s->mu);
    if (hook)
        hook(hook_ctx, dev, ino);
    ntstatus_t st = STATUS_SUCCESS;
    if (last && n->delete_pending)
        st = remove_node(s, n->path, n->dev, n->ino, n->is_dir);
    if (last)
        vfs_node_free(n);
    if (f->dir)
        closedir(f->dir);
    if (f->fd >= 0)
        close(f->fd);
    pthread_mutex_destroy(&f->mu);
    free(f->pattern);
    free(f->unread);
    free(f);
    vfs_share_unref(s);
    return st;
}

ntstatus_t vfs_set_delete_on_close(struct vfs_file *f, bool delete_pending)
{
    if (vfs_nowait())
        return STATUS_SIGNET_WOULD_BLOCK;
    struct vfs_share *s = f->share;
    if (s->read_only)
        return STATUS_ACCESS_DENIED;
    if (f->node->dev == s->root_dev && f->node->ino == s->root_ino)
        return STATUS_ACCESS_DENIED; /* the share root cannot go */
    if (delete_pending && f->node->is_dir) {
        bool empty = false;
        ntstatus_t st = vfs_dir_is_empty(f->fd, &empty);
        if (!nt_ok(st))
            return st;
        if (!empty)
            return STATUS_DIRECTORY_NOT_EMPTY; /* [MS-FSA] 2.1.5.14.3 */
    }
    pthread_mutex_lock(&s->mu);
    f->node->delete_pending = delete_pending;
    pthread_mutex_unlock(&s->mu);
    return STATUS_SUCCESS;
}

struct rename_ends {
    int odir, ndir;
    const char *oname, *nname;
};

/* [MS-FSA] 2.1.5.14.11: what may be replaced. 1: nothing to do (the target
 * is the source itself). */
static int check_target(struct vfs_file *f, const struct rename_ends *e, bool replace,
                        ntstatus_t *st)
{
    struct stat src, dst;
    if (fstatat(e->odir, e->oname, &src, AT_SYMLINK_NOFOLLOW) < 0) {
        *st = nt_from_errno(errno);
        return -1;
    }
    if (src.st_dev != f->node->dev || src.st_ino != f->node->ino) {
        *st = STATUS_OBJECT_NAME_NOT_FOUND; /* moved behind our back */
        return -1;
    }
    if (fstatat(e->ndir, e->nname, &dst, AT_SYMLINK_NOFOLLOW) < 0) {
        *st = errno == ENOENT ? STATUS_SUCCESS : nt_from_errno(errno);
        return nt_ok(*st) ? 0 : -1;
    }
    if (dst.st_dev == src.st_dev && dst.st_ino == src.st_ino && strcmp(e->oname, e->nname) == 0)
        return 1;
    *st = STATUS_OBJECT_NAME_COLLISION;
    if (!replace)
        return -1;
    *st = STATUS_ACCESS_DENIED;
    if (S_ISDIR(dst.st_mode))
        return -1;
    pthread_mutex_lock(&f->share->mu);
    bool open = vfs_node_find_locked(f->share, dst.st_dev, dst.st_ino) != NULL;
    pthread_mutex_unlock(&f->share->mu);
    if (open)
        return -1;
    *st = STATUS_SUCCESS;
    return 0;
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

ntstatus_t vfs_rename(struct vfs_file *f, const char *new_path, size_t new_path_len, bool replace)
{
    if (vfs_nowait())
        return STATUS_SIGNET_WOULD_BLOCK;
    struct vfs_share *s = f->share;
    if (s->read_only)
        return STATUS_ACCESS_DENIED;
    char old_rel[VFS_PATH_MAX], new_rel[VFS_PATH_MAX];
    ntstatus_t st = vfs_path_normalize(new_path, new_path_len, new_rel, sizeof new_rel, NULL);
    if (!nt_ok(st))
        return st;
    st = vfs_file_path(f, old_rel, sizeof old_rel);
    if (!nt_ok(st))
        return st;
    if (strcmp(old_rel, ".") == 0)
        return STATUS_ACCESS_DENIED;
    struct rename_ends e = {-1, -1, NULL, NULL};
    st = vfs_resolve_parent(s, old_rel, &e.odir, &e.oname);
    if (nt_ok(st))
        st = vfs_resolve_parent(s, new_rel, &e.ndir, &e.nname);
    int same = 0;
    if (nt_ok(st))
        same = check_target(f, &e, replace, &st);
    if (nt_ok(st) && same == 0)
        st = rename_ends(&e, replace);
    if (nt_ok(st) && same == 0) {
        pthread_mutex_lock(&s->mu);
        st = vfs_node_renamed_locked(s, old_rel, new_rel);
        pthread_mutex_unlock(&s->mu);
    }
    if (e.odir >= 0)
        close(e.odir);
    if (e.ndir >= 0)
        close(e.ndir);
    return st;
}
