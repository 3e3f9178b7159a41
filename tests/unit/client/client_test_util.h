/* A client connection over a socketpair: the test plays the server on the
 * other end, reading requests and writing responses by hand. */
#ifndef SIGNET_TESTS_CLIENT_UTIL_H
#define SIGNET_TESTS_CLIENT_UTIL_H

#include "client/core.h"
#include "wire/hdr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct pair {
    struct signet_conn *c;
    int peer; /* the "server" end */
};

static inline void pair_open(struct pair *p, uint16_t dialect)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        abort();
    p->c = calloc(1, sizeof *p->c);
    p->c->fd = sv[0];
    p->peer = sv[1];
    p->c->dialect = dialect;
    p->c->large_mtu = dialect >= SMB2_DIALECT_0210;
    p->c->credits = 64;
    p->c->max_read = p->c->max_write = p->c->max_transact = 1u << 20;
    p->c->policy = sec_client_policy_default();
    snprintf(p->c->host, sizeof p->c->host, "test");
}

static inline void pair_close(struct pair *p)
{
    if (p->peer >= 0)
        close(p->peer);
    signet_disconnect(p->c); /* no session established: sends nothing */
}

/* Read one request frame from the peer end into buf; returns its length. */
static inline size_t peer_read(struct pair *p, uint8_t *buf, size_t cap)
{
    uint8_t h[4];
    if (read(p->peer, h, 4) != 4)
        abort();
    size_t len = ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3];
    if (len > cap)
        abort();
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(p->peer, buf + got, len - got);
        if (r <= 0)
            abort();
        got += (size_t)r;
    }
    return len;
}

static inline void peer_write(struct pair *p, const uint8_t *msg, size_t len)
{
    uint8_t h[4];
    smb2_frame_encode(h, (uint32_t)len);
    if (write(p->peer, h, 4) != 4 || write(p->peer, msg, len) != (ssize_t)len)
        abort();
}

/* A response header for a request: same command, MessageId, session. */
static inline size_t make_response(uint8_t *out, size_t cap, const uint8_t *req, uint32_t status,
                                   const uint8_t *body, size_t body_len, uint32_t extra_flags)
{
    struct smb2_hdr rq, h;
    if (!nt_ok(smb2_hdr_decode(req, SMB2_HDR_SIZE, &rq)))
        abort();
    memset(&h, 0, sizeof h);
    h.command = rq.command;
    h.message_id = rq.message_id;
    h.session_id = rq.session_id;
    h.tree_id = rq.tree_id;
    h.status = status;
    h.credit_request = 8;
    h.flags = SMB2_FLAGS_SERVER_TO_REDIR | extra_flags;
    struct wr w;
    wr_init(&w, out, cap);
    if (!nt_ok(smb2_hdr_encode(&w, &h)))
        abort();
    wr_bytes(&w, body, body_len);
    if (!wr_ok(&w))
        abort();
    return wr_pos(&w);
}

#endif
