/* lib/client/encrypt.c and the sealed paths of core.c: requests of an
 * encrypting session go out behind a TRANSFORM_HEADER that the server's keys
 * open, unsigned, with fresh nonces; sealed responses are opened in place;
 * a response that does not decrypt, or arrives in clear on an encrypted
 * session, ends the connection; `client smb encrypt` verdicts ([MS-SMB2]
 * 3.1.4.3, 3.2.4.1.8, 3.2.5.1.1.1, 3.2.5.3.1, 3.2.5.5). */
#include "client_test_util.h"

#include "wire/echo.h"
#include "wire/transform.h"
#include "wire/tree_connect.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static const uint8_t c2s[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
static const uint8_t s2c[32] = {0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
                                0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
                                0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0};
static const uint8_t echo_body[4] = {4, 0, 0, 0};
static const enum smb2_cipher ciphers[] = {SMB2_CIPHER_AES128_CCM, SMB2_CIPHER_AES128_GCM,
                                           SMB2_CIPHER_AES256_CCM, SMB2_CIPHER_AES256_GCM};

/* The server's side: it opens with the client's C2S key, seals with S2C. */
struct server_keys {
    struct sec_cipher_key open, seal;
    struct sec_nonce_gen nonces;
};

static size_t key_len(enum smb2_cipher c)
{
    return c == SMB2_CIPHER_AES256_CCM || c == SMB2_CIPHER_AES256_GCM ? 32 : 16;
}

static void encrypting_session(struct pair *p, enum smb2_cipher cipher, struct server_keys *sk)
{
    struct signet_conn *c = p->c;
    c->cipher = cipher;
    c->sess.id = 0x1122334455667788ull;
    c->sess.established = true;
    c->sess.signing_required = true;
    uint8_t sign_key[16] = {9};
    assert_true(nt_ok(sec_sign_key_init(&c->sess.key, SMB2_SIGNING_AES_GMAC, sign_key, 16)));
    struct sec_keys keys = {.cipher_key_len = key_len(cipher)};
    memcpy(keys.c2s_cipher, c2s, sizeof c2s);
    memcpy(keys.s2c_cipher, s2c, sizeof s2c);
    assert_true(nt_ok(cli_install_cipher_keys(c, &keys)));
    c->cfg.encrypt = SIGNET_ENCRYPT_REQUIRED;
    assert_true(nt_ok(cli_session_encryption(c, 0)));
    assert_true(c->sess.encrypt);
    memset(sk, 0, sizeof *sk);
    assert_true(nt_ok(sec_cipher_key_init(&sk->open, cipher, c2s, key_len(cipher))));
    assert_true(nt_ok(sec_cipher_key_init(&sk->seal, cipher, s2c, key_len(cipher))));
    assert_true(nt_ok(sec_nonce_gen_init(&sk->nonces)));
}

static void server_keys_clear(struct server_keys *sk)
{
    sec_cipher_key_clear(&sk->open);
    sec_cipher_key_clear(&sk->seal);
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

/* Read a sealed request and open it in place: *msg, *len inside frame. */
static void open_request(struct pair *p, struct server_keys *sk, uint8_t *frame, size_t cap,
                         uint8_t **msg, size_t *len, struct smb2_transform_hdr *th)
{
    size_t n = peer_read(p, frame, cap);
    assert_true(n > SMB2_TRANSFORM_HDR_SIZE);
    assert_memory_equal(frame, "\xfdSMB", 4);
    assert_true(nt_ok(smb2_transform_decode(frame, n, th)));
    assert_int_equal(th->session_id, p->c->sess.id);
    *msg = frame + SMB2_TRANSFORM_HDR_SIZE;
    *len = n - SMB2_TRANSFORM_HDR_SIZE;
    struct iovec iov = {*msg, *len};
    assert_true(nt_ok(sec_unseal(&sk->open, frame, &iov, 1)));
}

/* A sealed response to req: TRANSFORM_HEADER + the response. */
static size_t sealed_response(struct server_keys *sk, uint64_t sid, const uint8_t *req,
                              uint8_t *out, size_t cap)
{
    size_t n = make_response(out + SMB2_TRANSFORM_HDR_SIZE, cap - SMB2_TRANSFORM_HDR_SIZE, req, 0,
                             echo_body, sizeof echo_body, 0);
    uint8_t nonce[16];
    assert_true(nt_ok(sec_nonce_next(&sk->nonces, sk->seal.cipher, nonce)));
    struct iovec iov = {out + SMB2_TRANSFORM_HDR_SIZE, n};
    assert_true(nt_ok(sec_seal(&sk->seal, nonce, sid, out, &iov, 1)));
    return n + SMB2_TRANSFORM_HDR_SIZE;
}

static void test_sealed_round_trip_each_cipher(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++) {
        struct pair p;
        struct server_keys sk;
        pair_open(&p, SMB2_DIALECT_0311);
        encrypting_session(&p, ciphers[i], &sk);
        int slot = send_echo(&p);
        assert_true(p.c->slots[slot].sealed_req);
        uint8_t frame[512], *msg;
        size_t len;
        struct smb2_transform_hdr th;
        open_request(&p, &sk, frame, sizeof frame, &msg, &len, &th);
        struct smb2_hdr h;
        assert_true(nt_ok(smb2_hdr_decode(msg, len, &h)));
        assert_int_equal(h.command, SMB2_ECHO);
        assert_int_equal(h.session_id, p.c->sess.id);
        assert_false(h.flags & SMB2_FLAGS_SIGNED); /* encrypted, not also signed */
        static const uint8_t zero[16];
        assert_memory_equal(msg + SMB2_SIG_OFFSET, zero, 16);
        assert_int_equal(th.original_message_size, len);
        uint8_t rsp[512];
        peer_write(&p, rsp, sealed_response(&sk, p.c->sess.id, msg, rsp, sizeof rsp));
        struct cli_slot *sl;
        assert_true(nt_ok(cli_wait(p.c, slot, &sl)));
        assert_true(sl->sealed); /* unsigned, but it counts as signed */
        assert_int_equal(sl->hdr.command, SMB2_ECHO);
        assert_memory_equal(sl->msg + SMB2_HDR_SIZE, echo_body, sizeof echo_body);
        cli_release(p.c, slot);
        assert_true(nt_ok(p.c->dead));
        server_keys_clear(&sk);
        pair_close(&p);
    }
}

