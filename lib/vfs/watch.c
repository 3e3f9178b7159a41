/* Change watching for the POSIX backend (vfs.h "change watching"), over
 * inotify(7): one inotify instance per watcher, one kernel watch per
 * directory.
 *
 * The watcher keeps, per kernel watch (wd), the views it has of that
 * directory: (share, path relative to the share's root), one per share,
 * since two shares may lie over one directory. A view lives while a watch
 * covers its path (the directory itself, or below a recursive one); when a
 * watch ends, the views nothing covers any more go, and with a directory's
 * last view its kernel watch. Every table is under one mutex: watches are
 * set up on pool threads while the loop reads events.
 *
 * inotify_add_watch takes a path. The directory is opened beneath the
 * share root by the backend's resolver (vfs_resolve: openat2
 * RESOLVE_BENEATH, or the descriptor walk) and the watch is added on
 * "/proc/self/fd/N", which names exactly that directory, so no path of
 * ours is resolved outside the share. Directories below a recursive watch
 * are opened O_NOFOLLOW: a symlink is never watched through.
 *
 * Names the server could not show a client (vfs_dir_next skips them) are
 * neither reported nor watched below. */
#include "vfs/internal.h"

#include "base/status.h"
#include "base/utf16.h"

#include <errno.h>
#include <fcntl.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* What a directory watch asks for: its entries appearing, going, renamed,
 * written, their metadata changed; not for files already unlinked. */
#define WATCH_MASK                                                                                 \
    (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_ATTRIB | IN_ONLYDIR |    \
     IN_EXCL_UNLINK)
#define WATCH_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_ATTRIB)
#define WD_BUCKETS   1024
#define READ_BUF     (64 * 1024) /* holds at least 256 events with the longest names */
#define READ_ROUNDS  8           /* reads per vfs_watcher_read, so the caller is not starved */

struct view {
    struct vfs_share *share;
    char *path;
};

/* One kernel watch. */
struct wentry {
    struct wentry *hnext;
    int wd;
    unsigned n, cap;
    struct view *v;
};

struct vfs_watch {
    struct vfs_watch *next, *prev;
    struct vfs_share *share; /* a reference */
    char *path;
    bool recursive;
};

struct vfs_watcher {
    int fd;
    pthread_mutex_t mu; /* everything below but buf */
    struct wentry *tab[WD_BUCKETS];
    unsigned n_views; /* bounded by VFS_WATCH_MAX */
    struct vfs_watch *watches;
    alignas(struct inotify_event) char buf[READ_BUF]; /* the reader's */
};

/* ---- paths ---- */

/* As vfs_dir_next shows names (dir.c): UTF-8 that converts to UTF-16,
 * without the characters vfs_path_normalize refuses. */
static bool name_presentable(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > VFS_NAME_MAX || utf8_utf16le_len(name, len) == SIZE_MAX)
        return false;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7F || strchr("\\:<>\"|?*", c))
            return false;
    }
    return true;
}

