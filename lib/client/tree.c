/* TREE_CONNECT / TREE_DISCONNECT ([MS-SMB2] 3.2.4.2.4, 3.2.5.5) and
 * FSCTL_VALIDATE_NEGOTIATE_INFO on 3.0 / 3.0.2 (3.2.5.5, 3.2.5.14.12). */
#include "client/core.h"

#include "base/utf16.h"
#include "wire/ioctl.h"
#include "wire/tree_connect.h"
#include "wire/tree_disconnect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ntstatus_t send_tree_connect(struct signet_conn *c, const char *share, int *slot)
{
    char unc[600];
    uint8_t path[1200];
    size_t path_len = 0;
    int n = snprintf(unc, sizeof unc, "\\\\%s\\%s", c->host, share);
    if (n < 0 || (size_t)n >= sizeof unc)
        return STATUS_NAME_TOO_LONG;
    ntstatus_t st = utf8_to_utf16le(unc, (size_t)n, path, sizeof path, &path_len);
    if (!nt_ok(st))
        return st;
    struct smb2_tree_connect_req req = {.path = path, .path_length = (uint16_t)path_len};
    struct wr w;
    st = cli_begin(c, &w, 16 + path_len);
    if (nt_ok(st))
        st = smb2_tree_connect_req_encode(&w, &req);
    struct cli_send_opts o = {.with_session = true};
    if (nt_ok(st))
        st = cli_send(c, SMB2_TREE_CONNECT, &w, &o, slot);
    return st;
}

ntstatus_t signet_tree_connect(struct signet_conn *c, const char *share, struct signet_tree **out)
{
    *out = NULL;
    if (!c->sess.established)
        return cli_fail(c, STATUS_USER_SESSION_DELETED, "not logged on");
    int slot = -1;
    struct cli_slot *sl = NULL;
    ntstatus_t st = send_tree_connect(c, share, &slot);
    if (nt_ok(st))
        st = cli_wait(c, slot, &sl);
    if (!nt_ok(st)) {
        cli_release(c, slot);
        return st;
    }
    ntstatus_t status = NT_STATUS(sl->hdr.status);
    struct smb2_tree_connect_rsp r;
    if (nt_ok(status) && !nt_ok(smb2_tree_connect_rsp_decode(sl->msg, sl->msg_len, &r)))
        status = cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "malformed TREE_CONNECT response");
    uint32_t tid = sl->hdr.tree_id;
    cli_release(c, slot);
    /* Some servers (signetd) refuse an unencrypted TREE_CONNECT to a share
     * that requires encryption instead of flagging it (3.3.5.7). */
    bool hint = nt_eq(status, STATUS_ACCESS_DENIED) && !c->sess.encrypt &&
                c->sess.enc_key.cipher != SMB2_CIPHER_NONE;
    if (!nt_ok(status))
        return cli_fail(c, status, "cannot connect to \\\\%s\\%s: %s%s", c->host, share,
                        cli_status_text(status),
                        hint ? " If the share requires encryption, connect with --encrypt=desired "
                               "(client smb encrypt = desired)."
                             : "");
    struct signet_tree *t = calloc(1, sizeof *t);
    if (!t)
        return STATUS_NO_MEMORY;
    t->conn = c;
    t->id = tid;
    t->share_flags = r.share_flags;
    t->next = c->trees;
    c->trees = t;
    st = cli_tree_encryption(c, t, share); /* TreeConnect.EncryptData, 3.2.5.5 */
    if (!nt_ok(st)) {
        signet_tree_disconnect(t);
        return st;
    }
    if (c->dialect == SMB2_DIALECT_0300 || c->dialect == SMB2_DIALECT_0302) {
        st = cli_validate_negotiate(c, t);
        if (!nt_ok(st)) {
            signet_tree_disconnect(t);
            return st;
        }
    }
    *out = t;
    return STATUS_SUCCESS;
}