/* Two requests never share a nonce; the counter advances. */
static void test_nonces_differ(void **state)
{
    (void)state;
    struct pair p;
    struct server_keys sk;
    pair_open(&p, SMB2_DIALECT_0311);
    encrypting_session(&p, SMB2_CIPHER_AES128_GCM, &sk);
    uint8_t f1[512], f2[512], *m;
    size_t len;
    struct smb2_transform_hdr t1, t2;
    int s1 = send_echo(&p);
    open_request(&p, &sk, f1, sizeof f1, &m, &len, &t1);
    int s2 = send_echo(&p);
    open_request(&p, &sk, f2, sizeof f2, &m, &len, &t2);
    assert_memory_not_equal(t1.nonce, t2.nonce, 12);
    assert_int_equal(t1.nonce[0] + 1, t2.nonce[0]); /* the 64-bit counter */
    cli_release(p.c, s1);
    cli_release(p.c, s2);
    server_keys_clear(&sk);
    pair_close(&p);
}

/* The nonce counter stops before it wraps: the session is refused, the
 * message is not sent with a repeated nonce. */
static void test_nonce_exhaustion_kills(void **state)
{
    (void)state;
    struct pair p;
    struct server_keys sk;
    pair_open(&p, SMB2_DIALECT_0311);
    encrypting_session(&p, SMB2_CIPHER_AES128_GCM, &sk);
    p.c->sess.nonces.counter = UINT64_MAX;
    struct wr w;
    struct smb2_echo_req req = {0};
    struct cli_send_opts o = {.with_session = true};
    int slot = -1;
    assert_true(nt_ok(cli_begin(p.c, &w, 8)));
    assert_true(nt_ok(smb2_echo_req_encode(&w, &req)));
    assert_false(nt_ok(cli_send(p.c, SMB2_ECHO, &w, &o, &slot)));
    assert_false(nt_ok(p.c->dead));
    assert_non_null(strstr(p.c->err, "nonces are used up"));
    server_keys_clear(&sk);
    pair_close(&p);
}

/* A bit flipped in the TRANSFORM_HEADER's nonce, its SessionId-covered AAD,
 * the ciphertext or the tag: the response does not decrypt, the connection
 * ends with the reason. */
static void test_tampered_response_kills(void **state)
{
    (void)state;
    static const size_t offsets[] = {4, 20, 40, 52, 70}; /* tag, nonce, size, body x2 */
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        struct pair p;
        struct server_keys sk;
        pair_open(&p, SMB2_DIALECT_0311);
        encrypting_session(&p, SMB2_CIPHER_AES256_GCM, &sk);
        int slot = send_echo(&p);
        uint8_t frame[512], *msg, rsp[512];
        size_t len;
        struct smb2_transform_hdr th;
        open_request(&p, &sk, frame, sizeof frame, &msg, &len, &th);
        size_t n = sealed_response(&sk, p.c->sess.id, msg, rsp, sizeof rsp);
        rsp[offsets[i]] ^= 0x01;
        peer_write(&p, rsp, n);
        struct cli_slot *sl;
        ntstatus_t st = cli_wait(p.c, slot, &sl);
        assert_false(nt_ok(st));
        assert_false(nt_ok(p.c->dead));
        assert_int_equal(p.c->fd, -1);
        if (offsets[i] != 40) /* OriginalMessageSize is checked before the AEAD */
            assert_non_null(strstr(p.c->err, "does not decrypt"));
        cli_release(p.c, slot);
        server_keys_clear(&sk);
        pair_close(&p);
    }
}

