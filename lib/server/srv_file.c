/* The server's file table (srv_file.h): entries by (share, device, inode),
 * the sharing check of [MS-FSA] 2.1.5.1.2.2, paths kept across renames, and
 * the removal of a delete-pending file once its last open is gone. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/change_notify.h"
#include "wire/create.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static size_t bucket(const struct vfs_share *vs, uint64_t dev, uint64_t ino)
{
    uint64_t h =
        (ino * 0x9E3779B97F4A7C15ull) ^ (dev * 0xC2B2AE3D27D4EB4Full) ^ (uint64_t)(uintptr_t)vs;
    return (size_t)((h >> 32) % SRV_FILE_BUCKETS);
}

struct srv_file *srv_file_find(const struct srv *s, const struct vfs_share *vs, uint64_t dev,
                               uint64_t ino)
{
    for (struct srv_file *f = s->files[bucket(vs, dev, ino)]; f; f = f->hnext)
        if (f->vs == vs && f->dev == dev && f->ino == ino)
            return f;
    return NULL;
}

struct srv_file *srv_file_get(struct srv *s, struct vfs_share *vs, uint64_t dev, uint64_t ino,
                              const char *path, bool is_dir, bool is_root)
{
    struct srv_file *f = srv_file_find(s, vs, dev, ino);
    if (f) {
        f->refs++;
        return f;
    }
    f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        return NULL;
    }
    f->vs = vs;
    f->dev = dev;
    f->ino = ino;
    f->is_dir = is_dir;
    f->is_root = is_root;
    f->refs = 1;
    size_t b = bucket(vs, dev, ino);
    f->hnext = s->files[b];
    s->files[b] = f;
    s->n_files++;
    return f;
}

void srv_file_ref(struct srv_file *f)
{
    f->refs++;
}

void srv_file_unref(struct srv *s, struct srv_file *f)
{
    if (--f->refs > 0)
        return;
    struct srv_file **p = &s->files[bucket(f->vs, f->dev, f->ino)];
    while (*p != f)
        p = &(*p)->hnext;
    *p = f->hnext;
    s->n_files--;
    free(f->path);
    free(f->locks);
    free(f);
}

/* [MS-FSA] 2.1.5.1.2.2. Only opens that read, write or delete the data
 * take part, on either side. */
ntstatus_t srv_file_share_check(const struct srv_file *f, uint32_t access, uint32_t share_access)
{
    const uint32_t data =
        FILE_READ_DATA | FILE_EXECUTE | FILE_WRITE_DATA | FILE_APPEND_DATA | DELETE;
    if (!(access & data))
        return STATUS_SUCCESS;
    for (const struct srv_open *e = f->opens; e; e = e->fnext) {
        if (!(e->access & data))
            continue;
        bool conflict =
            (!(e->share_access & FILE_SHARE_READ) && (access & (FILE_READ_DATA | FILE_EXECUTE))) ||
            (!(e->share_access & FILE_SHARE_WRITE) &&
             (access & (FILE_WRITE_DATA | FILE_APPEND_DATA))) ||
            (!(e->share_access & FILE_SHARE_DELETE) && (access & DELETE)) ||
            (!(share_access & FILE_SHARE_READ) && (e->access & (FILE_READ_DATA | FILE_EXECUTE))) ||
            (!(share_access & FILE_SHARE_WRITE) &&
             (e->access & (FILE_WRITE_DATA | FILE_APPEND_DATA))) ||
            (!(share_access & FILE_SHARE_DELETE) && (e->access & DELETE));
        if (conflict)
            return STATUS_SHARING_VIOLATION;
    }
    return STATUS_SUCCESS;
}

/* Does path lie at or beneath prefix (both relative, '/' separated)? */
static bool path_under(const char *path, const char *prefix, size_t plen)
{
    if (strcmp(prefix, ".") == 0)
        return true;
    return strncmp(path, prefix, plen) == 0 && (path[plen] == '\0' || path[plen] == '/');
}

