/* lib/client/session.c: SESSION_SETUP against a scripted server in a child
 * process that runs the acceptor side of NTLMv2 for real, derives the keys
 * from the preauth hash and signs (or does not sign) the final response as
 * the case asks. [MS-SMB2] 3.2.5.3.1; issue 3c (CVE-2016-2119). */
#include "client_test_util.h"

#include "auth/ntlm_crypto.h"
#include "auth/ntlmssp.h"
#include "auth/spnego.h"
#include "base/utf16.h"
#include "sec/preauth.h"
#include "wire/session_setup.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

enum mode { SIGNED, UNSIGNED, BAD_SIGNATURE, GUEST, ANON, BAD_PREAUTH };

struct srv {
    struct pair *p;
    uint8_t preauth[64];
    uint8_t neg[256], chal[512];
    size_t neg_len, chal_len;
    uint8_t exported[16];
    struct ntlm_security sec;
};

static const uint8_t schal[8] = {8, 7, 6, 5, 4, 3, 2, 1};

static void die_unless(bool ok)
{
    if (!ok)
        _exit(3);
}

static size_t reply(struct srv *s, const uint8_t *req, uint32_t status, uint16_t sflags,
                    const uint8_t *tok, size_t tok_len, uint8_t *out, size_t cap)
{
    struct wr w;
    struct smb2_session_setup_rsp r = {.session_flags = sflags,
                                       .security_buffer = tok,
                                       .security_buffer_length = (uint16_t)tok_len};
    uint8_t tmp[1200]; /* the codec writes after a 64-byte header */
    wr_init(&w, tmp, sizeof tmp);
    wr_zero(&w, SMB2_HDR_SIZE);
    die_unless(nt_ok(smb2_session_setup_rsp_encode(&w, &r)));
    size_t n =
        make_response(out, cap, req, status, tmp + SMB2_HDR_SIZE, wr_pos(&w) - SMB2_HDR_SIZE, 0);
    out[40] = 0x44; /* SessionId 0x44 */
    (void)s;
    return n;
}

static void round1(struct srv *s, uint8_t *req, size_t n)
{
    struct smb2_session_setup_req q;
    struct spnego_token t;
    die_unless(nt_ok(smb2_session_setup_req_decode(req, n, &q)));
    die_unless(nt_ok(spnego_decode(q.security_buffer, q.security_buffer_length, &t)));
    memcpy(s->neg, t.init.mech_token.p, t.init.mech_token.len);
    s->neg_len = t.init.mech_token.len;
    uint8_t ti[128];
    struct wr w;
    wr_init(&w, ti, sizeof ti);
    ntlm_av_put_utf16(&w, MSV_AV_NB_COMPUTER_NAME, "SRV");
    ntlm_av_put_u64(&w, MSV_AV_TIMESTAMP, 133000000000000000ull);
    ntlm_av_put_eol(&w);
    struct ntlmssp_challenge ch = {.flags = 0xE2898235u};
    memcpy(ch.server_challenge, schal, 8);
    ch.target_info = (struct ntlm_bytes){ti, wr_pos(&w)};
    die_unless(nt_ok(ntlmssp_encode_challenge(&ch, s->chal, sizeof s->chal, &s->chal_len)));
    struct spnego_resp r = {.has_neg_state = true,
                            .neg_state = SPNEGO_ACCEPT_INCOMPLETE,
                            .has_supported_mech = true,
                            .supported_mech = SPNEGO_MECH_NTLMSSP};
    r.response_token.p = s->chal;
    r.response_token.len = s->chal_len;
    uint8_t tok[700], out[1500];
    size_t tok_len = 0;
    die_unless(nt_ok(spnego_encode_resp(&r, tok, sizeof tok, &tok_len)));
    size_t m =
        reply(s, req, STATUS_MORE_PROCESSING_REQUIRED_CODE, 0, tok, tok_len, out, sizeof out);
    struct iovec iov = {out, m};
    die_unless(nt_ok(sec_preauth_update(s->preauth, &iov, 1)));
    peer_write(s->p, out, m);
}

static void accept_authenticate(struct srv *s, const uint8_t *req, size_t n)
{
    struct smb2_session_setup_req q;
    struct spnego_token t;
    struct ntlmssp_authenticate a;
    die_unless(nt_ok(smb2_session_setup_req_decode(req, n, &q)));
    die_unless(nt_ok(spnego_decode(q.security_buffer, q.security_buffer_length, &t)));
    die_unless(
        nt_ok(ntlmssp_decode_authenticate(t.resp.response_token.p, t.resp.response_token.len, &a)));
    uint8_t h[16], base[16];
    die_unless(nt_ok(ntlm_nt_hash("secret", h)));
    die_unless(nt_ok(ntlmv2_server_verify(h, a.user.p, a.user.len, a.domain.p, a.domain.len, schal,
                                          a.nt_response.p, a.nt_response.len, base)));
    die_unless(nt_ok(ntlm_server_exported_key(a.flags, base, a.encrypted_session_key.p,
                                              a.encrypted_session_key.len, s->exported)));
    die_unless(nt_ok(ntlm_mic_verify(s->exported, s->neg, s->neg_len, s->chal, s->chal_len,
                                     t.resp.response_token.p, t.resp.response_token.len)));
    die_unless(nt_ok(ntlm_security_init(&s->sec, a.flags, s->exported, NTLM_ROLE_SERVER)));
}

