/* SPNEGO codec: the real tokens of four Windows SMB 3.1.1 logons (the
 * NEGOTIATE response's NegTokenInit with NEGOEX, the NTLMSSP NegTokenInit, the
 * NegTokenResps with CHALLENGE, AUTHENTICATE + mechListMIC and the final
 * accept-completed), round trips, NegTokenInit2 with negHints, and malformed
 * tokens: truncations, trailing bytes, bad tags, bad OIDs, deep nesting. */
#include "auth/spnego.h"

#include "auth/asn1.h"
#include "auth/ntlmssp.h"

#include "auth_test_util.h"

#define assert_nt(expr)     assert_true(nt_ok(expr))
#define assert_not_nt(expr) assert_false(nt_ok(expr))

static const uint8_t ntlm_mech_types_der[] = {0x30, 0x0C, 0x06, 0x0A, 0x2B, 0x06, 0x01,
                                              0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0A};

/* Decoding one capture: what Windows sends, field by field. */
static void check_chain_tokens(const struct tbytes t[5])
{
    struct spnego_token tok;
    /* NEGOTIATE response: NegTokenInit { NEGOEX, NTLMSSP }, a NEGOEX mechToken */
    assert_nt(spnego_decode(t[0].p, t[0].len, &tok));
    assert_int_equal(tok.kind, SPNEGO_NEG_TOKEN_INIT);
    assert_int_equal(tok.init.mech_types.count, 2);
    assert_int_equal(tok.init.mech_types.mech[0], SPNEGO_MECH_NEGOEX);
    assert_int_equal(tok.init.mech_types.mech[1], SPNEGO_MECH_NTLMSSP);
    assert_true(tok.init.mech_token.p && memcmp(tok.init.mech_token.p, "NEGOEXTS", 8) == 0);
    assert_false(tok.init.has_neg_hints);
    /* SESSION_SETUP #1: NegTokenInit { NTLMSSP } + NEGOTIATE */
    assert_nt(spnego_decode(t[1].p, t[1].len, &tok));
    assert_int_equal(tok.kind, SPNEGO_NEG_TOKEN_INIT);
    assert_int_equal(tok.init.mech_types.count, 1);
    assert_true(spnego_mech_list_has(&tok.init.mech_types, SPNEGO_MECH_NTLMSSP));
    assert_false(spnego_mech_list_has(&tok.init.mech_types, SPNEGO_MECH_KRB5));
    assert_int_equal(tok.init.mech_types.der.len, sizeof ntlm_mech_types_der);
    assert_memory_equal(tok.init.mech_types.der.p, ntlm_mech_types_der, sizeof ntlm_mech_types_der);
    assert_int_equal(ntlmssp_message_type(tok.init.mech_token.p, tok.init.mech_token.len),
                     NTLMSSP_MSG_NEGOTIATE);
    assert_null(tok.init.mech_list_mic.p);
    /* response #1: accept-incomplete, NTLMSSP, CHALLENGE */
    assert_nt(spnego_decode(t[2].p, t[2].len, &tok));
    assert_int_equal(tok.kind, SPNEGO_NEG_TOKEN_RESP);
    assert_true(tok.resp.has_neg_state && tok.resp.neg_state == SPNEGO_ACCEPT_INCOMPLETE);
    assert_true(tok.resp.has_supported_mech && tok.resp.supported_mech == SPNEGO_MECH_NTLMSSP);
    assert_int_equal(ntlmssp_message_type(tok.resp.response_token.p, tok.resp.response_token.len),
                     NTLMSSP_MSG_CHALLENGE);
    /* request #2: AUTHENTICATE and the client's mechListMIC */
    assert_nt(spnego_decode(t[3].p, t[3].len, &tok));
    assert_int_equal(tok.kind, SPNEGO_NEG_TOKEN_RESP);
    assert_int_equal(ntlmssp_message_type(tok.resp.response_token.p, tok.resp.response_token.len),
                     NTLMSSP_MSG_AUTHENTICATE);
    assert_int_equal(tok.resp.mech_list_mic.len, 16);
    /* final: accept-completed with the server's mechListMIC only */
    assert_nt(spnego_decode(t[4].p, t[4].len, &tok));
    assert_true(tok.resp.has_neg_state && tok.resp.neg_state == SPNEGO_ACCEPT_COMPLETED);
    assert_false(tok.resp.has_supported_mech);
    assert_null(tok.resp.response_token.p);
    assert_int_equal(tok.resp.mech_list_mic.len, 16);
}

static void decodes_real_windows_tokens(void **state)
{
    (void)state;
    for (size_t c = 0; c < 4; c++) {
        struct tbytes t[5];
        size_t n = tu_chain_tokens(c, t);
        check_chain_tokens(t);
        tu_free_tokens(t, n);
    }
}

