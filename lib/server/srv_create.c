/* CREATE. [MS-SMB2] 3.3.5.9: the request's checks, the open itself in
 * lib/vfs (dispositions, directory / non-directory options, delete on close,
 * the share root containment), the breaks and grant of oplocks and leases
 * (srv_oplock.c), then the response with the create contexts we answer:
 * SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST (3.3.5.9.5), the lease
 * (3.3.5.9.8, 3.3.5.9.11), the durable handle (3.3.5.9.6, 3.3.5.9.10) and
 * SMB2_CREATE_QUERY_ON_DISK_ID (3.3.5.9.9). A durable reconnect (DHnC,
 * DH2C: 3.3.5.9.7, 3.3.5.9.12) opens nothing: it gives a disconnected open
 * back (srv_durable.c), and the request's other fields are not looked at.
 * Every other context (EAs, security descriptors, allocation size,
 * timewarp, app instance) is ignored, as 3.3.5.9 allows for a server that
 * does not support it.
 *
 * IPC$: named pipes (srvsvc, lsarpc, ...) are not served: every CREATE on
 * IPC$ answers STATUS_OBJECT_NAME_NOT_FOUND, as a server without that pipe. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/change_notify.h"
#include "wire/create.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define VALID_ATTRIBUTES 0x0003F7B7u /* [MS-FSCC] 2.6 bits a client may set */

/* 3.3.5.9: the fields a server must check before opening anything. */
static ntstatus_t check_fields(const struct smb2_create_req *q)
{
    if (q->impersonation_level > SMB2_IMPERSONATION_DELEGATE)
        return STATUS_BAD_IMPERSONATION_LEVEL; /* as Windows */
    if (q->create_disposition > FILE_OVERWRITE_IF)
        return STATUS_INVALID_PARAMETER;
    if ((q->create_options & FILE_DIRECTORY_FILE) && (q->create_options & FILE_NON_DIRECTORY_FILE))
        return STATUS_INVALID_PARAMETER;
    if (q->create_options & 0xFF000000u)
        return STATUS_INVALID_PARAMETER;
    if (q->file_attributes & ~VALID_ATTRIBUTES)
        return STATUS_INVALID_PARAMETER;
    if (q->desired_access & ~FILE_ALL_ACCESS_MASK)
        return STATUS_ACCESS_DENIED;
    if (q->desired_access == 0)
        return STATUS_ACCESS_DENIED;
    /* 3.3.5.9: FILE_OPEN_BY_FILE_ID is not supported */
    if (q->create_options & FILE_OPEN_BY_FILE_ID)
        return STATUS_NOT_SUPPORTED;
    return STATUS_SUCCESS;
}

struct rsp_ctx {
    struct smb2_create_ctx list[4];
    size_t n;
    uint8_t mxac[SMB2_CTX_MXAC_RSP_SIZE];
    uint8_t qfid[SMB2_CTX_QFID_RSP_SIZE];
    uint8_t lease[SMB2_CTX_LEASE_V2_SIZE];
    uint8_t durable[8];
};

/* The contexts we answer; a malformed chain was refused by the decoder. */
static void answer_contexts(const struct smb2_create_req *q, const struct srv_open *o,
                            const struct vfs_stat *st, bool read_only, struct rsp_ctx *rc)
{
    struct smb2_create_ctx c;
    rc->n = 0;
    if (nt_ok(smb2_create_ctx_find(q->create_contexts, q->create_contexts_len,
                                   SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST, 4, &c))) {
        struct smb2_ctx_mxac_req mq;
        struct smb2_ctx_mxac_rsp mr = {.query_status = STATUS_SUCCESS.code,
                                       .maximal_access =
                                           srv_map_access(MAXIMUM_ALLOWED, read_only)};
        if (!nt_ok(smb2_ctx_mxac_req_decode(&c, &mq)))
            mr = (struct smb2_ctx_mxac_rsp){.query_status = STATUS_INVALID_PARAMETER.code};
        smb2_ctx_mxac_rsp_pack(rc->mxac, &mr);
        rc->list[rc->n++] =
            (struct smb2_create_ctx){(const uint8_t *)SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST, 4,
                                     rc->mxac, sizeof rc->mxac};
    }
    if (nt_ok(smb2_create_ctx_find(q->create_contexts, q->create_contexts_len,
                                   SMB2_CREATE_QUERY_ON_DISK_ID, 4, &c))) {
        struct smb2_ctx_qfid_rsp fr = {.disk_file_id = st->file_index, .volume_id = st->dev};
        smb2_ctx_qfid_rsp_pack(rc->qfid, &fr);
        rc->list[rc->n++] = (struct smb2_create_ctx){(const uint8_t *)SMB2_CREATE_QUERY_ON_DISK_ID,
                                                     4, rc->qfid, sizeof rc->qfid};
    }
    (void)o;
}

