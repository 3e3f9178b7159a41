/* The keys of signet.conf: where each may appear and how its value is read.
 * Names and values are Samba's (smb.conf(5)) where Samba has the setting. */
#include "config/parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Samba compares parameter names ignoring case, spaces and underscores. */
static bool key_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ' || *a == '_')
            a++;
        while (*b == ' ' || *b == '_')
            b++;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        if (!*a)
            return true;
        a++, b++;
    }
}

static bool parse_uint(const char *s, unsigned long max, unsigned *out)
{
    if (!isdigit((unsigned char)*s))
        return false;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || v > max)
        return false;
    *out = (unsigned)v;
    return true;
}

static bool parse_listen(const char *s, char out[64])
{
    char addr[64];
    const char *colon = strrchr(s, ':');
    if (!colon || strlen(s) >= 64)
        return false;
    size_t alen = (size_t)(colon - s);
    if (s[0] == '[') {
        if (alen < 3 || s[alen - 1] != ']')
            return false;
        memcpy(addr, s + 1, alen - 2);
        addr[alen - 2] = '\0';
    } else {
        memcpy(addr, s, alen);
        addr[alen] = '\0';
    }
    unsigned char bin[16];
    unsigned port;
    if (inet_pton(s[0] == '[' ? AF_INET6 : AF_INET, addr, bin) != 1 ||
        !parse_uint(colon + 1, 65535, &port) || port == 0)
        return false;
    memcpy(out, s, strlen(s) + 1);
    return true;
}

/* Split a comma/space separated list, calling fn on each word. */
static bool for_each_word(const char *s, bool (*fn)(struct cfg_parse *, const char *),
                          struct cfg_parse *p)
{
    char word[256];
    bool too_long;
    while (cfg_next_word(&s, word, sizeof word, &too_long))
        if (!fn(p, word))
            return false;
    return !too_long;
}

static bool add_listen(struct cfg_parse *p, const char *w)
{
    struct cfg_server *s = &p->cfg.server;
    return s->n_listen < CFG_MAX_LISTEN && parse_listen(w, s->listen[s->n_listen++]);
}

static bool add_valid_user(struct cfg_parse *p, const char *w)
{
    struct cfg_share *sh = p->share;
    if (sh->n_valid_users == CFG_MAX_VALID_USERS || strlen(w) > CFG_NAME_MAX)
        return false;
    memcpy(sh->valid_users[sh->n_valid_users++], w, strlen(w) + 1);
    return true;
}

bool cfg_parse_encrypt(const char *v, enum cfg_encrypt *out)
{
    if (!strcasecmp(v, "off") || !strcasecmp(v, "no") || !strcasecmp(v, "disabled"))
        *out = CFG_ENCRYPT_OFF;
    else if (!strcasecmp(v, "if_required") || !strcasecmp(v, "auto") || !strcasecmp(v, "default"))
        *out = CFG_ENCRYPT_IF_REQUIRED;
    else if (!strcasecmp(v, "desired"))
        *out = CFG_ENCRYPT_DESIRED;
    else if (!strcasecmp(v, "required") || !strcasecmp(v, "mandatory"))
        *out = CFG_ENCRYPT_REQUIRED;
    else
        return false;
    return true;
}

static bool parse_log_level(const char *v, enum cfg_log_level *out)
{
    static const char *const names[] = {"error", "warning", "notice", "info", "debug"};
    for (int i = 0; i < 5; i++)
        if (!strcasecmp(v, names[i]))
            return *out = (enum cfg_log_level)i, true;
    unsigned n; /* Samba's numeric levels: 0 errors ... 3 and up debug */
    if (!parse_uint(v, 10, &n))
        return false;
    *out = n >= 3 ? CFG_LOG_DEBUG : (enum cfg_log_level)(n + 1);
    return true;
}

static bool set_listen(struct cfg_parse *p, const char *v)
{
    p->cfg.server.n_listen = 0;
    return for_each_word(v, add_listen, p) && p->cfg.server.n_listen > 0;
}

