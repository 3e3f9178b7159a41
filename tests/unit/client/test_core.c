/* lib/client/core.c: signing of requests, verification of responses,
 * MessageIds, credits, interim responses ([MS-SMB2] 3.2.4.1, 3.2.5.1). */
#include "client_test_util.h"

#include "wire/echo.h"

#include <fcntl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static const uint8_t key16[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t echo_body[4] = {4, 0, 0, 0};

static void with_session(struct pair *p, bool required, enum smb2_signing_alg alg)
{
    p->c->sess.id = 0x1122334455667788ull;
    p->c->sess.established = true;
    p->c->sess.signing_required = required;
    assert_true(nt_ok(sec_sign_key_init(&p->c->sess.key, alg, key16, 16)));
}

static int send_echo(struct pair *p)
{
    struct wr w;
    struct smb2_echo_req req = {0};
    struct cli_send_opts o = {.with_session = true};
    int slot = -1;
    assert_true(nt_ok(cli_begin(p->c, &w, 8)));
    assert_true(nt_ok(smb2_echo_req_encode(&w, &req)));
    assert_true(nt_ok(cli_send(p->c, SMB2_ECHO, &w, &o, &slot)));
    return slot;
}

/* The server's response to the request just read, signed when sign. */
static size_t respond(struct pair *p, uint8_t *req, size_t req_len, uint8_t *rsp, bool sign,
                      uint32_t status)
{
    (void)req_len;
    size_t n = make_response(rsp, 256, req, status, echo_body, sizeof echo_body, 0);
    if (sign) {
        struct iovec iov = {rsp, n};
        assert_true(nt_ok(sec_sign(&p->c->sess.key, &iov, 1)));
    }
    return n;
}

static void test_signed_round_trip(void **state)
{
    (void)state;
    struct pair p;
    pair_open(&p, SMB2_DIALECT_0311);
    with_session(&p, true, SMB2_SIGNING_AES_GMAC);
    int slot = send_echo(&p);
    uint8_t req[256], rsp[256];
    size_t n = peer_read(&p, req, sizeof req);
    struct smb2_hdr h;
    assert_true(nt_ok(smb2_hdr_decode(req, n, &h)));
    assert_true(h.flags & SMB2_FLAGS_SIGNED); /* the request is signed ... */
    struct iovec iov = {req, n};
    assert_true(nt_ok(sec_verify(&p.c->sess.key, &iov, 1))); /* ... correctly */
    assert_int_equal(h.session_id, p.c->sess.id);
    peer_write(&p, rsp, respond(&p, req, n, rsp, true, 0));
    struct cli_slot *sl;
    assert_true(nt_ok(cli_wait(p.c, slot, &sl)));
    assert_int_equal(sl->hdr.command, SMB2_ECHO);
    cli_release(p.c, slot);
    assert_true(nt_ok(p.c->dead));
    pair_close(&p);
}

static void test_flipped_bit_kills(void **state)
{
    (void)state;
    for (int alg = 0; alg < 3; alg++) {
        struct pair p;
        pair_open(&p, SMB2_DIALECT_0311);
        with_session(&p, true, (enum smb2_signing_alg)alg);
        int slot = send_echo(&p);
        uint8_t req[256], rsp[256];
        size_t n = peer_read(&p, req, sizeof req);
        size_t m = respond(&p, req, n, rsp, true, 0);
        rsp[m - 1] ^= 0x01; /* one bit of the body */
        peer_write(&p, rsp, m);
        struct cli_slot *sl;
        ntstatus_t st = cli_wait(p.c, slot, &sl);
        assert_true(nt_eq(st, STATUS_INVALID_SIGNATURE));
        assert_true(nt_eq(p.c->dead, STATUS_INVALID_SIGNATURE));
        assert_non_null(strstr(p.c->err, "does not verify"));
        assert_int_equal(p.c->fd, -1); /* the connection is torn down */
        cli_release(p.c, slot);
        pair_close(&p);
    }
}

