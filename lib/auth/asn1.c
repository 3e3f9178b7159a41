/* Minimal bounded DER (X.690 8.1, 10.1) for SPNEGO; see asn1.h. */
#include "auth/asn1.h"

#include <string.h>

void der_init(struct der *d, const void *p, size_t len)
{
    rd_init(&d->r, p, len);
    d->depth = 0;
}

void der_fail(struct der *d)
{
    rd_fail(&d->r, STATUS_INVALID_PARAMETER);
}

/* Long-form length octets (X.690 8.1.3.5), n of them: at most 4, and minimal
 * as DER requires (10.1): no leading zero octet, no long form below 128. */
static size_t der_read_long_length(struct rd *r, unsigned n)
{
    if (n > 4) {
        rd_fail(r, STATUS_INVALID_PARAMETER);
        return 0;
    }
    size_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t b = rd_u8(r);
        if (i == 0 && b == 0)
            rd_fail(r, STATUS_INVALID_PARAMETER);
        v = v << 8 | b;
    }
    if (v < 0x80)
        rd_fail(r, STATUS_INVALID_PARAMETER);
    return rd_ok(r) ? v : 0;
}

/* Identifier and length of the next element; the length must fit in what is
 * left. Returns false (with r failed) on any violation. */
static bool der_read_header(struct rd *r, uint8_t *tag, size_t *len)
{
    uint8_t t = rd_u8(r);
    uint8_t l0 = rd_u8(r);
    if (!rd_ok(r))
        return false;
    if ((t & DER_HIGH_TAG_NUMBER) == DER_HIGH_TAG_NUMBER) {
        rd_fail(r, STATUS_INVALID_PARAMETER); /* high-tag-number form: unused by SPNEGO */
        return false;
    }
    size_t n = l0;
    if (l0 == 0x80)
        rd_fail(r, STATUS_INVALID_PARAMETER); /* indefinite length: BER only (10.1) */
    else if (l0 > 0x80)
        n = der_read_long_length(r, l0 & 0x7Fu);
    if (rd_ok(r) && n > rd_left(r))
        rd_fail(r, STATUS_INVALID_PARAMETER);
    *tag = t;
    *len = n;
    return rd_ok(r);
}

uint8_t der_peek_tag(const struct der *d)
{
    if (!der_ok(d) || der_at_end(d))
        return 0;
    return d->r.p[d->r.off];
}

void der_read_any(struct der *d, uint8_t *tag, struct der *inner, struct rd *whole)
{
    size_t start = rd_pos(&d->r), len = 0;
    *tag = 0;
    der_init(inner, NULL, 0);
    inner->depth = d->depth + 1;
    if (whole)
        rd_init(whole, NULL, 0);
    if (d->depth + 1 > DER_MAX_DEPTH)
        der_fail(d);
    if (!der_ok(d) || !der_read_header(&d->r, tag, &len)) {
        der_fail(inner);
        if (whole)
            rd_fail(whole, STATUS_INVALID_PARAMETER);
        return;
    }
    inner->r = rd_sub(&d->r, rd_pos(&d->r), len);
    rd_skip(&d->r, len);
    if (whole)
        *whole = rd_sub(&d->r, start, rd_pos(&d->r) - start);
}

void der_enter(struct der *d, uint8_t tag, struct der *inner)
{
    uint8_t got = 0;
    der_read_any(d, &got, inner, NULL);
    if (der_ok(d) && got != tag) {
        der_fail(d);
        der_fail(inner);
    }
}

void der_read_prim(struct der *d, uint8_t tag, const uint8_t **val, size_t *len)
{
    struct der inner;
    der_enter(d, tag, &inner);
    *len = rd_left(&inner.r);
    *val = rd_bytes(&inner.r, *len);
    der_leave(d, &inner);
    if (!der_ok(d)) {
        *val = NULL;
        *len = 0;
    }
}

uint8_t der_read_enum(struct der *d)
{
    const uint8_t *v = NULL;
    size_t n = 0;
    der_read_prim(d, DER_ENUMERATED, &v, &n);
    /* One content octet, non-negative: SPNEGO's negState is 0..3. */
    if (der_ok(d) && (n != 1 || v[0] > 0x7F))
        der_fail(d);
    return der_ok(d) ? v[0] : 0;
}

void der_require_end(struct der *d)
{
    if (der_ok(d) && !der_at_end(d))
        der_fail(d);
}

void der_leave(struct der *outer, struct der *inner)
{
    der_require_end(inner);
    if (!der_ok(inner))
        der_fail(outer);
}

/* Recursive walk for der_validate; recursion is bounded by max_depth. */
static void der_walk(struct der *d, unsigned max_depth)
{
    while (der_ok(d) && !der_at_end(d)) {
        uint8_t tag = 0;
        struct der inner;
        if (d->depth + 1 > max_depth) {
            der_fail(d);
            return;
        }
        der_read_any(d, &tag, &inner, NULL);
        if (der_ok(d) && (tag & DER_CONSTRUCTED_BIT))
            der_walk(&inner, max_depth);
        else
            rd_skip(&inner.r, rd_left(&inner.r)); /* primitive: contents are opaque */
        der_leave(d, &inner);
    }
}

ntstatus_t der_validate(const void *p, size_t len, unsigned max_depth)
{
    struct der d;
    der_init(&d, p, len);
    if (max_depth > DER_MAX_DEPTH)
        max_depth = DER_MAX_DEPTH;
    if (len == 0)
        der_fail(&d);
    der_walk(&d, max_depth);
    return der_status(&d);
}

/* ---- writer ---- */

size_t der_begin(struct wr *w, uint8_t tag)
{
    size_t mark = wr_pos(w);
    wr_u8(w, tag);
    wr_u8(w, 0); /* short-form placeholder, fixed by der_end */
    return mark;
}

/* Octets needed for the long form's length value. */
static unsigned der_length_octets(size_t n)
{
    unsigned k = 1;
    while (k < sizeof(size_t) && (n >> (8 * k)) != 0)
        k++;
    return k;
}

void der_end(struct wr *w, size_t mark)
{
    if (!wr_ok(w))
        return;
    if (mark + 2 > wr_pos(w)) {
        wr_fail(w, STATUS_INTERNAL_ERROR);
        return;
    }
    size_t content = wr_pos(w) - (mark + 2);
    if (content < 0x80) {
        w->p[mark + 1] = (uint8_t)content;
        return;
    }
    unsigned k = der_length_octets(content);
    if (k > 4 || !wr_reserve(w, k)) { /* grow by k; fails if no room */
        wr_fail(w, STATUS_BUFFER_TOO_SMALL);
        return;
    }
    memmove(w->p + mark + 2 + k, w->p + mark + 2, content);
    w->p[mark + 1] = (uint8_t)(0x80u | k);
    for (unsigned i = 0; i < k; i++)
        w->p[mark + 2 + i] = (uint8_t)(content >> (8 * (k - 1 - i)));
}

void der_put_prim(struct wr *w, uint8_t tag, const void *val, size_t len)
{
    size_t mark = der_begin(w, tag);
    wr_bytes(w, val, len);
    der_end(w, mark);
}

void der_put_enum(struct wr *w, uint8_t value)
{
    der_put_prim(w, DER_ENUMERATED, &value, 1);
}