static size_t final_token(struct srv *s, uint8_t *tok, size_t cap)
{
    uint8_t ml[64], mic[16];
    size_t ml_len = 0, len = 0;
    static const enum spnego_mech mechs[] = {SPNEGO_MECH_NTLMSSP};
    die_unless(nt_ok(spnego_encode_mech_list(mechs, 1, ml, sizeof ml, &ml_len)));
    struct iovec iov = {ml, ml_len};
    die_unless(nt_ok(ntlm_get_mic(&s->sec, &iov, 1, mic)));
    struct spnego_resp r = {.has_neg_state = true, .neg_state = SPNEGO_ACCEPT_COMPLETED};
    r.mech_list_mic.p = mic;
    r.mech_list_mic.len = 16;
    die_unless(nt_ok(spnego_encode_resp(&r, tok, cap, &len)));
    return len;
}

static void round2(struct srv *s, uint8_t *req, size_t n, enum mode m, uint16_t dialect)
{
    struct iovec iov = {req, n};
    if (dialect == SMB2_DIALECT_0311)
        die_unless(nt_ok(sec_preauth_update(s->preauth, &iov, 1)));
    if (m == BAD_PREAUTH)
        s->preauth[0] ^= 1;
    accept_authenticate(s, req, n);
    uint8_t tok[256], out[1500];
    size_t tok_len = final_token(s, tok, sizeof tok);
    uint16_t sflags = m == GUEST  ? SMB2_SESSION_FLAG_IS_GUEST
                      : m == ANON ? SMB2_SESSION_FLAG_IS_NULL
                                  : 0;
    size_t len = reply(s, req, 0, sflags, tok, tok_len, out, sizeof out);
    struct sec_keys k;
    struct sec_sign_key key = SEC_SIGN_KEY_INIT;
    enum smb2_signing_alg alg;
    die_unless(nt_ok(sec_derive_keys(dialect, SMB2_CIPHER_NONE, s->exported, 16, s->preauth, &k)));
    die_unless(nt_ok(sec_signing_alg_for(dialect, true, SMB2_SIGNING_AES_GMAC, &alg)));
    die_unless(nt_ok(sec_sign_key_init(&key, alg, k.signing, 16)));
    struct iovec o = {out, len};
    if (m == SIGNED || m == BAD_SIGNATURE || m == BAD_PREAUTH)
        die_unless(nt_ok(sec_sign(&key, &o, 1)));
    if (m == BAD_SIGNATURE)
        out[len - 1] ^= 0x80;
    peer_write(s->p, out, len);
    sec_sign_key_clear(&key);
}

static void server_child(struct pair *p, enum mode m, uint16_t dialect)
{
    struct srv s = {.p = p};
    memcpy(s.preauth, p->c->preauth, 64);
    uint8_t req[4096];
    size_t n = peer_read(p, req, sizeof req);
    if (dialect == SMB2_DIALECT_0311) {
        struct iovec iov = {req, n};
        die_unless(nt_ok(sec_preauth_update(s.preauth, &iov, 1)));
    }
    round1(&s, req, n);
    n = peer_read(p, req, sizeof req);
    round2(&s, req, n, m, dialect);
    ntlm_security_free(&s.sec);
    _exit(0);
}

static ntstatus_t run_case(enum mode m, uint16_t dialect, enum sec_client_signing signing,
                           bool server_requires, struct pair *p)
{
    pair_open(p, dialect);
    p->c->policy.signing = signing;
    p->c->signing_alg_negotiated = dialect == SMB2_DIALECT_0311;
    p->c->signing_alg = SMB2_SIGNING_AES_GMAC;
    p->c->server_security_mode = server_requires ? 3 : 1;
    memset(p->c->preauth, 0x5a, 64); /* any connection hash both sides share */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        server_child(p, m, dialect);
    close(p->peer); /* the child's end: EOF reaches us if it dies */
    p->peer = -1;
    struct signet_creds cr = {"alice", "secret", "WORKGROUP"};
    ntstatus_t st = cli_session_setup(p->c, &cr);
    int ws = 0;
    waitpid(pid, &ws, 0);
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    return st;
}

static void test_signed_311(void **state)
{
    (void)state;
    struct pair p;
    assert_true(nt_ok(run_case(SIGNED, SMB2_DIALECT_0311, SEC_CLIENT_SIGNING_REQUIRED, false, &p)));
    assert_true(p.c->sess.established && p.c->sess.signing_required);
    assert_int_equal(p.c->sess.key.alg, SMB2_SIGNING_AES_GMAC);
    assert_int_equal(p.c->sess.id, 0x44);
    pair_close(&p);
}

