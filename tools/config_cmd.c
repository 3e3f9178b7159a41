/* `signet config show|set`: the signing policy under Windows' names
 * (lib/config/winview.h), read from and written to signet.conf with Samba's
 * keys (lib/config/writer.h keeps every comment). argv[0] is the command
 * name ("config").
 *
 *   signet config show [--client|--server] [NAME...] [--json] [--config FILE]
 *   signet config set --client|--server NAME VALUE [--config FILE]
 *
 * show prints Format-List lines ("RequireSecuritySignature : True") on
 * standard output and, on standard error, one line saying which file (or the
 * built-in defaults) it read. Exit status: 0 success, 1 failure (a file that
 * cannot be read, written or loaded), 2 usage error (unknown name, invalid
 * value). */
#include "base/buf.h"
#include "config/config.h"
#include "config/winview.h"
#include "config/writer.h"

#include <getopt.h>
#include <signet/client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int signet_config_main(int argc, char **argv);

struct config_cli {
    const char *config; /* --config */
    bool client, server, json;
    char **args; /* after the subcommand */
    int n_args;
    const char *sub;
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: signet config show [--client|--server] [NAME...] [--json] [--config FILE]\n"
               "       signet config set --client|--server NAME VALUE [--config FILE]\n"
               "\n"
               "show prints the effective signing policy under Windows' names, as\n"
               "Get-SmbClientConfiguration / Get-SmbServerConfiguration | Format-List do\n"
               "(\"RequireSecuritySignature : True\"); both roles unless --client or --server.\n"
               "set changes signet.conf: the Windows name and value become Samba's key and\n"
               "value (RequireSecuritySignature True -> client signing = required), and every\n"
               "comment and other line of the file is kept.\n"
               "\n"
               "Options:\n"
               "  --client          the client's policy ([client], read by signet)\n"
               "  --server          the server's policy ([global], read by signetd)\n"
               "  --json            show: one JSON object per role\n"
               "  --config FILE     the configuration file (default " SIGNET_CLIENT_DEFAULT_CONFIG
               ";\n"
               "                    show uses the built-in defaults when it does not exist)\n"
               "  -h, --help        this help\n"
               "\n"
               "Client names: AuditServerDoesNotSupportSigning, EnableInsecureGuestLogons,\n"
               "  EnableSecuritySignature, EncryptionCiphers, RequireEncryption,\n"
               "  RequireSecuritySignature, SigningAlgorithms, Smb2DialectMax, Smb2DialectMin\n"
               "Server names: AuditClientDoesNotSupportSigning, EnableSecuritySignature,\n"
               "  EncryptData, EncryptionCiphers, InvalidAuthenticationDelayTimeInMs,\n"
               "  RequireSecuritySignature, SigningAlgorithms, Smb2DialectMax, Smb2DialectMin\n"
               "\n"
               "Exit status: 0 on success, 1 on failure, 2 on a usage error or invalid value.\n");
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct config_cli *c)
{
    static const struct option longopts[] = {
        {"client", no_argument, NULL, 'C'}, {"server", no_argument, NULL, 'S'},
        {"json", no_argument, NULL, 'j'},   {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},   {NULL, 0, NULL, 0}};
    optind = 0; /* GNU: full reinitialisation, argv[0] is the command name */
    for (int ch; (ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1;) {
        if (ch == 'C')
            c->client = true;
        else if (ch == 'S')
            c->server = true;
        else if (ch == 'j')
            c->json = true;
        else if (ch == 'c')
            c->config = optarg;
        else {
            usage(ch == 'h' ? stdout : stderr);
            return ch == 'h' ? 0 : 2;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    c->sub = argv[optind];
    c->args = argv + optind + 1;
    c->n_args = argc - optind - 1;
    return -1;
}

/* Load path into *cfg (defaults first). Returns -1 to go on, else 1. */
static int load(const char *path, struct cfg *cfg)
{
    char err[512];
    cfg_defaults(cfg);
    if (path && !nt_ok(cfg_load_file(path, cfg, err, sizeof err))) {
        fprintf(stderr, "signet config: %s\n", err);
        return 1;
    }
    return -1;
}

/* ---- show ---- */

static bool name_known(const char *name, bool client, bool server)
{
    return (client && wv_find(WV_CLIENT, name)) || (server && wv_find(WV_SERVER, name));
}

static int unknown_name(const char *name, bool client, bool server)
{
    enum wv_role other = client ? WV_SERVER : WV_CLIENT;
    if (!(client && server) && wv_find(other, name))
        fprintf(stderr, "signet config: %s is a %s setting, not a %s one: use --%s",
                wv_find(other, name)->name, wv_role_name(other),
                wv_role_name(client ? WV_CLIENT : WV_SERVER), wv_role_name(other));
    else
        fprintf(stderr, "signet config: unknown setting '%s'", name);
    char names[1024];
    for (int r = WV_CLIENT; r <= WV_SERVER; r++) {
        if (r == WV_CLIENT ? !client : !server)
            continue;
        wv_names((enum wv_role)r, names, sizeof names);
        fprintf(stderr, "; %s settings: %s", wv_role_name((enum wv_role)r), names);
    }
    fprintf(stderr, "\n");
    return 2;
}

/* Does f select anything of role? */
static bool role_has_selection(enum wv_role role, const struct wv_filter *f)
{
    for (size_t i = 0; i < wv_count(); i++)
        if (wv_at(i)->role == role && wv_selected(wv_at(i), f))
            return true;
    return false;
}

static ntstatus_t format_text(const struct cfg *cfg, const bool roles[2], const struct wv_filter *f,
                              struct buf *out)
{
    bool both = roles[WV_CLIENT] && roles[WV_SERVER];
    bool first = true;
    ntstatus_t st = STATUS_SUCCESS;
    for (int r = WV_CLIENT; r <= WV_SERVER && nt_ok(st); r++) {
        if (!roles[r] || !role_has_selection((enum wv_role)r, f))
            continue;
        if (both) { /* "[client]", a blank line between the blocks */
            char head[16];
            int n = snprintf(head, sizeof head, "%s[%s]\n", first ? "" : "\n",
                             wv_role_name((enum wv_role)r));
            st = buf_append(out, head, (size_t)n);
        }
        if (nt_ok(st))
            st = wv_format_list(cfg, (enum wv_role)r, f, out);
        first = false;
    }
    return st;
}

static ntstatus_t format_json(const struct cfg *cfg, const bool roles[2], const struct wv_filter *f,
                              struct buf *out)
{
    ntstatus_t st = buf_append(out, "{", 1);
    bool first = true;
    for (int r = WV_CLIENT; r <= WV_SERVER && nt_ok(st); r++) {
        if (!roles[r] || !role_has_selection((enum wv_role)r, f))
            continue;
        char head[32];
        int n = snprintf(head, sizeof head, "%s\n  \"%s\": ", first ? "" : ",",
                         wv_role_name((enum wv_role)r));
        st = buf_append(out, head, (size_t)n);
        if (nt_ok(st))
            st = wv_format_json(cfg, (enum wv_role)r, f, 2, out);
        first = false;
    }
    if (nt_ok(st))
        st = buf_append(out, first ? "}\n" : "\n}\n", first ? 2 : 3);
    return st;
}

/* The file show reads: --config, else the default when it exists. */
static const char *show_path(const struct config_cli *c)
{
    if (c->config)
        return c->config;
    if (access(SIGNET_CLIENT_DEFAULT_CONFIG, F_OK) == 0)
        return SIGNET_CLIENT_DEFAULT_CONFIG;
    return NULL;
}

static int show(const struct config_cli *c)
{
    bool roles[2] = {c->client || !c->server, c->server || !c->client};
    for (int i = 0; i < c->n_args; i++)
        if (!name_known(c->args[i], roles[WV_CLIENT], roles[WV_SERVER]))
            return unknown_name(c->args[i], roles[WV_CLIENT], roles[WV_SERVER]);
    struct wv_filter f = {(const char *const *)c->args, (size_t)c->n_args};
    const char *path = show_path(c);
    struct cfg *cfg = malloc(sizeof *cfg);
    if (!cfg)
        return 1;
    int rc = load(path, cfg);
    struct buf out = BUF_INIT;
    if (rc < 0) {
        if (path)
            fprintf(stderr, "signet config: the policy of %s\n", path);
        else
            fprintf(stderr, "signet config: the built-in defaults (%s does not exist)\n",
                    SIGNET_CLIENT_DEFAULT_CONFIG);
        ntstatus_t st =
            c->json ? format_json(cfg, roles, &f, &out) : format_text(cfg, roles, &f, &out);
        rc = nt_ok(st) && fwrite(out.p, 1, out.len, stdout) == out.len ? 0 : 1;
    }
    buf_free(&out);
    free(cfg);
    return rc;
}

/* ---- set ---- */

static void print_change(const struct wv_setting *s, const struct cfg *before,
                         const struct cfg_edit *e, const char *samba, const char *path)
{
    if (!e->changed) {
        printf("%s: already %s; %s unchanged\n", s->key, samba, path);
        return;
    }
    if (e->had_key) {
        printf("%s: %s -> %s\n", s->key, e->old_value, samba);
    } else {
        char win[WV_VALUE_MAX], old[WV_VALUE_MAX];
        wv_get(s, before, win);
        if (!s->to_samba(win, old, sizeof old))
            snprintf(old, sizeof old, "%s", win);
        printf("%s: %s (default) -> %s\n", s->key, old, samba);
    }
    if (s->role == WV_SERVER)
        printf("signetd must reload: systemctl reload signetd, or kill -HUP its pid\n");
    else
        printf("takes effect on the next signet connection\n");
}

/* The setting and its Samba value; -1 to go on, else the exit status. */
static int resolve_setting(const struct config_cli *c, const struct wv_setting **s,
                           char samba[WV_VALUE_MAX])
{
    if (c->client == c->server) {
        fprintf(stderr, "signet config set: say whose setting it is: --client or --server\n");
        return 2;
    }
    if (c->n_args != 2) {
        usage(stderr);
        return 2;
    }
    enum wv_role role = c->client ? WV_CLIENT : WV_SERVER;
    *s = wv_find(role, c->args[0]);
    if (!*s)
        return unknown_name(c->args[0], c->client, c->server);
    char err[512];
    if (!nt_ok(wv_to_samba(*s, c->args[1], samba, err, sizeof err))) {
        fprintf(stderr, "signet config: %s\n", err);
        return 2;
    }
    return -1;
}

static int set(const struct config_cli *c)
{
    const struct wv_setting *s = NULL;
    char samba[WV_VALUE_MAX];
    int rc = resolve_setting(c, &s, samba);
    if (rc >= 0)
        return rc;
    const char *path = c->config ? c->config : SIGNET_CLIENT_DEFAULT_CONFIG;
    bool exists = access(path, F_OK) == 0;
    struct cfg *before = malloc(sizeof *before);
    if (!before)
        return 1;
    rc = load(exists ? path : NULL, before);
    if (rc >= 0)
        fprintf(stderr, "signet config: fix %s first; nothing was changed\n", path);
    struct cfg_edit e;
    char err[512];
    if (rc < 0) {
        ntstatus_t st =
            cfg_edit_file(path, wv_section(s->role), s->key, samba, &e, err, sizeof err);
        if (nt_ok(st)) {
            if (!exists)
                fprintf(stderr, "signet config: created %s\n", path);
            print_change(s, before, &e, samba, path);
            cfg_edit_free(&e);
        } else {
            fprintf(stderr, "signet config: %s; %s unchanged\n", err, path);
            rc = e.invalid ? 2 : 1;
        }
    }
    free(before);
    return rc < 0 ? 0 : rc;
}

int signet_config_main(int argc, char **argv)
{
    struct config_cli c = {0};
    int rc = parse_args(argc, argv, &c);
    if (rc >= 0)
        return rc;
    if (!strcmp(c.sub, "show"))
        return show(&c);
    if (!strcmp(c.sub, "set"))
        return set(&c);
    fprintf(stderr,
            "signet config: unknown action '%s'; expected show or set "
            "(signet config --help)\n",
            c.sub);
    return 2;
}
