#include "crypto/crypto.h"

#include <limits.h>
#include <openssl/rand.h>

ntstatus_t crypto_random(void *p, size_t n)
{
    if (n > INT_MAX)
        return STATUS_INVALID_PARAMETER;
    if (n == 0)
        return STATUS_SUCCESS;
    return RAND_bytes(p, (int)n) == 1 ? STATUS_SUCCESS : STATUS_INTERNAL_ERROR;
}
