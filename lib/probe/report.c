/* Formatting of probe results (report.h). */
#include "probe/report.h"
#include "wire/smb2_names.h"

#include "base/filetime.h"
#include "config/config.h"
#include "wire/smb2.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A buffer with a sticky status, so formatters check once. */
struct out {
    struct buf *b;
    ntstatus_t st;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...)
{
    if (!nt_ok(o->st))
        return;
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !nt_ok(o->st = buf_reserve(o->b, (size_t)n + 1))) {
        if (n < 0)
            o->st = STATUS_INVALID_PARAMETER;
        va_end(ap2);
        return;
    }
    vsnprintf((char *)o->b->p + o->b->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    o->b->len += (size_t)n;
}

ntstatus_t report_json_string(struct buf *b, const char *s)
{
    struct out o = {b, STATUS_SUCCESS};
    put(&o, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            put(&o, "\\%c", *p);
        else if (*p == '\n')
            put(&o, "\\n");
        else if (*p == '\r')
            put(&o, "\\r");
        else if (*p == '\t')
            put(&o, "\\t");
        else if (*p < 0x20 || *p == 0x7F)
            put(&o, "\\u%04x", *p);
        else
            put(&o, "%c", *p);
    }
    put(&o, "\"");
    return o.st;
}

ntstatus_t report_csv_field(struct buf *b, const char *s)
{
    struct out o = {b, STATUS_SUCCESS};
    if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && s[0] != '=') {
        put(&o, "%s", s);
        return o.st;
    }
    /* RFC 4180: quote, double the quotes. A leading '=' is quoted too, so a
     * spreadsheet does not take a host name for a formula. */
    put(&o, "\"");
    for (const char *p = s; *p; p++)
        put(&o, *p == '"' ? "\"\"" : "%c", *p);
    put(&o, "\"");
    return o.st;
}

void report_filetime(uint64_t ft, char *out, size_t cap)
{
    struct timespec ts = filetime_to_timespec(ft);
    struct tm tm;
    if (ft == 0 || !gmtime_r(&ts.tv_sec, &tm) || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, cap, "unknown");
}

void report_guid(const uint8_t g[16], char *out, size_t cap)
{
    /* Data1, Data2, Data3 little-endian; Data4 as bytes. */
    snprintf(out, cap, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3],
             g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13],
             g[14], g[15]);
}

static const char *signing_words(uint16_t mode)
{
    if (mode & SMB2_NEGOTIATE_SIGNING_REQUIRED)
        return mode & SMB2_NEGOTIATE_SIGNING_ENABLED ? "signing enabled and required"
                                                     : "signing required (enabled bit clear)";
    return mode & SMB2_NEGOTIATE_SIGNING_ENABLED ? "signing enabled but not required"
                                                 : "signing disabled and not required";
}

/* nmap smb2-security-mode's wording of the verdict. */
static const char *verdict_words(enum probe_signing v)
{
    switch (v) {
    case PROBE_SIGNING_REQUIRED:
        return "Message signing enabled and required";
    case PROBE_SIGNING_NOT_REQUIRED:
        return "Message signing enabled but not required";
    case PROBE_SIGNING_DISABLED:
        return "Message signing is disabled and not required!";
    default:
        return "no SMB2 dialect accepted";
    }
}

static const char *verdict_key(enum probe_signing v)
{
    static const char *const k[] = {"unknown", "required", "not required", "disabled"};
    return k[v];
}

/* The strongest evidence of one dialect: the highest accepted one. */
static const struct probe_dialect *best_dialect(const struct probe_result *r)
{
    int i = probe_dialect_index(probe_max_dialect(r));
    return i < 0 ? NULL : &r->dialects[i];
}

static void caps_text(struct out *o, uint32_t caps)
{
    static const char *const names[] = {"DFS",
                                        "LEASING",
                                        "LARGE_MTU",
                                        "MULTI_CHANNEL",
                                        "PERSISTENT_HANDLES",
                                        "DIRECTORY_LEASING",
                                        "ENCRYPTION",
                                        "NOTIFICATIONS"};
    bool any = false;
    for (unsigned i = 0; i < 8; i++)
        if (caps & (1u << i)) {
            put(o, "%s%s", any ? " " : "", names[i]);
            any = true;
        }
    if (!any)
        put(o, "none");
}

static void text_smb1(struct out *o, const struct probe_smb1 *s)
{
    if (!s->tried)
        return;
    put(o, "  %-26s%s", "SMB1 (NT LM 0.12)", s->accepted ? "accepted" : "refused");
    if (!s->accepted)
        put(o, " (%s%s)", s->answered_smb2 ? "answered with SMB2, " : "", nt_name(s->status));
    put(o, "\n");
}

static void text_dialects(struct out *o, const struct probe_result *r)
{
    for (int i = PROBE_N_DIALECTS - 1; i >= 0; i--) {
        const struct probe_dialect *d = &r->dialects[i];
        if (!d->tried)
            continue;
        char label[32];
        snprintf(label, sizeof label, "SMB %s", smb2_dialect_name(probe_dialects[i]));
        if (d->accepted)
            put(o, "  %-26saccepted, %s\n", label, signing_words(d->security_mode));
        else
            put(o, "  %-26snot accepted (%s)\n", label, nt_name(d->status));
    }
}

