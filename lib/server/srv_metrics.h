/* Prometheus metrics of the server (srv_metrics.c) and their opt-in HTTP
 * listener, `metrics listen = ADDR:PORT` (srv_metrics_http.c).
 *
 * The hooks are one-line calls from the command handlers and the engine.
 * Every counter belongs to the loop thread: the hooks run there, and the
 * HTTP listener runs inside the same libuv loop (libmicrohttpd without a
 * thread of its own), so nothing here needs a lock or an atomic. Gauges
 * (sessions, budgets in use) are computed from the live tables at scrape
 * time rather than kept in step by hand. */
#ifndef SIGNET_SERVER_SRV_METRICS_H
#define SIGNET_SERVER_SRV_METRICS_H

#include "base/buf.h"
#include "wire/smb2.h"

#include <signet/ntstatus.h>
#include <stddef.h>
#include <stdint.h>

struct srv;
struct srv_req;

/* Latency buckets (seconds) of signet_request_duration_seconds. */
#define SRV_METRICS_BUCKETS 14

struct srv_metrics_cmd {
    uint64_t requests, errors;
    uint64_t bucket[SRV_METRICS_BUCKETS]; /* not cumulative; summed when rendered */
    uint64_t sum_ns;
};

struct srv_metrics {
    struct srv_metrics_cmd cmd[SMB2_COMMAND_COUNT];
    uint64_t bad_signatures, unsigned_refused;
    uint64_t logons_failed;
    uint64_t bytes_read, bytes_written;
    uint64_t sessions_total;
    uint64_t connections_total;
};

struct srv_metrics_http; /* srv_metrics_http.c */

/* Monotonic nanoseconds, the start of a request. */
uint64_t srv_metrics_now(void);
/* A request's final status, with its start from srv_metrics_now. */
void srv_metrics_request(struct srv *s, uint16_t command, ntstatus_t st, uint64_t start_ns);
/* ... the same with its duration given (what srv_metrics_request records). */
void srv_metrics_observe(struct srv *s, uint16_t command, ntstatus_t st, uint64_t ns);
/* A request refused for its signature: missing (unsigned) or wrong. */
void srv_metrics_signature(struct srv *s, bool unsigned_request);
/* A SESSION_SETUP that failed with st. A refused guest is one of them: the
 * server answers an unknown user STATUS_LOGON_FAILURE whenever guest is not
 * allowed, so it cannot be told apart here from a wrong password. */
void srv_metrics_logon_failed(struct srv *s, ntstatus_t st);
void srv_metrics_session(struct srv *s);
void srv_metrics_connection(struct srv *s);
void srv_metrics_read(struct srv *s, uint64_t bytes);
void srv_metrics_written(struct srv *s, uint64_t bytes);

/* The text exposition format 0.0.4 of every metric. */
ntstatus_t srv_metrics_render(const struct srv *s, struct buf *out);

/* srv_metrics_http.c: listen on "ADDR:PORT" (the loop's thread). */
ntstatus_t srv_metrics_listen(struct srv *s, const char *spec, char *err, size_t err_len);
void srv_metrics_close(struct srv *s);

#endif
