/* Changes made by local processes, for CHANGE_NOTIFY (srv_notify.c): a
 * file created by `touch` on the server host is reported as one created
 * through signetd is ([MS-SMB2] 3.3.5.19, [MS-FSA] 2.1.5.10).
 *
 * One lib/vfs watcher per server, opened at the first watch and polled on
 * the loop. A directory is watched while at least one open watches it
 * (counted per directory and recursion). The directory itself is watched
 * at once, through the open's descriptor, before the request's interim
 * response goes; the tree below a tree watch is walked on the pool, and
 * what happens in it before the walk reaches it is not seen.
 *
 * What signetd's handlers change they report themselves (srv_notify_change),
 * and the kernel reports it again. So each report of a handler leaves a
 * mute entry (share, path, and whether a name appeared, went, or the file
 * was modified) for LOCAL_MUTE_MS, and a kernel event is looked at only
 * LOCAL_DELAY_MS after it was read: by then the handler that made the
 * change has reported it (its done function runs on the loop as soon as
 * its pool job ends), and an event that matches a live mute entry is
 * dropped. A local change to the same name of the same class within
 * LOCAL_MUTE_MS of signetd's is dropped with it.
 *
 * A directory that appears below a tree watch is watched in turn (on the
 * pool); the events after it wait until that is done, so that a client
 * that saw the directory appear sees what happens in it. What was put in a
 * new directory before its watch existed is reported from the walk that
 * set the watch up.
 *
 * Everything here runs on the loop, but the work functions, which see only
 * their job and the watcher (lib/vfs's, thread-safe). */
#include "server/srv_notify_local.h"
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/change_notify.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOCAL_DELAY_MS     100  /* a kernel event waits this long to be looked at */
#define LOCAL_MUTE_MS      2000 /* a handler's report mutes its kernel echo this long */
#define LOCAL_MUTE_MAX     4096 /* mute entries (the oldest goes) */
#define LOCAL_MUTE_BUCKETS 1024
#define LOCAL_QUEUE_MAX    4096 /* kernel events waiting; beyond: every watch overflows */
#define LOCAL_MORE_MAX     64   /* new directories being watched at once */
#define LOCAL_FOUND_MAX    1024 /* entries a new directory's walk reports; beyond: overflow */
#define LOCAL_OPEN_BUCKETS 256

enum mute_class { MUTE_APPEAR, MUTE_GO, MUTE_MODIFY };

/* A change a handler reported. */
struct mute {
    struct mute *hnext, **hprev; /* its hash chain */
    struct mute *newer, *older;  /* age order */
    uint64_t expire;             /* uv_now */
    const struct vfs_share *vs;
    uint32_t hash;
    enum mute_class cls;
    char path[];
};

/* A directory watched for the opens that watch it. */
struct local_dir {
    struct local_dir *next, *prev;
    const struct srv_file *file; /* the key: the opens on it hold it */
    bool tree;
    unsigned refs; /* opens */
    struct vfs_watch *vw;
};

/* Which directory an open watches. */
struct local_open {
    struct local_open *next;
    const struct srv_open *o;
    struct local_dir *d;
};

struct local_job;

/* A kernel event waiting to be looked at. */
struct local_item {
    struct local_item *next;
    uint64_t due; /* uv_now */
    const struct vfs_share *vs;
    uint32_t action, filter;
    bool overflow;             /* lost events: vs NULL everywhere, else at path */
    bool found;                /* from a new directory's walk */
    struct local_job *blocker; /* a walk it waits for */
    char path[];
};

/* An entry a new directory's walk found (on the pool). */
struct local_found {
    struct local_found *next;
    bool is_dir;
    char path[];
};

/* A walk on the pool (vfs_watch_more): below a tree watch that starts, or
 * a new directory below one. */
