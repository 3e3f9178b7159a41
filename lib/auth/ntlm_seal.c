/* NTLM session security with extended session security: SIGNKEY, SEALKEY and
 * the message signature ([MS-NLMP] 3.4.3, 3.4.4.2, 3.4.5.2, 3.4.5.3). SPNEGO
 * uses it for the mechListMIC; SMB2 signing does not. See ntlm_crypto.h. */
#include "auth/ntlm_crypto.h"

#include "auth/ntlmssp.h"
#include "base/endian.h"
#include "base/mem.h"
#include "crypto/crypto.h"

#include <stdlib.h>
#include <string.h>

/* The magic constants include their terminating NUL (3.4.5.2, 3.4.5.3). */
static const char sign_c2s[] = "session key to client-to-server signing key magic constant";
static const char sign_s2c[] = "session key to server-to-client signing key magic constant";
static const char seal_c2s[] = "session key to client-to-server sealing key magic constant";
static const char seal_s2c[] = "session key to server-to-client sealing key magic constant";

#define NTLM_SIGNATURE_VERSION 1u
#define NTLM_MAX_STACK_IOV     16u

static ntstatus_t md5_key_magic(const uint8_t *key, size_t key_len, const char *magic,
                                size_t magic_len, uint8_t out[16])
{
    struct iovec iov[2] = {{(void *)key, key_len}, {(void *)magic, magic_len}};
    return crypto_md5(iov, 2, out);
}

ntstatus_t ntlm_sign_key(const uint8_t exported[NTLM_KEY_LEN], bool client_to_server,
                         uint8_t out[16])
{
    const char *magic = client_to_server ? sign_c2s : sign_s2c;
    return md5_key_magic(exported, NTLM_KEY_LEN, magic, sizeof sign_c2s, out);
}

ntstatus_t ntlm_seal_key(uint32_t flags, const uint8_t exported[NTLM_KEY_LEN],
                         bool client_to_server, uint8_t out[16])
{
    size_t key_len = 5; /* 40-bit */
    if (flags & NTLMSSP_NEGOTIATE_128)
        key_len = NTLM_KEY_LEN;
    else if (flags & NTLMSSP_NEGOTIATE_56)
        key_len = 7;
    const char *magic = client_to_server ? seal_c2s : seal_s2c;
    return md5_key_magic(exported, key_len, magic, sizeof seal_c2s, out);
}

static ntstatus_t direction_init(struct ntlm_direction *d, uint32_t flags,
                                 const uint8_t exported[NTLM_KEY_LEN], bool client_to_server)
{
    uint8_t seal_key[16];
    d->seq = 0;
    d->seal = NULL;
    ntstatus_t st = ntlm_sign_key(exported, client_to_server, d->sign_key);
    if (nt_ok(st))
        st = ntlm_seal_key(flags, exported, client_to_server, seal_key);
    if (nt_ok(st))
        st = crypto_rc4_new(&d->seal, seal_key, sizeof seal_key);
    secure_zero(seal_key, sizeof seal_key);
    return st;
}

static void direction_free(struct ntlm_direction *d)
{
    crypto_rc4_free(d->seal);
    d->seal = NULL;
    secure_zero(d->sign_key, sizeof d->sign_key);
    d->seq = 0;
}

ntstatus_t ntlm_security_init(struct ntlm_security *s, uint32_t flags,
                              const uint8_t exported[NTLM_KEY_LEN], enum ntlm_role role)
{
    memset(s, 0, sizeof *s);
    if (!(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY))
        return STATUS_NOT_SUPPORTED; /* NTLMv1-style session security is not offered */
    bool client = role == NTLM_ROLE_CLIENT;
    s->key_exch = (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) != 0;
    ntstatus_t st = direction_init(&s->send, flags, exported, client);
    if (nt_ok(st))
        st = direction_init(&s->recv, flags, exported, !client);
    if (!nt_ok(st))
        ntlm_security_free(s);
    return st;
}

void ntlm_security_free(struct ntlm_security *s)
{
    direction_free(&s->send);
    direction_free(&s->recv);
    s->key_exch = false;
}

