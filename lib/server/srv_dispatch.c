/* The dispatch table and the generic checks every request passes before its
 * handler runs ([MS-SMB2] 3.3.5.2): negotiated state, the sequence window and
 * credits (3.3.5.2.3), StructureSize, related-compound inheritance
 * (3.3.5.2.7.2), session lookup (3.3.5.2.9), the signature (3.3.5.2.4) and
 * the tree (3.3.5.2.11). Then the response element's header and error body
 * (3.3.4.3, 3.3.4.4) and whose key signs it (3.3.4.1.1). The engine
 * (srv_engine.c) walks the compound and sends. */
#include "server/srv_int.h"

#include "base/endian.h"
#include "wire/change_notify.h"
#include "wire/error.h"
#include "wire/query_directory.h"
#include "wire/query_info.h"
#include "wire/read.h"

#include <inttypes.h>
#include <string.h>

#define NEED_NONE SRV_NEED_NONE
#define NEED_OPT  SRV_NEED_OPTIONAL
#define NEED_REQ  SRV_NEED_REQUIRED
/* name, StructureSize, session, tree, handler, where its file-system calls
 * run: SRV_TRY_INLINE (tried on the loop in lib/vfs nowait mode, on the pool
 * if that would block), SRV_ON_POOL (may block: always on the pool). The
 * handlers themselves always start on the loop. */
static const struct srv_cmd cmd_table[SMB2_COMMAND_COUNT] = {
    [SMB2_NEGOTIATE] = {"NEGOTIATE", 36, NEED_NONE, false, srv_negotiate, SRV_ON_POOL},
    [SMB2_SESSION_SETUP] = {"SESSION_SETUP", 25, NEED_OPT, false, srv_session_setup, SRV_ON_POOL},
    [SMB2_LOGOFF] = {"LOGOFF", 4, NEED_REQ, false, srv_logoff, SRV_ON_POOL},
    [SMB2_TREE_CONNECT] = {"TREE_CONNECT", 9, NEED_REQ, false, srv_tree_connect, SRV_ON_POOL},
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
    [SMB2_CHANGE_NOTIFY] = {"CHANGE_NOTIFY", 32, NEED_REQ, true, srv_change_notify, SRV_TRY_INLINE},
    [SMB2_QUERY_INFO] = {"QUERY_INFO", 41, NEED_REQ, true, srv_query_info, SRV_TRY_INLINE},
    [SMB2_SET_INFO] = {"SET_INFO", 33, NEED_REQ, true, srv_set_info, SRV_ON_POOL},
    /* 24 (oplock) or 36 (lease) */
    [SMB2_OPLOCK_BREAK] = {"OPLOCK_BREAK", 0, NEED_REQ, true, srv_oplock_break, SRV_TRY_INLINE},
};

const struct srv_cmd *srv_cmd_lookup(uint16_t command)
{
    return command < SMB2_COMMAND_COUNT ? &cmd_table[command] : NULL;
}

/* ---- generic checks ---- */

/* 3.3.5.2.4: whether to verify is the session's decision (sec/policy.h),
 * never the SIGNED flag's alone. */
