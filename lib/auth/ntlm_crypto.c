/* NTLMv2 OWFs, responses, key exchange and MIC ([MS-NLMP] 3.3.1, 3.3.2,
 * 3.1.5.1.2, 3.2.5.1.2, 3.4.5.1); see ntlm_crypto.h. */
#include "auth/ntlm_crypto.h"

#include "auth/ntlmssp.h"
#include "base/cursor.h"
#include "base/mem.h"
#include "base/utf16.h"
#include "crypto/crypto.h"

#include <stdlib.h>
#include <string.h>

/* UTF-8 -> freshly allocated UTF-16LE (secret: free with free_secret). */
static ntstatus_t utf16_dup(const char *s, uint8_t **out, size_t *out_len)
{
    size_t n = strlen(s);
    size_t need = utf8_utf16le_len(s, n);
    *out = NULL;
    *out_len = 0;
    if (need == SIZE_MAX)
        return STATUS_OBJECT_NAME_INVALID;
    *out = malloc(need ? need : 1);
    if (!*out)
        return STATUS_NO_MEMORY;
    ntstatus_t st = utf8_to_utf16le(s, n, *out, need, out_len);
    if (!nt_ok(st)) {
        free(*out);
        *out = NULL;
    }
    return st;
}

static void free_secret(uint8_t *p, size_t n)
{
    secure_zero(p, n);
    free(p);
}

ntstatus_t ntlm_nt_hash(const char *password, uint8_t out[NTLM_HASH_LEN])
{
    uint8_t *pw16 = NULL;
    size_t pw16_len = 0;
    ntstatus_t st = utf16_dup(password, &pw16, &pw16_len);
    if (nt_ok(st))
        st = crypto_md4(pw16, pw16_len, out);
    free_secret(pw16, pw16_len);
    return st;
}

ntstatus_t ntlm_ntowfv2_utf16(const uint8_t nt_hash[NTLM_HASH_LEN], const uint8_t *user,
                              size_t user_len, const uint8_t *domain, size_t domain_len,
                              uint8_t out[NTLM_HASH_LEN])
{
    uint8_t *upper = malloc(user_len ? user_len : 1);
    if (!upper)
        return STATUS_NO_MEMORY;
    if (user_len)
        memcpy(upper, user, user_len);
    ntlm_upcase_utf16le(upper, user_len);
    struct iovec iov[2] = {{upper, user_len}, {(void *)domain, domain_len}};
    ntstatus_t st = crypto_hmac_md5(nt_hash, NTLM_HASH_LEN, iov, 2, out);
    free_secret(upper, user_len ? user_len : 1);
    return st;
}

ntstatus_t ntlm_ntowfv2(const uint8_t nt_hash[NTLM_HASH_LEN], const char *user, const char *domain,
                        uint8_t out[NTLM_HASH_LEN])
{
    uint8_t *user16 = NULL, *dom16 = NULL;
    size_t user16_len = 0, dom16_len = 0;
    ntstatus_t st = utf16_dup(user, &user16, &user16_len);
    if (nt_ok(st))
        st = utf16_dup(domain, &dom16, &dom16_len);
    if (nt_ok(st))
        st = ntlm_ntowfv2_utf16(nt_hash, user16, user16_len, dom16, dom16_len, out);
    free_secret(user16, user16_len);
    free_secret(dom16, dom16_len);
    return st;
}

ntstatus_t ntlmv2_temp_build(uint64_t timestamp, const uint8_t client_challenge[8],
                             const uint8_t *av, size_t av_len, uint8_t *out, size_t cap,
                             size_t *out_len)
{
    struct wr w;
    wr_init(&w, out, cap);
    wr_u8(&w, 1); /* RespType */
    wr_u8(&w, 1); /* HiRespType */
    wr_zero(&w, 6);
    wr_u64(&w, timestamp);
    wr_bytes(&w, client_challenge, 8);
    wr_zero(&w, 4);
    wr_bytes(&w, av, av_len);
    wr_zero(&w, 4);
    ntstatus_t st = wr_status(&w);
    *out_len = nt_ok(st) ? wr_pos(&w) : 0;
    return st;
}

ntstatus_t ntlmv2_ntproofstr(const uint8_t ntowfv2[NTLM_HASH_LEN],
                             const uint8_t server_challenge[8], const uint8_t *temp,
                             size_t temp_len, uint8_t out[16])
{
    struct iovec iov[2] = {{(void *)server_challenge, 8}, {(void *)temp, temp_len}};
    return crypto_hmac_md5(ntowfv2, NTLM_HASH_LEN, iov, 2, out);
}