struct local_job {
    uv_work_t uvw;
    struct srv_notify_local *l;
    struct vfs_watcher *watcher;
    struct vfs_share *vs;
    char *path;
    bool initial; /* below a tree watch that starts, else below a new directory */
    bool created; /* a new directory: report what the walk finds in it */
    /* a new directory: the event that waits for it (NULL once dropped) */
    struct local_item *item;
    /* results */
    bool partial;
    struct local_found *found, **found_tail;
    unsigned n_found;
    bool found_overflow;
};

struct srv_notify_local {
    struct srv *srv; /* NULL once closed */
    struct vfs_watcher *w;
    int fd;
    bool failed; /* no watcher: nothing is reported */
    bool closing;
    uv_poll_t poll;
    uv_timer_t timer;
    unsigned handles, jobs, n_more;
    struct local_dir *dirs;
    unsigned n_dirs;
    struct local_open *opens[LOCAL_OPEN_BUCKETS];
    struct local_item *qhead, **qtail;
    unsigned qn;
    bool lost_queued; /* an overflow of everything waits in the queue */
    struct mute *mute_tab[LOCAL_MUTE_BUCKETS];
    struct mute *oldest, *newest;
    unsigned n_mute;
    bool delivering; /* our own srv_notify_change: no mute entry */
};

/* ---- paths ---- */

static bool join(char *out, const char *dir, const char *name)
{
    int n = strcmp(dir, ".") == 0 ? snprintf(out, VFS_PATH_MAX, "%s", name)
                                  : snprintf(out, VFS_PATH_MAX, "%s/%s", dir, name);
    return n > 0 && n < VFS_PATH_MAX;
}

/* ---- mute entries ---- */

static enum mute_class class_of(uint32_t action)
{
    switch (action) {
    case FILE_ACTION_ADDED:
    case FILE_ACTION_RENAMED_NEW_NAME:
        return MUTE_APPEAR;
    case FILE_ACTION_REMOVED:
    case FILE_ACTION_RENAMED_OLD_NAME:
        return MUTE_GO;
    default:
        return MUTE_MODIFY;
    }
}

static uint32_t mute_hash(const struct vfs_share *vs, const char *path, enum mute_class cls)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    uintptr_t p = (uintptr_t)vs;
    for (size_t i = 0; i < sizeof p; i++, p >>= 8)
        h = (h ^ (uint8_t)p) * 16777619u;
    h = (h ^ (uint8_t)cls) * 16777619u;
    for (const char *c = path; *c; c++)
        h = (h ^ (uint8_t)*c) * 16777619u;
    return h;
}

static void mute_unlink(struct srv_notify_local *l, struct mute *m)
{
    *m->hprev = m->hnext;
    if (m->hnext)
        m->hnext->hprev = m->hprev;
    if (m->older)
        m->older->newer = m->newer;
    else
        l->oldest = m->newer;
    if (m->newer)
        m->newer->older = m->older;
    else
        l->newest = m->older;
    l->n_mute--;
}

static void mute_push_newest(struct srv_notify_local *l, struct mute *m)
{
    m->newer = NULL;
    m->older = l->newest;
    if (l->newest)
        l->newest->newer = m;
    else
        l->oldest = m;
    l->newest = m;
}

/* Entries are in expiry order: the oldest go first. */
static void mute_expire(struct srv_notify_local *l, uint64_t now)
{
    while (l->oldest && l->oldest->expire <= now) {
        struct mute *m = l->oldest;
        mute_unlink(l, m);
        free(m);
    }
}

static struct mute *mute_find(struct srv_notify_local *l, const struct vfs_share *vs,
                              const char *path, enum mute_class cls, uint32_t h)
{
    for (struct mute *m = l->mute_tab[h % LOCAL_MUTE_BUCKETS]; m; m = m->hnext)
        if (m->hash == h && m->vs == vs && m->cls == cls && strcmp(m->path, path) == 0)
            return m;
    return NULL;
}

