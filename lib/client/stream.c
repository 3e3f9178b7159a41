/* Whole-file transfers with several large-MTU READs or WRITEs in flight
 * ([MS-SMB2] 3.2.4.1.5 credits, 3.2.4.6, 3.2.4.7). Data reaches the sink in
 * file order; at most DEPTH chunks are buffered. */
#include "client/file.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_MAX (1u << 20) /* 1 MiB per request (16 credits) */
#define DEPTH     8

struct inflight {
    int slot[DEPTH];
    uint64_t off[DEPTH];
    uint32_t len[DEPTH];
    unsigned head, count;
};

static uint32_t chunk_size(const struct signet_conn *c, uint32_t max)
{
    uint32_t chunk = max < CHUNK_MAX ? max : CHUNK_MAX;
    if (c->large_mtu) { /* what the credits we hold allow */
        uint64_t allowed = (uint64_t)(c->credits ? c->credits : 1) * 65536;
        if (allowed < chunk)
            chunk = (uint32_t)allowed;
    }
    return chunk;
}

static bool can_issue(const struct signet_conn *c, const struct inflight *q, uint32_t len)
{
    if (q->count == 0)
        return true; /* chunk_size fitted it to the credits */
    return q->count < DEPTH && cli_can_send(c, len);
}

static void push(struct inflight *q, int slot, uint64_t off, uint32_t len)
{
    unsigned i = (q->head + q->count++) % DEPTH;
    q->slot[i] = slot;
    q->off[i] = off;
    q->len[i] = len;
}

/* Wait for and forget every request still in flight (after an error). */
static void drain(struct signet_conn *c, struct inflight *q)
{
    while (q->count) {
        struct cli_slot *sl;
        int s = q->slot[q->head];
        if (nt_ok(c->dead))
            (void)cli_wait(c, s, &sl);
        cli_release(c, s);
        q->head = (q->head + 1) % DEPTH;
        q->count--;
    }
}

static ntstatus_t take_head_read(struct signet_conn *c, struct inflight *q, signet_sink_fn sink,
                                 void *ctx, size_t *got)
{
    struct cli_slot *sl;
    int s = q->slot[q->head];
    uint32_t asked = q->len[q->head];
    const uint8_t *data = NULL;
    ntstatus_t st = cli_wait(c, s, &sl);
    if (nt_ok(st))
        st = cli_take_read(c, sl, asked, &data, got);
    if (nt_ok(st) && *got)
        st = sink(ctx, data, *got);
    cli_release(c, s);
    q->head = (q->head + 1) % DEPTH;
    q->count--;
    return st;
}

ntstatus_t signet_file_read_all(struct signet_file *f, signet_sink_fn sink, void *sink_ctx,
                                signet_progress_fn progress, void *progress_ctx)
{
    struct signet_conn *c = f->tree->conn;
    struct inflight q = {0};
    uint64_t next = 0, done = 0;
    bool eof = false;
    ntstatus_t st = STATUS_SUCCESS;
    while (nt_ok(st) && (!eof || q.count)) {
        /* Keep the pipe full up to the size seen at open; past it, one at a
         * time until the server says END_OF_FILE (the file may grow). */
        while (!eof && (next < f->size || q.count == 0)) {
            uint32_t len = chunk_size(c, c->max_read);
            if (!can_issue(c, &q, len))
                break;
            int slot = -1;
            st = cli_send_read(f, next, len, &slot);
            if (!nt_ok(st))
                break;
            push(&q, slot, next, len);
            next += len;
        }
        if (!nt_ok(st) || q.count == 0)
            break;
        size_t got = 0;
        uint32_t asked = q.len[q.head];
        st = take_head_read(c, &q, sink, sink_ctx, &got);
        done += got;
        if (got < asked)
            eof = true; /* a short read ends the file; later replies are dropped */
        if (progress && got)
            progress(progress_ctx, done);
        if (eof && nt_ok(st)) {
            drain(c, &q);
        }
    }
    drain(c, &q);
    return st;
}

static ntstatus_t take_head_write(struct signet_conn *c, struct inflight *q)
{
    struct cli_slot *sl;
    int s = q->slot[q->head];
    ntstatus_t st = cli_wait(c, s, &sl);
    if (nt_ok(st))
        st = cli_take_write(c, sl, q->len[q->head]);
    cli_release(c, s);
    q->head = (q->head + 1) % DEPTH;
    q->count--;
    return st;
}

/* Fill buf from the source until full or at its end. */
static ntstatus_t fill(signet_source_fn source, void *ctx, uint8_t *buf, size_t cap, size_t *len,
                       bool *end)
{
    *len = 0;
    while (*len < cap) {
        size_t got = 0;
        ntstatus_t st = source(ctx, buf + *len, cap - *len, &got);
        if (!nt_ok(st))
            return st;
        if (got == 0) {
            *end = true;
            break;
        }
        *len += got;
    }
    return STATUS_SUCCESS;
}

ntstatus_t signet_file_write_all(struct signet_file *f, signet_source_fn source, void *source_ctx,
                                 signet_progress_fn progress, void *progress_ctx, uint64_t *written)
{
    struct signet_conn *c = f->tree->conn;
    uint32_t max = c->max_write < CHUNK_MAX ? c->max_write : CHUNK_MAX;
    uint8_t *buf = malloc(max); /* one buffer: WRITE data leaves with the request */
    if (!buf)
        return STATUS_NO_MEMORY;
    struct inflight q = {0};
    uint64_t off = 0, acked = 0;
    bool end = false;
    ntstatus_t st = STATUS_SUCCESS;
    while (nt_ok(st) && (!end || q.count)) {
        while (!end) {
            uint32_t len = chunk_size(c, max);
            if (!can_issue(c, &q, len))
                break;
            size_t n = 0;
            st = fill(source, source_ctx, buf, len, &n, &end);
            if (!nt_ok(st) || n == 0)
                break;
            int slot = -1;
            st = cli_send_write(f, off, buf, (uint32_t)n, true, &slot); /* sealed in buf */
            if (!nt_ok(st))
                break;
            push(&q, slot, off, (uint32_t)n);
            off += n;
        }
        if (!nt_ok(st) || q.count == 0)
            break;
        uint32_t len = q.len[q.head];
        st = take_head_write(c, &q);
        if (nt_ok(st))
            acked += len;
        if (progress && nt_ok(st))
            progress(progress_ctx, acked);
    }
    drain(c, &q);
    free(buf);
    if (written)
        *written = acked;
    return st;
}
