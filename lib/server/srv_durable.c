/* Durable opens (srv_durable.h): the create contexts, the grant, keeping an
 * open when its connection or session goes, the server's list of
 * disconnected opens with its timer (the Durable Open Scavenger Timer of
 * [MS-SMB2] 3.3.2.2), reclaiming one, and closing the ones another open
 * needs. The rules follow [MS-SMB2] and, where it leaves room, what
 * smbtorture's smb2.durable-open and smb2.durable-v2-open expect of
 * Windows and Samba. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/create.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TICK_MS 1000u

/* ---- the create contexts ---- */

static bool has_ctx_len(const struct smb2_create_req *q, const char *tag, size_t len,
                        struct smb2_create_ctx *c)
{
    return nt_ok(smb2_create_ctx_find(q->create_contexts, q->create_contexts_len, tag, len, c));
}

static bool has_ctx(const struct smb2_create_req *q, const char *tag, struct smb2_create_ctx *c)
{
    return has_ctx_len(q, tag, SMB2_CREATE_CTX_TAG_LEN, c);
}

ntstatus_t srv_durable_parse(const struct srv_req *r, const struct smb2_create_req *q,
                             struct srv_durable_req *d)
{
    *d = (struct srv_durable_req){0};
    bool v3 = r->conn->dialect >= SMB2_DIALECT_0300; /* DH2Q, DH2C: 3.x only (2.2.13.2.11) */
    struct smb2_create_ctx nq, nc, q2, c2;
    bool has_nq = has_ctx(q, SMB2_CREATE_DURABLE_HANDLE_REQUEST, &nq);
    bool has_nc = has_ctx(q, SMB2_CREATE_DURABLE_HANDLE_RECONNECT, &nc);
    bool has_q2 = v3 && has_ctx(q, SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2, &q2);
    bool has_c2 = v3 && has_ctx(q, SMB2_CREATE_DURABLE_HANDLE_RECONNECT_V2, &c2);
    /* 3.3.5.9.6, .7, .10, .12: a v1 and a v2 context together, or a v2
     * request with a reconnect; a DHnQ beside a DHnC is ignored (3.3.5.9.7) */
    if ((has_nc && (has_q2 || has_c2)) || (has_c2 && (has_nq || has_q2)) || (has_nq && has_q2))
        return STATUS_INVALID_PARAMETER;
    if (has_nc) {
        struct smb2_ctx_dhnc v;
        if (!nt_ok(smb2_ctx_dhnc_decode(&nc, &v)))
            return STATUS_INVALID_PARAMETER;
        d->reconnect = 1;
        d->persistent = v.persistent;
        return STATUS_SUCCESS;
    }
    if (has_c2) {
        struct smb2_ctx_dh2c v;
        if (!nt_ok(smb2_ctx_dh2c_decode(&c2, &v)))
            return STATUS_INVALID_PARAMETER;
        d->reconnect = 2;
        d->persistent = v.persistent;
        memcpy(d->rc_create_guid, v.create_guid, 16);
        return STATUS_SUCCESS;
    }
    struct smb2_create_ctx app;
    if (v3 && has_ctx_len(q, SMB2_CREATE_APP_INSTANCE_ID, SMB2_CREATE_APP_INSTANCE_ID_LEN, &app)) {
        static const uint8_t zero[16];
        if (!nt_ok(smb2_ctx_app_instance_id_decode(&app, d->app_id)))
            return STATUS_INVALID_PARAMETER;
        d->app = memcmp(d->app_id, zero, 16) != 0;
    }
    if (has_nq) {
        if (!nt_ok(smb2_ctx_dhnq_decode(&nq)))
            return STATUS_INVALID_PARAMETER;
        d->want = 1;
        d->timeout_ms = SRV_DURABLE_DEFAULT_MS;
    } else if (has_q2) {
        struct smb2_ctx_dh2q v;
        if (!nt_ok(smb2_ctx_dh2q_decode(&q2, &v)))
            return STATUS_INVALID_PARAMETER;
        d->want = 2;
        /* the client's timeout, 0 for the default, capped; the PERSISTENT
         * flag is not granted (no SMB2_GLOBAL_CAP_PERSISTENT_HANDLES) */
        d->timeout_ms = v.timeout == 0                   ? SRV_DURABLE_DEFAULT_MS
                        : v.timeout > SRV_DURABLE_MAX_MS ? SRV_DURABLE_MAX_MS
                                                         : v.timeout;
        memcpy(d->create_guid, v.create_guid, 16);
    }
    return STATUS_SUCCESS;
}