static void mute_add(struct srv_notify_local *l, const struct vfs_share *vs, const char *path,
                     enum mute_class cls)
{
    uint64_t now = uv_now(l->srv->loop);
    mute_expire(l, now);
    uint32_t h = mute_hash(vs, path, cls);
    struct mute *m = mute_find(l, vs, path, cls, h);
    if (m) { /* again: it lives on from now, as the newest */
        mute_unlink(l, m);
    } else {
        if (l->n_mute >= LOCAL_MUTE_MAX) {
            struct mute *old = l->oldest;
            mute_unlink(l, old);
            free(old);
        }
        size_t len = strlen(path);
        if (!(m = malloc(sizeof *m + len + 1)))
            return;
        m->vs = vs;
        m->cls = cls;
        m->hash = h;
        memcpy(m->path, path, len + 1);
    }
    m->expire = now + LOCAL_MUTE_MS;
    struct mute **b = &l->mute_tab[h % LOCAL_MUTE_BUCKETS];
    m->hnext = *b;
    m->hprev = b;
    if (*b)
        (*b)->hprev = &m->hnext;
    *b = m;
    mute_push_newest(l, m);
    l->n_mute++;
}

static bool muted(struct srv_notify_local *l, const struct vfs_share *vs, const char *path,
                  enum mute_class cls)
{
    mute_expire(l, uv_now(l->srv->loop));
    return mute_find(l, vs, path, cls, mute_hash(vs, path, cls)) != NULL;
}

static void mutes_free(struct srv_notify_local *l)
{
    while (l->oldest) {
        struct mute *m = l->oldest;
        mute_unlink(l, m);
        free(m);
    }
}

void srv_notify_local_note(struct srv *s, const struct vfs_share *vs, const char *path,
                           uint32_t action)
{
    struct srv_notify_local *l = s->local;
    if (l && !l->delivering && !l->closing && l->n_dirs)
        mute_add(l, vs, path, class_of(action));
}

/* ---- the events waiting ---- */

static void on_timer(uv_timer_t *h);

/* Look at the queue again when its head is due (unless a walk holds it). */
static void queue_arm(struct srv_notify_local *l)
{
    struct local_item *it = l->qhead;
    if (!it || it->blocker) {
        uv_timer_stop(&l->timer);
        return;
    }
    uint64_t now = uv_now(l->srv->loop);
    uv_timer_start(&l->timer, on_timer, it->due > now ? it->due - now : 0, 0);
}

static struct local_item *item_new(const struct vfs_share *vs, const char *path, uint64_t due)
{
    size_t len = path ? strlen(path) : 0;
    struct local_item *it = calloc(1, sizeof *it + len + 1);
    if (!it)
        return NULL;
    it->vs = vs;
    it->due = due;
    if (path)
        memcpy(it->path, path, len + 1);
    return it;
}

static void queue_append(struct srv_notify_local *l, struct local_item *it)
{
    it->next = NULL;
    *l->qtail = it;
    l->qtail = &it->next;
    l->qn++;
}

/* Insert it after prev (which is in the queue). */
static void queue_insert_after(struct srv_notify_local *l, struct local_item *prev,
                               struct local_item *it)
{
    it->next = prev->next;
    prev->next = it;
    if (l->qtail == &prev->next)
        l->qtail = &it->next;
    l->qn++;
}

/* Events were lost at path of vs (vs NULL: anywhere). Over the bound,
 * one overflow of everything stands for whatever else comes. */
static void queue_overflow(struct srv_notify_local *l, const struct vfs_share *vs, const char *path)
{
    if (l->qn >= LOCAL_QUEUE_MAX) {
        if (l->lost_queued)
            return;
        vs = NULL;
        path = NULL;
    }
    struct local_item *it = item_new(vs, path, uv_now(l->srv->loop) + LOCAL_DELAY_MS);
    if (!it)
        return;
    it->overflow = true;
    if (!vs)
        l->lost_queued = true;
    queue_append(l, it);
}

