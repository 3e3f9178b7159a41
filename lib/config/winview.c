/* The Windows-name view of signet.conf (winview.h). */
#include "config/winview.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Windows 11 24H2's EncryptionCiphers default, in its spelling. */
#define WINDOWS_CIPHERS "AES_128_GCM, AES_128_CCM, AES_256_GCM, AES_256_CCM"

/* ---- getters: struct cfg -> the value PowerShell would print ---- */

static void put_bool(char *out, size_t cap, bool v)
{
    snprintf(out, cap, "%s", v ? "True" : "False");
}

static void put_algs(char *out, size_t cap, const struct sec_signing_algs *a)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < a->count && used < cap; i++) {
        int n = snprintf(out + used, cap - used, "%s%s", i ? ", " : "",
                         cfg_signing_alg_name(a->ids[i]));
        used += n > 0 ? (size_t)n : 0;
    }
}

/* Windows' Smb2Dialect enum: SMB202 ... SMB311; None for "no limit", which
 * the lowest minimum and the highest maximum Signet speaks amount to. */
static void put_dialect(char *out, size_t cap, uint16_t dialect, uint16_t unlimited)
{
    if (dialect == unlimited)
        snprintf(out, cap, "None");
    else
        snprintf(out, cap, "SMB%x", (unsigned)dialect);
}

static void get_true(const struct cfg *c, char *out, size_t cap)
{
    (void)c;
    put_bool(out, cap, true);
}

/* A cipher list in Windows' spelling (AES_128_GCM, ...). */
static void put_ciphers(char *out, size_t cap, const struct cfg_ciphers *ci)
{
    static const char *const names[] = {"", "AES_128_CCM", "AES_128_GCM", "AES_256_CCM",
                                        "AES_256_GCM"};
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < ci->count && len < cap; i++) {
        uint16_t id = ci->ids[i];
        int n = snprintf(out + len, cap - len, "%s%s", i ? ", " : "", id < 5 ? names[id] : "?");
        len += n > 0 ? (size_t)n : 0;
    }
}

/* `client smb3 encryption algorithms`, in Windows' spelling. */
static void get_c_ciphers(const struct cfg *c, char *out, size_t cap)
{
    put_ciphers(out, cap, &c->client.ciphers);
}

/* The server's `server smb3 encryption algorithms`, in Windows' spelling. */
static void get_s_ciphers(const struct cfg *c, char *out, size_t cap)
{
    put_ciphers(out, cap, &c->server.ciphers);
}

static void get_c_audit(const struct cfg *c, char *out, size_t cap)
{
    put_bool(out, cap, c->client.signing_audit);
}

static void get_c_guest(const struct cfg *c, char *out, size_t cap)
{
    put_bool(out, cap, c->client.policy.allow_insecure_guest);
}

static void get_c_encrypt(const struct cfg *c, char *out, size_t cap)
{
    put_bool(out, cap, c->client.encrypt == CFG_ENCRYPT_REQUIRED);
}

static void get_c_signing(const struct cfg *c, char *out, size_t cap)
{
    put_bool(out, cap, c->client.policy.signing == SEC_CLIENT_SIGNING_REQUIRED);
}

static void get_c_algs(const struct cfg *c, char *out, size_t cap)
{
    put_algs(out, cap, &c->client.policy.algs);
}

static void get_c_max(const struct cfg *c, char *out, size_t cap)
{
    put_dialect(out, cap, c->client.max_protocol, SMB2_DIALECT_0311);
}

static void get_c_min(const struct cfg *c, char *out, size_t cap)
{
    put_dialect(out, cap, c->client.min_protocol, SMB2_DIALECT_0202);
}

static void get_s_audit(const struct cfg *c, char *out, size_t cap)
{
    put_bool(out, cap, c->server.signing_audit);
}

