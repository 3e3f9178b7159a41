/* signetd's admin socket, asked by `signet status`: a Unix stream socket,
 * mode 0600 in a 0700 directory, accepted on the loop. Only the server's own
 * user or root may ask (SO_PEERCRED), whatever the file modes say.
 *
 * The protocol is one request line, answered with JSON lines, then EOF:
 *
 *   status\n   one object per established session (user, client, dialect,
 *              signing, cipher, guest, trees, each tree's share=cipher,
 *              opens, idle seconds)
 *   audit\n    the `server signing audit` events kept (srv_audit.c), oldest
 *              first
 *
 * Anything else, or a refused peer, gets {"error":"..."}. */
#include "server/admin_path.h"
#include "server/srv_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define ADMIN_LINE_MAX 64
#define FIELD_LIST_MAX 240 /* `signet status` reads values up to 255 bytes */

struct admin_client;

struct srv_admin {
    uv_pipe_t pipe;
    struct srv *srv;
    char path[108];
    bool open;
    struct admin_client *clients; /* closed at shutdown, answered or not */
};

struct admin_client {
    uv_pipe_t pipe;
    struct srv *srv;
    struct admin_client *next, **prev;
    char line[ADMIN_LINE_MAX];
    size_t n;
    bool answered;
    uv_write_t wr;
    struct buf out;
};

/* ---- JSON ---- */

static void put(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *out, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        (void)buf_append(out, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void put_str(struct buf *out, const char *s)
{
    (void)buf_append(out, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            put(out, "\\%c", ch);
        else if (ch < 0x20)
            put(out, "\\u%04x", ch);
        else
            (void)buf_append(out, s, 1);
    }
    (void)buf_append(out, "\"", 1);
}

unsigned srv_session_opens(const struct srv_conn *c, const struct srv_session *s)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < c->opens.cap; i++)
        n += c->opens.slots[i] && c->opens.slots[i]->session_id == s->id;
    return n;
}

static const char *signing_of(const struct srv_session *s)
{
    if (!sec_sign_key_is_set(&s->sign_key) || (!s->signing_required && !s->client_signed))
        return "none";
    return cfg_signing_alg_name(s->conn->signing_alg);
}

/* The session's cipher: its name when the whole session is sealed
 * (Session.EncryptData, or the client encrypts), "partial(NAME)" when only
 * some of its trees are (as smbstatus), else "none". */
static void cipher_of(const struct srv_session *s, char *out, size_t cap)
{
    const char *name = cfg_cipher_name(s->enc_key.cipher);
    bool some_tree = false;
    for (const struct srv_tree *t = s->trees; t; t = t->next)
        some_tree |= !t->gone && t->encrypt_data;
    if (s->enc_key.cipher == SMB2_CIPHER_NONE)
        snprintf(out, cap, "none");
    else if (s->encrypt_data || s->client_encrypts)
        snprintf(out, cap, "%s", name);
    else
        snprintf(out, cap, some_tree ? "partial(%s)" : "none", name);
}

/* "share=cipher ..." per tree: its responses are sealed with the session's
 * cipher when the session or the share encrypts. */
static void put_tree_ciphers(struct buf *out, const struct srv_session *s)
{
    char list[FIELD_LIST_MAX] = "";
    size_t len = 0;
    bool whole = s->encrypt_data || s->client_encrypts;
    for (const struct srv_tree *t = s->trees; t && len < sizeof list; t = t->next) {
        if (t->gone)
            continue;
        bool sealed = s->enc_key.cipher != SMB2_CIPHER_NONE && (whole || t->encrypt_data);
        int n = snprintf(list + len, sizeof list - len, "%s%s=%s", len ? " " : "",
                         t->share ? t->share->name : "IPC$",
                         sealed ? cfg_cipher_name(s->enc_key.cipher) : "none");
        len += n > 0 ? (size_t)n : 0;
    }
    put(out, ",\"tree_ciphers\":");
    put_str(out, list);
}

/* Sessions, trees and opens belong to the loop thread, which runs this. */
void srv_admin_session_json(const struct srv_session *s, uint64_t now_ms, struct buf *out)
{
    const struct srv_conn *c = s->conn;
    char sid[24];
    snprintf(sid, sizeof sid, "0x%016" PRIx64, s->id);
    put(out, "{\"session\":\"%s\",\"conn\":%" PRIu64 ",\"user\":", sid, c->id);
    put_str(out, s->is_anonymous ? "" : s->user);
    put(out, ",\"client\":");
    put_str(out, c->peer);
    put(out, ",\"dialect\":\"%s\",\"signing\":\"%s\",\"signing_required\":%s",
        smb2_dialect_name(c->dialect), signing_of(s), s->signing_required ? "true" : "false");
    char cipher[32];
    cipher_of(s, cipher, sizeof cipher);
    put(out, ",\"cipher\":\"%s\",\"guest\":%s,\"anonymous\":%s,\"trees\":%u", cipher,
        s->is_guest ? "true" : "false", s->is_anonymous ? "true" : "false", s->n_trees);
    put_tree_ciphers(out, s);
    uint64_t idle = now_ms < s->last_active_ms ? 0 : (now_ms - s->last_active_ms) / 1000;
    put(out, ",\"opens\":%u,\"idle\":%" PRIu64 "}", srv_session_opens(c, s), idle);
}

