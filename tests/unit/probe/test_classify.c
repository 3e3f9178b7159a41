/* Classification of real and built responses (lib/probe/classify.c) and the
 * probe's requests (request.c) read back through the lib/wire decoders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "auth/ntlm_server.h"
#include "base/cursor.h"
#include "probe/probe_msg.h"
#include "wire/hdr.h"
#include "wire/negotiate.h"
#include "wire/negotiate_ctx.h"
#include "wire/session_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A Windows NEGOTIATE response (3.1.1, SecurityMode 1, AES-128-GCM, no
 * SIGNING_CAPABILITIES): tests/vectors/smb311_preauth_integrity.json, chain
 * "anatomy-3.1.1-master", step "SMB2 NEGOTIATE response" (see SOURCES.md). */
static const char windows_negotiate_rsp[] =
    "fe534d4240000100000000000000010001000000000000000100000000000000fffe00000000000000000000000000"
    "00"
    "00000000000000000000000000000000410001001103020039cbcaf329714942bdce5d60f09ab3fb2f000000000080"
    "00"
    "0000800000008000d8dae5adcbaed00109094ab095aed00180004001c00100006082013c06062b0601050502a08201"
    "30"
    "3082012ca01a3018060a2b06010401823702021e060a2b06010401823702020aa282010c048201084e45474f455854"
    "53"
    "010000000000000060000000700000007c7cc0fd06d6362d02dde1cf343bfe292900f49750b4aa97934d9c4296b26e"
    "51"
    "fd370471b235e15a50dae15bd5489c870000000000000000600000000100000000000000000000005c33530deaf90d"
    "4d"
    "b2ec4ae3786ec3084e45474f45585453030000000100000040000000980000007c7cc0fd06d6362d02dde1cf343bfe"
    "29"
    "5c33530deaf90d4db2ec4ae3786ec30840000000580000003056a05430523027802530233121301f06035504031318"
    "54"
    "6f6b656e205369676e696e67205075626c6963204b65793027802530233121301f06035504031318546f6b656e2053"
    "69"
    "676e696e67205075626c6963204b6579010026000000000001002000010060a3c3b95c3c7ccd51ec536648d9b3ac74"
    "c4"
    "83ca5b65385a251117beb30712e50000020004000000000001000200";

/* Samba 4.17 (server signing = mandatory) answering a 3.1.1 offer of only
 * AES-128-GMAC and AES-256-GCM; captured on loopback. */
static const char samba_gmac_rsp[] =
    "fe534d4240000000000000000000010001000000000000000000000000000000fffe00000000000000000000000000"
    "00"
    "000000000000000000000000000000004100030011030300766d000000000000000000000000000007000000000080"
    "00"
    "0000800000008000b47154d7577cdd01000000000000000080004a00d0000000604806062b0601050502a03e303ca0"
    "0e"
    "300c060a2b06010401823702020aa32a3028a0261b246e6f745f646566696e65645f696e5f5246433431373840706c"
    "65"
    "6173655f69676e6f726500000000000001002600000000000100200001009eea8764301499e6d0a6e7f6f04e5f2061"
    "97"
    "67994a984e2fbdad8516a95fc4c1000002000400000000000100040000000000080004000000000001000200";

/* Samba 4.17 (server signing = auto) answering a 2.0.2-only offer. */
static const char samba_0202_rsp[] = "fe534d4240000000000000000000010001000000000000000000000000000"
                                     "000fffe0000000000000000000000000000"
                                     "000000000000000000000000000000004100010002020000766d000000000"
                                     "00000000000000000000100000000000100"
                                     "0000010000000100ca0055d7577cdd01000000000000000080004a0000000"
                                     "000604806062b0601050502a03e303ca00e"
                                     "300c060a2b06010401823702020aa32a3028a0261b246e6f745f646566696"
                                     "e65645f696e5f5246433431373840706c65"
                                     "6173655f69676e6f7265";

/* Samba 4.17 answering an offer of dialect 0x0222 only: STATUS_NOT_SUPPORTED. */
static const char samba_refusal_rsp[] = "fe534d4240000000bb0000c00000010001000000000000000000000000"
                                        "000000fffe0000000000000000000000000000"
                                        "00000000000000000000000000000000090000000000000000";

/* Samba 4.17 SMB1 NEGOTIATE responses to "NT LM 0.12" alone: with
 * server min protocol = NT1 (DialectIndex 0), and with SMB2_02 (0xFFFF). */
