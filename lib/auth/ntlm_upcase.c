/* Uppercasing for NTOWFv2's Upper(User) ([MS-NLMP] 3.3.2): Windows maps each
 * UTF-16 code unit through a one-to-one upcase table; this covers the scripts
 * listed in ntlm_crypto.h and leaves every other code unit unchanged. */
#include "auth/ntlm_crypto.h"

#include "base/endian.h"

/* Latin Extended-A (U+0100..U+017F): case pairs are (even upper, odd lower)
 * except in U+0139..U+0148 and U+0179..U+017E, where they are (odd, even). */
static uint16_t upcase_latin_ext_a(uint16_t c)
{
    bool odd_upper = (c >= 0x0139 && c <= 0x0148) || (c >= 0x0179 && c <= 0x017E);
    if (c == 0x0131 || c == 0x0138 || c == 0x0149 || c == 0x017F)
        return c; /* dotless i, kra, 'n, long s: no simple uppercase here */
    if (odd_upper)
        return (c & 1) ? c : (uint16_t)(c - 1);
    return (c & 1) ? (uint16_t)(c - 1) : c;
}

static uint16_t upcase_unit(uint16_t c)
{
    if (c >= 'a' && c <= 'z')
        return (uint16_t)(c - 0x20);
    if (c < 0x00E0)
        return c;
    if (c <= 0x00FE)
        return c == 0x00F7 ? c : (uint16_t)(c - 0x20); /* Latin-1, not the division sign */
    if (c == 0x00FF)
        return 0x0178;
    if (c <= 0x017F)
        return upcase_latin_ext_a(c);
    if (c >= 0x03B1 && c <= 0x03C9 && c != 0x03C2)
        return (uint16_t)(c - 0x20); /* Greek alpha..omega, final sigma stays */
    if (c >= 0x0430 && c <= 0x044F)
        return (uint16_t)(c - 0x20); /* Cyrillic a..ya */
    if (c >= 0x0450 && c <= 0x045F)
        return (uint16_t)(c - 0x50); /* Cyrillic ie-grave..dzhe */
    return c;
}

void ntlm_upcase_utf16le(uint8_t *s, size_t len)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        le16_put(s + i, upcase_unit(le16_get(s + i)));
}
