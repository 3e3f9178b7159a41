/* Shared checks for the commands whose body is only StructureSize (4) and a
 * Reserved u16: LOGOFF, TREE_DISCONNECT, ECHO (requests and responses) and
 * CANCEL. Each test file generates two adapters per message with
 * RESERVED_BODY_ADAPTERS and calls check_reserved_body on them. */
#ifndef SIGNET_TESTS_RESERVED_BODY_CHECK_H
#define SIGNET_TESTS_RESERVED_BODY_CHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/cursor.h"

typedef ntstatus_t (*reserved_decode_fn)(const uint8_t *msg, size_t len, uint16_t *reserved);
typedef ntstatus_t (*reserved_encode_fn)(struct wr *w, uint16_t reserved);

#define RESERVED_BODY_ADAPTERS(type)                                                               \
    static ntstatus_t type##_dec(const uint8_t *msg, size_t len, uint16_t *reserved)               \
    {                                                                                              \
        struct smb2_##type v = {.reserved = 0x5555};                                               \
        ntstatus_t st = smb2_##type##_decode(msg, len, &v);                                        \
        *reserved = v.reserved;                                                                    \
        return st;                                                                                 \
    }                                                                                              \
    static ntstatus_t type##_enc(struct wr *w, uint16_t reserved)                                  \
    {                                                                                              \
        struct smb2_##type v = {.reserved = reserved};                                             \
        return smb2_##type##_encode(w, &v);                                                        \
    }

/* Decode from a heap copy of exactly n bytes, so ASan sees any over-read. */
static inline uint32_t reserved_decode_exact(reserved_decode_fn dec, const uint8_t *src, size_t n,
                                             uint16_t *reserved)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, src, n);
    ntstatus_t st = dec(copy, n, reserved);
    free(copy);
    return st.code;
}

static inline void check_reserved_body(reserved_decode_fn dec, reserved_encode_fn enc)
{
    uint8_t buf[80];
    uint16_t reserved = 0x5555;
    struct wr w;
    wr_init(&w, buf, sizeof buf);
    wr_zero(&w, 64);
    assert_true(nt_ok(enc(&w, 0)));
    assert_int_equal(wr_pos(&w), 68);
    assert_memory_equal(buf + 64, "\x04\x00\x00\x00", 4);
    assert_int_equal(reserved_decode_exact(dec, buf, 68, &reserved), 0);
    assert_int_equal(reserved, 0);
    /* Reserved is carried, not checked: receivers ignore it. */
    buf[66] = 0x34;
    buf[67] = 0x12;
    assert_int_equal(reserved_decode_exact(dec, buf, 68, &reserved), 0);
    assert_int_equal(reserved, 0x1234);
    /* Trailing bytes (padding before the next compound element) are fine. */
    assert_int_equal(reserved_decode_exact(dec, buf, 72, &reserved), 0);
    for (size_t n = 0; n < 68; n++)
        assert_int_equal(reserved_decode_exact(dec, buf, n, &reserved),
                         STATUS_INVALID_PARAMETER_CODE);
    static const uint8_t bad_sizes[][2] = {{5, 0}, {0, 0}, {4, 1}};
    for (size_t i = 0; i < 3; i++) {
        memcpy(buf + 64, bad_sizes[i], 2);
        assert_int_equal(reserved_decode_exact(dec, buf, 68, &reserved),
                         STATUS_INVALID_PARAMETER_CODE);
    }
    wr_init(&w, buf, 67); /* one byte short */
    wr_zero(&w, 64);
    assert_int_equal(enc(&w, 0).code, STATUS_BUFFER_TOO_SMALL_CODE);
}

#endif