static void test_unsigned_on_required_session_kills(void **state)
{
    (void)state;
    struct pair p;
    pair_open(&p, SMB2_DIALECT_0300);
    with_session(&p, true, SMB2_SIGNING_AES_CMAC);
    int slot = send_echo(&p);
    uint8_t req[256], rsp[256];
    size_t n = peer_read(&p, req, sizeof req);
    peer_write(&p, rsp, respond(&p, req, n, rsp, false, 0));
    struct cli_slot *sl;
    assert_true(nt_eq(cli_wait(p.c, slot, &sl), STATUS_INVALID_SIGNATURE));
    assert_non_null(strstr(p.c->err, "unsigned"));
    cli_release(p.c, slot);
    pair_close(&p);
}

static void test_unsigned_ok_when_not_required(void **state)
{
    (void)state;
    struct pair p;
    pair_open(&p, SMB2_DIALECT_0300);
    with_session(&p, false, SMB2_SIGNING_AES_CMAC);
    int slot = send_echo(&p);
    uint8_t req[256], rsp[256];
    size_t n = peer_read(&p, req, sizeof req);
    struct smb2_hdr h;
    assert_true(nt_ok(smb2_hdr_decode(req, n, &h)));
    assert_false(h.flags & SMB2_FLAGS_SIGNED); /* policy: no need to sign */
    peer_write(&p, rsp, respond(&p, req, n, rsp, false, 0));
    struct cli_slot *sl;
    assert_true(nt_ok(cli_wait(p.c, slot, &sl)));
    cli_release(p.c, slot);
    pair_close(&p);
}

static void test_signed_error_response_verified(void **state)
{
    (void)state;
    struct pair p;
    pair_open(&p, SMB2_DIALECT_0210);
    with_session(&p, true, SMB2_SIGNING_HMAC_SHA256);
    int slot = send_echo(&p);
    uint8_t req[256], rsp[256];
    (void)peer_read(&p, req, sizeof req);
    static const uint8_t err_body[9] = {9, 0};
    size_t m = make_response(rsp, sizeof rsp, req, STATUS_ACCESS_DENIED_CODE, err_body,
                             sizeof err_body, 0);
    struct iovec iov = {rsp, m};
    assert_true(nt_ok(sec_sign(&p.c->sess.key, &iov, 1)));
    peer_write(&p, rsp, m);
    struct cli_slot *sl;
    assert_true(nt_ok(cli_wait(p.c, slot, &sl)));
    assert_int_equal(sl->hdr.status, STATUS_ACCESS_DENIED_CODE);
    cli_release(p.c, slot);
    assert_true(nt_ok(p.c->dead));
    pair_close(&p);
}

static void test_interim_pending_skipped(void **state)
{
    (void)state;
    struct pair p;
    pair_open(&p, SMB2_DIALECT_0311);
    with_session(&p, true, SMB2_SIGNING_AES_CMAC);
    int slot = send_echo(&p);
    uint8_t req[256], rsp[256];
    size_t n = peer_read(&p, req, sizeof req);
    /* Unsigned STATUS_PENDING interim (3.3.4.2): accepted, not final. */
    size_t m = make_response(rsp, sizeof rsp, req, STATUS_PENDING_CODE, echo_body, sizeof echo_body,
                             SMB2_FLAGS_ASYNC_COMMAND);
    peer_write(&p, rsp, m);
    peer_write(&p, rsp, respond(&p, req, n, rsp, true, 0));
    struct cli_slot *sl;
    assert_true(nt_ok(cli_wait(p.c, slot, &sl)));
    assert_int_equal(sl->hdr.status, 0);
    cli_release(p.c, slot);
    pair_close(&p);
}

static void test_unknown_message_id_kills(void **state)
{
    (void)state;
    struct pair p;
    pair_open(&p, SMB2_DIALECT_0311);
    with_session(&p, true, SMB2_SIGNING_AES_GMAC);
    int slot = send_echo(&p);
    uint8_t req[256], rsp[256];
    size_t n = peer_read(&p, req, sizeof req);
    req[24] ^= 0x40; /* answer a MessageId that was never sent */
    peer_write(&p, rsp, respond(&p, req, n, rsp, true, 0));
    struct cli_slot *sl;
    assert_true(nt_eq(cli_wait(p.c, slot, &sl), STATUS_INVALID_NETWORK_RESPONSE));
    cli_release(p.c, slot);
    pair_close(&p);
}

