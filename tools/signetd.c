/* signetd: the Signet SMB2/SMB3 file server.
 *
 *   signetd --config FILE [--listen ADDR:PORT] [--foreground] [--journal]
 *   signetd                      the embedded demo: share "demo", user "demo"
 *                                with a generated password, 127.0.0.1:4455
 *
 * Logs go to stderr, one line per event: "signetd[PID]: LEVEL: message"
 * (under systemd, JOURNAL_STREAM is set and each line also carries its
 * syslog priority prefix, which journald strips). Audit-worthy events
 * (3021, 3022, failed logons, refused signatures) also go to journald with
 * SIGNET_* fields when stderr is the journal or --journal asks for it.
 * Under systemd (NOTIFY_SOCKET) it says READY=1 once every listener is open.
 * SIGHUP reloads the configuration file for new connections; SIGTERM and
 * SIGINT close every connection and exit 0. */
#include "base/log.h"
#include "config/config.h"
#include "crypto/crypto.h"
#include "server/server.h"
#include "signetd_users.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <unistd.h>
#include <uv.h>

#ifndef SIGNET_VERSION
#define SIGNET_VERSION "unknown"
#endif

#define DEMO_LISTEN "127.0.0.1:4455"

struct opts {
    const char *config;
    const char *listen;
    bool foreground;
    bool journal; /* --journal: file events in journald even if stderr is not it */
};

struct daemon_state {
    uv_loop_t *loop;
    struct srv *srv;
    struct opts opts;
    uv_signal_t sighup, sigterm, sigint;
    struct signetd_users users;
    char demo_dir[PATH_MAX]; /* the demo share we created under /tmp, if any */
};

/* ---- logging ---- */

static bool journal;

static const int syslog_prio[] = {3, 4, 5, 6, 7}; /* err warning notice info debug */

static void log_stderr(void *ctx, enum sg_log_level level, const char *msg)
{
    (void)ctx;
    if (journal)
        fprintf(stderr, "<%d>", syslog_prio[level]);
    fprintf(stderr, "signetd[%ld]: %s: %s\n", (long)getpid(), sg_log_level_name(level), msg);
    fflush(stderr);
}

/* systemd sets JOURNAL_STREAM=DEV:INODE of the stream it connected; only
 * when stderr is that stream do lines get a "<PRIORITY>" prefix. */
