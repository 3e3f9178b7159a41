/* Signing benchmark: sec_sign + sec_verify against the bare OpenSSL EVP_MAC
 * doing the same two MACs over the same bytes, interleaved in one run, for
 * 4 KiB, 64 KiB and 1 MiB messages and HMAC-SHA256 / AES-128-CMAC /
 * AES-128-GMAC. Prints medians in MB/s (message bytes signed and verified
 * per second) and the ratio Signet/OpenSSL, then allocations per message:
 * ours (malloc/calloc/realloc from our code, via -Wl,--wrap) and OpenSSL's
 * (CRYPTO_set_mem_functions hooks installed first thing in main).
 * Then the same for encryption: sec_seal + sec_unseal (lib/sec/seal.c) of
 * one message in place, against a bare OpenSSL EVP_CIPHER_CTX keyed once
 * per cipher doing the same AEAD encryption and decryption (same nonce,
 * AAD and bytes), for the four SMB 3.x ciphers (seal_bench.inc). */
#include "base/endian.h"
#include "sec/seal.h"
#include "sec/sign.h"
#include "wire/transform.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- allocation counters ---- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static unsigned long ours, openssl;

void *__wrap_malloc(size_t n)
{
    ours++;
    return __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t m)
{
    ours++;
    return __real_calloc(n, m);
}
void *__wrap_realloc(void *p, size_t n)
{
    ours++;
    return __real_realloc(p, n);
}
static void *ossl_malloc(size_t n, const char *file, int line)
{
    (void)file, (void)line;
    openssl++;
    return __real_malloc(n);
}
static void *ossl_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file, (void)line;
    openssl++;
    return __real_realloc(p, n);
}
static void ossl_free(void *p, const char *file, int line)
{
    (void)file, (void)line;
    free(p);
}

/* ---- the two contenders ---- */
static const uint8_t key16[16] = {0x73, 0xfe, 0x7a, 0x9a, 0x77, 0xbe, 0xf0, 0xbd,
                                  0xe4, 0x9c, 0x65, 0x0d, 0x8c, 0xcb, 0x5f, 0x76};
static volatile unsigned sink;

struct bare {
    enum smb2_signing_alg alg;
    EVP_MAC_CTX *ctx;
};

static int bare_init(struct bare *b, enum smb2_signing_alg alg)
{
    static const char *names[] = {"HMAC", "CMAC", "GMAC"};
    static const char *sub[] = {"SHA256", "AES-128-CBC", "AES-128-GCM"};
    EVP_MAC *mac = EVP_MAC_fetch(NULL, names[alg], NULL);
    b->alg = alg;
    b->ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(alg == SMB2_SIGNING_HMAC_SHA256
                                                           ? OSSL_MAC_PARAM_DIGEST
                                                           : OSSL_MAC_PARAM_CIPHER,
                                                       (char *)sub[alg], 0),
                      OSSL_PARAM_construct_end()};
    return b->ctx && EVP_MAC_init(b->ctx, key16, 16, p);
}

/* One MAC of the whole message (signature field already zero). */
static void bare_mac(struct bare *b, const uint8_t *m, size_t len, uint8_t tag[16])
{
    uint8_t nonce[12], out[32];
    size_t outl;
    OSSL_PARAM iv[] = {OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_IV, nonce, 12),
                       OSSL_PARAM_construct_end()};
    if (b->alg == SMB2_SIGNING_AES_GMAC) {
        memcpy(nonce, m + 24, 8);
        le32_put(nonce + 8, le32_get(m + 16) & SMB2_FLAGS_SERVER_TO_REDIR);
    }
    EVP_MAC_init(b->ctx, NULL, 0, b->alg == SMB2_SIGNING_AES_GMAC ? iv : NULL);
    EVP_MAC_update(b->ctx, m, len);
    EVP_MAC_final(b->ctx, out, &outl, sizeof out);
    memcpy(tag, out, 16);
}

static void bare_sign_verify(struct bare *b, uint8_t *m, size_t len)
{
    uint8_t tag[16], received[16];
    le32_put(m + 16, le32_get(m + 16) | SMB2_FLAGS_SIGNED);
    memset(m + 48, 0, 16);
    bare_mac(b, m, len, m + 48);
    memcpy(received, m + 48, 16);
    memset(m + 48, 0, 16);
    bare_mac(b, m, len, tag);
    memcpy(m + 48, received, 16);
    sink += CRYPTO_memcmp(tag, received, 16) == 0;
}