ntstatus_t ntlmv2_lm_response(const uint8_t ntowfv2[NTLM_HASH_LEN],
                              const uint8_t server_challenge[8], const uint8_t client_challenge[8],
                              uint8_t out[NTLMV2_LM_RESPONSE_LEN])
{
    struct iovec iov[2] = {{(void *)server_challenge, 8}, {(void *)client_challenge, 8}};
    ntstatus_t st = crypto_hmac_md5(ntowfv2, NTLM_HASH_LEN, iov, 2, out);
    memcpy(out + 16, client_challenge, 8);
    return st;
}

ntstatus_t ntlmv2_session_base_key(const uint8_t ntowfv2[NTLM_HASH_LEN],
                                   const uint8_t ntproofstr[16], uint8_t out[NTLM_KEY_LEN])
{
    struct iovec iov = {(void *)ntproofstr, 16};
    return crypto_hmac_md5(ntowfv2, NTLM_HASH_LEN, &iov, 1, out);
}

/* NTProofStr, then the temp right after it in nt_response, then the keys. */
static ntstatus_t client_proof(const struct ntlmv2_client_input *in, const uint8_t ntowfv2[16],
                               uint8_t *nt_response, size_t cap, size_t *nt_len,
                               uint8_t lm_response[NTLMV2_LM_RESPONSE_LEN],
                               uint8_t session_base_key[NTLM_KEY_LEN])
{
    size_t temp_len = 0;
    if (cap < 16)
        return STATUS_BUFFER_TOO_SMALL;
    ntstatus_t st = ntlmv2_temp_build(in->timestamp, in->client_challenge, in->av, in->av_len,
                                      nt_response + 16, cap - 16, &temp_len);
    if (nt_ok(st))
        st = ntlmv2_ntproofstr(ntowfv2, in->server_challenge, nt_response + 16, temp_len,
                               nt_response);
    if (nt_ok(st))
        st = ntlmv2_session_base_key(ntowfv2, nt_response, session_base_key);
    if (nt_ok(st) && in->zero_lm_response)
        memset(lm_response, 0, NTLMV2_LM_RESPONSE_LEN);
    else if (nt_ok(st))
        st = ntlmv2_lm_response(ntowfv2, in->server_challenge, in->client_challenge, lm_response);
    *nt_len = nt_ok(st) ? 16 + temp_len : 0;
    return st;
}

ntstatus_t ntlmv2_client_response(const struct ntlmv2_client_input *in, uint8_t *nt_response,
                                  size_t cap, size_t *nt_len,
                                  uint8_t lm_response[NTLMV2_LM_RESPONSE_LEN],
                                  uint8_t session_base_key[NTLM_KEY_LEN])
{
    uint8_t ntowfv2[NTLM_HASH_LEN];
    *nt_len = 0;
    ntstatus_t st = ntlm_ntowfv2(in->nt_hash, in->user, in->domain, ntowfv2);
    if (nt_ok(st))
        st = client_proof(in, ntowfv2, nt_response, cap, nt_len, lm_response, session_base_key);
    secure_zero(ntowfv2, sizeof ntowfv2);
    if (!nt_ok(st))
        secure_zero(session_base_key, NTLM_KEY_LEN);
    return st;
}

ntstatus_t ntlmv2_server_verify(const uint8_t nt_hash[NTLM_HASH_LEN], const uint8_t *user,
                                size_t user_len, const uint8_t *domain, size_t domain_len,
                                const uint8_t server_challenge[8], const uint8_t *nt_response,
                                size_t nt_len, uint8_t session_base_key[NTLM_KEY_LEN])
{
    uint8_t ntowfv2[NTLM_HASH_LEN], proof[16];
    memset(session_base_key, 0, NTLM_KEY_LEN);
    if (nt_len <= NTLMV2_LM_RESPONSE_LEN)
        return STATUS_LOGON_FAILURE; /* empty (anonymous) or NTLMv1: not NTLMv2 */
    if (nt_len < NTLMV2_RESP_MIN || nt_response[16] != 1 || nt_response[17] != 1)
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st = ntlm_ntowfv2_utf16(nt_hash, user, user_len, domain, domain_len, ntowfv2);
    if (nt_ok(st))
        st = ntlmv2_ntproofstr(ntowfv2, server_challenge, nt_response + 16, nt_len - 16, proof);
    if (nt_ok(st) && !ct_equal(proof, nt_response, 16))
        st = STATUS_LOGON_FAILURE;
    if (nt_ok(st))
        st = ntlmv2_session_base_key(ntowfv2, proof, session_base_key);
    if (!nt_ok(st))
        secure_zero(session_base_key, NTLM_KEY_LEN);
    secure_zero(ntowfv2, sizeof ntowfv2);
    secure_zero(proof, sizeof proof);
    return st;
}