static bool set_server_signing(struct cfg_parse *p, const char *v)
{
    return cfg_parse_server_signing(v, &p->cfg.server.policy.signing);
}

static bool set_server_algs(struct cfg_parse *p, const char *v)
{
    return cfg_parse_signing_algs(v, &p->cfg.server.policy.algs);
}

static bool set_server_min(struct cfg_parse *p, const char *v)
{
    return cfg_parse_protocol(v, &p->cfg.server.min_protocol);
}

static bool set_server_max(struct cfg_parse *p, const char *v)
{
    return cfg_parse_protocol(v, &p->cfg.server.max_protocol);
}

static bool set_map_to_guest(struct cfg_parse *p, const char *v)
{
    if (!strcasecmp(v, "never"))
        p->cfg.server.map_to_guest = CFG_MAP_TO_GUEST_NEVER;
    else if (!strcasecmp(v, "bad user"))
        p->cfg.server.map_to_guest = CFG_MAP_TO_GUEST_BAD_USER;
    else
        return false;
    return true;
}

static bool set_path_value(char *dst, const char *v, bool absolute)
{
    size_t n = strlen(v);
    if (n == 0 || n >= PATH_MAX || (absolute && v[0] != '/'))
        return false;
    memcpy(dst, v, n + 1);
    return true;
}

static bool set_user_db(struct cfg_parse *p, const char *v)
{
    return set_path_value(p->cfg.server.user_database, v, false);
}

static bool set_max_conn(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 65535, &p->cfg.server.max_connections) &&
           p->cfg.server.max_connections > 0;
}

static bool set_log_level(struct cfg_parse *p, const char *v)
{
    return parse_log_level(v, &p->cfg.server.log_level);
}

static bool set_server_audit(struct cfg_parse *p, const char *v)
{
    return cfg_parse_bool(v, &p->cfg.server.signing_audit);
}

static bool set_admin_socket(struct cfg_parse *p, const char *v)
{
    return strlen(v) < sizeof p->cfg.server.admin_socket &&
           set_path_value(p->cfg.server.admin_socket, v, true);
}

static bool set_metrics_listen(struct cfg_parse *p, const char *v)
{
    return parse_listen(v, p->cfg.server.metrics_listen);
}

static bool set_server_encrypt(struct cfg_parse *p, const char *v)
{
    return cfg_parse_encrypt(v, &p->cfg.server.encrypt);
}

static bool set_server_ciphers(struct cfg_parse *p, const char *v)
{
    return cfg_parse_ciphers(v, &p->cfg.server.ciphers);
}

static bool set_share_encrypt(struct cfg_parse *p, const char *v)
{
    return cfg_parse_encrypt(v, &p->share->encrypt);
}

/* Windows' InvalidAuthenticationDelayTimeInMs: 0 to 10000 in steps of 100. */
static bool set_auth_delay(struct cfg_parse *p, const char *v)
{
    unsigned ms;
    if (!parse_uint(v, 10000, &ms) || ms % 100)
        return false;
    p->cfg.server.invalid_auth_delay_ms = ms;
    return true;
}

/* Failed-logon throttles (Windows' account lockout policy, in seconds). */
static bool set_acct_lockout(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 100000, &p->cfg.server.account_lockout_threshold);
}

static bool set_addr_lockout(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 100000, &p->cfg.server.address_lockout_threshold);
}

static bool set_lockout_window(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 86400, &p->cfg.server.lockout_window_s) &&
           p->cfg.server.lockout_window_s > 0;
}

static bool set_lockout_duration(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 86400, &p->cfg.server.lockout_duration_s) &&
           p->cfg.server.lockout_duration_s > 0;
}

/* What an unauthenticated client may hold, and the timeouts (seconds). */
static bool set_max_unauth(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 65535, &p->cfg.server.max_unauth_conns) &&
           p->cfg.server.max_unauth_conns > 0;
}

static bool set_max_unauth_addr(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 65535, &p->cfg.server.max_unauth_conns_per_addr) &&
           p->cfg.server.max_unauth_conns_per_addr > 0;
}

static bool set_timeout(const char *v, unsigned *out)
{
    return parse_uint(v, 86400, out) && *out > 0;
}