/* A kernel event, to be looked at LOCAL_DELAY_MS from now. NULL when the
 * queue is full (everything overflows once what waits is out). */
static struct local_item *queue_event(struct srv_notify_local *l, const struct vfs_share *vs,
                                      const char *path, uint32_t action, uint32_t filter)
{
    struct local_item *it =
        l->qn < LOCAL_QUEUE_MAX ? item_new(vs, path, uv_now(l->srv->loop) + LOCAL_DELAY_MS) : NULL;
    if (!it) {
        queue_overflow(l, NULL, NULL);
        return NULL;
    }
    it->action = action;
    it->filter = filter;
    queue_append(l, it);
    return it;
}

static void deliver(struct srv_notify_local *l, const struct local_item *it)
{
    struct srv *s = l->srv;
    if (it->overflow) {
        if (!it->vs)
            l->lost_queued = false;
        srv_notify_overflow(s, it->vs, it->vs && it->path[0] ? it->path : NULL);
        return;
    }
    if (muted(l, it->vs, it->path, class_of(it->action)))
        return; /* signetd made it, and reported it */
    l->delivering = true;
    srv_notify_change(s, it->vs, it->path, it->action, it->filter);
    l->delivering = false;
    /* the kernel may report it too, if it came just after the watch */
    if (it->found)
        mute_add(l, it->vs, it->path, MUTE_APPEAR);
}

static void queue_run(struct srv_notify_local *l)
{
    uint64_t now = uv_now(l->srv->loop);
    struct local_item *it;
    while ((it = l->qhead) != NULL && !it->blocker && it->due <= now) {
        l->qhead = it->next;
        if (!l->qhead)
            l->qtail = &l->qhead;
        l->qn--;
        deliver(l, it);
        free(it);
    }
    queue_arm(l);
}

static void on_timer(uv_timer_t *h)
{
    queue_run(h->data);
}

static void queue_free(struct srv_notify_local *l)
{
    while (l->qhead) {
        struct local_item *it = l->qhead;
        l->qhead = it->next;
        if (it->blocker)
            it->blocker->item = NULL;
        free(it);
    }
    l->qtail = &l->qhead;
    l->qn = 0;
    l->lost_queued = false;
}

/* ---- jobs on the pool ---- */

static void local_maybe_free(struct srv_notify_local *l)
{
    if (!l->closing || l->handles || l->jobs)
        return;
    vfs_watcher_close(l->w);
    free(l);
}

static void job_free(struct local_job *j)
{
    while (j->found) {
        struct local_found *f = j->found;
        j->found = f->next;
        free(f);
    }
    free(j->path);
    free(j);
}

static void on_found(void *ctx, const char *dir, const char *name, bool is_dir)
{
    struct local_job *j = ctx;
    char path[VFS_PATH_MAX];
    if (j->n_found >= LOCAL_FOUND_MAX || !join(path, dir, name)) {
        j->found_overflow = true;
        return;
    }
    size_t len = strlen(path);
    struct local_found *f = malloc(sizeof *f + len + 1);
    if (!f) {
        j->found_overflow = true;
        return;
    }
    f->next = NULL;
    f->is_dir = is_dir;
    memcpy(f->path, path, len + 1);
    *j->found_tail = f;
    j->found_tail = &f->next;
    j->n_found++;
}

static void walk_work(uv_work_t *u)
{
    struct local_job *j = u->data;
    /* its status is that of the directory itself: gone already, say */
    (void)vfs_watch_more(j->watcher, j->vs, j->path, 0, j->created ? on_found : NULL, j,
                         &j->partial);
}

static void log_partial(const char *path)
{
    sg_log(SG_LOG_WARN,
           "CHANGE_NOTIFY: '%s' watched in part (at most %u directories, and the kernel's "
           "fs.inotify.max_user_watches): its watchers enumerate again",
           path, (unsigned)VFS_WATCH_MAX);
}