/* d: the durable request of a new open (NULL for a reconnect, which is
 * answered without one: 3.3.5.9.7). */
static ntstatus_t respond(struct srv_req *r, const struct smb2_create_req *q, struct srv_open *o,
                          uint32_t action, const struct vfs_stat *st,
                          const struct srv_cache_grant *g, const struct srv_durable_req *d)
{
    struct rsp_ctx rc;
    answer_contexts(q, o, st, r->tree->share->read_only, &rc);
    if (g->lease) { /* 3.3.5.9.8 / 3.3.5.9.11: the lease as granted */
        size_t n = smb2_ctx_lease_pack(rc.lease, &g->ctx);
        rc.list[rc.n++] =
            (struct smb2_create_ctx){(const uint8_t *)SMB2_CREATE_REQUEST_LEASE, 4, rc.lease, n};
    }
    const char *tag = d ? srv_durable_rsp(o, d, rc.durable) : NULL;
    if (tag)
        rc.list[rc.n++] =
            (struct smb2_create_ctx){(const uint8_t *)tag, 4, rc.durable, sizeof rc.durable};
    struct smb2_create_rsp rsp = {.oplock_level = g->oplock_level,
                                  .create_action = action,
                                  .creation_time = st->creation_time,
                                  .last_access_time = st->last_access_time,
                                  .last_write_time = st->last_write_time,
                                  .change_time = st->change_time,
                                  .allocation_size = st->allocation_size,
                                  .end_of_file = st->end_of_file,
                                  .file_attributes =
                                      srv_attributes(st->attributes, srv_file_name(o->file)),
                                  .file_id = {o->persistent_id, o->id},
                                  .ctx_list = rc.list,
                                  .ctx_count = rc.n};
    return smb2_create_rsp_encode(r->w, &rsp);
}

/* A CREATE in steps: open (or create) on the pool; on the loop the file
 * table's checks, the breaks of other clients' caching (waiting, pending,
 * for their answers when the break takes write or handle caching away), the
 * grant and the open's registration; then, for an overwrite or a directory
 * to delete on close, the truncation or the emptiness check on the pool;
 * then the response. */
struct create_more { /* on the heap: it holds a path */
    struct vfs_open_result res;
    struct srv_cache_req cache;
    struct srv_cache_grant grant;
    struct srv_durable_req dur;
};

struct create_job {
    struct vfs_share *vs;
    struct vfs_open_req vq;
    char *name;
    uint32_t share_access;
    bool delete_on_close;
    bool empty;            /* the directory to delete on close */
    bool reopen;           /* waiting for the file to be removed, to open again */
    struct vfs_file *f;    /* open, not yet registered */
    unsigned fd_slot;      /* its descriptor's reservation, until the open takes it */
    struct srv_file *file; /* a reference while it waits for breaks */
    struct create_more *m;
};

static ntstatus_t open_work(void *job, unsigned flags)
{
    struct create_job *j = job;
    return vfs_open(j->vs, &j->vq, flags, &j->f, &j->m->res);
}

static bool truncates(uint32_t action)
{
    return action == FILE_OVERWRITTEN || action == FILE_SUPERSEDED;
}

/* The last step on the pool: truncate an overwritten file and stat it
 * again, or see whether a directory to delete on close is empty. */
