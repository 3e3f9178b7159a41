/* signet ls | get | put | mkdir | rmdir | rm | mv | stat, over the public
 * client API (include/signet/client.h). */
#include "cli_cmds.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define FILE_ATTRIBUTE_READONLY  0x01u
#define FILE_ATTRIBUTE_HIDDEN    0x02u
#define FILE_ATTRIBUTE_SYSTEM    0x04u
#define FILE_ATTRIBUTE_DIRECTORY 0x10u
#define FILE_ATTRIBUTE_ARCHIVE   0x20u
#define FILETIME_UNIX_EPOCH      11644473600ULL

int cli_report(struct cli_ctx *x, const char *what, ntstatus_t st)
{
    const char *msg = signet_conn_error(x->conn, st);
    if (strcmp(msg, signet_conn_error(NULL, st)) != 0) /* the library explained it */
        fprintf(stderr, "signet: %s (%s, 0x%08" PRIX32 ")\n", msg, nt_name(st), st.code);
    else
        fprintf(stderr, "signet: %s: %s (%s, 0x%08" PRIX32 ")\n", what, msg, nt_name(st), st.code);
    return 1;
}

bool cli_parse_target(const char *s, struct cli_target *t, char *err, size_t err_len)
{
    memset(t, 0, sizeof *t);
    if (!((s[0] == '/' && s[1] == '/') || (s[0] == '\\' && s[1] == '\\'))) {
        snprintf(err, err_len, "'%s' is not of the form //host[:port]/share[/path]", s);
        return false;
    }
    char buf[1600];
    snprintf(buf, sizeof buf, "%s", s + 2);
    for (char *p = buf; *p; p++)
        if (*p == '\\')
            *p = '/';
    char *slash = strchr(buf, '/');
    if (!slash || slash[1] == 0 || slash[1] == '/') {
        snprintf(err, err_len, "'%s' names no share: use //host[:port]/share[/path]", s);
        return false;
    }
    *slash = 0;
    char *share = slash + 1, *path = strchr(share, '/');
    if (path)
        *path++ = 0;
    char *host = buf, *port = NULL;
    if (host[0] == '[') { /* [v6]:port */
        char *end = strchr(host, ']');
        if (!end)
            return snprintf(err, err_len, "unbalanced [ in '%s'", s), false;
        *end = 0;
        host++;
        if (end[1] == ':')
            port = end + 2;
    } else if ((port = strrchr(host, ':')) != NULL) {
        *port++ = 0;
    }
    if (port) {
        char *e;
        long v = strtol(port, &e, 10);
        if (*e || v < 1 || v > 65535)
            return snprintf(err, err_len, "bad port in '%s'", s), false;
        t->port = (uint16_t)v;
    }
    if (!path)
        path = share + strlen(share);
    if (strlen(host) >= sizeof t->host || strlen(share) >= sizeof t->share ||
        strlen(path) >= sizeof t->path)
        return snprintf(err, err_len, "'%s' is too long", s), false;
    memcpy(t->host, host, strlen(host) + 1);
    memcpy(t->share, share, strlen(share) + 1);
    memcpy(t->path, path, strlen(path) + 1);
    return t->host[0] != 0 || (snprintf(err, err_len, "no host in '%s'", s), false);
}

static void attr_letters(uint32_t a, char out[8])
{
    size_t n = 0;
    if (a & FILE_ATTRIBUTE_DIRECTORY)
        out[n++] = 'D';
    if (a & FILE_ATTRIBUTE_ARCHIVE)
        out[n++] = 'A';
    if (a & FILE_ATTRIBUTE_HIDDEN)
        out[n++] = 'H';
    if (a & FILE_ATTRIBUTE_SYSTEM)
        out[n++] = 'S';
    if (a & FILE_ATTRIBUTE_READONLY)
        out[n++] = 'R';
    if (n == 0)
        out[n++] = 'N';
    out[n] = 0;
}

