/* A minimal, bounded DER reader and writer: just what SPNEGO needs
 * (RFC 4178, RFC 2743 3.1; X.690 8.1 and 10.1 for the encoding rules).
 *
 * Reading: a struct der is a bounded cursor plus the nesting depth. der_enter()
 * reads one element's identifier and length and hands back a cursor over its
 * contents, one level deeper. Every failure is sticky in the cursor, like
 * base/cursor.h: decode a whole structure, then check der_status() once.
 * Rejected: high-tag-number identifiers, the indefinite length (0x80), lengths
 * of more than 4 octets, non-minimal lengths (DER), lengths past the enclosing
 * element, and nesting deeper than DER_MAX_DEPTH.
 *
 * Writing: der_begin() writes an identifier and a one-octet length placeholder;
 * der_end() patches in the real (minimal) length, moving the contents when the
 * long form needs more octets. Failures are sticky in the struct wr. */
#ifndef SIGNET_AUTH_ASN1_H
#define SIGNET_AUTH_ASN1_H

#include "base/cursor.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest element nesting accepted: SPNEGO needs 6 (token, choice, sequence,
 * context tag, sequence, OID); anything much deeper is an attack. */
#define DER_MAX_DEPTH 10

/* Identifier octets used here (X.690 8.1.2). */
#define DER_BOOLEAN         0x01
#define DER_INTEGER         0x02
#define DER_BIT_STRING      0x03
#define DER_OCTET_STRING    0x04
#define DER_OID             0x06
#define DER_ENUMERATED      0x0A
#define DER_GENERAL_STRING  0x1B
#define DER_SEQUENCE        0x30
#define DER_APPLICATION_0   0x60                    /* [APPLICATION 0] constructed, RFC 2743 3.1 */
#define DER_CONTEXT(n)      ((uint8_t)(0xA0 | (n))) /* [n] constructed, n < 31 */
#define DER_CONSTRUCTED_BIT 0x20
#define DER_HIGH_TAG_NUMBER 0x1F

struct der {
    struct rd r;
    unsigned depth;
};

/* A reader over p[0..len) at depth 0. */
void der_init(struct der *d, const void *p, size_t len);
SG_MUST_CHECK static inline ntstatus_t der_status(const struct der *d)
{
    return rd_status(&d->r);
}
static inline bool der_ok(const struct der *d)
{
    return rd_ok(&d->r);
}
static inline bool der_at_end(const struct der *d)
{
    return rd_left(&d->r) == 0;
}
void der_fail(struct der *d);

/* The identifier octet of the next element, or 0 at the end / on error. */
uint8_t der_peek_tag(const struct der *d);
/* Read any element: *tag gets its identifier, *inner its contents (one level
 * deeper), and if whole is not NULL, *whole the element's exact bytes
 * (identifier, length and contents). */
void der_read_any(struct der *d, uint8_t *tag, struct der *inner, struct rd *whole);
/* Read an element that must carry identifier tag. */
void der_enter(struct der *d, uint8_t tag, struct der *inner);
/* Read a primitive element with identifier tag; val and len view its contents. */
void der_read_prim(struct der *d, uint8_t tag, const uint8_t **val, size_t *len);
/* ENUMERATED that fits in 0..255 (SPNEGO negState). */
uint8_t der_read_enum(struct der *d);
/* Fail unless the cursor is at its end (no trailing bytes inside an element). */
void der_require_end(struct der *d);
/* Done with inner (entered from outer): inner must be fully consumed, and its
 * failure, if any, becomes outer's. */
void der_leave(struct der *outer, struct der *inner);

/* Walk every element of p[0..len) (constructed ones recursively) and check the
 * encoding rules above, up to max_depth (<= DER_MAX_DEPTH) levels; trailing
 * bytes after the top-level elements are an error. */
SG_MUST_CHECK ntstatus_t der_validate(const void *p, size_t len, unsigned max_depth);

/* ---- writer ---- */
/* Begin an element; returns the mark to give der_end(). */
size_t der_begin(struct wr *w, uint8_t tag);
/* Close the element begun at mark, writing its minimal length. */
void der_end(struct wr *w, size_t mark);
/* A complete primitive element. */
void der_put_prim(struct wr *w, uint8_t tag, const void *val, size_t len);
void der_put_enum(struct wr *w, uint8_t value);

#endif