static bool set_neg_timeout(struct cfg_parse *p, const char *v)
{
    return set_timeout(v, &p->cfg.server.negotiate_timeout_s);
}

static bool set_logon_timeout(struct cfg_parse *p, const char *v)
{
    return set_timeout(v, &p->cfg.server.logon_timeout_s);
}

static bool set_send_timeout(struct cfg_parse *p, const char *v)
{
    return set_timeout(v, &p->cfg.server.send_timeout_s);
}

static bool set_max_open(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 1u << 30, &p->cfg.server.max_open_files);
}

static bool set_max_open_user(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 1u << 30, &p->cfg.server.max_open_files_per_user);
}

static bool set_max_output(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 1u << 20, &p->cfg.server.max_buffered_output_mib) &&
           p->cfg.server.max_buffered_output_mib > 0;
}

/* Microseconds the loop polls before it sleeps (srv_run). */
static bool set_busy_poll(struct cfg_parse *p, const char *v)
{
    return parse_uint(v, 1000, &p->cfg.server.busy_poll_us);
}

static bool set_smb2_leases(struct cfg_parse *p, const char *v)
{
    return cfg_parse_bool(v, &p->cfg.server.smb2_leases);
}

static bool set_oplocks(struct cfg_parse *p, const char *v)
{
    return cfg_parse_bool(v, &p->share->oplocks);
}

static bool set_level2_oplocks(struct cfg_parse *p, const char *v)
{
    return cfg_parse_bool(v, &p->share->level2_oplocks);
}

static bool set_durable_handles(struct cfg_parse *p, const char *v)
{
    return cfg_parse_bool(v, &p->share->durable_handles);
}

static bool set_client_signing(struct cfg_parse *p, const char *v)
{
    return cfg_parse_client_signing(v, &p->cfg.client.policy.signing);
}

static bool set_client_algs(struct cfg_parse *p, const char *v)
{
    return cfg_parse_signing_algs(v, &p->cfg.client.policy.algs);
}

static bool set_client_min(struct cfg_parse *p, const char *v)
{
    return cfg_parse_protocol(v, &p->cfg.client.min_protocol);
}

static bool set_client_max(struct cfg_parse *p, const char *v)
{
    return cfg_parse_protocol(v, &p->cfg.client.max_protocol);
}

static bool set_client_guest(struct cfg_parse *p, const char *v)
{
    return cfg_parse_bool(v, &p->cfg.client.policy.allow_insecure_guest);
}

static bool set_client_audit(struct cfg_parse *p, const char *v)
{
    return cfg_parse_bool(v, &p->cfg.client.signing_audit);
}

static bool set_client_encrypt(struct cfg_parse *p, const char *v)
{
    return cfg_parse_encrypt(v, &p->cfg.client.encrypt);
}

static bool set_client_ciphers(struct cfg_parse *p, const char *v)
{
    return cfg_parse_ciphers(v, &p->cfg.client.ciphers);
}

static bool set_path(struct cfg_parse *p, const char *v)
{
    return set_path_value(p->share->path, v, true);
}

static bool set_read_only(struct cfg_parse *p, const char *v)
{
    return cfg_parse_bool(v, &p->share->read_only);
}

static bool set_writeable(struct cfg_parse *p, const char *v)
{
    bool writeable;
    if (!cfg_parse_bool(v, &writeable))
        return false;
    p->share->read_only = !writeable;
    return true;
}

static bool set_guest_ok(struct cfg_parse *p, const char *v)
{
    return cfg_parse_bool(v, &p->share->guest_ok);
}

static bool set_valid_users(struct cfg_parse *p, const char *v)
{
    p->share->n_valid_users = 0;
    return for_each_word(v, add_valid_user, p);
}

static bool set_comment(struct cfg_parse *p, const char *v)
{
    snprintf(p->share->comment, sizeof p->share->comment, "%s", v);
    return true;
}

typedef bool (*apply_fn)(struct cfg_parse *p, const char *v);

