/* The signing policy as a truth table: each row is a situation and the
 * outcome Windows 11 24H2 / [MS-SMB2] prescribes, written out by hand. */
#include "sec/policy.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

enum {
    REQ = SEC_CLIENT_SIGNING_REQUIRED,
    DES = SEC_CLIENT_SIGNING_DESIRED,
    DIS = SEC_CLIENT_SIGNING_DISABLED
};
enum { USER = 0, GUEST = SMB2_SESSION_FLAG_IS_GUEST, NUL = SMB2_SESSION_FLAG_IS_NULL };

struct session_row {
    int signing;      /* client policy */
    bool allow_guest; /* --allow-insecure-guest */
    uint16_t dialect;
    bool server_requires; /* REQUIRED bit at NEGOTIATE */
    uint16_t flags;       /* SessionFlags of the final response */
    bool as_user;         /* we sent credentials */
    bool signed_rsp;      /* final response signed */
    uint32_t want;        /* status code */
    bool want_required;   /* Session.SigningRequired */
};

static const struct session_row session_rows[] = {
    /* Signing required (default), a user session: signed response accepted. */
    {REQ, false, 0x0311, false, USER, true, true, 0, true},
    {REQ, false, 0x0210, true, USER, true, true, 0, true},
    /* 3a: required, the server does not sign. */
    {REQ, false, 0x0311, false, USER, true, false, STATUS_INVALID_SIGNATURE_CODE, false},
    {REQ, false, 0x0202, false, USER, true, false, STATUS_INVALID_SIGNATURE_CODE, false},
    {REQ, false, 0x0300, true, USER, true, false, STATUS_INVALID_SIGNATURE_CODE, false},
    /* Desired: unsigned is fine below 3.1.1 unless the server requires it. */
    {DES, false, 0x0210, false, USER, true, false, 0, false},
    {DES, false, 0x0302, false, USER, true, false, 0, false},
    {DES, false, 0x0302, true, USER, true, false, STATUS_INVALID_SIGNATURE_CODE, false},
    {DES, false, 0x0302, true, USER, true, true, 0, true},
    {DIS, false, 0x0210, true, USER, true, true, 0, true}, /* the server's REQUIRED wins */
    /* 3.1.1 always needs a signed final response for a user session. */
    {DES, false, 0x0311, false, USER, true, false, STATUS_INVALID_SIGNATURE_CODE, false},
    {DIS, false, 0x0311, false, USER, true, false, STATUS_INVALID_SIGNATURE_CODE, false},
    {DIS, false, 0x0311, false, USER, true, true, 0, false},
    /* 3b: guest offered. Blocked unless insecure guest logons are allowed and
     * neither side requires signing. */
    {REQ, false, 0x0311, false, GUEST, true, false, STATUS_SMB_GUEST_LOGON_BLOCKED_CODE, false},
    {DES, false, 0x0311, false, GUEST, true, false, STATUS_SMB_GUEST_LOGON_BLOCKED_CODE, false},
    {REQ, true, 0x0311, false, GUEST, true, false, STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP_CODE,
     false},
    {DES, true, 0x0311, true, GUEST, true, false, STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP_CODE,
     false},
    {DES, true, 0x0311, false, GUEST, true, false, 0, false},
    {DIS, true, 0x0210, false, GUEST, false, false, 0, false},
    /* 3c: IS_NULL although we authenticated: a downgrade, refused. */
    {REQ, false, 0x0311, false, NUL, true, true, STATUS_ACCESS_DENIED_CODE, false},
    {DES, true, 0x0210, false, NUL, true, false, STATUS_ACCESS_DENIED_CODE, false},
    /* 3c: IS_GUEST claimed on a signing-required connection. */
    {REQ, true, 0x0311, true, GUEST, true, true, STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP_CODE,
     false},
    /* Anonymous, asked for. */
    {DES, false, 0x0311, false, NUL, false, false, 0, false},
};

