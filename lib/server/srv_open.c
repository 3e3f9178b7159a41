/* The open table of a connection ([MS-SMB2] 3.3.1.10 Open, 3.3.1.7
 * Connection.OpenTable... kept per connection as Windows keeps
 * Session.OpenTable: an open is found by FileId and then checked against the
 * request's session and tree, 3.3.5.x "If the Open is not found ... or
 * Open.Session != Session ... STATUS_FILE_CLOSED").
 *
 * Slots are an array grown on demand up to SRV_MAX_OPENS (16384) opens per
 * connection; the 16385th CREATE gets STATUS_TOO_MANY_OPENED_FILES. A
 * FileId.Volatile is (generation << 32 | slot), the generation counted for
 * the whole server, so lookups are O(1), a FileId of a closed open never
 * names the open that reuses its slot, and no two opens of the server share
 * one. FileId.Persistent is the first volatile id of the open: equal to it
 * until a durable open is reestablished in another slot (srv_durable.c);
 * a lookup checks both halves.
 *
 * Opens are counted: the table holds one reference and every request that
 * found the open holds one until its element ends. Removing an open from
 * the table (CLOSE, a tree or session going) cancels what waits on it; the
 * file itself is closed with the last reference, on the loop when that
 * cannot block, else on the pool. A durable open leaves its table without
 * being closed when its connection or session goes (srv_open_detach) and
 * may join another connection's later (srv_open_attach).
 *
 * Also here: the server's share-root cache, the generic access mapping and
 * the minimal security descriptor QUERY_INFO returns. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/create.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define FID_ANY UINT64_MAX

static ntstatus_t grow(struct srv_opens *t)
{
    uint32_t cap = t->cap ? t->cap * 2 : 64;
    if (cap > SRV_MAX_OPENS)
        cap = SRV_MAX_OPENS;
    struct srv_open **p = realloc(t->slots, cap * sizeof *p);
    if (!p)
        return STATUS_INSUFFICIENT_RESOURCES;
    memset(p + t->cap, 0, (cap - t->cap) * sizeof *p);
    t->slots = p;
    t->cap = cap;
    return STATUS_SUCCESS;
}

/* A free slot of c's table for o, and its new volatile id; the table holds
 * the reference the caller gives it. */
static ntstatus_t take_slot(struct srv_conn *c, struct srv_open *o)
{
    struct srv_opens *t = &c->opens;
    if (t->n >= SRV_MAX_OPENS)
        return STATUS_TOO_MANY_OPENED_FILES;
    if (t->n == t->cap && !nt_ok(grow(t)))
        return STATUS_INSUFFICIENT_RESOURCES;
    uint32_t slot = 0;
    while (slot < t->cap && t->slots[slot])
        slot++;
    if (slot == t->cap)
        return STATUS_TOO_MANY_OPENED_FILES;
    struct srv *s = c->srv;
    if (++s->open_gen == 0 || s->open_gen == UINT32_MAX)
        s->open_gen = 1;
    o->id = ((uint64_t)s->open_gen << 32) | slot;
    o->conn = c;
    t->slots[slot] = o;
    t->n++;
    return STATUS_SUCCESS;
}

/* Out of its connection's table (the table's reference is the caller's). */
static void leave_slot(struct srv_open *o)
{
    struct srv_conn *c = o->conn;
    uint64_t slot = o->id & 0xFFFFFFFFu;
    if (slot < c->opens.cap && c->opens.slots[slot] == o) {
        c->opens.slots[slot] = NULL;
        c->opens.n--;
    }
}

