/* A watchdog for libuv's thread pool. The stateful fuzzer
 * (tests/fuzz/fuzz_server.c) sees, every few tens of thousands of inputs, a
 * request at the start of an input go unanswered for about 20 s while the
 * loop and all 16 pool threads sleep (gdb). Once, a no-op job queued on the
 * pool from outside released the answer at once: a lost condition-variable
 * wakeup in the pool (glibc bug 25847 is a known cause of such on Debian
 * 12's glibc 2.36) leaves a queued job waiting for the next one, which on a
 * quiet server may never come. The stall has been seen with this watchdog
 * in place too, so it is not the whole story; it stays because it is cheap
 * and covers the one explanation with evidence.
 *
 * Every pool job of the engine is counted: while some are in flight a
 * 100 ms timer looks whether any finished since its last look, and if none
 * did, queues a no-op job, whose signal wakes a thread that then drains
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