/* Is path dir itself, or below it? */
static bool at_or_below(const char *path, const char *dir)
{
    if (strcmp(dir, ".") == 0)
        return true;
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* dir/name into out (VFS_PATH_MAX); false when too long. */
static bool join(char *out, const char *dir, const char *name)
{
    int n = strcmp(dir, ".") == 0 ? snprintf(out, VFS_PATH_MAX, "%s", name)
                                  : snprintf(out, VFS_PATH_MAX, "%s/%s", dir, name);
    return n > 0 && n < VFS_PATH_MAX;
}

/* path (at or below old) with old replaced by new; NULL when too long or
 * out of memory. */
static char *rebased(const char *path, const char *old, const char *new)
{
    size_t ol = strlen(old), nl = strlen(new), rest = strlen(path) - ol;
    if (nl + rest + 1 > VFS_PATH_MAX)
        return NULL;
    char *p = malloc(nl + rest + 1);
    if (p) {
        memcpy(p, new, nl);
        memcpy(p + nl, path + ol, rest + 1);
    }
    return p;
}

/* ---- the tables (under mu) ---- */

static bool covered(const struct vfs_watcher *w, const struct vfs_share *share, const char *path,
                    bool recursive_only)
{
    for (const struct vfs_watch *x = w->watches; x; x = x->next) {
        if (x->share != share || (recursive_only && !x->recursive))
            continue;
        if (x->recursive ? at_or_below(path, x->path) : strcmp(path, x->path) == 0)
            return true;
    }
    return false;
}

static struct wentry **bucket(struct vfs_watcher *w, int wd)
{
    return &w->tab[(unsigned)wd % WD_BUCKETS];
}

static struct wentry *find(struct vfs_watcher *w, int wd)
{
    struct wentry *e = *bucket(w, wd);
    while (e && e->wd != wd)
        e = e->hnext;
    return e;
}

static struct view *view_of(struct wentry *e, const struct vfs_share *share)
{
    for (unsigned i = 0; i < e->n; i++)
        if (e->v[i].share == share)
            return &e->v[i];
    return NULL;
}

static bool view_exists(struct vfs_watcher *w, const struct vfs_share *share, const char *path)
{
    for (unsigned b = 0; b < WD_BUCKETS; b++)
        for (struct wentry *e = w->tab[b]; e; e = e->hnext) {
            const struct view *v = view_of(e, share);
            if (v && strcmp(v->path, path) == 0)
                return true;
        }
    return false;
}

static void view_drop(struct vfs_watcher *w, struct wentry *e, unsigned i)
{
    free(e->v[i].path);
    e->v[i] = e->v[--e->n];
    w->n_views--;
}

/* Take e out of the table; rm: end its kernel watch too (not when the
 * kernel ended it: IN_IGNORED). */
static void entry_remove(struct vfs_watcher *w, struct wentry *e, bool rm)
{
    struct wentry **pp = bucket(w, e->wd);
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    while (e->n)
        view_drop(w, e, e->n - 1);
    if (rm)
        (void)inotify_rm_watch(w->fd, e->wd);
    free(e->v);
    free(e);
}

/* Drop the views of share at or below path (all of them, or those no
 * watch covers any more); directories left without a view are no longer
 * watched. */
static void drop_below(struct vfs_watcher *w, const struct vfs_share *share, const char *path,
                       bool only_uncovered)
{
    for (unsigned b = 0; b < WD_BUCKETS; b++) {
        struct wentry *e = w->tab[b];
        while (e) {
            struct wentry *next = e->hnext;
            for (unsigned i = e->n; i-- > 0;) {
                const struct view *v = &e->v[i];
                if (v->share == share && at_or_below(v->path, path) &&
                    !(only_uncovered && covered(w, share, v->path, false)))
                    view_drop(w, e, i);
            }
            if (e->n == 0)
                entry_remove(w, e, true);
            e = next;
        }
    }
}

/* The directory old of share is now new: its views and the watches on it
 * and below follow. */
static void rebase(struct vfs_watcher *w, const struct vfs_share *share, const char *old,
                   const char *new)
{
    for (unsigned b = 0; b < WD_BUCKETS; b++) {
        struct wentry *e = w->tab[b];
        while (e) {
            struct wentry *next = e->hnext;
            for (unsigned i = e->n; i-- > 0;) {
                struct view *v = &e->v[i];
                if (v->share != share || !at_or_below(v->path, old))
                    continue;
                char *p = rebased(v->path, old, new);
                if (!p) {
                    view_drop(w, e, i);
                    continue;
                }
                free(v->path);
                v->path = p;
            }
            if (e->n == 0)
                entry_remove(w, e, true);
            e = next;
        }
    }
    for (struct vfs_watch *x = w->watches; x; x = x->next) {
        if (x->share != share || !at_or_below(x->path, old))
            continue;
        char *p = rebased(x->path, old, new);
        if (p) {
            free(x->path);
            x->path = p;
        }
    }
}

/* Add the kernel watch of the directory open on fd, rel of share, if a
 * watch covers it. */
static ntstatus_t watch_fd(struct vfs_watcher *w, struct vfs_share *share, int fd, const char *rel,
                           bool *partial)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    char *path = strdup(rel);
    if (!path)
        return STATUS_NO_MEMORY;
    ntstatus_t st = STATUS_SUCCESS;
    pthread_mutex_lock(&w->mu);
    int wd = inotify_add_watch(w->fd, proc, WATCH_MASK);
    if (wd < 0) {
        if (errno == ENOSPC) /* the kernel's max_user_watches */
            *partial = true;
        else
            st = nt_from_errno(errno);
        goto out;
    }
    struct wentry *e = find(w, wd);
    if (e && view_of(e, share))
        goto out; /* watched already, under the name the events gave it */
    if (!covered(w, share, rel, false))
        goto drop; /* the watch ended meanwhile */
    if (w->n_views >= VFS_WATCH_MAX) {
        *partial = true;
        goto drop;
    }
    if (!e) {
        if (!(e = calloc(1, sizeof *e))) {
            st = STATUS_NO_MEMORY;
            goto drop;
        }
        e->wd = wd;
        e->hnext = *bucket(w, wd);
        *bucket(w, wd) = e;
    }
    if (e->n == e->cap) {
        unsigned cap = e->cap ? e->cap * 2 : 1;
        struct view *nv = realloc(e->v, cap * sizeof *nv);
        if (!nv) {
            st = STATUS_NO_MEMORY;
            goto drop;
        }
        e->v = nv;
        e->cap = cap;
    }
    e->v[e->n++] = (struct view){share, path};
    path = NULL;
    w->n_views++;
    goto out;
drop:
    if (!e)
        (void)inotify_rm_watch(w->fd, wd);
    else if (e->n == 0)
        entry_remove(w, e, true);
out:
    pthread_mutex_unlock(&w->mu);
    free(path);
    return st;
}