static void text_offer(struct out *o, const char *offered, const struct probe_offer *f, bool cipher)
{
    put(o, "    %-24s  ", offered);
    if (!f->tried)
        put(o, "not asked\n");
    else if (!f->answered)
        put(o, "no 3.1.1 answer (%s)\n", nt_name(f->status));
    else if (!nt_ok(f->status))
        put(o, "malformed answer (%s)\n", nt_name(f->status));
    else if (!f->present)
        put(o, cipher ? "refused (no ENCRYPTION_CAPABILITIES)\n"
                      : "(none in the response: AES-128-CMAC by default)\n");
    else if (cipher)
        put(o, "%s\n", f->picked == 0 ? "refused (cipher 0)" : probe_cipher_name(f->picked));
    else
        put(o, "%s\n", cfg_signing_alg_name(f->picked));
}

static void text_algs(struct out *o, const struct probe_result *r)
{
    if (!r->signing[0].tried || !r->dialects[PROBE_N_DIALECTS - 1].accepted)
        return;
    put(o, "  SMB 3.1.1 signing algorithm picked from a single-algorithm offer:\n");
    text_offer(o, "no SIGNING_CAPABILITIES", &r->signing[0], false);
    for (int v = 1; v < PROBE_N_SIGN_OFFER; v++) {
        char label[48];
        snprintf(label, sizeof label, "offered %s", cfg_signing_alg_name((uint16_t)(v - 1)));
        text_offer(o, label, &r->signing[v], false);
    }
    put(o, "  SMB 3.1.1 cipher picked from a single-cipher offer:\n");
    for (int v = 0; v < PROBE_N_CIPHERS; v++) {
        char label[48];
        snprintf(label, sizeof label, "offered %s", probe_cipher_name((uint16_t)(v + 1)));
        text_offer(o, label, &r->ciphers[v], true);
    }
}

/* Per dialect, the ciphers it accepts, then whether a session must encrypt. */
static void text_encryption(struct out *o, const struct probe_result *r)
{
    if (probe_max_dialect(r) == 0)
        return;
    put(o, "  %-26s", "Encryption");
    bool any = false;
    for (int i = PROBE_N_DIALECTS - 1; i >= 0; i--) {
        char list[64];
        probe_cipher_list(r, i, list, sizeof list);
        if (!list[0])
            continue;
        put(o, "%sSMB %s: %s", any ? "; " : "", smb2_dialect_name(probe_dialects[i]), list);
        any = true;
    }
    put(o, "%s\n", any ? "" : "none (no dialect offers a cipher)");
    enum probe_encrypt v = probe_encrypt_verdict(r);
    static const char *const why[] = {
        "unknown (no anonymous or guest session was granted to tell; signet doctor -U USER "
        "tells)",
        "required (the session the server granted must encrypt)",
        "not required for a session (a share may still require it)",
        "no: the server cannot encrypt"};
    put(o, "  %-26s%s\n", "Encryption required", why[v]);
}

static void text_session(struct out *o, const char *label, const struct probe_session *s,
                         const char *user)
{
    if (!s->tried)
        return;
    put(o, "  %-26s", label);
    if (s->granted)
        put(o, "granted%s%s", (s->session_flags & SMB2_SESSION_FLAG_IS_GUEST) ? " as guest" : "",
            (s->session_flags & SMB2_SESSION_FLAG_IS_NULL) ? " (null session)" : "");
    else
        put(o, "refused (%s)", nt_name(s->status));
    if (user && user[0])
        put(o, ", user \"%s\"", user);
    if (s->dialect)
        put(o, ", on SMB %s", smb2_dialect_name(s->dialect));
    put(o, "\n");
}

static void text_server(struct out *o, const struct probe_result *r)
{
    const struct probe_dialect *d = best_dialect(r);
    if (!d)
        return;
    char guid[40], now[32], boot[32];
    report_guid(d->server_guid, guid, sizeof guid);
    report_filetime(d->system_time, now, sizeof now);
    report_filetime(d->server_start_time, boot, sizeof boot);
    put(o, "  %-26s%s\n", "Server GUID", guid);
    put(o, "  %-26s%s\n", "Server time", now);
    if (d->server_start_time)
        put(o, "  %-26s%s\n", "Server start time", boot);
    put(o, "  %-26s%u / %u / %u bytes\n", "Max transact/read/write", d->max_transact_size,
        d->max_read_size, d->max_write_size);
    put(o, "  %-26s", "Capabilities");
    caps_text(o, d->capabilities);
    put(o, "\n");
}

ntstatus_t probe_format_text(const struct probe_result *r, struct buf *b)
{
    struct out o = {b, STATUS_SUCCESS};
    char addr[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &r->addr.sin_addr, addr, sizeof addr);
    put(&o, "%s (%s) port %u: ", r->host, addr, r->port);
    if (!r->reachable) {
        put(&o, "unreachable (%s)\n", nt_name(r->error));
        return o.st;
    }
    put(&o, "reachable, probed in %.2f s\n", r->elapsed_s);
    text_smb1(&o, &r->smb1);
    text_dialects(&o, r);
    enum probe_signing v = probe_signing_verdict(r);
    put(&o, "  %-26s%s (%s)\n", "Signing", verdict_key(v), verdict_words(v));
    if (v != PROBE_SIGNING_UNKNOWN)
        put(&o, "  %-26s%s\n", "NTLM relay to SMB",
            probe_relayable(r) ? "possible: signing is not required"
                               : "blocked: signing is required");
    text_encryption(&o, r);
    text_algs(&o, r);
    text_session(&o, "Anonymous logon", &r->anonymous, NULL);
    text_session(&o, "Guest logon", &r->guest, r->guest_user);
    text_server(&o, r);
    return o.st;
}