static void get_s_encrypt(const struct cfg *c, char *out, size_t cap)
{
    put_bool(out, cap, c->server.encrypt == CFG_ENCRYPT_REQUIRED);
}

static void get_s_delay(const struct cfg *c, char *out, size_t cap)
{
    snprintf(out, cap, "%u", c->server.invalid_auth_delay_ms);
}

static void get_s_signing(const struct cfg *c, char *out, size_t cap)
{
    put_bool(out, cap, c->server.policy.signing == SEC_SERVER_SIGNING_MANDATORY);
}

static void get_s_algs(const struct cfg *c, char *out, size_t cap)
{
    put_algs(out, cap, &c->server.policy.algs);
}

static void get_s_max(const struct cfg *c, char *out, size_t cap)
{
    put_dialect(out, cap, c->server.max_protocol, SMB2_DIALECT_0311);
}

static void get_s_min(const struct cfg *c, char *out, size_t cap)
{
    put_dialect(out, cap, c->server.min_protocol, SMB2_DIALECT_0202);
}

/* ---- setters: a Windows value -> the Samba value of the key ---- */

/* True/False as PowerShell takes them ($true, 1, ...), and Samba's yes/no. */
static bool parse_win_bool(const char *v, bool *out)
{
    return cfg_parse_bool(v[0] == '$' ? v + 1 : v, out);
}

static bool put_choice(const char *v, char *out, size_t cap, const char *yes, const char *no)
{
    bool b;
    if (!parse_win_bool(v, &b))
        return false;
    snprintf(out, cap, "%s", b ? yes : no);
    return true;
}

static bool to_yes_no(const char *v, char *out, size_t cap)
{
    return put_choice(v, out, cap, "yes", "no");
}

static bool to_client_signing(const char *v, char *out, size_t cap)
{
    return put_choice(v, out, cap, "required", "desired");
}

static bool to_server_signing(const char *v, char *out, size_t cap)
{
    return put_choice(v, out, cap, "mandatory", "auto");
}

/* RequireEncryption False still encrypts when the server or share asks for
 * it, as Windows: Samba's if_required. */
static bool to_encrypt(const char *v, char *out, size_t cap)
{
    return put_choice(v, out, cap, "required", "if_required");
}

/* "AES_128_GCM, AES_256_GCM" -> "AES-128-GCM, AES-256-GCM". */
static bool to_ciphers(const char *v, char *out, size_t cap)
{
    char buf[WV_VALUE_MAX];
    if (strlen(v) >= sizeof buf)
        return false;
    size_t i = 0;
    for (; v[i]; i++)
        buf[i] = v[i] == '_' ? '-' : v[i];
    buf[i] = '\0';
    struct cfg_ciphers ci;
    if (!cfg_parse_ciphers(buf, &ci))
        return false;
    size_t len = 0;
    out[0] = '\0';
    for (size_t k = 0; k < ci.count && len < cap; k++) {
        int n = snprintf(out + len, cap - len, "%s%s", k ? ", " : "", cfg_cipher_name(ci.ids[k]));
        len += n > 0 ? (size_t)n : 0;
    }
    return true;
}

/* EncryptData False still encrypts for a client that asks, as Windows. */
static bool to_s_encrypt(const char *v, char *out, size_t cap)
{
    return put_choice(v, out, cap, "required", "if_required");
}

/* Samba's names (SMB3_11, SMB3), Windows' (SMB311) and versions (3.1.1). */
static bool parse_dialect(const char *v, uint16_t *d)
{
    if (cfg_parse_protocol(v, d))
        return true;
    static const struct {
        const char *digits;
        uint16_t dialect;
    } forms[] = {{"202", SMB2_DIALECT_0202}, {"21", SMB2_DIALECT_0210},  {"210", SMB2_DIALECT_0210},
                 {"30", SMB2_DIALECT_0300},  {"300", SMB2_DIALECT_0300}, {"302", SMB2_DIALECT_0302},
                 {"311", SMB2_DIALECT_0311}};
    char digits[8];
    size_t n = 0;
    for (const char *p = strncasecmp(v, "SMB", 3) ? v : v + 3; *p; p++) {
        if (*p == '.' || *p == '_')
            continue;
        if (!isdigit((unsigned char)*p) || n == sizeof digits - 1)
            return false;
        digits[n++] = *p;
    }
    digits[n] = '\0';
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++)
        if (!strcmp(digits, forms[i].digits))
            return *d = forms[i].dialect, true;
    return false;
}

