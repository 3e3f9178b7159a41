#include "crypto/fetch.h"

#include <pthread.h>
#include <stdbool.h>

static struct crypto_algs algs;
static bool algs_ok;
static pthread_once_t algs_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
    algs.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    algs.sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
    algs.md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    algs.hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    algs.cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
    algs.gmac = EVP_MAC_fetch(NULL, "GMAC", NULL);
    algs.kbkdf = EVP_KDF_fetch(NULL, "KBKDF", NULL);
    algs.aes128_ccm = EVP_CIPHER_fetch(NULL, "AES-128-CCM", NULL);
    algs.aes128_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    algs.aes256_ccm = EVP_CIPHER_fetch(NULL, "AES-256-CCM", NULL);
    algs.aes256_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    algs_ok = algs.sha256 && algs.sha512 && algs.md5 && algs.hmac && algs.cmac && algs.gmac &&
              algs.kbkdf && algs.aes128_ccm && algs.aes128_gcm && algs.aes256_ccm &&
              algs.aes256_gcm;
}

const struct crypto_algs *crypto_algs(void)
{
    if (pthread_once(&algs_once, fetch_all) != 0)
        return NULL;
    return algs_ok ? &algs : NULL;
}
