/* The server object: configuration snapshots, listeners, accepting
 * connections within `max connections`, reload and shutdown. */
#include "server/srv_int.h"

#include "crypto/crypto.h"

#include <ctype.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LISTEN_BACKLOG 128

static struct srv_cfg *cfg_snapshot(const struct cfg *cfg)
{
    struct srv_cfg *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    sc->refs = 1;
    sc->cfg = *cfg;
    sc->policy = cfg->server.policy;
    /* Guest is possible only with `map to guest = bad user` and a share that
     * says `guest ok`; sec_server_allows_guest still refuses it whenever
     * signing is mandatory. */
    bool guest_share = false;
    for (size_t i = 0; i < cfg->n_shares; i++)
        guest_share |= cfg->shares[i].guest_ok;
    sc->policy.allow_guest = cfg->server.map_to_guest == CFG_MAP_TO_GUEST_BAD_USER && guest_share;
    return sc;
}

static void cfg_release(struct srv_cfg *sc)
{
    if (sc && --sc->refs == 0)
        free(sc);
}

static void set_netbios_name(struct srv *s, const char *name)
{
    char host[256] = "SIGNET";
    if (!name || !name[0]) {
        if (gethostname(host, sizeof host - 1) != 0 || !host[0])
            snprintf(host, sizeof host, "SIGNET");
        name = host;
    }
    size_t i = 0;
    for (; name[i] && name[i] != '.' && i < sizeof s->netbios_name - 1; i++)
        s->netbios_name[i] = (char)toupper((unsigned char)name[i]);
    s->netbios_name[i] = '\0';
}

/* libuv writes responses with write(2): a peer that disconnects while a
 * response (an 8 MiB READ) is on its way would kill the whole server with
 * SIGPIPE. Ignore it unless the program installed its own handler; the write
 * then fails with EPIPE and only that connection closes. */
static void ignore_sigpipe(void)
{
    struct sigaction old;
    if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL)
        (void)signal(SIGPIPE, SIG_IGN);
}

ntstatus_t srv_new(uv_loop_t *loop, const struct cfg *cfg, const struct srv_opts *opts,
                   struct srv **out)
{
    *out = NULL;
    struct srv *s = calloc(1, sizeof *s);
    if (!s)
        return STATUS_NO_MEMORY;
    s->loop = loop;
    /* libuv's thread pool (the file-system calls that may block,
     * srv_engine.c) starts at its first use with UV_THREADPOOL_SIZE threads,
     * 4 by default: 16 lets more slow disks be waited on at once. An
     * administrator's own setting wins. */
    (void)setenv("UV_THREADPOOL_SIZE", "16", 0);
    ignore_sigpipe();
    if (opts)
        s->opts = *opts;
    s->cfg = cfg_snapshot(cfg);
    /* ServerGuid: stable for the life of the process (3.3.1.5). */
    ntstatus_t st =
        s->cfg ? crypto_random(s->server_guid, sizeof s->server_guid) : STATUS_NO_MEMORY;
    if (!nt_ok(st)) {
        cfg_release(s->cfg);
        free(s);
        return st;
    }
    set_netbios_name(s, s->opts.netbios_name);
    srv_fd_limits_init(s);
    srv_engine_init(s);
    srv_oplock_init(s);
    srv_durable_init(s);
    *out = s;
    return STATUS_SUCCESS;
}

/* `max connections`: the connection is accepted, logged (at most
 * SRV_LOG_BURST lines an interval) and closed at once; then the limits of
 * unauthenticated connections (srv_conn_admit). */
static bool over_limit(struct srv_conn *c)
{
    struct srv *s = c->srv;
    unsigned max = c->cfg->cfg.server.max_connections;
    /* half the reserve stays for the admin socket and the pool */
    bool no_fd = (uint64_t)s->n_conns + s->n_fds + SRV_FD_RESERVE / 2 > s->fd_limit;
    if (s->n_conns <= max && !no_fd)
        return !srv_conn_admit(c);
    if (srv_ratelog_allow(&s->log_refused, uv_now(s->loop), "refused connections"))
        sg_log(SG_LOG_WARN, "conn %" PRIu64 " (%s): refused: %s (%u) reached", c->id, c->peer,
               no_fd ? "the open file limit" : "max connections", no_fd ? s->fd_limit : max);
    srv_conn_close(c, no_fd ? "open file limit" : "max connections");
    return true;
}

