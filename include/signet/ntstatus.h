/* ntstatus_t: the one error type of the protocol layers. */
#ifndef SIGNET_NTSTATUS_H
#define SIGNET_NTSTATUS_H

#include <stdbool.h>
#include <stdint.h>

/* A one-field struct, so the compiler refuses to mix a status with an int. */
typedef struct {
    uint32_t code;
} ntstatus_t;

#define NT_STATUS(v) ((ntstatus_t){.code = (uint32_t)(v)})

enum ntstatus_code {
#define X(name, value) name##_CODE = (uint32_t)(value),
#include <signet/ntstatus_list.h>
#undef X
};

#define X(name, value) static const ntstatus_t name = {.code = (uint32_t)(value)};
#include <signet/ntstatus_list.h>
#undef X

static inline bool nt_ok(ntstatus_t s)
{
    return s.code == 0;
}
static inline bool nt_eq(ntstatus_t a, ntstatus_t b)
{
    return a.code == b.code;
}
/* Severity bits 31..30 == 11: an error ([MS-ERREF] 2.3). Warnings such as
 * STATUS_BUFFER_OVERFLOW are not errors. */
static inline bool nt_is_error(ntstatus_t s)
{
    return (s.code >> 30) == 3;
}

/* "STATUS_ACCESS_DENIED", or "0xC0001234" (in a static thread-local buffer)
 * for a code we do not name. Never NULL. */
const char *nt_name(ntstatus_t s);

#endif
