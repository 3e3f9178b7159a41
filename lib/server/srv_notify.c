/* CHANGE_NOTIFY. [MS-SMB2] 3.3.5.19, [MS-FSA] 2.1.5.10: a directory open
 * watches its directory (and, with SMB2_WATCH_TREE, the tree below) once a
 * first CHANGE_NOTIFY names it. Changes are kept per open, as [MS-FSA]
 * NotifyEventList, from then on: a CHANGE_NOTIFY is answered at once with
 * what was kept, or waits (pending, with an interim response) for the next
 * change. More than its OutputBufferLength holds is STATUS_NOTIFY_ENUM_DIR
 * (the client then lists the directory again). A CANCEL ends a waiting one
 * with STATUS_CANCELLED, closing its open (or its tree or session going)
 * with STATUS_NOTIFY_CLEANUP.
 *
 * Changes come from two places: the handlers, for what clients do through
 * signetd (srv_notify_change), and the kernel, for what local processes do
 * (srv_notify_local.c). */
#include "server/srv_int.h"
#include "server/srv_notify_local.h"

#include "vfs/vfs.h"
#include "wire/change_notify.h"
#include "wire/create.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define WATCH_MAX_ENTRIES 1024 /* changes kept per open between two requests */

struct notify_entry {
    struct notify_entry *next;
    uint32_t action;
    size_t name_len;
    char name[]; /* UTF-8, '\' separated, relative to the watched directory */
};

struct srv_watch {
    struct srv_watch *next, *prev; /* the server's */
    struct srv_open *o;            /* the open it belongs to (which frees it) */
    uint32_t filter;
    bool tree;
    uint32_t max_len; /* the OutputBufferLength of the first request */
    struct notify_entry *head, *tail;
    size_t bytes; /* encoded size of what is kept */
    unsigned n;
    bool overflow;
    struct srv_req *waiting; /* pending requests, oldest first (wait_next) */
};

/* ---- what is kept ---- */

static void entries_free(struct srv_watch *w)
{
    while (w->head) {
        struct notify_entry *e = w->head;
        w->head = e->next;
        free(e);
    }
    w->tail = NULL;
    w->bytes = 0;
    w->n = 0;
}

/* The size of one FILE_NOTIFY_INFORMATION, 4-byte aligned: a bound on
 * what the entries take ([MS-FSCC] 2.7.1; UTF-16 is at most twice UTF-8). */
static size_t entry_size(size_t name_len)
{
    return (FSCC_NOTIFY_INFO_FIXED_SIZE + 2 * name_len + 3) & ~(size_t)3;
}

static void keep(struct srv_watch *w, uint32_t action, const char *name, size_t len)
{
    if (w->overflow)
        return;
    size_t need = entry_size(len);
    if (w->n >= WATCH_MAX_ENTRIES || w->bytes + need > w->max_len) {
        entries_free(w);
        w->overflow = true; /* the client lists the directory again */
        return;
    }
    struct notify_entry *e = malloc(sizeof *e + len + 1);
    if (!e) {
        entries_free(w);
        w->overflow = true;
        return;
    }
    e->next = NULL;
    e->action = action;
    e->name_len = len;
    memcpy(e->name, name, len);
    e->name[len] = '\0';
    if (w->tail)
        w->tail->next = e;
    else
        w->head = e;
    w->tail = e;
    w->bytes += need;
    w->n++;
}

/* ---- the watches ---- */

static void waiting_unlink(struct srv_watch *w, struct srv_req *r)
{
    if (r->wait_prev)
        r->wait_prev->wait_next = r->wait_next;
    else
        w->waiting = r->wait_next;
    if (r->wait_next)
        r->wait_next->wait_prev = r->wait_prev;
    r->wait_next = r->wait_prev = NULL;
}

/* Something is kept: the oldest waiting request takes it. */
static void deliver(struct srv_watch *w)
{
    struct srv_req *r = w->waiting;
    if (!r || (!w->head && !w->overflow))
        return;
    waiting_unlink(w, r);
    srv_req_wake(r, STATUS_SUCCESS);
}

/* Where path (relative to the share root, '/' separated) lies for the
 * watch: its name relative to the watched directory ('\' separated) in
 * out, or false when the watch does not see it. */
static bool relative_name(const struct srv_watch *w, const char *path, char *out, size_t cap)
{
    const char *dir = w->o->file->path;
    size_t dlen = strlen(dir);
    const char *rel;
    if (strcmp(dir, ".") == 0)
        rel = path;
    else if (strncmp(path, dir, dlen) == 0 && path[dlen] == '/')
        rel = path + dlen + 1;
    else
        return false;
    if (!w->tree && strchr(rel, '/'))
        return false; /* deeper than the directory itself */
    size_t n = strlen(rel);
    if (n == 0 || n + 1 > cap)
        return false;
    for (size_t i = 0; i <= n; i++)
        out[i] = rel[i] == '/' ? '\\' : rel[i];
    return true;
}

uint32_t srv_notify_name_filter(bool is_dir)
{
    return is_dir ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME;
}

void srv_notify_change(struct srv *s, const struct vfs_share *vs, const char *path, uint32_t action,
                       uint32_t filter)
{
    srv_notify_local_note(s, vs, path, action);
    char name[VFS_PATH_MAX];
    for (struct srv_watch *w = s->watches; w; w = w->next) {
        if (w->o->file->vs != vs || !(w->filter & filter))
            continue;
        if (!relative_name(w, path, name, sizeof name))
            continue;
        keep(w, action, name, strlen(name));
        deliver(w);
    }
}

bool srv_notify_watches_tree(const struct srv_open *o)
{
    return o->watch && o->watch->tree;
}

