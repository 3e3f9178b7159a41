/* `signet scan TARGETS... [--port 445] [--concurrency N] [--timeout S]
 * [--json|--csv] [--relay-list FILE]`: many hosts at once, one row each
 * (lib/probe). TARGETS are addresses, CIDR blocks (/16 or smaller), ranges,
 * host names and files of them (lib/probe/targets.h). A progress line goes
 * to stderr when stderr is a terminal. argv[0] is the command name. */
#include "base/buf.h"
#include "probe/probe.h"
#include "probe/report.h"
#include "probe/targets.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

int signet_scan_main(int argc, char **argv);

#define DEFAULT_CONCURRENCY 256
#define DEFAULT_TIMEOUT_MS  3000
#define FD_RESERVE          32 /* descriptors kept for stdio, the loop, files */

enum scan_format { FMT_TEXT, FMT_CSV, FMT_JSON };

struct scan_cli {
    enum scan_format fmt;
    FILE *relay;
    bool progress;
    bool progress_shown;
    uint64_t total;
    uint64_t rows;
    uint64_t with_smb;
    uint64_t relayable;
    struct timespec start;
    struct buf line;
    struct target_iter *targets;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: signet scan TARGETS... [--port PORT] [--concurrency N] [--timeout SECONDS]\n"
               "                   [--json|--csv] [--relay-list FILE]\n"
               "  TARGETS: a.b.c.d, a.b.c.d/nn (nn >= 16), a.b.c.d-e, a.b.c.d-w.x.y.z, host\n"
               "  names, and @FILE (or a file path) with one target per line, '#' comments.\n"
               "  IPv4 only. No credentials are sent.\n"
               "  One row per host: reachable, dialects, signing required, SMB1, anonymous,\n"
               "  guest; a summary line on stderr (and progress, when stderr is a terminal).\n"
               "  -p, --port PORT         default 445\n"
               "  -c, --concurrency N     hosts probed at once (default 256; lowered to fit\n"
               "                          the open-file limit)\n"
               "  -t, --timeout SECONDS   for the connect and for each response (default 3)\n"
               "  -j, --json | -C, --csv  output format (default: text)\n"
               "  -r, --relay-list FILE   write the hosts that speak SMB2 without requiring\n"
               "                          signing (NTLM relay targets), one per line\n"
               "  -h, --help              this help\n"
               "  Exit status: 0 when the scan ran (unreachable hosts included), 1 on a usage\n"
               "  or local error.\n");
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void clear_progress(struct scan_cli *c)
{
    if (c->progress_shown)
        fputs("\r\033[K", stderr);
    c->progress_shown = false;
}

static void on_progress(void *ctx, uint64_t done, uint64_t in_flight)
{
    struct scan_cli *c = ctx;
    if (!c->progress)
        return;
    double s = seconds_since(&c->start);
    fprintf(stderr, "\r\033[Kscanned %llu/%llu hosts, %llu in flight, %llu with SMB2, %.0f hosts/s",
            (unsigned long long)done, (unsigned long long)c->total, (unsigned long long)in_flight,
            (unsigned long long)c->with_smb, s > 0 ? (double)done / s : 0.0);
    c->progress_shown = true;
}

static bool next_target(void *ctx, struct probe_target *t)
{
    struct scan_cli *c = ctx;
    return target_iter_next(c->targets, t);
}

static void on_result(void *ctx, const struct probe_result *r)
{
    struct scan_cli *c = ctx;
    buf_reset(&c->line);
    ntstatus_t st = STATUS_SUCCESS;
    if (c->fmt == FMT_JSON) {
        st = buf_append(&c->line, c->rows ? ",\n" : "", c->rows ? 2 : 0);
        if (nt_ok(st))
            st = scan_format_json_row(r, &c->line);
    } else {
        st = c->fmt == FMT_CSV ? scan_format_csv_row(r, &c->line)
                               : scan_format_text_row(r, &c->line);
    }
    clear_progress(c);
    if (nt_ok(st))
        fwrite(c->line.p, 1, c->line.len, stdout);
    c->rows++;
    c->with_smb += probe_max_dialect(r) != 0;
    if (probe_relayable(r)) {
        c->relayable++;
        if (c->relay)
            fprintf(c->relay, "%s\n", r->host);
    }
}

static bool parse_uint_opt(const char *s, unsigned long min, unsigned long max, unsigned *out)
{
    char *end = NULL;
    unsigned long v = strtoul(s, &end, 10);
    if (!end || *end || s[0] == '-' || v < min || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

static bool parse_seconds(const char *s, unsigned *ms)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!end || *end || !(v > 0) || v > 600)
        return false;
    *ms = (unsigned)(v * 1000 + 0.5);
    return true;
}

