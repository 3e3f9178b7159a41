/* signet: the SMB2/SMB3 command-line client. See docs/signet.1. */
#include "cli_cmds.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

struct cmd {
    const char *name;
    int (*run)(struct cli_ctx *);
    const char *usage;
    const char *what;
};

static const struct cmd cmds[] = {
    {"ls", cmd_ls, "ls //host[:port]/share[/dir]", "list a directory (or show one file)"},
    {"get", cmd_get, "get //host[:port]/share/path [LOCAL|-]",
     "download a file (to LOCAL, default its base name; - for standard output)"},
    {"put", cmd_put, "put //host[:port]/share[/path] LOCAL|-",
     "upload LOCAL (- for standard input), creating or replacing the file;\n"
     "          a path that is empty, ends in / or is a directory keeps LOCAL's name"},
    {"mkdir", cmd_mkdir, "mkdir //host[:port]/share/dir", "create a directory"},
    {"rmdir", cmd_rmdir, "rmdir //host[:port]/share/dir", "remove an empty directory"},
    {"rm", cmd_rm, "rm //host[:port]/share/file", "delete a file"},
    {"mv", cmd_mv, "mv //host[:port]/share/from TO",
     "rename within the share; TO is a path in the share (or //host/share/TO)"},
    {"stat", cmd_stat, "stat //host[:port]/share[/path]", "show size, attributes and times"},
};

/* Commands that take their own options and no share (tools/probe_cmd.c,
 * tools/scan_cmd.c): signet probe|scan ... */
int signet_probe_main(int argc, char **argv);
int signet_scan_main(int argc, char **argv);
int signet_user_main(int argc, char **argv);
int signet_config_main(int argc, char **argv);
int signet_doctor_main(int argc, char **argv);
int signet_status_main(int argc, char **argv);

static const struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *what;
} tool_cmds[] = {
    {"probe", signet_probe_main,
     "HOST[:PORT]...: dialects, signing, algorithms, SMB1, anonymous and guest access"},
    {"scan", signet_scan_main,
     "TARGETS...: many hosts at once; which do not require signing (relay targets)"},
    {"user", signet_user_main, "add|passwd|del|list [NAME] --db FILE: signetd's user database"},
    {"config", signet_config_main, "show|set: the signing policy under Windows' names"},
    {"doctor", signet_doctor_main,
     "//host[:port]/share [-U USER]: would Windows 11, Server 2025, macOS connect; why not"},
    {"status", signet_status_main,
     "[--json] [--audit]: signetd's sessions and signing audit events (admin socket)"},
};

static const char options_help[] =
    "Options:\n"
    "  -U, --user USER[%PASSWORD]   user to log on as; without %PASSWORD the password is read\n"
    "                               from SIGNET_PASSWORD, else prompted for on the terminal\n"
    "  -W, --workgroup DOMAIN       the user's domain (default WORKGROUP)\n"
    "  -p, --port PORT              TCP port (default 445; //host:PORT also works)\n"
    "      --signing=required|desired|disabled\n"
    "                               client signing policy (default required, as Windows 11\n"
    "                               24H2: RequireSecuritySignature). With required, a server\n"
    "                               that does not sign, or a guest session, is refused.\n"
    "      --signing-algorithms=LIST\n"
    "                               SMB 3.1.1 signing algorithms in order of preference\n"
    "                               (default AES-128-GMAC,AES-128-CMAC,HMAC-SHA256)\n"
    "      --encrypt=off|if_required|desired|required\n"
    "                               client smb encrypt (default if_required, as Windows'\n"
    "                               RequireEncryption False: encrypt when the server or share\n"
    "                               asks). desired encrypts whenever the server can (SMB 3);\n"
    "                               required refuses a server or share that cannot encrypt.\n"
    "      --encryption-algorithms=LIST\n"
    "                               ciphers in order of preference (default AES-128-GCM,\n"
    "                               AES-128-CCM,AES-256-GCM,AES-256-CCM; 3.0.x: AES-128-CCM)\n"
    "      --min-protocol=P         lowest dialect: SMB2_02 SMB2_10 SMB3_00 SMB3_02 SMB3_11\n"
    "      --max-protocol=P         highest dialect (default SMB3_11)\n"
    "      --allow-insecure-guest   accept a guest session (Windows EnableInsecureGuestLogons);\n"
    "                               needs --signing=desired or disabled; nothing is signed\n"
    "      --config FILE            read the [client] section of FILE (default\n"
    "                               " SIGNET_CLIENT_DEFAULT_CONFIG ", if it exists)\n"
    "  -v, --verbose                print the connection's dialect, signing or cipher, and user\n"
    "  -h, --help                   this help; signet COMMAND --help for one command\n";

