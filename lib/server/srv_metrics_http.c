/* `metrics listen = ADDR:PORT`: the Prometheus scrape endpoint, GET /metrics,
 * served by libmicrohttpd (never a hand-written HTTP parser).
 *
 * libmicrohttpd runs inside signetd's libuv loop, not in a thread of its
 * own: MHD_USE_EPOLL without an internal thread gives one epoll descriptor
 * that a uv_poll watches, MHD_run serves what is ready, and a uv_timer wakes
 * it for its own timeouts (MHD_get_timeout). The handler then runs on the
 * loop thread, which owns every counter and table it reads, so the counters
 * are plain integers with no locks or atomics, and a scrape sees one
 * consistent state. The price: the loop renders the page (about 27 KB, most
 * of it the 19 commands' latency buckets) between two requests.
 *
 * Budgets: at most METRICS_MAX_CONNS connections, each closed after
 * METRICS_TIMEOUT_S idle seconds; requests have no body to hold. */
#include "server/srv_int.h"
#include "server/srv_metrics.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METRICS_MAX_CONNS 8
#define METRICS_TIMEOUT_S 10

struct srv_metrics_http {
    struct srv *srv;
    struct MHD_Daemon *mhd;
    uv_poll_t poll;
    uv_timer_t timer;
    unsigned handles_open;
    struct buf page; /* the last exposition, reused */
};

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned code, const char *type,
                              const void *body, size_t len)
{
    struct MHD_Response *rsp =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!rsp)
        return MHD_NO;
    (void)MHD_add_response_header(rsp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result r = MHD_queue_response(conn, code, rsp);
    MHD_destroy_response(rsp);
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)version;
    (void)upload_data;
    struct srv_metrics_http *h = cls;
    static const char text[] = "text/plain; charset=utf-8";
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* a body is never wanted: dropped as it comes */
        return MHD_YES;
    }
    (void)req_cls;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
        static const char msg[] = "only GET /metrics\n";
        return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text, msg, sizeof msg - 1);
    }
    if (strcmp(url, "/metrics") != 0) {
        static const char msg[] = "not found: the metrics are at /metrics\n";
        return answer(conn, MHD_HTTP_NOT_FOUND, text, msg, sizeof msg - 1);
    }
    buf_reset(&h->page);
    if (!nt_ok(srv_metrics_render(h->srv, &h->page))) {
        static const char msg[] = "out of memory\n";
        return answer(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, text, msg, sizeof msg - 1);
    }
    return answer(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", h->page.p,
                  h->page.len);
}

static void on_timer(uv_timer_t *t);

/* Serve what is ready, then sleep until MHD's next timeout. */
static void pump(struct srv_metrics_http *h)
{
    (void)MHD_run(h->mhd);
    MHD_UNSIGNED_LONG_LONG ms = 0;
    if (MHD_get_timeout(h->mhd, &ms) == MHD_YES)
        uv_timer_start(&h->timer, on_timer, ms, 0);
    else
        uv_timer_stop(&h->timer);
}

static void on_timer(uv_timer_t *t)
{
    pump(t->data);
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    (void)status;
    (void)events;
    pump(p->data);
}

static void on_closed(uv_handle_t *hd)
{
    struct srv_metrics_http *h = hd->data;
    if (--h->handles_open > 0)
        return;
    MHD_stop_daemon(h->mhd);
    buf_free(&h->page);
    free(h);
}

ntstatus_t srv_metrics_listen(struct srv *s, const char *spec, char *err, size_t err_len)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    if (!srv_parse_addr(spec, &ss)) {
        snprintf(err, err_len, "metrics listen '%s': expected ADDR:PORT or [ADDR]:PORT", spec);
        return STATUS_INVALID_PARAMETER;
    }
    struct srv_metrics_http *h = calloc(1, sizeof *h);
    if (!h)
        return STATUS_NO_MEMORY;
    h->srv = s;
    unsigned flags = MHD_USE_EPOLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR,
                              (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
                              (unsigned)METRICS_MAX_CONNS, MHD_OPTION_CONNECTION_TIMEOUT,
                              (unsigned)METRICS_TIMEOUT_S, MHD_OPTION_END);
    const union MHD_DaemonInfo *info =
        h->mhd ? MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
    if (!info || uv_poll_init(s->loop, &h->poll, info->epoll_fd) != 0) {
        snprintf(err, err_len,
                 "metrics listen %s: cannot listen there (in use, or not an address of this "
                 "host); change `metrics listen` or leave it out",
                 spec);
        if (h->mhd)
            MHD_stop_daemon(h->mhd);
        free(h);
        return STATUS_INVALID_PARAMETER;
    }
    uv_timer_init(s->loop, &h->timer);
    h->poll.data = h->timer.data = h;
    h->handles_open = 2;
    uv_poll_start(&h->poll, UV_READABLE, on_poll);
    s->metrics_http = h;
    pump(h);
    sg_log(SG_LOG_NOTICE, "metrics on http://%s/metrics", spec);
    return STATUS_SUCCESS;
}

void srv_metrics_close(struct srv *s)
{
    struct srv_metrics_http *h = s->metrics_http;
    if (!h)
        return;
    s->metrics_http = NULL;
    uv_close((uv_handle_t *)&h->poll, on_closed);
    uv_close((uv_handle_t *)&h->timer, on_closed);
}