static void format_time(uint64_t ft, char *out, size_t cap)
{
    if (ft == 0) {
        snprintf(out, cap, "-");
        return;
    }
    time_t t = (time_t)(ft / 10000000ULL - FILETIME_UNIX_EPOCH);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static int print_entry(void *ctx, const char *name, const struct signet_stat *st)
{
    (void)ctx;
    char attrs[8], when[64];
    attr_letters(st->attributes, attrs);
    format_time(st->last_write_time, when, sizeof when);
    printf("  %-40s %5s %14" PRIu64 "  %s\n", name, attrs, st->size, when);
    return 0;
}

int cmd_ls(struct cli_ctx *x)
{
    struct signet_stat st;
    ntstatus_t s = STATUS_SUCCESS;
    if (x->target.path[0]) {
        s = signet_stat(x->tree, x->target.path, &st);
        if (!nt_ok(s))
            return cli_report(x, x->target.path, s);
        if (!st.is_dir) { /* ls of one file */
            const char *base = strrchr(x->target.path, '/');
            print_entry(NULL, base ? base + 1 : x->target.path, &st);
            return 0;
        }
    }
    s = signet_list(x->tree, x->target.path, print_entry, NULL);
    return nt_ok(s) ? 0 : cli_report(x, "ls", s);
}

/* ---- progress ---- */

struct progress {
    const char *name;
    uint64_t total;
    struct timespec start;
    bool on;
};

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show_progress(void *ctx, uint64_t done)
{
    struct progress *p = ctx;
    if (!p->on)
        return;
    double secs = seconds_since(&p->start), mib = (double)done / 1048576.0;
    int pct = p->total ? (int)(done * 100 / p->total) : 100;
    fprintf(stderr, "\r%s: %3d%% %.1f MiB %.1f MiB/s   ", p->name, pct > 100 ? 100 : pct, mib,
            secs > 0 ? mib / secs : 0.0);
}

static void end_progress(struct progress *p)
{
    if (p->on)
        fputc('\n', stderr);
}

/* ---- get ---- */

static ntstatus_t sink_fd(void *ctx, const void *p, size_t n)
{
    int fd = *(int *)ctx;
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return STATUS_DISK_FULL;
        b += w;
        n -= (size_t)w;
    }
    return STATUS_SUCCESS;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

int cmd_get(struct cli_ctx *x)
{
    if (!x->target.path[0]) {
        fprintf(stderr, "signet: get: name a file: //host/share/path [local]\n");
        return 2;
    }
    const char *local = x->arg ? x->arg : base_name(x->target.path);
    struct signet_file *f = NULL;
    struct signet_stat st;
    ntstatus_t s = signet_open(x->tree, x->target.path, SIGNET_OPEN_READ, &f, &st);
    if (!nt_ok(s))
        return cli_report(x, x->target.path, s);
    if (st.is_dir) {
        signet_close(f);
        fprintf(stderr, "signet: get: %s is a directory\n", x->target.path);
        return 1;
    }
    bool to_stdout = strcmp(local, "-") == 0;
    int fd =
        to_stdout ? STDOUT_FILENO : open(local, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "signet: get: cannot create %s: %s\n", local, strerror(errno));
        signet_close(f);
        return 1;
    }
    struct progress p = {base_name(x->target.path), st.size, {0, 0}, x->progress && !to_stdout};
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    s = signet_file_read_all(f, sink_fd, &fd, show_progress, &p);
    end_progress(&p);
    ntstatus_t cs = signet_close(f);
    if (!to_stdout && close(fd) != 0 && nt_ok(s))
        s = STATUS_DISK_FULL;
    if (nt_ok(s))
        s = cs;
    return nt_ok(s) ? 0 : cli_report(x, x->target.path, s);
}

/* ---- put ---- */

static uint64_t unix_to_filetime(struct timespec ts)
{
    return ((uint64_t)ts.tv_sec + FILETIME_UNIX_EPOCH) * 10000000ULL + (uint64_t)ts.tv_nsec / 100;
}

static ntstatus_t source_fd(void *ctx, void *p, size_t cap, size_t *got)
{
    int fd = *(int *)ctx;
    for (;;) {
        ssize_t r = read(fd, p, cap);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return STATUS_UNSUCCESSFUL;
        *got = (size_t)r;
        return STATUS_SUCCESS;
    }
}

int cmd_put(struct cli_ctx *x)
{
    if (!x->arg) {
        fprintf(stderr, "signet: put: name the local file: put //host/share[/path] LOCAL\n");
        return 2;
    }
    int fd = strcmp(x->arg, "-") == 0 ? STDIN_FILENO : open(x->arg, O_RDONLY | O_CLOEXEC);
    struct stat lst;
    if (fd < 0 || fstat(fd, &lst) != 0) {
        fprintf(stderr, "signet: put: cannot open %s: %s\n", x->arg, strerror(errno));
        return 1;
    }
    char remote[1200];
    size_t n = strlen(x->target.path);
    struct signet_stat rst;
    bool into_dir = n == 0 || x->target.path[n - 1] == '/' ||
                    (nt_ok(signet_stat(x->tree, x->target.path, &rst)) && rst.is_dir);
    if (into_dir && strcmp(x->arg, "-") == 0) {
        close(fd);
        fprintf(stderr, "signet: put: name the remote file when reading standard input\n");
        return 2;
    }
    if (into_dir)
        snprintf(remote, sizeof remote, "%s%s%s", x->target.path,
                 n && x->target.path[n - 1] != '/' ? "/" : "", base_name(x->arg));
    else
        snprintf(remote, sizeof remote, "%s", x->target.path);
    struct signet_file *f = NULL;
    ntstatus_t s = signet_open(x->tree, remote, SIGNET_OPEN_WRITE, &f, NULL);
    if (!nt_ok(s)) {
        close(fd);
        return cli_report(x, remote, s);
    }
    struct progress p = {
        base_name(remote), S_ISREG(lst.st_mode) ? (uint64_t)lst.st_size : 0, {0, 0}, x->progress};
    clock_gettime(CLOCK_MONOTONIC, &p.start);
    uint64_t written = 0;
    s = signet_file_write_all(f, source_fd, &fd, show_progress, &p, &written);
    end_progress(&p);
    if (nt_ok(s))
        s = signet_flush(f);
    if (nt_ok(s) && S_ISREG(lst.st_mode)) /* keep the local modification time, as cp -p */
        s = signet_set_times(f, 0, 0, unix_to_filetime(lst.st_mtim), 0);
    ntstatus_t cs = signet_close(f);
    if (fd != STDIN_FILENO)
        close(fd);
    if (nt_ok(s))
        s = cs;
    return nt_ok(s) ? 0 : cli_report(x, remote, s);
}

