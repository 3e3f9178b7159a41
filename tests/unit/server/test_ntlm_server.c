/* The NTLM acceptor (lib/auth/ntlm_server) against our own initiator
 * (lib/auth/ntlm_client): NTLMv2, MIC, key exchange, mechListMIC, and the
 * refusals ([MS-NLMP] 3.2.5.1.2, RFC 4178 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "auth/ntlm_client.h"
#include "auth/ntlm_crypto.h"
#include "auth/ntlm_server.h"
#include "auth/ntlmssp.h"
#include "auth/spnego.h"

static bool lookup(void *ctx, const char *user, uint8_t nt_hash[16])
{
    (void)ctx;
    return strcasecmp(user, "alice") == 0 && nt_ok(ntlm_nt_hash("secret", nt_hash));
}

static const struct ntlm_server_opts opts = {
    .nb_computer = "SRV", .nb_domain = "WG", .lookup = lookup};

struct pair {
    struct ntlm_client *c;
    struct ntlm_server *s;
    struct buf a, b;
};

static void pair_start(struct pair *p, const char *user, const char *pw,
                       const struct ntlm_server_opts *o)
{
    memset(p, 0, sizeof *p);
    struct ntlm_client_creds cr = {.user = user, .password = pw, .domain = "WG"};
    assert_true(nt_ok(ntlm_client_new(&cr, &p->c)));
    assert_true(nt_ok(ntlm_server_new(o, &p->s)));
    assert_true(nt_ok(ntlm_client_start(p->c, NULL, 0, &p->a)));
    assert_int_equal(ntlm_server_step(p->s, p->a.p, p->a.len, &p->b).code,
                     STATUS_MORE_PROCESSING_REQUIRED_CODE);
    assert_true(nt_ok(ntlm_client_step(p->c, p->b.p, p->b.len, &p->a)));
}

static void pair_end(struct pair *p)
{
    ntlm_client_free(p->c);
    ntlm_server_free(p->s);
    buf_free(&p->a);
    buf_free(&p->b);
}

static void test_logon_with_mic_and_mech_list_mic(void **state)
{
    (void)state;
    struct pair p;
    pair_start(&p, "ALICE", "secret", &opts);
    assert_true(nt_ok(ntlm_server_step(p.s, p.a.p, p.a.len, &p.b)));
    assert_true(nt_ok(ntlm_client_finish(p.c, p.b.p, p.b.len, true)));
    const struct ntlm_server_result *r = ntlm_server_result(p.s);
    assert_non_null(r);
    assert_true(r->has_key);
    assert_false(r->is_guest);
    assert_string_equal(r->user, "ALICE");
    uint8_t ck[16];
    assert_true(nt_ok(ntlm_client_session_key(p.c, ck)));
    assert_memory_equal(ck, r->session_key, 16);
    pair_end(&p);
}

static void test_wrong_password(void **state)
{
    (void)state;
    struct pair p;
    pair_start(&p, "alice", "wrong", &opts);
    assert_int_equal(ntlm_server_step(p.s, p.a.p, p.a.len, &p.b).code, STATUS_LOGON_FAILURE_CODE);
    assert_null(ntlm_server_result(p.s));
    pair_end(&p);
}

static void test_unknown_user_refused_or_guest(void **state)
{
    (void)state;
    struct pair p;
    pair_start(&p, "bob", "x", &opts);
    assert_int_equal(ntlm_server_step(p.s, p.a.p, p.a.len, &p.b).code, STATUS_LOGON_FAILURE_CODE);
    pair_end(&p);
    struct ntlm_server_opts g = opts;
    g.map_bad_user_to_guest = true;
    pair_start(&p, "bob", "x", &g);
    assert_true(nt_ok(ntlm_server_step(p.s, p.a.p, p.a.len, &p.b)));
    assert_true(ntlm_server_result(p.s)->is_guest);
    assert_false(ntlm_server_result(p.s)->has_key);
    pair_end(&p);
}

static uint8_t *find_ntlmssp(struct buf *b, uint8_t type)
{
    for (size_t i = 0; i + 12 <= b->len; i++)
        if (memcmp(b->p + i, "NTLMSSP\0", 8) == 0 && b->p[i + 8] == type)
            return b->p + i;
    return NULL;
}

static void test_tampered_mic(void **state)
{
    (void)state;
    struct pair p;
    pair_start(&p, "alice", "secret", &opts);
    uint8_t *auth = find_ntlmssp(&p.a, 3);
    assert_non_null(auth);
    auth[NTLMSSP_MIC_OFFSET] ^= 0x80;
    assert_int_equal(ntlm_server_step(p.s, p.a.p, p.a.len, &p.b).code, STATUS_LOGON_FAILURE_CODE);
    pair_end(&p);
}

static void test_tampered_mech_list_mic(void **state)
{
    (void)state;
    struct pair p;
    pair_start(&p, "alice", "secret", &opts);
    p.a.p[p.a.len - 3] ^= 0x01; /* inside the mechListMIC, the token's last field */
    assert_int_equal(ntlm_server_step(p.s, p.a.p, p.a.len, &p.b).code, STATUS_LOGON_FAILURE_CODE);
    pair_end(&p);
}

