/* NTLMv2 computations: NT hash and NTOWFv2 (case rules, upcasing), the client
 * response and the server's verification (right password accepted, anything
 * else refused), key exchange, MIC, and session security (sequence numbers,
 * replay, tampering, wrap/unwrap). Known answers are in tests/vectors. */
#include "auth/ntlm_crypto.h"

#include "auth/ntlmssp.h"
#include "base/endian.h"

#include "auth_test_util.h"

#define assert_nt(expr)     assert_true(nt_ok(expr))
#define assert_not_nt(expr) assert_false(nt_ok(expr))

static const uint8_t server_challenge[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t client_challenge[8] = {0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x11, 0x22};

/* [MS-NLMP] 4.2.2.1.2: NTOWFv1("Password") */
static void nt_hash_known_answer(void **state)
{
    (void)state;
    static const uint8_t want[16] = {0xA4, 0xF4, 0x9C, 0x40, 0x65, 0x10, 0xBD, 0xCA,
                                     0xB6, 0x82, 0x4E, 0xE7, 0xC3, 0x0F, 0xD8, 0x52};
    uint8_t h[16];
    assert_nt(ntlm_nt_hash("Password", h));
    assert_memory_equal(h, want, 16);
    assert_nt(ntlm_nt_hash("", h));         /* empty password: MD4 of nothing */
    assert_not_nt(ntlm_nt_hash("\xC3", h)); /* truncated UTF-8 */
}

static void upcase_utf16(const char *in, const char *want)
{
    uint8_t a[64], b[64];
    struct ntlm_bytes x, y;
    assert_nt(ntlmssp_wire_string(NTLMSSP_NEGOTIATE_UNICODE, in, a, sizeof a, &x));
    assert_nt(ntlmssp_wire_string(NTLMSSP_NEGOTIATE_UNICODE, want, b, sizeof b, &y));
    ntlm_upcase_utf16le(a, x.len);
    assert_int_equal(x.len, y.len);
    assert_memory_equal(a, b, x.len);
}

static void upcases_like_windows(void **state)
{
    (void)state;
    upcase_utf16("administrator", "ADMINISTRATOR");
    upcase_utf16("jürgen.é-ÿ", "JÜRGEN.É-Ÿ");
    upcase_utf16("straße ÷ µ", "STRAßE ÷ µ"); /* one-to-one only; no SS */
    upcase_utf16("łukasz žofie ā", "ŁUKASZ ŽOFIE Ā");
    upcase_utf16("αλφα ς", "ΑΛΦΑ ς");
    upcase_utf16("иван ёж", "ИВАН ЁЖ");
    upcase_utf16("日本 123 ABC", "日本 123 ABC");
}

/* Only the user is uppercased: user case does not matter, domain case does. */
static void ntowfv2_case_rules(void **state)
{
    (void)state;
    uint8_t h[16], a[16], b[16], c[16];
    assert_nt(ntlm_nt_hash("Password", h));
    assert_nt(ntlm_ntowfv2(h, "User", "Domain", a));
    assert_nt(ntlm_ntowfv2(h, "USER", "Domain", b));
    assert_nt(ntlm_ntowfv2(h, "User", "DOMAIN", c));
    assert_memory_equal(a, b, 16);
    assert_memory_not_equal(a, c, 16);
    uint8_t u[16], d[16];
    struct ntlm_bytes user, dom;
    assert_nt(ntlmssp_wire_string(NTLMSSP_NEGOTIATE_UNICODE, "user", u, sizeof u, &user));
    assert_nt(ntlmssp_wire_string(NTLMSSP_NEGOTIATE_UNICODE, "Domain", d, sizeof d, &dom));
    assert_nt(ntlm_ntowfv2_utf16(h, user.p, user.len, dom.p, dom.len, c));
    assert_memory_equal(a, c, 16);
    assert_memory_equal(u, "u\0s\0e\0r\0", 8); /* the caller's bytes are not modified */
}

/* A client response for password pw, built as a Windows client would. */
struct response {
    uint8_t nt[512];
    size_t nt_len;
    uint8_t lm[24];
    uint8_t sbk[16];
};

static void client_respond(const char *pw, bool zero_lm, struct response *r)
{
    uint8_t h[16], av[256];
    struct wr w;
    wr_init(&w, av, sizeof av);
    ntlm_av_put_utf16(&w, MSV_AV_NB_DOMAIN_NAME, "DOM");
    ntlm_av_put_u64(&w, MSV_AV_TIMESTAMP, 0x01D0AECBADF5A1A1ull);
    ntlm_av_put_eol(&w);
    assert_nt(wr_status(&w));
    assert_nt(ntlm_nt_hash(pw, h));
    struct ntlmv2_client_input in = {
        h,  "Alice",    "DOM",  server_challenge, client_challenge, 0x01D0AECBADF5A1A1ull,
        av, wr_pos(&w), zero_lm};
    assert_nt(ntlmv2_client_response(&in, r->nt, sizeof r->nt, &r->nt_len, r->lm, r->sbk));
    assert_int_equal(r->nt_len, 16 + ntlmv2_temp_len(wr_pos(&w)));
}

static ntstatus_t server_check(const char *stored_pw, const char *user, const char *dom,
                               const uint8_t *chal, const uint8_t *nt, size_t nt_len,
                               uint8_t sbk[16])
{
    uint8_t h[16], u[64], d[64];
    struct ntlm_bytes ub, db;
    assert_nt(ntlm_nt_hash(stored_pw, h));
    assert_nt(ntlmssp_wire_string(NTLMSSP_NEGOTIATE_UNICODE, user, u, sizeof u, &ub));
    assert_nt(ntlmssp_wire_string(NTLMSSP_NEGOTIATE_UNICODE, dom, d, sizeof d, &db));
    return ntlmv2_server_verify(h, ub.p, ub.len, db.p, db.len, chal, nt, nt_len, sbk);
}

static void server_accepts_right_password(void **state)
{
    (void)state;
    struct response r;
    uint8_t sbk[16];
    client_respond("S3cret!", false, &r);
    assert_nt(server_check("S3cret!", "Alice", "DOM", server_challenge, r.nt, r.nt_len, sbk));
    assert_memory_equal(sbk, r.sbk, 16);
    /* the server uppercases the user too */
    assert_nt(server_check("S3cret!", "ALICE", "DOM", server_challenge, r.nt, r.nt_len, sbk));
    /* LMv2 = HMAC(...) || client challenge, unless zeroed for MsvAvTimestamp */
    assert_memory_equal(r.lm + 16, client_challenge, 8);
    client_respond("S3cret!", true, &r);
    static const uint8_t z24[24];
    assert_memory_equal(r.lm, z24, 24);
}

static void server_rejects_everything_else(void **state)
{
    (void)state;
    static const uint8_t zero[16];
    struct response r;
    uint8_t sbk[16], other_chal[8] = {8, 7, 6, 5, 4, 3, 2, 1};
    client_respond("S3cret!", false, &r);
    ntstatus_t st = server_check("s3cret!", "Alice", "DOM", server_challenge, r.nt, r.nt_len, sbk);
    assert_int_equal(st.code, STATUS_LOGON_FAILURE.code);
    assert_memory_equal(sbk, zero, 16);
    st = server_check("S3cret!", "Bob", "DOM", server_challenge, r.nt, r.nt_len, sbk);
    assert_int_equal(st.code, STATUS_LOGON_FAILURE.code);
    st = server_check("S3cret!", "Alice", "dom", server_challenge, r.nt, r.nt_len, sbk);
    assert_int_equal(st.code, STATUS_LOGON_FAILURE.code);
    st = server_check("S3cret!", "Alice", "DOM", other_chal, r.nt, r.nt_len, sbk);
    assert_int_equal(st.code, STATUS_LOGON_FAILURE.code);
    /* any changed byte of the response */
    for (size_t i = 0; i < r.nt_len; i++) {
        r.nt[i] ^= 0x01;
        st = server_check("S3cret!", "Alice", "DOM", server_challenge, r.nt, r.nt_len, sbk);
        assert_false(nt_ok(st));
        r.nt[i] ^= 0x01;
    }
    /* NTLMv1-sized, empty and too-short responses */
    st = server_check("S3cret!", "Alice", "DOM", server_challenge, r.nt, 24, sbk);
    assert_int_equal(st.code, STATUS_LOGON_FAILURE.code);
    st = server_check("S3cret!", "Alice", "DOM", server_challenge, r.nt, 0, sbk);
    assert_int_equal(st.code, STATUS_LOGON_FAILURE.code);
    st = server_check("S3cret!", "Alice", "DOM", server_challenge, r.nt, 40, sbk);
    assert_int_equal(st.code, STATUS_INVALID_PARAMETER.code);
    assert_nt(server_check("S3cret!", "Alice", "DOM", server_challenge, r.nt, r.nt_len, sbk));
}

static void key_exchange_round_trip(void **state)
{
    (void)state;
    const uint32_t kx = NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_SIGN;
    static const uint8_t kxkey[16] = {0x42};
    uint8_t exported[16], enc[16], recovered[16];
    bool has_enc = true;
    assert_nt(
        ntlm_client_exported_key(NTLMSSP_NEGOTIATE_SIGN, kxkey, NULL, exported, enc, &has_enc));
    assert_false(has_enc);
    assert_memory_equal(exported, kxkey, 16);
    assert_nt(ntlm_server_exported_key(NTLMSSP_NEGOTIATE_SIGN, kxkey, NULL, 0, recovered));
    assert_memory_equal(recovered, kxkey, 16);
    assert_nt(ntlm_client_exported_key(kx, kxkey, NULL, exported, enc, &has_enc));
    assert_true(has_enc);
    assert_memory_not_equal(exported, kxkey, 16);
    assert_nt(ntlm_server_exported_key(kx, kxkey, enc, 16, recovered));
    assert_memory_equal(recovered, exported, 16);
    assert_not_nt(ntlm_server_exported_key(kx, kxkey, enc, 15, recovered));
    assert_not_nt(ntlm_server_exported_key(kx, kxkey, NULL, 16, recovered));
    /* KEY_EXCH without SIGN or SEAL: no key exchange (3.1.5.1.2) */
    assert_false(ntlm_uses_key_exchange(NTLMSSP_NEGOTIATE_KEY_EXCH));
}

/* The MIC ignores what sits in the MIC field and covers every other byte. */
static void mic_covers_all_three_messages(void **state)
{
    (void)state;
    static const uint8_t key[16] = {7};
    uint8_t neg[40] = {1}, chal[60] = {2}, auth[120] = {3}, mic[16], mic2[16];
    assert_nt(ntlm_mic_compute(key, neg, sizeof neg, chal, sizeof chal, auth, sizeof auth, mic));
    memset(auth + NTLMSSP_MIC_OFFSET, 0x5A, 16);
    assert_nt(ntlm_mic_compute(key, neg, sizeof neg, chal, sizeof chal, auth, sizeof auth, mic2));
    assert_memory_equal(mic, mic2, 16);
    assert_not_nt(ntlm_mic_verify(key, neg, sizeof neg, chal, sizeof chal, auth, sizeof auth));
    memcpy(auth + NTLMSSP_MIC_OFFSET, mic, 16);
    assert_nt(ntlm_mic_verify(key, neg, sizeof neg, chal, sizeof chal, auth, sizeof auth));
    uint8_t *parts[3] = {neg, chal, auth};
    size_t lens[3] = {sizeof neg, sizeof chal, sizeof auth};
    for (size_t m = 0; m < 3; m++) {
        parts[m][lens[m] - 1] ^= 0x80;
        ntstatus_t st = ntlm_mic_verify(key, neg, sizeof neg, chal, sizeof chal, auth, sizeof auth);
        assert_int_equal(st.code, STATUS_LOGON_FAILURE.code);
        parts[m][lens[m] - 1] ^= 0x80;
    }
    assert_not_nt(ntlm_mic_compute(key, neg, sizeof neg, chal, sizeof chal, auth, 87, mic));
}

static const uint32_t ess_flags = NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
                                  NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_128 |
                                  NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL;

static void signatures_follow_sequence(void **state)
{
    (void)state;
    static const uint8_t key[16] = {0x10, 0x20};
    struct ntlm_security c, s;
    assert_nt(ntlm_security_init(&c, ess_flags, key, NTLM_ROLE_CLIENT));
    assert_nt(ntlm_security_init(&s, ess_flags, key, NTLM_ROLE_SERVER));
    uint8_t msg[3][8] = {"first", "second", "third"}, sig[3][16];
    for (int i = 0; i < 3; i++) {
        struct iovec iov = {msg[i], sizeof msg[i]};
        assert_nt(ntlm_get_mic(&c, &iov, 1, sig[i]));
        assert_int_equal(le32_get(sig[i]), 1);      /* Version */
        assert_int_equal(le32_get(sig[i] + 12), i); /* SeqNum */
    }
    struct iovec iov0 = {msg[0], sizeof msg[0]}, iov1 = {msg[1], sizeof msg[1]};
    assert_nt(ntlm_verify_mic(&s, &iov0, 1, sig[0]));
    /* replaying the first signature fails: the server expects seq 1 now */
    assert_int_equal(ntlm_verify_mic(&s, &iov0, 1, sig[0]).code, STATUS_ACCESS_DENIED.code);
    ntlm_security_free(&s);
    assert_nt(ntlm_security_init(&s, ess_flags, key, NTLM_ROLE_SERVER));
    /* out of order fails; a tampered message fails */
    assert_not_nt(ntlm_verify_mic(&s, &iov1, 1, sig[1]));
    ntlm_security_free(&s);
    assert_nt(ntlm_security_init(&s, ess_flags, key, NTLM_ROLE_SERVER));
    msg[0][0] ^= 1;
    assert_not_nt(ntlm_verify_mic(&s, &iov0, 1, sig[0]));
    /* a client cannot verify its own signature: the directions have own keys */
    ntlm_security_free(&c);
    assert_nt(ntlm_security_init(&c, ess_flags, key, NTLM_ROLE_CLIENT));
    msg[0][0] ^= 1;
    assert_not_nt(ntlm_verify_mic(&c, &iov0, 1, sig[0]));
    ntlm_security_free(&c);
    ntlm_security_free(&s);
    ntlm_security_free(&s); /* idempotent */
}

/* Many iovecs (past the stack array) MAC the same as one buffer. */
static void checksum_over_many_iovecs(void **state)
{
    (void)state;
    static const uint8_t key[16] = {3};
    uint8_t data[40], one[8], many[8];
    struct iovec iov[40];
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] = (uint8_t)i;
        iov[i] = (struct iovec){data + i, 1};
    }
    struct iovec whole = {data, sizeof data};
    assert_nt(ntlm_checksum(key, 5, &whole, 1, one));
    assert_nt(ntlm_checksum(key, 5, iov, 40, many));
    assert_memory_equal(one, many, 8);
    assert_nt(ntlm_checksum(key, 6, &whole, 1, many));
    assert_memory_not_equal(one, many, 8);
}