ntstatus_t srv_open_add(struct srv_req *r, struct srv_open *tmpl, struct srv_open **out)
{
    struct srv_conn *c = r->conn;
    if (c->closing || r->tree->gone || !r->sess || r->sess->gone)
        return STATUS_NETWORK_NAME_DELETED; /* went while the file was being opened */
    struct srv_open *o = malloc(sizeof *o);
    if (!o)
        return STATUS_INSUFFICIENT_RESOURCES;
    *o = *tmpl;
    ntstatus_t st = take_slot(c, o);
    if (!nt_ok(st)) {
        free(o);
        return st;
    }
    o->refs = 1; /* the table's */
    o->closed = false;
    o->srv = c->srv;
    o->persistent_id = o->id;
    /* onto the file's OpenList */
    o->fprev = NULL;
    o->fnext = o->file->opens;
    if (o->fnext)
        o->fnext->fprev = o;
    o->file->opens = o;
    o->file->n_opens++;
    o->tree = r->tree;
    srv_tree_ref(o->tree);
    o->session_id = r->sess->id;
    *out = o;
    return STATUS_SUCCESS;
}

ntstatus_t srv_open_attach(struct srv_req *r, struct srv_open *o)
{
    struct srv_conn *c = r->conn;
    if (c->closing || r->tree->gone || !r->sess || r->sess->gone)
        return STATUS_NETWORK_NAME_DELETED;
    ntstatus_t st = take_slot(c, o);
    if (!nt_ok(st))
        return st;
    o->tree = r->tree;
    srv_tree_ref(o->tree);
    o->session_id = r->sess->id;
    return STATUS_SUCCESS;
}

void srv_open_detach(struct srv_open *o)
{
    struct srv_conn *c = o->conn;
    leave_slot(o);
    srv_conn_cancel_matching(c, o, NULL, NULL, SRV_CANCEL_CLOSE);
    o->conn = NULL;
    srv_tree_unref(o->tree);
    o->tree = NULL;
    o->session_id = 0;
}

static struct srv_open *find(struct srv_conn *c, uint64_t id)
{
    uint64_t slot = id & 0xFFFFFFFFu;
    if (slot >= c->opens.cap)
        return NULL;
    struct srv_open *o = c->opens.slots[slot];
    return o && o->id == id ? o : NULL;
}

ntstatus_t srv_open_lookup(struct srv_req *r, const struct smb2_file_id *id, struct srv_open **out)
{
    struct smb2_file_id fid = *id;
    *out = NULL;
    if (fid.persistent == FID_ANY && fid.volatile_id == FID_ANY) {
        /* 3.3.5.2.7.2: the FileId of the previous operation of a related
         * compound; outside one there is nothing to inherit. When the
         * CREATE that was to give it failed, its status (<260>; Samba does
         * the same): a CREATE + READ + CLOSE of a missing file answers
         * NOT_FOUND three times. */
        if (r->related && r->compound_create_err && nt_is_error(*r->compound_create_err))
            return *r->compound_create_err;
        if (!r->related || !r->have_compound_fid || !*r->have_compound_fid)
            return STATUS_FILE_CLOSED;
        fid = *r->compound_fid;
    }
    struct srv_open *o = find(r->conn, fid.volatile_id);
    if (!o || o->persistent_id != fid.persistent || !r->sess || o->session_id != r->sess->id ||
        o->tree != r->tree)
        return STATUS_FILE_CLOSED;
    if (r->compound_fid) {
        *r->compound_fid = fid;
        *r->have_compound_fid = true;
        r->fid_given = true;
    }
    if (r->open != o) {
        if (r->open)
            srv_open_unref(r->open);
        srv_open_ref(o);
        r->open = o;
    }
    *out = o;
    return STATUS_SUCCESS;
}

void srv_open_ref(struct srv_open *o)
{
    o->refs++;
}

static void on_close_job(uv_work_t *w)
{
    struct vfs_file **f = w->data;
    (void)vfs_close(*f, 0);
}

static void on_close_job_done(uv_work_t *w, int status)
{
    (void)status;
    free(w);
}

/* Close f on the loop when that cannot block, else on the pool. The data
 * of the work request is the vfs_file pointer right after it. Once the
 * server is being freed (srv_free: the loop has stopped) it blocks. */
