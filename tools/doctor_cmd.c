/* `signet doctor //host[:port]/share [-U USER[%PASSWORD]] [--json]`: would
 * Windows 11, Windows Server 2025 and macOS connect to this share, and if
 * not, why and how to fix it (lib/probe/doctor.h). With -U it also logs on
 * with signing required and checks that the server rejects an unsigned
 * request and one with a corrupted signature (lib/client/tamper.h).
 * argv[0] is the command name ("doctor"). Exit status: 0 every profile
 * works, 1 some profile fails or signing is not enforced, 2 usage or local
 * error, 3 the server is unreachable. */
#include "cli_cmds.h"

#include "base/buf.h"
#include "client/tamper.h"
#include "probe/doctor.h"
#include "probe/probe.h"
#include "probe/targets.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int signet_doctor_main(int argc, char **argv);

#define DEFAULT_PORT       445
#define DEFAULT_TIMEOUT_MS 5000

struct doctor_cli {
    struct cli_target target;
    char spec[PROBE_HOST_MAX];
    char user[256];
    const char *password; /* NULL: SIGNET_PASSWORD */
    const char *domain;
    bool json;
    unsigned timeout_ms;
    bool got_result;
    struct probe_result result;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: signet doctor //host[:port]/share [-U USER[%%PASSWORD]] [-W DOMAIN] [--json]\n"
            "                     [--timeout SECONDS]\n"
            "  For each client profile (Windows 11 24H2 Pro/Enterprise/Education, Windows 11\n"
            "  Home, Windows Server 2025, macOS), says whether a connection would work and,\n"
            "  if not, the error that client shows, the cause, and the fix on the server\n"
            "  (Samba, signetd, ksmbd) and on the client (Group Policy, PowerShell).\n"
            "  With -U it logs on with signing required, then sends one unsigned request and\n"
            "  one with a corrupted signature: the server must reject both.\n"
            "  -U, --user USER[%%PASSWORD]  without %%PASSWORD: SIGNET_PASSWORD\n"
            "  -W, --workgroup DOMAIN      the user's domain (default WORKGROUP)\n"
            "  -j, --json                  one JSON object\n"
            "  -t, --timeout SECONDS       per step (default 5)\n"
            "  Exit status: 0 every profile works, 1 some profile fails or signing is not\n"
            "  enforced, 2 usage or local error, 3 the server is unreachable.\n");
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

