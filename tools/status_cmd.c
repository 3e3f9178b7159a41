/* `signet status`: signetd's sessions (smbstatus, Get-SmbSession) and its
 * `server signing audit` events, asked through the admin socket
 * (lib/server/srv_admin.c). argv[0] is the command name ("status").
 *
 *   signet status [--json] [--audit] [--socket PATH | --config FILE]
 *
 * The socket is --socket, else --config's `admin socket`, else the default
 * (lib/server/admin_path.h). Only signetd's own user and root are answered.
 * --json prints the server's JSON lines as they are; without it, a table.
 * Exit status: 0 success, 1 failure (no server, refused), 2 usage error. */
#include "config/config.h"
#include "server/admin_path.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int signet_status_main(int argc, char **argv);

#define FIELD_MAX  256
#define MAX_FIELDS 16

struct status_cli {
    bool json, audit;
    const char *socket, *config;
};

/* One flat JSON object of the server's answer: names and values as text. */
struct jobj {
    char name[MAX_FIELDS][32];
    char value[MAX_FIELDS][FIELD_MAX];
    unsigned n;
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: signet status [--json] [--audit] [--socket PATH | --config FILE]\n"
               "\n"
               "signetd's sessions (user, client, dialect, signing algorithm, cipher, guest,\n"
               "tree connects, open files, idle seconds, and each tree's share=cipher), or\n"
               "with --audit the events of\n"
               "`server signing audit` (3021: client did not sign; 3022: no encryption).\n"
               "Asked through signetd's admin socket: --socket, else `admin socket` in\n"
               "--config FILE, else /run/signetd/admin.sock (root),\n"
               "$XDG_RUNTIME_DIR/signetd/admin.sock or /tmp/signetd-UID/admin.sock.\n"
               "Only signetd's own user and root are answered.\n");
}