void srv_file_close(struct srv *srv, struct vfs_file *f)
{
    if (!f || !nt_eq(vfs_close(f, VFS_NOWAIT), STATUS_SIGNET_WOULD_BLOCK))
        return;
    struct {
        uv_work_t w;
        struct vfs_file *f;
    } *job = srv->freeing ? NULL : malloc(sizeof *job);
    if (job) {
        job->f = f;
        job->w.data = &job->f;
        if (uv_queue_work(srv->loop, &job->w, on_close_job, on_close_job_done) == 0)
            return;
        free(job);
    }
    (void)vfs_close(f, 0); /* no pool: block rather than leak */
}

void srv_open_unref(struct srv_open *o)
{
    if (--o->refs > 0)
        return;
    struct srv *srv = o->srv;
    srv_file_close(srv, o->f);
    srv_fd_release(srv, &o->fd_slot);
    srv_file_unref(srv, o->file);
    if (o->tree)
        srv_tree_unref(o->tree);
    srv_durable_free(o);
    free(o);
}

/* Off the file's OpenList; its locks go, and the LOCKs waiting for them
 * are looked at again. True when the file is delete-pending with no open
 * left: it is to be removed. */
static bool leave_file(struct srv_open *o)
{
    struct srv_file *f = o->file;
    if (o->fprev)
        o->fprev->fnext = o->fnext;
    else
        f->opens = o->fnext;
    if (o->fnext)
        o->fnext->fprev = o->fprev;
    o->fnext = o->fprev = NULL;
    f->n_opens--;
    srv_cache_open_gone(o);
    if (o->delete_on_close && !f->delete_pending) {
        f->delete_pending = true; /* [MS-FSA] 2.1.5.4 */
        srv_notify_delete_pending(f);
    }
    if (srv_brl_release_open(f, o))
        srv_brl_wake(f);
    return f->n_opens == 0 && f->delete_pending && !f->deleting;
}

bool srv_open_remove(struct srv_open *o, bool caller_deletes)
{
    if (o->closed)
        return false;
    o->closed = true;
    if (o->conn) {
        leave_slot(o);
        srv_conn_cancel_matching(o->conn, o, NULL, NULL, SRV_CANCEL_CLOSE);
    } else {
        srv_durable_forget(o); /* off the server's list of disconnected opens */
    }
    srv_notify_open_gone(o);
    bool delete = leave_file(o);
    if (delete &&!caller_deletes)
        srv_file_delete_later(o->srv, o->file);
    srv_open_unref(o);
    return delete &&caller_deletes;
}

void srv_open_remove_tree(struct srv_conn *c, const struct srv_tree *t, bool keep_durable)
{
    for (uint32_t i = 0; i < c->opens.cap && c->opens.n; i++) {
        struct srv_open *o = c->opens.slots[i];
        if (o && o->tree == t && !(keep_durable && srv_durable_keep(o)))
            (void)srv_open_remove(o, false);
    }
}

void srv_opens_free(struct srv_conn *c)
{
    for (uint32_t i = 0; i < c->opens.cap; i++)
        if (c->opens.slots[i])
            (void)srv_open_remove(c->opens.slots[i], false);
    free(c->opens.slots);
    c->opens = (struct srv_opens){0};
}

/* ---- share roots ---- */

struct vfs_share *srv_vfs_share_cached(struct srv *s, const struct cfg_share *sh)
{
    for (unsigned i = 0; i < s->n_vs; i++)
        if (s->vs_cache[i].read_only == sh->read_only && strcmp(s->vs_cache[i].path, sh->path) == 0)
            return s->vs_cache[i].vs;
    return NULL;
}

struct vfs_share *srv_vfs_share_keep(struct srv *s, const struct cfg_share *sh,
                                     struct vfs_share *vs)
{
    struct vfs_share *have = srv_vfs_share_cached(s, sh);
    if (have) {
        vfs_share_close(vs); /* opened twice at once: keep the first */
        return have;
    }
    size_t path_len = strlen(sh->path);
    if (s->n_vs >= SRV_MAX_VFS_SHARES || path_len >= sizeof s->vs_cache[0].path) {
        vfs_share_close(vs);
        return NULL;
    }
    memcpy(s->vs_cache[s->n_vs].path, sh->path, path_len + 1);
    s->vs_cache[s->n_vs].read_only = sh->read_only;
    s->vs_cache[s->n_vs++].vs = vs;
    return vs;
}

