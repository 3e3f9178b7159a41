/* libFuzzer target: SMB2 TRANSFORM_HEADER decode (lib/wire/transform.h) and
 * unseal with a fixed key (lib/sec/seal.h), for all four ciphers.
 *
 * Input: one selector byte, then an encrypted frame (52-byte TRANSFORM_HEADER
 * + ciphertext, without the Direct TCP prefix).
 *   selector bits 0-1: cipher (AES-128-CCM, AES-128-GCM, AES-256-CCM,
 *                      AES-256-GCM), always keyed with all-0xFF bytes: the key
 *                      of the smbprotocol vectors in tests/vectors, so those
 *                      and the seeds make_corpus.py sealed with it decrypt;
 *   selector bits 2-3: split the ciphertext into 1..4 iovecs.
 * Captured frames (unknown keys) reach the tag check and fail it there.
 *
 * Oracles:
 *  - the header re-encodes to the same 52 bytes (Reserved zero aside);
 *  - a frame that unseals re-seals, with its nonce and SessionId, to the same
 *    header and ciphertext (when Reserved is zero, as sec_seal writes it),
 *    and its plaintext walks as a compound chain;
 *  - seal(input) then unseal gives the input back, and flipping any one bit
 *    of the sealed frame (header or ciphertext; picked from the input) makes
 *    unseal fail: nothing outside the AEAD's protection is trusted. */
#include "fuzz_common.h"
#include "sec/seal.h"
#include "wire/compound.h"
#include "wire/transform.h"

#include <stdbool.h>

static const enum smb2_cipher ciphers[4] = {SMB2_CIPHER_AES128_CCM, SMB2_CIPHER_AES128_GCM,
                                            SMB2_CIPHER_AES256_CCM, SMB2_CIPHER_AES256_GCM};

static void key_for(struct sec_cipher_key *k, enum smb2_cipher c)
{
    uint8_t key[32];
    memset(key, 0xFF, sizeof(key));
    size_t len = (c == SMB2_CIPHER_AES256_CCM || c == SMB2_CIPHER_AES256_GCM) ? 32 : 16;
    FUZZ_CHECK_OK(sec_cipher_key_init(k, c, key, len));
}

/* Split buf[0..len) into up to `pieces` iovecs at positions derived from len. */
static size_t split(struct iovec *iov, uint8_t *buf, size_t len, unsigned pieces)
{
    size_t n = 0, off = 0;
    for (unsigned i = 0; i < pieces; i++) {
        size_t take = (i + 1 == pieces) ? len - off : (len - off) / (pieces - i) + (i & 1);
        if (take > len - off)
            take = len - off;
        if (take == 0 && i + 1 != pieces)
            continue;
        iov[n].iov_base = buf + off;
        iov[n].iov_len = take;
        off += take;
        n++;
    }
    return n;
}

static void walk_plain(const uint8_t *p, size_t len, uint64_t session_id)
{
    struct smb2_chain c;
    struct smb2_chain_elem e;
    smb2_chain_init(&c, p, len);
    while (smb2_chain_next(&c, &e)) {
        FUZZ_WITHIN(e.msg, e.len, p, len);
        (void)session_id; /* the caller's check; not a decoder property */
    }
    (void)smb2_chain_status(&c);
}

static void fuzz_unseal_input(const struct sec_cipher_key *k, unsigned pieces, const uint8_t *frame,
                              size_t len)
{
    if (len <= SMB2_TRANSFORM_HDR_SIZE)
        return;
    size_t clen = len - SMB2_TRANSFORM_HDR_SIZE;
    uint8_t *plain = fuzz_dup(frame + SMB2_TRANSFORM_HDR_SIZE, clen);
    struct iovec iov[4];
    size_t n = split(iov, plain, clen, pieces);
    ntstatus_t st = sec_unseal(k, frame, iov, n);
    if (!nt_ok(st)) {
        FUZZ_CHECK(nt_eq(st, STATUS_DECRYPTION_FAILED) || nt_eq(st, STATUS_INVALID_PARAMETER));
        free(plain);
        return;
    }
    /* It decrypted: the header must have been a valid one. */
    struct smb2_transform_hdr h;
    FUZZ_CHECK_OK(smb2_transform_decode(frame, len, &h));
    walk_plain(plain, clen, h.session_id);

    if (frame[40] == 0 && frame[41] == 0) {
        uint8_t hdr2[SMB2_TRANSFORM_HDR_SIZE];
        uint8_t *again = fuzz_dup(plain, clen);
        struct iovec iov2[4];
        size_t n2 = split(iov2, again, clen, 1 + (pieces % 4));
        FUZZ_CHECK_OK(sec_seal(k, h.nonce, h.session_id, hdr2, iov2, n2));
        FUZZ_CHECK(memcmp(hdr2, frame, SMB2_TRANSFORM_HDR_SIZE) == 0);
        FUZZ_CHECK(memcmp(again, frame + SMB2_TRANSFORM_HDR_SIZE, clen) == 0);
        free(again);
    }
    free(plain);
}

