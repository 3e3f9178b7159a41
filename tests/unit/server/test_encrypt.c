/* SMB 3.x encryption in the server core, on a socketpair: cipher
 * negotiation (3.3.5.4), the session's keys and EncryptData (3.3.5.5.3),
 * TRANSFORM frames in (3.3.5.2.1.1) and sealed responses out (3.3.4.1.4),
 * and `server smb encrypt` per share (3.3.5.7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "srv_harness.h"

#include "base/utf16.h"
#include "config/config.h"

#define CONF_HEAD                                                                                  \
    "[global]\n"                                                                                   \
    "server signing = mandatory\n"                                                                 \
    "invalid authentication delay = 0\n"

static const char conf_default[] = CONF_HEAD "[share]\npath = /tmp\n";
static const char conf_off[] = CONF_HEAD "server smb encrypt = off\n[share]\npath = /tmp\n";
static const char conf_ccm_first[] =
    CONF_HEAD "server smb3 encryption algorithms = aes-256-gcm AES-128-CCM aes-128-gcm\n"
              "[share]\npath = /tmp\n";
static const char conf_256_only[] = CONF_HEAD "server smb3 encryption algorithms = aes-256-ccm\n"
                                              "[share]\npath = /tmp\n";
static const char conf_required[] = CONF_HEAD "server smb encrypt = required\n"
                                              "[share]\npath = /tmp\n";
static const char conf_share_required[] = CONF_HEAD "[plain]\npath = /tmp\n"
                                                    "[secret]\npath = /tmp\n"
                                                    "server smb encrypt = required\n";

static uint16_t negotiated_cipher(const char *conf, uint16_t dialect, uint32_t caps)
{
    struct tconn t;
    tc_start(&t, conf);
    t.offer_caps = caps;
    tc_negotiate(&t, &dialect, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    struct smb2_negotiate_rsp rsp;
    assert_true(nt_ok(smb2_negotiate_rsp_decode(t.rsp, t.rsp_len, &rsp)));
    if (dialect == SMB2_DIALECT_0311) /* 3.3.5.4: the context says it, never the capability */
        assert_int_equal(rsp.capabilities & SMB2_GLOBAL_CAP_ENCRYPTION, 0);
    uint16_t c = t.cipher;
    tc_stop(&t);
    return c;
}

/* The harness offers AES-128-GCM then AES-128-CCM on 3.1.1. */
static void test_negotiate_cipher(void **state)
{
    (void)state;
    assert_int_equal(negotiated_cipher(conf_default, SMB2_DIALECT_0311, 0), SMB2_CIPHER_AES128_GCM);
    assert_int_equal(negotiated_cipher(conf_ccm_first, SMB2_DIALECT_0311, 0),
                     SMB2_CIPHER_AES128_CCM);
    assert_int_equal(negotiated_cipher(conf_256_only, SMB2_DIALECT_0311, 0), SMB2_CIPHER_NONE);
    assert_int_equal(negotiated_cipher(conf_off, SMB2_DIALECT_0311, 0), SMB2_CIPHER_NONE);
    uint32_t enc = SMB2_GLOBAL_CAP_ENCRYPTION;
    assert_int_equal(negotiated_cipher(conf_default, SMB2_DIALECT_0300, enc),
                     SMB2_CIPHER_AES128_CCM);
    assert_int_equal(negotiated_cipher(conf_default, SMB2_DIALECT_0302, enc),
                     SMB2_CIPHER_AES128_CCM);
    assert_int_equal(negotiated_cipher(conf_default, SMB2_DIALECT_0302, 0), SMB2_CIPHER_NONE);
    assert_int_equal(negotiated_cipher(conf_off, SMB2_DIALECT_0300, enc), SMB2_CIPHER_NONE);
    assert_int_equal(negotiated_cipher(conf_default, SMB2_DIALECT_0210, enc), SMB2_CIPHER_NONE);
}

static void echo_msg(struct tconn *t, uint8_t msg[SMB2_HDR_SIZE + 4])
{
    struct wr w;
    wr_init(&w, msg, SMB2_HDR_SIZE + 4);
    tc_hdr(t, &w, SMB2_ECHO, 1);
    wr_u16(&w, 4);
    wr_u16(&w, 0);
}

static uint16_t logon_flags(struct tconn *t)
{
    return le16_get(t->rsp + SMB2_HDR_SIZE + 2); /* SESSION_SETUP response SessionFlags */
}