/* Decode, re-encode: the same bytes (the client init, and every resp). */
static void real_tokens_round_trip(void **state)
{
    (void)state;
    struct tbytes t[5];
    size_t n = tu_chain_tokens(0, t);
    uint8_t out[1024];
    for (size_t i = 1; i < n; i++) {
        struct spnego_token tok;
        size_t len = 0;
        assert_nt(spnego_decode(t[i].p, t[i].len, &tok));
        if (tok.kind == SPNEGO_NEG_TOKEN_INIT)
            assert_nt(spnego_encode_init(&tok.init, out, sizeof out, &len));
        else
            assert_nt(spnego_encode_resp(&tok.resp, out, sizeof out, &len));
        assert_int_equal(len, t[i].len);
        assert_memory_equal(out, t[i].p, len);
    }
    /* the server's NEGOEX init too: NEGOEX is a mechanism we can name */
    struct spnego_token tok;
    size_t len = 0;
    assert_nt(spnego_decode(t[0].p, t[0].len, &tok));
    assert_nt(spnego_encode_init(&tok.init, out, sizeof out, &len));
    assert_int_equal(len, t[0].len);
    assert_memory_equal(out, t[0].p, len);
    tu_free_tokens(t, n);
}

/* Every proper prefix and every token with a byte appended must fail; every
 * single-byte change must decode or fail cleanly (ASan watches). */
static void truncated_extended_and_mutated_tokens(void **state)
{
    (void)state;
    struct tbytes t[5];
    size_t n = tu_chain_tokens(1, t);
    struct spnego_token tok;
    for (size_t i = 0; i < n; i++) {
        for (size_t len = 0; len < t[i].len; len++) {
            uint8_t *copy = malloc(len ? len : 1);
            memcpy(copy, t[i].p, len);
            assert_not_nt(spnego_decode(copy, len, &tok));
            free(copy);
        }
        uint8_t *longer = malloc(t[i].len + 1);
        memcpy(longer, t[i].p, t[i].len);
        longer[t[i].len] = 0;
        assert_not_nt(spnego_decode(longer, t[i].len + 1, &tok));
        for (size_t at = 0; at < t[i].len; at++) {
            memcpy(longer, t[i].p, t[i].len);
            longer[at] ^= 0x41;
            (void)spnego_decode(longer, t[i].len, &tok);
        }
        free(longer);
    }
    tu_free_tokens(t, n);
}

/* The server's first token as Windows and Samba shape it ([MS-SPNG] 2.2.1). */
static void neg_token_init2_with_hints(void **state)
{
    (void)state;
    struct spnego_init in = {0};
    in.mech_types.count = 3;
    in.mech_types.mech[0] = SPNEGO_MECH_MS_KRB5;
    in.mech_types.mech[1] = SPNEGO_MECH_KRB5;
    in.mech_types.mech[2] = SPNEGO_MECH_NTLMSSP;
    in.has_neg_hints = true;
    uint8_t out[256];
    size_t len = 0;
    assert_nt(spnego_encode_init(&in, out, sizeof out, &len));
    assert_int_equal(out[0], DER_APPLICATION_0);
    struct spnego_token tok;
    assert_nt(spnego_decode(out, len, &tok));
    assert_int_equal(tok.kind, SPNEGO_NEG_TOKEN_INIT);
    assert_true(tok.init.has_neg_hints);
    assert_int_equal(tok.init.hint_name.len, strlen(SPNEGO_NEG_HINT_IGNORE));
    assert_memory_equal(tok.init.hint_name.p, SPNEGO_NEG_HINT_IGNORE, tok.init.hint_name.len);
    assert_int_equal(tok.init.mech_types.count, 3);
    assert_int_equal(tok.init.mech_types.mech[0], SPNEGO_MECH_MS_KRB5);
    assert_int_equal(tok.init.mech_types.mech[1], SPNEGO_MECH_KRB5);
    assert_null(tok.init.mech_token.p);
    /* with a mechListMIC it moves to [4] */
    static const uint8_t mic[16] = {1};
    in.mech_list_mic = (struct spnego_bytes){mic, sizeof mic};
    assert_nt(spnego_encode_init(&in, out, sizeof out, &len));
    assert_nt(spnego_decode(out, len, &tok));
    assert_int_equal(tok.init.mech_list_mic.len, 16);
    /* the mechTypes DER we expose is exactly what spnego_encode_mech_list gives */
    uint8_t der[64];
    size_t der_len = 0;
    assert_nt(spnego_encode_mech_list(in.mech_types.mech, 3, der, sizeof der, &der_len));
    assert_int_equal(tok.init.mech_types.der.len, der_len);
    assert_memory_equal(tok.init.mech_types.der.p, der, der_len);
}