static bool put_dialect_key(const char *v, char *out, size_t cap, uint16_t unlimited)
{
    uint16_t d = unlimited;
    if (strcasecmp(v, "None") && !parse_dialect(v, &d))
        return false;
    snprintf(out, cap, "%s", cfg_protocol_name(d));
    return true;
}

static bool to_min_protocol(const char *v, char *out, size_t cap)
{
    return put_dialect_key(v, out, cap, SMB2_DIALECT_0202);
}

static bool to_max_protocol(const char *v, char *out, size_t cap)
{
    return put_dialect_key(v, out, cap, SMB2_DIALECT_0311);
}

static bool to_delay(const char *v, char *out, size_t cap)
{
    char *end;
    if (!isdigit((unsigned char)v[0]) || strlen(v) > 5)
        return false;
    unsigned long ms = strtoul(v, &end, 10);
    if (*end || ms > 10000 || ms % 100)
        return false;
    snprintf(out, cap, "%lu", ms);
    return true;
}

/* "AES-128-GMAC,AES_128_CMAC" -> "AES-128-GMAC, AES-128-CMAC". */
static bool to_algs(const char *v, char *out, size_t cap)
{
    char buf[WV_VALUE_MAX];
    if (strlen(v) >= sizeof buf)
        return false;
    size_t i = 0;
    for (; v[i]; i++)
        buf[i] = v[i] == '_' ? '-' : v[i];
    buf[i] = '\0';
    struct sec_signing_algs a;
    if (!cfg_parse_signing_algs(buf, &a))
        return false;
    put_algs(out, cap, &a);
    return true;
}

/* ---- the table ---- */

#define BOOLS    "True or False"
#define DIALECTS "None, SMB202, SMB210, SMB300, SMB302 or SMB311 (also 3.1.1 or SMB3_11)"
#define ALGS     "a list of AES-128-GMAC, AES-128-CMAC, HMAC-SHA256, most preferred first"
#define SMB1_ONLY                                                                                  \
    "it is an SMB1 setting that SMB2 and later ignore, and Signet does not speak SMB1; "           \
    "set RequireSecuritySignature instead"
#define CIPHERS "a list of AES_128_GCM, AES_128_CCM, AES_256_GCM, AES_256_CCM, most preferred first"
#define S_CIPHERS                                                                                  \
    "set 'server smb3 encryption algorithms' in signet.conf (AES-128-GCM, AES-128-CCM, "           \
    "AES-256-GCM, AES-256-CCM, most preferred first)"

