/* The dispatch table and the generic checks every request passes before its
 * handler runs ([MS-SMB2] 3.3.5.2): negotiated state, the sequence window and
 * credits (3.3.5.2.3), StructureSize, related-compound inheritance
 * (3.3.5.2.7.2), session lookup (3.3.5.2.9), the signature (3.3.5.2.4) and
 * the tree (3.3.5.2.11). Then the response: header, padding, NextCommand,
 * signature (3.3.4.1.1, 3.3.4.1.3), preauth hashing, one write. */
#include "server/srv_int.h"

#include "base/endian.h"
#include "sec/preauth.h"
#include "vfs/vfs.h"
#include "wire/compound.h"
#include "wire/error.h"
#include "wire/query_directory.h"
#include "wire/query_info.h"
#include "wire/read.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define NEED_NONE SRV_NEED_NONE
#define NEED_OPT  SRV_NEED_OPTIONAL
#define NEED_REQ  SRV_NEED_REQUIRED
/* name, StructureSize, session, tree, handler, where: SRV_ON_LOOP (server-wide
 * state: the whole frame runs on the loop), SRV_TRY_INLINE (tried on the loop
 * in lib/vfs nowait mode, on the pool if that would block), SRV_ON_POOL (may
 * block: always on the pool). */
static const struct srv_cmd cmd_table[SMB2_COMMAND_COUNT] = {
    [SMB2_NEGOTIATE] = {"NEGOTIATE", 36, NEED_NONE, false, srv_negotiate, SRV_ON_LOOP},
    [SMB2_SESSION_SETUP] = {"SESSION_SETUP", 25, NEED_OPT, false, srv_session_setup, SRV_ON_LOOP},
    [SMB2_LOGOFF] = {"LOGOFF", 4, NEED_REQ, false, srv_logoff, SRV_ON_POOL},
    [SMB2_TREE_CONNECT] = {"TREE_CONNECT", 9, NEED_REQ, false, srv_tree_connect, SRV_ON_LOOP},
    [SMB2_TREE_DISCONNECT] = {"TREE_DISCONNECT", 4, NEED_REQ, true, srv_tree_disconnect,
                              SRV_ON_POOL},
    [SMB2_CREATE] = {"CREATE", 57, NEED_REQ, true, srv_create, SRV_TRY_INLINE},
    [SMB2_CLOSE] = {"CLOSE", 24, NEED_REQ, true, srv_close, SRV_TRY_INLINE},
    [SMB2_FLUSH] = {"FLUSH", 24, NEED_REQ, true, srv_flush, SRV_ON_POOL},
    [SMB2_READ] = {"READ", 49, NEED_REQ, true, srv_read, SRV_TRY_INLINE},
    [SMB2_WRITE] = {"WRITE", 49, NEED_REQ, true, srv_write, SRV_ON_POOL},
    [SMB2_LOCK] = {"LOCK", 48, NEED_REQ, true, srv_lock, SRV_TRY_INLINE},
    [SMB2_IOCTL] = {"IOCTL", 57, NEED_REQ, true, srv_ioctl, SRV_TRY_INLINE},
    [SMB2_CANCEL] = {"CANCEL", 4, NEED_OPT, false, srv_cancel, SRV_TRY_INLINE},
    [SMB2_ECHO] = {"ECHO", 4, NEED_OPT, false, srv_echo, SRV_TRY_INLINE},
    [SMB2_QUERY_DIRECTORY] = {"QUERY_DIRECTORY", 33, NEED_REQ, true, srv_query_directory,
                              SRV_ON_POOL},
    [SMB2_CHANGE_NOTIFY] = {"CHANGE_NOTIFY", 32, NEED_REQ, true, NULL, SRV_TRY_INLINE},
    [SMB2_QUERY_INFO] = {"QUERY_INFO", 41, NEED_REQ, true, srv_query_info, SRV_TRY_INLINE},
    [SMB2_SET_INFO] = {"SET_INFO", 33, NEED_REQ, true, srv_set_info, SRV_ON_POOL},
    /* 24 (oplock) or 36 (lease) */
    [SMB2_OPLOCK_BREAK] = {"OPLOCK_BREAK", 0, NEED_REQ, true, NULL, SRV_TRY_INLINE},
};