static void signet_sign_verify(const struct sec_sign_key *k, uint8_t *m, size_t len)
{
    struct iovec iov = {m, len};
    sec_sign(k, &iov, 1);
    sink += nt_ok(sec_verify(k, &iov, 1));
}

/* ---- timing ---- */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define REPS 15

struct result {
    double signet_mbs, openssl_mbs;
    unsigned long ours, ossl_in_signet, ossl_in_bare, messages;
};

static double batch(int which, const struct sec_sign_key *k, struct bare *b, uint8_t *m, size_t len,
                    unsigned iters, unsigned long *ossl_count)
{
    unsigned long before = openssl;
    double t0 = now();
    for (unsigned i = 0; i < iters; i++)
        if (which == 0)
            signet_sign_verify(k, m, len);
        else
            bare_sign_verify(b, m, len);
    double t = now() - t0;
    *ossl_count += openssl - before;
    return (double)len * iters / t / 1e6;
}

#include "seal_bench.inc"

static struct result run(enum smb2_signing_alg alg, size_t len)
{
    struct result r = {0};
    struct sec_sign_key k;
    struct bare b;
    uint8_t *m = malloc(len);
    if (!m || !nt_ok(sec_sign_key_init(&k, alg, key16, 16)) || !bare_init(&b, alg))
        exit(1);
    for (size_t i = 0; i < len; i++)
        m[i] = (uint8_t)(i * 131);
    le32_put(m, SMB2_PROTOCOL_ID);
    le16_put(m + 4, 64);
    le16_put(m + 12, SMB2_WRITE);
    le32_put(m + 16, 0);
    unsigned iters = (unsigned)((16u << 20) / len);
    double s[REPS], o[REPS];
    signet_sign_verify(&k, m, len); /* warm up both */
    bare_sign_verify(&b, m, len);
    unsigned long ours_before = ours;
    for (int rep = 0; rep < REPS; rep++) {
        int first = rep & 1; /* alternate which goes first */
        for (int j = 0; j < 2; j++) {
            int which = j ^ first;
            double mbs = batch(which, &k, &b, m, len, iters,
                               which == 0 ? &r.ossl_in_signet : &r.ossl_in_bare);
            (which == 0 ? s : o)[rep] = mbs;
        }
    }
    r.ours = ours - ours_before;
    r.messages = (unsigned long)iters * REPS;
    qsort(s, REPS, sizeof s[0], cmp_double);
    qsort(o, REPS, sizeof o[0], cmp_double);
    r.signet_mbs = s[REPS / 2];
    r.openssl_mbs = o[REPS / 2];
    sec_sign_key_clear(&k);
    EVP_MAC_CTX_free(b.ctx);
    free(m);
    return r;
}

int main(void)
{
    if (!CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free)) {
        fprintf(stderr, "CRYPTO_set_mem_functions failed\n");
        return 1;
    }
    static const char *alg_names[] = {"HMAC-SHA256", "AES-128-CMAC", "AES-128-GMAC"};
    static const size_t sizes[] = {4096, 65536, 1048576};
    static const char *size_names[] = {"4 KiB", "64 KiB", "1 MiB"};
    unsigned long ours_total = 0, messages_total = 0;
    printf("%-13s %-7s %12s %12s %8s %14s %14s\n", "algorithm", "size", "Signet MB/s",
           "OpenSSL MB/s", "ratio", "OpenSSL allocs", "OpenSSL allocs");
    printf("%-13s %-7s %12s %12s %8s %14s %14s\n", "", "", "", "", "", "/msg (Signet)",
           "/msg (bare)");
    for (int a = 0; a < 3; a++)
        for (int s = 0; s < 3; s++) {
            struct result r = run((enum smb2_signing_alg)a, sizes[s]);
            ours_total += r.ours;
            messages_total += r.messages;
            printf("%-13s %-7s %12.0f %12.0f %8.3f %14.2f %14.2f\n", alg_names[a], size_names[s],
                   r.signet_mbs, r.openssl_mbs, r.signet_mbs / r.openssl_mbs,
                   (double)r.ossl_in_signet / (double)r.messages,
                   (double)r.ossl_in_bare / (double)r.messages);
        }
    printf("(one message = sign + verify; MB/s = message bytes per second; medians of %d)\n", REPS);
    printf("allocations per message: %g (Signet code: %lu malloc/calloc/realloc calls over %lu "
           "timed messages)\n",
           (double)ours_total / (double)messages_total, ours_total, messages_total);
    putchar('\n');
    if (!seal_table())
        return 1;
    return sink == 0;
}
