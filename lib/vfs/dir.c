/* QUERY_DIRECTORY: enumerating an open directory ([MS-SMB2] 3.3.5.18). */
#include "vfs/internal.h"

#include "base/status.h"
#include "base/utf16.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A name a client can see and open: UTF-8 that converts to UTF-16, without
 * the characters vfs_path_normalize refuses. */
static bool name_presentable(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > VFS_NAME_MAX || utf8_utf16le_len(name, len) == SIZE_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7F || strchr("\\:<>\"|?*", c))
            return false;
    }
    return true;
}

static ntstatus_t dir_open_locked(struct posix_file *f)
{
    if (f->dir)
        return STATUS_SUCCESS;
    int dfd = openat(f->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return nt_from_errno(errno);
    f->dir = fdopendir(dfd);
    if (!f->dir) {
        ntstatus_t st = nt_from_errno(errno);
        close(dfd);
        return st;
    }
    return STATUS_SUCCESS;
}

ntstatus_t posix_dir_rewind(struct vfs_file *vdir, const char *pattern, size_t pattern_len,
                            unsigned flags)
{
    struct posix_file *dir = pf(vdir);
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    if (!vdir->is_dir)
        return STATUS_INVALID_PARAMETER;
    vfs_test_point("dir", flags);
    char *p = strndup(pattern, pattern_len);
    if (!p)
        return STATUS_NO_MEMORY;
    pthread_mutex_lock(&dir->mu);
    free(dir->pattern);
    dir->pattern = p;
    if (dir->dir)
        rewinddir(dir->dir);
    dir->dot_done = dir->dotdot_done = false;
    dir->entries = 0;
    dir->have_unread = false;
    free(dir->unread); /* an entry of the old enumeration cannot be given back */
    dir->unread = NULL;
    pthread_mutex_unlock(&dir->mu);
    return STATUS_SUCCESS;
}

static bool pattern_match(const struct posix_file *d, const char *name)
{
    const char *p = d->pattern ? d->pattern : "*";
    return vfs_name_match(p, strlen(p), name);
}

/* "." is the directory itself; ".." its parent, or the root itself when the
 * directory is the share root (the parent is outside the share). */
static ntstatus_t stat_dot(struct posix_file *d, bool dotdot, struct vfs_stat *st)
{
    const struct posix_share *s = cpsh(d->base.share);
    bool root = d->base.dev == s->root_dev && d->base.ino == s->root_ino;
    if (!dotdot || root)
        return vfs_stat_at(d->fd, "", AT_EMPTY_PATH, NULL, st);
    return vfs_stat_at(d->fd, "..", AT_SYMLINK_NOFOLLOW, NULL, st);
}

/* The path of the directory open on fd relative to the share root (as the
 * kernel names it now, renames included), "." for the root. */
static ntstatus_t dir_rel(const struct posix_file *d, char *out, size_t cap)
{
    return vfs_fd_rel(cpsh(d->base.share), d->fd, out, cap);
}

/* Stat an entry; a symlink is followed only beneath the share root. */
static ntstatus_t stat_entry(struct posix_file *d, const char *name, struct vfs_stat *st)
{
    struct stat lst;
    if (fstatat(dirfd(d->dir), name, &lst, AT_SYMLINK_NOFOLLOW) < 0)
        return nt_from_errno(errno);
    if (!S_ISLNK(lst.st_mode))
        return vfs_stat_at(dirfd(d->dir), name, AT_SYMLINK_NOFOLLOW, name, st);
    char path[VFS_PATH_MAX];
    ntstatus_t r = dir_rel(d, path, sizeof path);
    size_t plen = strlen(path), nlen = strlen(name);
    if (!nt_ok(r) || plen + 1 + nlen + 1 > sizeof path)
        return STATUS_NAME_TOO_LONG;
    path[plen] = '/';
    memcpy(path + plen + 1, name, nlen + 1);
    int fd = vfs_resolve(cpsh(d->base.share), path, O_PATH | O_CLOEXEC, 0, 0);
    if (fd < 0)
        return vfs_resolve_status(fd, 0);
    r = vfs_stat_fd(fd, name, st);
    close(fd);
    return r;
}

static void fill(struct vfs_dirent *out, const char *name, const struct vfs_stat *st)
{
    out->name_len = strlen(name);
    memcpy(out->name, name, out->name_len + 1);
    out->st = *st;
}

/* The next entry from readdir that matches and can be shown. */
static ntstatus_t next_real_locked(struct posix_file *d, struct vfs_dirent *out)
{
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d->dir);
        if (!e)
            return errno ? nt_from_errno(errno) : STATUS_NO_MORE_FILES;
        const char *name = e->d_name;
        if (!strcmp(name, ".") || !strcmp(name, "..") || !name_presentable(name) ||
            !pattern_match(d, name))
            continue;
        struct vfs_stat st;
        if (!nt_ok(stat_entry(d, name, &st)))
            continue; /* vanished, or a symlink leading out of the share */
        fill(out, name, &st);
        return STATUS_SUCCESS;
    }
}

static ntstatus_t next_entry_locked(struct posix_file *d, struct vfs_dirent *out)
{
    ntstatus_t st = dir_open_locked(d);
    if (!nt_ok(st))
        return st;
    for (int dotdot = 0; dotdot < 2; dotdot++) {
        bool *done = dotdot ? &d->dotdot_done : &d->dot_done;
        const char *name = dotdot ? ".." : ".";
        if (*done)
            continue;
        *done = true;
        if (!pattern_match(d, name))
            continue;
        struct vfs_stat vs;
        st = stat_dot(d, dotdot, &vs);
        if (!nt_ok(st))
            return st;
        fill(out, name, &vs);
        return STATUS_SUCCESS;
    }
    return next_real_locked(d, out);
}

static ntstatus_t next_locked(struct posix_file *d, struct vfs_dirent *out)
{
    ntstatus_t st = next_entry_locked(d, out);
    if (nt_ok(st))
        out->dir_index = ++d->entries;
    return st;
}

ntstatus_t posix_dir_next(struct vfs_file *vdir, unsigned flags, struct vfs_dirent *out)
{
    struct posix_file *dir = pf(vdir);
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    if (!vdir->is_dir)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&dir->mu);
    ntstatus_t st = STATUS_SUCCESS;
    if (dir->have_unread) {
        *out = *dir->unread;
        dir->have_unread = false;
    } else {
        st = next_locked(dir, out);
        if (nt_ok(st) && !dir->unread)
            dir->unread = malloc(sizeof *dir->unread);
        if (nt_ok(st) && dir->unread)
            *dir->unread = *out;
    }
    pthread_mutex_unlock(&dir->mu);
    return st;
}

void posix_dir_unread(struct vfs_file *vdir)
{
    struct posix_file *dir = pf(vdir);
    pthread_mutex_lock(&dir->mu);
    if (dir->unread)
        dir->have_unread = true;
    pthread_mutex_unlock(&dir->mu);
}