static ntstatus_t finish_work(void *job, unsigned flags)
{
    struct create_job *j = job;
    ntstatus_t st = STATUS_SUCCESS;
    if (truncates(j->m->res.action)) {
        st = vfs_set_end_of_file(j->f, 0, flags);
        if (nt_ok(st))
            st = vfs_fstat(j->f, flags, &j->m->res.st);
    }
    if (nt_ok(st) && j->delete_on_close && j->f->is_dir)
        st = vfs_dir_is_empty(j->f, flags, &j->empty);
    return st;
}

static void job_free(struct create_job *j)
{
    free(j->name);
    free(j->m);
    j->name = NULL;
    j->m = NULL;
}

static void log_failure(const struct srv_req *r, const struct create_job *j, ntstatus_t st)
{
    sg_log(SG_LOG_DEBUG, "conn %" PRIu64 ": CREATE '%s' disposition %u options 0x%x: %s",
           r->conn->id, j->name, j->vq.create_disposition, j->vq.create_options, nt_name(st));
}

static ntstatus_t fail(struct srv_req *r, struct create_job *j, ntstatus_t st)
{
    log_failure(r, j, st);
    srv_fd_release(r->conn->srv, &j->fd_slot);
    job_free(j);
    return st;
}

/* Give up the file opened but not registered. */
static void drop_file(struct srv_req *r, struct create_job *j)
{
    struct srv *srv = r->conn->srv;
    srv_file_close(srv, j->f);
    j->f = NULL;
    if (j->file)
        srv_file_unref(srv, j->file);
    j->file = NULL;
}

/* CHANGE_NOTIFY: a name added, or a file overwritten. */
static void announce(struct srv_req *r, const struct srv_open *o, uint32_t action)
{
    const struct srv_file *f = o->file;
    if (action == FILE_CREATED)
        srv_notify_change(r->conn->srv, f->vs, f->path, FILE_ACTION_ADDED,
                          srv_notify_name_filter(f->is_dir));
    else if (truncates(action))
        srv_notify_change(r->conn->srv, f->vs, f->path, FILE_ACTION_MODIFIED,
                          FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE |
                              FILE_NOTIFY_CHANGE_ATTRIBUTES);
}

static ntstatus_t finish_done(struct srv_req *r, ntstatus_t st)
{
    struct create_job *j = SRV_JOB(r, struct create_job);
    struct srv_open *o = r->open;
    if (nt_ok(st) && o->closed)
        st = STATUS_FILE_CLOSED; /* its tree or session went meanwhile */
    if (nt_ok(st) && j->delete_on_close && o->is_dir && !j->empty)
        st = STATUS_DIRECTORY_NOT_EMPTY; /* [MS-FSA] 2.1.5.1.2 */
    struct smb2_create_req q;
    if (nt_ok(st) && !nt_ok(smb2_create_req_decode(r->msg, r->len, &q)))
        st = STATUS_INTERNAL_ERROR;
    if (nt_ok(st))
        st = respond(r, &q, o, j->m->res.action, &j->m->res.st, &j->m->grant, &j->m->dur);
    if (!nt_ok(st)) {
        (void)srv_open_remove(o, false);
        return fail(r, j, st);
    }
    *r->compound_fid = (struct smb2_file_id){o->persistent_id, o->id};
    *r->have_compound_fid = true;
    r->fid_given = true;
    announce(r, o, j->m->res.action);
    job_free(j);
    return STATUS_SUCCESS;
}

/* The file is the table's now: register the open with its caching. */
static ntstatus_t join(struct srv_req *r, struct create_job *j)
{
    struct srv_open tmpl = {.f = j->f,
                            .file = j->file,
                            .access = j->vq.desired_access,
                            .share_access = j->share_access,
                            .delete_on_close = j->delete_on_close,
                            .is_dir = j->f->is_dir,
                            .fd_slot = j->fd_slot};
    struct srv_open *o = NULL;
    ntstatus_t st = srv_open_add(r, &tmpl, &o); /* takes over the file's reference */
    if (!nt_ok(st)) {
        drop_file(r, j);
        return fail(r, j, st);
    }
    j->file = NULL; /* the open's now, and j->f too (finish_work still uses it) */
    j->fd_slot = 0;
    srv_open_ref(o);
    r->open = o;
    st = srv_cache_grant(r, o, &j->m->cache, &j->m->grant);
    if (!nt_ok(st)) {
        (void)srv_open_remove(o, false);
        return fail(r, j, st);
    }
    srv_durable_grant(r, o, &j->m->dur, &j->m->grant);
    if (truncates(j->m->res.action) || (j->delete_on_close && o->is_dir))
        return srv_req_run(r, finish_work, finish_done);
    return finish_done(r, STATUS_SUCCESS);
}

