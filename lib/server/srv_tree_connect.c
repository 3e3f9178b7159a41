/* TREE_CONNECT. [MS-SMB2] 3.3.5.7: the shares of the configuration plus IPC$
 * (which clients open first), `valid users`, guest only on `guest ok`
 * shares. On 3.1.1 the request of a user session must be signed (3.2.4.2.4);
 * the dispatcher's signature check, driven by sec/policy.h, enforces it for
 * every session that requires signing. */
#include "server/srv_int.h"

#include "base/utf16.h"
#include "vfs/vfs.h"
#include "wire/tree_connect.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

/* [MS-SMB2] 2.2.13.1 access masks for MaximalAccess */
#define ACCESS_ALL  0x001F01FFu /* FILE_ALL_ACCESS */
#define ACCESS_READ 0x001200A9u /* read data/EA/attributes, execute, READ_CONTROL, SYNCHRONIZE */

/* "\\server\share" -> "share" */
static bool share_name(const struct smb2_tree_connect_req *req, char *out, size_t cap)
{
    char path[1024];
    size_t n = 0;
    if (!nt_ok(utf16le_to_utf8(req->path, req->path_length, path, sizeof path, &n)))
        return false;
    if (n < 4 || path[0] != '\\' || path[1] != '\\')
        return false;
    const char *sep = strchr(path + 2, '\\');
    if (!sep || sep == path + 2 || !sep[1] || strchr(sep + 1, '\\') || strlen(sep + 1) >= cap)
        return false;
    memcpy(out, sep + 1, strlen(sep + 1) + 1);
    return true;
}

static const struct cfg_share *find_share(const struct cfg *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_shares; i++)
        if (strcasecmp(cfg->shares[i].name, name) == 0)
            return &cfg->shares[i];
    return NULL;
}

static bool user_allowed(const struct cfg_share *sh, const struct srv_session *s)
{
    if (s->is_guest || s->is_anonymous)
        return sh->guest_ok;
    if (sh->n_valid_users == 0)
        return true;
    for (size_t i = 0; i < sh->n_valid_users; i++)
        if (strcasecmp(sh->valid_users[i], s->user) == 0)
            return true;
    return false;
}

static ntstatus_t resolve(struct srv_req *r, const char *name, const struct cfg_share **sh,
                          bool *ipc)
{
    *ipc = strcasecmp(name, "IPC$") == 0;
    *sh = NULL;
    if (*ipc)
        return STATUS_SUCCESS;
    *sh = find_share(&r->conn->cfg->cfg, name);
    if (!*sh)
        return STATUS_BAD_NETWORK_NAME;
    return user_allowed(*sh, r->sess) ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
}

/* The share's `server smb encrypt` (IPC$ and shares that say nothing take
 * the global one's desire, never its requirement, which is the session's). */
static enum cfg_encrypt share_encrypt(const struct srv_req *r, const struct cfg_share *sh)
{
    enum cfg_encrypt g = r->conn->cfg->cfg.server.encrypt;
    enum cfg_encrypt e = sh ? sh->encrypt : CFG_ENCRYPT_IF_REQUIRED;
    if (g == CFG_ENCRYPT_OFF)
        return e == CFG_ENCRYPT_REQUIRED ? e : CFG_ENCRYPT_OFF;
    return e > g ? e : (g >= CFG_ENCRYPT_DESIRED ? CFG_ENCRYPT_DESIRED : e);
}

/* 3.3.5.7: a share that requires encryption (Share.EncryptData with
 * RejectUnencryptedAccess) is refused to a client that cannot encrypt (no
 * SMB2_GLOBAL_CAP_ENCRYPTION, no common cipher), and so to guest and
 * anonymous sessions, which have no key. A client that can is served even
 * if this TREE_CONNECT came in clear, as Windows and Samba do: the response
 * sets SMB2_SHAREFLAG_ENCRYPT_DATA and every later request on the tree must
 * be encrypted (3.3.5.2.11, srv_dispatch.c). That is what a Windows client
 * with RequireEncryption False relies on. */
static ntstatus_t check_encrypt(const struct srv_req *r, const char *name,
                                const struct cfg_share *sh)
{
    const struct srv_session *s = r->sess;
    if (share_encrypt(r, sh) != CFG_ENCRYPT_REQUIRED || r->encrypted ||
        s->enc_key.cipher != SMB2_CIPHER_NONE)
        return STATUS_SUCCESS;
    sg_log(SG_LOG_WARN,
           "conn %" PRIu64 " (%s): tree connect to '%s' by '%s' refused: the share requires "
           "encryption (server smb encrypt = required) and %s: STATUS_ACCESS_DENIED",
           r->conn->id, r->conn->peer, name, s->is_anonymous ? "anonymous" : s->user,
           s->is_guest || s->is_anonymous ? "guest and anonymous sessions are never encrypted"
                                          : "the client negotiated no cipher");
    return STATUS_ACCESS_DENIED;
}

