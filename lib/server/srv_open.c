/* The open table of a connection ([MS-SMB2] 3.3.1.10 Open, 3.3.1.7
 * Connection.OpenTable... kept per connection as Windows keeps
 * Session.OpenTable: an open is found by FileId and then checked against the
 * request's session and tree, 3.3.5.x "If the Open is not found ... or
 * Open.Session != Session ... STATUS_FILE_CLOSED").
 *
 * Slots are an array grown on demand up to SRV_MAX_OPENS (16384) opens per
 * connection; the 16385th CREATE gets STATUS_TOO_MANY_OPENED_FILES. A FileId
 * is (generation << 32 | slot) in both halves, so lookups are O(1) and a
 * FileId of a closed open never names the open that reuses its slot.
 *
 * Also here: the server's share-root cache, the generic access mapping and
 * the minimal security descriptor QUERY_INFO returns. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/create.h"

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

ntstatus_t srv_open_add(struct srv_conn *c, struct srv_open *tmpl, struct srv_open **out)
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
    struct srv_open *o = malloc(sizeof *o);
    if (!o)
        return STATUS_INSUFFICIENT_RESOURCES;
    *o = *tmpl;
    if (++t->gen == 0 || t->gen == UINT32_MAX)
        t->gen = 1;
    o->id = ((uint64_t)t->gen << 32) | slot;
    t->slots[slot] = o;
    t->n++;
    *out = o;
    return STATUS_SUCCESS;
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
         * compound; outside one there is nothing to inherit. */
        if (!r->related || !r->have_compound_fid || !*r->have_compound_fid)
            return STATUS_FILE_CLOSED;
        fid = *r->compound_fid;
    }
    if (fid.persistent != fid.volatile_id)
        return STATUS_FILE_CLOSED;
    struct srv_open *o = find(r->conn, fid.volatile_id);
    if (!o || !r->sess || o->session_id != r->sess->id || o->tree != r->tree)
        return STATUS_FILE_CLOSED;
    if (r->compound_fid) {
        *r->compound_fid = fid;
        *r->have_compound_fid = true;
    }
    *out = o;
    return STATUS_SUCCESS;
}

ntstatus_t srv_open_close(struct srv_conn *c, struct srv_open *o)
{
    ntstatus_t st = vfs_close(o->f);
    if (nt_eq(st, STATUS_SIGNET_WOULD_BLOCK))
        return st; /* nowait mode: nothing closed yet */
    uint64_t slot = o->id & 0xFFFFFFFFu;
    if (slot < c->opens.cap && c->opens.slots[slot] == o) {
        c->opens.slots[slot] = NULL;
        c->opens.n--;
    }
    free(o);
    return st;
}

void srv_open_close_tree(struct srv_conn *c, const struct srv_tree *t)
{
    for (uint32_t i = 0; i < c->opens.cap && c->opens.n; i++)
        if (c->opens.slots[i] && c->opens.slots[i]->tree == t)
            (void)srv_open_close(c, c->opens.slots[i]);
}

void srv_opens_free(struct srv_conn *c)
{
    for (uint32_t i = 0; i < c->opens.cap; i++)
        if (c->opens.slots[i])
            (void)srv_open_close(c, c->opens.slots[i]);
    free(c->opens.slots);
    c->opens = (struct srv_opens){0};
}

/* ---- share roots ---- */

struct vfs_share *srv_vfs_share(struct srv *s, const struct cfg_share *sh)
{
    struct vfs_share *vs = NULL;
    uv_mutex_lock(&s->vs_lock);
    for (unsigned i = 0; i < s->n_vs && !vs; i++)
        if (s->vs_cache[i].read_only == sh->read_only && strcmp(s->vs_cache[i].path, sh->path) == 0)
            vs = s->vs_cache[i].vs;
    size_t path_len = strlen(sh->path);
    if (!vs && s->n_vs < SRV_MAX_VFS_SHARES && path_len < sizeof s->vs_cache[0].path &&
        nt_ok(vfs_share_open(sh->path, sh->read_only, &vs))) {
        memcpy(s->vs_cache[s->n_vs].path, sh->path, path_len + 1);
        s->vs_cache[s->n_vs].read_only = sh->read_only;
        s->vs_cache[s->n_vs++].vs = vs;
    }
    uv_mutex_unlock(&s->vs_lock);
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

uint32_t srv_attributes(uint32_t a)
{
    if (a & FILE_ATTRIBUTE_DIRECTORY)
        return a;
    return (a & ~FILE_ATTRIBUTE_NORMAL) | FILE_ATTRIBUTE_ARCHIVE;
}

ntstatus_t srv_fstat(struct vfs_file *f, struct vfs_stat *st)
{
    ntstatus_t s = vfs_fstat(f, st);
    if (nt_ok(s))
        st->attributes = srv_attributes(st->attributes);
    return s;
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