static void usage_all(FILE *out)
{
    fprintf(out, "Usage: signet [OPTIONS] COMMAND //host[:port]/share[/path] [ARG]\n"
                 "       signet probe|scan|doctor|user|config ARGS...   (see below)\n\n"
                 "SMB2/SMB3 client: every message on a signed session is signed and every\n"
                 "response verified.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        fprintf(out, "  %-7s %s\n", cmds[i].name, cmds[i].what);
    fprintf(out, "\nAdministration (each has its own options and exit status:\n"
                 "signet probe --help, signet scan --help, signet user --help, ...):\n");
    for (size_t i = 0; i < sizeof tool_cmds / sizeof tool_cmds[0]; i++)
        fprintf(out, "  %-7s %s\n", tool_cmds[i].name, tool_cmds[i].what);
    fprintf(out,
            "\n%s\nExit status of the file commands: 0 on success, 1 on failure, 2 on a usage\n"
            "error.\n"
            "See signet(1).\n",
            options_help);
}

static void usage_cmd(const struct cmd *c, FILE *out)
{
    fprintf(out, "Usage: signet [OPTIONS] %s\n\n%s.\n\n%s", c->usage, c->what, options_help);
}

static const struct cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    return NULL;
}

struct opts {
    char user[256];
    char *password;
    const char *domain;
    long port;
    const char *config;
    bool verbose, help;
    struct signet_client_config cfg;
    /* command-line settings, applied after the config file */
    const char *set_keys[8];
    const char *set_vals[8];
    size_t n_set;
    bool guest;
};

enum {
    OPT_SIGNING = 256,
    OPT_ALGS,
    OPT_MIN,
    OPT_MAX,
    OPT_GUEST,
    OPT_CONFIG,
    OPT_ENCRYPT,
    OPT_CIPHERS
};