static void resp_round_trip_and_encoder_limits(void **state)
{
    (void)state;
    static const uint8_t token[300] = {0x4E};
    struct spnego_resp r = {.has_neg_state = true,
                            .neg_state = SPNEGO_REQUEST_MIC,
                            .has_supported_mech = true,
                            .supported_mech = SPNEGO_MECH_KRB5,
                            .response_token = {token, sizeof token}};
    uint8_t out[512];
    size_t len = 0;
    struct spnego_token tok;
    assert_nt(spnego_encode_resp(&r, out, sizeof out, &len));
    assert_nt(spnego_decode(out, len, &tok));
    assert_int_equal(tok.resp.neg_state, SPNEGO_REQUEST_MIC);
    assert_int_equal(tok.resp.supported_mech, SPNEGO_MECH_KRB5);
    assert_int_equal(tok.resp.response_token.len, sizeof token);
    assert_null(tok.resp.mech_list_mic.p);
    assert_not_nt(spnego_encode_resp(&r, out, 100, &len));
    assert_int_equal(len, 0);
    r.supported_mech = SPNEGO_MECH_UNKNOWN; /* no OID to send */
    assert_not_nt(spnego_encode_resp(&r, out, sizeof out, &len));
    enum spnego_mech none[1] = {SPNEGO_MECH_NTLMSSP};
    assert_not_nt(spnego_encode_mech_list(none, 0, out, sizeof out, &len));
}

static ntstatus_t decode_hex(const char *hex)
{
    struct tbytes b = tu_hex(hex);
    struct spnego_token tok;
    ntstatus_t st = spnego_decode(b.p, b.len, &tok);
    free(b.p);
    return st;
}

static void malformed_tokens_fail(void **state)
{
    (void)state;
    /* a good bare NegTokenResp for reference: accept-completed */
    assert_nt(decode_hex("a1073005a0030a0100"));
    /* negState 4 is not in the ENUMERATED */
    assert_not_nt(decode_hex("a1073005a0030a0104"));
    /* fields out of order: [2] before [0] */
    assert_not_nt(decode_hex("a10d300ba2040402aabba0030a0100"));
    /* duplicate [0] */
    assert_not_nt(decode_hex("a10c300aa0030a0100a0030a0100"));
    /* unknown field [5] */
    assert_not_nt(decode_hex("a1083006a5040402aabb"));
    /* wrong wrapper OID (Kerberos instead of SPNEGO) */
    assert_not_nt(decode_hex("601d06092a864886f712010202a010300ea00c300a06082a864886f7120102"));
    /* NegTokenResp inside an InitialContextToken */
    assert_not_nt(decode_hex("600f06062b0601050502a1053003a00100"));
    /* empty mechTypes */
    assert_not_nt(decode_hex("a0063004a0023000"));
    /* NegTokenInit without mechTypes */
    assert_not_nt(decode_hex("a0083006a2040402aabb"));
    /* zero-length OID */
    assert_not_nt(decode_hex("a0083006a0043002060000"));
    /* [4] mechListMIC without negHints */
    assert_not_nt(decode_hex("a0163014a00e300c060a2b06010401823702020aa4020400"));
    /* neither [0] nor [1] nor [APPLICATION 0] */
    assert_not_nt(decode_hex("a2020400"));
    assert_not_nt(decode_hex(""));
    /* indefinite length at the top */
    assert_not_nt(decode_hex("a1803005a0030a01000000"));
}

/* 17 mechanisms: more than SPNEGO_MAX_MECHS. */
static void too_many_mechs_fail(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct wr w;
    wr_init(&w, buf, sizeof buf);
    size_t choice = der_begin(&w, DER_CONTEXT(0));
    size_t seq = der_begin(&w, DER_SEQUENCE);
    size_t ctx = der_begin(&w, DER_CONTEXT(0));
    size_t list = der_begin(&w, DER_SEQUENCE);
    for (int i = 0; i < SPNEGO_MAX_MECHS + 1; i++)
        der_put_prim(&w, DER_OID, spnego_oid_ntlmssp, sizeof spnego_oid_ntlmssp);
    der_end(&w, list);
    der_end(&w, ctx);
    der_end(&w, seq);
    der_end(&w, choice);
    assert_nt(wr_status(&w));
    struct spnego_token tok;
    assert_not_nt(spnego_decode(buf, wr_pos(&w), &tok));
}

/* A mechToken of [0] wrapped 50 deep: the nesting limit stops it. */
static void deep_nesting_fails(void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t depth = 50, len = 2 * depth;
    for (size_t i = 0; i < depth; i++) {
        buf[2 * i] = DER_CONTEXT(0);
        buf[2 * i + 1] = (uint8_t)(len - 2 * i - 2);
    }
    struct spnego_token tok;
    assert_not_nt(spnego_decode(buf, len, &tok));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_real_windows_tokens),
        cmocka_unit_test(real_tokens_round_trip),
        cmocka_unit_test(truncated_extended_and_mutated_tokens),
        cmocka_unit_test(neg_token_init2_with_hints),
        cmocka_unit_test(resp_round_trip_and_encoder_limits),
        cmocka_unit_test(malformed_tokens_fail),
        cmocka_unit_test(too_many_mechs_fail),
        cmocka_unit_test(deep_nesting_fails),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    tu_free_all();
    return failed;
}