static const char samba_smb1_accept[] = "ff534d4272000000008801c80000000000000000000000000000fffe00"
                                        "00000011000007320001000441000000000100"
                                        "a3420000fcf380800a3c68d2577cdd010000005a00766d000000000000"
                                        "0000000000000000604806062b0601050502a0"
                                        "3e303ca00e300c060a2b06010401823702020aa32a3028a0261b246e6f"
                                        "745f646566696e65645f696e5f524643343137"
                                        "3840706c656173655f69676e6f7265";
static const char samba_smb1_refuse[] =
    "ff534d4272000000008803c00000000000000000000000000000fffe0000000001ffff0000";

/* Hex to bytes (the caller frees). */
static uint8_t *unhex(const char *hex, size_t *len)
{
    size_t n = strlen(hex) / 2;
    uint8_t *p = malloc(n);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        p[i] = (uint8_t)v;
    }
    *len = n;
    return p;
}

static struct probe_neg_offer offer_of(uint16_t dialect, int sign, int cipher)
{
    struct probe_neg_offer o;
    memset(&o, 0, sizeof o);
    o.dialects[o.n_dialects++] = dialect;
    if (sign >= 0)
        o.sign_algs[o.n_sign++] = (uint16_t)sign;
    if (cipher > 0)
        o.ciphers[o.n_ciphers++] = (uint16_t)cipher;
    return o;
}

static void test_windows_negotiate(void **state)
{
    (void)state;
    size_t len;
    uint8_t *msg = unhex(windows_negotiate_rsp, &len);
    struct probe_neg_offer o = offer_of(SMB2_DIALECT_0311, -1, SMB2_CIPHER_AES128_GCM);
    struct probe_neg_answer a;
    /* The request of this capture was MessageId 1 (after an SMB1 NEGOTIATE). */
    assert_int_equal(probe_classify_negotiate(msg, len, &o, &a).code,
                     STATUS_INVALID_NETWORK_RESPONSE.code);
    o.message_id = 1;
    assert_true(nt_ok(probe_classify_negotiate(msg, len, &o, &a)));
    assert_true(nt_ok(a.status));
    assert_true(a.info.accepted);
    assert_int_equal(a.dialect, SMB2_DIALECT_0311);
    assert_int_equal(a.info.security_mode, SMB2_NEGOTIATE_SIGNING_ENABLED);
    assert_int_equal(a.info.capabilities, 0x2f);
    assert_int_equal(a.info.max_read_size, 8388608);
    assert_int_equal(a.info.system_time, 0x1d0aecbade5dad8ull);
    static const uint8_t guid[16] = {0x39, 0xcb, 0xca, 0xf3, 0x29, 0x71, 0x49, 0x42,
                                     0xbd, 0xce, 0x5d, 0x60, 0xf0, 0x9a, 0xb3, 0xfb};
    assert_memory_equal(a.info.server_guid, guid, 16);
    assert_false(a.sign_present); /* this Windows build predates SIGNING_CAPABILITIES */
    assert_true(a.cipher_present);
    assert_int_equal(a.cipher_picked, SMB2_CIPHER_AES128_GCM);
    assert_non_null(a.security_buffer);
    assert_true(a.security_buffer_len > 0);
    /* The same answer to an offer without 3.1.1 is a protocol violation. */
    o = offer_of(SMB2_DIALECT_0302, -1, 0);
    o.message_id = 1;
    assert_true(nt_ok(probe_classify_negotiate(msg, len, &o, &a)));
    assert_false(a.info.accepted);
    assert_int_equal(a.status.code, STATUS_INVALID_NETWORK_RESPONSE.code);
    free(msg);
}

static void test_samba_gmac(void **state)
{
    (void)state;
    size_t len;
    uint8_t *msg = unhex(samba_gmac_rsp, &len);
    struct probe_neg_offer o =
        offer_of(SMB2_DIALECT_0311, SMB2_SIGNING_AES_GMAC, SMB2_CIPHER_AES256_GCM);
    struct probe_neg_answer a;
    assert_true(nt_ok(probe_classify_negotiate(msg, len, &o, &a)));
    assert_true(a.info.accepted);
    assert_int_equal(a.info.security_mode,
                     SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED);
    assert_true(a.sign_present);
    assert_int_equal(a.sign_picked, SMB2_SIGNING_AES_GMAC);
    assert_true(a.cipher_present);
    assert_int_equal(a.cipher_picked, SMB2_CIPHER_AES256_GCM);
    /* Every truncation is rejected or refused, never read past. */
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, msg, n);
        ntstatus_t st = probe_classify_negotiate(cut, n, &o, &a);
        assert_false(nt_ok(st) && a.info.accepted);
        free(cut);
    }
    free(msg);
}