static const struct option long_opts[] = {
    {"user", required_argument, NULL, 'U'},
    {"workgroup", required_argument, NULL, 'W'},
    {"port", required_argument, NULL, 'p'},
    {"signing", required_argument, NULL, OPT_SIGNING},
    {"signing-algorithms", required_argument, NULL, OPT_ALGS},
    {"encrypt", required_argument, NULL, OPT_ENCRYPT},
    {"encryption-algorithms", required_argument, NULL, OPT_CIPHERS},
    {"min-protocol", required_argument, NULL, OPT_MIN},
    {"max-protocol", required_argument, NULL, OPT_MAX},
    {"allow-insecure-guest", no_argument, NULL, OPT_GUEST},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void add_set(struct opts *o, const char *key, const char *val)
{
    if (o->n_set < 8) {
        o->set_keys[o->n_set] = key;
        o->set_vals[o->n_set++] = val;
    }
}

static void take_user(struct opts *o, char *arg)
{
    char *pct = strchr(arg, '%');
    if (pct) {
        *pct = 0;
        free(o->password); /* a later -U wins */
        o->password = strdup(pct + 1);
        memset(pct + 1, '*', strlen(pct + 1)); /* keep it out of ps */
    }
    snprintf(o->user, sizeof o->user, "%s", arg);
    char *bs = strchr(o->user, '\\'); /* DOMAIN\user */
    if (bs && !o->domain) {
        *bs = 0;
        static char dom[256];
        snprintf(dom, sizeof dom, "%s", o->user);
        o->domain = dom;
        memmove(o->user, bs + 1, strlen(bs + 1) + 1);
    }
}

/* Returns -1 to go on, else the exit status. */
static int parse_opts(int argc, char **argv, struct opts *o)
{
    int ch;
    while ((ch = getopt_long(argc, argv, "U:W:p:vh", long_opts, NULL)) != -1) {
        switch (ch) {
        case 'U':
            take_user(o, optarg);
            break;
        case 'W':
            o->domain = optarg;
            break;
        case 'p': {
            char *e;
            o->port = strtol(optarg, &e, 10);
            if (*e || o->port < 1 || o->port > 65535) {
                fprintf(stderr, "signet: invalid port '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case OPT_SIGNING:
            add_set(o, "client signing", optarg);
            break;
        case OPT_ALGS:
            add_set(o, "client smb3 signing algorithms", optarg);
            break;
        case OPT_ENCRYPT:
            add_set(o, "client smb encrypt", optarg);
            break;
        case OPT_CIPHERS:
            add_set(o, "client smb3 encryption algorithms", optarg);
            break;
        case OPT_MIN:
            add_set(o, "client min protocol", optarg);
            break;
        case OPT_MAX:
            add_set(o, "client max protocol", optarg);
            break;
        case OPT_GUEST:
            o->guest = true;
            break;
        case OPT_CONFIG:
            o->config = optarg;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'h':
            o->help = true;
            break;
        default:
            fprintf(stderr, "Try 'signet --help'.\n");
            return 2;
        }
    }
    return -1;
}

static int load_config(struct opts *o)
{
    char err[512];
    signet_client_config_default(&o->cfg);
    const char *path = o->config;
    if (!path && access(SIGNET_CLIENT_DEFAULT_CONFIG, R_OK) == 0)
        path = SIGNET_CLIENT_DEFAULT_CONFIG;
    if (path && !nt_ok(signet_client_config_load(path, &o->cfg, err, sizeof err))) {
        fprintf(stderr, "signet: %s\n", err[0] ? err : path);
        return 2;
    }
    for (size_t i = 0; i < o->n_set; i++) {
        for (char *p = (char *)o->set_vals[i]; *p; p++)
            if (*p == ',')
                *p = ' ';
        if (!nt_ok(signet_client_config_set(&o->cfg, o->set_keys[i], o->set_vals[i], err,
                                            sizeof err))) {
            fprintf(stderr, "signet: %s\n", err);
            return 2;
        }
    }
    if (o->guest)
        o->cfg.allow_insecure_guest = true;
    return -1;
}

static char *prompt_password(const char *user)
{
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return NULL;
    fprintf(tty, "Password for %s: ", user);
    fflush(tty);
    struct termios old, quiet;
    bool echo_off = tcgetattr(fileno(tty), &old) == 0;
    if (echo_off) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
    }
    char line[512];
    char *got = fgets(line, sizeof line, tty);
    if (echo_off)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    if (!got)
        return NULL;
    line[strcspn(line, "\r\n")] = 0;
    char *pw = strdup(line);
    memset(line, 0, sizeof line);
    return pw;
}

static int get_password(struct opts *o)
{
    if (o->password)
        return -1;
    const char *env = getenv("SIGNET_PASSWORD");
    if (env) {
        o->password = strdup(env);
        return -1;
    }
    o->password = prompt_password(o->user);
    if (!o->password) {
        fprintf(stderr, "signet: no password: use -U user%%password, SIGNET_PASSWORD, or a "
                        "terminal to be prompted on\n");
        return 2;
    }
    return -1;
}

static int open_session(struct cli_ctx *x, struct opts *o)
{
    uint16_t port = o->port ? (uint16_t)o->port : x->target.port;
    ntstatus_t st = signet_connect(x->target.host, port, &o->cfg, &x->conn);
    if (!nt_ok(st))
        return cli_report(x, x->target.host, st);
    struct signet_creds cr = {o->user, o->password, o->domain};
    st = signet_login(x->conn, &cr);
    if (!nt_ok(st))
        return cli_report(x, x->target.host, st);
    struct signet_conn_info info;
    signet_conn_info(x->conn, &info);
    if (info.guest)
        fprintf(stderr,
                "signet: warning: logged on as GUEST to %s: the session is not signed "
                "and anyone on the network can tamper with it "
                "(--allow-insecure-guest)\n",
                x->target.host);
    st = signet_tree_connect(x->conn, x->target.share, &x->tree);
    if (x->verbose) { /* after TREE_CONNECT: a share may turn encryption on */
        char line[512];
        signet_conn_describe(x->conn, line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    return nt_ok(st) ? -1 : cli_report(x, x->target.share, st);
}

/* The library's warnings (audit events); its errors reach the user through
 * cli_report, once. */
static void print_warning(void *ctx, int level, const char *msg)
{
    (void)ctx;
    if (level == 1)
        fprintf(stderr, "signet: warning: %s\n", msg);
}

static int run(const struct cmd *c, struct opts *o, const char *target, const char *arg)
{
    signet_client_set_log(print_warning, NULL, 1);
    struct cli_ctx x = {.arg = arg, .verbose = o->verbose, .progress = isatty(STDERR_FILENO)};
    char err[512];
    if (!cli_parse_target(target, &x.target, err, sizeof err)) {
        fprintf(stderr, "signet: %s\n", err);
        return 2;
    }
    int rc = load_config(o);
    if (rc < 0)
        rc = get_password(o);
    if (rc < 0)
        rc = open_session(&x, o);
    if (rc < 0)
        rc = c->run(&x);
    if (x.tree)
        signet_tree_disconnect(x.tree);
    signet_disconnect(x.conn);
    return rc;
}

/* Everything after option parsing; the caller frees the password. */
static int run_main(int argc, char **argv, struct opts *o)
{
    int nargs = argc - optind;
    const struct cmd *c = nargs > 0 ? find_cmd(argv[optind]) : NULL;
    if (nargs > 0 && !c) {
        fprintf(stderr, "signet: unknown command '%s'. Try 'signet --help'.\n", argv[optind]);
        return 2;
    }
    if (o->help || !c) {
        if (c)
            usage_cmd(c, stdout);
        else
            usage_all(o->help ? stdout : stderr);
        return o->help ? 0 : 2;
    }
    if (nargs < 2 || nargs > 3) {
        usage_cmd(c, stderr);
        return 2;
    }
    if (!o->user[0]) {
        const char *u = getenv("USER");
        snprintf(o->user, sizeof o->user, "%s", u ? u : "");
    }
    return run(c, o, argv[optind + 1], nargs == 3 ? argv[optind + 2] : NULL);
}

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)) {
        printf("signet %s\n", SIGNET_VERSION);
        return 0;
    }
    for (size_t i = 0; argc > 1 && i < sizeof tool_cmds / sizeof tool_cmds[0]; i++)
        if (strcmp(argv[1], tool_cmds[i].name) == 0)
            return tool_cmds[i].main(argc - 1, argv + 1);
    struct opts o = {0};
    int rc = parse_opts(argc, argv, &o);
    if (rc < 0)
        rc = run_main(argc, argv, &o);
    if (o.password) {
        memset(o.password, 0, strlen(o.password));
        free(o.password);
    }
    return rc;
}