ntstatus_t ntlm_rc4k(const uint8_t key[NTLM_KEY_LEN], const uint8_t in[NTLM_KEY_LEN],
                     uint8_t out[NTLM_KEY_LEN])
{
    struct crypto_rc4 *rc4 = NULL;
    ntstatus_t st = crypto_rc4_new(&rc4, key, NTLM_KEY_LEN);
    if (nt_ok(st))
        st = crypto_rc4_apply(rc4, in, out, NTLM_KEY_LEN);
    crypto_rc4_free(rc4);
    return st;
}

bool ntlm_uses_key_exchange(uint32_t flags)
{
    return (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) &&
           (flags & (NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL));
}

ntstatus_t ntlm_client_exported_key(uint32_t flags, const uint8_t kxkey[NTLM_KEY_LEN],
                                    const uint8_t *random_key, uint8_t exported[NTLM_KEY_LEN],
                                    uint8_t enc[NTLM_KEY_LEN], bool *has_enc)
{
    *has_enc = false;
    if (!ntlm_uses_key_exchange(flags)) {
        memcpy(exported, kxkey, NTLM_KEY_LEN);
        return STATUS_SUCCESS;
    }
    ntstatus_t st = STATUS_SUCCESS;
    if (random_key)
        memcpy(exported, random_key, NTLM_KEY_LEN);
    else
        st = crypto_random(exported, NTLM_KEY_LEN);
    if (nt_ok(st))
        st = ntlm_rc4k(kxkey, exported, enc);
    *has_enc = nt_ok(st);
    if (!nt_ok(st))
        secure_zero(exported, NTLM_KEY_LEN);
    return st;
}

ntstatus_t ntlm_server_exported_key(uint32_t flags, const uint8_t kxkey[NTLM_KEY_LEN],
                                    const uint8_t *enc, size_t enc_len,
                                    uint8_t exported[NTLM_KEY_LEN])
{
    if (!ntlm_uses_key_exchange(flags)) {
        memcpy(exported, kxkey, NTLM_KEY_LEN);
        return STATUS_SUCCESS;
    }
    if (!enc || enc_len != NTLM_KEY_LEN)
        return STATUS_INVALID_PARAMETER;
    return ntlm_rc4k(kxkey, enc, exported);
}

ntstatus_t ntlm_mic_compute(const uint8_t exported[NTLM_KEY_LEN], const uint8_t *negotiate,
                            size_t negotiate_len, const uint8_t *challenge, size_t challenge_len,
                            const uint8_t *authenticate, size_t authenticate_len, uint8_t mic[16])
{
    static const uint8_t zero_mic[NTLMSSP_MIC_LEN];
    const size_t mic_end = NTLMSSP_MIC_OFFSET + NTLMSSP_MIC_LEN;
    if (authenticate_len < mic_end)
        return STATUS_INVALID_PARAMETER;
    struct iovec iov[5] = {
        {(void *)negotiate, negotiate_len},
        {(void *)challenge, challenge_len},
        {(void *)authenticate, NTLMSSP_MIC_OFFSET},
        {(void *)zero_mic, NTLMSSP_MIC_LEN},
        {(void *)(authenticate + mic_end), authenticate_len - mic_end},
    };
    return crypto_hmac_md5(exported, NTLM_KEY_LEN, iov, 5, mic);
}

ntstatus_t ntlm_mic_verify(const uint8_t exported[NTLM_KEY_LEN], const uint8_t *negotiate,
                           size_t negotiate_len, const uint8_t *challenge, size_t challenge_len,
                           const uint8_t *authenticate, size_t authenticate_len)
{
    uint8_t mic[16];
    ntstatus_t st = ntlm_mic_compute(exported, negotiate, negotiate_len, challenge, challenge_len,
                                     authenticate, authenticate_len, mic);
    if (nt_ok(st) && !ct_equal(mic, authenticate + NTLMSSP_MIC_OFFSET, sizeof mic))
        st = STATUS_LOGON_FAILURE;
    secure_zero(mic, sizeof mic);
    return st;
}