static const struct wv_setting settings[] = {
    {"AuditServerDoesNotSupportSigning", WV_CLIENT, WV_BOOL, "client signing audit", BOOLS, NULL,
     get_c_audit, to_yes_no},
    {"EnableInsecureGuestLogons", WV_CLIENT, WV_BOOL, "client insecure guest logons", BOOLS, NULL,
     get_c_guest, to_yes_no},
    {"EnableSecuritySignature", WV_CLIENT, WV_BOOL, NULL, "True", SMB1_ONLY, get_true, NULL},
    {"EncryptionCiphers", WV_CLIENT, WV_LIST, "client smb3 encryption algorithms", CIPHERS, NULL,
     get_c_ciphers, to_ciphers},
    {"RequireEncryption", WV_CLIENT, WV_BOOL, "client smb encrypt", BOOLS, NULL, get_c_encrypt,
     to_encrypt},
    {"RequireSecuritySignature", WV_CLIENT, WV_BOOL, "client signing", BOOLS, NULL, get_c_signing,
     to_client_signing},
    {"SigningAlgorithms", WV_CLIENT, WV_LIST, "client smb3 signing algorithms", ALGS, NULL,
     get_c_algs, to_algs},
    {"Smb2DialectMax", WV_CLIENT, WV_ENUM, "client max protocol", DIALECTS, NULL, get_c_max,
     to_max_protocol},
    {"Smb2DialectMin", WV_CLIENT, WV_ENUM, "client min protocol", DIALECTS, NULL, get_c_min,
     to_min_protocol},
    {"AuditClientDoesNotSupportSigning", WV_SERVER, WV_BOOL, "server signing audit", BOOLS, NULL,
     get_s_audit, to_yes_no},
    {"EnableSecuritySignature", WV_SERVER, WV_BOOL, NULL, "True", SMB1_ONLY, get_true, NULL},
    {"EncryptData", WV_SERVER, WV_BOOL, "server smb encrypt", BOOLS, NULL, get_s_encrypt,
     to_s_encrypt},
    {"EncryptionCiphers", WV_SERVER, WV_LIST, NULL, WINDOWS_CIPHERS, S_CIPHERS, get_s_ciphers,
     NULL},
    {"InvalidAuthenticationDelayTimeInMs", WV_SERVER, WV_UINT, "invalid authentication delay",
     "milliseconds from 0 to 10000 in steps of 100 (0 disables)", NULL, get_s_delay, to_delay},
    {"RequireSecuritySignature", WV_SERVER, WV_BOOL, "server signing", BOOLS, NULL, get_s_signing,
     to_server_signing},
    {"SigningAlgorithms", WV_SERVER, WV_LIST, "server smb3 signing algorithms", ALGS, NULL,
     get_s_algs, to_algs},
    {"Smb2DialectMax", WV_SERVER, WV_ENUM, "server max protocol", DIALECTS, NULL, get_s_max,
     to_max_protocol},
    {"Smb2DialectMin", WV_SERVER, WV_ENUM, "server min protocol", DIALECTS, NULL, get_s_min,
     to_min_protocol},
};

const char *wv_role_name(enum wv_role role)
{
    return role == WV_CLIENT ? "client" : "server";
}

const char *wv_section(enum wv_role role)
{
    return role == WV_CLIENT ? "client" : "global";
}

size_t wv_count(void)
{
    return sizeof settings / sizeof settings[0];
}

const struct wv_setting *wv_at(size_t i)
{
    return i < wv_count() ? &settings[i] : NULL;
}

const struct wv_setting *wv_find(enum wv_role role, const char *name)
{
    for (size_t i = 0; i < wv_count(); i++)
        if (settings[i].role == role && !strcasecmp(settings[i].name, name))
            return &settings[i];
    return NULL;
}

void wv_names(enum wv_role role, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < wv_count() && used < cap; i++) {
        if (settings[i].role != role)
            continue;
        int n = snprintf(out + used, cap - used, "%s%s", used ? ", " : "", settings[i].name);
        used += n > 0 ? (size_t)n : 0;
    }
}

bool wv_selected(const struct wv_setting *s, const struct wv_filter *f)
{
    if (!f || f->n == 0)
        return true;
    for (size_t i = 0; i < f->n; i++)
        if (!strcasecmp(f->names[i], s->name))
            return true;
    return false;
}

void wv_get(const struct wv_setting *s, const struct cfg *c, char out[WV_VALUE_MAX])
{
    s->get(c, out, WV_VALUE_MAX);
}