static void take_user(struct doctor_cli *d, char *arg)
{
    char *pct = strchr(arg, '%');
    if (pct) {
        *pct = 0;
        d->password = pct + 1;
    }
    snprintf(d->user, sizeof d->user, "%s", arg);
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct doctor_cli *d)
{
    static const struct option longopts[] = {
        {"user", required_argument, NULL, 'U'}, {"workgroup", required_argument, NULL, 'W'},
        {"json", no_argument, NULL, 'j'},       {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    optind = 0; /* GNU: full reinitialisation, argv[0] is the command name */
    for (int ch; (ch = getopt_long(argc, argv, "U:W:jt:h", longopts, NULL)) != -1;) {
        if (ch == 'U')
            take_user(d, optarg);
        else if (ch == 'W')
            d->domain = optarg;
        else if (ch == 'j')
            d->json = true;
        else if (ch != 't' || !parse_timeout(optarg, &d->timeout_ms)) {
            usage(ch == 'h' ? stdout : stderr);
            return ch == 'h' ? 0 : 2;
        }
    }
    if (argc - optind != 1) {
        usage(stderr);
        return 2;
    }
    char err[512];
    if (!cli_parse_target(argv[optind], &d->target, err, sizeof err)) {
        fprintf(stderr, "signet doctor: %s\n", err);
        return 2;
    }
    if (!d->target.port)
        d->target.port = DEFAULT_PORT;
    snprintf(d->spec, sizeof d->spec, "%s", argv[optind]);
    if (d->user[0] && !d->password)
        d->password = getenv("SIGNET_PASSWORD");
    if (d->user[0] && !d->password) {
        fprintf(stderr, "signet doctor: no password: use -U USER%%PASSWORD or SIGNET_PASSWORD\n");
        return 2;
    }
    return -1;
}

/* ---- the probe of the one host ---- */

static bool next_target(void *ctx, struct probe_target *t)
{
    struct doctor_cli *d = ctx;
    if (d->got_result)
        return false;
    d->got_result = true; /* one target only */
    char *one[] = {d->target.host};
    struct target_iter *it = NULL;
    bool ok = nt_ok(target_iter_new(one, 1, d->target.port, &it)) && target_iter_next(it, t);
    target_iter_free(it);
    return ok;
}

static void on_result(void *ctx, const struct probe_result *r)
{
    struct doctor_cli *d = ctx;
    d->result = *r;
}

static ntstatus_t run_probe(struct doctor_cli *d)
{
    memset(&d->result, 0, sizeof d->result);
    d->result.error = STATUS_BAD_NETWORK_PATH;
    struct probe_opts o = {.ask = PROBE_ASK_ALL,
                           .timeout_ms = d->timeout_ms,
                           .concurrency = 1,
                           .next = next_target,
                           .on_result = on_result,
                           .ctx = d};
    return probe_run(&o);
}

/* ---- the logon and the enforcement check ---- */

/* Connect and log on with signing required (Windows 11 Pro's policy), and
 * encryption as Windows by default (if_required) or required. */
static ntstatus_t open_session_enc(const struct doctor_cli *d, struct signet_conn **conn,
                                   bool audit, enum signet_encrypt enc)
{
    struct signet_client_config cfg;
    signet_client_config_default(&cfg);
    cfg.signing_audit = audit; /* AuditServerDoesNotSupportSigning */
    cfg.encrypt = enc;
    ntstatus_t st = signet_connect(d->target.host, d->target.port, &cfg, conn);
    if (!nt_ok(st))
        return st;
    struct signet_creds cr = {d->user, d->password, d->domain};
    return signet_login(*conn, &cr);
}

static ntstatus_t open_session(const struct doctor_cli *d, struct signet_conn **conn, bool audit)
{
    return open_session_enc(d, conn, audit, SIGNET_ENCRYPT_IF_REQUIRED);
}

/* The client library's audit events (31017, 31998) into l->audit. */
static void collect_audit(void *ctx, int level, const char *msg)
{
    struct doctor_login *l = ctx;
    size_t used = strlen(l->audit);
    if (level <= 2 && strstr(msg, "event=") && used < sizeof l->audit)
        snprintf(l->audit + used, sizeof l->audit - used, "  %s\n", msg);
}

static void check_login(const struct doctor_cli *d, struct doctor_login *l)
{
    struct signet_conn *c = NULL;
    l->tried = true;
    signet_client_set_log(collect_audit, l, 2);
    l->status = open_session(d, &c, true);
    signet_client_set_log(NULL, NULL, 0);
    l->have_facts = c && cli_session_facts(c, &l->facts);
    if (nt_ok(l->status)) {
        struct signet_conn_info info;
        signet_conn_info(c, &info);
        l->signed_session = info.signing;
        l->sign_alg = info.sign_alg;
        l->cipher = info.cipher;
        struct signet_tree *t = NULL;
        l->tree_tried = true;
        l->tree_status = signet_tree_connect(c, d->target.share, &t);
        signet_conn_info(c, &info); /* a share may turn encryption on */
        l->encrypted = info.encrypted;
        signet_tree_disconnect(t);
    }
    signet_disconnect(c);
}

/* The 31999 event among the library's log lines. */
static void note_31999(void *ctx, int level, const char *msg)
{
    struct doctor_enc_login *l = ctx;
    if (level <= 1 && strstr(msg, "event=31999"))
        l->audit_31999 = true;
}

/* A logon and TREE_CONNECT with encryption required (RequireEncryption). */
static void check_encrypted_login(const struct doctor_cli *d, struct doctor_enc_login *l)
{
    struct signet_conn *c = NULL;
    l->tried = true;
    signet_client_set_log(note_31999, l, 1);
    l->status = open_session_enc(d, &c, false, SIGNET_ENCRYPT_REQUIRED);
    signet_client_set_log(NULL, NULL, 0);
    struct signet_tree *t = NULL;
    if (nt_ok(l->status))
        l->status = signet_tree_connect(c, d->target.share, &t);
    if (nt_ok(l->status)) {
        struct signet_conn_info info;
        signet_conn_info(c, &info);
        l->dialect = info.dialect;
        l->cipher = info.encrypted ? info.cipher : 0;
    } else if (c)
        snprintf(l->error, sizeof l->error, "%s", signet_conn_error(c, l->status));
    signet_tree_disconnect(t);
    signet_disconnect(c);
}

/* One tampered ECHO (or, for CLI_TAMPER_NONE, a correct one) on a fresh
 * signed session. */
static void check_tamper(const struct doctor_cli *d, enum cli_tamper how, struct doctor_tamper *t)
{
    struct signet_conn *c = NULL;
    struct cli_tamper_outcome out;
    if (nt_ok(open_session(d, &c, false)) &&
        nt_ok(cli_echo_tampered(c, how, d->timeout_ms, &out))) {
        t->tried = true;
        t->dropped = out.dropped;
        t->status = out.dropped ? out.error : out.status;
        t->rejected = out.dropped || nt_is_error(out.status);
    }
    signet_disconnect(c);
}

static void run_checks(const struct doctor_cli *d, struct doctor_report *rep)
{
    check_login(d, &rep->login);
    if (nt_ok(rep->login.status) || rep->login.have_facts)
        check_encrypted_login(d, &rep->enc_login);
    if (!nt_ok(rep->login.status) || !rep->login.signed_session || rep->login.encrypted)
        return; /* no signed session to tamper with (an encrypted one refuses clear requests) */
    check_tamper(d, CLI_TAMPER_NONE, &rep->control);
    check_tamper(d, CLI_TAMPER_UNSIGNED, &rep->unsigned_req);
    check_tamper(d, CLI_TAMPER_BAD_SIGNATURE, &rep->bad_signature);
}

static int print_report(const struct doctor_cli *d, const struct doctor_report *rep)
{
    struct buf b = BUF_INIT;
    ntstatus_t st = d->json ? doctor_format_json(rep, &b) : doctor_format_text(rep, &b);
    if (nt_ok(st))
        fwrite(b.p, 1, b.len, stdout);
    buf_free(&b);
    if (!nt_ok(st)) {
        fprintf(stderr, "signet doctor: %s\n", nt_name(st));
        return 2;
    }
    return doctor_exit_status(rep);
}

int signet_doctor_main(int argc, char **argv)
{
    struct doctor_cli *d = calloc(1, sizeof *d);
    struct doctor_report *rep = calloc(1, sizeof *rep);
    int rc = d && rep ? -1 : 2;
    if (rc < 0) {
        d->timeout_ms = DEFAULT_TIMEOUT_MS;
        rc = parse_args(argc, argv, d);
    }
    if (rc < 0) {
        signal(SIGPIPE, SIG_IGN);
        ntstatus_t st = run_probe(d);
        if (!nt_ok(st)) {
            fprintf(stderr, "signet doctor: %s\n", nt_name(st));
            rc = 2;
        }
    }
    if (rc < 0) {
        snprintf(rep->target, sizeof rep->target, "%s", d->spec);
        rep->probe = &d->result;
        if (d->result.reachable && d->user[0])
            run_checks(d, rep);
        doctor_evaluate_all(rep);
        rc = print_report(d, rep);
    }
    free(rep);
    free(d);
    return rc;
}
