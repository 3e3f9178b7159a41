/* signet.conf parsing: inih tokenises, keys.c validates each key. */
#include "config/parse.h"

#include "base/status.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int cfg_fail(struct cfg_parse *p, const char *fmt, ...)
{
    if (p->failed)
        return 0;
    p->failed = true;
    int n = snprintf(p->err, p->err_len, "%s:%d: ", p->name, p->line);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->err_len)
        vsnprintf(p->err + n, p->err_len - (size_t)n, fmt, ap);
    va_end(ap);
    return 0;
}

static int on_section(struct cfg_parse *p, const char *section)
{
    if (!strcasecmp(section, "global")) {
        p->section = SECT_GLOBAL;
        return 1;
    }
    if (!strcasecmp(section, "client")) {
        p->section = SECT_CLIENT;
        return 1;
    }
    size_t n = strlen(section);
    if (n == 0 || n > CFG_NAME_MAX || strpbrk(section, "/\\[]:|<>+=;,*?\"") ||
        !strcasecmp(section, "IPC$"))
        return cfg_fail(p,
                        "[%s] is not a valid share name (1 to %d characters, none of "
                        "/\\[]:|<>+=;,*?\"; IPC$ is built in)",
                        section, CFG_NAME_MAX);
    if (cfg_find_share(&p->cfg, section))
        return cfg_fail(p, "share [%s] is defined twice; merge the two sections", section);
    if (p->cfg.n_shares == CFG_MAX_SHARES)
        return cfg_fail(p, "more than %d shares", CFG_MAX_SHARES);
    p->share = &p->cfg.shares[p->cfg.n_shares++];
    memset(p->share, 0, sizeof *p->share);
    p->share->read_only = true; /* Samba's defaults */
    p->share->oplocks = true;
    p->share->level2_oplocks = true;
    p->share->durable_handles = true;
    p->share->encrypt = CFG_ENCRYPT_IF_REQUIRED;
    memcpy(p->share->name, section, n + 1);
    p->section = SECT_SHARE;
    return 1;
}

/* inih passes the section name with every key; a change of name is a new
 * section (a section without keys is never seen, and needs no checks). */
static int on_key(void *user, const char *section, const char *key, const char *value)
{
    struct cfg_parse *p = user;
    if (p->failed)
        return 0;
    if (p->section == SECT_NONE || strcmp(section, p->section_name) != 0) {
        if (!*section)
            return cfg_fail(p,
                            "'%s' is outside any section; put it under [global], "
                            "[client] or a share",
                            key);
        snprintf(p->section_name, sizeof p->section_name, "%s", section);
        if (!on_section(p, section))
            return 0;
    }
    return cfg_apply_key(p, key, value);
}

static char *read_line(char *str, int num, void *stream)
{
    struct cfg_parse *p = stream;
    char *line;
    if (p->fp) {
        line = fgets(str, num, p->fp);
    } else {
        if (!*p->text)
            return NULL;
        size_t n = strcspn(p->text, "\n");
        size_t take = n + (p->text[n] == '\n');
        if (take > (size_t)num - 1)
            take = (size_t)num - 1;
        memcpy(str, p->text, take);
        str[take] = '\0';
        p->text += take;
        line = str;
    }
    if (line)
        p->line++;
    return line;
}

static ntstatus_t finish(struct cfg_parse *p, int rc, struct cfg *out)
{
    if (rc != 0 && !p->failed) { /* inih's own syntax error, at line rc */
        p->line = rc > 0 ? rc : p->line;
        cfg_fail(p, "syntax error: expected [section] or 'key = value'");
    }
    if (!p->failed)
        cfg_validate(p);
    if (p->failed)
        return STATUS_INVALID_PARAMETER;
    *out = p->cfg;
    if (p->err_len)
        p->err[0] = '\0';
    return STATUS_SUCCESS;
}

static void parse_init(struct cfg_parse *p, const char *name, const struct cfg *base, char *err,
                       size_t err_len)
{
    /* smb.conf files indent their keys; inih would read an indented line as
     * the continuation of the previous value. Samba has no such syntax. */
    ini_allow_multiline = false;
    memset(p, 0, sizeof *p);
    p->cfg = *base;
    p->name = name;
    p->err = err;
    p->err_len = err_len;
}

ntstatus_t cfg_load_string(const char *name, const char *text, struct cfg *c, char *err,
                           size_t err_len)
{
    struct cfg_parse *p = malloc(sizeof *p);
    if (!p)
        return STATUS_NO_MEMORY;
    parse_init(p, name, c, err, err_len);
    p->text = text;
    int rc = ini_parse_stream(read_line, p, on_key, p);
    ntstatus_t st = finish(p, rc, c);
    free(p);
    return st;
}

ntstatus_t cfg_load_file(const char *path, struct cfg *c, char *err, size_t err_len)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        int e = errno;
        snprintf(err, err_len, "%s: cannot open: %s", path, strerror(e));
        return nt_from_errno(e);
    }
    struct cfg_parse *p = malloc(sizeof *p);
    if (!p) {
        fclose(fp);
        return STATUS_NO_MEMORY;
    }
    parse_init(p, path, c, err, err_len);
    p->fp = fp;
    int rc = ini_parse_stream(read_line, p, on_key, p);
    ntstatus_t st = finish(p, rc, c);
    fclose(fp);
    free(p);
    return st;
}

const struct cfg_share *cfg_find_share(const struct cfg *c, const char *name)
{
    for (size_t i = 0; i < c->n_shares; i++)
        if (!strcasecmp(c->shares[i].name, name))
            return &c->shares[i];
    return NULL;
}

void cfg_defaults(struct cfg *c)
{
    memset(c, 0, sizeof *c);
    c->server.policy = sec_server_policy_default();
    memcpy(c->server.listen[0], "127.0.0.1:4455", sizeof "127.0.0.1:4455");
    c->server.n_listen = 1;
    c->server.min_protocol = SMB2_DIALECT_0202;
    c->server.max_protocol = SMB2_DIALECT_0311;
    c->server.map_to_guest = CFG_MAP_TO_GUEST_NEVER;
    c->server.max_connections = 1024;
    c->server.log_level = CFG_LOG_NOTICE;
    c->server.invalid_auth_delay_ms = 2000;
    c->server.account_lockout_threshold = 30;
    c->server.address_lockout_threshold = 100;
    c->server.lockout_window_s = 60;
    c->server.lockout_duration_s = 60;
    c->server.max_unauth_conns = 256;
    c->server.max_unauth_conns_per_addr = 32;
    c->server.negotiate_timeout_s = 30;
    c->server.logon_timeout_s = 60;
    c->server.send_timeout_s = 120;
    c->server.max_buffered_output_mib = 256;
    c->server.busy_poll_us = 50;
    c->server.smb2_leases = true;
    c->server.encrypt = CFG_ENCRYPT_IF_REQUIRED;
    c->server.ciphers = cfg_ciphers_default();
    c->client.policy = sec_client_policy_default();
    c->client.min_protocol = SMB2_DIALECT_0202;
    c->client.max_protocol = SMB2_DIALECT_0311;
    c->client.encrypt = CFG_ENCRYPT_IF_REQUIRED; /* Windows: RequireEncryption False */
    c->client.ciphers = cfg_ciphers_default();
}
