/* JSON and CSV forms of probe results (report.h). */
#include "probe/report.h"
#include "wire/smb2_names.h"

#include "config/config.h"
#include "wire/smb2.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Appenders with a sticky status (as in report.c). */
struct jout {
    struct buf *b;
    ntstatus_t st;
};

static void raw(struct jout *o, const char *s)
{
    if (nt_ok(o->st))
        o->st = buf_append(o->b, s, strlen(s));
}

static void str(struct jout *o, const char *s)
{
    if (nt_ok(o->st))
        o->st = report_json_string(o->b, s);
}

/* "key": */
static void key(struct jout *o, const char *k, bool first)
{
    if (!first)
        raw(o, ",");
    str(o, k);
    raw(o, ":");
}

static void num(struct jout *o, const char *k, uint64_t v)
{
    char n[24];
    snprintf(n, sizeof n, "%llu", (unsigned long long)v);
    key(o, k, false);
    raw(o, n);
}

static void boolean(struct jout *o, const char *k, bool v)
{
    key(o, k, false);
    raw(o, v ? "true" : "false");
}

/* A status: null when SUCCESS. */
static void status(struct jout *o, const char *k, ntstatus_t st)
{
    key(o, k, false);
    if (nt_ok(st))
        raw(o, "null");
    else
        str(o, nt_name(st));
}

static void host_fields(struct jout *o, const struct probe_result *r)
{
    char addr[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &r->addr.sin_addr, addr, sizeof addr);
    raw(o, "{");
    key(o, "host", true);
    str(o, r->host);
    key(o, "address", false);
    str(o, addr);
    num(o, "port", r->port);
    boolean(o, "reachable", r->reachable);
    status(o, "error", r->error);
}

static void json_dialect(struct jout *o, uint16_t dialect, const struct probe_dialect *d)
{
    char guid[40], t[32];
    raw(o, "{");
    key(o, "dialect", true);
    str(o, smb2_dialect_name(dialect));
    key(o, "name", false);
    str(o, cfg_protocol_name(dialect));
    boolean(o, "tried", d->tried);
    boolean(o, "accepted", d->accepted);
    status(o, "status", d->status);
    if (d->accepted) {
        num(o, "security_mode", d->security_mode);
        boolean(o, "signing_enabled", d->security_mode & SMB2_NEGOTIATE_SIGNING_ENABLED);
        boolean(o, "signing_required", d->security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED);
        num(o, "capabilities", d->capabilities);
        report_guid(d->server_guid, guid, sizeof guid);
        key(o, "server_guid", false);
        str(o, guid);
        report_filetime(d->system_time, t, sizeof t);
        key(o, "system_time", false);
        str(o, t);
        num(o, "max_transact_size", d->max_transact_size);
        num(o, "max_read_size", d->max_read_size);
        num(o, "max_write_size", d->max_write_size);
    }
    raw(o, "}");
}

/* "ciphers": {"3.0": ["AES-128-CCM"], ...} for the accepted 3.x dialects,
 * then "encryption_required": "unknown" | "required" | "not required" |
 * "unsupported" (probe.h). */
static void json_encryption(struct jout *o, const struct probe_result *r)
{
    key(o, "ciphers", false);
    raw(o, "{");
    bool first_d = true;
    for (int i = 0; i < PROBE_N_DIALECTS; i++) {
        if (!r->dialects[i].accepted || probe_dialects[i] < SMB2_DIALECT_0300)
            continue;
        uint16_t ids[PROBE_N_CIPHERS];
        size_t n = probe_dialect_ciphers(r, i, ids);
        key(o, smb2_dialect_name(probe_dialects[i]), first_d);
        first_d = false;
        raw(o, "[");
        for (size_t k = 0; k < n; k++) {
            raw(o, k ? "," : "");
            str(o, probe_cipher_name(ids[k]));
        }
        raw(o, "]");
    }
    raw(o, "}");
    key(o, "encryption_required", false);
    str(o, probe_encrypt_key(probe_encrypt_verdict(r)));
}

