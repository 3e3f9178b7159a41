/* IOCTL. [MS-SMB2] 3.3.5.15. Only FSCTL_VALIDATE_NEGOTIATE_INFO (3.3.5.15.12)
 * is implemented: on 3.0 / 3.0.2 (and 2.x, as Samba) the client's view of
 * the NEGOTIATE must match what the server saw, else the connection is
 * dropped; on 3.1.1 it is always dropped (preauth integrity replaces it).
 * FSCTL_CREATE_OR_GET_OBJECT_ID ([MS-FSCC] 2.3.7) answers an object id made
 * of the file's device and inode numbers. Everything else answers
 * STATUS_NOT_SUPPORTED (the status Windows gives for an FSCTL the file
 * system does not implement). */
#include "server/srv_int.h"

#include "base/endian.h"
#include "vfs/vfs.h"
#include "wire/ioctl.h"

#include <inttypes.h>
#include <string.h>

static bool negotiate_matches(const struct srv_conn *c, const struct smb2_validate_negotiate_req *v)
{
    if (v->capabilities != c->client_caps || v->security_mode != c->client_security_mode ||
        memcmp(v->guid, c->client_guid, sizeof v->guid) != 0 ||
        v->dialect_count != c->n_client_dialects)
        return false;
    for (uint16_t i = 0; i < v->dialect_count; i++)
        if (v->dialects[i] != c->client_dialects[i])
            return false;
    return true;
}

static ntstatus_t validate_negotiate(struct srv_req *r, const struct smb2_ioctl_req *req)
{
    struct srv_conn *c = r->conn;
    struct smb2_validate_negotiate_req v;
    if (c->dialect == SMB2_DIALECT_0311 ||
        !nt_ok(smb2_validate_negotiate_req_decode(req->input, req->input_count, &v)) ||
        !negotiate_matches(c, &v)) {
        sg_log(SG_LOG_WARN,
               "conn %" PRIu64 " (%s): VALIDATE_NEGOTIATE_INFO failed on SMB %s: disconnecting",
               c->id, c->peer, smb2_dialect_name(c->dialect));
        r->disconnect = true;
        return STATUS_ACCESS_DENIED;
    }
    if (req->max_output_response < SMB2_VNI_RSP_SIZE)
        return STATUS_INVALID_PARAMETER;
    uint8_t out[SMB2_VNI_RSP_SIZE];
    struct smb2_validate_negotiate_rsp vr = {.capabilities = c->server_caps,
                                             .security_mode = c->server_security_mode,
                                             .dialect = c->dialect};
    memcpy(vr.guid, c->srv->server_guid, sizeof vr.guid);
    struct wr w;
    wr_init(&w, out, sizeof out);
    ntstatus_t st = smb2_validate_negotiate_rsp_encode(&w, &vr);
    if (!nt_ok(st))
        return st;
    struct smb2_ioctl_rsp rsp = {.ctl_code = req->ctl_code,
                                 .file_id = req->file_id,
                                 .output = out,
                                 .output_count = (uint32_t)wr_pos(&w)};
    return smb2_ioctl_rsp_encode(r->w, &rsp);
}

/* [MS-FSCC] 2.1.3.1 FILE_OBJECTID_BUFFER: ObjectId, BirthVolumeId,
 * BirthObjectId, DomainId (16 bytes each), from the file's inode and
 * device numbers. */
struct object_id_job {
    struct vfs_file *f;
    struct vfs_stat st;
};

static ntstatus_t object_id_work(void *job, unsigned flags)
{
    struct object_id_job *j = job;
    return vfs_fstat(j->f, flags, &j->st);
}

static ntstatus_t object_id_done(struct srv_req *r, ntstatus_t st)
{
    const struct object_id_job *j = SRV_JOB(r, struct object_id_job);
    if (!nt_ok(st))
        return st;
    struct smb2_ioctl_req req;
    if (!nt_ok(smb2_ioctl_req_decode(r->msg, r->len, &req)))
        return STATUS_INTERNAL_ERROR;
    uint8_t out[64] = {0};
    le64_put(out, j->st.file_index);
    le64_put(out + 8, j->st.dev);
    le64_put(out + 16, j->st.dev);
    memcpy(out + 32, out, 16);
    struct smb2_ioctl_rsp rsp = {
        .ctl_code = req.ctl_code, .file_id = req.file_id, .output = out, .output_count = 64};
    return smb2_ioctl_rsp_encode(r->w, &rsp);
}

static ntstatus_t object_id(struct srv_req *r, const struct smb2_ioctl_req *req)
{
    struct srv_open *o;
    ntstatus_t st = srv_open_lookup(r, &req->file_id, &o);
    if (!nt_ok(st))
        return st;
    if (req->max_output_response < 64)
        return STATUS_BUFFER_TOO_SMALL;
    *SRV_JOB(r, struct object_id_job) = (struct object_id_job){.f = o->f};
    return srv_req_run(r, object_id_work, object_id_done);
}

ntstatus_t srv_ioctl(struct srv_req *r)
{
    struct smb2_ioctl_req req;
    if (!nt_ok(smb2_ioctl_req_decode(r->msg, r->len, &req)))
        return STATUS_INVALID_PARAMETER;
    /* 3.3.5.15: the buffers are bounded by MaxTransactSize, and with large
     * MTU the CreditCharge must cover them (3.3.5.2.5). */
    uint32_t in_size = req.input_count + req.output_count;
    uint32_t out_size = req.max_input_response > req.max_output_response ? req.max_input_response
                                                                         : req.max_output_response;
    if (in_size > SRV_MAX_IO || out_size > SRV_MAX_IO)
        return STATUS_INVALID_PARAMETER;
    uint32_t payload = in_size > out_size ? in_size : out_size;
    if (r->conn->dialect != SMB2_DIALECT_0202 && r->hdr.credit_charge > 0 &&
        r->hdr.credit_charge < srv_credit_charge_for(payload))
        return STATUS_INVALID_PARAMETER;
    if (req.ctl_code == FSCTL_VALIDATE_NEGOTIATE_INFO && (req.flags & SMB2_0_IOCTL_IS_FSCTL))
        return validate_negotiate(r, &req);
    if (req.ctl_code == FSCTL_CREATE_OR_GET_OBJECT_ID && !r->tree->ipc)
        return object_id(r, &req);
    return STATUS_NOT_SUPPORTED;
}