void srv_admin_audit_json(const struct srv_audit_event *e, struct buf *out)
{
    put(out, "{\"time\":%" PRIu64 ",\"event\":%u,\"text\":", e->time, e->id);
    put_str(out, e->line);
    put(out, "}");
}

static void answer_status(struct srv *srv, struct buf *out)
{
    uint64_t now = uv_now(srv->loop);
    for (const struct srv_conn *c = srv->conns; c; c = c->next)
        for (const struct srv_session *s = c->sessions; s; s = s->next) {
            if (s->state != SRV_SESS_VALID)
                continue;
            srv_admin_session_json(s, now, out);
            (void)buf_append(out, "\n", 1);
        }
}

static void answer_audit(struct srv *srv, struct buf *out)
{
    const struct srv_audit_ring *a = &srv->audit;
    unsigned first = (a->head + SRV_AUDIT_RING - a->n) % SRV_AUDIT_RING;
    for (unsigned i = 0; i < a->n; i++) {
        srv_admin_audit_json(&a->ev[(first + i) % SRV_AUDIT_RING], out);
        (void)buf_append(out, "\n", 1);
    }
}

/* ---- one client ---- */

static void on_client_closed(uv_handle_t *h)
{
    struct admin_client *ac = h->data;
    if (ac->prev) {
        *ac->prev = ac->next;
        if (ac->next)
            ac->next->prev = ac->prev;
    }
    buf_free(&ac->out);
    free(ac);
}

static void client_close(struct admin_client *ac)
{
    if (!uv_is_closing((uv_handle_t *)&ac->pipe))
        uv_close((uv_handle_t *)&ac->pipe, on_client_closed);
}

static void on_written(uv_write_t *wr, int status)
{
    (void)status;
    client_close(wr->data);
}

static void reply(struct admin_client *ac)
{
    ac->answered = true;
    uv_read_stop((uv_stream_t *)&ac->pipe);
    uv_buf_t b = uv_buf_init((char *)ac->out.p, (unsigned)ac->out.len);
    ac->wr.data = ac;
    if (ac->out.len == 0 || uv_write(&ac->wr, (uv_stream_t *)&ac->pipe, &b, 1, on_written) != 0)
        client_close(ac);
}

static void answer(struct admin_client *ac)
{
    if (strcmp(ac->line, "status") == 0)
        answer_status(ac->srv, &ac->out);
    else if (strcmp(ac->line, "audit") == 0)
        answer_audit(ac->srv, &ac->out);
    else
        put(&ac->out, "{\"error\":\"unknown request; expected status or audit\"}\n");
    /* an empty answer still ends with EOF: nothing to write */
    reply(ac);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct admin_client *ac = h->data;
    (void)suggested;
    size_t room = sizeof ac->line - 1 - ac->n;
    *b = uv_buf_init(ac->line + ac->n, (unsigned)room);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    struct admin_client *ac = st->data;
    (void)b;
    if (nread < 0) {
        client_close(ac);
        return;
    }
    ac->n += (size_t)nread;
    ac->line[ac->n] = '\0';
    char *nl = strchr(ac->line, '\n');
    if (nl) {
        *nl = '\0';
        answer(ac);
    } else if (ac->n >= sizeof ac->line - 1) {
        put(&ac->out, "{\"error\":\"request too long\"}\n");
        reply(ac);
    }
}

/* SO_PEERCRED: the server's own user or root. */
static bool peer_allowed(struct admin_client *ac, unsigned *uid)
{
    uv_os_fd_t fd;
    struct ucred cred;
    socklen_t len = sizeof cred;
    *uid = (unsigned)-1;
    if (uv_fileno((uv_handle_t *)&ac->pipe, &fd) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred)
        return false;
    *uid = (unsigned)cred.uid;
    return cred.uid == 0 || cred.uid == geteuid();
}