/* Is path dir itself, or below it? */
static bool at_or_below(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strcmp(dir, ".") == 0 ||
           (strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/'));
}

void srv_notify_overflow(struct srv *s, const struct vfs_share *vs, const char *path)
{
    for (struct srv_watch *w = s->watches; w; w = w->next) {
        const char *dir = w->o->file->path;
        if (vs && (w->o->file->vs != vs ||
                   (path && !at_or_below(dir, path) && !(w->tree && at_or_below(path, dir)))))
            continue;
        entries_free(w);
        w->overflow = true;
        deliver(w);
    }
}

void srv_notify_delete_pending(struct srv_file *f)
{
    for (struct srv_open *o = f->opens; o; o = o->fnext) {
        struct srv_watch *w = o->watch;
        while (w && w->waiting) {
            struct srv_req *r = w->waiting;
            waiting_unlink(w, r);
            srv_req_wake(r, STATUS_DELETE_PENDING);
        }
    }
}

static struct srv_watch *watch_new(struct srv *s, struct srv_open *o)
{
    struct srv_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->o = o;
    w->next = s->watches;
    if (w->next)
        w->next->prev = w;
    s->watches = w;
    o->watch = w;
    return w;
}

void srv_notify_open_gone(struct srv_open *o)
{
    struct srv_watch *w = o->watch;
    if (!w)
        return;
    struct srv *s = o->srv;
    srv_notify_local_release(s, o);
    /* its waiting requests were cancelled with the open (srv_open_remove) */
    if (w->prev)
        w->prev->next = w->next;
    else
        s->watches = w->next;
    if (w->next)
        w->next->prev = w->prev;
    entries_free(w);
    free(w);
    o->watch = NULL;
}

/* ---- the request ---- */

/* The kept changes into r's response, or STATUS_NOTIFY_ENUM_DIR when they
 * do not fit (or were too many). Either way they are gone. */
static ntstatus_t answer(struct srv_req *r, struct srv_watch *w, uint32_t out_len)
{
    if (w->overflow) {
        w->overflow = false;
        entries_free(w);
        return STATUS_NOTIFY_ENUM_DIR;
    }
    uint8_t *buf = malloc(out_len ? out_len : 1);
    if (!buf)
        return STATUS_INSUFFICIENT_RESOURCES;
    struct fscc_notify_writer nw;
    fscc_notify_writer_init(&nw, buf, out_len);
    ntstatus_t st = STATUS_SUCCESS;
    for (const struct notify_entry *e = w->head; e && nt_ok(st); e = e->next) {
        struct fscc_notify_entry fe = {
            .action = e->action, .name = e->name, .name_len = e->name_len};
        st = fscc_notify_writer_add(&nw, &fe);
    }
    entries_free(w);
    if (nt_ok(st)) {
        struct smb2_change_notify_rsp rsp = {.output_buffer = nw.len ? buf : NULL,
                                             .output_buffer_length = (uint32_t)nw.len};
        st = smb2_change_notify_rsp_encode(r->w, &rsp);
    } else {
        st = STATUS_NOTIFY_ENUM_DIR; /* [MS-SMB2] 3.3.5.19: more than fits */
    }
    free(buf);
    return st;
}

static ntstatus_t notify_done(struct srv_req *r, ntstatus_t st)
{
    if (!nt_ok(st))
        return st;
    struct srv_open *o = r->open;
    if (o->closed || !o->watch)
        return STATUS_NOTIFY_CLEANUP;
    struct smb2_change_notify_req q;
    if (!nt_ok(smb2_change_notify_req_decode(r->msg, r->len, &q)))
        return STATUS_INTERNAL_ERROR;
    return answer(r, o->watch, q.output_buffer_length);
}

static ntstatus_t notify_cancel(struct srv_req *r, enum srv_cancel_why why)
{
    struct srv_watch *w = r->open->watch;
    if (w)
        waiting_unlink(w, r);
    return why == SRV_CANCEL_REQUEST ? STATUS_CANCELLED : STATUS_NOTIFY_CLEANUP;
}

ntstatus_t srv_change_notify(struct srv_req *r)
{
    struct smb2_change_notify_req q;
    if (!nt_ok(smb2_change_notify_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    struct srv_open *o;
    ntstatus_t st = srv_open_lookup(r, &q.file_id, &o);
    if (!nt_ok(st))
        return st;
    if (!o->is_dir || q.output_buffer_length > SRV_MAX_IO)
        return STATUS_INVALID_PARAMETER;
    if (!srv_open_can(o, FILE_LIST_DIRECTORY))
        return STATUS_ACCESS_DENIED;
    struct srv_watch *w = o->watch;
    if (!w) {
        /* What is kept between requests is bounded by the first request's
         * OutputBufferLength, for the life of the open (as Windows: a
         * handle whose first request could hold nothing enumerates
         * again ever after). */
        if (!(w = watch_new(r->conn->srv, o)))
            return STATUS_INSUFFICIENT_RESOURCES;
        w->max_len = q.output_buffer_length;
    }
    w->filter = q.completion_filter;
    w->tree = (q.flags & SMB2_WATCH_TREE) != 0;
    srv_notify_local_watch(r->conn->srv, o);
    if ((w->head || w->overflow) && !w->waiting)
        return answer(r, w, q.output_buffer_length);
    st = srv_req_pend(r, notify_done, notify_cancel);
    if (!nt_eq(st, STATUS_SIGNET_ASYNC))
        return st;
    r->wait_next = NULL; /* join the waiting requests, oldest first */
    r->wait_prev = NULL;
    struct srv_req **tail = &w->waiting;
    while (*tail) {
        r->wait_prev = *tail;
        tail = &(*tail)->wait_next;
    }
    *tail = r;
    return st;
}
