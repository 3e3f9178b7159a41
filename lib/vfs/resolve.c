/* Resolving a client path beneath the share root, by the kernel.
 *
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) makes the kernel refuse
 * (EXDEV) any resolution that would leave the root: "..", absolute symlinks,
 * relative ones that climb out, /proc magic links. Where openat2 is missing
 * (ENOSYS, Linux < 5.6 or a seccomp filter), vfs_resolve_walk gives the same
 * guarantees by walking one O_NOFOLLOW descriptor per component: ".." pops a
 * descriptor we opened ourselves (never the kernel's ".."), so it can never
 * rise above the root, and symlinks are read from the descriptor that was
 * opened and expanded in place, the absolute ones refused. */
#include "vfs/internal.h"

#include "base/status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define WALK_MAX_LINKS 40 /* the kernel's own limit */
#define WALK_MAX_DEPTH 2048

static atomic_bool openat2_missing;

/* With VFS_NOWAIT RESOLVE_CACHED: EAGAIN when a component is not in the
 * dentry cache (or the flags would create or truncate), never retried. */
static int openat2_beneath(int root_fd, const char *rel, int flags, mode_t mode, bool cached)
{
    struct open_how how = {
        .flags = (uint64_t)(unsigned)flags,
        .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (cached ? RESOLVE_CACHED : 0),
    };
    for (int tries = 0; tries < 8; tries++) {
        long fd = syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
        if (fd >= 0)
            return (int)fd;
        if (errno != EAGAIN || cached) /* EAGAIN: a rename raced the ".." check; retry */
            return -errno;
    }
    return -EAGAIN;
}

int vfs_resolve(const struct posix_share *s, const char *rel, int flags, mode_t mode,
                unsigned vflags)
{
    bool nowait = vflags & VFS_NOWAIT;
    if (nowait && (s->force_walk || atomic_load(&openat2_missing) || !s->local_fs))
        return -EAGAIN; /* the walk cannot promise not to wait */
    if (!s->force_walk && !atomic_load(&openat2_missing)) {
        int fd = openat2_beneath(s->root_fd, rel, flags, mode, nowait);
        if (fd != -ENOSYS)
            return fd;
        atomic_store(&openat2_missing, true);
    }
    return vfs_resolve_walk(s->root_fd, rel, flags, mode);
}

ntstatus_t vfs_resolve_status(int neg_errno, unsigned vflags)
{
    if (neg_errno == -EXDEV)
        return STATUS_ACCESS_DENIED; /* the path would leave the share */
    if (neg_errno == -EAGAIN && (vflags & VFS_NOWAIT))
        return STATUS_SIGNET_WOULD_BLOCK;
    return nt_from_errno(-neg_errno);
}

/* ---- the descriptor walk ---- */

struct walk {
    int root_fd;
    int *stack; /* stack[0] is root_fd (not ours); the rest we opened */
    size_t depth, cap;
    char *rest; /* remaining path, rewritten when a symlink expands */
    int links;
};

static int walk_top(const struct walk *w)
{
    return w->stack[w->depth];
}

static int walk_push(struct walk *w, int fd)
{
    if (w->depth + 1 >= WALK_MAX_DEPTH) {
        close(fd);
        return -ENAMETOOLONG;
    }
    if (w->depth + 1 >= w->cap) {
        size_t cap = w->cap * 2;
        int *p = realloc(w->stack, cap * sizeof *p);
        if (!p) {
            close(fd);
            return -ENOMEM;
        }
        w->stack = p;
        w->cap = cap;
    }
    w->stack[++w->depth] = fd;
    return 0;
}

static void walk_free(struct walk *w)
{
    while (w->depth > 0)
        close(w->stack[w->depth--]);
    free(w->stack);
    free(w->rest);
}

/* Replace w->rest with target + "/" + after (after may be empty), reading
 * the symlink open on link_fd. Absolute targets leave the share: -EXDEV. */
static int walk_expand(struct walk *w, int link_fd, const char *after)
{
    char target[PATH_MAX];
    ssize_t n = readlinkat(link_fd, "", target, sizeof target);
    if (n < 0)
        return -errno;
    if ((size_t)n >= sizeof target)
        return -ENAMETOOLONG;
    if (n == 0)
        return -ENOENT;
    if (target[0] == '/')
        return -EXDEV;
    if (++w->links > WALK_MAX_LINKS)
        return -ELOOP;
    size_t alen = strlen(after);
    char *rest = malloc((size_t)n + 1 + alen + 1);
    if (!rest)
        return -ENOMEM;
    memcpy(rest, target, (size_t)n);
    rest[n] = '/';
    memcpy(rest + n + 1, after, alen + 1);
    free(w->rest);
    w->rest = rest;
    return 0;
}

/* Step into the intermediate component name: a directory is pushed, a symlink
 * expanded (its target replaces it in front of after). */