/* A walk is done. Below a tree watch that starts: what it could not watch
 * overflows. A new directory: what it found goes right after the event that
 * waited for it, which may go on. */
static void walk_done(struct srv_notify_local *l, struct local_job *j)
{
    if (j->partial && !l->closing)
        log_partial(j->path);
    if (j->initial) {
        if (j->partial && !l->closing)
            srv_notify_overflow(l->srv, j->vs, j->path);
        return;
    }
    l->n_more--;
    struct local_item *it = j->item;
    if (l->closing || !it)
        return; /* the queue was dropped */
    it->blocker = NULL;
    struct local_item *prev = it;
    bool lost = j->partial || j->found_overflow;
    for (struct local_found *f = j->found; f && !lost; f = f->next) {
        struct local_item *n = l->qn < LOCAL_QUEUE_MAX ? item_new(it->vs, f->path, it->due) : NULL;
        if (!n) {
            lost = true;
            break;
        }
        n->action = FILE_ACTION_ADDED;
        n->filter = srv_notify_name_filter(f->is_dir);
        n->found = true;
        queue_insert_after(l, prev, n);
        prev = n;
    }
    if (lost) {
        struct local_item *n = item_new(it->vs, j->path, it->due);
        if (n) {
            n->overflow = true;
            queue_insert_after(l, prev, n);
        }
    }
    queue_run(l);
}

static void job_done(uv_work_t *u, int status)
{
    (void)status;
    struct local_job *j = u->data;
    struct srv_notify_local *l = j->l;
    l->jobs--;
    walk_done(l, j);
    job_free(j);
    local_maybe_free(l);
}

static struct local_job *job_new(struct srv_notify_local *l, struct vfs_share *vs, const char *path)
{
    struct local_job *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path))) {
        free(j);
        return NULL;
    }
    j->l = l;
    j->watcher = l->w;
    j->vs = vs;
    j->uvw.data = j;
    j->found_tail = &j->found;
    return j;
}

static bool job_start(struct srv_notify_local *l, struct local_job *j)
{
    if (uv_queue_work(l->srv->loop, &j->uvw, walk_work, job_done) != 0) {
        job_free(j);
        return false;
    }
    l->jobs++;
    return true;
}

/* ---- kernel events ---- */

static void map_event(const struct vfs_change_event *ev, uint32_t *action, uint32_t *filter)
{
    /* [MS-FSCC] 2.7.1 actions; the completion filter bits of [MS-SMB2]
     * 2.2.35 that each kind of change touches */
    *filter = srv_notify_name_filter(ev->is_dir);
    switch (ev->kind) {
    case VFS_CHANGE_ADDED:
        *action = FILE_ACTION_ADDED;
        break;
    case VFS_CHANGE_REMOVED:
        *action = FILE_ACTION_REMOVED;
        break;
    case VFS_CHANGE_RENAMED_OLD:
        *action = FILE_ACTION_RENAMED_OLD_NAME;
        break;
    case VFS_CHANGE_RENAMED_NEW:
        *action = FILE_ACTION_RENAMED_NEW_NAME;
        break;
    case VFS_CHANGE_DATA:
        *action = FILE_ACTION_MODIFIED;
        *filter = FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE;
        break;
    default: /* mode (READONLY), owner, times, xattrs: POSIX does not say which */
        *action = FILE_ACTION_MODIFIED;
        *filter = FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_LAST_WRITE |
                  FILE_NOTIFY_CHANGE_LAST_ACCESS | FILE_NOTIFY_CHANGE_EA |
                  FILE_NOTIFY_CHANGE_SECURITY;
        break;
    }
}