/* ---- the grant ---- */

static uint64_t owner_hash(const char *user)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, over the lower-cased name */
    for (const unsigned char *p = (const unsigned char *)user; *p; p++)
        h = (h ^ (uint64_t)tolower(*p)) * 0x100000001b3ull;
    return h;
}

void srv_durable_app_instance(struct srv_req *r, struct srv_file *f,
                              const struct srv_durable_req *d)
{
    if (!d->app)
        return;
    for (struct srv_open *e = f->opens, *next; e; e = next) {
        next = e->fnext;
        if (!e->app_instance || memcmp(e->app_instance_id, d->app_id, 16) != 0 ||
            (e->conn && memcmp(e->conn->client_guid, r->conn->client_guid, 16) == 0))
            continue;
        sg_log(SG_LOG_INFO,
               "conn %" PRIu64 ": open of '%s' closed: its application instance "
               "opened it again",
               r->conn->id, f->path);
        (void)srv_open_remove(e, false);
    }
}

void srv_durable_grant(const struct srv_req *r, struct srv_open *o, const struct srv_durable_req *d,
                       const struct srv_cache_grant *g)
{
    if (d->app) { /* Open.AppInstanceId (3.3.5.9.13) */
        o->app_instance = true;
        memcpy(o->app_instance_id, d->app_id, 16);
    }
    if (!d->want || !r->tree->share->durable_handles || o->is_dir)
        return;
    /* 3.3.5.9.6 / 3.3.5.9.10: only an open whose handle is cached */
    bool handle = g->oplock_level == SMB2_OPLOCK_LEVEL_BATCH ||
                  (g->lease && (g->ctx.lease_state & SMB2_LEASE_HANDLE));
    /* a guest or anonymous session has no identity to check a reconnect by */
    if (!handle || r->sess->is_guest || r->sess->is_anonymous)
        return;
    struct srv_durable *du = calloc(1, sizeof *du);
    if (!du || !(du->owner = strdup(r->sess->user))) {
        free(du);
        return; /* not durable: the open itself is fine */
    }
    du->owner_hash = owner_hash(du->owner);
    du->version = d->want;
    du->timeout_ms = d->timeout_ms;
    memcpy(du->create_guid, d->create_guid, 16);
    o->durable = du;
}

const char *srv_durable_rsp(const struct srv_open *o, const struct srv_durable_req *d,
                            uint8_t out[8])
{
    if (!o->durable || !d->want)
        return NULL;
    if (d->want == 1) { /* 2.2.14.2.3 */
        smb2_ctx_dhnq_rsp_pack(out);
        return SMB2_CREATE_DURABLE_HANDLE_REQUEST;
    }
    struct smb2_ctx_dh2q_rsp v = {.timeout = o->durable->timeout_ms}; /* 2.2.14.2.12 */
    smb2_ctx_dh2q_rsp_pack(out, &v);
    return SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2;
}

/* ---- the disconnected opens ---- */

static void on_tick(uv_timer_t *t);

static unsigned user_count(const struct srv *s, const struct srv_durable *du)
{
    unsigned n = 0;
    for (const struct srv_open *o = s->disconnected; o; o = o->durable->dnext)
        n += o->durable->owner_hash == du->owner_hash &&
             strcasecmp(o->durable->owner, du->owner) == 0;
    return n;
}

/* May o be kept? (3.3.7.1: a durable open that still caches its handle.) */
static const char *why_not_kept(const struct srv_open *o)
{
    const struct srv *s = o->srv;
    bool breaking = false;
    uint32_t held = srv_cache_held(o, &breaking);
    if (s->shutting_down)
        return "the server is shutting down";
    if (!(held & SMB2_LEASE_HANDLE))
        return "its handle is no longer cached";
    if (breaking)
        return "a break of its caching is under way";
    /* locks are kept only under write caching (Samba, smbtorture
     * durable-open.lock-noW-lease) */
    if (!(held & SMB2_LEASE_WRITE) && srv_brl_held(o->file, o))
        return "it holds byte-range locks without write caching";
    if (s->n_disconnected >= SRV_MAX_DISCONNECTED)
        return "the server's limit of disconnected opens is reached";
    if (user_count(s, o->durable) >= SRV_MAX_DISCONNECTED_USER)
        return "its user's limit of disconnected opens is reached";
    return NULL;
}