static void anonymous_token(struct buf *out)
{
    static const uint8_t z = 0;
    struct ntlmssp_authenticate a = {.flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM |
                                              NTLMSSP_ANONYMOUS |
                                              NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
                                     .lm_response = {&z, 1}};
    uint8_t raw[256];
    size_t n = 0;
    assert_true(nt_ok(ntlmssp_encode_authenticate(&a, raw, sizeof raw, &n)));
    struct spnego_resp r = {0};
    r.response_token.p = raw;
    r.response_token.len = n;
    buf_reset(out);
    assert_true(nt_ok(buf_reserve(out, 512)));
    assert_true(nt_ok(spnego_encode_resp(&r, out->p, out->cap, &out->len)));
}

static void test_anonymous_by_policy(void **state)
{
    (void)state;
    struct pair p;
    pair_start(&p, "alice", "secret", &opts);
    anonymous_token(&p.a);
    assert_int_equal(ntlm_server_step(p.s, p.a.p, p.a.len, &p.b).code, STATUS_ACCESS_DENIED_CODE);
    pair_end(&p);
    struct ntlm_server_opts g = opts;
    g.allow_anonymous = true;
    pair_start(&p, "alice", "secret", &g);
    anonymous_token(&p.a);
    assert_true(nt_ok(ntlm_server_step(p.s, p.a.p, p.a.len, &p.b)));
    assert_true(ntlm_server_result(p.s)->is_anonymous);
    assert_false(ntlm_server_result(p.s)->has_key);
    pair_end(&p);
}

static void test_malformed_tokens(void **state)
{
    (void)state;
    struct ntlm_server *s;
    struct buf out = BUF_INIT;
    static const uint8_t junk[] = {0x60, 0x03, 0x06, 0x01, 0x00};
    assert_true(nt_ok(ntlm_server_new(&opts, &s)));
    assert_int_equal(ntlm_server_step(s, junk, sizeof junk, &out).code,
                     STATUS_INVALID_PARAMETER_CODE);
    /* After an error the context is finished. */
    assert_true(nt_is_error(ntlm_server_step(s, junk, sizeof junk, &out)));
    ntlm_server_free(s);
    assert_true(nt_ok(ntlm_server_new(&opts, &s)));
    assert_int_equal(ntlm_server_step(s, NULL, 0, &out).code, STATUS_INVALID_PARAMETER_CODE);
    ntlm_server_free(s);
    buf_free(&out);
}

static void test_optimistic_other_mech_selects_ntlm(void **state)
{
    (void)state;
    static const uint8_t krb_token[] = {1, 2, 3, 4};
    struct spnego_init init = {0};
    init.mech_types.count = 2;
    init.mech_types.mech[0] = SPNEGO_MECH_KRB5;
    init.mech_types.mech[1] = SPNEGO_MECH_NTLMSSP;
    init.mech_token.p = krb_token;
    init.mech_token.len = sizeof krb_token;
    uint8_t tok[256];
    size_t n = 0;
    assert_true(nt_ok(spnego_encode_init(&init, tok, sizeof tok, &n)));
    struct ntlm_server *s;
    struct buf out = BUF_INIT;
    assert_true(nt_ok(ntlm_server_new(&opts, &s)));
    assert_int_equal(ntlm_server_step(s, tok, n, &out).code, STATUS_MORE_PROCESSING_REQUIRED_CODE);
    struct spnego_token t;
    assert_true(nt_ok(spnego_decode(out.p, out.len, &t)));
    assert_int_equal(t.kind, SPNEGO_NEG_TOKEN_RESP);
    assert_int_equal(t.resp.supported_mech, SPNEGO_MECH_NTLMSSP);
    assert_null(t.resp.response_token.p);
    ntlm_server_free(s);
    buf_free(&out);
}

static void test_hint_offers_ntlmssp(void **state)
{
    (void)state;
    struct buf out = BUF_INIT;
    assert_true(nt_ok(ntlm_server_hint(&out)));
    struct spnego_token t;
    assert_true(nt_ok(spnego_decode(out.p, out.len, &t)));
    assert_true(spnego_mech_list_has(&t.init.mech_types, SPNEGO_MECH_NTLMSSP));
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_logon_with_mic_and_mech_list_mic),
        cmocka_unit_test(test_wrong_password),
        cmocka_unit_test(test_unknown_user_refused_or_guest),
        cmocka_unit_test(test_tampered_mic),
        cmocka_unit_test(test_tampered_mech_list_mic),
        cmocka_unit_test(test_anonymous_by_policy),
        cmocka_unit_test(test_malformed_tokens),
        cmocka_unit_test(test_optimistic_other_mech_selects_ntlm),
        cmocka_unit_test(test_hint_offers_ntlmssp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
