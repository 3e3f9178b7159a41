/* lib/auth/ntlm_client.c: the NTLM initiator in SPNEGO, checked against the
 * acceptor-side computations of lib/auth ([MS-NLMP] 3.1.5.1, 3.2.5.1;
 * [MS-SPNG] 3.1.5.1). */
#include "auth/ntlm_client.h"
#include "auth/ntlm_crypto.h"
#include "auth/ntlmssp.h"
#include "auth/spnego.h"
#include "base/buf.h"
#include "base/utf16.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const uint8_t server_challenge[8] = {1, 2, 3, 4, 5, 6, 7, 8};

struct server {
    uint8_t negotiate[256];
    size_t negotiate_len;
    uint8_t challenge[512];
    size_t challenge_len;
    uint8_t token[1024];
    size_t token_len;
    uint8_t exported[16];
    struct ntlm_security sec;
};

/* CHALLENGE with a TargetInfo carrying MsvAvTimestamp (so a MIC is sent). */
static void build_challenge(struct server *s, uint32_t flags, int neg_state)
{
    uint8_t ti[256], name[16];
    struct wr w;
    wr_init(&w, ti, sizeof ti);
    ntlm_av_put_utf16(&w, MSV_AV_NB_DOMAIN_NAME, "SRV");
    ntlm_av_put_utf16(&w, MSV_AV_NB_COMPUTER_NAME, "SRV");
    ntlm_av_put_u64(&w, MSV_AV_TIMESTAMP, 133000000000000000ull);
    ntlm_av_put_eol(&w);
    assert_true(wr_ok(&w));
    struct ntlmssp_challenge ch = {
        .flags = flags, .has_version = true, .version = {10, 0, 20348, NTLMSSP_REVISION_W2K3}};
    size_t nl = 0;
    assert_true(nt_ok(utf8_to_utf16le("SRV", 3, name, sizeof name, &nl)));
    ch.target_name = (struct ntlm_bytes){name, nl};
    memcpy(ch.server_challenge, server_challenge, 8);
    ch.target_info = (struct ntlm_bytes){ti, wr_pos(&w)};
    assert_true(
        nt_ok(ntlmssp_encode_challenge(&ch, s->challenge, sizeof s->challenge, &s->challenge_len)));
    struct spnego_resp r = {.has_neg_state = true,
                            .neg_state = (enum spnego_neg_state)neg_state,
                            .has_supported_mech = true,
                            .supported_mech = SPNEGO_MECH_NTLMSSP};
    r.response_token.p = s->challenge;
    r.response_token.len = s->challenge_len;
    assert_true(nt_ok(spnego_encode_resp(&r, s->token, sizeof s->token, &s->token_len)));
}

static struct ntlm_client *new_client(const char *password)
{
    struct ntlm_client_creds cr = {.user = "alice",
                                   .password = password,
                                   .domain = "WORKGROUP",
                                   .workstation = "HOST",
                                   .target_spn = "cifs/srv"};
    struct ntlm_client *c = NULL;
    assert_true(nt_ok(ntlm_client_new(&cr, &c)));
    return c;
}

static void take_negotiate(struct server *s, const struct buf *tok)
{
    struct spnego_token t;
    assert_true(nt_ok(spnego_decode(tok->p, tok->len, &t)));
    assert_int_equal(t.kind, SPNEGO_NEG_TOKEN_INIT);
    assert_true(spnego_mech_list_has(&t.init.mech_types, SPNEGO_MECH_NTLMSSP));
    struct ntlmssp_negotiate n;
    assert_true(nt_ok(ntlmssp_decode_negotiate(t.init.mech_token.p, t.init.mech_token.len, &n)));
    assert_true(n.flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY);
    assert_true(n.flags & NTLMSSP_NEGOTIATE_KEY_EXCH);
    memcpy(s->negotiate, t.init.mech_token.p, t.init.mech_token.len);
    s->negotiate_len = t.init.mech_token.len;
}

