/* A WRITE on the pool while its connection reads on. [MS-SMB2] 3.3.5.13.
 *
 * A frame holds one request at a time on the thread pool (srv_conn.c), so
 * the next 8 MiB WRITE of a transfer would wait for this one's pwrite before
 * it is even read. A WRITE that is the only element of its frame is
 * therefore checked on the loop (srv_write), and only its pwrite (and fsync
 * for WRITE_THROUGH) goes to the pool as a job: the job takes the frame
 * buffer, the connection gets another and reads the next frame, and the
 * response is built, signed and sent on the loop when the job is done
 * (srv_dispatch_late), in whatever order the jobs finish; clients match
 * responses by MessageId.
 *
 * What keeps the rest of the server unaware of jobs: the open being written
 * cannot close while it has one (srv_open_close would block), and a frame
 * that would block waits, parked, until the connection's jobs are done
 * (srv_conn.c), so a frame on the pool never runs beside a job. The worker
 * touches only the file and the data. */
#include "server/srv_int.h"

#include "vfs/vfs.h"
#include "wire/write.h"

#include <stdlib.h>

struct srv_write_job {
    uv_work_t work;
    struct srv_conn *c;
    struct srv_req req; /* as admitted; msg points into frame */
    struct buf frame;   /* the request frame, the data in it */
    struct srv_open *o;
    const uint8_t *data;
    uint32_t length;
    uint64_t offset;
    bool write_through;
    ntstatus_t st; /* the worker's outcome */
    size_t done;
};

static void job_work(uv_work_t *w)
{
    struct srv_write_job *j = w->data;
    j->st = STATUS_SUCCESS;
    if (j->length > 0)
        j->st = vfs_pwrite(j->o->f, j->data, j->length, j->offset, &j->done);
    /* 2.2.21 SMB2_WRITEFLAG_WRITE_THROUGH: on stable storage before the
     * response. */
    if (nt_ok(j->st) && j->write_through && j->done > 0)
        j->st = vfs_fsync(j->o->f);
}

static ntstatus_t job_response(struct srv_req *r, void *ctx)
{
    struct srv_write_job *j = ctx;
    if (!nt_ok(j->st))
        return j->st;
    struct smb2_write_rsp rsp = {.count = (uint32_t)j->done};
    return smb2_write_rsp_encode(r->w, &rsp);
}

static void job_done(uv_work_t *w, int status)
{
    struct srv_write_job *j = w->data;
    struct srv_conn *c = j->c;
    j->o->inflight--;
    if (status != 0)
        j->st = STATUS_REQUEST_ABORTED;
    if (!c->closing) {
        struct srv_req r = j->req;
        r.sess = srv_session_find(c, r.hdr.session_id); /* LOGOFF waits for jobs: there */
        r.late = job_response;
        r.late_ctx = j;
        if (!r.sess || !srv_dispatch_late(c, &r))
            srv_conn_close(c, "cannot answer a WRITE");
    }
    if (!c->frame_spare.p && !c->closing)
        c->frame_spare = j->frame; /* the next job's frame buffer */
    else
        buf_free(&j->frame);
    free(j);
    srv_conn_job_done(c);
}

ntstatus_t srv_write_job_start(struct srv_req *r, struct srv_open *o,
                               const struct smb2_write_req *q, uint64_t off)
{
    struct srv_conn *c = r->conn;
    if (!r->sole || c->write_jobs >= SRV_MAX_WRITE_JOBS)
        return STATUS_SIGNET_WOULD_BLOCK;
    struct srv_write_job *j = calloc(1, sizeof *j);
    if (!j)
        return STATUS_SIGNET_WOULD_BLOCK;
    *j = (struct srv_write_job){.c = c,
                                .req = *r,
                                .o = o,
                                .data = q->data,
                                .length = q->length,
                                .offset = off,
                                .write_through = (q->flags & SMB2_WRITEFLAG_WRITE_THROUGH) != 0};
    j->req.w = NULL;
    j->work.data = j;
    if (uv_queue_work(c->srv->loop, &j->work, job_work, job_done) != 0) {
        free(j);
        return STATUS_SIGNET_WOULD_BLOCK;
    }
    /* The frame (and the data in it) is the job's; the connection reads the
     * next one into a spare buffer. */
    j->frame = c->frame;
    c->frame = c->frame_spare;
    c->frame_spare = (struct buf)BUF_INIT;
    o->inflight++;
    c->write_jobs++;
    c->handles_open++; /* the connection outlives the job */
    return STATUS_SIGNET_ASYNC;
}
