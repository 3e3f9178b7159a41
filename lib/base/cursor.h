/* The bounded cursor: the only way Signet reads or writes protocol bytes.
 *
 * A reader (struct rd) walks a byte range; a writer (struct wr) fills one.
 * Every operation checks bounds. The first failure is sticky: it is recorded
 * in the cursor, later reads return zeros / NULL and later writes do nothing,
 * so a decoder can read a whole structure and check once at the end with
 * rd_status() / wr_status(), which the compiler will not let a caller ignore.
 *
 * Offsets (rd_seek, rd_sub, wr_*_at) are absolute: relative to the start of
 * the range the cursor was initialised with. Wire codecs initialise cursors at
 * the SMB2 header, so that the spec's "offset from the beginning of the SMB2
 * header" fields map directly onto them. */
#ifndef SIGNET_BASE_CURSOR_H
#define SIGNET_BASE_CURSOR_H

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SG_MUST_CHECK __attribute__((warn_unused_result))

struct rd {
    const uint8_t *p;
    size_t len;
    size_t off;
    ntstatus_t st; /* first error; STATUS_SUCCESS while all is well */
};

struct wr {
    uint8_t *p;
    size_t cap;
    size_t off;
    ntstatus_t st;
};

/* ---- reader ---- */
void rd_init(struct rd *r, const void *p, size_t len);
/* Record an error (the first one wins) and poison the cursor. */
void rd_fail(struct rd *r, ntstatus_t st);
SG_MUST_CHECK static inline ntstatus_t rd_status(const struct rd *r)
{
    return r->st;
}
static inline bool rd_ok(const struct rd *r)
{
    return nt_ok(r->st);
}
static inline size_t rd_left(const struct rd *r)
{
    return nt_ok(r->st) ? r->len - r->off : 0;
}
static inline size_t rd_pos(const struct rd *r)
{
    return r->off;
}

uint8_t rd_u8(struct rd *r);
uint16_t rd_u16(struct rd *r);
uint32_t rd_u32(struct rd *r);
uint64_t rd_u64(struct rd *r);
/* Pointer to the next n bytes (advancing past them), or NULL on overrun.
 * n == 0 returns a valid non-NULL pointer when the cursor is healthy. */
const uint8_t *rd_bytes(struct rd *r, size_t n);
void rd_copy(struct rd *r, void *dst, size_t n);
void rd_skip(struct rd *r, size_t n);
/* Move to absolute offset off (off == len is allowed). */
void rd_seek(struct rd *r, size_t off);
/* Skip forward to the next multiple of align (a power of two); past the end is
 * an error unless allow_end and the end is reached exactly or passed by padding
 * that simply is not there (the last element of a chain needs no padding). */
void rd_align(struct rd *r, size_t align, bool allow_end);
/* A sub-reader over [off, off+len) of r's range, positioned at its start.
 * Fails r (and returns an empty, failed sub-reader) when the region does not
 * lie entirely inside r. Does not move r. */
struct rd rd_sub(struct rd *r, size_t off, size_t len);
/* Read a UTF-16LE string of nbytes into out as NUL-terminated UTF-8. */
void rd_utf16(struct rd *r, size_t nbytes, char *out, size_t out_cap);
/* Fail with STATUS_INVALID_PARAMETER unless cond holds: for checks that are
 * part of decoding (StructureSize, counts against limits). */
static inline void rd_require(struct rd *r, bool cond)
{
    if (!cond)
        rd_fail(r, STATUS_INVALID_PARAMETER);
}

/* ---- writer ---- */
void wr_init(struct wr *w, void *p, size_t cap);
void wr_fail(struct wr *w, ntstatus_t st);
SG_MUST_CHECK static inline ntstatus_t wr_status(const struct wr *w)
{
    return w->st;
}
static inline bool wr_ok(const struct wr *w)
{
    return nt_ok(w->st);
}
static inline size_t wr_pos(const struct wr *w)
{
    return w->off;
}
static inline size_t wr_left(const struct wr *w)
{
    return nt_ok(w->st) ? w->cap - w->off : 0;
}

void wr_u8(struct wr *w, uint8_t v);
void wr_u16(struct wr *w, uint16_t v);
void wr_u32(struct wr *w, uint32_t v);
void wr_u64(struct wr *w, uint64_t v);
void wr_bytes(struct wr *w, const void *src, size_t n);
void wr_zero(struct wr *w, size_t n);
/* Reserve n bytes to be filled later: pointer, or NULL on overflow. */
uint8_t *wr_reserve(struct wr *w, size_t n);
/* Pad with zero bytes up to the next multiple of align (a power of two). */
void wr_align(struct wr *w, size_t align);
/* Back-patch at an absolute offset that has already been written. */
void wr_u16_at(struct wr *w, size_t off, uint16_t v);
void wr_u32_at(struct wr *w, size_t off, uint32_t v);
/* Write s (UTF-8) as UTF-16LE without a terminator; returns the bytes written. */
size_t wr_utf16(struct wr *w, const char *s, size_t s_len);

#endif
