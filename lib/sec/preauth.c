#include "sec/preauth.h"

#include "base/mem.h"
#include "crypto/crypto.h"

#include <string.h>

void sec_preauth_init(uint8_t hash[64])
{
    memset(hash, 0, 64);
}

ntstatus_t sec_preauth_update(uint8_t hash[64], const struct iovec *msg, size_t n)
{
    if (!hash || (n && !msg))
        return STATUS_INVALID_PARAMETER;
    uint8_t next[64];
    ntstatus_t st = crypto_sha512_prefixed(hash, 64, msg, n, next);
    if (nt_ok(st))
        memcpy(hash, next, 64);
    secure_zero(next, sizeof next);
    return st;
}