static ntstatus_t send_validate(struct signet_conn *c, struct signet_tree *t, int *slot)
{
    struct smb2_validate_negotiate_req v = {.capabilities = c->client_caps,
                                            .security_mode = sec_client_security_mode(&c->policy),
                                            .dialect_count = c->n_offered};
    memcpy(v.guid, c->client_guid, 16);
    memcpy(v.dialects, c->offered, c->n_offered * sizeof c->offered[0]);
    uint8_t in[64];
    struct wr iw;
    wr_init(&iw, in, sizeof in);
    ntstatus_t st = smb2_validate_negotiate_req_encode(&iw, &v);
    if (!nt_ok(st))
        return st;
    struct smb2_ioctl_req req = {.ctl_code = FSCTL_VALIDATE_NEGOTIATE_INFO,
                                 .file_id = {UINT64_MAX, UINT64_MAX},
                                 .input = in,
                                 .input_count = (uint32_t)wr_pos(&iw),
                                 .max_output_response = SMB2_VNI_RSP_SIZE,
                                 .flags = SMB2_0_IOCTL_IS_FSCTL};
    struct wr w;
    st = cli_begin(c, &w, 64 + sizeof in);
    if (nt_ok(st))
        st = smb2_ioctl_req_encode(&w, &req);
    struct cli_send_opts o = {.with_session = true, .tree_id = t->id, .validate_negotiate = true};
    if (nt_ok(st))
        st = cli_send(c, SMB2_IOCTL, &w, &o, slot);
    return st;
}

/* 3.2.5.14.12: every field must match what was negotiated. */
static bool validate_matches(const struct signet_conn *c, const struct cli_slot *sl)
{
    struct smb2_ioctl_rsp r;
    struct smb2_validate_negotiate_rsp v;
    if (!nt_ok(smb2_ioctl_rsp_decode(sl->msg, sl->msg_len, &r)) ||
        !nt_ok(smb2_validate_negotiate_rsp_decode(r.output, r.output_count, &v)))
        return false;
    return v.capabilities == c->server_caps && memcmp(v.guid, c->server_guid, 16) == 0 &&
           v.security_mode == c->server_security_mode && v.dialect == c->dialect;
}

ntstatus_t cli_validate_negotiate(struct signet_conn *c, struct signet_tree *t)
{
    if (!sec_sign_key_is_set(&c->sess.key))
        return STATUS_SUCCESS; /* guest: nothing to sign it with */
    int slot = -1;
    struct cli_slot *sl = NULL;
    ntstatus_t st = send_validate(c, t, &slot);
    if (nt_ok(st))
        st = cli_wait(c, slot, &sl);
    if (!nt_ok(st)) {
        cli_release(c, slot);
        return st;
    }
    ntstatus_t status = NT_STATUS(sl->hdr.status);
    /* verified by the core; an encrypted response counts as signed */
    bool signed_flag = (sl->hdr.flags & SMB2_FLAGS_SIGNED) || sl->sealed;
    bool ok = nt_ok(status) && validate_matches(c, sl);
    /* Servers that do not implement the FSCTL answer with a signed error,
     * which Samba's client accepts too. */
    bool unsupported = nt_eq(status, STATUS_NOT_SUPPORTED) ||
                       nt_eq(status, STATUS_INVALID_DEVICE_REQUEST) ||
                       nt_eq(status, STATUS_FILE_CLOSED);
    cli_release(c, slot);
    if (!signed_flag)
        return cli_kill(c, STATUS_ACCESS_DENIED,
                        "the VALIDATE_NEGOTIATE_INFO response is not signed: possible downgrade "
                        "attack; connection dropped");
    if (!ok && !unsupported)
        return cli_kill(c, STATUS_ACCESS_DENIED,
                        "VALIDATE_NEGOTIATE_INFO failed (%s): the negotiation was tampered with; "
                        "connection dropped",
                        nt_name(status));
    return STATUS_SUCCESS;
}

void signet_tree_disconnect(struct signet_tree *t)
{
    if (!t)
        return;
    struct signet_conn *c = t->conn;
    struct wr w;
    struct smb2_tree_disconnect_req req = {0};
    struct cli_send_opts o = {.with_session = true, .tree_id = t->id};
    struct cli_slot *sl;
    int slot;
    if (nt_ok(c->dead) && nt_ok(cli_begin(c, &w, 8)) &&
        nt_ok(smb2_tree_disconnect_req_encode(&w, &req)) &&
        nt_ok(cli_call(c, SMB2_TREE_DISCONNECT, &w, &o, &sl, &slot)))
        cli_release(c, slot);
    for (struct signet_tree **p = &c->trees; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    free(t);
}