/* The acceptor's checks: NTProofStr, key exchange, MIC, mechListMIC. */
static ntstatus_t accept_auth(struct server *s, const struct buf *tok, const char *password)
{
    struct spnego_token t;
    assert_true(nt_ok(spnego_decode(tok->p, tok->len, &t)));
    assert_int_equal(t.kind, SPNEGO_NEG_TOKEN_RESP);
    assert_int_equal(t.resp.mech_list_mic.len, 16);
    struct ntlmssp_authenticate a;
    const uint8_t *auth = t.resp.response_token.p;
    size_t auth_len = t.resp.response_token.len;
    assert_true(nt_ok(ntlmssp_decode_authenticate(auth, auth_len, &a)));
    assert_true(ntlmssp_auth_mic_required(&a));
    assert_int_equal(a.lm_response.len, 24); /* Z(24) with MsvAvTimestamp */
    uint8_t nt_hash[16], base[16];
    assert_true(nt_ok(ntlm_nt_hash(password, nt_hash)));
    ntstatus_t st =
        ntlmv2_server_verify(nt_hash, a.user.p, a.user.len, a.domain.p, a.domain.len,
                             server_challenge, a.nt_response.p, a.nt_response.len, base);
    if (!nt_ok(st))
        return st;
    assert_true(nt_ok(ntlm_server_exported_key(a.flags, base, a.encrypted_session_key.p,
                                               a.encrypted_session_key.len, s->exported)));
    assert_true(nt_ok(ntlm_mic_verify(s->exported, s->negotiate, s->negotiate_len, s->challenge,
                                      s->challenge_len, auth, auth_len)));
    assert_true(nt_ok(ntlm_security_init(&s->sec, a.flags, s->exported, NTLM_ROLE_SERVER)));
    uint8_t ml[64];
    size_t ml_len = 0;
    static const enum spnego_mech mechs[] = {SPNEGO_MECH_NTLMSSP};
    assert_true(nt_ok(spnego_encode_mech_list(mechs, 1, ml, sizeof ml, &ml_len)));
    struct iovec iov = {ml, ml_len};
    return ntlm_verify_mic(&s->sec, &iov, 1, t.resp.mech_list_mic.p);
}

/* The acceptor's final token: accept-completed and its mechListMIC. */
static void final_token(struct server *s, bool with_mic, bool corrupt)
{
    uint8_t ml[64], mic[16];
    size_t ml_len = 0;
    static const enum spnego_mech mechs[] = {SPNEGO_MECH_NTLMSSP};
    assert_true(nt_ok(spnego_encode_mech_list(mechs, 1, ml, sizeof ml, &ml_len)));
    struct iovec iov = {ml, ml_len};
    assert_true(nt_ok(ntlm_get_mic(&s->sec, &iov, 1, mic)));
    if (corrupt)
        mic[5] ^= 1;
    struct spnego_resp r = {.has_neg_state = true, .neg_state = SPNEGO_ACCEPT_COMPLETED};
    if (with_mic) {
        r.mech_list_mic.p = mic;
        r.mech_list_mic.len = sizeof mic;
    }
    assert_true(nt_ok(spnego_encode_resp(&r, s->token, sizeof s->token, &s->token_len)));
}

static uint32_t server_flags(void)
{
    return NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
           NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
           NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_TARGET_INFO |
           NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH |
           NTLMSSP_NEGOTIATE_56 | NTLMSSP_TARGET_TYPE_SERVER;
}

/* Runs the logon up to the client's AUTHENTICATE. */
static struct ntlm_client *logon(struct server *s, const char *client_pw, struct buf *tok)
{
    struct ntlm_client *c = new_client(client_pw);
    assert_true(nt_ok(ntlm_client_start(c, NULL, 0, tok)));
    take_negotiate(s, tok);
    build_challenge(s, server_flags(), SPNEGO_ACCEPT_INCOMPLETE);
    assert_true(nt_ok(ntlm_client_step(c, s->token, s->token_len, tok)));
    return c;
}