/* ---- setting watches up (may block) ---- */

struct dirq {
    char **p;
    size_t head, n, cap;
};

static bool dirq_push(struct dirq *q, const char *dir, const char *name)
{
    char path[VFS_PATH_MAX];
    if (name ? !join(path, dir, name) : strlen(dir) >= sizeof path)
        return false;
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        char **np = realloc(q->p, cap * sizeof *np);
        if (!np)
            return false;
        q->p = np;
        q->cap = cap;
    }
    if (!(q->p[q->n] = strdup(name ? path : dir)))
        return false;
    q->n++;
    return true;
}

/* Watch rel and the directories below it, breadth first. Only rel itself
 * failing is an error. */
static ntstatus_t walk(struct vfs_watcher *w, struct vfs_share *share, const char *rel,
                       vfs_found_fn found, void *ctx, bool *partial)
{
    const struct posix_share *ps = cpsh(share);
    struct dirq q = {0};
    if (!dirq_push(&q, rel, NULL))
        return STATUS_NO_MEMORY;
    ntstatus_t st = STATUS_SUCCESS;
    bool dropped = false; /* directories not queued */
    /* until the watcher's (or the kernel's) limit stops it */
    while (q.head < q.n && !*partial) {
        bool top = q.head == 0;
        char *path = q.p[q.head];
        q.p[q.head++] = NULL;
        /* the watched directory as the server opened it (a symlink inside
         * the share followed); those below it never through a symlink */
        int oflags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (top ? 0 : O_NOFOLLOW);
        int fd = vfs_resolve(ps, path, oflags, 0, 0);
        ntstatus_t r =
            fd < 0 ? (fd == -ENOENT ? STATUS_OBJECT_NAME_NOT_FOUND : vfs_resolve_status(fd, 0))
                   : watch_fd(w, share, fd, path, partial);
        if (!nt_ok(r)) {
            if (fd >= 0)
                close(fd);
            free(path);
            if (!top)
                continue;
            st = r;
            break;
        }
        DIR *d = fdopendir(fd);
        if (!d) {
            close(fd);
            free(path);
            continue;
        }
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            const char *name = de->d_name;
            if (!name_presentable(name))
                continue;
            bool is_dir = de->d_type == DT_DIR;
            struct stat sb;
            if (de->d_type == DT_UNKNOWN)
                is_dir =
                    fstatat(dirfd(d), name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(sb.st_mode);
            if (found)
                found(ctx, path, name, is_dir);
            if (!is_dir)
                continue;
            /* never more queued than could be watched */
            if (q.n - q.head >= VFS_WATCH_MAX || !dirq_push(&q, path, name))
                dropped = true;
        }
        closedir(d);
        free(path);
    }
    for (size_t i = q.head; i < q.n; i++)
        free(q.p[i]);
    free(q.p);
    if (dropped && nt_ok(st))
        *partial = true;
    return st;
}

static bool is_posix(const struct vfs_share *s)
{
    return s->ops->open == posix_open;
}

