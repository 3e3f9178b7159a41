/* See srv_pool.h. */
#include "server/srv_int.h"

#include <inttypes.h>
#include <stdlib.h>

#define WATCH_MS 100

static void kick_work(uv_work_t *w)
{
    (void)w;
}

static void kick_done(uv_work_t *w, int status)
{
    (void)status;
    struct srv *s = w->data;
    s->pool.kicks_in_flight--;
    free(w);
}

static void on_watch(uv_timer_t *t)
{
    struct srv *s = t->data;
    struct srv_pool_watch *p = &s->pool;
    if (p->in_flight == 0) {
        uv_timer_stop(t);
        return;
    }
    if (p->done != p->done_seen || p->kicks_in_flight >= SRV_POOL_MAX_KICKS) {
        p->done_seen = p->done;
        return;
    }
    uv_work_t *w = malloc(sizeof *w);
    if (!w)
        return;
    w->data = s;
    if (uv_queue_work(s->loop, w, kick_work, kick_done) != 0) {
        free(w);
        return;
    }
    p->kicks_in_flight++;
    p->kicks++;
    sg_log(SG_LOG_DEBUG, "pool: %u job(s) in flight, none done in %d ms: a no-op job wakes it",
           p->in_flight, WATCH_MS);
}

void srv_pool_init(struct srv *s)
{
    uv_timer_init(s->loop, &s->pool.timer);
    s->pool.timer.data = s;
    s->pool.timer_open = true;
}

void srv_pool_close(struct srv *s)
{
    if (s->pool.timer_open) {
        s->pool.timer_open = false;
        uv_close((uv_handle_t *)&s->pool.timer, NULL);
    }
}

void srv_pool_queued(struct srv *s)
{
    struct srv_pool_watch *p = &s->pool;
    if (p->in_flight++ == 0 && p->timer_open) {
        p->done_seen = p->done;
        uv_timer_start(&p->timer, on_watch, WATCH_MS, WATCH_MS);
    }
}

void srv_pool_finished(struct srv *s)
{
    s->pool.in_flight--;
    s->pool.done++;
}