static void test_full_logon(void **state)
{
    (void)state;
    struct server s = {0};
    struct buf tok = BUF_INIT;
    struct ntlm_client *c = logon(&s, "secret", &tok);
    assert_true(nt_ok(accept_auth(&s, &tok, "secret")));
    final_token(&s, true, false);
    assert_true(nt_ok(ntlm_client_finish(c, s.token, s.token_len, true)));
    uint8_t key[16];
    assert_true(nt_ok(ntlm_client_session_key(c, key)));
    assert_memory_equal(key, s.exported, 16);
    assert_true(ntlm_client_flags(c) & NTLMSSP_NEGOTIATE_KEY_EXCH);
    ntlm_security_free(&s.sec);
    ntlm_client_free(c);
    buf_free(&tok);
}

static void test_wrong_password_fails_at_server(void **state)
{
    (void)state;
    struct server s = {0};
    struct buf tok = BUF_INIT;
    struct ntlm_client *c = logon(&s, "wrong", &tok);
    assert_true(nt_eq(accept_auth(&s, &tok, "secret"), STATUS_LOGON_FAILURE));
    ntlm_client_free(c);
    buf_free(&tok);
}

static void test_bad_server_mechlistmic(void **state)
{
    (void)state;
    for (int variant = 0; variant < 2; variant++) {
        struct server s = {0};
        struct buf tok = BUF_INIT;
        struct ntlm_client *c = logon(&s, "secret", &tok);
        assert_true(nt_ok(accept_auth(&s, &tok, "secret")));
        final_token(&s, variant == 1, variant == 1); /* missing, then corrupted */
        assert_true(nt_eq(ntlm_client_finish(c, s.token, s.token_len, true), STATUS_LOGON_FAILURE));
        ntlm_security_free(&s.sec);
        ntlm_client_free(c);
        buf_free(&tok);
    }
}

static void test_reject_and_bad_tokens(void **state)
{
    (void)state;
    struct server s = {0};
    struct buf tok = BUF_INIT;
    struct ntlm_client *c = new_client("secret");
    assert_true(nt_ok(ntlm_client_start(c, NULL, 0, &tok)));
    build_challenge(&s, server_flags(), SPNEGO_REJECT);
    assert_true(nt_eq(ntlm_client_step(c, s.token, s.token_len, &tok), STATUS_LOGON_FAILURE));
    /* The context is spent: no second try. */
    assert_true(nt_eq(ntlm_client_step(c, s.token, s.token_len, &tok), STATUS_INTERNAL_ERROR));
    ntlm_client_free(c);

    c = new_client("secret");
    assert_true(nt_ok(ntlm_client_start(c, NULL, 0, &tok)));
    build_challenge(&s, server_flags() & ~NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
                    SPNEGO_ACCEPT_INCOMPLETE);
    assert_true(nt_eq(ntlm_client_step(c, s.token, s.token_len, &tok), STATUS_NOT_SUPPORTED));
    ntlm_client_free(c);

    c = new_client("secret");
    assert_true(nt_ok(ntlm_client_start(c, NULL, 0, &tok)));
    static const uint8_t junk[] = {0xa1, 0x05, 0x30, 0x03, 0x0a, 0x01};
    assert_true(nt_eq(ntlm_client_step(c, junk, sizeof junk, &tok), STATUS_INVALID_PARAMETER));
    ntlm_client_free(c);
    buf_free(&tok);
}