const struct srv_cmd *srv_cmd_lookup(uint16_t command)
{
    return command < SMB2_COMMAND_COUNT ? &cmd_table[command] : NULL;
}

/* One response element laid out in the frame buffer. */
struct elem_rec {
    size_t off; /* of its header in the frame buffer (after the 4-byte prefix) */
    struct srv_session *sign_sess;
    bool sign;
    struct srv_session *preauth_sess;
    bool hash_conn;
};

struct srv_frame_ctx {
    struct srv_conn *c;
    struct buf out;
    struct elem_rec recs[SRV_MAX_COMPOUND];
    unsigned n;
    bool have_prev;
    bool logon_failed;
    uint64_t prev_session_id;
    uint32_t prev_tree_id;
    ntstatus_t prev_status;
    struct smb2_file_id fid; /* the last FileId, for related requests */
    bool have_fid;
    /* the walk over the frame's elements, resumable on the pool */
    struct smb2_chain ch;
    const uint8_t *frame;
    uint8_t *copy; /* the frame with its first element's RELATED flag cleared */
    unsigned idx;
    bool punted;             /* an element would block: the rest runs on the pool */
    struct srv_req punt_req; /* that element as admitted (credits charged) */
    uint16_t punt_granted;
};

/* ---- generic checks ---- */

static void log_sig_event(const struct srv_req *r, const char *what)
{
    sg_log(SG_LOG_WARN,
           "conn %" PRIu64 " (%s): %s on session 0x%016" PRIx64 " message %" PRIu64
           " (%s): STATUS_ACCESS_DENIED",
           r->conn->id, r->conn->peer, what, r->hdr.session_id, r->hdr.message_id,
           srv_cmd_lookup(r->hdr.command) ? srv_cmd_lookup(r->hdr.command)->name : "UNKNOWN");
}

/* 3.3.5.2.4: whether to verify is the session's decision (sec/policy.h),
 * never the SIGNED flag's alone. */
static ntstatus_t check_signature(struct srv_req *r, struct srv_session *s)
{
    bool signed_flag = (r->hdr.flags & SMB2_FLAGS_SIGNED) != 0, verify = false;
    bool exempt = sec_message_exempt(r->hdr.message_id, r->hdr.session_id, 0, false);
    ntstatus_t st = sec_server_check_request(s->signing_required, signed_flag, exempt, &verify);
    if (!nt_ok(st)) {
        log_sig_event(r, "unsigned request");
        return STATUS_ACCESS_DENIED;
    }
    if (!verify || (!s->signing_required && !sec_sign_key_is_set(&s->sign_key)))
        return STATUS_SUCCESS; /* a guest's SIGNED flag: nothing to verify with */
    struct iovec iov = {(void *)r->msg, r->len};
    if (!nt_ok(sec_verify(&s->sign_key, &iov, 1))) {
        log_sig_event(r, "bad signature");
        return STATUS_ACCESS_DENIED;
    }
    r->req_signed = true;
    return STATUS_SUCCESS;
}

/* 3.3.5.2.9: a session that is gone. When it was logged off on this
 * connection and the request verifies under its key, the
 * STATUS_USER_SESSION_DELETED answer is signed with that key (as Samba
 * does; its client refuses it unsigned under mandatory signing). */
static ntstatus_t session_deleted(struct srv_req *r)
{
    struct srv_session *g = srv_ghost_find(r->conn, r->hdr.session_id);
    struct iovec iov = {(void *)r->msg, r->len};
    if (g && (r->hdr.flags & SMB2_FLAGS_SIGNED) && nt_ok(sec_verify(&g->sign_key, &iov, 1))) {
        r->sign_sess = g;
        r->force_sign = true;
    }
    return STATUS_USER_SESSION_DELETED;
}

