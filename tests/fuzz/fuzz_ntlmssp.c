/* libFuzzer target: NTLMSSP NEGOTIATE / CHALLENGE / AUTHENTICATE and AV pair
 * lists (lib/auth/ntlmssp.h).
 *
 * Input: an NTLMSSP message (as inside a SPNEGO token). All three decoders
 * run on every input; an input that is not an NTLMSSP message is also walked
 * as an AV pair list. AV lists are walked in CHALLENGE's TargetInfo and in
 * AUTHENTICATE's NTLMv2 response.
 * Oracles: a decoded message re-encodes (the encoders keep Windows' layout)
 * and decodes to the same fields; an AV list rebuilt with the builder gives
 * the same bytes up to MsvAvEOL; strings convert to UTF-8 and back unchanged. */
#include "auth/ntlmssp.h"
#include "fuzz_common.h"

#include <stdbool.h>

static bool same(struct ntlm_bytes a, struct ntlm_bytes b)
{
    return fuzz_same_bytes(a.p, a.len, b.p, b.len);
}

static bool same_version(bool has, const struct ntlm_version *a, const struct ntlm_version *b)
{
    return !has || (a->major == b->major && a->minor == b->minor && a->build == b->build &&
                    a->revision == b->revision);
}

/* Walk an AV list; rebuild the pairs before MsvAvEOL and compare. */
static void fuzz_av(const uint8_t *p, size_t len)
{
    struct ntlm_av_iter it;
    uint16_t id = 0;
    struct ntlm_bytes v;
    uint8_t *buf = malloc(len + 8);
    if (buf == NULL)
        abort();
    struct wr w;
    wr_init(&w, buf, len + 8);

    ntlm_av_iter_init(&it, p, len);
    unsigned n = 0;
    while (ntlm_av_next(&it, &id, &v)) {
        FUZZ_CHECK(id != MSV_AV_EOL);
        FUZZ_WITHIN(v.p, v.len, p, len);
        fuzz_consume(v.p, v.len);
        ntlm_av_put(&w, id, v.p, v.len);
        n++;
    }
    ntstatus_t st = ntlm_av_iter_status(&it);
    if (nt_ok(st)) {
        /* The pairs are contiguous from the start: same bytes, then EOL. */
        FUZZ_CHECK_OK(wr_status(&w));
        size_t pairs = wr_pos(&w);
        FUZZ_CHECK(pairs + 4 <= len);
        FUZZ_CHECK(memcmp(buf, p, pairs) == 0);
        ntlm_av_put_eol(&w);
        FUZZ_CHECK_OK(wr_status(&w));
        FUZZ_CHECK(memcmp(buf, p, pairs + 4) == 0);
        FUZZ_CHECK(nt_ok(ntlm_av_validate(buf, wr_pos(&w))) == nt_ok(ntlm_av_validate(p, len)));
    }
    free(buf);

    (void)ntlm_av_validate(p, len);
    for (uint16_t i = MSV_AV_EOL; i <= MSV_AV_CHANNEL_BINDINGS + 1; i++) {
        struct ntlm_bytes f;
        ntstatus_t fs = ntlm_av_find(p, len, i, &f);
        if (nt_ok(fs)) {
            FUZZ_CHECK(nt_ok(st) || i != MSV_AV_EOL);
            FUZZ_WITHIN(f.p, f.len, p, len);
        }
    }
}

/* UTF-8 and back must give the same wire string (when it has no NUL, which
 * a C string cannot carry). */
static void fuzz_string(uint32_t flags, struct ntlm_bytes s)
{
    char utf8[3 * 32768 + 1];
    if (!nt_ok(ntlmssp_string_utf8(flags, s, utf8, sizeof(utf8))))
        return;
    bool has_nul = false;
    if (flags & NTLMSSP_NEGOTIATE_UNICODE) {
        for (size_t i = 0; i + 1 < s.len; i += 2)
            if (s.p[i] == 0 && s.p[i + 1] == 0)
                has_nul = true;
    }
    if (has_nul)
        return;
    static uint8_t wire[65536 * 2];
    struct ntlm_bytes back;
    FUZZ_CHECK_OK(ntlmssp_wire_string(flags, utf8, wire, sizeof(wire), &back));
    FUZZ_CHECK(same(s, back));
}

static void fuzz_negotiate(const uint8_t *msg, size_t len, uint8_t *buf, size_t cap)
{
    struct ntlmssp_negotiate a, b;
    if (!nt_ok(ntlmssp_decode_negotiate(msg, len, &a)))
        return;
    FUZZ_CHECK(ntlmssp_message_type(msg, len) == NTLMSSP_MSG_NEGOTIATE);
    FUZZ_WITHIN(a.domain.p, a.domain.len, msg, len);
    FUZZ_WITHIN(a.workstation.p, a.workstation.len, msg, len);
    fuzz_string(0, a.domain);
    fuzz_string(0, a.workstation);

    size_t n = 0;
    FUZZ_CHECK_OK(ntlmssp_encode_negotiate(&a, buf, cap, &n));
    uint8_t *m2 = fuzz_dup(buf, n);
    FUZZ_CHECK_OK(ntlmssp_decode_negotiate(m2, n, &b));
    FUZZ_CHECK(a.flags == b.flags);
    FUZZ_CHECK(same(a.domain, b.domain));
    FUZZ_CHECK(same(a.workstation, b.workstation));
    FUZZ_CHECK(a.has_version == b.has_version);
    FUZZ_CHECK(same_version(a.has_version, &a.version, &b.version));
    free(m2);
}