/* One single-entry offer; cipher offers also say whether it was accepted. */
static void json_offer(struct jout *o, const char *offered, const struct probe_offer *f,
                       const char *picked, int cipher)
{
    raw(o, "{");
    key(o, "offered", true);
    if (offered)
        str(o, offered);
    else
        raw(o, "null");
    boolean(o, "tried", f->tried);
    boolean(o, "answered", f->answered);
    status(o, "status", f->status);
    boolean(o, "context_present", f->present);
    key(o, "picked", false);
    if (f->present)
        str(o, picked);
    else
        raw(o, "null");
    if (cipher > 0)
        boolean(o, "accepted", f->present && f->picked == cipher);
    raw(o, "}");
}

static void json_smb311(struct jout *o, const struct probe_result *r)
{
    key(o, "smb311_signing", false);
    raw(o, "[");
    for (int v = 0; v < PROBE_N_SIGN_OFFER; v++) {
        if (v)
            raw(o, ",");
        const struct probe_offer *f = &r->signing[v];
        json_offer(o, v ? cfg_signing_alg_name((uint16_t)(v - 1)) : NULL, f,
                   cfg_signing_alg_name(f->picked), 0);
    }
    raw(o, "]");
    key(o, "smb311_ciphers", false);
    raw(o, "[");
    for (int v = 0; v < PROBE_N_CIPHERS; v++) {
        if (v)
            raw(o, ",");
        const struct probe_offer *f = &r->ciphers[v];
        json_offer(o, probe_cipher_name((uint16_t)(v + 1)), f, probe_cipher_name(f->picked), v + 1);
    }
    raw(o, "]");
}

static void json_session(struct jout *o, const char *k, const struct probe_session *s)
{
    key(o, k, false);
    if (!s->tried) {
        raw(o, "null");
        return;
    }
    raw(o, "{");
    key(o, "granted", true);
    raw(o, s->granted ? "true" : "false");
    status(o, "status", s->status);
    num(o, "session_flags", s->session_flags);
    boolean(o, "is_guest", s->session_flags & SMB2_SESSION_FLAG_IS_GUEST);
    boolean(o, "is_null", s->session_flags & SMB2_SESSION_FLAG_IS_NULL);
    key(o, "dialect", false);
    if (s->dialect)
        str(o, smb2_dialect_name(s->dialect));
    else
        raw(o, "null");
    raw(o, "}");
}

/* A tri-state: null when unknown. */
static void maybe(struct jout *o, const char *k, bool known, bool v)
{
    key(o, k, false);
    raw(o, !known ? "null" : v ? "true" : "false");
}

static void summary(struct jout *o, const struct probe_result *r)
{
    enum probe_signing v = probe_signing_verdict(r);
    static const char *const words[] = {"unknown", "required", "not required", "disabled"};
    uint16_t max = probe_max_dialect(r);
    key(o, "max_dialect", false);
    if (max)
        str(o, smb2_dialect_name(max));
    else
        raw(o, "null");
    maybe(o, "signing_required", v != PROBE_SIGNING_UNKNOWN, v == PROBE_SIGNING_REQUIRED);
    key(o, "signing", false);
    str(o, words[v]);
    maybe(o, "relayable", v != PROBE_SIGNING_UNKNOWN, probe_relayable(r));
    maybe(o, "smb1", r->smb1.tried && r->reachable, r->smb1.accepted);
    json_encryption(o, r);
}

ntstatus_t probe_format_json(const struct probe_result *r, struct buf *b)
{
    struct jout o = {b, STATUS_SUCCESS};
    host_fields(&o, r);
    summary(&o, r);
    key(&o, "dialects", false);
    raw(&o, "[");
    for (int i = 0; i < PROBE_N_DIALECTS; i++) {
        if (i)
            raw(&o, ",");
        json_dialect(&o, probe_dialects[i], &r->dialects[i]);
    }
    raw(&o, "]");
    json_smb311(&o, r);
    json_session(&o, "anonymous", &r->anonymous);
    json_session(&o, "guest", &r->guest);
    key(&o, "guest_user", false);
    str(&o, r->guest_user);
    raw(&o, "}\n");
    return o.st;
}

ntstatus_t scan_format_json_row(const struct probe_result *r, struct buf *b)
{
    struct jout o = {b, STATUS_SUCCESS};
    host_fields(&o, r);
    summary(&o, r);
    key(&o, "dialects", false);
    raw(&o, "[");
    bool first = true;
    for (int i = 0; i < PROBE_N_DIALECTS; i++)
        if (r->dialects[i].accepted) {
            raw(&o, first ? "" : ",");
            str(&o, smb2_dialect_name(probe_dialects[i]));
            first = false;
        }
    raw(&o, "]");
    maybe(&o, "anonymous", r->anonymous.tried, r->anonymous.granted);
    maybe(&o, "guest", r->guest.tried, r->guest.granted);
    raw(&o, "}");
    return o.st;
}