static void logged_on(struct tconn *t, const char *conf, uint16_t dialect)
{
    tc_start(t, conf);
    t->offer_caps = SMB2_GLOBAL_CAP_ENCRYPTION;
    tc_negotiate(t, &dialect, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    assert_int_equal(tc_logon(t, TEST_USER, TEST_PASSWORD), 0);
}

/* An encrypted ECHO is answered sealed, not signed, on each dialect. */
static void sealed_echo(uint16_t dialect)
{
    struct tconn t;
    logged_on(&t, conf_default, dialect);
    assert_int_equal(logon_flags(&t) & SMB2_SESSION_FLAG_ENCRYPT_DATA, 0); /* if_required */
    uint8_t msg[SMB2_HDR_SIZE + 4];
    echo_msg(&t, msg);
    tc_send_sealed(&t, msg, sizeof msg);
    bool sealed = false;
    assert_true(tc_recv_unseal(&t, &sealed));
    assert_true(sealed);
    assert_int_equal(rsp_status(&t), 0);
    assert_int_equal(le16_get(t.rsp + 12), SMB2_ECHO);
    assert_int_equal(rsp_flags(&t) & SMB2_FLAGS_SIGNED, 0);
    /* an unencrypted, signed request on the same session is still served,
     * and answered in the clear (if_required) */
    assert_int_equal(tc_echo(&t, true), 0);
    assert_int_equal(le32_get(t.rsp), SMB2_PROTOCOL_ID);
    tc_stop(&t);
}

static void test_sealed_echo_311(void **state)
{
    (void)state;
    sealed_echo(SMB2_DIALECT_0311);
}

static void test_sealed_echo_300(void **state)
{
    (void)state;
    sealed_echo(SMB2_DIALECT_0300);
}

/* 3.3.5.2.1.1: a frame that does not decrypt ends the connection, and why
 * is logged. */
static void test_tampered_frame_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_default, SMB2_DIALECT_0311);
    uint8_t msg[SMB2_HDR_SIZE + 4], frame[SMB2_TRANSFORM_HDR_SIZE + sizeof msg];
    echo_msg(&t, msg);
    memcpy(frame + SMB2_TRANSFORM_HDR_SIZE, msg, sizeof msg);
    uint8_t nonce[16];
    assert_true(nt_ok(sec_nonce_next(&t.nonces, t.cipher, nonce)));
    struct iovec iov = {frame + SMB2_TRANSFORM_HDR_SIZE, sizeof msg};
    assert_true(nt_ok(sec_seal(&t.c2s, nonce, t.sid, frame, &iov, 1)));
    frame[SMB2_TRANSFORM_HDR_SIZE + 10] ^= 1; /* one bit of ciphertext */
    tc_send_raw(&t, frame, sizeof frame);
    assert_true(tc_disconnected(&t));
    assert_true(harness_log_has("does not decrypt"));
    tc_stop(&t);
}

/* 3.3.5.2.1.1: every SessionId inside must be the TRANSFORM's. */
static void test_inner_session_mismatch_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_default, SMB2_DIALECT_0311);
    uint8_t msg[SMB2_HDR_SIZE + 4];
    echo_msg(&t, msg);
    le64_put(msg + 40, t.sid + 1);
    tc_send_sealed(&t, msg, sizeof msg);
    assert_true(tc_disconnected(&t));
    assert_true(harness_log_has("names another session"));
    tc_stop(&t);
}

/* `server smb encrypt = required`: the session says ENCRYPT_DATA, an
 * unencrypted request is refused (and the refusal is sealed), an encrypted
 * one served. */
static void test_required_session(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_required, SMB2_DIALECT_0311);
    assert_int_equal(logon_flags(&t) & SMB2_SESSION_FLAG_ENCRYPT_DATA,
                     SMB2_SESSION_FLAG_ENCRYPT_DATA);
    uint8_t msg[SMB2_HDR_SIZE + 4];
    echo_msg(&t, msg);
    tc_sign(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, sizeof msg);
    bool sealed = false;
    assert_true(tc_recv_unseal(&t, &sealed));
    assert_true(sealed);
    assert_int_equal(rsp_status(&t), STATUS_ACCESS_DENIED.code);
    assert_true(harness_log_has("the session requires encryption"));
    echo_msg(&t, msg);
    tc_send_sealed(&t, msg, sizeof msg);
    assert_true(tc_recv_unseal(&t, &sealed));
    assert_true(sealed);
    assert_int_equal(rsp_status(&t), 0);
    tc_stop(&t);
}

/* A client that negotiated no cipher gets no session when the server
 * requires encryption. */
static void test_required_without_cipher(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_required);
    uint16_t d = SMB2_DIALECT_0302; /* no CAP_ENCRYPTION offered */
    tc_negotiate(&t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    assert_int_equal(tc_logon(&t, TEST_USER, TEST_PASSWORD), STATUS_ACCESS_DENIED.code);
    assert_true(harness_log_has("negotiated no cipher"));
    tc_stop(&t);
}