static void fuzz_challenge(const uint8_t *msg, size_t len, uint8_t *buf, size_t cap)
{
    struct ntlmssp_challenge a, b;
    if (!nt_ok(ntlmssp_decode_challenge(msg, len, &a)))
        return;
    FUZZ_CHECK(ntlmssp_message_type(msg, len) == NTLMSSP_MSG_CHALLENGE);
    FUZZ_WITHIN(a.target_name.p, a.target_name.len, msg, len);
    FUZZ_WITHIN(a.target_info.p, a.target_info.len, msg, len);
    fuzz_string(a.flags, a.target_name);
    fuzz_av(a.target_info.p, a.target_info.len);

    size_t n = 0;
    FUZZ_CHECK_OK(ntlmssp_encode_challenge(&a, buf, cap, &n));
    uint8_t *m2 = fuzz_dup(buf, n);
    FUZZ_CHECK_OK(ntlmssp_decode_challenge(m2, n, &b));
    FUZZ_CHECK(a.flags == b.flags);
    FUZZ_CHECK(same(a.target_name, b.target_name));
    FUZZ_CHECK(memcmp(a.server_challenge, b.server_challenge, 8) == 0);
    FUZZ_CHECK(same(a.target_info, b.target_info));
    FUZZ_CHECK(a.has_version == b.has_version);
    FUZZ_CHECK(same_version(a.has_version, &a.version, &b.version));
    free(m2);
}

static void fuzz_authenticate(const uint8_t *msg, size_t len, uint8_t *buf, size_t cap)
{
    struct ntlmssp_authenticate a, b;
    if (!nt_ok(ntlmssp_decode_authenticate(msg, len, &a)))
        return;
    FUZZ_CHECK(ntlmssp_message_type(msg, len) == NTLMSSP_MSG_AUTHENTICATE);
    const struct ntlm_bytes *f[] = {&a.lm_response, &a.nt_response, &a.domain,
                                    &a.user,        &a.workstation, &a.encrypted_session_key};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        FUZZ_WITHIN(f[i]->p, f[i]->len, msg, len);
    fuzz_string(a.flags, a.domain);
    fuzz_string(a.flags, a.user);
    fuzz_string(a.flags, a.workstation);

    struct ntlm_bytes av;
    if (nt_ok(ntlmv2_response_av_pairs(a.nt_response, &av))) {
        FUZZ_WITHIN(av.p, av.len, a.nt_response.p, a.nt_response.len);
        fuzz_av(av.p, av.len);
    }
    (void)ntlmssp_auth_mic_required(&a);

    size_t n = 0;
    FUZZ_CHECK_OK(ntlmssp_encode_authenticate(&a, buf, cap, &n));
    uint8_t *m2 = fuzz_dup(buf, n);
    FUZZ_CHECK_OK(ntlmssp_decode_authenticate(m2, n, &b));
    FUZZ_CHECK(a.flags == b.flags);
    FUZZ_CHECK(same(a.lm_response, b.lm_response));
    FUZZ_CHECK(same(a.nt_response, b.nt_response));
    FUZZ_CHECK(same(a.domain, b.domain));
    FUZZ_CHECK(same(a.user, b.user));
    FUZZ_CHECK(same(a.workstation, b.workstation));
    FUZZ_CHECK(same(a.encrypted_session_key, b.encrypted_session_key));
    FUZZ_CHECK(a.has_version == b.has_version);
    FUZZ_CHECK(same_version(a.has_version, &a.version, &b.version));
    FUZZ_CHECK(a.has_mic == b.has_mic);
    FUZZ_CHECK(!a.has_mic || memcmp(a.mic, b.mic, NTLMSSP_MIC_LEN) == 0);
    FUZZ_CHECK(ntlmssp_auth_mic_required(&a) == ntlmssp_auth_mic_required(&b));
    if (b.has_mic) {
        uint8_t mic[NTLMSSP_MIC_LEN];
        memset(mic, 0xA5, sizeof(mic));
        FUZZ_CHECK_OK(ntlmssp_patch_mic(buf, n, mic));
    }
    free(m2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Payload fields may share bytes in the input; re-encoded, each gets its
     * own copy: at most the fixed part, Version, MIC and six 64 KiB fields. */
    static uint8_t buf[NTLMSSP_MIC_OFFSET + NTLMSSP_MIC_LEN + 6 * 65536];
    size_t cap = sizeof(buf);
    fuzz_negotiate(data, size, buf, cap);
    fuzz_challenge(data, size, buf, cap);
    fuzz_authenticate(data, size, buf, cap);
    if (ntlmssp_message_type(data, size) == 0)
        fuzz_av(data, size);
    return 0;
}