static void on_connection(uv_stream_t *l, int status)
{
    struct srv *s = l->data;
    if (status < 0 && srv_ratelog_allow(&s->log_refused, uv_now(s->loop), "refused connections"))
        sg_log(SG_LOG_WARN, "cannot accept a connection: %s%s", uv_strerror(status),
               status == UV_EMFILE || status == UV_ENFILE
                   ? " (out of file descriptors: see `ulimit -n` and signetd(8) \"SAFETY LIMITS\")"
                   : "");
    if (status < 0 || s->shutting_down)
        return;
    struct srv_conn *c = srv_conn_new(s);
    if (!c)
        return;
    uv_tcp_init(s->loop, &c->h.tcp);
    c->h.handle.data = c;
    c->handles_open++;
    if (uv_accept(l, &c->h.stream) != 0) {
        srv_conn_close(c, "accept failed");
        return;
    }
    struct sockaddr_storage ss;
    int len = sizeof ss;
    if (uv_tcp_getpeername(&c->h.tcp, (struct sockaddr *)&ss, &len) == 0) {
        char ip[64] = "?";
        int port = 0;
        if (ss.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&ss, ip, sizeof ip);
            port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
        } else {
            uv_ip4_name((struct sockaddr_in *)&ss, ip, sizeof ip);
            port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
        }
        snprintf(c->peer, sizeof c->peer, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", ip, port);
    }
    if (over_limit(c))
        return;
    uv_tcp_nodelay(&c->h.tcp, 1);
    srv_metrics_connection(s);
    sg_log(SG_LOG_INFO, "conn %" PRIu64 " (%s): accepted", c->id, c->peer);
    srv_conn_start(c);
}

/* "ADDR:PORT" or "[ADDR]:PORT" into a socket address. */
bool srv_parse_addr(const char *spec, struct sockaddr_storage *ss)
{
    char host[64];
    const char *colon = strrchr(spec, ':');
    if (!colon || (size_t)(colon - spec) >= sizeof host)
        return false;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (!end || *end || port < 1 || port > 65535)
        return false;
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = '\0';
    if (host[0] == '[') {
        size_t n = strlen(host);
        if (n < 2 || host[n - 1] != ']')
            return false;
        host[n - 1] = '\0';
        return uv_ip6_addr(host + 1, (int)port, (struct sockaddr_in6 *)ss) == 0;
    }
    return uv_ip4_addr(host, (int)port, (struct sockaddr_in *)ss) == 0;
}

static void on_listener_closed(uv_handle_t *h)
{
    struct srv *s = h->data;
    s->listeners_open--;
}

static ntstatus_t listen_one(struct srv *s, const char *spec, char *err, size_t err_len)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (s->n_listeners >= CFG_MAX_LISTEN || !srv_parse_addr(spec, &ss)) {
        snprintf(err, err_len, "listen address '%s': expected ADDR:PORT or [ADDR]:PORT", spec);
        return STATUS_INVALID_PARAMETER;
    }
    uv_tcp_t *l = &s->listeners[s->n_listeners];
    uv_tcp_init(s->loop, l);
    l->data = s;
    s->n_listeners++;
    s->listeners_open++;
    int rc = uv_tcp_bind(l, (struct sockaddr *)&ss, 0);
    if (rc == 0)
        rc = uv_listen((uv_stream_t *)l, LISTEN_BACKLOG, on_connection);
    if (rc != 0) {
        snprintf(err, err_len, "cannot listen on %s: %s", spec, uv_strerror(rc));
        return STATUS_INVALID_PARAMETER;
    }
    sg_log(SG_LOG_NOTICE, "listening on %s", spec);
    return STATUS_SUCCESS;
}

ntstatus_t srv_listen(struct srv *s, const char *listen, char *err, size_t err_len)
{
    if (listen)
        return listen_one(s, listen, err, err_len);
    const struct cfg_server *cs = &s->cfg->cfg.server;
    for (size_t i = 0; i < cs->n_listen; i++) {
        ntstatus_t st = listen_one(s, cs->listen[i], err, err_len);
        if (!nt_ok(st))
            return st;
    }
    return STATUS_SUCCESS;
}

ntstatus_t srv_listen_metrics(struct srv *s, char *err, size_t err_len)
{
    const char *spec = s->cfg->cfg.server.metrics_listen;
    return spec[0] ? srv_metrics_listen(s, spec, err, err_len) : STATUS_SUCCESS;
}