static void test_message_ids_and_credits(void **state)
{
    (void)state;
    struct pair p;
    pair_open(&p, SMB2_DIALECT_0311);
    assert_int_equal(cli_credit_charge(p.c, 0), 1);
    assert_int_equal(cli_credit_charge(p.c, 65536), 1);
    assert_int_equal(cli_credit_charge(p.c, 65537), 2);
    assert_int_equal(cli_credit_charge(p.c, 8u << 20), 128);
    p.c->large_mtu = false;
    assert_int_equal(cli_credit_charge(p.c, 8u << 20), 0); /* 2.0.2: reserved */
    p.c->large_mtu = true;
    p.c->next_mid = 5;
    uint32_t credits = p.c->credits;
    int s1 = send_echo(&p), s2 = send_echo(&p); /* two in flight */
    assert_int_equal(cli_inflight(p.c), 2);
    assert_int_equal(p.c->credits, credits - 2);
    uint8_t r1[256], r2[256], rsp[256];
    size_t n1 = peer_read(&p, r1, sizeof r1), n2 = peer_read(&p, r2, sizeof r2);
    struct smb2_hdr h1, h2;
    assert_true(nt_ok(smb2_hdr_decode(r1, n1, &h1)));
    assert_true(nt_ok(smb2_hdr_decode(r2, n2, &h2)));
    assert_int_equal(h1.message_id, 5);
    assert_int_equal(h2.message_id, 6);
    /* Answer out of order: the second first. */
    peer_write(&p, rsp, make_response(rsp, sizeof rsp, r2, 0, echo_body, 4, 0));
    peer_write(&p, rsp, make_response(rsp, sizeof rsp, r1, 0, echo_body, 4, 0));
    struct cli_slot *sl;
    assert_true(nt_ok(cli_wait(p.c, s1, &sl)));
    assert_int_equal(sl->hdr.message_id, 5);
    assert_true(p.c->slots[s2].done); /* kept for its own wait */
    assert_int_equal(p.c->credits, credits - 2 + 16);
    cli_release(p.c, s1);
    assert_true(nt_ok(cli_wait(p.c, s2, &sl)));
    assert_int_equal(sl->hdr.message_id, 6);
    cli_release(p.c, s2);
    pair_close(&p);
}

static void test_encrypted_frame_rejected(void **state)
{
    (void)state;
    struct pair p;
    pair_open(&p, SMB2_DIALECT_0311);
    with_session(&p, true, SMB2_SIGNING_AES_GMAC);
    int slot = send_echo(&p);
    uint8_t req[256], rsp[128] = {0xFD, 'S', 'M', 'B'};
    (void)peer_read(&p, req, sizeof req);
    peer_write(&p, rsp, sizeof rsp);
    struct cli_slot *sl;
    assert_true(nt_eq(cli_wait(p.c, slot, &sl), STATUS_INVALID_NETWORK_RESPONSE));
    cli_release(p.c, slot);
    pair_close(&p);
}

static void test_peer_close(void **state)
{
    (void)state;
    struct pair p;
    pair_open(&p, SMB2_DIALECT_0311);
    int slot = send_echo(&p);
    close(p.peer);
    p.peer = open("/dev/null", 0);
    struct cli_slot *sl;
    ntstatus_t st = cli_wait(p.c, slot, &sl);
    /* EOF, or a reset because the request was never read */
    assert_true(nt_eq(st, STATUS_CONNECTION_DISCONNECTED) || nt_eq(st, STATUS_CONNECTION_RESET));
    assert_false(nt_ok(cli_begin(p.c, &(struct wr){0}, 8))); /* dead for good */
    cli_release(p.c, slot);
    pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_round_trip),
        cmocka_unit_test(test_flipped_bit_kills),
        cmocka_unit_test(test_unsigned_on_required_session_kills),
        cmocka_unit_test(test_unsigned_ok_when_not_required),
        cmocka_unit_test(test_signed_error_response_verified),
        cmocka_unit_test(test_interim_pending_skipped),
        cmocka_unit_test(test_unknown_message_id_kills),
        cmocka_unit_test(test_message_ids_and_credits),
        cmocka_unit_test(test_encrypted_frame_rejected),
        cmocka_unit_test(test_peer_close),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