ntstatus_t vfs_watch_dir(struct vfs_watcher *w, struct vfs_file *dir, const char *rel,
                         bool recursive, unsigned flags, struct vfs_watch **out, bool *partial)
{
    (void)flags; /* inotify_add_watch on /proc/self/fd/N waits for no disk */
    *out = NULL;
    *partial = false;
    struct vfs_share *share = dir->share;
    if (!is_posix(share))
        return STATUS_NOT_SUPPORTED;
    if (!dir->is_dir)
        return STATUS_NOT_A_DIRECTORY;
    struct vfs_watch *x = calloc(1, sizeof *x);
    if (!x || !(x->path = strdup(rel))) {
        free(x);
        return STATUS_NO_MEMORY;
    }
    x->share = share;
    x->recursive = recursive;
    atomic_fetch_add(&psh(share)->refs, 1);
    /* registered first: it covers what it and vfs_watch_more add */
    pthread_mutex_lock(&w->mu);
    x->next = w->watches;
    if (x->next)
        x->next->prev = x;
    w->watches = x;
    pthread_mutex_unlock(&w->mu);
    ntstatus_t st = watch_fd(w, share, pf(dir)->fd, rel, partial);
    if (!nt_ok(st)) {
        vfs_unwatch_dir(w, x);
        *partial = false;
        return st;
    }
    *out = x;
    return STATUS_SUCCESS;
}

ntstatus_t vfs_watch_more(struct vfs_watcher *w, struct vfs_share *share, const char *rel,
                          unsigned flags, vfs_found_fn found, void *ctx, bool *partial)
{
    *partial = false;
    if (!is_posix(share))
        return STATUS_NOT_SUPPORTED;
    if (flags & VFS_NOWAIT)
        return STATUS_SIGNET_WOULD_BLOCK;
    pthread_mutex_lock(&w->mu);
    bool wanted = covered(w, share, rel, true);
    pthread_mutex_unlock(&w->mu);
    return wanted ? walk(w, share, rel, found, ctx, partial) : STATUS_SUCCESS;
}

void vfs_unwatch_dir(struct vfs_watcher *w, struct vfs_watch *x)
{
    if (!x)
        return;
    pthread_mutex_lock(&w->mu);
    if (x->prev)
        x->prev->next = x->next;
    else
        w->watches = x->next;
    if (x->next)
        x->next->prev = x->prev;
    /* every view is covered by a watch: those x alone covered go */
    drop_below(w, x->share, x->path, true);
    pthread_mutex_unlock(&w->mu);
    posix_share_unref(psh(x->share));
    free(x->path);
    free(x);
}

/* ---- reading ---- */

ntstatus_t vfs_watcher_open(struct vfs_watcher **out, int *fd)
{
    struct vfs_watcher *w = calloc(1, sizeof *w);
    if (!w)
        return STATUS_NO_MEMORY;
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        ntstatus_t st = nt_from_errno(errno);
        free(w);
        return st;
    }
    pthread_mutex_init(&w->mu, NULL);
    *out = w;
    *fd = w->fd;
    return STATUS_SUCCESS;
}

void vfs_watcher_close(struct vfs_watcher *w)
{
    if (!w)
        return;
    while (w->watches)
        vfs_unwatch_dir(w, w->watches);
    for (unsigned b = 0; b < WD_BUCKETS; b++)
        while (w->tab[b])
            entry_remove(w, w->tab[b], false);
    close(w->fd); /* the kernel's watches go with it */
    pthread_mutex_destroy(&w->mu);
    free(w);
}

/* One event as each view of its directory sees it. */
struct seen {
    struct vfs_share *share;
    char *dir;
    bool watch_below;
};

/* The rename pairing of the event being handled: a MOVED_FROM whose
 * MOVED_TO follows it (same cookie) is a rename between watched
 * directories; within one directory it is RENAMED_OLD / _NEW ([MS-FSCC]
 * 2.7.1: a move between directories is a removal and an addition). */
struct pairing {
    bool from_paired; /* the MOVED_FROM just handled was paired ... */
    uint32_t cookie;  /* ... with the MOVED_TO of this cookie */
    int from_wd;
};

static bool is_moved_to(const struct inotify_event *ev, uint32_t cookie)
{
    return ev && (ev->mask & IN_MOVED_TO) && ev->cookie == cookie && ev->len &&
           name_presentable(ev->name);
}

/* Under mu: the views that see ev, and the bookkeeping of a directory
 * that moved or appeared. NULL when nobody sees it. */