/* A response in clear to a sealed request ends the connection. */
static void test_clear_response_on_sealed_request_kills(void **state)
{
    (void)state;
    struct pair p;
    struct server_keys sk;
    pair_open(&p, SMB2_DIALECT_0311);
    encrypting_session(&p, SMB2_CIPHER_AES128_CCM, &sk);
    int slot = send_echo(&p);
    uint8_t frame[512], *msg, rsp[256];
    size_t len;
    struct smb2_transform_hdr th;
    open_request(&p, &sk, frame, sizeof frame, &msg, &len, &th);
    size_t n = make_response(rsp, sizeof rsp, msg, 0, echo_body, sizeof echo_body, 0);
    struct iovec iov = {rsp, n};
    assert_true(nt_ok(sec_sign(&p.c->sess.key, &iov, 1))); /* even signed */
    peer_write(&p, rsp, n);
    struct cli_slot *sl;
    assert_true(nt_eq(cli_wait(p.c, slot, &sl), STATUS_ACCESS_DENIED));
    assert_non_null(strstr(p.c->err, "arrived unencrypted"));
    cli_release(p.c, slot);
    server_keys_clear(&sk);
    pair_close(&p);
}

/* A sealed response naming another session is refused. */
static void test_other_session_kills(void **state)
{
    (void)state;
    struct pair p;
    struct server_keys sk;
    pair_open(&p, SMB2_DIALECT_0311);
    encrypting_session(&p, SMB2_CIPHER_AES128_GCM, &sk);
    int slot = send_echo(&p);
    uint8_t frame[512], *msg, rsp[512];
    size_t len;
    struct smb2_transform_hdr th;
    open_request(&p, &sk, frame, sizeof frame, &msg, &len, &th);
    peer_write(&p, rsp, sealed_response(&sk, p.c->sess.id + 1, msg, rsp, sizeof rsp));
    struct cli_slot *sl;
    assert_true(nt_eq(cli_wait(p.c, slot, &sl), STATUS_INVALID_NETWORK_RESPONSE));
    assert_non_null(strstr(p.c->err, "not this session"));
    cli_release(p.c, slot);
    server_keys_clear(&sk);
    pair_close(&p);
}

/* WRITE data of the caller is sealed from a copy (its bytes stay as they
 * were); the library's own buffer (scratch) is sealed in place. */
static void test_write_data_sealed(void **state)
{
    (void)state;
    for (int scratch = 0; scratch < 2; scratch++) {
        struct pair p;
        struct server_keys sk;
        pair_open(&p, SMB2_DIALECT_0311);
        encrypting_session(&p, SMB2_CIPHER_AES128_GCM, &sk);
        uint8_t data[300], orig[300];
        for (size_t i = 0; i < sizeof data; i++)
            data[i] = orig[i] = (uint8_t)(i * 7);
        struct wr w;
        struct smb2_echo_req req = {0};
        struct cli_send_opts o = {
            .with_session = true, .data = data, .data_len = sizeof data, .data_scratch = scratch};
        int slot = -1;
        assert_true(nt_ok(cli_begin(p.c, &w, 8)));
        assert_true(nt_ok(smb2_echo_req_encode(&w, &req)));
        assert_true(nt_ok(cli_send(p.c, SMB2_ECHO, &w, &o, &slot)));
        uint8_t frame[1024], *msg;
        size_t len;
        struct smb2_transform_hdr th;
        open_request(&p, &sk, frame, sizeof frame, &msg, &len, &th);
        assert_int_equal(len, SMB2_HDR_SIZE + 4 + sizeof data);
        assert_memory_equal(msg + SMB2_HDR_SIZE + 4, orig, sizeof orig); /* the data, opened */
        if (scratch)
            assert_memory_not_equal(data, orig, sizeof orig); /* encrypted where it was */
        else
            assert_memory_equal(data, orig, sizeof orig); /* the caller's bytes untouched */
        cli_release(p.c, slot);
        server_keys_clear(&sk);
        pair_close(&p);
    }
}