static ntstatus_t settle(struct srv_req *r, bool first);

/* A delete-pending file with no open left is being removed (its last
 * open, maybe a disconnected durable one closed for this CREATE, was to
 * delete it): what was opened is going away. Wait until it is gone, then
 * open the name again. */
static bool going(const struct srv_file *f)
{
    return f->delete_pending && f->n_opens == 0 && f->deleting;
}

static ntstatus_t wait_done(struct srv_req *r, ntstatus_t st);
static ntstatus_t open_done(struct srv_req *r, ntstatus_t st);

static ntstatus_t wait_removed(struct srv_req *r, struct create_job *j)
{
    srv_file_close(r->conn->srv, j->f);
    j->f = NULL;
    j->reopen = true;
    ntstatus_t st = srv_cache_wait(r, j->file, wait_done); /* woken once it is gone */
    if (nt_eq(st, STATUS_SIGNET_ASYNC))
        return st;
    drop_file(r, j);
    return fail(r, j, st);
}

static ntstatus_t wait_done(struct srv_req *r, ntstatus_t st)
{
    struct create_job *j = SRV_JOB(r, struct create_job);
    if (!nt_ok(st)) { /* cancelled: no longer waiting on the file */
        drop_file(r, j);
        return fail(r, j, st);
    }
    if (j->reopen) {
        if (j->file->deleting)
            return wait_removed(r, j);
        j->reopen = false;
        drop_file(r, j);
        return srv_req_run(r, open_work, open_done);
    }
    return settle(r, false);
}

/* [MS-FSA] 2.1.5.1.2 on the loop, for an open of an existing (or just
 * created) file: delete-pending, the share root, the breaks of other
 * clients' caching, the sharing check. Called again after each wait. */
static ntstatus_t settle(struct srv_req *r, bool first)
{
    struct create_job *j = SRV_JOB(r, struct create_job);
    struct srv_file *f = j->file;
    ntstatus_t st = STATUS_SUCCESS;
    if (first)
        srv_durable_app_instance(r, f, &j->m->dur); /* the instance it replaces goes */
    if (going(f))
        return wait_removed(r, j);
    if (f->delete_pending)
        st = STATUS_DELETE_PENDING;
    else if (j->delete_on_close && f->is_root)
        st = STATUS_ACCESS_DENIED; /* the share root cannot go */
    else
        st =
            srv_cache_before_open(r, f, &j->m->cache, j->vq.desired_access, j->share_access, first);
    if (going(f)) /* its last open was a disconnected one, closed just now */
        return wait_removed(r, j);
    if (nt_eq(st, STATUS_RETRY))
        st = srv_cache_wait(r, f, wait_done);
    if (nt_eq(st, STATUS_SIGNET_ASYNC))
        return st;
    if (nt_ok(st))
        return join(r, j); /* it cleans up after itself */
    drop_file(r, j);
    return fail(r, j, st);
}

static ntstatus_t open_done(struct srv_req *r, ntstatus_t st)
{
    struct create_job *j = SRV_JOB(r, struct create_job);
    if (!nt_ok(st))
        return fail(r, j, st);
    const struct vfs_open_result *res = &j->m->res;
    j->file = srv_file_get(r->conn->srv, j->vs, j->f->dev, j->f->ino, res->rel, j->f->is_dir,
                           res->is_root);
    if (!j->file) {
        drop_file(r, j);
        return fail(r, j, STATUS_INSUFFICIENT_RESOURCES);
    }
    return settle(r, true);
}

/* ---- a durable reconnect (3.3.5.9.7, 3.3.5.9.12) ---- */

struct reclaim_job {
    struct vfs_file *f; /* the open's (r->open keeps it) */
    struct vfs_stat st;
};

static ntstatus_t reclaim_work(void *job, unsigned flags)
{
    struct reclaim_job *j = job;
    return vfs_fstat(j->f, flags, &j->st);
}