/* 3.3.5.2.9 */
static ntstatus_t check_session(struct srv_req *r, const struct srv_cmd *cmd)
{
    if (cmd->session == SRV_NEED_NONE)
        return STATUS_SUCCESS;
    uint64_t sid = r->hdr.session_id;
    if (sid == 0)
        return cmd->session == SRV_NEED_REQUIRED ? STATUS_USER_SESSION_DELETED : STATUS_SUCCESS;
    struct srv_session *s = srv_session_find(r->conn, sid);
    if (!s) {
        bool optional = cmd->session == SRV_NEED_OPTIONAL && r->hdr.command != SMB2_SESSION_SETUP;
        return optional ? STATUS_SUCCESS : session_deleted(r);
    }
    if (s->state != SRV_SESS_VALID) {
        if (r->hdr.command != SMB2_SESSION_SETUP)
            return STATUS_ACCESS_DENIED;
        r->sess = s; /* an authentication in progress has no key yet */
        return STATUS_SUCCESS;
    }
    ntstatus_t st = check_signature(r, s);
    if (nt_ok(st)) {
        r->sess = s;
        s->last_active_ms = r->conn->last_read_ms;
        s->client_signed |= r->req_signed;
    }
    return st;
}

static ntstatus_t check_request(struct srv_req *r, const struct srv_cmd *cmd)
{
    if (cmd->structure_size &&
        (r->len < SMB2_HDR_SIZE + 2 || le16_get(r->msg + SMB2_HDR_SIZE) != cmd->structure_size))
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st = check_session(r, cmd);
    if (!nt_ok(st) || !cmd->tree)
        return st;
    r->tree = srv_tree_find(r->sess, r->hdr.tree_id); /* 3.3.5.2.11 */
    return r->tree ? STATUS_SUCCESS : STATUS_NETWORK_NAME_DELETED;
}

/* ---- one element ---- */

static bool consume_credits(struct srv_req *r)
{
    struct srv_conn *c = r->conn;
    if (r->hdr.command == SMB2_CANCEL)
        return true; /* CANCEL reuses the id of what it cancels (3.3.5.2.3) */
    uint16_t charge = c->dialect == SMB2_DIALECT_0202 ? 1 : r->hdr.credit_charge;
    if (srv_credits_consume(&c->credits, r->hdr.message_id, charge))
        return true;
    sg_log(SG_LOG_WARN,
           "conn %" PRIu64 " (%s): message %" PRIu64 " charge %u outside the sequence window "
           "[%" PRIu64 ", +%u): disconnecting",
           c->id, c->peer, r->hdr.message_id, charge, c->credits.low, c->credits.range);
    return false;
}

static void inherit_related(struct srv_frame_ctx *f, struct srv_req *r, bool related)
{
    if (!related || !f->have_prev)
        return;
    /* 3.3.5.2.7.2: a related request works on the previous one's session,
     * tree (and FileId, for the handlers that have one). */
    r->hdr.session_id = f->prev_session_id;
    r->hdr.tree_id = f->prev_tree_id;
}

/* An unknown command still has its session resolved (and its signature
 * checked), so that its STATUS_INVALID_PARAMETER response is signed. */
static const struct srv_cmd unknown_cmd = {"UNKNOWN", 0,    SRV_NEED_OPTIONAL,
                                           false,     NULL, SRV_TRY_INLINE};

static ntstatus_t run_handler(struct srv_frame_ctx *f, struct srv_req *r, bool related)
{
    const struct srv_cmd *cmd = srv_cmd_lookup(r->hdr.command);
    bool known = cmd != NULL;
    if (!known)
        cmd = &unknown_cmd;
    ntstatus_t st = check_request(r, cmd);
    if ((related && !f->have_prev) || !known)
        return STATUS_INVALID_PARAMETER; /* 3.3.5.2.7.2: related with nothing before */
    /* A failed element fails what depends on it (3.3.5.2.7.2); the session
     * is still resolved first so that the error response is signed. */
    if (related && f->have_prev && nt_is_error(f->prev_status) &&
        !nt_eq(f->prev_status, STATUS_MORE_PROCESSING_REQUIRED))
        return f->prev_status;
    if (!nt_ok(st))
        return st;
    if (!cmd->handler)
        return STATUS_NOT_IMPLEMENTED;
    return cmd->handler(r);
}