/* `client smb encrypt` on the final SESSION_SETUP response. */
static void test_session_verdicts(void **state)
{
    (void)state;
    struct pair p;
    /* no cipher (the server selected none), encryption required: refused */
    pair_open(&p, SMB2_DIALECT_0311);
    p.c->cfg.encrypt = SIGNET_ENCRYPT_REQUIRED;
    p.c->cfg.n_ciphers = 1;
    p.c->cfg.ciphers[0] = SMB2_CIPHER_AES128_GCM;
    assert_true(nt_eq(cli_session_encryption(p.c, 0), STATUS_ACCESS_DENIED));
    assert_non_null(strstr(p.c->err, "Access is denied."));
    assert_non_null(strstr(p.c->err, "the server selected no cipher"));
    assert_non_null(strstr(p.c->err, "RequireEncryption"));
    pair_close(&p);
    /* the server asks for encryption, this client offered none (off) */
    pair_open(&p, SMB2_DIALECT_0302);
    p.c->cfg.encrypt = SIGNET_ENCRYPT_OFF;
    assert_true(
        nt_eq(cli_session_encryption(p.c, SMB2_SESSION_FLAG_ENCRYPT_DATA), STATUS_ACCESS_DENIED));
    assert_non_null(strstr(p.c->err, "does not offer encryption"));
    pair_close(&p);
    /* required with an empty cipher list: says so */
    pair_open(&p, SMB2_DIALECT_0311);
    p.c->cfg.encrypt = SIGNET_ENCRYPT_REQUIRED;
    p.c->cfg.n_ciphers = 0;
    assert_true(nt_eq(cli_session_encryption(p.c, 0), STATUS_ACCESS_DENIED));
    assert_non_null(strstr(p.c->err, "no cipher is configured"));
    pair_close(&p);
    /* SMB 2.1 cannot encrypt */
    pair_open(&p, SMB2_DIALECT_0210);
    p.c->cfg.encrypt = SIGNET_ENCRYPT_REQUIRED;
    p.c->cfg.n_ciphers = 1;
    p.c->cfg.ciphers[0] = SMB2_CIPHER_AES128_CCM;
    assert_true(nt_eq(cli_session_encryption(p.c, 0), STATUS_ACCESS_DENIED));
    assert_non_null(strstr(p.c->err, "SMB 2.1, which has no encryption"));
    pair_close(&p);
    /* if_required: no cipher and nothing asked is fine, and nothing is sealed */
    pair_open(&p, SMB2_DIALECT_0311);
    p.c->cfg.encrypt = SIGNET_ENCRYPT_IF_REQUIRED;
    assert_true(nt_ok(cli_session_encryption(p.c, 0)));
    assert_false(p.c->sess.encrypt);
    pair_close(&p);
}

/* A share that requires encryption turns it on for its tree only. */
static void test_tree_encrypt_flag(void **state)
{
    (void)state;
    struct pair p;
    struct server_keys sk;
    pair_open(&p, SMB2_DIALECT_0311);
    encrypting_session(&p, SMB2_CIPHER_AES128_GCM, &sk);
    p.c->sess.encrypt = false; /* as if_required with a session the server did not flag */
    struct signet_tree t = {.conn = p.c, .id = 7, .share_flags = SMB2_SHAREFLAG_ENCRYPT_DATA};
    p.c->trees = &t;
    assert_true(nt_ok(cli_tree_encryption(p.c, &t, "secret")));
    assert_true(t.encrypt);
    assert_true(cli_must_seal(p.c, SMB2_CREATE, p.c->sess.id, 7));
    assert_false(cli_must_seal(p.c, SMB2_CREATE, p.c->sess.id, 8)); /* another tree */
    assert_false(cli_must_seal(p.c, SMB2_SESSION_SETUP, p.c->sess.id, 7));
    assert_false(cli_must_seal(p.c, SMB2_ECHO, 0, 0));
    p.c->trees = NULL;
    /* without a cipher key the share is refused with Windows' error */
    cli_clear_cipher_keys(p.c);
    struct signet_tree t2 = {.conn = p.c, .id = 8, .share_flags = SMB2_SHAREFLAG_ENCRYPT_DATA};
    assert_true(nt_eq(cli_tree_encryption(p.c, &t2, "secret"), STATUS_ACCESS_DENIED));
    assert_non_null(strstr(p.c->err, "\\\\test\\secret requires encryption"));
    server_keys_clear(&sk);
    pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sealed_round_trip_each_cipher),
        cmocka_unit_test(test_nonces_differ),
        cmocka_unit_test(test_nonce_exhaustion_kills),
        cmocka_unit_test(test_tampered_response_kills),
        cmocka_unit_test(test_clear_response_on_sealed_request_kills),
        cmocka_unit_test(test_other_session_kills),
        cmocka_unit_test(test_write_data_sealed),
        cmocka_unit_test(test_session_verdicts),
        cmocka_unit_test(test_tree_encrypt_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