static ntstatus_t check_signature(struct srv_req *r, struct srv_session *s)
{
    if (r->encrypted) {
        /* 3.3.5.2.4 / 3.1.4.1: a decrypted request counts as signed; its
         * signature field is not checked (the AEAD tag was). */
        r->req_signed = true;
        return STATUS_SUCCESS;
    }
    bool signed_flag = (r->hdr.flags & SMB2_FLAGS_SIGNED) != 0, verify = false;
    bool exempt = sec_message_exempt(r->hdr.message_id, r->hdr.session_id, 0, false);
    ntstatus_t st = sec_server_check_request(s->signing_required, signed_flag, exempt, &verify);
    if (!nt_ok(st)) {
        srv_event_signature(r, s, "unsigned request", true);
        return STATUS_ACCESS_DENIED;
    }
    if (!verify || (!s->signing_required && !sec_sign_key_is_set(&s->sign_key)))
        return STATUS_SUCCESS; /* a guest's SIGNED flag: nothing to verify with */
    struct iovec iov = {(void *)r->msg, r->len};
    if (!nt_ok(sec_verify(&s->sign_key, &iov, 1))) {
        srv_event_signature(r, s, "bad signature", false);
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
    bool signed_flag = (r->hdr.flags & SMB2_FLAGS_SIGNED) != 0;
    if (g && signed_flag && nt_ok(sec_verify(&g->sign_key, &iov, 1))) {
        r->sign_sess = g; /* borrowed: the record of the response takes a reference */
        r->force_sign = true;
    } else if (signed_flag) {
        /* No key: the SIGNED flag and the request's signature go back as they
         * came (3.3.4.4: the header is the request's), as Samba and
         * Windows answer; a client that requires signing drops a response
         * without the flag, and does not verify this status. */
        r->echo_sig = true;
    }
    return STATUS_USER_SESSION_DELETED;
}

static void log_enc_refusal(const struct srv_req *r, const char *why)
{
    sg_log(SG_LOG_WARN,
           "conn %" PRIu64 " (%s): unencrypted %s on session 0x%016" PRIx64 " message %" PRIu64
           ": %s: STATUS_ACCESS_DENIED",
           r->conn->id, r->conn->peer,
           srv_cmd_lookup(r->hdr.command) ? srv_cmd_lookup(r->hdr.command)->name : "UNKNOWN",
           r->hdr.session_id, r->hdr.message_id, why);
}

static void take_session(struct srv_req *r, struct srv_session *s)
{
    srv_session_ref(s);
    r->sess = s;
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
        /* An unknown session is USER_SESSION_DELETED (3.3.5.2.9), even for
         * ECHO and CANCEL when the request is signed, as Samba answers. */
        bool optional = cmd->session == SRV_NEED_OPTIONAL && r->hdr.command != SMB2_SESSION_SETUP &&
                        !(r->hdr.flags & SMB2_FLAGS_SIGNED);
        return optional ? STATUS_SUCCESS : session_deleted(r);
    }
    if (s->state != SRV_SESS_VALID) {
        if (r->hdr.command != SMB2_SESSION_SETUP)
            return STATUS_ACCESS_DENIED;
        take_session(r, s); /* an authentication in progress has no key yet */
        return STATUS_SUCCESS;
    }
    ntstatus_t st = check_signature(r, s);
    if (nt_ok(st) && s->encrypt_required && !r->encrypted && r->hdr.command != SMB2_SESSION_SETUP) {
        /* 3.3.5.2.9: Session.EncryptData with RejectUnencryptedAccess; the
         * answer is sealed (as Samba's) since the session encrypts. */
        log_enc_refusal(r, "the session requires encryption");
        take_session(r, s);
        return STATUS_ACCESS_DENIED;
    }
    if (nt_ok(st)) {
        take_session(r, s);
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
    struct srv_tree *t = srv_tree_find(r->sess, r->hdr.tree_id); /* 3.3.5.2.11 */
    if (!t)
        return STATUS_NETWORK_NAME_DELETED;
    srv_tree_ref(t);
    r->tree = t;
    if (t->encrypt_required && !r->encrypted) {
        log_enc_refusal(r, "the share requires encryption");
        return STATUS_ACCESS_DENIED;
    }
    return STATUS_SUCCESS;
}

/* 3.3.5.2.7.2: the element before a related one failed to give it a
 * session or tree, or a related element came first. */
static bool related_ids_missing(const struct srv_req *r, bool have_prev, bool prev_ids_ok)
{
    return r->related && (!have_prev || !prev_ids_ok);
}

bool srv_consume_credits(struct srv_req *r)
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

/* An unknown command still has its session resolved (and its signature
 * checked), so that its STATUS_INVALID_PARAMETER response is signed. */
static const struct srv_cmd unknown_cmd = {"UNKNOWN", 0,    SRV_NEED_OPTIONAL,
                                           false,     NULL, SRV_TRY_INLINE};

/* The element's checks and handler. A related element inherits the session
 * and tree of the one before; if that one had none to give (or there is
 * none), it fails with STATUS_INVALID_PARAMETER (3.3.5.2.7.2). The session
 * is still resolved first, so that the error response is signed. Which
 * FileId it inherits, and a failed CREATE's status, is srv_open_lookup's. */
ntstatus_t srv_dispatch_elem(struct srv_req *r, bool have_prev, bool prev_ids_ok)
{
    const struct srv_cmd *cmd = srv_cmd_lookup(r->hdr.command);
    bool known = cmd != NULL;
    if (!known)
        cmd = &unknown_cmd;
    ntstatus_t st = check_request(r, cmd);
    r->ids_ok = nt_ok(st);
    if (related_ids_missing(r, have_prev, prev_ids_ok) || !known) {
        r->ids_ok = false;
        return STATUS_INVALID_PARAMETER;
    }
    if (!nt_ok(st))
        return st;
    if (!cmd->handler)
        return STATUS_NOT_IMPLEMENTED;
    return cmd->handler(r);
}

/* ---- the response element ---- */

/* Which statuses carry the handler's body; every other gets the error body
 * of 2.2.2 (3.3.4.4), errors and warnings alike (NO_MORE_FILES,
 * NOTIFY_ENUM_DIR, NOTIFY_CLEANUP), as Windows and Samba send them. */
bool srv_rsp_keeps_body(ntstatus_t st)
{
    return nt_ok(st) || nt_eq(st, STATUS_MORE_PROCESSING_REQUIRED) ||
           nt_eq(st, STATUS_BUFFER_OVERFLOW);
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

struct srv_session *srv_rsp_sign_sess(const struct srv_req *r, ntstatus_t st, bool *sign)
{
    struct srv_session *ss = r->sign_sess ? r->sign_sess : r->sess;
    *sign = false;
    if (!ss || !sec_sign_key_is_set(&ss->sign_key))
        return NULL;
    bool exempt = sec_message_exempt(r->hdr.message_id, r->rsp_session_id, st.code, true);
    *sign = r->force_sign || sec_server_should_sign(ss->signing_required, r->req_signed, exempt);
    return ss;
}

/* 3.3.4.3, 3.3.4.4: the request's header with the status, the credits
 * granted (none in the final response of an async request, whose interim
 * response carried them), and the async form once an AsyncId was given. */
static void encode_header(uint8_t *at, const struct srv_req *r, ntstatus_t st, bool related)
{
    struct smb2_hdr h = {0};
    h.credit_charge = r->hdr.credit_charge;
    h.status = st.code;
    h.command = r->hdr.command;
    h.credit_request = r->async_id ? 0 : r->granted;
    h.flags = SMB2_FLAGS_SERVER_TO_REDIR | (related ? SMB2_FLAGS_RELATED_OPERATIONS : 0);
    h.message_id = r->hdr.message_id;
    if (r->async_id) {
        h.flags |= SMB2_FLAGS_ASYNC_COMMAND;
        h.async_id = r->async_id;
    }
    h.tree_id = r->rsp_tree_id;
    h.session_id = r->rsp_session_id;
    if (r->echo_sig && r->len >= SMB2_HDR_SIZE) {
        h.flags |= SMB2_FLAGS_SIGNED;
        memcpy(h.signature, r->msg + 48, SMB2_SIG_SIZE);
    }
    struct wr w;
    wr_init(&w, at, SMB2_HDR_SIZE);
    (void)smb2_hdr_encode(&w, &h);
}

size_t srv_rsp_encode(struct srv_req *r, ntstatus_t st, bool related)
{
    struct wr *w = &r->wr;
    if (!srv_rsp_keeps_body(st)) {
        wr_init(w, w->p, SMB2_HDR_SIZE + SRV_RSP_BODY_MAX);
        wr_zero(w, SMB2_HDR_SIZE);
        write_error_body(w, r, st);
    }
    encode_header(w->p, r, st, related);
    return wr_pos(w);
}

/* The body room a response may need: READ's data, QUERY_DIRECTORY's and
 * QUERY_INFO's OutputBufferLength, within MaxReadSize / MaxTransactSize
 * (3.3.5.12, 3.3.5.18, 3.3.5.20) and within SRV_FRAME_RSP_MAX per frame (a
 * request over it finds too little room and fails on its own). The requests
 * are read only through their codecs; a malformed one gets the minimum and
 * its handler rejects it. */
size_t srv_rsp_body_cap(const struct srv_req *r, size_t frame_so_far)
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
    } else if (r->hdr.command == SMB2_CHANGE_NOTIFY) {
        struct smb2_change_notify_req q;
        if (nt_ok(smb2_change_notify_req_decode(r->msg, r->len, &q)))
            want = 8 + (q.output_buffer_length < SRV_MAX_IO ? q.output_buffer_length : SRV_MAX_IO);
    } else if (r->hdr.command == SMB2_QUERY_INFO) {
        struct smb2_query_info_req q;
        if (nt_ok(smb2_query_info_req_decode(r->msg, r->len, &q)))
            want = 8 + (q.output_buffer_length < SRV_QUERY_INFO_MAX ? q.output_buffer_length
                                                                    : SRV_QUERY_INFO_MAX);
    }
    if (want <= SRV_RSP_BODY_MAX || frame_so_far + want > SRV_FRAME_RSP_MAX)
        return SRV_RSP_BODY_MAX;
    return want;
}