ntstatus_t ntlm_checksum(const uint8_t sign_key[16], uint32_t seq, const struct iovec *iov,
                         size_t n, uint8_t out[8])
{
    struct iovec stack_iov[NTLM_MAX_STACK_IOV];
    struct iovec *all = stack_iov;
    uint8_t seq_le[4], mac[16];
    if (n + 1 > NTLM_MAX_STACK_IOV) {
        all = calloc(n + 1, sizeof *all);
        if (!all)
            return STATUS_NO_MEMORY;
    }
    le32_put(seq_le, seq);
    all[0] = (struct iovec){seq_le, sizeof seq_le};
    for (size_t i = 0; i < n; i++)
        all[i + 1] = iov[i];
    ntstatus_t st = crypto_hmac_md5(sign_key, 16, all, n + 1, mac);
    if (nt_ok(st))
        memcpy(out, mac, 8);
    secure_zero(mac, sizeof mac);
    if (all != stack_iov)
        free(all);
    return st;
}

/* NTLMSSP_MESSAGE_SIGNATURE with extended session security (2.2.2.9.1):
 * Version(4) = 1, Checksum(8), SeqNum(4); the checksum RC4-sealed with the
 * direction's stream under key exchange. Advances the sequence number. */
static ntstatus_t make_signature(struct ntlm_direction *d, bool key_exch, const uint8_t checksum[8],
                                 uint8_t sig[NTLM_SIGNATURE_LEN])
{
    ntstatus_t st = STATUS_SUCCESS;
    le32_put(sig, NTLM_SIGNATURE_VERSION);
    memcpy(sig + 4, checksum, 8);
    if (key_exch)
        st = crypto_rc4_apply(d->seal, sig + 4, sig + 4, 8);
    le32_put(sig + 12, d->seq);
    d->seq++;
    return st;
}

static ntstatus_t sign_with(struct ntlm_direction *d, bool key_exch, const struct iovec *iov,
                            size_t n, uint8_t sig[NTLM_SIGNATURE_LEN])
{
    uint8_t checksum[8];
    if (!d->seal)
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st = ntlm_checksum(d->sign_key, d->seq, iov, n, checksum);
    if (nt_ok(st))
        st = make_signature(d, key_exch, checksum, sig);
    secure_zero(checksum, sizeof checksum);
    return st;
}

static ntstatus_t compare_signature(const uint8_t want[NTLM_SIGNATURE_LEN],
                                    const uint8_t got[NTLM_SIGNATURE_LEN])
{
    return ct_equal(want, got, NTLM_SIGNATURE_LEN) ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
}

ntstatus_t ntlm_get_mic(struct ntlm_security *s, const struct iovec *iov, size_t n,
                        uint8_t sig[NTLM_SIGNATURE_LEN])
{
    return sign_with(&s->send, s->key_exch, iov, n, sig);
}

ntstatus_t ntlm_verify_mic(struct ntlm_security *s, const struct iovec *iov, size_t n,
                           const uint8_t sig[NTLM_SIGNATURE_LEN])
{
    uint8_t want[NTLM_SIGNATURE_LEN];
    ntstatus_t st = sign_with(&s->recv, s->key_exch, iov, n, want);
    if (nt_ok(st))
        st = compare_signature(want, sig);
    secure_zero(want, sizeof want);
    return st;
}

ntstatus_t ntlm_wrap(struct ntlm_security *s, uint8_t *data, size_t len,
                     uint8_t sig[NTLM_SIGNATURE_LEN])
{
    uint8_t checksum[8];
    struct iovec iov = {data, len};
    if (!s->send.seal)
        return STATUS_INVALID_PARAMETER;
    /* Checksum over the plaintext, then seal the data, then the checksum
     * continues the same RC4 stream (3.4.3). */
    ntstatus_t st = ntlm_checksum(s->send.sign_key, s->send.seq, &iov, 1, checksum);
    if (nt_ok(st))
        st = crypto_rc4_apply(s->send.seal, data, data, len);
    if (nt_ok(st))
        st = make_signature(&s->send, s->key_exch, checksum, sig);
    secure_zero(checksum, sizeof checksum);
    return st;
}

ntstatus_t ntlm_unwrap(struct ntlm_security *s, uint8_t *data, size_t len,
                       const uint8_t sig[NTLM_SIGNATURE_LEN])
{
    uint8_t checksum[8], want[NTLM_SIGNATURE_LEN];
    struct iovec iov = {data, len};
    if (!s->recv.seal)
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st = crypto_rc4_apply(s->recv.seal, data, data, len);
    if (nt_ok(st))
        st = ntlm_checksum(s->recv.sign_key, s->recv.seq, &iov, 1, checksum);
    if (nt_ok(st))
        st = make_signature(&s->recv, s->key_exch, checksum, want);
    if (nt_ok(st))
        st = compare_signature(want, sig);
    secure_zero(checksum, sizeof checksum);
    secure_zero(want, sizeof want);
    return st;
}