static ntstatus_t reclaim_done(struct srv_req *r, ntstatus_t st)
{
    struct reclaim_job *j = SRV_JOB(r, struct reclaim_job);
    struct srv_open *o = r->open;
    struct smb2_create_req q;
    if (nt_ok(st) && o->closed)
        st = STATUS_FILE_CLOSED; /* its tree or session went meanwhile */
    if (nt_ok(st) && !nt_ok(smb2_create_req_decode(r->msg, r->len, &q)))
        st = STATUS_INTERNAL_ERROR;
    struct srv_cache_grant g;
    srv_cache_describe(o, &g);
    if (nt_ok(st)) /* the open as it was: FILE_OPENED, its oplock or lease */
        st = respond(r, &q, o, FILE_OPENED, &j->st, &g, NULL);
    if (!nt_ok(st)) {
        sg_log(SG_LOG_DEBUG, "conn %" PRIu64 ": durable reconnect of '%s': %s", r->conn->id,
               o->file->path, nt_name(st));
        (void)srv_open_remove(o, false);
        return st;
    }
    *r->compound_fid = (struct smb2_file_id){o->persistent_id, o->id};
    *r->have_compound_fid = true;
    r->fid_given = true;
    return STATUS_SUCCESS;
}

static ntstatus_t reclaim(struct srv_req *r, const struct smb2_create_req *q,
                          const struct srv_durable_req *d)
{
    struct srv_open *o;
    ntstatus_t st = srv_durable_reclaim(r, q, d, &o);
    if (!nt_ok(st)) {
        sg_log(SG_LOG_DEBUG, "conn %" PRIu64 ": durable reconnect of FileId 0x%" PRIx64 ": %s",
               r->conn->id, d->persistent, nt_name(st));
        return st;
    }
    srv_open_ref(o);
    r->open = o;
    struct reclaim_job *j = SRV_JOB(r, struct reclaim_job);
    *j = (struct reclaim_job){.f = o->f};
    return srv_req_run(r, reclaim_work, reclaim_done);
}

ntstatus_t srv_create(struct srv_req *r)
{
    struct smb2_create_req q;
    if (!nt_ok(smb2_create_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    if (r->tree->ipc)
        return STATUS_OBJECT_NAME_NOT_FOUND; /* no named pipes, nor durable ones */
    struct srv_durable_req dur;
    ntstatus_t st = srv_durable_parse(r, &q, &dur);
    if (!nt_ok(st))
        return st;
    if (dur.reconnect) /* before the fields' checks: they are ignored */
        return reclaim(r, &q, &dur);
    st = check_fields(&q);
    if (!nt_ok(st))
        return st;
    bool ro = r->tree->share->read_only;
    uint32_t access = srv_map_access(q.desired_access, ro);
    bool doc = (q.create_options & FILE_DELETE_ON_CLOSE) != 0;
    if (doc && (!(access & DELETE) || ro))
        return STATUS_ACCESS_DENIED; /* 3.3.5.9 */
    char name[VFS_PATH_MAX];
    st = smb2_create_req_name(&q, name, sizeof name);
    if (!nt_ok(st))
        return nt_eq(st, STATUS_BUFFER_TOO_SMALL) ? STATUS_NAME_TOO_LONG : st;
    struct create_job *j = SRV_JOB(r, struct create_job);
    *j = (struct create_job){
        .vs = r->tree->vs, .share_access = q.share_access, .delete_on_close = doc};
    j->name = strdup(name);
    j->m = calloc(1, sizeof *j->m);
    if (!j->name || !j->m) {
        job_free(j);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    st = srv_fd_reserve(r->conn, r->sess->user, &j->fd_slot);
    if (!nt_ok(st)) {
        job_free(j);
        return st;
    }
    srv_cache_req_init(r, &q, &j->m->cache);
    j->m->dur = dur;
    j->vq = (struct vfs_open_req){.path = j->name,
                                  .path_len = strlen(j->name),
                                  .desired_access = access,
                                  .file_attributes = q.file_attributes,
                                  .create_disposition = q.create_disposition,
                                  .create_options = q.create_options};
    return srv_req_run(r, open_work, open_done);
}