static void on_admin_connection(uv_stream_t *l, int status)
{
    struct srv_admin *a = l->data;
    if (status < 0)
        return;
    struct admin_client *ac = calloc(1, sizeof *ac);
    if (!ac)
        return;
    ac->srv = a->srv;
    uv_pipe_init(a->srv->loop, &ac->pipe, 0);
    ac->pipe.data = ac;
    ac->next = a->clients;
    if (a->clients)
        a->clients->prev = &ac->next;
    ac->prev = &a->clients;
    a->clients = ac;
    if (uv_accept(l, (uv_stream_t *)&ac->pipe) != 0) {
        client_close(ac);
        return;
    }
    unsigned uid;
    if (!peer_allowed(ac, &uid)) {
        sg_log(SG_LOG_WARN, "admin socket: uid %d refused (owner or root only)", (int)uid);
        put(&ac->out, "{\"error\":\"permission denied: owner or root only\"}\n");
        reply(ac);
        return;
    }
    if (uv_read_start((uv_stream_t *)&ac->pipe, on_alloc, on_read) != 0)
        client_close(ac);
}

/* ---- the listener ---- */

/* The socket's directory: created 0700 when missing; an existing one must be
 * a directory of ours (or root's) that nobody else can write to. */
static bool prepare_dir(const char *sock, char *err, size_t err_len)
{
    char dir[sizeof((struct srv_admin *)0)->path];
    snprintf(dir, sizeof dir, "%s", sock);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return true;
    *slash = '\0';
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "admin socket: cannot create %s: %s", dir, strerror(errno));
        return false;
    }
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
        (st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 0022)) {
        snprintf(err, err_len,
                 "admin socket: %s must be a directory owned by this user or root, not "
                 "writable by others (mode 0700)",
                 dir);
        return false;
    }
    return true;
}

static bool someone_listens(const char *path)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool live = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
    close(fd);
    return live;
}

/* A socket left by a server that died is removed; anything else stays. */
static bool remove_stale(const char *path, char *err, size_t err_len)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return true;
    if (!S_ISSOCK(st.st_mode) || someone_listens(path)) {
        snprintf(err, err_len, "admin socket: %s exists and is %s", path,
                 S_ISSOCK(st.st_mode) ? "in use (another signetd?)" : "not a socket");
        return false;
    }
    (void)unlink(path);
    return true;
}

static void on_admin_closed(uv_handle_t *h)
{
    struct srv_admin *a = h->data;
    a->open = false;
}

static ntstatus_t bind_listen(struct srv_admin *a, char *err, size_t err_len)
{
    uv_pipe_init(a->srv->loop, &a->pipe, 0);
    a->pipe.data = a;
    a->open = true;
    mode_t old = umask(0177); /* born 0600: no window for another user */
    int rc = uv_pipe_bind(&a->pipe, a->path);
    umask(old);
    if (rc == 0 && chmod(a->path, 0600) != 0)
        rc = uv_translate_sys_error(errno);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)&a->pipe, 16, on_admin_connection);
    if (rc != 0) {
        snprintf(err, err_len, "admin socket %s: %s", a->path, uv_strerror(rc));
        uv_close((uv_handle_t *)&a->pipe, on_admin_closed);
        a->path[0] = '\0';
        return STATUS_INVALID_PARAMETER;
    }
    sg_log(SG_LOG_NOTICE, "admin socket %s (signet status)", a->path);
    return STATUS_SUCCESS;
}

ntstatus_t srv_admin_listen(struct srv *s, const char *path, char *err, size_t err_len)
{
    if (s->admin) {
        snprintf(err, err_len, "admin socket: already open");
        return STATUS_INVALID_PARAMETER;
    }
    struct srv_admin *a = calloc(1, sizeof *a);
    if (!a)
        return STATUS_NO_MEMORY;
    a->srv = s;
    s->admin = a;
    if (path && path[0])
        snprintf(a->path, sizeof a->path, "%s", path);
    else
        srv_admin_default_path(a->path, sizeof a->path);
    if (strlen(a->path) >= sizeof a->path - 1 || a->path[0] != '/') {
        snprintf(err, err_len, "admin socket: '%s': an absolute path under 107 bytes", a->path);
        a->path[0] = '\0';
        return STATUS_INVALID_PARAMETER;
    }
    if (!prepare_dir(a->path, err, err_len) || !remove_stale(a->path, err, err_len)) {
        a->path[0] = '\0';
        return STATUS_INVALID_PARAMETER;
    }
    return bind_listen(a, err, err_len);
}

void srv_admin_close(struct srv *s)
{
    struct srv_admin *a = s->admin;
    if (!a)
        return;
    for (struct admin_client *ac = a->clients; ac; ac = ac->next)
        client_close(ac);
    if (!a->open || uv_is_closing((uv_handle_t *)&a->pipe))
        return;
    uv_close((uv_handle_t *)&a->pipe, on_admin_closed);
    if (a->path[0])
        (void)unlink(a->path);
}
