/* UTF-8 <-> UTF-16LE, strict: ill-formed input (overlong or truncated UTF-8,
 * unpaired surrogates, odd UTF-16 lengths) is an error, never replaced. */
#ifndef SIGNET_BASE_UTF16_H
#define SIGNET_BASE_UTF16_H

#include <signet/ntstatus.h>
#include <stddef.h>
#include <stdint.h>

/* Convert in[0..in_len) to UTF-16LE in out (no terminator written).
 * *out_len receives the bytes produced. STATUS_BUFFER_TOO_SMALL when out_cap
 * is short, STATUS_OBJECT_NAME_INVALID for ill-formed UTF-8. */
ntstatus_t utf8_to_utf16le(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len);
/* Convert UTF-16LE to UTF-8 and NUL-terminate; *out_len excludes the NUL.
 * STATUS_BUFFER_TOO_SMALL when out_cap (which must hold the NUL too) is short,
 * STATUS_OBJECT_NAME_INVALID for an odd length or an unpaired surrogate. */
ntstatus_t utf16le_to_utf8(const uint8_t *in, size_t in_len, char *out, size_t out_cap,
                           size_t *out_len);
/* Bytes the UTF-16LE form of a UTF-8 string needs, or SIZE_MAX if ill-formed. */
size_t utf8_utf16le_len(const char *in, size_t in_len);

#endif
