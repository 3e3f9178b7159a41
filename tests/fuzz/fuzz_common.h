/* Shared by the libFuzzer targets in tests/fuzz/.
 *
 * Every target defines LLVMFuzzerTestOneInput. Decoders must never read
 * outside their input (ASan catches that) nor hit undefined behaviour (UBSan,
 * built with -fno-sanitize-recover=all). Where an encoder exists and the
 * codec is exactly reversible, the targets re-encode what they decoded,
 * decode that again and abort() when any field differs: the round-trip
 * oracle. */
#ifndef SIGNET_FUZZ_COMMON_H
#define SIGNET_FUZZ_COMMON_H

#include <signet/ntstatus.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The oracle failed: print where and why, then abort so libFuzzer keeps the
 * input as a crash. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: round-trip oracle failed: %s\n", __FILE__, __LINE__, #cond);   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Re-encode must succeed for a value that was just decoded. */
#define FUZZ_CHECK_OK(expr)                                                                        \
    do {                                                                                           \
        ntstatus_t st_ = (expr);                                                                   \
        if (!nt_ok(st_)) {                                                                         \
            fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr, nt_name(st_));    \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Two views of bytes equal (both NULL/empty counts as equal). */
static inline int fuzz_same_bytes(const void *a, size_t alen, const void *b, size_t blen)
{
    if (alen != blen)
        return 0;
    if (alen == 0)
        return 1;
    return a != NULL && b != NULL && memcmp(a, b, alen) == 0;
}

/* A decoded view [p, p + n) must lie inside the message it came from. */
static inline int fuzz_within(const void *p, size_t n, const void *base, size_t base_len)
{
    if (n == 0)
        return 1;
    const uint8_t *b = base, *q = p;
    return q != NULL && q >= b && (size_t)(q - b) <= base_len && n <= base_len - (size_t)(q - b);
}
#define FUZZ_WITHIN(p, n, base, base_len) FUZZ_CHECK(fuzz_within((p), (n), (base), (base_len)))

/* A copy of data[0..n) in its own exact-size heap block, so that ASan flags
 * a decoder reading even one byte past the extent it was given. */
static inline uint8_t *fuzz_dup(const uint8_t *data, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    if (p == NULL)
        abort();
    if (n)
        memcpy(p, data, n);
    return p;
}

/* Keep the compiler from dropping a decode whose result is otherwise unused. */
static inline void fuzz_consume(const void *p, size_t n)
{
    volatile uint8_t sink = 0;
    const uint8_t *b = p;
    for (size_t i = 0; b != NULL && i < n; i++)
        sink ^= b[i];
    (void)sink;
}

#endif
