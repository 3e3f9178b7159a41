#include "base/buf.h"

#include "base/mem.h"

#include <stdlib.h>
#include <string.h>

ntstatus_t buf_reserve(struct buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len)
        return STATUS_NO_MEMORY;
    size_t need = b->len + extra;
    if (need <= b->cap)
        return STATUS_SUCCESS;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p)
        return STATUS_NO_MEMORY;
    b->p = p;
    b->cap = cap;
    return STATUS_SUCCESS;
}

ntstatus_t buf_append(struct buf *b, const void *src, size_t n)
{
    ntstatus_t st = buf_reserve(b, n);
    if (!nt_ok(st))
        return st;
    if (n)
        memcpy(b->p + b->len, src, n);
    b->len += n;
    return STATUS_SUCCESS;
}

void buf_free(struct buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void buf_free_secret(struct buf *b)
{
    secure_zero(b->p, b->cap);
    buf_free(b);
}

size_t iov_total(const struct iovec *iov, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (iov[i].iov_len > SIZE_MAX - total)
            return SIZE_MAX;
        total += iov[i].iov_len;
    }
    return total;
}

bool iov_copy_out(const struct iovec *iov, size_t n, size_t off, void *dst, size_t len)
{
    size_t total = iov_total(iov, n);
    if (total == SIZE_MAX || off > total || len > total - off)
        return false;
    uint8_t *out = dst;
    for (size_t i = 0; i < n && len; i++) {
        if (off >= iov[i].iov_len) {
            off -= iov[i].iov_len;
            continue;
        }
        size_t take = iov[i].iov_len - off;
        if (take > len)
            take = len;
        memcpy(out, (const uint8_t *)iov[i].iov_base + off, take);
        out += take;
        len -= take;
        off = 0;
    }
    return true;
}