static void client_session_verdicts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof session_rows / sizeof session_rows[0]; i++) {
        const struct session_row *r = &session_rows[i];
        struct sec_client_policy p = sec_client_policy_default();
        p.signing = (enum sec_client_signing)r->signing;
        p.allow_insecure_guest = r->allow_guest;
        struct sec_client_session_facts f = {r->dialect, r->server_requires, r->flags, r->as_user,
                                             r->signed_rsp};
        bool required = !r->want_required;
        ntstatus_t st = sec_client_accept_session(&p, &f, &required);
        if (st.code != r->want || required != r->want_required)
            fail_msg("row %zu: got %s required=%d, want 0x%08X required=%d", i, nt_name(st),
                     required, (unsigned)r->want, r->want_required);
    }
}

static void negotiate_security_mode(void **state)
{
    (void)state;
    struct sec_client_policy c = sec_client_policy_default();
    assert_int_equal(sec_client_security_mode(&c), SMB2_NEGOTIATE_SIGNING_REQUIRED);
    c.signing = SEC_CLIENT_SIGNING_DESIRED;
    assert_int_equal(sec_client_security_mode(&c), SMB2_NEGOTIATE_SIGNING_ENABLED);
    c.signing = SEC_CLIENT_SIGNING_DISABLED;
    assert_int_equal(sec_client_security_mode(&c), SMB2_NEGOTIATE_SIGNING_ENABLED);

    struct sec_server_policy s = sec_server_policy_default();
    assert_int_equal(sec_server_security_mode(&s), 3);
    s.signing = SEC_SERVER_SIGNING_AUTO;
    assert_int_equal(sec_server_security_mode(&s), SMB2_NEGOTIATE_SIGNING_ENABLED);
    s.signing = SEC_SERVER_SIGNING_DISABLED; /* behaves as auto for SMB2+ */
    assert_int_equal(sec_server_security_mode(&s), SMB2_NEGOTIATE_SIGNING_ENABLED);
}

static void signing_algorithm_choice(void **state)
{
    (void)state;
    struct sec_server_policy s = sec_server_policy_default();
    const uint16_t gmac_first[] = {2, 1, 0}, hmac_first[] = {0, 2}, unknown[] = {7, 9};
    assert_int_equal(sec_server_pick_signing_alg(&s, gmac_first, 3), SMB2_SIGNING_AES_GMAC);
    /* The client's order decides (3.3.5.4). */
    assert_int_equal(sec_server_pick_signing_alg(&s, hmac_first, 2), SMB2_SIGNING_HMAC_SHA256);
    assert_int_equal(sec_server_pick_signing_alg(&s, unknown, 2), SMB2_SIGNING_AES_CMAC);
    s.algs.ids[0] = SMB2_SIGNING_HMAC_SHA256;
    s.algs.count = 1; /* forced, as `server smb3 signing algorithms` does */
    assert_int_equal(sec_server_pick_signing_alg(&s, gmac_first, 3), SMB2_SIGNING_HMAC_SHA256);

    struct sec_client_policy c = sec_client_policy_default();
    const uint16_t one[] = {SMB2_SIGNING_AES_CMAC}, two[] = {1, 2}, bogus[] = {5};
    assert_true(nt_ok(sec_client_check_signing_alg(&c, one, 1)));
    assert_int_equal(sec_client_check_signing_alg(&c, two, 2).code,
                     STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP_CODE);
    assert_int_equal(sec_client_check_signing_alg(&c, bogus, 1).code,
                     STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP_CODE);
    assert_int_equal(sec_client_check_signing_alg(&c, one, 0).code,
                     STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP_CODE);
    c.algs.ids[0] = SMB2_SIGNING_AES_GMAC;
    c.algs.count = 1;
    assert_int_equal(sec_client_check_signing_alg(&c, one, 1).code,
                     STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP_CODE);

    assert_int_equal(sec_default_signing_alg(0x0202), SMB2_SIGNING_HMAC_SHA256);
    assert_int_equal(sec_default_signing_alg(0x0210), SMB2_SIGNING_HMAC_SHA256);
    assert_int_equal(sec_default_signing_alg(0x0300), SMB2_SIGNING_AES_CMAC);
    assert_int_equal(sec_default_signing_alg(0x0311), SMB2_SIGNING_AES_CMAC);
}

