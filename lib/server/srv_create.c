/* CREATE. [MS-SMB2] 3.3.5.9: the request's checks, the open itself in
 * lib/vfs (dispositions, directory / non-directory options, delete on close,
 * the share root containment), then the response with the create contexts
 * we answer: SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST (3.3.5.9.5) and
 * SMB2_CREATE_QUERY_ON_DISK_ID (3.3.5.9.9). Every other context (leases,
 * durable handles, EAs, security descriptors, allocation size, timewarp) is
 * ignored, as 3.3.5.9 allows for a server that does not support it; no oplock
 * or lease is ever granted (OplockLevel NONE).
 *
 * IPC$: named pipes (srvsvc, lsarpc, ...) are not served: every CREATE on
 * IPC$ answers STATUS_OBJECT_NAME_NOT_FOUND, as a server without that pipe. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/create.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define VALID_ATTRIBUTES 0x0003F7B7u /* [MS-FSCC] 2.6 bits a client may set */

/* 3.3.5.9: the fields a server must check before opening anything. */
static ntstatus_t check_fields(const struct smb2_create_req *q)
{
    if (q->impersonation_level > SMB2_IMPERSONATION_DELEGATE)
        return STATUS_INVALID_PARAMETER; /* Windows: STATUS_BAD_IMPERSONATION_LEVEL */
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
    struct smb2_create_ctx list[2];
    size_t n;
    uint8_t mxac[SMB2_CTX_MXAC_RSP_SIZE];
    uint8_t qfid[SMB2_CTX_QFID_RSP_SIZE];
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

static ntstatus_t respond(struct srv_req *r, const struct smb2_create_req *q, struct srv_open *o,
                          uint32_t action, const struct vfs_stat *st)
{
    struct rsp_ctx rc;
    answer_contexts(q, o, st, r->tree->share->read_only, &rc);
    struct smb2_create_rsp rsp = {.oplock_level = SMB2_OPLOCK_LEVEL_NONE,
                                  .create_action = action,
                                  .creation_time = st->creation_time,
                                  .last_access_time = st->last_access_time,
                                  .last_write_time = st->last_write_time,
                                  .change_time = st->change_time,
                                  .allocation_size = st->allocation_size,
                                  .end_of_file = st->end_of_file,
                                  .file_attributes = st->attributes,
                                  .file_id = {o->id, o->id},
                                  .ctx_list = rc.list,
                                  .ctx_count = rc.n};
    return smb2_create_rsp_encode(r->w, &rsp);
}

/* The file-system half of a CREATE: open (or create) and stat. */
struct create_job {
    struct vfs_share *vs;
    struct vfs_open_req vq;
    char *name;
    struct vfs_file *f;
    uint32_t action;
    struct vfs_stat st;
    ntstatus_t stat_status;
};

/* Once the file is open the job succeeds, so that the open is never run
 * twice; a failed stat is answered by open_done. */
static ntstatus_t open_work(void *job)
{
    struct create_job *j = job;
    ntstatus_t st = vfs_open(j->vs, &j->vq, &j->f, &j->action);
    if (nt_ok(st))
        j->stat_status = srv_fstat(j->f, &j->st);
    return st;
}

static void log_failure(const struct srv_req *r, const struct create_job *j, ntstatus_t st)
{
    sg_log(SG_LOG_DEBUG, "conn %" PRIu64 ": CREATE '%s' disposition %u options 0x%x: %s",
           r->conn->id, j->name, j->vq.create_disposition, j->vq.create_options, nt_name(st));
}

static ntstatus_t open_done(struct srv_req *r, ntstatus_t st)
{
    struct create_job *j = SRV_JOB(r, struct create_job);
    if (!nt_ok(st)) {
        log_failure(r, j, st);
        free(j->name);
        return st;
    }
    free(j->name);
    struct srv_open tmpl = {
        .f = j->f, .access = j->vq.desired_access, .is_dir = vfs_file_is_dir(j->f)};
    struct srv_open *o = NULL;
    st = srv_open_add(r, &tmpl, &o);
    if (!nt_ok(st)) {
        srv_file_close(r->conn->srv, j->f);
        return st;
    }
    if (!nt_ok(j->stat_status)) {
        srv_open_remove(o);
        return nt_eq(j->stat_status, STATUS_SIGNET_WOULD_BLOCK) ? STATUS_INTERNAL_ERROR
                                                                : j->stat_status;
    }
    struct smb2_create_req q;
    if (!nt_ok(smb2_create_req_decode(r->msg, r->len, &q))) {
        srv_open_remove(o);
        return STATUS_INTERNAL_ERROR;
    }
    st = respond(r, &q, o, j->action, &j->st);
    if (!nt_ok(st)) {
        srv_open_remove(o);
        return st;
    }
    *r->compound_fid = (struct smb2_file_id){o->id, o->id};
    *r->have_compound_fid = true;
    return STATUS_SUCCESS;
}

ntstatus_t srv_create(struct srv_req *r)
{
    struct smb2_create_req q;
    if (!nt_ok(smb2_create_req_decode(r->msg, r->len, &q)))
        return STATUS_INVALID_PARAMETER;
    if (r->tree->ipc)
        return STATUS_OBJECT_NAME_NOT_FOUND; /* no named pipes */
    ntstatus_t st = check_fields(&q);
    if (!nt_ok(st))
        return st;
    char name[VFS_PATH_MAX];
    st = smb2_create_req_name(&q, name, sizeof name);
    if (!nt_ok(st))
        return nt_eq(st, STATUS_BUFFER_TOO_SMALL) ? STATUS_NAME_TOO_LONG : st;
    struct create_job *j = SRV_JOB(r, struct create_job);
    *j = (struct create_job){.vs = r->tree->vs};
    if (!(j->name = strdup(name)))
        return STATUS_INSUFFICIENT_RESOURCES;
    j->vq = (struct vfs_open_req){.path = j->name,
                                  .path_len = strlen(j->name),
                                  .desired_access =
                                      srv_map_access(q.desired_access, r->tree->share->read_only),
                                  .file_attributes = q.file_attributes,
                                  .create_disposition = q.create_disposition,
                                  .create_options = q.create_options};
    return srv_req_run(r, open_work, open_done);
}