static void wrap_unwrap_round_trip(void **state)
{
    (void)state;
    static const uint8_t key[16] = {0x77};
    struct ntlm_security c, s;
    uint8_t data[32] = "sealed with the client key", sig[16];
    uint8_t orig[32];
    memcpy(orig, data, sizeof data);
    assert_nt(ntlm_security_init(&c, ess_flags, key, NTLM_ROLE_CLIENT));
    assert_nt(ntlm_security_init(&s, ess_flags, key, NTLM_ROLE_SERVER));
    assert_nt(ntlm_wrap(&c, data, sizeof data, sig));
    assert_memory_not_equal(data, orig, sizeof data);
    assert_nt(ntlm_unwrap(&s, data, sizeof data, sig));
    assert_memory_equal(data, orig, sizeof data);
    assert_nt(ntlm_wrap(&c, data, sizeof data, sig));
    data[3] ^= 1;
    assert_int_equal(ntlm_unwrap(&s, data, sizeof data, sig).code, STATUS_ACCESS_DENIED.code);
    ntlm_security_free(&c);
    ntlm_security_free(&s);
    /* no extended session security: not offered */
    assert_int_equal(ntlm_security_init(&c, NTLMSSP_NEGOTIATE_SIGN, key, NTLM_ROLE_CLIENT).code,
                     STATUS_NOT_SUPPORTED.code);
    assert_not_nt(ntlm_wrap(&c, data, sizeof data, sig));
}