static void test_samba_0202_and_refusal(void **state)
{
    (void)state;
    size_t len;
    uint8_t *msg = unhex(samba_0202_rsp, &len);
    struct probe_neg_offer o = offer_of(SMB2_DIALECT_0202, -1, 0);
    struct probe_neg_answer a;
    assert_true(nt_ok(probe_classify_negotiate(msg, len, &o, &a)));
    assert_true(a.info.accepted);
    assert_int_equal(a.dialect, SMB2_DIALECT_0202);
    assert_int_equal(a.info.security_mode, SMB2_NEGOTIATE_SIGNING_ENABLED);
    assert_int_equal(a.info.max_read_size, 65536);
    assert_false(a.sign_present);
    free(msg);

    msg = unhex(samba_refusal_rsp, &len);
    o = offer_of(0x0222, -1, 0);
    assert_true(nt_ok(probe_classify_negotiate(msg, len, &o, &a)));
    assert_false(a.info.accepted);
    assert_int_equal(a.status.code, STATUS_NOT_SUPPORTED.code);
    assert_int_equal(a.info.status.code, STATUS_NOT_SUPPORTED.code);
    free(msg);
}

static void test_not_a_negotiate(void **state)
{
    (void)state;
    size_t len;
    uint8_t *msg = unhex(samba_0202_rsp, &len);
    struct probe_neg_offer o = offer_of(SMB2_DIALECT_0202, -1, 0);
    struct probe_neg_answer a;
    msg[12] = SMB2_SESSION_SETUP; /* Command */
    assert_int_equal(probe_classify_negotiate(msg, len, &o, &a).code,
                     STATUS_INVALID_NETWORK_RESPONSE.code);
    msg[12] = SMB2_NEGOTIATE;
    msg[16] &= (uint8_t)~SMB2_FLAGS_SERVER_TO_REDIR; /* a request, not a response */
    assert_false(nt_ok(probe_classify_negotiate(msg, len, &o, &a)));
    free(msg);
}

static void test_smb1(void **state)
{
    (void)state;
    size_t len;
    struct probe_smb1 s;
    uint8_t *msg = unhex(samba_smb1_accept, &len);
    probe_classify_smb1(msg, len, &s);
    assert_true(s.tried);
    assert_true(s.accepted);
    assert_true(nt_ok(s.status));
    free(msg);
    msg = unhex(samba_smb1_refuse, &len);
    probe_classify_smb1(msg, len, &s);
    assert_false(s.accepted);
    assert_int_equal(s.status.code, STATUS_NOT_SUPPORTED.code);
    probe_classify_smb1(msg, 20, &s); /* truncated */
    assert_false(s.accepted);
    assert_int_equal(s.status.code, STATUS_INVALID_NETWORK_RESPONSE.code);
    free(msg);
    msg = unhex(samba_0202_rsp, &len); /* an SMB2 answer to SMB1 */
    probe_classify_smb1(msg, len, &s);
    assert_false(s.accepted);
    assert_true(s.answered_smb2);
    free(msg);
}

/* A 3.1.1 answer whose SIGNING_CAPABILITIES lists two algorithms: the
 * dialect is accepted, the algorithm answer is malformed (2.2.4.1.7 allows
 * exactly one). */
static void test_bad_signing_context(void **state)
{
    (void)state;
    uint8_t ctx[128], msg[512];
    struct smb2_negctx_set set;
    memset(&set, 0, sizeof set);
    static const uint8_t salt[32] = {1};
    set.present = SMB2_NEGCTX_HAS(SMB2_PREAUTH_INTEGRITY_CAPABILITIES) |
                  SMB2_NEGCTX_HAS(SMB2_SIGNING_CAPABILITIES);
    set.preauth = (struct smb2_preauth_caps){1, {SMB2_PREAUTH_INTEGRITY_SHA512}, 32, salt};
    set.signing = (struct smb2_signing_caps){2, {SMB2_SIGNING_AES_GMAC, SMB2_SIGNING_AES_CMAC}};
    struct wr w;
    wr_init(&w, ctx, sizeof ctx);
    struct smb2_negotiate_rsp r = {.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED,
                                   .dialect_revision = SMB2_DIALECT_0311};
    assert_true(nt_ok(smb2_negctx_set_encode(&w, &set, &r.negotiate_context_count)));
    r.negotiate_context_list = ctx;
    r.negotiate_context_list_len = wr_pos(&w);
    wr_init(&w, msg, sizeof msg);
    struct smb2_hdr h = {.command = SMB2_NEGOTIATE, .flags = SMB2_FLAGS_SERVER_TO_REDIR};
    assert_true(nt_ok(smb2_hdr_encode(&w, &h)));
    assert_true(nt_ok(smb2_negotiate_rsp_encode(&w, &r)));
    struct probe_neg_offer o = offer_of(SMB2_DIALECT_0311, SMB2_SIGNING_AES_GMAC, 0);
    struct probe_neg_answer a;
    assert_true(nt_ok(probe_classify_negotiate(msg, wr_pos(&w), &o, &a)));
    assert_true(a.info.accepted);
    assert_int_equal(a.ctx_status.code, STATUS_INVALID_NETWORK_RESPONSE.code);
    assert_false(a.sign_present);
}

