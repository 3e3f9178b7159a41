/* Prometheus metrics (srv_metrics.h): counters kept by one-line hooks, the
 * gauges read from the live tables when scraped, rendered in the text
 * exposition format 0.0.4. Names follow Prometheus' conventions: the signet_
 * prefix, _total on counters, seconds and bytes as base units. */
#include "server/srv_metrics.h"

#include "server/srv_int.h"
#include "wire/smb2_names.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Upper bounds (seconds) of the latency buckets; +Inf is the count. */
static const double bucket_le[SRV_METRICS_BUCKETS] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30};

uint64_t srv_metrics_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void srv_metrics_request(struct srv *s, uint16_t command, ntstatus_t st, uint64_t start_ns)
{
    srv_metrics_observe(s, command, st, srv_metrics_now() - start_ns);
}

void srv_metrics_observe(struct srv *s, uint16_t command, ntstatus_t st, uint64_t ns)
{
    if (command >= SMB2_COMMAND_COUNT)
        return;
    struct srv_metrics_cmd *m = &s->metrics.cmd[command];
    m->requests++;
    m->errors += nt_is_error(st);
    m->sum_ns += ns;
    for (size_t i = 0; i < SRV_METRICS_BUCKETS; i++) {
        if ((double)ns <= bucket_le[i] * 1e9) {
            m->bucket[i]++;
            break;
        }
    }
}

void srv_metrics_signature(struct srv *s, bool unsigned_request)
{
    if (unsigned_request)
        s->metrics.unsigned_refused++;
    else
        s->metrics.bad_signatures++;
}

void srv_metrics_logon_failed(struct srv *s, ntstatus_t st)
{
    (void)st;
    s->metrics.logons_failed++;
}

void srv_metrics_session(struct srv *s)
{
    s->metrics.sessions_total++;
}

void srv_metrics_connection(struct srv *s)
{
    s->metrics.connections_total++;
}

void srv_metrics_read(struct srv *s, uint64_t bytes)
{
    s->metrics.bytes_read += bytes;
}

void srv_metrics_written(struct srv *s, uint64_t bytes)
{
    s->metrics.bytes_written += bytes;
}

/* ---- rendering ---- */