static const struct cfg_key {
    const char *name;
    enum cfg_section section;
    apply_fn apply;
    const char *expect; /* what a valid value looks like, for the message */
} keys[] = {
    {"listen", SECT_GLOBAL, set_listen, "ADDR:PORT[, ADDR:PORT...] (IPv6 as [ADDR]:PORT)"},
    {"server signing", SECT_GLOBAL, set_server_signing, "mandatory, auto or disabled"},
    {"server smb3 signing algorithms", SECT_GLOBAL, set_server_algs,
     "a list of AES-128-GMAC, AES-128-CMAC, HMAC-SHA256"},
    {"server min protocol", SECT_GLOBAL, set_server_min,
     "SMB2_02, SMB2_10, SMB3_00, SMB3_02 or SMB3_11"},
    {"server max protocol", SECT_GLOBAL, set_server_max,
     "SMB2_02, SMB2_10, SMB3_00, SMB3_02 or SMB3_11"},
    {"map to guest", SECT_GLOBAL, set_map_to_guest, "never or bad user"},
    {"user database", SECT_GLOBAL, set_user_db, "a file path"},
    {"max connections", SECT_GLOBAL, set_max_conn, "a number from 1 to 65535"},
    {"log level", SECT_GLOBAL, set_log_level, "error, warning, notice, info, debug or 0-10"},
    {"server signing audit", SECT_GLOBAL, set_server_audit, "yes or no"},
    {"admin socket", SECT_GLOBAL, set_admin_socket, "an absolute path (a Unix socket)"},
    {"metrics listen", SECT_GLOBAL, set_metrics_listen, "ADDR:PORT (IPv6 as [ADDR]:PORT)"},
    {"server smb encrypt", SECT_GLOBAL, set_server_encrypt,
     "off, if_required, desired or required"},
    {"smb encrypt", SECT_GLOBAL, set_server_encrypt, "off, if_required, desired or required"},
    {"server smb3 encryption algorithms", SECT_GLOBAL, set_server_ciphers,
     "a list of AES-128-GCM, AES-128-CCM, AES-256-GCM, AES-256-CCM"},
    {"invalid authentication delay", SECT_GLOBAL, set_auth_delay,
     "milliseconds from 0 to 10000 in steps of 100 (0 disables)"},
    {"account lockout threshold", SECT_GLOBAL, set_acct_lockout,
     "failed logons from 0 to 100000 (0: no limit)"},
    {"address lockout threshold", SECT_GLOBAL, set_addr_lockout,
     "failed logons from 0 to 100000 (0: no limit)"},
    {"reset account lockout counter after", SECT_GLOBAL, set_lockout_window,
     "seconds from 1 to 86400"},
    {"account lockout duration", SECT_GLOBAL, set_lockout_duration, "seconds from 1 to 86400"},
    {"max unauthenticated connections", SECT_GLOBAL, set_max_unauth, "a number from 1 to 65535"},
    {"max unauthenticated connections per address", SECT_GLOBAL, set_max_unauth_addr,
     "a number from 1 to 65535"},
    {"negotiate timeout", SECT_GLOBAL, set_neg_timeout, "seconds from 1 to 86400"},
    {"logon timeout", SECT_GLOBAL, set_logon_timeout, "seconds from 1 to 86400"},
    {"send timeout", SECT_GLOBAL, set_send_timeout, "seconds from 1 to 86400"},
    {"max open files", SECT_GLOBAL, set_max_open, "a number (0: as the open file limit allows)"},
    {"max open files per user", SECT_GLOBAL, set_max_open_user,
     "a number (0: half of the server's budget)"},
    {"max buffered output", SECT_GLOBAL, set_max_output, "MiB from 1 to 1048576"},
    {"busy poll", SECT_GLOBAL, set_busy_poll, "microseconds from 0 to 1000 (0 disables)"},
    {"smb2 leases", SECT_GLOBAL, set_smb2_leases, "yes or no"},
    {"client signing", SECT_CLIENT, set_client_signing, "required, desired or disabled"},
    {"client smb3 signing algorithms", SECT_CLIENT, set_client_algs,
     "a list of AES-128-GMAC, AES-128-CMAC, HMAC-SHA256"},
    {"client min protocol", SECT_CLIENT, set_client_min,
     "SMB2_02, SMB2_10, SMB3_00, SMB3_02 or SMB3_11"},
    {"client max protocol", SECT_CLIENT, set_client_max,
     "SMB2_02, SMB2_10, SMB3_00, SMB3_02 or SMB3_11"},
    {"client insecure guest logons", SECT_CLIENT, set_client_guest, "yes or no"},
    {"client signing audit", SECT_CLIENT, set_client_audit, "yes or no"},
    {"client smb encrypt", SECT_CLIENT, set_client_encrypt,
     "off, if_required (default), desired or required"},
    {"client smb3 encryption algorithms", SECT_CLIENT, set_client_ciphers,
     "a list of AES-128-GCM, AES-128-CCM, AES-256-GCM, AES-256-CCM"},
    {"path", SECT_SHARE, set_path, "an absolute directory path"},
    {"read only", SECT_SHARE, set_read_only, "yes or no"},
    {"writeable", SECT_SHARE, set_writeable, "yes or no"},
    {"writable", SECT_SHARE, set_writeable, "yes or no"},
    {"guest ok", SECT_SHARE, set_guest_ok, "yes or no"},
    {"valid users", SECT_SHARE, set_valid_users, "a list of user names"},
    {"comment", SECT_SHARE, set_comment, "text"},
    {"oplocks", SECT_SHARE, set_oplocks, "yes or no"},
    {"level2 oplocks", SECT_SHARE, set_level2_oplocks, "yes or no"},
    {"durable handles", SECT_SHARE, set_durable_handles, "yes or no"},
    {"server smb encrypt", SECT_SHARE, set_share_encrypt, "off, if_required, desired or required"},
    {"smb encrypt", SECT_SHARE, set_share_encrypt, "off, if_required, desired or required"},
};