static uint32_t sealed_tree_connect(struct tconn *t, const char *share, uint32_t *flags)
{
    char path[256];
    uint8_t u16[512], msg[1024];
    size_t n = 0;
    snprintf(path, sizeof path, "\\\\127.0.0.1\\%s", share);
    assert_true(nt_ok(utf8_to_utf16le(path, strlen(path), u16, sizeof u16, &n)));
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_TREE_CONNECT, 1);
    struct smb2_tree_connect_req req = {.path = u16, .path_length = (uint16_t)n};
    assert_true(nt_ok(smb2_tree_connect_req_encode(&w, &req)));
    tc_send_sealed(t, msg, wr_pos(&w));
    bool sealed = false;
    assert_true(tc_recv_unseal(t, &sealed));
    assert_true(sealed);
    struct smb2_tree_connect_rsp rsp;
    if (rsp_status(t) == 0) {
        assert_true(nt_ok(smb2_tree_connect_rsp_decode(t->rsp, t->rsp_len, &rsp)));
        *flags = rsp.share_flags;
        t->tid = le32_get(t->rsp + 36);
    }
    return rsp_status(t);
}

/* A signed, unencrypted TREE_DISCONNECT of t's tree; its status. */
static uint32_t clear_tree_disconnect(struct tconn *t)
{
    uint8_t msg[SMB2_HDR_SIZE + 4];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_TREE_DISCONNECT, 1);
    wr_u16(&w, 4);
    wr_u16(&w, 0);
    tc_sign(t, msg, sizeof msg);
    tc_send_raw(t, msg, sizeof msg);
    bool sealed;
    assert_true(tc_recv_unseal(t, &sealed));
    return rsp_status(t);
}

/* 3.3.5.7: a share that requires encryption refuses a client that cannot
 * encrypt (SMB 2.1); one that can is served even when its TREE_CONNECT
 * comes in clear, with SHAREFLAG_ENCRYPT_DATA, and then an unencrypted
 * request on that tree is refused (3.3.5.2.11). An encrypted connect is
 * served with the flag; another share either way, without it. */
static void test_share_required(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_share_required, SMB2_DIALECT_0210);
    assert_int_equal(tc_tree_connect(&t, "secret", true), STATUS_ACCESS_DENIED.code);
    assert_true(harness_log_has("the share requires encryption"));
    assert_true(harness_log_has("the client negotiated no cipher"));
    tc_stop(&t);

    logged_on(&t, conf_share_required, SMB2_DIALECT_0311);
    assert_int_equal(tc_tree_connect(&t, "secret", true), 0);
    struct smb2_tree_connect_rsp clear;
    assert_true(nt_ok(smb2_tree_connect_rsp_decode(t.rsp, t.rsp_len, &clear)));
    assert_int_equal(clear.share_flags & SMB2_SHAREFLAG_ENCRYPT_DATA, SMB2_SHAREFLAG_ENCRYPT_DATA);
    assert_int_equal(clear_tree_disconnect(&t), STATUS_ACCESS_DENIED.code);
    assert_int_equal(tc_tree_connect(&t, "plain", true), 0);
    uint32_t flags = 0;
    assert_int_equal(sealed_tree_connect(&t, "plain", &flags), 0);
    assert_int_equal(flags & SMB2_SHAREFLAG_ENCRYPT_DATA, 0);
    assert_int_equal(sealed_tree_connect(&t, "secret", &flags), 0);
    assert_int_equal(flags & SMB2_SHAREFLAG_ENCRYPT_DATA, SMB2_SHAREFLAG_ENCRYPT_DATA);
    tc_stop(&t);
}

/* Config: Samba's names and values, global and per share. */
static void test_config(void **state)
{
    (void)state;
    struct cfg c;
    char err[256] = "";
    cfg_defaults(&c);
    assert_int_equal(c.server.encrypt, CFG_ENCRYPT_IF_REQUIRED);
    assert_int_equal(c.server.ciphers.count, 4);
    assert_int_equal(c.server.ciphers.ids[0], SMB2_CIPHER_AES128_GCM);
    assert_int_equal(c.server.ciphers.ids[3], SMB2_CIPHER_AES256_CCM);
    assert_true(nt_ok(cfg_load_string("t", conf_share_required, &c, err, sizeof err)));
    assert_int_equal(c.shares[0].encrypt, CFG_ENCRYPT_IF_REQUIRED);
    assert_int_equal(c.shares[1].encrypt, CFG_ENCRYPT_REQUIRED);
    assert_true(nt_ok(cfg_load_string("t", conf_ccm_first, &c, err, sizeof err)));
    assert_int_equal(c.server.ciphers.count, 3);
    assert_int_equal(c.server.ciphers.ids[1], SMB2_CIPHER_AES128_CCM);
    assert_false(nt_ok(cfg_load_string(
        "t", "[global]\nserver smb3 encryption algorithms = aes-128-gmac\n", &c, err, sizeof err)));
    assert_false(nt_ok(
        cfg_load_string("t", "[global]\nserver smb encrypt = sometimes\n", &c, err, sizeof err)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negotiate_cipher),
        cmocka_unit_test(test_sealed_echo_311),
        cmocka_unit_test(test_sealed_echo_300),
        cmocka_unit_test(test_tampered_frame_disconnects),
        cmocka_unit_test(test_inner_session_mismatch_disconnects),
        cmocka_unit_test(test_required_session),
        cmocka_unit_test(test_required_without_cipher),
        cmocka_unit_test(test_share_required),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