static void on_change(void *ctx, const struct vfs_change_event *ev)
{
    struct srv_notify_local *l = ctx;
    if (ev->kind == VFS_CHANGE_OVERFLOW) {
        sg_log(SG_LOG_NOTICE, "CHANGE_NOTIFY: the kernel dropped changes (inotify queue "
                              "overflow): every watcher enumerates again");
        queue_overflow(l, NULL, NULL);
        return;
    }
    char path[VFS_PATH_MAX];
    if (!join(path, ev->dir, ev->name))
        return;
    uint32_t action, filter;
    map_event(ev, &action, &filter);
    struct local_item *it = queue_event(l, ev->share, path, action, filter);
    if (!ev->watch_below)
        return;
    /* a directory below a tree watch: watch it before anything after it */
    struct local_job *j = NULL;
    if (it && l->n_more < LOCAL_MORE_MAX && (j = job_new(l, ev->share, path))) {
        j->created = ev->created;
        j->item = it;
        it->blocker = j;
        if (job_start(l, j)) {
            l->n_more++;
            return;
        }
        it->blocker = NULL;
    }
    queue_overflow(l, ev->share, path); /* it is not watched */
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    (void)events;
    struct srv_notify_local *l = h->data;
    if (l->closing)
        return;
    ntstatus_t st = status < 0 ? STATUS_UNSUCCESSFUL : vfs_watcher_read(l->w, on_change, l);
    if (!nt_ok(st)) {
        sg_log(SG_LOG_WARN,
               "CHANGE_NOTIFY: reading the kernel's changes failed (%s): changes "
               "by local processes are no longer reported",
               nt_name(st));
        uv_poll_stop(&l->poll);
    }
    queue_arm(l);
}

/* ---- the watcher, the directories and the opens ---- */

static void on_handle_closed(uv_handle_t *h)
{
    struct srv_notify_local *l = h->data;
    l->handles--;
    local_maybe_free(l);
}

/* The server's, opened at the first watch; NULL when out of memory. */
static struct srv_notify_local *local_get(struct srv *s)
{
    if (s->local)
        return s->local;
    struct srv_notify_local *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->srv = s;
    l->qtail = &l->qhead;
    s->local = l;
    ntstatus_t st = vfs_watcher_open(&l->w, &l->fd);
    if (nt_ok(st) && uv_poll_init(s->loop, &l->poll, l->fd) != 0)
        st = STATUS_UNSUCCESSFUL;
    if (!nt_ok(st)) {
        sg_log(SG_LOG_WARN,
               "CHANGE_NOTIFY: no kernel watcher (%s): changes by local processes "
               "are not reported",
               nt_name(st));
        vfs_watcher_close(l->w);
        l->w = NULL;
        l->failed = true;
        return l;
    }
    uv_timer_init(s->loop, &l->timer);
    l->poll.data = l->timer.data = l;
    l->handles = 2;
    uv_poll_start(&l->poll, UV_READABLE, on_readable);
    /* neither keeps the loop running: the connections and listeners do */
    uv_unref((uv_handle_t *)&l->poll);
    uv_unref((uv_handle_t *)&l->timer);
    return l;
}

static struct local_open **open_slot(struct srv_notify_local *l, const struct srv_open *o)
{
    struct local_open **pp = &l->opens[((uintptr_t)o >> 4) % LOCAL_OPEN_BUCKETS];
    while (*pp && (*pp)->o != o)
        pp = &(*pp)->next;
    return pp;
}

/* The directory entry of o's directory and tree flag, with a reference for
 * the caller. A new one watches the directory at once (its descriptor is
 * open: that does not wait for the disk), so that nothing after the
 * request's interim response goes unseen; the tree below is walked on the
 * pool. NULL when it cannot be watched. */