static bool stderr_is_journal(void)
{
    const char *v = getenv("JOURNAL_STREAM");
    unsigned long long dev = 0, ino = 0;
    struct stat st;
    if (!v || sscanf(v, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) != 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* srv_opts.event: an audit-worthy event, filed in journald with its fields
 * so that `journalctl SIGNET_EVENT=3021` lists the clients that do not sign
 * (sd_journal_send: the native protocol, /run/systemd/journal/socket). When
 * stderr is the journal the plain line is then not written as well (it would
 * be there twice); otherwise it is, unchanged. */
static bool file_event(void *ctx, const struct srv_event *ev)
{
    const struct opts *o = ctx;
    if (!journal && !o->journal)
        return false;
    unsigned lvl = (unsigned)ev->level < 5 ? (unsigned)ev->level : 4;
    char id[16] = "";
    if (ev->id)
        snprintf(id, sizeof id, "%u", ev->id);
    int rc = sd_journal_send("MESSAGE=%s", ev->message, "PRIORITY=%d", syslog_prio[lvl],
                             "SYSLOG_IDENTIFIER=signetd", "SIGNET_EVENT=%s", id[0] ? id : ev->kind,
                             "SIGNET_KIND=%s", ev->kind, "SIGNET_CLIENT=%s", ev->client,
                             "SIGNET_USER=%s", ev->user, "SIGNET_SESSION=0x%016" PRIx64,
                             ev->session, "SIGNET_DIALECT=%s", ev->dialect, "SIGNET_SIGNING=%s",
                             ev->signing, "SIGNET_CIPHER=%s", ev->cipher, NULL);
    return rc == 0 && journal;
}

static enum sg_log_level log_level_of(enum cfg_log_level l)
{
    return (enum sg_log_level)l; /* the two enums list the same levels in the same order */
}

/* ---- command line ---- */

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: signetd --config FILE [--listen ADDR:PORT] [--foreground] [--journal]\n"
            "       signetd [--listen ADDR:PORT]\n"
            "\n"
            "The Signet SMB2/SMB3 file server (SMB 2.0.2 to 3.1.1, signing required by\n"
            "default; SMB3 encryption when a client or share asks for it).\n"
            "\n"
            "  -c, --config FILE      signet.conf with Samba's key names: [global] server keys,\n"
            "                         one [section] per share. See signet.conf(5).\n"
            "  -l, --listen ADDR:PORT listen here instead of the file's `listen` addresses\n"
            "                         (IPv6 as [ADDR]:PORT)\n"
            "  -f, --foreground       with --config: stay attached to the terminal; without it\n"
            "                         signetd detaches once it listens\n"
            "  -j, --journal          file audit events (3021, 3022, failed logons, refused\n"
            "                         signatures) in journald with SIGNET_* fields even when\n"
            "                         stderr is not the journal (under systemd it is: then\n"
            "                         they go there without this option)\n"
            "  -V, --version          the version\n"
            "  -h, --help             this text\n"
            "\n"
            "Without --config signetd runs the embedded demo in the foreground: share \"demo\"\n"
            "(./demo-share if that directory exists, else a new directory under /tmp), user\n"
            "\"demo\" with a generated password printed at start, on " DEMO_LISTEN ",\n"
            "server signing = mandatory.\n"
            "\n"
            "Logs go to stderr as \"signetd[PID]: LEVEL: message\". SIGHUP reloads the\n"
            "configuration (new connections use it); SIGTERM closes every connection and\n"
            "exits 0. Under systemd (Type=notify) it reports READY=1 once it listens.\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"listen", required_argument, NULL, 'l'},
                                             {"foreground", no_argument, NULL, 'f'},
                                             {"journal", no_argument, NULL, 'j'},
                                             {"version", no_argument, NULL, 'V'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "c:l:fjVh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            o->config = optarg;
            break;
        case 'l':
            o->listen = optarg;
            break;
        case 'f':
            o->foreground = true;
            break;
        case 'j':
            o->journal = true;
            break;
        case 'V':
            printf("signetd %s\n", SIGNET_VERSION);
            exit(0);
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "signetd: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return 0;
}

/* ---- configuration ---- */

static int load_config(const char *path, struct cfg *cfg)
{
    char err[512];
    cfg_defaults(cfg);
    ntstatus_t st = cfg_load_file(path, cfg, err, sizeof err);
    if (!nt_ok(st)) {
        sg_log(SG_LOG_ERROR, "%s", err);
        return -1;
    }
    return 0;
}

/* The embedded demo: one writable share, one user, mandatory signing. */
static int demo_config(struct cfg *cfg, struct signetd_users *users, const char *listen,
                       char *created, size_t created_cap)
{
    cfg_defaults(cfg);
    struct cfg_share *sh = &cfg->shares[cfg->n_shares++];
    memset(sh, 0, sizeof *sh);
    snprintf(sh->name, sizeof sh->name, "demo");
    snprintf(sh->comment, sizeof sh->comment, "Signet demo share");
    struct stat stt;
    if (stat("demo-share", &stt) == 0 && S_ISDIR(stt.st_mode)) {
        if (!realpath("demo-share", sh->path))
            return -1;
    } else {
        snprintf(sh->path, sizeof sh->path, "/tmp/signetd-demo-XXXXXX");
        if (!mkdtemp(sh->path)) {
            sg_log(SG_LOG_ERROR, "cannot create the demo share directory: %s", strerror(errno));
            return -1;
        }
        snprintf(created, created_cap, "%s", sh->path);
    }
    char password[SIGNETD_PASSWORD_LEN + 1];
    if (!signetd_generate_password(password, sizeof password) ||
        !signetd_users_add(users, "demo", password))
        return -1;
    printf("signetd demo: share \\\\127.0.0.1\\demo -> %s\n", sh->path);
    printf("signetd demo: user demo, password %s\n", password);
    const char *colon = strrchr(listen, ':');
    printf("signetd demo: try  smbclient //127.0.0.1/demo -p %s -U demo%%%s "
           "--client-protection=sign -c 'tcon IPC$'\n",
           colon ? colon + 1 : "4455", password);
    fflush(stdout);
    memset(password, 0, sizeof password);
    return 0;
}

/* ---- signals ---- */

static void on_sighup(uv_signal_t *h, int sig)
{
    (void)sig;
    struct daemon_state *d = h->data;
    if (!d->opts.config) {
        sg_log(SG_LOG_NOTICE, "SIGHUP: the embedded demo has no configuration file to reload");
        return;
    }
    struct cfg *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return;
    (void)sd_notify(0, "RELOADING=1");
    if (load_config(d->opts.config, cfg) == 0) {
        if (cfg->server.user_database[0])
            (void)signetd_users_reload(&d->users, cfg->server.user_database);
        sg_log_set(log_stderr, NULL, log_level_of(cfg->server.log_level));
        (void)srv_reload(d->srv, cfg);
    } else {
        sg_log(SG_LOG_ERROR, "SIGHUP: %s not reloaded; the previous configuration stays",
               d->opts.config);
    }
    (void)sd_notify(0, "READY=1");
    free(cfg);
}

static void on_sigterm(uv_signal_t *h, int sig)
{
    struct daemon_state *d = h->data;
    sg_log(SG_LOG_NOTICE, "%s: closing %u connection(s) and exiting",
           sig == SIGINT ? "SIGINT" : "SIGTERM", srv_connection_count(d->srv));
    (void)sd_notify(0, "STOPPING=1");
    srv_shutdown(d->srv);
    uv_signal_stop(&d->sighup);
    uv_signal_stop(&d->sigterm);
    uv_signal_stop(&d->sigint);
    uv_close((uv_handle_t *)&d->sighup, NULL);
    uv_close((uv_handle_t *)&d->sigterm, NULL);
    uv_close((uv_handle_t *)&d->sigint, NULL);
}

static void install_signals(struct daemon_state *d)
{
    uv_signal_t *hs[] = {&d->sighup, &d->sigterm, &d->sigint};
    for (size_t i = 0; i < 3; i++) {
        uv_signal_init(d->loop, hs[i]);
        hs[i]->data = d;
    }
    uv_signal_start(&d->sighup, on_sighup, SIGHUP);
    uv_signal_start(&d->sigterm, on_sigterm, SIGTERM);
    uv_signal_start(&d->sigint, on_sigterm, SIGINT);
}

/* ---- detaching ---- */

/* Fork; the parent waits until the child listens (or fails) and exits with
 * its verdict, so a start script sees listen errors. Returns the pipe the
 * child writes its verdict to, or -1 in the foreground. */
static int detach(void)
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        close(p[1]);
        char ok = 0;
        ssize_t n = read(p[0], &ok, 1);
        _exit(n == 1 && ok == 1 ? 0 : 1);
    }
    close(p[0]);
    setsid();
    FILE *null_in = freopen("/dev/null", "r", stdin);
    FILE *null_out = freopen("/dev/null", "w", stdout);
    (void)null_in;
    (void)null_out;
    return p[1];
}

