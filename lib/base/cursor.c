#include "base/cursor.h"

#include "base/endian.h"
#include "base/utf16.h"

#include <string.h>

static const uint8_t empty_byte;

void rd_init(struct rd *r, const void *p, size_t len)
{
    r->p = p ? p : &empty_byte;
    r->len = p ? len : 0;
    r->off = 0;
    r->st = STATUS_SUCCESS;
}

void rd_fail(struct rd *r, ntstatus_t st)
{
    if (nt_ok(r->st))
        r->st = nt_ok(st) ? STATUS_INTERNAL_ERROR : st;
}

/* Advance by n, returning the old position, or NULL after recording overrun. */
static const uint8_t *rd_take(struct rd *r, size_t n)
{
    if (!nt_ok(r->st))
        return NULL;
    if (n > r->len - r->off) {
        rd_fail(r, STATUS_INVALID_PARAMETER);
        return NULL;
    }
    const uint8_t *at = r->p + r->off;
    r->off += n;
    return at;
}

uint8_t rd_u8(struct rd *r)
{
    const uint8_t *b = rd_take(r, 1);
    return b ? b[0] : 0;
}

uint16_t rd_u16(struct rd *r)
{
    const uint8_t *b = rd_take(r, 2);
    return b ? le16_get(b) : 0;
}

uint32_t rd_u32(struct rd *r)
{
    const uint8_t *b = rd_take(r, 4);
    return b ? le32_get(b) : 0;
}

uint64_t rd_u64(struct rd *r)
{
    const uint8_t *b = rd_take(r, 8);
    return b ? le64_get(b) : 0;
}

const uint8_t *rd_bytes(struct rd *r, size_t n)
{
    return rd_take(r, n);
}

void rd_copy(struct rd *r, void *dst, size_t n)
{
    const uint8_t *b = rd_take(r, n);
    if (b)
        memcpy(dst, b, n);
    else if (n)
        memset(dst, 0, n);
}

void rd_skip(struct rd *r, size_t n)
{
    (void)rd_take(r, n);
}

void rd_seek(struct rd *r, size_t off)
{
    if (!nt_ok(r->st))
        return;
    if (off > r->len)
        rd_fail(r, STATUS_INVALID_PARAMETER);
    else
        r->off = off;
}

void rd_align(struct rd *r, size_t align, bool allow_end)
{
    if (!nt_ok(r->st))
        return;
    size_t pad = (align - (r->off & (align - 1))) & (align - 1);
    if (pad <= r->len - r->off)
        r->off += pad;
    else if (allow_end)
        r->off = r->len;
    else
        rd_fail(r, STATUS_INVALID_PARAMETER);
}

struct rd rd_sub(struct rd *r, size_t off, size_t len)
{
    struct rd sub;
    rd_init(&sub, NULL, 0);
    if (!nt_ok(r->st)) {
        sub.st = r->st;
        return sub;
    }
    if (off > r->len || len > r->len - off) {
        rd_fail(r, STATUS_INVALID_PARAMETER);
        sub.st = r->st;
        return sub;
    }
    rd_init(&sub, r->p + off, len);
    return sub;
}

void rd_utf16(struct rd *r, size_t nbytes, char *out, size_t out_cap)
{
    const uint8_t *b = rd_take(r, nbytes);
    if (out_cap)
        out[0] = '\0';
    if (!b)
        return;
    size_t n = 0;
    ntstatus_t st = utf16le_to_utf8(b, nbytes, out, out_cap, &n);
    if (!nt_ok(st))
        rd_fail(r, st);
}

void wr_init(struct wr *w, void *p, size_t cap)
{
    w->p = p;
    w->cap = p ? cap : 0;
    w->off = 0;
    w->st = STATUS_SUCCESS;
}

void wr_fail(struct wr *w, ntstatus_t st)
{
    if (nt_ok(w->st))
        w->st = nt_ok(st) ? STATUS_INTERNAL_ERROR : st;
}

uint8_t *wr_reserve(struct wr *w, size_t n)
{
    if (!nt_ok(w->st))
        return NULL;
    if (n > w->cap - w->off) {
        wr_fail(w, STATUS_BUFFER_TOO_SMALL);
        return NULL;
    }
    uint8_t *at = w->p + w->off;
    w->off += n;
    return at;
}

void wr_u8(struct wr *w, uint8_t v)
{
    uint8_t *b = wr_reserve(w, 1);
    if (b)
        b[0] = v;
}

void wr_u16(struct wr *w, uint16_t v)
{
    uint8_t *b = wr_reserve(w, 2);
    if (b)
        le16_put(b, v);
}

void wr_u32(struct wr *w, uint32_t v)
{
    uint8_t *b = wr_reserve(w, 4);
    if (b)
        le32_put(b, v);
}

void wr_u64(struct wr *w, uint64_t v)
{
    uint8_t *b = wr_reserve(w, 8);
    if (b)
        le64_put(b, v);
}

void wr_bytes(struct wr *w, const void *src, size_t n)
{
    uint8_t *b = wr_reserve(w, n);
    if (b && n)
        memcpy(b, src, n);
}

void wr_zero(struct wr *w, size_t n)
{
    uint8_t *b = wr_reserve(w, n);
    if (b && n)
        memset(b, 0, n);
}

void wr_align(struct wr *w, size_t align)
{
    size_t pad = (align - (w->off & (align - 1))) & (align - 1);
    wr_zero(w, pad);
}

static uint8_t *wr_at(struct wr *w, size_t off, size_t n)
{
    if (!nt_ok(w->st))
        return NULL;
    if (off > w->off || n > w->off - off) {
        wr_fail(w, STATUS_INTERNAL_ERROR);
        return NULL;
    }
    return w->p + off;
}

void wr_u16_at(struct wr *w, size_t off, uint16_t v)
{
    uint8_t *b = wr_at(w, off, 2);
    if (b)
        le16_put(b, v);
}

void wr_u32_at(struct wr *w, size_t off, uint32_t v)
{
    uint8_t *b = wr_at(w, off, 4);
    if (b)
        le32_put(b, v);
}

size_t wr_utf16(struct wr *w, const char *s, size_t s_len)
{
    if (!nt_ok(w->st))
        return 0;
    size_t n = 0;
    ntstatus_t st = utf8_to_utf16le(s, s_len, w->p + w->off, w->cap - w->off, &n);
    if (!nt_ok(st)) {
        wr_fail(w, st);
        return 0;
    }
    w->off += n;
    return n;
}