static int walk_step(struct walk *w, const char *name, const char *after)
{
    if (strcmp(name, "..") == 0) {
        if (w->depth == 0)
            return -EXDEV;
        close(w->stack[w->depth--]);
        return 0;
    }
    int fd = openat(walk_top(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    if (S_ISDIR(st.st_mode))
        return walk_push(w, fd);
    int r = S_ISLNK(st.st_mode) ? walk_expand(w, fd, after) : -ENOTDIR;
    close(fd);
    return r;
}

/* Open the last component: 0 with *out set; 1 when it was a symlink and
 * w->rest now holds its expansion; or -errno. */
static int walk_last(struct walk *w, const char *name, int flags, mode_t mode, int *out)
{
    if (strcmp(name, "..") == 0) {
        if (w->depth == 0)
            return -EXDEV;
        close(w->stack[w->depth--]);
        name = ".";
    }
    int fd = openat(walk_top(w), name, flags | O_NOFOLLOW, mode);
    struct stat st;
    if (fd >= 0 && (!(flags & O_PATH) || (fstat(fd, &st) == 0 && !S_ISLNK(st.st_mode)))) {
        *out = fd;
        return 0;
    }
    int err = fd < 0 ? errno : 0;
    if (fd < 0 && err != ELOOP && err != ENOTDIR)
        return -err;
    if (fd < 0) /* O_NOFOLLOW (or O_DIRECTORY) met a symlink? Look at it alone */
        fd = openat(walk_top(w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -err;
    if (fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode)) {
        close(fd);
        return -(err ? err : ELOOP);
    }
    int r = walk_expand(w, fd, "");
    close(fd);
    return r < 0 ? r : 1;
}

/* Split the next component off rest in place, skipping empty ones and "."
 * (unless it is all that is left). */
static void walk_next(char *rest, char **name, char **after)
{
    char *p = rest;
    for (;;) {
        while (*p == '/')
            p++;
        char *slash = strchr(p, '/');
        char *next = slash ? slash + 1 : p + strlen(p);
        if (slash)
            *slash = '\0';
        while (*next == '/')
            next++;
        if (strcmp(p, ".") != 0 || *next == '\0') {
            *name = *p ? p : (char *)".";
            *after = next;
            return;
        }
        p = next;
    }
}

static int walk_run(struct walk *w, int flags, mode_t mode)
{
    for (;;) {
        char *name, *after;
        char *before = w->rest;
        walk_next(w->rest, &name, &after);
        bool last = *after == '\0';
        int fd = -1;
        int r = last ? walk_last(w, name, flags, mode, &fd) : walk_step(w, name, after);
        if (r < 0)
            return r;
        if (last && r == 0)
            return fd;
        if (w->rest == before) /* no symlink expanded: drop the component */
            memmove(w->rest, after, strlen(after) + 1);
    }
}

int vfs_resolve_walk(int root_fd, const char *rel, int flags, mode_t mode)
{
    struct walk w = {.root_fd = root_fd, .cap = 16};
    w.stack = malloc(w.cap * sizeof *w.stack);
    w.rest = strdup(rel);
    if (!w.stack || !w.rest) {
        free(w.stack);
        free(w.rest);
        return -ENOMEM;
    }
    w.stack[0] = root_fd;
    int r = walk_run(&w, flags, mode);
    walk_free(&w);
    return r;
}

ntstatus_t vfs_resolve_parent(const struct posix_share *s, const char *rel, int *dirfd,
                              const char **name)
{
    const char *slash = strrchr(rel, '/');
    const char *last = slash ? slash + 1 : rel;
    if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0 || *last == '\0')
        return STATUS_OBJECT_NAME_INVALID;
    int fd;
    if (!slash) {
        fd = vfs_resolve(s, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
    } else {
        char *dir = strndup(rel, (size_t)(slash - rel));
        if (!dir)
            return STATUS_NO_MEMORY;
        fd = vfs_resolve(s, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
        free(dir);
    }
    if (fd < 0)
        return fd == -ENOENT ? STATUS_OBJECT_PATH_NOT_FOUND : vfs_resolve_status(fd, 0);
    *dirfd = fd;
    *name = last;
    return STATUS_SUCCESS;
}

ntstatus_t vfs_fd_rel(const struct posix_share *s, int fd, char *out, size_t cap)
{
    char link[64], abs[VFS_PATH_MAX], root[VFS_PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, abs, sizeof abs - 1);
    snprintf(link, sizeof link, "/proc/self/fd/%d", s->root_fd);
    ssize_t m = readlink(link, root, sizeof root - 1);
    if (n <= 0 || m <= 0)
        return STATUS_OBJECT_PATH_NOT_FOUND;
    abs[n] = root[m] = '\0';
    if (m == 1) /* the share is "/" */
        m = 0;
    if (strncmp(abs, root, (size_t)m) != 0 || (abs[m] != '/' && abs[m] != '\0'))
        return STATUS_OBJECT_PATH_NOT_FOUND;
    const char *rel = abs[m] && abs[m + 1] ? abs + m + 1 : ".";
    size_t len = strlen(rel);
    if (len + 1 > cap)
        return STATUS_NAME_TOO_LONG;
    memcpy(out, rel, len + 1);
    return STATUS_SUCCESS;
}