static struct local_dir *dir_get(struct srv_notify_local *l, const struct srv_open *o, bool tree)
{
    const struct srv_file *file = o->file;
    for (struct local_dir *d = l->dirs; d; d = d->next)
        if (d->file == file && d->tree == tree) {
            d->refs++;
            return d;
        }
    struct local_dir *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    bool partial;
    ntstatus_t st = vfs_watch_dir(l->w, o->f, file->path, tree, VFS_NOWAIT, &d->vw, &partial);
    if (!nt_ok(st)) {
        sg_log(SG_LOG_DEBUG, "CHANGE_NOTIFY: changes by local processes in '%s' not watched: %s",
               file->path, nt_name(st));
        free(d);
        return NULL;
    }
    if (partial) {
        log_partial(file->path);
        srv_notify_overflow(l->srv, file->vs, file->path);
    }
    struct local_job *j = tree && !partial ? job_new(l, file->vs, file->path) : NULL;
    if (j) {
        j->initial = true;
        if (!job_start(l, j))
            srv_notify_overflow(l->srv, file->vs, file->path); /* the tree is not watched */
    } else if (tree && !partial) {
        srv_notify_overflow(l->srv, file->vs, file->path);
    }
    d->file = file;
    d->tree = tree;
    d->refs = 1;
    d->next = l->dirs;
    if (d->next)
        d->next->prev = d;
    l->dirs = d;
    l->n_dirs++;
    return d;
}

static void dir_free(struct srv_notify_local *l, struct local_dir *d)
{
    vfs_unwatch_dir(l->w, d->vw);
    free(d);
}

static void dir_unlink(struct srv_notify_local *l, struct local_dir *d)
{
    if (d->prev)
        d->prev->next = d->next;
    else
        l->dirs = d->next;
    if (d->next)
        d->next->prev = d->prev;
    d->next = d->prev = NULL;
    l->n_dirs--;
}

static void dir_put(struct srv_notify_local *l, struct local_dir *d)
{
    if (--d->refs)
        return;
    dir_unlink(l, d);
    dir_free(l, d);
}

void srv_notify_local_watch(struct srv *s, struct srv_open *o)
{
    if (s->shutting_down)
        return;
    struct srv_notify_local *l = local_get(s);
    if (!l || l->failed)
        return;
    bool tree = srv_notify_watches_tree(o);
    struct local_open **pp = open_slot(l, o), *lo = *pp;
    if (lo && lo->d->tree == tree)
        return; /* watched already */
    struct local_dir *d = dir_get(l, o, tree);
    if (!d)
        return; /* out of memory: its local changes go unreported */
    if (lo) {   /* it asked for the tree, or no more */
        dir_put(l, lo->d);
        lo->d = d;
        return;
    }
    if (!(lo = malloc(sizeof *lo))) {
        dir_put(l, d);
        return;
    }
    lo->next = NULL;
    lo->o = o;
    lo->d = d;
    *pp = lo;
}

void srv_notify_local_release(struct srv *s, struct srv_open *o)
{
    struct srv_notify_local *l = s->local;
    if (!l || l->failed)
        return;
    struct local_open **pp = open_slot(l, o), *lo = *pp;
    if (!lo)
        return;
    *pp = lo->next;
    dir_put(l, lo->d);
    free(lo);
}

void srv_notify_local_close(struct srv *s)
{
    struct srv_notify_local *l = s->local;
    if (!l)
        return;
    s->local = NULL;
    l->closing = true;
    queue_free(l);
    mutes_free(l);
    for (unsigned i = 0; i < LOCAL_OPEN_BUCKETS; i++)
        while (l->opens[i]) {
            struct local_open *lo = l->opens[i];
            l->opens[i] = lo->next;
            free(lo);
        }
    while (l->dirs) {
        struct local_dir *d = l->dirs;
        dir_unlink(l, d);
        dir_free(l, d);
    }
    l->srv = NULL;
    if (l->handles) {
        uv_poll_stop(&l->poll);
        uv_timer_stop(&l->timer);
        uv_close((uv_handle_t *)&l->poll, on_handle_closed);
        uv_close((uv_handle_t *)&l->timer, on_handle_closed);
    }
    local_maybe_free(l);
}