static void exempt_messages(void **state)
{
    (void)state;
    assert_true(sec_message_exempt(5, 0x1234, STATUS_PENDING_CODE, true));
    assert_false(sec_message_exempt(5, 0x1234, STATUS_PENDING_CODE, false));
    assert_true(sec_message_exempt(UINT64_MAX, 0x1234, 0, true));   /* oplock break */
    assert_false(sec_message_exempt(UINT64_MAX, 0x1234, 0, false)); /* a request: never */
    assert_true(sec_message_exempt(0, 0, 0, true));                 /* NEGOTIATE */
    assert_false(sec_message_exempt(7, 0x1234, STATUS_ACCESS_DENIED_CODE, true));
}

/* Client receive side. Columns: required, have_key, signed, exempt ->
 * status, verify. */
static void client_response_table(void **state)
{
    (void)state;
    static const struct {
        bool required, key, signed_flag, exempt;
        uint32_t want;
        bool verify;
    } rows[] = {
        {true, true, true, false, 0, true},
        {true, true, false, false, STATUS_INVALID_SIGNATURE_CODE, false}, /* 3a */
        {true, false, false, false, STATUS_INVALID_SIGNATURE_CODE, false},
        {true, true, false, true, 0, false}, /* interim / oplock break */
        {false, true, true, false, 0, true}, /* a signed response is always checked */
        {false, true, false, false, 0, false},
        {false, false, true, false, 0, false}, /* guest: no key to check with */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bool verify = !rows[i].verify;
        ntstatus_t st = sec_client_check_response(rows[i].required, rows[i].key,
                                                  rows[i].signed_flag, rows[i].exempt, &verify);
        if (st.code != rows[i].want || verify != rows[i].verify)
            fail_msg("row %zu: got %s verify=%d", i, nt_name(st), verify);
    }
}

static void client_send_side(void **state)
{
    (void)state;
    assert_true(sec_client_should_sign(true, true, 0x0210, SMB2_READ, false));
    assert_false(sec_client_should_sign(true, false, 0x0210, SMB2_READ, false));
    assert_false(sec_client_should_sign(false, true, 0x0302, SMB2_READ, false));
    assert_true(sec_client_should_sign(false, true, 0x0302, SMB2_IOCTL, true));
    assert_true(sec_client_should_sign(false, true, 0x0311, SMB2_TREE_CONNECT, false));
    assert_false(sec_client_should_sign(false, true, 0x0302, SMB2_TREE_CONNECT, false));
}

static void server_side(void **state)
{
    (void)state;
    struct sec_server_policy s = sec_server_policy_default();
    /* mandatory: every user session signs; guest refused. */
    assert_true(sec_server_session_signing_required(&s, false, 1, false));
    assert_false(sec_server_session_signing_required(&s, false, 1, true));
    s.allow_guest = true;
    assert_false(sec_server_allows_guest(&s));
    s.signing = SEC_SERVER_SIGNING_AUTO;
    assert_true(sec_server_allows_guest(&s));
    /* auto: signs when the client requires it, at NEGOTIATE or SESSION_SETUP. */
    assert_false(sec_server_session_signing_required(&s, false, 1, false));
    assert_true(sec_server_session_signing_required(&s, true, 1, false));
    assert_true(sec_server_session_signing_required(&s, false, 2, false));

    bool verify = false;
    /* A signing-required session verifies whatever the flag says. */
    assert_int_equal(sec_server_check_request(true, false, false, &verify).code,
                     STATUS_ACCESS_DENIED_CODE);
    assert_true(verify);
    assert_true(nt_ok(sec_server_check_request(true, true, false, &verify)));
    assert_true(verify);
    assert_true(nt_ok(sec_server_check_request(false, false, false, &verify)));
    assert_false(verify);
    assert_true(nt_ok(sec_server_check_request(false, true, false, &verify)));
    assert_true(verify);
    assert_true(nt_ok(sec_server_check_request(true, false, true, &verify)));
    assert_false(verify);

    assert_true(sec_server_should_sign(true, false, false));
    assert_true(sec_server_should_sign(false, true, false));
    assert_false(sec_server_should_sign(false, false, false));
    assert_false(sec_server_should_sign(true, true, true)); /* STATUS_PENDING */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_session_verdicts),
        cmocka_unit_test(negotiate_security_mode),
        cmocka_unit_test(signing_algorithm_choice),
        cmocka_unit_test(exempt_messages),
        cmocka_unit_test(client_response_table),
        cmocka_unit_test(client_send_side),
        cmocka_unit_test(server_side),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