/* Sealing-key length follows NEGOTIATE_128 / NEGOTIATE_56 (3.4.5.3). */
static void seal_key_strengths(void **state)
{
    (void)state;
    static const uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint8_t k128[16], k56[16], k40[16], s2c[16];
    assert_nt(ntlm_seal_key(NTLMSSP_NEGOTIATE_128, key, true, k128));
    assert_nt(ntlm_seal_key(NTLMSSP_NEGOTIATE_56, key, true, k56));
    assert_nt(ntlm_seal_key(0, key, true, k40));
    assert_nt(ntlm_seal_key(NTLMSSP_NEGOTIATE_128, key, false, s2c));
    assert_memory_not_equal(k128, k56, 16);
    assert_memory_not_equal(k56, k40, 16);
    assert_memory_not_equal(k128, s2c, 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nt_hash_known_answer),
        cmocka_unit_test(upcases_like_windows),
        cmocka_unit_test(ntowfv2_case_rules),
        cmocka_unit_test(server_accepts_right_password),
        cmocka_unit_test(server_rejects_everything_else),
        cmocka_unit_test(key_exchange_round_trip),
        cmocka_unit_test(mic_covers_all_three_messages),
        cmocka_unit_test(signatures_follow_sequence),
        cmocka_unit_test(checksum_over_many_iovecs),
        cmocka_unit_test(wrap_unwrap_round_trip),
        cmocka_unit_test(seal_key_strengths),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    tu_free_all();
    return failed;
}