static const char *section_label(enum cfg_section s)
{
    return s == SECT_GLOBAL ? "[global]" : s == SECT_CLIENT ? "[client]" : "a share section";
}

int cfg_apply_key(struct cfg_parse *p, const char *key, const char *value)
{
    const struct cfg_key *misplaced = NULL; /* a key may be valid in several sections */
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct cfg_key *k = &keys[i];
        if (!key_eq(key, k->name))
            continue;
        if (k->section != p->section) {
            misplaced = misplaced ? misplaced : k;
            continue;
        }
        if (!k->apply(p, value))
            return cfg_fail(p, "invalid value '%s' for '%s': expected %s", value, k->name,
                            k->expect);
        return 1;
    }
    if (misplaced)
        return cfg_fail(p, "'%s' belongs in %s, not in [%s]", misplaced->name,
                        section_label(misplaced->section), p->section_name);
    return cfg_fail(p, "unknown key '%s' in [%s]; see signet.conf(5) for the keys Signet knows",
                    key, p->section_name);
}

void cfg_validate(struct cfg_parse *p)
{
    p->line = 0; /* whole-file checks have no single line */
    if (p->cfg.server.min_protocol > p->cfg.server.max_protocol)
        cfg_fail(p, "'server min protocol' (%s) is above 'server max protocol' (%s)",
                 cfg_protocol_name(p->cfg.server.min_protocol),
                 cfg_protocol_name(p->cfg.server.max_protocol));
    if (p->cfg.client.min_protocol > p->cfg.client.max_protocol)
        cfg_fail(p, "'client min protocol' (%s) is above 'client max protocol' (%s)",
                 cfg_protocol_name(p->cfg.client.min_protocol),
                 cfg_protocol_name(p->cfg.client.max_protocol));
    for (size_t i = 0; i < p->cfg.n_shares; i++)
        if (!p->cfg.shares[i].path[0])
            cfg_fail(p, "share [%s] has no 'path'; add 'path = /some/directory'",
                     p->cfg.shares[i].name);
    p->cfg.server.policy.allow_guest = p->cfg.server.map_to_guest != CFG_MAP_TO_GUEST_NEVER;
}