static void test_signed_30_and_21(void **state)
{
    (void)state;
    struct pair p;
    assert_true(nt_ok(run_case(SIGNED, SMB2_DIALECT_0300, SEC_CLIENT_SIGNING_REQUIRED, false, &p)));
    assert_int_equal(p.c->sess.key.alg, SMB2_SIGNING_AES_CMAC);
    pair_close(&p);
    assert_true(nt_ok(run_case(SIGNED, SMB2_DIALECT_0210, SEC_CLIENT_SIGNING_REQUIRED, false, &p)));
    assert_int_equal(p.c->sess.key.alg, SMB2_SIGNING_HMAC_SHA256);
    pair_close(&p);
}

static void expect(enum mode m, uint16_t dialect, enum sec_client_signing signing, ntstatus_t want,
                   const char *text)
{
    struct pair p;
    ntstatus_t st = run_case(m, dialect, signing, false, &p);
    assert_int_equal(st.code, want.code);
    assert_false(p.c->sess.established);
    assert_int_equal(p.c->fd, -1); /* the connection is torn down */
    assert_non_null(strstr(p.c->err, text));
    pair_close(&p);
}

static void test_unsigned_final_refused(void **state)
{
    (void)state;
    /* 3a: signing required, the server does not sign. */
    expect(UNSIGNED, SMB2_DIALECT_0302, SEC_CLIENT_SIGNING_REQUIRED, STATUS_INVALID_SIGNATURE,
           "does not sign");
    /* 3c: 3.1.1 demands a signed final response whatever the policy. */
    expect(UNSIGNED, SMB2_DIALECT_0311, SEC_CLIENT_SIGNING_DESIRED, STATUS_INVALID_SIGNATURE,
           "3.2.5.3.1");
}

static void test_unsigned_final_ok_when_nobody_requires(void **state)
{
    (void)state;
    struct pair p;
    assert_true(
        nt_ok(run_case(UNSIGNED, SMB2_DIALECT_0300, SEC_CLIENT_SIGNING_DESIRED, false, &p)));
    assert_false(p.c->sess.signing_required);
    pair_close(&p);
}

static void test_bad_signature_refused(void **state)
{
    (void)state;
    expect(BAD_SIGNATURE, SMB2_DIALECT_0311, SEC_CLIENT_SIGNING_REQUIRED, STATUS_INVALID_SIGNATURE,
           "does not verify");
    expect(BAD_PREAUTH, SMB2_DIALECT_0311, SEC_CLIENT_SIGNING_REQUIRED, STATUS_INVALID_SIGNATURE,
           "does not verify");
}

static void test_guest_and_null_claims_refused(void **state)
{
    (void)state;
    expect(GUEST, SMB2_DIALECT_0311, SEC_CLIENT_SIGNING_REQUIRED, STATUS_SMB_GUEST_LOGON_BLOCKED,
           "block unauthenticated guest access");
    expect(ANON, SMB2_DIALECT_0311, SEC_CLIENT_SIGNING_REQUIRED, STATUS_ACCESS_DENIED,
           "CVE-2016-2119");
    expect(ANON, SMB2_DIALECT_0300, SEC_CLIENT_SIGNING_DESIRED, STATUS_ACCESS_DENIED, "IS_NULL");
}

static void test_guest_allowed_when_insecure_and_desired(void **state)
{
    (void)state;
    struct pair q;
    ntstatus_t st;
    pair_open(&q, SMB2_DIALECT_0311);
    q.c->policy.signing = SEC_CLIENT_SIGNING_DESIRED;
    q.c->policy.allow_insecure_guest = true;
    q.c->signing_alg_negotiated = true;
    q.c->signing_alg = SMB2_SIGNING_AES_GMAC;
    q.c->server_security_mode = 1;
    memset(q.c->preauth, 0x5a, 64);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        server_child(&q, GUEST, SMB2_DIALECT_0311);
    close(q.peer);
    q.peer = -1;
    struct signet_creds cr = {"alice", "secret", "WORKGROUP"};
    st = cli_session_setup(q.c, &cr);
    waitpid(pid, NULL, 0);
    assert_true(nt_ok(st));
    assert_true(q.c->sess.guest);
    assert_false(q.c->sess.signing_required);
    assert_false(sec_sign_key_is_set(&q.c->sess.key));
    pair_close(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_311),
        cmocka_unit_test(test_signed_30_and_21),
        cmocka_unit_test(test_unsigned_final_refused),
        cmocka_unit_test(test_unsigned_final_ok_when_nobody_requires),
        cmocka_unit_test(test_bad_signature_refused),
        cmocka_unit_test(test_guest_and_null_claims_refused),
        cmocka_unit_test(test_guest_allowed_when_insecure_and_desired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