/* Seal the input as plaintext, unseal it back, then check a one-bit change
 * anywhere is refused. */
static void fuzz_seal_roundtrip(const struct sec_cipher_key *k, unsigned pieces,
                                const uint8_t *data, size_t len)
{
    if (len == 0 || len > 8192)
        return; /* the AEAD cost grows with size; small inputs cover the code */
    uint8_t nonce[16];
    memset(nonce, 0, sizeof(nonce));
    memcpy(nonce, data, len < sizeof(nonce) ? len : sizeof(nonce));
    uint64_t sid = 0;
    memcpy(&sid, data, len < sizeof(sid) ? len : sizeof(sid));

    uint8_t *frame = malloc(SMB2_TRANSFORM_HDR_SIZE + len);
    if (frame == NULL)
        abort();
    memcpy(frame + SMB2_TRANSFORM_HDR_SIZE, data, len);
    struct iovec iov[4];
    size_t n = split(iov, frame + SMB2_TRANSFORM_HDR_SIZE, len, pieces);
    FUZZ_CHECK_OK(sec_seal(k, nonce, sid, frame, iov, n));

    struct smb2_transform_hdr h, h2;
    FUZZ_CHECK_OK(smb2_transform_decode(frame, SMB2_TRANSFORM_HDR_SIZE + len, &h));
    FUZZ_CHECK(h.session_id == sid && h.original_message_size == len);
    FUZZ_CHECK(memcmp(h.nonce, nonce, 16) == 0);
    uint8_t hdr2[SMB2_TRANSFORM_HDR_SIZE];
    struct wr w;
    wr_init(&w, hdr2, sizeof(hdr2));
    FUZZ_CHECK_OK(smb2_transform_encode(&w, &h));
    FUZZ_CHECK(wr_pos(&w) == SMB2_TRANSFORM_HDR_SIZE);
    FUZZ_CHECK(memcmp(hdr2, frame, SMB2_TRANSFORM_HDR_SIZE) == 0);
    FUZZ_CHECK_OK(smb2_transform_decode(hdr2, SMB2_TRANSFORM_HDR_SIZE + len, &h2));

    /* Tamper with one bit, chosen by the input. */
    size_t total = SMB2_TRANSFORM_HDR_SIZE + len;
    uint32_t pick = 2166136261u;
    for (size_t i = 0; i < len; i++)
        pick = (pick ^ data[i]) * 16777619u;
    size_t bit = pick % (total * 8);
    uint8_t *bad = fuzz_dup(frame, total);
    bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    struct iovec biov[4];
    size_t bn = split(biov, bad + SMB2_TRANSFORM_HDR_SIZE, len, 1 + ((pieces + 1) % 4));
    ntstatus_t bst = sec_unseal(k, bad, biov, bn);
    FUZZ_CHECK(!nt_ok(bst));
    free(bad);

    size_t back_n = split(iov, frame + SMB2_TRANSFORM_HDR_SIZE, len, 1 + ((pieces + 2) % 4));
    FUZZ_CHECK_OK(sec_unseal(k, frame, iov, back_n));
    FUZZ_CHECK(memcmp(frame + SMB2_TRANSFORM_HDR_SIZE, data, len) == 0);
    free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    const uint8_t *frame = data + 1;
    size_t len = size - 1;
    struct sec_cipher_key k;
    key_for(&k, ciphers[sel & 3]);
    unsigned pieces = 1 + ((sel >> 2) & 3);

    struct smb2_transform_hdr h, h2;
    if (nt_ok(smb2_transform_decode(frame, len, &h))) {
        FUZZ_CHECK(h.flags == SMB2_TRANSFORM_FLAG_ENCRYPTED);
        FUZZ_CHECK((size_t)h.original_message_size + SMB2_TRANSFORM_HDR_SIZE == len);
        uint8_t hdr2[SMB2_TRANSFORM_HDR_SIZE];
        struct wr w;
        wr_init(&w, hdr2, sizeof(hdr2));
        FUZZ_CHECK_OK(smb2_transform_encode(&w, &h));
        FUZZ_CHECK(wr_pos(&w) == SMB2_TRANSFORM_HDR_SIZE);
        FUZZ_CHECK(memcmp(hdr2, frame, 40) == 0 && memcmp(hdr2 + 42, frame + 42, 10) == 0);
        FUZZ_CHECK_OK(smb2_transform_decode(hdr2, len, &h2));
        FUZZ_CHECK(memcmp(&h, &h2, sizeof(h)) == 0);
    }
    fuzz_unseal_input(&k, pieces, frame, len);
    fuzz_seal_roundtrip(&k, pieces, frame, len);
    sec_cipher_key_clear(&k);
    return 0;
}
