/* MD4 and RC4 for NTLM ([MS-NLMP] 3.3.2, 3.4.5). OpenSSL 3 keeps them in the
 * "legacy" provider; we load it, with "default", into a PRIVATE library
 * context created once, so the process-wide default context never offers
 * legacy algorithms to anyone else (design.md "Dependencies"). */
#include "crypto/crypto.h"

#include <limits.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <pthread.h>
#include <stdlib.h>

static OSSL_LIB_CTX *legacy_libctx;
static EVP_MD *legacy_md4;
static EVP_CIPHER *legacy_rc4;
static pthread_once_t legacy_once = PTHREAD_ONCE_INIT;

/* Lives for the whole process: providers and fetched algorithms are shared,
 * read-only and thread-safe once created. */
static void legacy_init(void)
{
    legacy_libctx = OSSL_LIB_CTX_new();
    if (!legacy_libctx)
        return;
    if (!OSSL_PROVIDER_load(legacy_libctx, "legacy") ||
        !OSSL_PROVIDER_load(legacy_libctx, "default"))
        return;
    legacy_md4 = EVP_MD_fetch(legacy_libctx, "MD4", NULL);
    legacy_rc4 = EVP_CIPHER_fetch(legacy_libctx, "RC4", NULL);
}

static bool legacy_ready(void)
{
    return pthread_once(&legacy_once, legacy_init) == 0 && legacy_md4 && legacy_rc4;
}

ntstatus_t crypto_md4(const void *p, size_t n, uint8_t out[16])
{
    if (!legacy_ready())
        return STATUS_NOT_SUPPORTED;
    if ((n && !p) || !out)
        return STATUS_INVALID_PARAMETER;
    unsigned int len = 0;
    int ok = EVP_Digest(p, n, out, &len, legacy_md4, NULL);
    return ok == 1 && len == 16 ? STATUS_SUCCESS : STATUS_INTERNAL_ERROR;
}

struct crypto_rc4 {
    EVP_CIPHER_CTX *ctx;
};

ntstatus_t crypto_rc4_new(struct crypto_rc4 **out, const uint8_t *key, size_t key_len)
{
    if (!out || !key || key_len == 0 || key_len > 256)
        return STATUS_INVALID_PARAMETER;
    *out = NULL;
    if (!legacy_ready())
        return STATUS_NOT_SUPPORTED;
    struct crypto_rc4 *r = calloc(1, sizeof *r);
    if (!r || !(r->ctx = EVP_CIPHER_CTX_new())) {
        free(r);
        return STATUS_NO_MEMORY;
    }
    size_t klen = key_len;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_KEYLEN, &klen),
                           OSSL_PARAM_construct_end()};
    /* The key length must be set before the key is. */
    if (!EVP_EncryptInit_ex2(r->ctx, legacy_rc4, NULL, NULL, params) ||
        !EVP_EncryptInit_ex2(r->ctx, NULL, key, NULL, NULL)) {
        crypto_rc4_free(r);
        return STATUS_INTERNAL_ERROR;
    }
    *out = r;
    return STATUS_SUCCESS;
}

ntstatus_t crypto_rc4_apply(struct crypto_rc4 *r, const uint8_t *in, uint8_t *out, size_t n)
{
    if (!r || (n && (!in || !out)))
        return STATUS_INVALID_PARAMETER;
    while (n) {
        int chunk = n > INT_MAX ? INT_MAX : (int)n, outl = 0;
        if (!EVP_EncryptUpdate(r->ctx, out, &outl, in, chunk) || outl != chunk)
            return STATUS_INTERNAL_ERROR;
        in += chunk;
        out += chunk;
        n -= (size_t)chunk;
    }
    return STATUS_SUCCESS;
}

/* EVP_CIPHER_CTX_free cleanses the key schedule. */
void crypto_rc4_free(struct crypto_rc4 *r)
{
    if (!r)
        return;
    EVP_CIPHER_CTX_free(r->ctx);
    free(r);
}