bool srv_file_open_below(const struct srv *s, const struct vfs_share *vs, const char *dir_path)
{
    size_t plen = strlen(dir_path);
    for (size_t i = 0; i < SRV_FILE_BUCKETS; i++)
        for (const struct srv_file *f = s->files[i]; f; f = f->hnext)
            if (f->vs == vs && f->n_opens > 0 && strcmp(f->path, dir_path) != 0 &&
                path_under(f->path, dir_path, plen))
                return true;
    return false;
}

struct srv_file *srv_file_find_path(const struct srv *s, const struct vfs_share *vs,
                                    const char *path)
{
    for (size_t i = 0; i < SRV_FILE_BUCKETS; i++)
        for (struct srv_file *f = s->files[i]; f; f = f->hnext)
            if (f->vs == vs && f->n_opens > 0 && strcmp(f->path, path) == 0)
                return f;
    return NULL;
}

ntstatus_t srv_file_renamed(struct srv *s, const struct vfs_share *vs, const char *old_path,
                            const char *new_path)
{
    size_t olen = strlen(old_path), nlen = strlen(new_path);
    for (size_t i = 0; i < SRV_FILE_BUCKETS; i++) {
        for (struct srv_file *f = s->files[i]; f; f = f->hnext) {
            if (f->vs != vs || strcmp(old_path, ".") == 0 || !path_under(f->path, old_path, olen))
                continue;
            size_t tail = strlen(f->path) - olen;
            char *p = malloc(nlen + tail + 1);
            if (!p)
                return STATUS_NO_MEMORY;
            memcpy(p, new_path, nlen);
            memcpy(p + nlen, f->path + olen, tail + 1);
            free(f->path);
            f->path = p;
        }
    }
    return STATUS_SUCCESS;
}

const char *srv_file_name(const struct srv_file *f)
{
    if (f->is_root)
        return "";
    const char *slash = strrchr(f->path, '/');
    return slash ? slash + 1 : f->path;
}

/* ---- removing a delete-pending file ---- */

struct delete_job {
    uv_work_t w;
    struct srv *srv;
    struct srv_file *f;
    struct vfs_share *vs;
    char *path;
    uint64_t dev, ino;
    bool is_dir;
    ntstatus_t st;
};

static void on_delete(uv_work_t *w)
{
    struct delete_job *j = w->data;
    j->st = vfs_unlink(j->vs, j->path, j->dev, j->ino, j->is_dir, 0);
}

static void on_delete_done(uv_work_t *w, int status)
{
    struct delete_job *j = w->data;
    if (status != 0 || !nt_ok(j->st))
        sg_log(SG_LOG_WARN, "delete on close of '%s' failed: %s", j->path,
               status != 0 ? "cancelled" : nt_name(j->st));
    else
        srv_notify_change(j->srv, j->vs, j->path, FILE_ACTION_REMOVED,
                          srv_notify_name_filter(j->is_dir));
    j->f->deleting = false;
    srv_cache_wake(j->f); /* CREATEs waiting for it to go (srv_create.c) */
    srv_file_unref(j->srv, j->f);
    free(j->path);
    free(j);
}

void srv_file_delete_later(struct srv *s, struct srv_file *f)
{
    if (f->deleting || f->is_root)
        return;
    struct delete_job *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(f->path))) {
        free(j);
        sg_log(SG_LOG_WARN, "delete on close of '%s': out of memory", f->path);
        return;
    }
    j->srv = s;
    j->f = f;
    j->vs = f->vs;
    j->dev = f->dev;
    j->ino = f->ino;
    j->is_dir = f->is_dir;
    j->w.data = j;
    srv_file_ref(f);
    f->deleting = true;
    if (s->freeing) { /* srv_free: the loop has stopped */
        on_delete(&j->w);
        on_delete_done(&j->w, 0);
    } else if (uv_queue_work(s->loop, &j->w, on_delete, on_delete_done) != 0) {
        j->st = STATUS_INSUFFICIENT_RESOURCES;
        on_delete_done(&j->w, 0);
    }
}