/* ---- the rest ---- */

static int need_path(const struct cli_ctx *x, const char *cmd)
{
    if (x->target.path[0])
        return 0;
    fprintf(stderr, "signet: %s: name a path inside the share: //host/share/path\n", cmd);
    return 2;
}

int cmd_mkdir(struct cli_ctx *x)
{
    int u = need_path(x, "mkdir");
    if (u)
        return u;
    ntstatus_t s = signet_mkdir(x->tree, x->target.path);
    return nt_ok(s) ? 0 : cli_report(x, x->target.path, s);
}

int cmd_rmdir(struct cli_ctx *x)
{
    int u = need_path(x, "rmdir");
    if (u)
        return u;
    ntstatus_t s = signet_rmdir(x->tree, x->target.path);
    return nt_ok(s) ? 0 : cli_report(x, x->target.path, s);
}

int cmd_rm(struct cli_ctx *x)
{
    int u = need_path(x, "rm");
    if (u)
        return u;
    ntstatus_t s = signet_unlink(x->tree, x->target.path);
    return nt_ok(s) ? 0 : cli_report(x, x->target.path, s);
}

int cmd_mv(struct cli_ctx *x)
{
    int u = need_path(x, "mv");
    if (u)
        return u;
    if (!x->arg) {
        fprintf(stderr, "signet: mv: name the new path: mv //host/share/FROM TO\n");
        return 2;
    }
    const char *to = x->arg;
    struct cli_target t;
    char err[256];
    if (to[0] == '/' && to[1] == '/') { /* //host/share/TO: within the same share only */
        if (!cli_parse_target(to, &t, err, sizeof err)) {
            fprintf(stderr, "signet: mv: %s\n", err);
            return 2;
        }
        if (!t.path[0]) {
            fprintf(stderr, "signet: mv: '%s' names no new path inside the share\n", x->arg);
            return 2;
        }
        if (strcasecmp(t.host, x->target.host) != 0 || strcasecmp(t.share, x->target.share) != 0) {
            fprintf(stderr,
                    "signet: mv: '%s' is not a path in //%s/%s: SMB renames only within one "
                    "share\n",
                    x->arg, x->target.host, x->target.share);
            return 2;
        }
        to = t.path;
    }
    ntstatus_t s = signet_rename(x->tree, x->target.path, to, false);
    return nt_ok(s) ? 0 : cli_report(x, x->target.path, s);
}

int cmd_stat(struct cli_ctx *x)
{
    struct signet_stat st;
    struct signet_file *f = NULL;
    ntstatus_t s = signet_open(x->tree, x->target.path, SIGNET_OPEN_READ, &f, NULL);
    if (nt_ok(s)) { /* QUERY_INFO: what the server reports now */
        s = signet_fstat(f, &st);
        ntstatus_t cs = signet_close(f);
        if (nt_ok(s))
            s = cs;
    }
    if (!nt_ok(s))
        return cli_report(x, x->target.path[0] ? x->target.path : "/", s);
    char attrs[8], c[64], a[64], w[64], ch[64];
    attr_letters(st.attributes, attrs);
    format_time(st.creation_time, c, sizeof c);
    format_time(st.last_access_time, a, sizeof a);
    format_time(st.last_write_time, w, sizeof w);
    format_time(st.change_time, ch, sizeof ch);
    printf("  File: %s\n  Type: %s\n  Size: %" PRIu64 "\n  Allocation: %" PRIu64
           "\n  Attributes: %s (0x%08" PRIx32 ")\n  Created:  %s\n  Accessed: %s\n  Modified: %s\n"
           "  Changed:  %s\n",
           x->target.path[0] ? x->target.path : "/", st.is_dir ? "directory" : "regular file",
           st.size, st.allocation, attrs, st.attributes, c, a, w, ch);
    return 0;
}
