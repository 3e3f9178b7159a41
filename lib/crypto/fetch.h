/* Algorithm objects fetched once per process from OpenSSL's default library
 * context (the legacy ones live in legacy.c's private context). Fetching is
 * the expensive part of an EVP call; doing it once keeps per-message work to
 * the cipher or MAC itself. Internal to lib/crypto. */
#ifndef SIGNET_CRYPTO_FETCH_H
#define SIGNET_CRYPTO_FETCH_H

#include <openssl/evp.h>
#include <openssl/kdf.h>

struct crypto_algs {
    EVP_MD *sha256, *sha512, *md5;
    EVP_MAC *hmac, *cmac, *gmac;
    EVP_KDF *kbkdf;
    EVP_CIPHER *aes128_ccm, *aes128_gcm, *aes256_ccm, *aes256_gcm;
};

/* The fetched algorithms, or NULL if any fetch failed. Thread-safe. */
const struct crypto_algs *crypto_algs(void);

#endif
