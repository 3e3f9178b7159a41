/* Memory that holds secrets, and comparisons that must not leak timing. */
#ifndef SIGNET_BASE_MEM_H
#define SIGNET_BASE_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* Constant-time equality (OpenSSL's CRYPTO_memcmp): use it for every MAC. */
bool ct_equal(const void *a, const void *b, size_t n);
/* Zero memory in a way the compiler cannot elide (OPENSSL_cleanse). */
void secure_zero(void *p, size_t n);

#endif
