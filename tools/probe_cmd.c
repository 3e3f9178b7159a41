/* `signet probe HOST[:PORT]... [--json] [--timeout S]`: what an SMB server
 * accepts, without credentials (lib/probe/probe.h). argv[0] is the command
 * name ("probe"); options follow. Exit status: 0 when every host was
 * reachable, 2 when one was not, 1 on a usage or local error. */
#include "base/buf.h"
#include "probe/probe.h"
#include "probe/report.h"
#include "probe/targets.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int signet_probe_main(int argc, char **argv);

#define DEFAULT_PORT       445
#define DEFAULT_TIMEOUT_MS 5000

struct probe_cli {
    char **hosts;
    size_t n;
    size_t next;
    bool json;
    bool any_unreachable;
    bool first_json;
    char err[512];
};

static void usage(FILE *f)
{
    fprintf(f, "usage: signet probe HOST[:PORT]... [--json] [--timeout SECONDS]\n"
               "  Asks an SMB server, without credentials, which dialects it accepts, whether\n"
               "  it requires signing, which 3.1.1 signing algorithms and ciphers it picks,\n"
               "  whether it accepts SMB1, anonymous and guest logons. PORT defaults to 445.\n"
               "  HOST is one IPv4 address or name (ranges: signet scan).\n"
               "  -j, --json             one JSON object per host (an array for several hosts)\n"
               "  -t, --timeout SECONDS  for the connect and for each response (default 5)\n"
               "  -h, --help             this help\n"
               "  Exit status: 0 when every host answered, 2 when one was unreachable,\n"
               "  1 on a usage or local error.\n");
}

/* "HOST:PORT" -> host and port; a bare HOST keeps the default port. */
static bool split_port(const char *arg, char *host, size_t cap, uint16_t *port)
{
    const char *colon = strrchr(arg, ':');
    size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
    if (n == 0 || n >= cap)
        return false;
    memcpy(host, arg, n);
    host[n] = 0;
    *port = DEFAULT_PORT;
    if (!colon)
        return true;
    char *end = NULL;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (!isdigit((unsigned char)colon[1]) || *end || p == 0 || p > 65535)
        return false;
    *port = (uint16_t)p;
    return true;
}

static bool next_host(void *ctx, struct probe_target *t)
{
    struct probe_cli *c = ctx;
    if (c->next >= c->n)
        return false;
    char host[PROBE_HOST_MAX];
    uint16_t port = 0;
    if (!split_port(c->hosts[c->next++], host, sizeof host, &port))
        return false; /* validated in main */
    char *one[] = {host};
    struct target_iter *it = NULL;
    bool ok = nt_ok(target_iter_new(one, 1, port, &it)) && target_iter_next(it, t);
    target_iter_free(it);
    return ok;
}

static void on_result(void *ctx, const struct probe_result *r)
{
    struct probe_cli *c = ctx;
    struct buf b = BUF_INIT;
    ntstatus_t st = c->json ? probe_format_json(r, &b) : probe_format_text(r, &b);
    if (nt_ok(st)) {
        if (c->json && c->n > 1)
            fputs(c->first_json ? "[" : ",", stdout);
        fwrite(b.p, 1, b.len, stdout);
    }
    c->first_json = false;
    c->any_unreachable |= !r->reachable;
    buf_free(&b);
}

/* Each HOST must be one address or name: ranges belong to `signet scan`. */
static bool check_hosts(struct probe_cli *c)
{
    for (size_t i = 0; i < c->n; i++) {
        char host[PROBE_HOST_MAX];
        uint16_t port;
        struct target_range r;
        if (!split_port(c->hosts[i], host, sizeof host, &port)) {
            fprintf(stderr, "signet probe: '%s': expected HOST or HOST:PORT\n", c->hosts[i]);
            return false;
        }
        if (!nt_ok(target_parse(host, &r, c->err, sizeof c->err)) ||
            (r.kind == TARGET_RANGE && r.first != r.last)) {
            fprintf(stderr, "signet probe: %s\n",
                    c->err[0] ? c->err : "one host at a time; use signet scan for ranges");
            return false;
        }
    }
    return true;
}

static bool parse_timeout(const char *s, unsigned *ms)
{
    char *end = NULL;
    double v = strtod(s, &end);
    if (!end || *end || !(v > 0) || v > 600)
        return false;
    *ms = (unsigned)(v * 1000 + 0.5);
    return true;
}

int signet_probe_main(int argc, char **argv)
{
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
                                             {"timeout", required_argument, NULL, 't'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    struct probe_cli c = {.first_json = true};
    unsigned timeout_ms = DEFAULT_TIMEOUT_MS;
    optind = 0; /* GNU: full reinitialisation, argv[0] is the command name */
    for (int ch; (ch = getopt_long(argc, argv, "jt:h", longopts, NULL)) != -1;) {
        if (ch == 'j') {
            c.json = true;
        } else if (ch == 't' && parse_timeout(optarg, &timeout_ms)) {
        } else {
            usage(ch == 'h' ? stdout : stderr);
            return ch == 'h' ? 0 : 1;
        }
    }
    c.hosts = argv + optind;
    c.n = (size_t)(argc - optind);
    if (c.n == 0) {
        usage(stderr);
        return 1;
    }
    if (!check_hosts(&c))
        return 1;
    signal(SIGPIPE, SIG_IGN);
    struct probe_opts o = {.ask = PROBE_ASK_ALL,
                           .timeout_ms = timeout_ms,
                           .concurrency = 4,
                           .next = next_host,
                           .on_result = on_result,
                           .ctx = &c};
    ntstatus_t st = probe_run(&o);
    if (c.json && c.n > 1)
        fputs("]\n", stdout);
    if (!nt_ok(st)) {
        fprintf(stderr, "signet probe: %s\n", nt_name(st));
        return 1;
    }
    return c.any_unreachable ? 2 : 0;
}
