/* Growable byte buffers and iovec helpers.
 * A struct buf allocates only when it grows, so a buffer reused per message
 * (buf_reset between uses) costs no allocation once warm. */
#ifndef SIGNET_BASE_BUF_H
#define SIGNET_BASE_BUF_H

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct buf {
    uint8_t *p;
    size_t len;
    size_t cap;
};

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Make room for extra more bytes after len; STATUS_NO_MEMORY on failure. */
ntstatus_t buf_reserve(struct buf *b, size_t extra);
ntstatus_t buf_append(struct buf *b, const void *src, size_t n);
/* Forget the contents, keep the memory. */
static inline void buf_reset(struct buf *b)
{
    b->len = 0;
}
void buf_free(struct buf *b);
/* For buffers that held key material or passwords: zero, then free. */
void buf_free_secret(struct buf *b);

/* Sum of the lengths; SIZE_MAX if it would overflow. */
size_t iov_total(const struct iovec *iov, size_t n);
/* Copy len bytes starting at logical offset off of the iovec array into dst.
 * False (dst untouched) if the range is not entirely inside. */
bool iov_copy_out(const struct iovec *iov, size_t n, size_t off, void *dst, size_t len);

#endif