static void put(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *out, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        (void)buf_append(out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void head(struct buf *out, const char *name, const char *type, const char *help)
{
    put(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counter(struct buf *out, const char *name, const char *help, uint64_t v)
{
    head(out, name, "counter", help);
    put(out, "%s %" PRIu64 "\n", name, v);
}

static void gauge(struct buf *out, const char *name, const char *help, uint64_t v)
{
    head(out, name, "gauge", help);
    put(out, "%s %" PRIu64 "\n", name, v);
}

/* One label set of signet_sessions and how many sessions have it. */
#define MAX_SESSION_KINDS 64
struct session_kind {
    const char *dialect, *signing, *cipher, *auth;
    uint64_t n;
};

static const char *session_signing(const struct srv_session *s)
{
    if (!sec_sign_key_is_set(&s->sign_key) || (!s->signing_required && !s->client_signed))
        return "none";
    return cfg_signing_alg_name(s->conn->signing_alg);
}

static void count_session(struct session_kind *k, size_t *n, const struct srv_session *s)
{
    struct session_kind me = {
        .dialect = smb2_dialect_name(s->conn->dialect),
        .signing = session_signing(s),
        .cipher = cfg_cipher_name(s->enc_key.cipher),
        .auth = s->is_anonymous ? "anonymous"
                : s->is_guest   ? "guest"
                                : "ntlm",
    };
    for (size_t i = 0; i < *n; i++) {
        if (!strcmp(k[i].dialect, me.dialect) && !strcmp(k[i].signing, me.signing) &&
            !strcmp(k[i].cipher, me.cipher) && !strcmp(k[i].auth, me.auth)) {
            k[i].n++;
            return;
        }
    }
    if (*n < MAX_SESSION_KINDS) {
        me.n = 1;
        k[(*n)++] = me;
    }
}

static void render_live(const struct srv *s, struct buf *out)
{
    struct session_kind kinds[MAX_SESSION_KINDS];
    size_t n_kinds = 0;
    uint64_t opens = 0, queued = 0, inflight = 0, pending = 0;
    for (const struct srv_conn *c = s->conns; c; c = c->next) {
        for (const struct srv_session *ss = c->sessions; ss; ss = ss->next)
            if (ss->state == SRV_SESS_VALID && !ss->gone)
                count_session(kinds, &n_kinds, ss);
        opens += c->opens.n;
        queued += c->write_bytes;
        inflight += c->inflight_bytes;
        pending += c->n_pending;
    }
    head(out, "signet_sessions", "gauge",
         "Sessions logged on, by dialect, signing algorithm in use, cipher and auth mechanism.");
    for (size_t i = 0; i < n_kinds; i++)
        put(out,
            "signet_sessions{dialect=\"%s\",signing=\"%s\",cipher=\"%s\",auth=\"%s\"} %" PRIu64
            "\n",
            kinds[i].dialect, kinds[i].signing, kinds[i].cipher, kinds[i].auth, kinds[i].n);
    gauge(out, "signet_connections", "Connections open (the max connections budget in use).",
          s->n_conns);
    gauge(out, "signet_connections_limit", "The max connections budget.",
          s->cfg ? s->cfg->cfg.server.max_connections : 0);
    gauge(out, "signet_opens", "Files and directories open, all connections.", opens);
    gauge(out, "signet_output_queued_bytes", "Response bytes written but not yet sent.", queued);
    gauge(out, "signet_request_buffer_bytes", "Request bytes held by requests in progress.",
          inflight);
    gauge(out, "signet_pending_requests", "Requests waiting with an interim response.", pending);
}

static void render_commands(const struct srv *s, struct buf *out)
{
    const struct srv_metrics *m = &s->metrics;
    head(out, "signet_requests_total", "counter", "SMB2 requests answered, by command.");
    for (uint16_t i = 0; i < SMB2_COMMAND_COUNT; i++)
        put(out, "signet_requests_total{command=\"%s\"} %" PRIu64 "\n", smb2_command_name(i),
            m->cmd[i].requests);
    head(out, "signet_request_errors_total", "counter",
         "SMB2 requests answered with an error status, by command.");
    for (uint16_t i = 0; i < SMB2_COMMAND_COUNT; i++)
        put(out, "signet_request_errors_total{command=\"%s\"} %" PRIu64 "\n", smb2_command_name(i),
            m->cmd[i].errors);
    head(out, "signet_request_duration_seconds", "histogram",
         "Time from a request's arrival to its final response, by command.");
    for (uint16_t i = 0; i < SMB2_COMMAND_COUNT; i++) {
        const struct srv_metrics_cmd *c = &m->cmd[i];
        const char *name = smb2_command_name(i);
        uint64_t cum = 0;
        for (size_t b = 0; b < SRV_METRICS_BUCKETS; b++) {
            cum += c->bucket[b];
            put(out,
                "signet_request_duration_seconds_bucket{command=\"%s\",le=\"%g\"} %" PRIu64 "\n",
                name, bucket_le[b], cum);
        }
        put(out, "signet_request_duration_seconds_bucket{command=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
            name, c->requests);
        put(out, "signet_request_duration_seconds_sum{command=\"%s\"} %.9f\n", name,
            (double)c->sum_ns / 1e9);
        put(out, "signet_request_duration_seconds_count{command=\"%s\"} %" PRIu64 "\n", name,
            c->requests);
    }
}

ntstatus_t srv_metrics_render(const struct srv *s, struct buf *out)
{
    const struct srv_metrics *m = &s->metrics;
    render_live(s, out);
    counter(out, "signet_connections_accepted_total", "Connections accepted.",
            m->connections_total);
    counter(out, "signet_sessions_total", "Sessions that logged on (not re-authentications).",
            m->sessions_total);
    counter(out, "signet_signature_failures_total",
            "Signed requests whose signature did not verify (answered STATUS_ACCESS_DENIED).",
            m->bad_signatures);
    counter(out, "signet_unsigned_requests_refused_total",
            "Unsigned requests refused on sessions that require signing.", m->unsigned_refused);
    counter(out, "signet_logons_failed_total", "SESSION_SETUPs that failed, refusals included.",
            m->logons_failed);
    counter(out, "signet_read_bytes_total", "File bytes read for clients (READ).", m->bytes_read);
    counter(out, "signet_written_bytes_total", "File bytes written for clients (WRITE).",
            m->bytes_written);
    render_commands(s, out);
    return out->p ? STATUS_SUCCESS : STATUS_NO_MEMORY;
}