/* Keep concurrency within the descriptors we may open. */
static unsigned cap_concurrency(unsigned want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)want + FD_RESERVE) {
        unsigned cap = rl.rlim_cur > FD_RESERVE + 1 ? (unsigned)rl.rlim_cur - FD_RESERVE : 1;
        fprintf(stderr, "signet scan: concurrency %u lowered to %u (open file limit %llu)\n", want,
                cap, (unsigned long long)rl.rlim_cur);
        return cap;
    }
    return want;
}

struct scan_args {
    unsigned port, concurrency, timeout_ms;
    const char *relay_path;
};

static int parse_args(int argc, char **argv, struct scan_cli *c, struct scan_args *a)
{
    static const struct option longopts[] = {
        {"port", required_argument, NULL, 'p'},    {"concurrency", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'}, {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'C'},           {"relay-list", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0}};
    optind = 0; /* GNU: full reinitialisation, argv[0] is the command name */
    for (int ch; (ch = getopt_long(argc, argv, "p:c:t:jCr:h", longopts, NULL)) != -1;) {
        bool ok = true;
        if (ch == 'p')
            ok = parse_uint_opt(optarg, 1, 65535, &a->port);
        else if (ch == 'c')
            ok = parse_uint_opt(optarg, 1, 65536, &a->concurrency);
        else if (ch == 't')
            ok = parse_seconds(optarg, &a->timeout_ms);
        else if (ch == 'j' || ch == 'C')
            c->fmt = ch == 'j' ? FMT_JSON : FMT_CSV;
        else if (ch == 'r')
            a->relay_path = optarg;
        else
            ok = false;
        if (!ok) {
            usage(ch == 'h' ? stdout : stderr);
            return ch == 'h' ? 0 : 1;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 1;
    }
    return -1;
}

static int run_scan(struct scan_cli *c, const struct scan_args *a)
{
    struct probe_opts o = {.ask = PROBE_ASK_DIALECTS | PROBE_ASK_SMB1 | PROBE_ASK_ANON |
                                  PROBE_ASK_GUEST,
                           .timeout_ms = a->timeout_ms,
                           .concurrency = cap_concurrency(a->concurrency),
                           .next = next_target,
                           .on_result = on_result,
                           .on_progress = on_progress,
                           .ctx = c};
    if (c->fmt == FMT_CSV) {
        buf_reset(&c->line);
        if (nt_ok(scan_format_csv_header(&c->line)))
            fwrite(c->line.p, 1, c->line.len, stdout);
    } else if (c->fmt == FMT_JSON) {
        fputs("[\n", stdout);
    }
    clock_gettime(CLOCK_MONOTONIC, &c->start);
    ntstatus_t st = probe_run(&o);
    clear_progress(c);
    if (c->fmt == FMT_JSON)
        fputs(c->rows ? "\n]\n" : "]\n", stdout);
    double s = seconds_since(&c->start);
    fprintf(stderr,
            "signet scan: %llu hosts in %.2f s (%.0f hosts/s), %llu with SMB2, %llu "
            "without required signing\n",
            (unsigned long long)c->rows, s, s > 0 ? (double)c->rows / s : 0.0,
            (unsigned long long)c->with_smb, (unsigned long long)c->relayable);
    if (target_iter_error(c->targets))
        fprintf(stderr, "signet scan: %s\n", target_iter_error(c->targets));
    if (!nt_ok(st))
        fprintf(stderr, "signet scan: %s\n", nt_name(st));
    return nt_ok(st) ? 0 : 1;
}

int signet_scan_main(int argc, char **argv)
{
    struct scan_cli c = {.fmt = FMT_TEXT, .line = BUF_INIT};
    struct scan_args a = {
        .port = 445, .concurrency = DEFAULT_CONCURRENCY, .timeout_ms = DEFAULT_TIMEOUT_MS};
    int rc = parse_args(argc, argv, &c, &a);
    if (rc >= 0)
        return rc;
    char err[512] = "";
    char **specs = argv + optind;
    size_t n = (size_t)(argc - optind);
    if (!nt_ok(target_count(specs, n, &c.total, err, sizeof err))) {
        fprintf(stderr, "signet scan: %s\n", err);
        return 1;
    }
    if (a.relay_path && !(c.relay = fopen(a.relay_path, "w"))) {
        perror(a.relay_path);
        return 1;
    }
    if (!nt_ok(target_iter_new(specs, n, (uint16_t)a.port, &c.targets))) {
        if (c.relay)
            fclose(c.relay);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    c.progress = isatty(STDERR_FILENO);
    rc = run_scan(&c, &a);
    target_iter_free(c.targets);
    buf_free(&c.line);
    if (c.relay && fclose(c.relay) != 0) {
        perror(a.relay_path);
        rc = 1;
    }
    return rc;
}