static void test_hint_without_ntlmssp(void **state)
{
    (void)state;
    uint8_t hint[128];
    size_t hint_len = 0;
    struct spnego_init in = {0};
    in.mech_types.count = 1;
    in.mech_types.mech[0] = SPNEGO_MECH_KRB5;
    assert_true(nt_ok(spnego_encode_init(&in, hint, sizeof hint, &hint_len)));
    struct ntlm_client *c = new_client("secret");
    struct buf tok = BUF_INIT;
    assert_true(nt_eq(ntlm_client_start(c, hint, hint_len, &tok), STATUS_NOT_SUPPORTED));
    ntlm_client_free(c);
    c = new_client("secret");
    in.mech_types.count = 2;
    in.mech_types.mech[1] = SPNEGO_MECH_NTLMSSP;
    assert_true(nt_ok(spnego_encode_init(&in, hint, sizeof hint, &hint_len)));
    assert_true(nt_ok(ntlm_client_start(c, hint, hint_len, &tok)));
    uint8_t key[16];
    assert_true(nt_eq(ntlm_client_session_key(c, key), STATUS_NOT_FOUND));
    ntlm_client_free(c);
    buf_free(&tok);
}

/* impacket's smbserver grants KEY_EXCH but neither SIGN nor SEAL, and (like
 * Samba's acceptor) decrypts EncryptedRandomSessionKey whenever KEY_EXCH is
 * negotiated: the client must send one, and its session key is the one the
 * acceptor recovers. Such a server sends no mechListMIC. */
static void test_key_exch_without_sign(void **state)
{
    (void)state;
    struct server s = {0};
    struct buf tok = BUF_INIT;
    struct ntlm_client *c = new_client("secret");
    assert_true(nt_ok(ntlm_client_start(c, NULL, 0, &tok)));
    take_negotiate(&s, &tok);
    const uint32_t flags = server_flags() & ~(NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
                                              NTLMSSP_NEGOTIATE_ALWAYS_SIGN);
    build_challenge(&s, flags, SPNEGO_ACCEPT_INCOMPLETE);
    assert_true(nt_ok(ntlm_client_step(c, s.token, s.token_len, &tok)));
    assert_false(ntlm_client_flags(c) & NTLMSSP_NEGOTIATE_SIGN);
    assert_true(ntlm_client_flags(c) & NTLMSSP_NEGOTIATE_KEY_EXCH);

    struct spnego_token t;
    assert_true(nt_ok(spnego_decode(tok.p, tok.len, &t)));
    struct ntlmssp_authenticate a;
    assert_true(
        nt_ok(ntlmssp_decode_authenticate(t.resp.response_token.p, t.resp.response_token.len, &a)));
    assert_int_equal(a.encrypted_session_key.len, 16);
    uint8_t nt_hash[16], base[16], exported[16], key[16];
    assert_true(nt_ok(ntlm_nt_hash("secret", nt_hash)));
    assert_true(
        nt_ok(ntlmv2_server_verify(nt_hash, a.user.p, a.user.len, a.domain.p, a.domain.len,
                                   server_challenge, a.nt_response.p, a.nt_response.len, base)));
    assert_true(nt_ok(ntlm_rc4k(base, a.encrypted_session_key.p, exported)));
    assert_true(nt_ok(ntlm_client_session_key(c, key)));
    assert_memory_equal(key, exported, 16);
    assert_memory_not_equal(key, base, 16);

    struct spnego_resp r = {.has_neg_state = true, .neg_state = SPNEGO_ACCEPT_COMPLETED};
    assert_true(nt_ok(spnego_encode_resp(&r, s.token, sizeof s.token, &s.token_len)));
    assert_true(nt_ok(ntlm_client_finish(c, s.token, s.token_len, false)));
    ntlm_client_free(c);
    buf_free(&tok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_logon),
        cmocka_unit_test(test_wrong_password_fails_at_server),
        cmocka_unit_test(test_bad_server_mechlistmic),
        cmocka_unit_test(test_reject_and_bad_tokens),
        cmocka_unit_test(test_hint_without_ntlmssp),
        cmocka_unit_test(test_key_exch_without_sign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