static bool keeps_body(ntstatus_t st)
{
    return !nt_is_error(st) || nt_eq(st, STATUS_MORE_PROCESSING_REQUIRED);
}

/* 2.2.2; ErrorData only for STATUS_BUFFER_TOO_SMALL (2.2.2: the size that
 * would have been needed, 3.3.5.20.3). */
static void write_error_body(struct wr *w, const struct srv_req *r, ntstatus_t st)
{
    struct smb2_error_rsp e = {0};
    if (r->err_len && nt_eq(st, STATUS_BUFFER_TOO_SMALL))
        e = (struct smb2_error_rsp){.byte_count = r->err_len, .error_data = r->err_data};
    (void)smb2_error_rsp_encode(w, &e);
}

static void decide_signing(struct elem_rec *rec, const struct srv_req *r, ntstatus_t st)
{
    struct srv_session *ss = r->sign_sess ? r->sign_sess : r->sess;
    if (!ss || !sec_sign_key_is_set(&ss->sign_key))
        return;
    uint64_t sid = r->rsp_session_id;
    bool exempt = sec_message_exempt(r->hdr.message_id, sid, st.code, true);
    rec->sign_sess = ss;
    rec->sign =
        r->force_sign || sec_server_should_sign(ss->signing_required, r->req_signed, exempt);
}

static void encode_header(uint8_t *at, const struct srv_req *r, ntstatus_t st, uint16_t granted,
                          bool related)
{
    struct smb2_hdr h = {0};
    h.credit_charge = r->hdr.credit_charge;
    h.status = st.code;
    h.command = r->hdr.command;
    h.credit_request = granted;
    h.flags = SMB2_FLAGS_SERVER_TO_REDIR | (related ? SMB2_FLAGS_RELATED_OPERATIONS : 0);
    h.message_id = r->hdr.message_id;
    h.tree_id = r->rsp_tree_id;
    h.session_id = r->rsp_session_id;
    struct wr w;
    wr_init(&w, at, SMB2_HDR_SIZE);
    (void)smb2_hdr_encode(&w, &h);
}

/* The body room a response may need: READ's data, QUERY_DIRECTORY's and
 * QUERY_INFO's OutputBufferLength, within MaxReadSize / MaxTransactSize
 * (3.3.5.12, 3.3.5.18, 3.3.5.20) and within SRV_FRAME_RSP_MAX per frame (a
 * request over it finds too little room and fails on its own). The requests
 * are read only through their codecs; a malformed one gets the minimum and
 * its handler rejects it. */
static size_t rsp_body_cap(const struct srv_frame_ctx *f, const struct srv_req *r)
{
    size_t want = 0;
    if (r->hdr.command == SMB2_READ) {
        struct smb2_read_req q;
        if (nt_ok(smb2_read_req_decode(r->msg, r->len, &q)))
            want = 16 + (q.length < SRV_MAX_IO ? q.length : SRV_MAX_IO) + 8;
    } else if (r->hdr.command == SMB2_QUERY_DIRECTORY) {
        struct smb2_query_directory_req q;
        if (nt_ok(smb2_query_directory_req_decode(r->msg, r->len, &q)))
            want = 8 + (q.output_buffer_length < SRV_MAX_IO ? q.output_buffer_length : SRV_MAX_IO);
    } else if (r->hdr.command == SMB2_QUERY_INFO) {
        struct smb2_query_info_req q;
        if (nt_ok(smb2_query_info_req_decode(r->msg, r->len, &q)))
            want = 8 + (q.output_buffer_length < SRV_QUERY_INFO_MAX ? q.output_buffer_length
                                                                    : SRV_QUERY_INFO_MAX);
    }
    if (want <= SRV_RSP_BODY_MAX || f->out.len + want > SRV_FRAME_RSP_MAX)
        return SRV_RSP_BODY_MAX;
    return want;
}