static void report_ready(int fd, bool ok)
{
    if (fd < 0)
        return;
    char v = ok ? 1 : 0;
    ssize_t n = write(fd, &v, 1);
    (void)n;
    close(fd);
}

static int run(struct daemon_state *d, const struct cfg *cfg, int ready_fd)
{
    struct srv_opts so = {.lookup = signetd_users_lookup,
                          .lookup_ctx = &d->users,
                          .event = file_event,
                          .event_ctx = &d->opts};
    if (!nt_ok(srv_new(d->loop, cfg, &so, &d->srv))) {
        report_ready(ready_fd, false);
        return 1;
    }
    char err[256];
    const char *listen = d->opts.listen ? d->opts.listen : (d->opts.config ? NULL : DEMO_LISTEN);
    if (!nt_ok(srv_listen(d->srv, listen, err, sizeof err)) ||
        !nt_ok(srv_listen_metrics(d->srv, err, sizeof err))) {
        sg_log(SG_LOG_ERROR, "%s", err);
        report_ready(ready_fd, false);
        srv_shutdown(d->srv);
        uv_run(d->loop, UV_RUN_DEFAULT);
        srv_free(d->srv);
        return 1;
    }
    /* `signet status` (the path needs a restart, as listen addresses do) */
    if (!nt_ok(srv_admin_listen(d->srv, cfg->server.admin_socket, err, sizeof err)))
        sg_log(SG_LOG_WARN, "%s; signet status will not work", err);
    install_signals(d);
    sg_log(SG_LOG_NOTICE, "ready: server signing = %s, SMB %s to %s",
           sec_server_requires_signing(&cfg->server.policy) ? "mandatory" : "auto",
           cfg_protocol_name(cfg->server.min_protocol),
           cfg_protocol_name(cfg->server.max_protocol));
    report_ready(ready_fd, true);
    /* systemd's Type=notify: every listener is open, connections are
     * accepted from here on (a no-op without NOTIFY_SOCKET). */
    (void)sd_notifyf(0, "READY=1\nSTATUS=serving, server signing = %s\nMAINPID=%lu",
                     sec_server_requires_signing(&cfg->server.policy) ? "mandatory" : "auto",
                     (unsigned long)getpid());
    srv_run(d->srv);
    srv_free(d->srv);
    sg_log(SG_LOG_NOTICE, "stopped");
    return 0;
}

int main(int argc, char **argv)
{
    static struct daemon_state d;
    int rc = parse_args(argc, argv, &d.opts);
    if (rc)
        return rc;
    journal = stderr_is_journal();
    sg_log_set(log_stderr, NULL, SG_LOG_INFO);
    struct cfg *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return 1;
    signetd_users_init(&d.users);
    if (d.opts.config ? load_config(d.opts.config, cfg)
                      : demo_config(cfg, &d.users, d.opts.listen ? d.opts.listen : DEMO_LISTEN,
                                    d.demo_dir, sizeof d.demo_dir)) {
        free(cfg);
        return 1;
    }
    if (d.opts.config) {
        sg_log_set(log_stderr, NULL, log_level_of(cfg->server.log_level));
        if (!cfg->server.user_database[0])
            sg_log(SG_LOG_WARN, "no `user database` in %s: every logon will fail", d.opts.config);
        else if (!signetd_users_reload(&d.users, cfg->server.user_database)) {
            free(cfg);
            return 1;
        }
    }
    int ready_fd = (d.opts.config && !d.opts.foreground) ? detach() : -1;
    d.loop = uv_default_loop();
    rc = run(&d, cfg, ready_fd);
    free(cfg);
    signetd_users_free(&d.users);
    uv_loop_close(d.loop);
    if (d.demo_dir[0])
        (void)rmdir(d.demo_dir); /* only when the demo left it empty */
    return rc;
}