static int parse_args(int argc, char **argv, struct status_cli *o)
{
    static const struct option lo[] = {
        {"json", no_argument, NULL, 'j'},         {"audit", no_argument, NULL, 'a'},
        {"socket", required_argument, NULL, 's'}, {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (ch) {
        case 'j':
            o->json = true;
            break;
        case 'a':
            o->audit = true;
            break;
        case 's':
            o->socket = optarg;
            break;
        case 'c':
            o->config = optarg;
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "signet status: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    return 0;
}

static int socket_path(const struct status_cli *o, char *out, size_t len)
{
    if (o->socket) {
        snprintf(out, len, "%s", o->socket);
        return 0;
    }
    srv_admin_default_path(out, len);
    if (!o->config)
        return 0;
    struct cfg *cfg = calloc(1, sizeof *cfg);
    char err[512];
    if (!cfg)
        return 1;
    cfg_defaults(cfg);
    if (!nt_ok(cfg_load_file(o->config, cfg, err, sizeof err))) {
        fprintf(stderr, "signet status: %s\n", err);
        free(cfg);
        return 1;
    }
    if (cfg->server.admin_socket[0])
        snprintf(out, len, "%s", cfg->server.admin_socket);
    free(cfg);
    return 0;
}

/* Send the request, return the whole answer (NUL-terminated) or NULL. */
static char *ask(const char *path, const char *request)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sun.sun_path) {
        fprintf(stderr, "signet status: %s: path too long\n", path);
        return NULL;
    }
    memcpy(sun.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) != 0) {
        fprintf(stderr, "signet status: cannot reach signetd at %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    /* a refused peer may find the socket closed: no SIGPIPE, read the answer */
    (void)!send(fd, request, strlen(request), MSG_NOSIGNAL);
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    ssize_t n = 0;
    while (out && (n = read(fd, out + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 2) {
            char *bigger = realloc(out, cap *= 2);
            if (!bigger)
                free(out);
            out = bigger;
        }
    }
    close(fd);
    if (out)
        out[len] = '\0';
    return out;
}

/* A JSON string starting after its opening quote; escapes other than \" and
 * \\ (the server writes \u00XX only for control characters) become '?'. */
static const char *parse_jstr(const char *p, char *out, size_t len)
{
    size_t k = 0;
    for (; *p && *p != '"'; p++) {
        char ch = *p;
        if (ch == '\\' && p[1]) {
            ch = *++p;
            if (ch == 'u') {
                ch = '?';
                for (int i = 0; i < 4 && p[1]; i++)
                    p++;
            }
        }
        if (k + 1 < len)
            out[k++] = ch;
    }
    out[k] = '\0';
    return *p == '"' ? p + 1 : NULL;
}

static const char *parse_jvalue(const char *p, char *out, size_t len)
{
    if (*p == '"')
        return parse_jstr(p + 1, out, len);
    size_t k = 0;
    for (; *p && *p != ',' && *p != '}'; p++)
        if (k + 1 < len)
            out[k++] = *p;
    out[k] = '\0';
    return p;
}

static bool parse_jobj(const char *line, struct jobj *o)
{
    o->n = 0;
    const char *p = line;
    if (*p++ != '{')
        return false;
    while (*p == '"' && o->n < MAX_FIELDS) {
        p = parse_jstr(p + 1, o->name[o->n], sizeof o->name[o->n]);
        if (!p || *p++ != ':')
            return false;
        p = parse_jvalue(p, o->value[o->n], sizeof o->value[o->n]);
        if (!p)
            return false;
        o->n++;
        if (*p == ',')
            p++;
    }
    return *p == '}';
}

static const char *jget(const struct jobj *o, const char *name)
{
    for (unsigned i = 0; i < o->n; i++)
        if (strcmp(o->name[i], name) == 0)
            return o->value[i];
    return "-";
}

static const char *yes_no(const char *v)
{
    return strcmp(v, "true") == 0 ? "yes" : "no";
}

static void print_session(const struct jobj *o)
{
    const char *user = jget(o, "user");
    printf("%-18s %-16s %-22s %-7s %-13s %-11s %-5s %5s %5s %6s  %s\n", jget(o, "session"),
           user[0] ? user : "(anonymous)", jget(o, "client"), jget(o, "dialect"),
           jget(o, "signing"), jget(o, "cipher"), yes_no(jget(o, "guest")), jget(o, "trees"),
           jget(o, "opens"), jget(o, "idle"), jget(o, "tree_ciphers"));
}

static void print_event(const struct jobj *o)
{
    time_t t = (time_t)strtoll(jget(o, "time"), NULL, 10);
    struct tm tm;
    char when[32] = "?";
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("%-20s %-5s %s\n", when, jget(o, "event"), jget(o, "text"));
}

/* The table; 1 when the server answered with an error. */
static int print_table(char *answer, bool audit)
{
    if (audit)
        printf("%-20s %-5s %s\n", "TIME", "EVENT", "WHAT");
    else
        printf("%-18s %-16s %-22s %-7s %-13s %-11s %-5s %5s %5s %6s  %s\n", "SESSION", "USER",
               "CLIENT", "DIALECT", "SIGNING", "CIPHER", "GUEST", "TREES", "OPENS", "IDLE",
               "TREE CIPHERS");
    static struct jobj o;
    for (char *line = strtok(answer, "\n"); line; line = strtok(NULL, "\n")) {
        if (!parse_jobj(line, &o))
            continue;
        if (strcmp(jget(&o, "error"), "-") != 0) {
            fprintf(stderr, "signet status: signetd: %s\n", jget(&o, "error"));
            return 1;
        }
        if (audit)
            print_event(&o);
        else
            print_session(&o);
    }
    return 0;
}

int signet_status_main(int argc, char **argv)
{
    struct status_cli o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    char path[sizeof((struct sockaddr_un *)0)->sun_path + 1];
    if (socket_path(&o, path, sizeof path))
        return 1;
    char *answer = ask(path, o.audit ? "audit\n" : "status\n");
    if (!answer)
        return 1;
    if (strstr(answer, "{\"error\":") == answer) {
        fprintf(stderr, "signet status: signetd refused: %s", answer);
        free(answer);
        return 1;
    }
    if (o.json)
        fputs(answer, stdout);
    else
        rc = print_table(answer, o.audit);
    free(answer);
    return rc;
}
