#include "base/utf16.h"

#include "base/endian.h"

#include <stdbool.h>

/* Decode one code point from UTF-8; returns its length or 0 if ill-formed. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len;
    uint32_t min;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2, min = 0x80, *cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3, min = 0x800, *cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4, min = 0x10000, *cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        *cp = *cp << 6 | (s[i] & 0x3F);
    }
    if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return len;
}

static size_t utf8_encode(uint32_t cp, unsigned char out[4])
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | cp >> 6);
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | cp >> 12);
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

ntstatus_t utf8_to_utf16le(const char *in, size_t in_len, uint8_t *out, size_t out_cap,
                           size_t *out_len)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0;
    *out_len = 0;
    for (size_t i = 0; i < in_len;) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, in_len - i, &cp);
        if (n == 0)
            return STATUS_OBJECT_NAME_INVALID;
        i += n;
        size_t need = cp >= 0x10000 ? 4 : 2;
        if (need > out_cap - o)
            return STATUS_BUFFER_TOO_SMALL;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            le16_put(out + o, (uint16_t)(0xD800 | cp >> 10));
            le16_put(out + o + 2, (uint16_t)(0xDC00 | (cp & 0x3FF)));
        } else {
            le16_put(out + o, (uint16_t)cp);
        }
        o += need;
    }
    *out_len = o;
    return STATUS_SUCCESS;
}

size_t utf8_utf16le_len(const char *in, size_t in_len)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t total = 0;
    for (size_t i = 0; i < in_len;) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, in_len - i, &cp);
        if (n == 0)
            return SIZE_MAX;
        i += n;
        total += cp >= 0x10000 ? 4 : 2;
    }
    return total;
}

ntstatus_t utf16le_to_utf8(const uint8_t *in, size_t in_len, char *out, size_t out_cap,
                           size_t *out_len)
{
    *out_len = 0;
    if (out_cap == 0)
        return STATUS_BUFFER_TOO_SMALL;
    out[0] = '\0';
    if (in_len % 2)
        return STATUS_OBJECT_NAME_INVALID;
    size_t o = 0;
    for (size_t i = 0; i < in_len; i += 2) {
        uint32_t cp = le16_get(in + i);
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return STATUS_OBJECT_NAME_INVALID;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (in_len - i < 4)
                return STATUS_OBJECT_NAME_INVALID;
            uint32_t lo = le16_get(in + i + 2);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return STATUS_OBJECT_NAME_INVALID;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 2;
        }
        unsigned char enc[4];
        size_t n = utf8_encode(cp, enc);
        if (n + 1 > out_cap - o) {
            out[o] = '\0';
            return STATUS_BUFFER_TOO_SMALL;
        }
        for (size_t k = 0; k < n; k++)
            out[o++] = (char)enc[k];
    }
    out[o] = '\0';
    *out_len = o;
    return STATUS_SUCCESS;
}
