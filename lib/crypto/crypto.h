/* Thin wrappers over OpenSSL 3: every cryptographic operation Signet performs.
 * Nothing here is hand-written cryptography; see design.md "Dependencies".
 * All functions return STATUS_SUCCESS, or STATUS_INTERNAL_ERROR if OpenSSL
 * fails (and STATUS_INVALID_PARAMETER for bad sizes); none prints. */
#ifndef SIGNET_CRYPTO_H
#define SIGNET_CRYPTO_H

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* ---- MACs with a context keyed once and reused per message ---- */
enum crypto_mac_alg { CRYPTO_HMAC_SHA256, CRYPTO_AES128_CMAC, CRYPTO_AES128_GMAC };

struct crypto_mac; /* opaque; owns an EVP_MAC_CTX keyed at creation */

/* key_len: 16 for CMAC/GMAC; any length for HMAC. */
ntstatus_t crypto_mac_new(struct crypto_mac **out, enum crypto_mac_alg alg, const uint8_t *key,
                          size_t key_len);
void crypto_mac_free(struct crypto_mac *m);
/* Begin a message (nonce: 12 bytes for GMAC, NULL otherwise), feed, finish.
 * tag receives 16 bytes (HMAC-SHA256 is truncated to 16; use crypto_hmac_sha256
 * for the full 32). No allocation per message. */
ntstatus_t crypto_mac_begin(struct crypto_mac *m, const uint8_t *nonce12);
ntstatus_t crypto_mac_update(struct crypto_mac *m, const void *p, size_t n);
ntstatus_t crypto_mac_end(struct crypto_mac *m, uint8_t tag[16]);

/* One-shot MACs */
ntstatus_t crypto_hmac_sha256(const uint8_t *key, size_t key_len, const struct iovec *iov, size_t n,
                              uint8_t out[32]);
ntstatus_t crypto_hmac_md5(const uint8_t *key, size_t key_len, const struct iovec *iov, size_t n,
                           uint8_t out[16]);

/* ---- SP800-108 KBKDF, counter mode, HMAC-SHA256, r = 32: SMB3KDF ----
 * label and context are passed exactly as given (callers include the NULs the
 * spec requires). out_len = L/8: 16 or 32. */
ntstatus_t crypto_kbkdf_sha256(const uint8_t *ki, size_t ki_len, const void *label,
                               size_t label_len, const void *context, size_t context_len,
                               uint8_t *out, size_t out_len);

/* ---- digests ---- */
ntstatus_t crypto_sha512(const struct iovec *iov, size_t n, uint8_t out[64]);
/* SHA-512(prefix || iovecs); out may be the prefix itself (the preauth
 * integrity chain H = SHA-512(H || message) needs exactly that). */
ntstatus_t crypto_sha512_prefixed(const void *prefix, size_t prefix_len, const struct iovec *iov,
                                  size_t n, uint8_t out[64]);
ntstatus_t crypto_sha256(const struct iovec *iov, size_t n, uint8_t out[32]);
ntstatus_t crypto_md5(const struct iovec *iov, size_t n, uint8_t out[16]);
/* MD4 from the legacy provider, loaded into a private OSSL_LIB_CTX. */
ntstatus_t crypto_md4(const void *p, size_t n, uint8_t out[16]);

/* ---- RC4 (legacy provider), a stream whose state persists across calls ---- */
struct crypto_rc4;
ntstatus_t crypto_rc4_new(struct crypto_rc4 **out, const uint8_t *key, size_t key_len);
ntstatus_t crypto_rc4_apply(struct crypto_rc4 *r, const uint8_t *in, uint8_t *out, size_t n);
void crypto_rc4_free(struct crypto_rc4 *r);

/* ---- AEAD: AES-128/256-CCM/GCM with a 16-byte tag ----
 * nonce_len: 11 for CCM, 12 for GCM ([MS-SMB2] 2.2.41). Encrypts/decrypts the
 * iovec array in place. Decrypt returns STATUS_DECRYPTION_FAILED (and zeroes
 * the output) when the tag does not verify. */
enum crypto_aead_alg { CRYPTO_AES128_CCM, CRYPTO_AES128_GCM, CRYPTO_AES256_CCM, CRYPTO_AES256_GCM };
ntstatus_t crypto_aead_encrypt(enum crypto_aead_alg alg, const uint8_t *key, const uint8_t *nonce,
                               size_t nonce_len, const uint8_t *aad, size_t aad_len,
                               struct iovec *iov, size_t n, uint8_t tag[16]);
ntstatus_t crypto_aead_decrypt(enum crypto_aead_alg alg, const uint8_t *key, const uint8_t *nonce,
                               size_t nonce_len, const uint8_t *aad, size_t aad_len,
                               struct iovec *iov, size_t n, const uint8_t tag[16]);

/* A keyed AEAD context for one direction, made once per key: per message
 * only the nonce is set (no allocation, no key schedule). Same rules as
 * crypto_aead_encrypt / _decrypt; nonce_len must be the algorithm's. */
struct crypto_aead;
ntstatus_t crypto_aead_new(struct crypto_aead **out, enum crypto_aead_alg alg, const uint8_t *key,
                           bool encrypt);
ntstatus_t crypto_aead_seal(struct crypto_aead *a, const uint8_t *nonce, size_t nonce_len,
                            const uint8_t *aad, size_t aad_len, struct iovec *iov, size_t n,
                            uint8_t tag[16]);
ntstatus_t crypto_aead_open(struct crypto_aead *a, const uint8_t *nonce, size_t nonce_len,
                            const uint8_t *aad, size_t aad_len, struct iovec *iov, size_t n,
                            const uint8_t tag[16]);
void crypto_aead_free(struct crypto_aead *a); /* cleanses the key schedule; NULL is fine */

/* ---- random ---- */
ntstatus_t crypto_random(void *p, size_t n);

#endif