/* Our NEGOTIATE requests decode with lib/wire as what they offer. */
static void test_build_negotiate(void **state)
{
    (void)state;
    uint8_t out[PROBE_REQ_MAX], guid[16] = {1, 2, 3};
    size_t len = 0;
    struct probe_neg_offer o =
        offer_of(SMB2_DIALECT_0311, SMB2_SIGNING_HMAC_SHA256, SMB2_CIPHER_AES128_CCM);
    assert_true(nt_ok(probe_build_negotiate(&o, guid, out, sizeof out, &len)));
    uint32_t frame = 0;
    assert_true(nt_ok(smb2_frame_decode(out, PROBE_MAX_FRAME, &frame)));
    assert_int_equal(frame + 4, len);
    struct smb2_negotiate_req req;
    assert_true(nt_ok(smb2_negotiate_req_decode(out + 4, frame, &req)));
    assert_int_equal(req.dialect_count, 1);
    assert_int_equal(req.dialects[0], SMB2_DIALECT_0311);
    assert_int_equal(req.security_mode, SMB2_NEGOTIATE_SIGNING_ENABLED);
    struct smb2_negctx_set set;
    assert_true(
        nt_ok(smb2_negctx_set_decode(req.negotiate_context_list, req.negotiate_context_list_len,
                                     req.negotiate_context_count, &set)));
    assert_true(smb2_negctx_set_has(&set, SMB2_PREAUTH_INTEGRITY_CAPABILITIES));
    assert_int_equal(set.signing.signing_algorithm_count, 1);
    assert_int_equal(set.signing.signing_algorithms[0], SMB2_SIGNING_HMAC_SHA256);
    assert_int_equal(set.encryption.cipher_count, 1);
    assert_int_equal(set.encryption.ciphers[0], SMB2_CIPHER_AES128_CCM);
    /* No SIGNING_CAPABILITIES when none is offered. */
    o = offer_of(SMB2_DIALECT_0311, -1, SMB2_CIPHER_AES128_CCM);
    assert_true(nt_ok(probe_build_negotiate(&o, guid, out, sizeof out, &len)));
    assert_true(nt_ok(smb2_negotiate_req_decode(out + 4, len - 4, &req)));
    assert_true(
        nt_ok(smb2_negctx_set_decode(req.negotiate_context_list, req.negotiate_context_list_len,
                                     req.negotiate_context_count, &set)));
    assert_false(smb2_negctx_set_has(&set, SMB2_SIGNING_CAPABILITIES));
    /* A 2.0.2 offer carries no contexts. */
    o = offer_of(SMB2_DIALECT_0202, -1, 0);
    assert_true(nt_ok(probe_build_negotiate(&o, guid, out, sizeof out, &len)));
    assert_true(nt_ok(smb2_negotiate_req_decode(out + 4, len - 4, &req)));
    assert_int_equal(req.negotiate_context_count, 0);
    assert_int_equal(req.capabilities, 0);
}

/* The SMB1 request is what lib/wire's server-side check recognises as an
 * SMB1 NEGOTIATE without SMB2 dialects. */
static void test_build_smb1(void **state)
{
    (void)state;
    uint8_t out[PROBE_REQ_MAX];
    size_t len = 0;
    assert_true(nt_ok(probe_build_smb1_negotiate(out, sizeof out, &len)));
    uint32_t frame = 0;
    assert_true(nt_ok(smb2_frame_decode(out, PROBE_MAX_FRAME, &frame)));
    assert_int_equal(frame + 4, len);
    assert_memory_equal(out + 4, "\xffSMB\x72", 5);
    assert_int_equal(smb1_negotiate_smb2_dialect(out + 4, frame), 0);
}

/* The anonymous logon, run against the project's NTLM acceptor: it must
 * recognise it as anonymous ([MS-NLMP] 3.2.5.1.2). */