static ntstatus_t respond(struct srv_req *r, const char *name, const struct cfg_share *sh,
                          struct vfs_share *vs)
{
    bool ipc = sh == NULL;
    struct srv_tree *t = srv_tree_new(r->sess);
    if (!t)
        return STATUS_INSUFFICIENT_RESOURCES;
    t->ipc = ipc;
    t->share = sh;
    t->vs = vs;
    enum cfg_encrypt enc = share_encrypt(r, sh);
    bool can = r->sess->enc_key.cipher != SMB2_CIPHER_NONE;
    t->encrypt_data = can && enc >= CFG_ENCRYPT_DESIRED;
    t->encrypt_required = can && enc == CFG_ENCRYPT_REQUIRED;
    uint32_t flags = ipc ? SMB2_SHAREFLAG_NO_CACHING : SMB2_SHAREFLAG_MANUAL_CACHING;
    struct smb2_tree_connect_rsp rsp = {
        .share_type = ipc ? SMB2_SHARE_TYPE_PIPE : SMB2_SHARE_TYPE_DISK,
        .share_flags = flags | (t->encrypt_data ? SMB2_SHAREFLAG_ENCRYPT_DATA : 0),
        .capabilities = 0,
        .maximal_access = (ipc || !sh->read_only) ? ACCESS_ALL : ACCESS_READ};
    ntstatus_t st = smb2_tree_connect_rsp_encode(r->w, &rsp);
    if (!nt_ok(st)) {
        srv_tree_remove(r->sess, t, false);
        return st;
    }
    r->rsp_tree_id = t->id;
    sg_log(SG_LOG_INFO, "conn %" PRIu64 " (%s): session 0x%016" PRIx64 " tree 0x%x -> '%s'",
           r->conn->id, r->conn->peer, r->sess->id, t->id, name);
    return STATUS_SUCCESS;
}

/* The share's root is opened once for the server's life; the first tree
 * connect to it opens it on the pool. */
struct share_job {
    const char *path;
    bool read_only;
    struct vfs_share *vs;
    const struct cfg_share *sh;
};

static ntstatus_t share_work(void *job, unsigned flags)
{
    (void)flags; /* always on the pool */
    struct share_job *j = job;
    return vfs_share_open(j->path, j->read_only, &j->vs);
}

static ntstatus_t share_done(struct srv_req *r, ntstatus_t st)
{
    struct share_job *j = SRV_JOB(r, struct share_job);
    const struct cfg_share *sh = j->sh;
    struct vfs_share *vs = nt_ok(st) ? srv_vfs_share_keep(r->conn->srv, sh, j->vs) : NULL;
    if (!vs) {
        sg_log(SG_LOG_WARN, "conn %" PRIu64 " (%s): share '%s': cannot open %s: %s", r->conn->id,
               r->conn->peer, sh->name, sh->path, nt_name(st));
        return STATUS_BAD_NETWORK_NAME;
    }
    if (!r->sess || r->sess->gone)
        return STATUS_USER_SESSION_DELETED;
    return respond(r, sh->name, sh, vs);
}

ntstatus_t srv_tree_connect(struct srv_req *r)
{
    struct smb2_tree_connect_req req;
    ntstatus_t st = smb2_tree_connect_req_decode(r->msg, r->len, &req);
    if (!nt_ok(st))
        return nt_eq(st, STATUS_NOT_SUPPORTED) ? st : STATUS_INVALID_PARAMETER;
    char name[CFG_NAME_MAX + 1];
    if (!share_name(&req, name, sizeof name))
        return STATUS_BAD_NETWORK_NAME;
    const struct cfg_share *sh;
    bool ipc;
    st = resolve(r, name, &sh, &ipc);
    if (!nt_ok(st)) {
        sg_log(SG_LOG_INFO, "conn %" PRIu64 " (%s): tree connect to '%s' by '%s': %s", r->conn->id,
               r->conn->peer, name, r->sess->user, nt_name(st));
        return st;
    }
    if (!nt_ok(st = check_encrypt(r, name, sh)))
        return st;
    if (ipc)
        return respond(r, name, NULL, NULL);
    struct vfs_share *vs = srv_vfs_share_cached(r->conn->srv, sh);
    if (vs)
        return respond(r, name, sh, vs);
    *SRV_JOB(r, struct share_job) =
        (struct share_job){.path = sh->path, .read_only = sh->read_only, .sh = sh};
    return srv_req_run_pool(r, share_work, share_done);
}