ntstatus_t wv_to_samba(const struct wv_setting *s, const char *value, char out[WV_VALUE_MAX],
                       char *err, size_t err_len)
{
    if (!s->key) {
        snprintf(err, err_len, "%s (%s) cannot be set: %s", s->name, wv_role_name(s->role),
                 s->fixed);
        return STATUS_INVALID_PARAMETER;
    }
    if (!s->to_samba(value, out, WV_VALUE_MAX)) {
        snprintf(err, err_len, "invalid value '%s' for %s (%s): expected %s", value, s->name,
                 wv_role_name(s->role), s->values);
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

/* ---- output ---- */

static ntstatus_t appendf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static ntstatus_t appendf(struct buf *b, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        return STATUS_BUFFER_OVERFLOW;
    return buf_append(b, line, (size_t)n);
}

ntstatus_t wv_format_list(const struct cfg *c, enum wv_role role, const struct wv_filter *f,
                          struct buf *out)
{
    int width = 0;
    for (size_t i = 0; i < wv_count(); i++)
        if (settings[i].role == role && wv_selected(&settings[i], f) &&
            (int)strlen(settings[i].name) > width)
            width = (int)strlen(settings[i].name);
    ntstatus_t st = STATUS_SUCCESS;
    for (size_t i = 0; i < wv_count() && nt_ok(st); i++) {
        if (settings[i].role != role || !wv_selected(&settings[i], f))
            continue;
        char v[WV_VALUE_MAX];
        wv_get(&settings[i], c, v);
        st = appendf(out, "%-*s : %s\n", width, settings[i].name, v);
    }
    return st;
}

/* A JSON string; the values are plain ASCII, but escape what JSON needs. */
static ntstatus_t append_json_string(struct buf *b, const char *s, size_t n)
{
    ntstatus_t st = buf_append(b, "\"", 1);
    for (size_t i = 0; i < n && nt_ok(st); i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            st = appendf(b, "\\%c", ch);
        else if (ch < 0x20)
            st = appendf(b, "\\u%04x", ch);
        else
            st = buf_append(b, &s[i], 1);
    }
    return nt_ok(st) ? buf_append(b, "\"", 1) : st;
}

/* "A, B, C" -> ["A", "B", "C"] */
static ntstatus_t append_json_list(struct buf *b, const char *v)
{
    ntstatus_t st = buf_append(b, "[", 1);
    for (const char *p = v; *p && nt_ok(st);) {
        size_t n = strcspn(p, ",");
        st = append_json_string(b, p, n);
        p += n;
        if (*p && nt_ok(st)) {
            st = buf_append(b, ", ", 2);
            p += strspn(p, ", ");
        }
    }
    return nt_ok(st) ? buf_append(b, "]", 1) : st;
}

static ntstatus_t append_json_value(struct buf *b, const struct wv_setting *s, const char *v)
{
    switch (s->type) {
    case WV_BOOL:
        return appendf(b, "%s", !strcmp(v, "True") ? "true" : "false");
    case WV_UINT:
        return appendf(b, "%s", v);
    case WV_LIST:
        return append_json_list(b, v);
    case WV_ENUM:
    default:
        return append_json_string(b, v, strlen(v));
    }
}

ntstatus_t wv_format_json(const struct cfg *c, enum wv_role role, const struct wv_filter *f,
                          unsigned indent, struct buf *out)
{
    ntstatus_t st = buf_append(out, "{", 1);
    bool first = true;
    for (size_t i = 0; i < wv_count() && nt_ok(st); i++) {
        const struct wv_setting *s = &settings[i];
        if (s->role != role || !wv_selected(s, f))
            continue;
        char v[WV_VALUE_MAX];
        wv_get(s, c, v);
        st = appendf(out, "%s\n%*s\"%s\": ", first ? "" : ",", (int)indent + 2, "", s->name);
        if (nt_ok(st))
            st = append_json_value(out, s, v);
        first = false;
    }
    if (nt_ok(st))
        st = first ? buf_append(out, "}", 1) : appendf(out, "\n%*s}", (int)indent, "");
    return st;
}
