/* A watchdog for libuv's thread pool. On Debian 12 (glibc 2.36, libuv
 * 1.44) a job queued with uv_queue_work can sit in the pool's queue while
 * every pool thread sleeps: the pool's condition-variable signal is lost
 * (glibc bug 25847 is the known cause of such lost wakeups). The job runs
 * only when the next one is queued, so on a quiet server a client's
 * request waits forever; the stateful fuzzer (tests/fuzz/fuzz_server.c)
 * found it, and a no-op job queued then releases it.
 *
 * So every pool job of the server is counted: while some are in flight a
 * 100 ms timer looks whether any finished since its last look, and if none
 * did, queues one no-op job, whose signal wakes a thread that then drains
 * the queue. A slow disk costs one empty job per 100 ms. All of it belongs
 * to the loop. */
#ifndef SIGNET_SERVER_SRV_POOL_H
#define SIGNET_SERVER_SRV_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct srv;

/* A kick's own wakeup can be lost too: each look without progress queues
 * another, up to this many at once (a slow disk holds no more). */
#define SRV_POOL_MAX_KICKS 16

struct srv_pool_watch {
    unsigned in_flight;       /* jobs queued and not yet done */
    uint64_t done;            /* jobs done, ever */
    uint64_t done_seen;       /* `done` at the timer's last look */
    uint64_t kicks;           /* no-op jobs queued, ever */
    unsigned kicks_in_flight; /* at most SRV_POOL_MAX_KICKS */
    uv_timer_t timer;
    bool timer_open;
};

void srv_pool_init(struct srv *s);
void srv_pool_close(struct srv *s);
/* After a successful uv_queue_work of the server's / in its after-work
 * callback. */
void srv_pool_queued(struct srv *s);
void srv_pool_finished(struct srv *s);

#endif