/* r would block (lib/vfs nowait mode) and has changed nothing: it is run
 * again, as admitted, on the pool (srv_dispatch_resume). */
static bool punt(struct srv_frame_ctx *f, const struct srv_req *entry, uint16_t granted)
{
    f->punted = true;
    f->punt_req = *entry;
    f->punt_granted = granted;
    return true;
}

/* Build the response element of r into the frame buffer. */
static bool build_response(struct srv_frame_ctx *f, struct srv_req *r, uint16_t granted,
                           bool related)
{
    bool nowait = vfs_nowait();
    struct srv_req entry;
    if (nowait) {
        const struct srv_cmd *cmd = srv_cmd_lookup(r->hdr.command);
        if (cmd && cmd->where == SRV_ON_POOL)
            return punt(f, r, granted);
        entry = *r;
    }
    size_t off = f->out.len;
    size_t pad = (8 - (off - 4) % 8) % 8;
    size_t body = rsp_body_cap(f, r);
    if (!nt_ok(buf_reserve(&f->out, pad + SMB2_HDR_SIZE + body)))
        return false;
    memset(f->out.p + off, 0, pad);
    off += pad;
    struct wr w;
    wr_init(&w, f->out.p + off, SMB2_HDR_SIZE + body);
    wr_zero(&w, SMB2_HDR_SIZE);
    r->w = &w;
    r->rsp_session_id = r->hdr.session_id;
    r->rsp_tree_id = r->hdr.tree_id;
    ntstatus_t st = run_handler(f, r, related);
    r->w = NULL; /* w lives on this stack frame: handlers use it only while they run */
    if (nt_eq(st, STATUS_SIGNET_WOULD_BLOCK)) {
        if (nowait)
            return punt(f, &entry, granted);
        st = STATUS_INTERNAL_ERROR; /* only nowait mode may say so */
    }
    if (r->disconnect)
        return false;
    if (keeps_body(st) && !nt_ok(wr_status(&w)))
        st = STATUS_INTERNAL_ERROR;
    if (!keeps_body(st)) {
        wr_init(&w, f->out.p + off, SMB2_HDR_SIZE + SRV_RSP_BODY_MAX);
        wr_zero(&w, SMB2_HDR_SIZE);
        write_error_body(&w, r, st);
    }
    f->prev_status = st;
    f->logon_failed |= r->logon_failed;
    if (r->hdr.command == SMB2_CANCEL || r->no_response)
        return true;
    encode_header(f->out.p + off, r, st, granted, related);
    struct elem_rec *rec = &f->recs[f->n++];
    *rec = (struct elem_rec){
        .off = off, .preauth_sess = r->preauth_sess, .hash_conn = r->hash_into_conn};
    decide_signing(rec, r, st);
    f->out.len = off + wr_pos(&w);
    return true;
}

/* The response of an admitted element, and what a related one after it
 * inherits. */
static bool respond_elem(struct srv_frame_ctx *f, struct srv_req *r, uint16_t granted)
{
    if (!build_response(f, r, granted, r->related))
        return false;
    if (f->punted)
        return true;
    f->have_prev = true;
    f->prev_session_id = r->rsp_session_id;
    f->prev_tree_id = r->rsp_tree_id;
    return true;
}