void srv_vfs_shares_free(struct srv *s)
{
    for (unsigned i = 0; i < s->n_vs; i++)
        vfs_share_close(s->vs_cache[i].vs);
    s->n_vs = 0;
}

/* ---- access ---- */

/* [MS-SMB2] 2.2.13.1 / [MS-DTYP] 2.4.3: generic rights to file rights. */
#define MAP_READ    0x00120089u
#define MAP_WRITE   0x00120116u
#define MAP_EXECUTE 0x001200A0u
#define MAP_ALL     0x001F01FFu
#define WRITE_BITS                                                                                 \
    (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES |                  \
     FILE_DELETE_CHILD | DELETE | WRITE_DAC | WRITE_OWNER)

uint32_t srv_map_access(uint32_t desired, bool read_only)
{
    uint32_t a = desired & 0x01FF01FFu;
    if (desired & GENERIC_READ)
        a |= MAP_READ;
    if (desired & GENERIC_WRITE)
        a |= MAP_WRITE;
    if (desired & GENERIC_EXECUTE)
        a |= MAP_EXECUTE;
    if (desired & GENERIC_ALL)
        a |= MAP_ALL;
    if (desired & MAXIMUM_ALLOWED)
        a |= read_only ? (MAP_ALL & ~WRITE_BITS) : MAP_ALL;
    return a;
}

bool srv_open_can(const struct srv_open *o, uint32_t access)
{
    return (o->access & access) != 0;
}

/* ---- attributes ---- */

uint32_t srv_attributes(uint32_t a, const char *name)
{
    if (name && name[0] == '.' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
        a = (a & ~FILE_ATTRIBUTE_NORMAL) | FILE_ATTRIBUTE_HIDDEN;
    if (a & FILE_ATTRIBUTE_DIRECTORY)
        return a;
    return (a & ~FILE_ATTRIBUTE_NORMAL) | FILE_ATTRIBUTE_ARCHIVE;
}

/* ---- the security descriptor ---- */

/* A self-relative SECURITY_DESCRIPTOR ([MS-DTYP] 2.4.6): owner and group
 * Everyone (S-1-1-0), a DACL with one ACCESS_ALLOWED_ACE giving Everyone
 * FILE_ALL_ACCESS. POSIX permissions are not mapped: the share's own checks
 * (read only, valid users) and the kernel's are what protect the files. */
static void sid_everyone(struct wr *w)
{
    static const uint8_t sid[12] = {1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    wr_bytes(w, sid, sizeof sid);
}

ntstatus_t srv_sd_encode(struct wr *w, uint32_t info)
{
    bool owner = info & 1u, group = info & 2u, dacl = info & 4u;
    uint32_t off = 20;
    size_t start = wr_pos(w);
    wr_u8(w, 1); /* Revision */
    wr_u8(w, 0);
    wr_u16(w, (uint16_t)(0x8000u | (dacl ? 0x0004u : 0))); /* SELF_RELATIVE, DACL_PRESENT */
    wr_u32(w, owner ? off : 0);
    off += owner ? 12 : 0;
    wr_u32(w, group ? off : 0);
    off += group ? 12 : 0;
    wr_u32(w, 0); /* no SACL */
    wr_u32(w, dacl ? off : 0);
    if (owner)
        sid_everyone(w);
    if (group)
        sid_everyone(w);
    if (dacl) {
        wr_u8(w, 2); /* ACL_REVISION */
        wr_u8(w, 0);
        wr_u16(w, 8 + 20);
        wr_u16(w, 1);
        wr_u16(w, 0);
        wr_u8(w, 0); /* ACCESS_ALLOWED_ACE_TYPE */
        wr_u8(w, 0);
        wr_u16(w, 20);
        wr_u32(w, MAP_ALL);
        sid_everyone(w);
    }
    (void)start;
    return wr_status(w);
}