bool srv_durable_keep(struct srv_open *o)
{
    struct srv_durable *du = o->durable;
    if (!du || o->closed || !o->conn)
        return false;
    struct srv *s = o->srv;
    const char *why = why_not_kept(o);
    if (why) {
        sg_log(SG_LOG_INFO, "conn %" PRIu64 ": durable open of '%s' closed: %s", o->conn->id,
               o->file->path, why);
        return false;
    }
    struct srv_conn *was = o->conn;
    srv_open_detach(o);
    srv_cache_detached(o, was);
    du->doomed = false;
    du->deadline_ms = uv_now(s->loop) + du->timeout_ms;
    du->dprev = NULL;
    du->dnext = s->disconnected;
    if (du->dnext)
        du->dnext->durable->dprev = o;
    s->disconnected = o;
    s->n_disconnected++;
    if (s->durable_timer_open && !uv_is_active((uv_handle_t *)&s->durable_timer))
        uv_timer_start(&s->durable_timer, on_tick, TICK_MS, TICK_MS);
    sg_log(SG_LOG_INFO,
           "conn %" PRIu64 ": durable open of '%s' kept for %u s (FileId 0x%" PRIx64 ")", was->id,
           o->file->path, du->timeout_ms / 1000, o->persistent_id);
    return true;
}

void srv_durable_forget(struct srv_open *o)
{
    struct srv_durable *du = o->durable;
    struct srv *s = o->srv;
    if (!du)
        return;
    if (du->dprev)
        du->dprev->durable->dnext = du->dnext;
    else if (s->disconnected == o)
        s->disconnected = du->dnext;
    else
        return; /* not on the list */
    if (du->dnext)
        du->dnext->durable->dprev = du->dprev;
    du->dnext = du->dprev = NULL;
    s->n_disconnected--;
    if (du->doomed) {
        du->doomed = false;
        s->n_doomed--;
    }
    if (!s->disconnected && s->durable_timer_open)
        uv_timer_stop(&s->durable_timer);
}

void srv_durable_free(struct srv_open *o)
{
    if (!o->durable)
        return;
    free(o->durable->owner);
    free(o->durable);
    o->durable = NULL;
}

void srv_durable_doom(struct srv_open *o)
{
    if (!o->durable || o->conn || o->closed || o->durable->doomed)
        return;
    o->durable->doomed = true;
    o->srv->n_doomed++;
}

bool srv_durable_purge(struct srv *s)
{
    if (!s->n_doomed)
        return false;
    for (struct srv_open *o = s->disconnected, *next; o; o = next) {
        next = o->durable->dnext;
        if (!o->durable->doomed)
            continue;
        sg_log(SG_LOG_INFO,
               "disconnected durable open of '%s' closed: another open needs what "
               "it caches",
               o->file->path);
        (void)srv_open_remove(o, false);
    }
    return true;
}

/* 3.3.2.2: the opens whose timeout passed are closed. */
static void on_tick(uv_timer_t *t)
{
    struct srv *s = t->data;
    uint64_t now = uv_now(s->loop);
    for (struct srv_open *o = s->disconnected, *next; o; o = next) {
        next = o->durable->dnext;
        if (now < o->durable->deadline_ms)
            continue;
        sg_log(SG_LOG_INFO, "disconnected durable open of '%s' closed: not reclaimed in %u s",
               o->file->path, o->durable->timeout_ms / 1000);
        (void)srv_open_remove(o, false);
    }
}

/* ---- reclaiming ---- */

static struct srv_open *find_disconnected(const struct srv *s, uint64_t persistent)
{
    for (struct srv_open *o = s->disconnected; o; o = o->durable->dnext)
        if (o->persistent_id == persistent && !o->durable->doomed)
            return o;
    return NULL;
}

/* 3.3.5.9.7: a leased open is reclaimed with its lease key, from its
 * client, under its name (unless it is to be deleted). The lease context
 * counts whatever RequestedOplockLevel says (smbtorture
 * durable-open.reopen2-lease sends 0x78). */
