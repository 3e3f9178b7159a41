/* Direct TCP transport ([MS-SMB2] 2.1): a 4-byte length prefix per frame. */
#include "base/status.h"
#include "client/core.h"
#include "wire/hdr.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

ntstatus_t cli_tcp_connect(const char *host, uint16_t port, int *fd, char *err, size_t err_len)
{
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%u", port ? port : 445u);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(err, err_len, "cannot resolve %s: %s", host, gai_strerror(rc));
        return STATUS_BAD_NETWORK_PATH;
    }
    int last = 0;
    *fd = -1;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int s = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (s < 0) {
            last = errno;
            continue;
        }
        if (connect(s, a->ai_addr, a->ai_addrlen) == 0) {
            int one = 1;
            setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            *fd = s;
            break;
        }
        last = errno;
        close(s);
    }
    freeaddrinfo(res);
    if (*fd >= 0)
        return STATUS_SUCCESS;
    snprintf(err, err_len, "cannot connect to %s port %s: %s", host, portstr, strerror(last));
    return last == ECONNREFUSED ? STATUS_CONNECTION_REFUSED : STATUS_HOST_UNREACHABLE;
}

ntstatus_t cli_tcp_send(int fd, const struct iovec *iov_in, size_t n)
{
    struct iovec iov[8];
    if (n > 8)
        return STATUS_INTERNAL_ERROR;
    memcpy(iov, iov_in, n * sizeof *iov);
    struct iovec *p = iov;
    while (n > 0) {
        /* sendmsg for MSG_NOSIGNAL: a library must not die of SIGPIPE. */
        struct msghdr mh = {.msg_iov = p, .msg_iovlen = n};
        ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return STATUS_CONNECTION_RESET;
        }
        size_t left = (size_t)w;
        while (n > 0 && left >= p->iov_len) {
            left -= p->iov_len;
            p++;
            n--;
        }
        if (n > 0) {
            p->iov_base = (uint8_t *)p->iov_base + left;
            p->iov_len -= left;
        }
    }
    return STATUS_SUCCESS;
}

static ntstatus_t read_full(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r == 0)
            return STATUS_CONNECTION_DISCONNECTED;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN || errno == EWOULDBLOCK ? STATUS_IO_TIMEOUT
                                                           : STATUS_CONNECTION_RESET;
        }
        p += r;
        n -= (size_t)r;
    }
    return STATUS_SUCCESS;
}

ntstatus_t cli_tcp_recv(int fd, struct buf *b)
{
    uint8_t hdr[4];
    uint32_t len = 0;
    ntstatus_t st = read_full(fd, hdr, sizeof hdr);
    if (nt_ok(st))
        st = smb2_frame_decode(hdr, SMB2_MAX_FRAME, &len);
    if (!nt_ok(st))
        return nt_eq(st, STATUS_INVALID_PARAMETER) ? STATUS_INVALID_NETWORK_RESPONSE : st;
    buf_reset(b);
    st = buf_reserve(b, len);
    if (nt_ok(st))
        st = read_full(fd, b->p, len);
    if (nt_ok(st))
        b->len = len;
    return st;
}