static struct seen *views_locked(struct vfs_watcher *w, const struct inotify_event *ev,
                                 const struct inotify_event *next, bool paired, unsigned *n)
{
    struct wentry *e = find(w, ev->wd);
    if (!e || e->n == 0)
        return NULL;
    struct seen *s = calloc(e->n, sizeof *s);
    if (!s)
        return NULL;
    *n = 0;
    for (unsigned i = 0; i < e->n; i++) {
        if (!(s[*n].dir = strdup(e->v[i].path)))
            break;
        s[*n].share = e->v[i].share;
        (*n)++;
    }
    if (!(ev->mask & IN_ISDIR))
        return s;
    char path[VFS_PATH_MAX];
    for (unsigned i = 0; i < *n; i++) {
        if (!join(path, s[i].dir, ev->name))
            continue;
        if (ev->mask & IN_MOVED_FROM) {
            /* its views and watches follow it to its new name, or go */
            struct wentry *te = paired ? find(w, next->wd) : NULL;
            const struct view *tv = te ? view_of(te, s[i].share) : NULL;
            char to[VFS_PATH_MAX];
            if (tv && join(to, tv->path, next->name))
                rebase(w, s[i].share, path, to);
            else
                drop_below(w, s[i].share, path, false);
        } else if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
            s[i].watch_below =
                covered(w, s[i].share, path, true) && !view_exists(w, s[i].share, path);
        }
    }
    return s;
}

static void dispatch(struct vfs_watcher *w, const struct inotify_event *ev,
                     const struct inotify_event *next, struct pairing *pr, vfs_change_fn fn,
                     void *ctx)
{
    uint32_t m = ev->mask;
    if (m & IN_Q_OVERFLOW) {
        struct vfs_change_event ce = {.kind = VFS_CHANGE_OVERFLOW, .name = ""};
        fn(ctx, &ce);
        return;
    }
    if (m & IN_IGNORED) { /* the kernel ended it: the directory went */
        pthread_mutex_lock(&w->mu);
        struct wentry *e = find(w, ev->wd);
        if (e)
            entry_remove(w, e, false);
        pthread_mutex_unlock(&w->mu);
        return;
    }
    bool was_paired = pr->from_paired && (m & IN_MOVED_TO) && ev->cookie == pr->cookie;
    int from_wd = pr->from_wd;
    pr->from_paired = false;
    /* events on the directory itself are its parent's to report */
    if (!(m & WATCH_EVENTS) || ev->len == 0 || !name_presentable(ev->name))
        return;
    bool paired = (m & IN_MOVED_FROM) && is_moved_to(next, ev->cookie);
    struct vfs_change_event ce = {.name = ev->name, .is_dir = (m & IN_ISDIR) != 0};
    if (m & IN_CREATE) {
        ce.kind = VFS_CHANGE_ADDED;
        ce.created = true;
    } else if (m & IN_DELETE)
        ce.kind = VFS_CHANGE_REMOVED;
    else if (m & IN_MOVED_FROM)
        ce.kind = paired && next->wd == ev->wd ? VFS_CHANGE_RENAMED_OLD : VFS_CHANGE_REMOVED;
    else if (m & IN_MOVED_TO)
        ce.kind = was_paired && from_wd == ev->wd ? VFS_CHANGE_RENAMED_NEW : VFS_CHANGE_ADDED;
    else if (m & IN_MODIFY)
        ce.kind = VFS_CHANGE_DATA;
    else
        ce.kind = VFS_CHANGE_ATTRIBUTES;
    if (paired) {
        pr->from_paired = true;
        pr->cookie = ev->cookie;
        pr->from_wd = ev->wd;
    }
    unsigned n = 0;
    pthread_mutex_lock(&w->mu);
    struct seen *s = views_locked(w, ev, next, paired, &n);
    pthread_mutex_unlock(&w->mu);
    for (unsigned i = 0; i < n; i++) {
        ce.share = s[i].share;
        ce.dir = s[i].dir;
        ce.watch_below = s[i].watch_below;
        fn(ctx, &ce);
        free(s[i].dir);
    }
    free(s);
}

ntstatus_t vfs_watcher_read(struct vfs_watcher *w, vfs_change_fn fn, void *ctx)
{
    struct pairing pr = {0};
    for (int round = 0; round < READ_ROUNDS; round++) {
        ssize_t n = read(w->fd, w->buf, sizeof w->buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN ? STATUS_SUCCESS : nt_from_errno(errno);
        if (n == 0)
            return STATUS_SUCCESS;
        const char *p = w->buf, *end = w->buf + n;
        while (p < end) {
            const struct inotify_event *ev = (const void *)p;
            const char *after = p + sizeof *ev + ev->len;
            const struct inotify_event *next = after < end ? (const void *)after : NULL;
            dispatch(w, ev, next, &pr, fn, ctx);
            p = after;
        }
    }
    return STATUS_SUCCESS;
}