ntstatus_t srv_adopt_fd(struct srv *s, int fd)
{
    struct srv_conn *c = srv_conn_new(s);
    if (!c)
        return STATUS_NO_MEMORY;
    uv_pipe_init(s->loop, &c->h.pipe, 0);
    c->h.handle.data = c;
    c->handles_open++;
    if (uv_pipe_open(&c->h.pipe, fd) != 0) {
        srv_conn_close(c, "cannot adopt descriptor");
        return STATUS_INVALID_PARAMETER;
    }
    snprintf(c->peer, sizeof c->peer, "fd %d", fd);
    if (over_limit(c))
        return STATUS_TOO_MANY_SESSIONS;
    srv_conn_start(c);
    return STATUS_SUCCESS;
}

ntstatus_t srv_reload(struct srv *s, const struct cfg *cfg)
{
    struct srv_cfg *sc = cfg_snapshot(cfg);
    if (!sc)
        return STATUS_NO_MEMORY;
    cfg_release(s->cfg);
    s->cfg = sc;
    sg_log(SG_LOG_NOTICE,
           "configuration reloaded: %zu share(s), server signing = %s; applies "
           "to new connections (listen addresses need a restart)",
           cfg->n_shares,
           sec_server_requires_signing(&sc->policy)
               ? "mandatory"
               : (cfg->server.policy.signing == SEC_SERVER_SIGNING_AUTO ? "auto" : "disabled"));
    return STATUS_SUCCESS;
}

void srv_shutdown(struct srv *s)
{
    s->shutting_down = true;
    srv_admin_close(s);
    srv_metrics_close(s);
    for (unsigned i = 0; i < s->n_listeners; i++)
        if (!uv_is_closing((uv_handle_t *)&s->listeners[i]))
            uv_close((uv_handle_t *)&s->listeners[i], on_listener_closed);
    while (s->conns)
        srv_conn_close(s->conns, "server shutting down");
    srv_durable_close(s); /* durable opens do not outlive signetd */
    srv_oplock_close(s);
    srv_notify_local_close(s);
    if (!s->ready_head)
        srv_engine_close(s); /* else once the requests cancelled above are done */
}

void srv_free(struct srv *s)
{
    if (!s)
        return;
    s->freeing = true; /* what is closed now is closed here, not on the pool */
    srv_notify_local_close(s);
    if (s->ready_idle_open || s->break_timer_open || s->durable_timer_open) {
        /* no srv_shutdown: the loop ran dry, disconnected opens may be left */
        srv_durable_close(s);
        srv_engine_close(s);
        srv_oplock_close(s);
        (void)uv_run(s->loop, UV_RUN_NOWAIT);
    }
    cfg_release(s->cfg);
    srv_vfs_shares_free(s);
    srv_engine_bufs_free(s);
    srv_guard_free(s);
    free(s->admin);
    free(s);
}

unsigned srv_connection_count(const struct srv *s)
{
    return s->n_conns;
}

/* ---- the loop, with busy polling ----
 *
 * After a frame the loop keeps polling (epoll with a zero timeout) for up to
 * `busy poll` microseconds before it sleeps, so that the next request finds
 * it awake: the client's send then wakes nobody, and a wake-up (an IPI to a
 * sleeping CPU, a context switch) is a large part of a small request's cost
 * on both sides. A poll that sees a frame keeps the full budget; one that
 * sees none halves it, and below a microsecond it stops; so a server whose
 * clients send less often than that soon sleeps right away, as without it.
 * It tries again every SPIN_RETRY sleeps. It never polls while idle. */
#define SPIN_RETRY  64
#define SPIN_MIN_NS 1000u

/* Poll for up to budget ns after the last frame: did a frame come? false
 * in *alive when the loop has run dry. */
static bool spin(struct srv *s, uint64_t budget, bool *alive)
{
    uint64_t seen = s->frames_in, last = uv_hrtime();
    bool hit = false;
    for (;;) {
        if (!uv_run(s->loop, UV_RUN_NOWAIT)) {
            *alive = false;
            return hit;
        }
        uint64_t now = uv_hrtime();
        if (s->frames_in != seen) {
            seen = s->frames_in;
            last = now;
            hit = true;
        } else if (now - last > budget) {
            return hit;
        }
    }
}

void srv_run(struct srv *s)
{
    uint64_t budget = 0;
    unsigned sleeps = 0;
    for (;;) {
        uint64_t max = (uint64_t)s->cfg->cfg.server.busy_poll_us * 1000u;
        if (budget > max || (budget == 0 && ++sleeps % SPIN_RETRY == 0))
            budget = max;
        if (budget) {
            bool alive = true;
            budget = spin(s, budget, &alive) ? max : budget / 2;
            if (!alive)
                return;
            if (budget < SPIN_MIN_NS)
                budget = 0;
        }
        if (!uv_run(s->loop, UV_RUN_ONCE))
            return;
    }
}