static ntstatus_t check_lease(struct srv_req *r, const struct smb2_create_req *q,
                              const struct srv_open *o)
{
    struct smb2_create_ctx c;
    struct smb2_ctx_lease rq;
    bool leasing = r->conn->dialect >= SMB2_DIALECT_0210 && r->conn->cfg->cfg.server.smb2_leases;
    bool asked = leasing && has_ctx(q, SMB2_CREATE_REQUEST_LEASE, &c) &&
                 nt_ok(smb2_ctx_lease_decode(&c, &rq));
    const struct srv_lease *l = o->lease;
    if (!l)
        return asked ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_SUCCESS;
    if (!asked || memcmp(rq.lease_key, l->key, 16) != 0 ||
        memcmp(l->client_guid, r->conn->client_guid, 16) != 0)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (o->delete_on_close || o->file->delete_pending)
        return STATUS_SUCCESS;
    char name[VFS_PATH_MAX], norm[VFS_PATH_MAX];
    if (!nt_ok(smb2_create_req_name(q, name, sizeof name)) ||
        !nt_ok(vfs_path_normalize(name, strlen(name), norm, sizeof norm, NULL)) ||
        strcmp(norm, o->file->path) != 0)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

ntstatus_t srv_durable_reclaim(struct srv_req *r, const struct smb2_create_req *q,
                               const struct srv_durable_req *d, struct srv_open **out)
{
    struct srv *s = r->conn->srv;
    *out = NULL;
    /* 3.3.5.9.7: only an open that is disconnected (a connected one is
     * Open.Session's), on this share */
    struct srv_open *o = find_disconnected(s, d->persistent);
    if (!o || o->file->vs != r->tree->vs)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    /* 3.3.5.9.12: a DH2C names the CreateGuid too (a DHnQ open's is zero) */
    if (d->reconnect == 2 && memcmp(o->durable->create_guid, d->rc_create_guid, 16) != 0)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    ntstatus_t st = check_lease(r, q, o);
    if (!nt_ok(st))
        return st;
    /* Open.DurableOwner: the same user (a failed attempt leaves the open
     * as it was, for its owner) */
    if (r->sess->is_guest || r->sess->is_anonymous || strcasecmp(o->durable->owner, r->sess->user))
        return STATUS_ACCESS_DENIED;
    st = srv_open_attach(r, o);
    if (!nt_ok(st))
        return st;
    srv_durable_forget(o);
    srv_cache_reattached(o);
    sg_log(SG_LOG_INFO,
           "conn %" PRIu64 ": durable open of '%s' reclaimed (FileId 0x%" PRIx64 "/0x%" PRIx64 ")",
           r->conn->id, o->file->path, o->persistent_id, o->id);
    *out = o;
    return STATUS_SUCCESS;
}

/* ---- LOCK replay detection (3.3.5.14) ---- */

static bool lock_seq_applies(const struct srv_open *o, uint16_t dialect, uint32_t index)
{
    return o->durable && dialect != SMB2_DIALECT_0202 && index >= 1 && index <= SRV_LOCK_SEQUENCES;
}

bool srv_durable_lock_replayed(struct srv_open *o, uint16_t dialect, uint32_t index, uint8_t seq)
{
    if (!lock_seq_applies(o, dialect, index))
        return false;
    struct srv_durable *du = o->durable;
    uint64_t bit = 1ull << (index - 1);
    if ((du->lock_seq_valid & bit) && du->lock_seq[index - 1] == seq)
        return true;
    du->lock_seq_valid &= ~bit;
    return false;
}

void srv_durable_lock_done(struct srv_open *o, uint16_t dialect, uint32_t index, uint8_t seq)
{
    if (!lock_seq_applies(o, dialect, index))
        return;
    o->durable->lock_seq[index - 1] = seq;
    o->durable->lock_seq_valid |= 1ull << (index - 1);
}

/* ---- the server ---- */

void srv_durable_init(struct srv *s)
{
    uv_timer_init(s->loop, &s->durable_timer);
    s->durable_timer.data = s;
    /* a disconnected open alone does not keep the loop alive: the
     * listeners do, and srv_free closes what is left */
    uv_unref((uv_handle_t *)&s->durable_timer);
    s->durable_timer_open = true;
}

void srv_durable_close(struct srv *s)
{
    while (s->disconnected)
        (void)srv_open_remove(s->disconnected, false);
    if (s->durable_timer_open) {
        s->durable_timer_open = false;
        uv_close((uv_handle_t *)&s->durable_timer, NULL);
    }
}
