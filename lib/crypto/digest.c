/* SHA-512 (preauth integrity), SHA-256 and MD5 over iovecs. */
#include "crypto/crypto.h"
#include "crypto/fetch.h"

/* Digest prefix (may be NULL) followed by the iovecs into out. out may alias
 * prefix: it is written only after every input byte has been consumed. */
static ntstatus_t digest_iov(const EVP_MD *md, const void *prefix, size_t prefix_len,
                             const struct iovec *iov, size_t n, uint8_t *out)
{
    if (!md)
        return STATUS_INTERNAL_ERROR;
    if ((n && !iov) || (prefix_len && !prefix) || !out)
        return STATUS_INVALID_PARAMETER;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return STATUS_NO_MEMORY;
    int ok = EVP_DigestInit_ex2(ctx, md, NULL);
    if (ok && prefix_len)
        ok = EVP_DigestUpdate(ctx, prefix, prefix_len);
    for (size_t i = 0; ok && i < n; i++)
        if (iov[i].iov_len)
            ok = EVP_DigestUpdate(ctx, iov[i].iov_base, iov[i].iov_len);
    if (ok)
        ok = EVP_DigestFinal_ex(ctx, out, NULL);
    EVP_MD_CTX_free(ctx);
    return ok ? STATUS_SUCCESS : STATUS_INTERNAL_ERROR;
}

static const struct crypto_algs *algs_or_null(void)
{
    return crypto_algs();
}

ntstatus_t crypto_sha512(const struct iovec *iov, size_t n, uint8_t out[64])
{
    const struct crypto_algs *a = algs_or_null();
    return digest_iov(a ? a->sha512 : NULL, NULL, 0, iov, n, out);
}

ntstatus_t crypto_sha512_prefixed(const void *prefix, size_t prefix_len, const struct iovec *iov,
                                  size_t n, uint8_t out[64])
{
    const struct crypto_algs *a = algs_or_null();
    return digest_iov(a ? a->sha512 : NULL, prefix, prefix_len, iov, n, out);
}

ntstatus_t crypto_sha256(const struct iovec *iov, size_t n, uint8_t out[32])
{
    const struct crypto_algs *a = algs_or_null();
    return digest_iov(a ? a->sha256 : NULL, NULL, 0, iov, n, out);
}

ntstatus_t crypto_md5(const struct iovec *iov, size_t n, uint8_t out[16])
{
    const struct crypto_algs *a = algs_or_null();
    return digest_iov(a ? a->md5 : NULL, NULL, 0, iov, n, out);
}