static bool process_elem(struct srv_frame_ctx *f, const struct smb2_chain_elem *e)
{
    struct srv_conn *c = f->c;
    struct srv_req r = {.conn = c,
                        .msg = e->msg,
                        .len = e->len,
                        .hdr = e->hdr,
                        .related = e->related,
                        .compound_fid = &f->fid,
                        .have_compound_fid = &f->have_fid};
    if (smb2_hdr_is_response(&r.hdr) || f->n >= SRV_MAX_COMPOUND)
        return false;
    bool negotiated = c->dialect != 0 && c->dialect != SMB2_DIALECT_WILDCARD;
    if (!negotiated && r.hdr.command != SMB2_NEGOTIATE)
        return false; /* 3.3.5.2: nothing before NEGOTIATE */
    if (!consume_credits(&r))
        return false;
    uint16_t granted = 0;
    if (r.hdr.command != SMB2_CANCEL)
        granted = srv_credits_grant(&c->credits, r.hdr.credit_request);
    inherit_related(f, &r, e->related);
    return respond_elem(f, &r, granted);
}

/* ---- the response frame ---- */

/* NextCommand, padding (3.3.4.1.3), then signatures (3.3.4.1.1) and the
 * preauth hash of NEGOTIATE / SESSION_SETUP responses (3.3.5.4, 3.3.5.5). */
static bool finalize(struct srv_frame_ctx *f)
{
    size_t tail = (8 - (f->out.len - 4) % 8) % 8;
    if (!nt_ok(buf_reserve(&f->out, tail)))
        return false;
    memset(f->out.p + f->out.len, 0, tail);
    f->out.len += tail;
    for (unsigned i = 0; i < f->n; i++) {
        size_t end = i + 1 < f->n ? f->recs[i + 1].off : f->out.len;
        uint8_t *elem = f->out.p + f->recs[i].off;
        if (i + 1 < f->n)
            le32_put(elem + 20, (uint32_t)(end - f->recs[i].off));
        struct iovec iov = {elem, end - f->recs[i].off};
        if (f->recs[i].sign && !nt_ok(sec_sign(&f->recs[i].sign_sess->sign_key, &iov, 1)))
            return false;
        if (f->recs[i].hash_conn && !nt_ok(sec_preauth_update(f->c->preauth, &iov, 1)))
            return false;
        if (f->recs[i].preauth_sess &&
            !nt_ok(sec_preauth_update(f->recs[i].preauth_sess->preauth, &iov, 1)))
            return false;
    }
    smb2_frame_encode(f->out.p, (uint32_t)(f->out.len - 4));
    return true;
}

/* The per-frame state lives with the connection and the response buffer is
 * recycled after each write, so a warm connection allocates nothing per
 * message (design.md "Performance shape"). */
void srv_dispatch_prepare(struct srv_conn *c)
{
    if (!c->fctx)
        c->fctx = calloc(1, sizeof *c->fctx);
    struct srv_frame_ctx *f = c->fctx;
    if (!f)
        return;
    f->c = c;
    f->n = 0;
    f->have_prev = f->logon_failed = f->have_fid = false;
    f->prev_status = STATUS_SUCCESS;
    f->out = c->spare;
    c->spare = (struct buf)BUF_INIT;
    buf_reset(&f->out);
}

void srv_dispatch_free(struct srv_conn *c)
{
    if (c->fctx) {
        buf_free(&c->fctx->out);
        free(c->fctx->copy);
    }
    free(c->fctx);
    c->fctx = NULL;
}

/* Does the frame hold a NEGOTIATE, SESSION_SETUP or TREE_CONNECT? They use
 * server-wide state, so such a frame runs on the loop, blocking (no client
 * sends those compounded with file operations). */
bool srv_dispatch_loop_only(const uint8_t *frame, size_t len)
{
    struct smb2_chain ch;
    struct smb2_chain_elem e;
    smb2_chain_init(&ch, frame, len);
    while (smb2_chain_next(&ch, &e)) {
        const struct srv_cmd *cmd = srv_cmd_lookup(e.hdr.command);
        if (cmd && cmd->where == SRV_ON_LOOP)
            return true;
    }
    return false;
}