static void test_anonymous_logon(void **state)
{
    (void)state;
    struct ntlm_server_opts so = {
        .nb_computer = "SIGNET", .nb_domain = "WORKGROUP", .allow_anonymous = true};
    struct ntlm_server *srv = NULL;
    assert_true(nt_ok(ntlm_server_new(&so, &srv)));
    struct buf tok = BUF_INIT, rsp = BUF_INIT;
    assert_true(nt_ok(probe_anon_first_token(&tok)));
    assert_int_equal(ntlm_server_step(srv, tok.p, tok.len, &rsp).code,
                     STATUS_MORE_PROCESSING_REQUIRED.code);
    assert_true(nt_ok(probe_anon_auth_token(rsp.p, rsp.len, &tok)));
    assert_true(nt_ok(ntlm_server_step(srv, tok.p, tok.len, &rsp)));
    const struct ntlm_server_result *res = ntlm_server_result(srv);
    assert_true(res->is_anonymous);
    assert_false(res->has_key);
    assert_string_equal(res->user, "");
    /* A garbage challenge token is refused. */
    static const uint8_t junk[] = {0xa1, 0x03, 0x30, 0x01, 0x00};
    assert_false(nt_ok(probe_anon_auth_token(junk, sizeof junk, &tok)));
    ntlm_server_free(srv);
    buf_free(&tok);
    buf_free(&rsp);
}

/* SESSION_SETUP responses built with lib/wire's encoder. */
static size_t build_setup_rsp(uint8_t *out, size_t cap, uint32_t status, uint64_t mid,
                              uint16_t flags, const uint8_t *tok, uint16_t tok_len)
{
    struct wr w;
    wr_init(&w, out, cap);
    struct smb2_hdr h;
    memset(&h, 0, sizeof h);
    h.command = SMB2_SESSION_SETUP;
    h.flags = SMB2_FLAGS_SERVER_TO_REDIR;
    h.status = status;
    h.message_id = mid;
    h.session_id = 0x1234;
    assert_true(nt_ok(smb2_hdr_encode(&w, &h)));
    if (status == 0 || status == STATUS_MORE_PROCESSING_REQUIRED.code) {
        struct smb2_session_setup_rsp r = {
            .session_flags = flags, .security_buffer = tok, .security_buffer_length = tok_len};
        assert_true(nt_ok(smb2_session_setup_rsp_encode(&w, &r)));
    } else {
        wr_u16(&w, 9); /* 2.2.2 ERROR response */
        wr_zero(&w, 7);
    }
    assert_true(wr_ok(&w));
    return wr_pos(&w);
}

static void test_session_setup(void **state)
{
    (void)state;
    uint8_t msg[256];
    static const uint8_t tok[] = {0xa1, 0x00};
    struct probe_sess_answer a;
    size_t n = build_setup_rsp(msg, sizeof msg, 0, 2, SMB2_SESSION_FLAG_IS_GUEST, NULL, 0);
    assert_true(nt_ok(probe_classify_session_setup(msg, n, 2, &a)));
    assert_true(nt_ok(a.status));
    assert_int_equal(a.session_flags, SMB2_SESSION_FLAG_IS_GUEST);
    assert_int_equal(a.session_id, 0x1234);
    n = build_setup_rsp(msg, sizeof msg, STATUS_MORE_PROCESSING_REQUIRED.code, 1, 0, tok,
                        sizeof tok);
    assert_true(nt_ok(probe_classify_session_setup(msg, n, 1, &a)));
    assert_int_equal(a.status.code, STATUS_MORE_PROCESSING_REQUIRED.code);
    assert_int_equal(a.token_len, sizeof tok);
    /* The wrong MessageId is not our answer. */
    assert_false(nt_ok(probe_classify_session_setup(msg, n, 2, &a)));
    n = build_setup_rsp(msg, sizeof msg, STATUS_LOGON_FAILURE.code, 2, 0, NULL, 0);
    assert_true(nt_ok(probe_classify_session_setup(msg, n, 2, &a)));
    assert_int_equal(a.status.code, STATUS_LOGON_FAILURE.code);
    assert_false(probe_is_interim(msg, n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_windows_negotiate),
        cmocka_unit_test(test_samba_gmac),
        cmocka_unit_test(test_samba_0202_and_refusal),
        cmocka_unit_test(test_not_a_negotiate),
        cmocka_unit_test(test_smb1),
        cmocka_unit_test(test_build_negotiate),
        cmocka_unit_test(test_build_smb1),
        cmocka_unit_test(test_anonymous_logon),
        cmocka_unit_test(test_session_setup),
        cmocka_unit_test(test_bad_signing_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