/* ---- CSV and plain rows ---- */

static const char *yes_no(bool known, bool v)
{
    return !known ? "" : v ? "yes" : "no";
}

static void dialect_list(const struct probe_result *r, char *out, size_t cap)
{
    size_t off = 0;
    out[0] = 0;
    for (int i = 0; i < PROBE_N_DIALECTS && off < cap; i++)
        if (r->dialects[i].accepted)
            off += (size_t)snprintf(out + off, cap - off, "%s%s", off ? " " : "",
                                    smb2_dialect_name(probe_dialects[i]));
}

ntstatus_t scan_format_csv_header(struct buf *b)
{
    static const char h[] = "host,address,port,reachable,smb1,dialects,max_dialect,"
                            "signing_required,anonymous,guest,ciphers_300,ciphers_302,"
                            "ciphers_311,encryption_required,error\n";
    return buf_append(b, h, sizeof h - 1);
}

ntstatus_t scan_format_csv_row(const struct probe_result *r, struct buf *b)
{
    char addr[INET_ADDRSTRLEN], dialects[64], port[8];
    inet_ntop(AF_INET, &r->addr.sin_addr, addr, sizeof addr);
    dialect_list(r, dialects, sizeof dialects);
    snprintf(port, sizeof port, "%u", r->port);
    enum probe_signing v = probe_signing_verdict(r);
    uint16_t max = probe_max_dialect(r);
    char c300[64], c302[64], c311[64];
    probe_cipher_list(r, probe_dialect_index(SMB2_DIALECT_0300), c300, sizeof c300);
    probe_cipher_list(r, probe_dialect_index(SMB2_DIALECT_0302), c302, sizeof c302);
    probe_cipher_list(r, probe_dialect_index(SMB2_DIALECT_0311), c311, sizeof c311);
    const char *fields[] = {
        r->host,
        addr,
        port,
        r->reachable ? "yes" : "no",
        yes_no(r->smb1.tried && r->reachable, r->smb1.accepted),
        dialects,
        max ? smb2_dialect_name(max) : "",
        yes_no(v != PROBE_SIGNING_UNKNOWN, v == PROBE_SIGNING_REQUIRED),
        yes_no(r->anonymous.tried, r->anonymous.granted),
        yes_no(r->guest.tried, r->guest.granted),
        c300,
        c302,
        c311,
        max ? probe_encrypt_key(probe_encrypt_verdict(r)) : "",
        nt_ok(r->error) ? "" : nt_name(r->error),
    };
    ntstatus_t st = STATUS_SUCCESS;
    for (size_t i = 0; nt_ok(st) && i < sizeof fields / sizeof fields[0]; i++) {
        if (i)
            st = buf_append(b, ",", 1);
        if (nt_ok(st))
            st = report_csv_field(b, fields[i]);
    }
    return nt_ok(st) ? buf_append(b, "\n", 1) : st;
}

ntstatus_t scan_format_text_row(const struct probe_result *r, struct buf *b)
{
    char line[512], dialects[64];
    if (!r->reachable) {
        snprintf(line, sizeof line, "%-16s unreachable (%s)\n", r->host, nt_name(r->error));
        return buf_append(b, line, strlen(line));
    }
    dialect_list(r, dialects, sizeof dialects);
    enum probe_signing v = probe_signing_verdict(r);
    static const char *const words[] = {"no SMB2", "signing required", "signing NOT required",
                                        "signing disabled"};
    snprintf(line, sizeof line, "%-16s %-22s %-20s smb1=%s anonymous=%s guest=%s\n", r->host,
             dialects[0] ? dialects : "-", words[v],
             yes_no(r->smb1.tried, r->smb1.accepted)[0] ? yes_no(true, r->smb1.accepted) : "-",
             r->anonymous.tried ? yes_no(true, r->anonymous.granted) : "-",
             r->guest.tried ? yes_no(true, r->guest.granted) : "-");
    return buf_append(b, line, strlen(line));
}