static bool walk_start(struct srv_frame_ctx *f, const uint8_t *frame, size_t len)
{
    bool ok = nt_ok(buf_reserve(&f->out, 4));
    f->out.len = 4;
    f->frame = frame;
    f->idx = 0;
    f->punted = false;
    free(f->copy);
    f->copy = NULL;
    /* A first element marked related is answered STATUS_INVALID_PARAMETER
     * (3.3.5.2.7.2, as Windows), not dropped: the chain is walked over a copy
     * with that flag cleared, the element itself verified as received. */
    if (len >= SMB2_HDR_SIZE && (le32_get(frame + 16) & SMB2_FLAGS_RELATED_OPERATIONS) &&
        (f->copy = malloc(len)) != NULL) {
        memcpy(f->copy, frame, len);
        le32_put(f->copy + 16, le32_get(frame + 16) & ~(uint32_t)SMB2_FLAGS_RELATED_OPERATIONS);
    }
    smb2_chain_init(&f->ch, f->copy ? f->copy : frame, len);
    return ok;
}

/* Runs the elements not run yet (a punted one first); stops at the next
 * punt. Touches nothing outside the connection but lib/vfs. */
static bool walk_run(struct srv_frame_ctx *f)
{
    struct srv_conn *c = f->c;
    bool ok = true;
    if (f->punted) {
        f->punted = false;
        struct srv_req r = f->punt_req;
        ok = respond_elem(f, &r, f->punt_granted);
    }
    struct smb2_chain_elem e;
    while (ok && !f->punted && smb2_chain_next(&f->ch, &e)) {
        if (f->copy && f->idx == 0) {
            e.msg = f->frame;
            e.related = true;
        }
        f->idx++;
        ok = process_elem(f, &e);
    }
    if (ok && f->punted)
        return true;
    free(f->copy);
    f->copy = NULL;
    if (ok && !nt_ok(smb2_chain_status(&f->ch))) {
        sg_log(SG_LOG_WARN, "conn %" PRIu64 " (%s): malformed compound chain: disconnecting", c->id,
               c->peer);
        ok = false;
    }
    if (ok && f->n > 0)
        ok = finalize(f);
    return ok;
}

/* Runs every element of the frame, blocking. */
bool srv_dispatch_build(struct srv_conn *c, const uint8_t *frame, size_t len)
{
    struct srv_frame_ctx *f = c->fctx;
    if (!f)
        return false;
    return walk_start(f, frame, len) && walk_run(f); /* blocking: nothing punts */
}

enum srv_build srv_dispatch_try(struct srv_conn *c, const uint8_t *frame, size_t len)
{
    struct srv_frame_ctx *f = c->fctx;
    if (!f)
        return SRV_BUILD_FAILED;
    bool was = vfs_nowait_set(true);
    bool ok = walk_start(f, frame, len) && walk_run(f);
    vfs_nowait_set(was);
    if (!ok)
        return SRV_BUILD_FAILED;
    return f->punted ? SRV_BUILD_PUNTED : SRV_BUILD_DONE;
}

bool srv_dispatch_resume(struct srv_conn *c)
{
    struct srv_frame_ctx *f = c->fctx;
    return f && f->punted && walk_run(f);
}

/* On the loop: send what build made. False means disconnect. */
bool srv_dispatch_finish(struct srv_conn *c, bool ok)
{
    struct srv_frame_ctx *f = c->fctx;
    if (!f)
        return false;
    unsigned delay = c->cfg->cfg.server.invalid_auth_delay_ms;
    if (ok && f->n > 0)
        ok = nt_ok(f->logon_failed && delay ? srv_conn_send_later(c, &f->out, delay)
                                            : srv_conn_send(c, &f->out));
    srv_graveyard_flush(c);
    if (!c->spare.p && f->out.cap <= SRV_SPARE_BUF_MAX)
        c->spare = f->out; /* not sent (CANCEL only, or an error): keep it */
    else
        buf_free(&f->out);
    f->out = (struct buf)BUF_INIT;
    return ok;
}

bool srv_dispatch_frame(struct srv_conn *c, const uint8_t *frame, size_t len)
{
    srv_dispatch_prepare(c);
    return srv_dispatch_finish(c, srv_dispatch_build(c, frame, len));
}
