/* The dispatch table's generic checks, run against the real server core on a
 * socketpair: framing, negotiated state, compounds, the sequence window and
 * credits, sessions, trees, and signature enforcement ([MS-SMB2] 3.3.5.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "srv_harness.h"

#include "config/config.h"
#include "crypto/crypto.h"
#include "wire/ioctl.h"

static const char conf_mandatory[] = "[global]\n"
                                     "server signing = mandatory\n"
                                     "invalid authentication delay = 0\n"
                                     "[share]\n"
                                     "path = /tmp\n"
                                     "read only = no\n";
static const char conf_auto[] = "[global]\n"
                                "server signing = auto\n"
                                "invalid authentication delay = 0\n"
                                "[share]\n"
                                "path = /tmp\n";

static const uint16_t all_dialects[] = {SMB2_DIALECT_0202, SMB2_DIALECT_0210, SMB2_DIALECT_0300,
                                        SMB2_DIALECT_0302, SMB2_DIALECT_0311};

static void logged_on(struct tconn *t, const char *conf, uint16_t dialect)
{
    tc_start(t, conf);
    tc_negotiate(t, &dialect, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    assert_int_equal(t->dialect, dialect);
    assert_int_equal(tc_logon(t, TEST_USER, TEST_PASSWORD), 0);
}

/* ---- NEGOTIATE ---- */

static void test_negotiate_311(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_mandatory);
    tc_negotiate(&t, all_dialects, 5, SMB2_NEGOTIATE_SIGNING_ENABLED);
    struct smb2_negotiate_rsp rsp;
    assert_true(nt_ok(smb2_negotiate_rsp_decode(t.rsp, t.rsp_len, &rsp)));
    assert_int_equal(rsp.dialect_revision, SMB2_DIALECT_0311);
    assert_int_equal(rsp.security_mode,
                     SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED);
    assert_int_equal(rsp.capabilities & SMB2_GLOBAL_CAP_ENCRYPTION, 0);
    assert_int_equal(rsp.max_read_size, 8u * 1024 * 1024);
    assert_int_equal(rsp_flags(&t) & SMB2_FLAGS_SIGNED, 0);
    assert_int_equal(rsp_credits(&t), 31);
    struct smb2_negctx_set set;
    assert_true(
        nt_ok(smb2_negctx_set_decode(rsp.negotiate_context_list, rsp.negotiate_context_list_len,
                                     rsp.negotiate_context_count, &set)));
    assert_int_equal(set.preauth.hash_algorithms[0], SMB2_PREAUTH_INTEGRITY_SHA512);
    assert_int_equal(set.preauth.salt_length, 32);
    assert_int_equal(set.encryption.cipher_count, 1);
    assert_int_equal(set.encryption.ciphers[0], SMB2_CIPHER_AES128_GCM); /* the first both have */
    assert_int_equal(set.signing.signing_algorithms[0], SMB2_SIGNING_AES_GMAC);
    tc_stop(&t);
}

static void test_negotiate_auto_not_required(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_auto);
    uint16_t d = SMB2_DIALECT_0300;
    tc_negotiate(&t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    struct smb2_negotiate_rsp rsp;
    assert_true(nt_ok(smb2_negotiate_rsp_decode(t.rsp, t.rsp_len, &rsp)));
    assert_int_equal(rsp.security_mode, SMB2_NEGOTIATE_SIGNING_ENABLED);
    tc_stop(&t);
}

static void test_second_negotiate_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_mandatory);
    uint16_t d = SMB2_DIALECT_0210;
    tc_negotiate(&t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    uint8_t msg[128];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(&t, &w, SMB2_NEGOTIATE, 1);
    struct smb2_negotiate_req req = {.dialect_count = 1, .dialects = {SMB2_DIALECT_0210}};
    assert_true(nt_ok(smb2_negotiate_req_encode(&w, &req)));
    tc_send_raw(&t, msg, wr_pos(&w));
    assert_true(tc_disconnected(&t));
    tc_stop(&t);
}

static void test_smb1_negotiate_wildcard(void **state)
{
    (void)state;
    /* SMB1 NEGOTIATE offering "NT LM 0.12", "SMB 2.002", "SMB 2.???". */
    static const uint8_t smb1[] = {0xff, 'S',  'M', 'B', 0x72, 0,   0,   0,   0,   0x18, 0x53, 0xc8,
                                   0,    0,    0,   0,   0,    0,   0,   0,   0,   0,    0,    0,
                                   0xff, 0xfe, 0,   0,   0,    0,   0,   0,   0,   0x22, 0,    0x02,
                                   'N',  'T',  ' ', 'L', 'M',  ' ', '0', '.', '1', '2',  0,    0x02,
                                   'S',  'M',  'B', ' ', '2',  '.', '0', '0', '2', 0,    0x02, 'S',
                                   'M',  'B',  ' ', '2', '.',  '?', '?', '?', 0};
    struct tconn t;
    tc_start(&t, conf_mandatory);
    tc_send_raw(&t, smb1, sizeof smb1);
    assert_true(tc_recv(&t));
    struct smb2_negotiate_rsp rsp;
    assert_true(nt_ok(smb2_negotiate_rsp_decode(t.rsp, t.rsp_len, &rsp)));
    assert_int_equal(rsp.dialect_revision, SMB2_DIALECT_WILDCARD);
    /* The SMB2 NEGOTIATE that follows uses MessageId 1. */
    t.mid = 1;
    uint16_t d = SMB2_DIALECT_0302;
    tc_negotiate(&t, &d, 1, SMB2_NEGOTIATE_SIGNING_REQUIRED);
    assert_int_equal(t.dialect, SMB2_DIALECT_0302);
    tc_stop(&t);
}

/* ---- framing and state ---- */

static void test_bad_frame_header_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_mandatory);
    static const uint8_t bad[8] = {0x01, 0, 0, 4, 0xfe, 'S', 'M', 'B'};
    assert_int_equal(write(t.fd, bad, sizeof bad), (ssize_t)sizeof bad);
    assert_true(tc_disconnected(&t));
    tc_stop(&t);
}

static void test_oversized_frame_before_session_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_mandatory);
    uint8_t nb[4];
    smb2_frame_encode(nb, 1u << 20); /* 1 MiB before any session */
    assert_int_equal(write(t.fd, nb, 4), 4);
    assert_true(tc_disconnected(&t));
    tc_stop(&t);
}

static void test_request_before_negotiate_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_mandatory);
    uint8_t msg[SMB2_HDR_SIZE + 4];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(&t, &w, SMB2_ECHO, 1);
    wr_u16(&w, 4);
    wr_u16(&w, 0);
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_disconnected(&t));
    tc_stop(&t);
}

static void test_transform_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_mandatory);
    uint16_t d = SMB2_DIALECT_0311;
    tc_negotiate(&t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    uint8_t msg[128] = {0xfd, 'S', 'M', 'B'};
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_disconnected(&t));
    tc_stop(&t);
}

static void test_garbage_never_crashes(void **state)
{
    (void)state;
    for (int round = 0; round < 40; round++) {
        struct tconn t;
        tc_start(&t, conf_mandatory);
        uint16_t d = SMB2_DIALECT_0311;
        tc_negotiate(&t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
        uint8_t msg[256];
        assert_true(nt_ok(crypto_random(msg, sizeof msg)));
        struct wr w;
        wr_init(&w, msg, sizeof msg);
        tc_hdr(&t, &w, (uint16_t)(msg[100] % 20), msg[101]); /* a valid header, random body */
        le32_put(msg + 20, (uint32_t)(msg[102] % 2 ? 0 : msg[103] & 0xF8)); /* NextCommand */
        size_t len = SMB2_HDR_SIZE + msg[104] % (sizeof msg - SMB2_HDR_SIZE);
        tc_send_raw(&t, msg, len);
        /* Either an error response or a disconnect; never a hang or a crash. */
        if (tc_recv(&t))
            assert_true(rsp_flags(&t) & SMB2_FLAGS_SERVER_TO_REDIR);
        tc_stop(&t);
    }
}

/* ---- compounds ---- */

static size_t echo_at(struct tconn *t, uint8_t *p, bool related)
{
    struct wr w;
    wr_init(&w, p, SMB2_HDR_SIZE + 8);
    tc_hdr(t, &w, SMB2_ECHO, 1);
    wr_u16(&w, 4);
    wr_u16(&w, 0);
    if (related)
        le32_put(p + 16, le32_get(p + 16) | SMB2_FLAGS_RELATED_OPERATIONS);
    return SMB2_HDR_SIZE + 4;
}

static void test_compound_responses_padded_and_signed(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    uint8_t frame[3 * 72] = {0};
    echo_at(&t, frame, false);
    echo_at(&t, frame + 72, true);
    echo_at(&t, frame + 144, false);
    le32_put(frame + 20, 72);
    le32_put(frame + 72 + 20, 72);
    tc_sign(&t, frame, 72);
    tc_sign(&t, frame + 72, 72);
    tc_sign(&t, frame + 144, 68);
    tc_send_raw(&t, frame, 144 + 68);
    assert_true(tc_recv(&t));
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        uint32_t next = le32_get(t.rsp + off + 20);
        size_t len = next ? next : t.rsp_len - off;
        assert_int_equal(len % 8, 0);
        assert_int_equal(le32_get(t.rsp + off + 8), 0);
        assert_true(tc_verify(&t, off, len)); /* signed over its padding */
        assert_int_equal(!!(le32_get(t.rsp + off + 16) & SMB2_FLAGS_RELATED_OPERATIONS), i == 1);
        off += len;
    }
    assert_int_equal(off, t.rsp_len);
    tc_stop(&t);
}

static void test_bad_next_command_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    uint8_t frame[144] = {0};
    echo_at(&t, frame, false);
    echo_at(&t, frame + 72, false);
    le32_put(frame + 20, 70); /* not a multiple of 8 */
    tc_send_raw(&t, frame, 144);
    assert_true(tc_disconnected(&t));
    tc_stop(&t);
}

/* 3.3.5.2.7.2: a first element marked related is STATUS_INVALID_PARAMETER
 * (Windows, and smbtorture's smb2.compound.invalid1), signed; the
 * connection stays. */
static void test_first_element_related_invalid_parameter(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    uint8_t frame[72] = {0};
    echo_at(&t, frame, true);
    tc_sign(&t, frame, 68);
    tc_send_raw(&t, frame, 68);
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_status(&t), STATUS_INVALID_PARAMETER.code);
    assert_true(tc_verify(&t, 0, t.rsp_len));
    assert_int_equal(tc_echo(&t, true), 0);
    tc_stop(&t);
}

/* ---- sequence window and credits ---- */

static void test_message_id_reuse_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    assert_int_equal(tc_echo(&t, true), 0);
    t.mid--; /* the same MessageId again */
    uint8_t msg[SMB2_HDR_SIZE + 4];
    echo_at(&t, msg, false);
    tc_sign(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_disconnected(&t));
    tc_stop(&t);
}

static void test_message_id_beyond_window_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    t.mid += 5000; /* far beyond the credits granted */
    uint8_t msg[SMB2_HDR_SIZE + 4];
    echo_at(&t, msg, false);
    tc_sign(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_disconnected(&t));
    tc_stop(&t);
}

static void test_credits_granted_and_window_honoured(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    /* 31 granted at NEGOTIATE, each request asks 31 / 1 more: the window
     * lets us skip ahead within it, out of order. */
    uint64_t base = t.mid;
    t.mid = base + 20;
    assert_int_equal(tc_echo(&t, true), 0);
    assert_int_equal(rsp_credits(&t), 1);
    t.mid = base;
    assert_int_equal(tc_echo(&t, true), 0);
    tc_stop(&t);
}

/* ---- sessions, signatures, trees ---- */

static void test_unsigned_request_access_denied_and_logged(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    uint64_t mid = t.mid;
    assert_int_equal(tc_echo(&t, false), STATUS_ACCESS_DENIED_CODE);
    char needle[128];
    snprintf(needle, sizeof needle, "unsigned request on session 0x%016llx message %llu",
             (unsigned long long)t.sid, (unsigned long long)mid);
    assert_true(harness_log_has(needle));
    /* The connection stays (as Windows), and a signed request works. */
    assert_int_equal(tc_echo(&t, true), 0);
    assert_true(tc_verify(&t, 0, t.rsp_len));
    tc_stop(&t);
}

static void test_signed_flag_cleared_but_signature_present_denied(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0300);
    uint8_t msg[SMB2_HDR_SIZE + 4];
    echo_at(&t, msg, false);
    tc_sign(&t, msg, sizeof msg);
    le32_put(msg + 16, le32_get(msg + 16) & ~SMB2_FLAGS_SIGNED);
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_status(&t), STATUS_ACCESS_DENIED_CODE);
    tc_stop(&t);
}

static void test_bad_signature_access_denied(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0202);
    uint8_t msg[SMB2_HDR_SIZE + 4];
    echo_at(&t, msg, false);
    tc_sign(&t, msg, sizeof msg);
    msg[SMB2_SIG_OFFSET] ^= 1;
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_status(&t), STATUS_ACCESS_DENIED_CODE);
    assert_true(harness_log_has("bad signature on session"));
    tc_stop(&t);
}

static void test_auto_unsigned_client_not_required(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_auto, SMB2_DIALECT_0210);
    /* Neither side requires signing: an unsigned request is fine... */
    assert_int_equal(tc_echo(&t, false), 0);
    assert_int_equal(rsp_flags(&t) & SMB2_FLAGS_SIGNED, 0);
    /* ...and a signed one is verified and answered signed (3.3.4.1.1). */
    assert_int_equal(tc_echo(&t, true), 0);
    assert_true(tc_verify(&t, 0, t.rsp_len));
    tc_stop(&t);
}

static void test_wrong_password_logon_failure(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_mandatory);
    uint16_t d = SMB2_DIALECT_0311;
    tc_negotiate(&t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    assert_int_equal(tc_logon(&t, TEST_USER, "wrong"), STATUS_LOGON_FAILURE_CODE);
    assert_int_equal(tc_logon(&t, "mallory", "x"), STATUS_LOGON_FAILURE_CODE);
    assert_int_equal(tc_logon(&t, TEST_USER, TEST_PASSWORD), 0);
    tc_stop(&t);
}

static void test_logon_failure_delayed(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, "[global]\ninvalid authentication delay = 500\n");
    uint16_t d = SMB2_DIALECT_0311;
    tc_negotiate(&t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(tc_logon(&t, TEST_USER, "wrong"), STATUS_LOGON_FAILURE_CODE);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    assert_true(ms >= 450);
    assert_int_equal(tc_logon(&t, TEST_USER, TEST_PASSWORD), 0);
    tc_stop(&t);
}

static const char conf_guest_auto[] = "[global]\n"
                                      "server signing = auto\n"
                                      "map to guest = bad user\n"
                                      "invalid authentication delay = 0\n"
                                      "[pub]\n"
                                      "path = /tmp\n"
                                      "guest ok = yes\n"
                                      "[priv]\n"
                                      "path = /tmp\n";

static const char conf_guest_mandatory[] = "[global]\n"
                                           "server signing = mandatory\n"
                                           "map to guest = bad user\n"
                                           "invalid authentication delay = 0\n"
                                           "[pub]\n"
                                           "path = /tmp\n"
                                           "guest ok = yes\n";

static void test_guest_refused_when_mandatory(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_guest_mandatory);
    uint16_t d = SMB2_DIALECT_0311;
    tc_negotiate(&t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    /* Requiring signing disables guest access (design.md "Policy"). */
    assert_int_equal(tc_logon(&t, "nobody", "x"), STATUS_LOGON_FAILURE_CODE);
    tc_stop(&t);
}

static void test_guest_allowed_when_auto(void **state)
{
    (void)state;
    struct tconn t;
    tc_start(&t, conf_guest_auto);
    uint16_t d = SMB2_DIALECT_0311;
    tc_negotiate(&t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    assert_int_equal(tc_logon(&t, "nobody", "x"), 0);
    assert_int_equal(tc_tree_connect(&t, "priv", false), STATUS_ACCESS_DENIED_CODE);
    assert_int_equal(tc_tree_connect(&t, "pub", false), 0);
    tc_stop(&t);
}

static void test_max_connections(void **state)
{
    (void)state;
    struct cfg *cfg = calloc(1, sizeof *cfg);
    char err[128];
    cfg_defaults(cfg);
    assert_true(
        nt_ok(cfg_load_string("t", "[global]\nmax connections = 1\n", cfg, err, sizeof err)));
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    struct srv *s;
    assert_true(nt_ok(srv_new(&loop, cfg, NULL, &s)));
    free(cfg);
    int a[2], b[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, a), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, b), 0);
    assert_true(nt_ok(srv_adopt_fd(s, a[0])));
    assert_int_equal(srv_adopt_fd(s, b[0]).code, STATUS_TOO_MANY_SESSIONS_CODE);
    uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(srv_connection_count(s), 1);
    uint8_t x;
    assert_int_equal(read(b[1], &x, 1), 0); /* the second one was closed */
    assert_true(harness_log_has("max connections (1) reached"));
    srv_shutdown(s);
    uv_run(&loop, UV_RUN_DEFAULT);
    srv_free(s);
    assert_int_equal(uv_loop_close(&loop), 0);
    close(a[1]);
    close(b[1]);
}

static void test_reauthentication_keeps_keys(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    assert_int_equal(tc_tree_connect(&t, "share", true), 0);
    assert_int_equal(tc_reauth(&t, TEST_USER, TEST_PASSWORD), 0);
    assert_int_equal(tc_echo(&t, true), 0); /* the same key still signs */
    assert_true(tc_verify(&t, 0, t.rsp_len));
    tc_stop(&t);
}

static void test_unknown_session_deleted(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    t.sid ^= 0x10;
    assert_int_equal(tc_tree_connect(&t, "share", true), STATUS_USER_SESSION_DELETED_CODE);
    /* no key to sign with: the request's SIGNED flag and signature come back
     * (as Samba answers; a client that requires signing drops a response
     * without the flag) */
    uint8_t msg[SMB2_HDR_SIZE + 4];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(&t, &w, SMB2_ECHO, 1);
    wr_u16(&w, 4);
    wr_u16(&w, 0);
    tc_sign(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_status(&t), STATUS_USER_SESSION_DELETED_CODE);
    assert_true(rsp_flags(&t) & SMB2_FLAGS_SIGNED);
    assert_memory_equal(t.rsp + 48, msg + 48, 16);
    /* unsigned, an ECHO needs no session */
    assert_int_equal(tc_echo(&t, false), 0);
    assert_false(rsp_flags(&t) & SMB2_FLAGS_SIGNED);
    tc_stop(&t);
}

static void test_tree_connect_and_dispatch(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    assert_int_equal(tc_tree_connect(&t, "nosuch", true), STATUS_BAD_NETWORK_NAME_CODE);
    assert_int_equal(tc_tree_connect(&t, "share", false), STATUS_ACCESS_DENIED_CODE);
    assert_int_equal(tc_tree_connect(&t, "IPC$", true), 0);
    assert_int_equal(t.rsp[SMB2_HDR_SIZE + 2], SMB2_SHARE_TYPE_PIPE);
    assert_int_equal(tc_tree_connect(&t, "SHARE", true), 0);
    assert_int_equal(t.rsp[SMB2_HDR_SIZE + 2], SMB2_SHARE_TYPE_DISK);
    assert_true(tc_verify(&t, 0, t.rsp_len));
    /* A CREATE asking for no access at all: STATUS_ACCESS_DENIED (3.3.5.9),
     * answered through the table and signed. */
    uint8_t msg[SMB2_HDR_SIZE + 64] = {0};
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(&t, &w, SMB2_CREATE, 1);
    le16_put(msg + SMB2_HDR_SIZE, 57);
    tc_sign(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_status(&t), STATUS_ACCESS_DENIED_CODE);
    assert_true(tc_verify(&t, 0, t.rsp_len));
    /* An unknown tree. */
    t.tid += 7;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(&t, &w, SMB2_CREATE, 1);
    le16_put(msg + SMB2_HDR_SIZE, 57);
    tc_sign(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_status(&t), STATUS_NETWORK_NAME_DELETED_CODE);
    tc_stop(&t);
}

static void test_wrong_structure_size_invalid_parameter(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    uint8_t msg[SMB2_HDR_SIZE + 4];
    echo_at(&t, msg, false);
    le16_put(msg + SMB2_HDR_SIZE, 5);
    tc_sign(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_status(&t), STATUS_INVALID_PARAMETER_CODE);
    tc_stop(&t);
}

/* ---- VALIDATE_NEGOTIATE_INFO ---- */

static uint32_t validate_negotiate(struct tconn *t, uint16_t dialect_in_list)
{
    uint8_t in[64], msg[256];
    struct wr w;
    wr_init(&w, in, sizeof in);
    struct smb2_validate_negotiate_req v = {.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED,
                                            .guid = {0xAA, 0xBB},
                                            .dialect_count = 1,
                                            .dialects = {dialect_in_list}};
    assert_true(nt_ok(smb2_validate_negotiate_req_encode(&w, &v)));
    struct smb2_ioctl_req req = {.ctl_code = FSCTL_VALIDATE_NEGOTIATE_INFO,
                                 .file_id = {UINT64_MAX, UINT64_MAX},
                                 .input = in,
                                 .input_count = (uint32_t)wr_pos(&w),
                                 .max_output_response = 24,
                                 .flags = SMB2_0_IOCTL_IS_FSCTL};
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_IOCTL, 1);
    assert_true(nt_ok(smb2_ioctl_req_encode(&w, &req)));
    tc_sign(t, msg, wr_pos(&w));
    tc_send_raw(t, msg, wr_pos(&w));
    if (!tc_recv(t))
        return UINT32_MAX;
    return rsp_status(t);
}

static void test_validate_negotiate_30(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0300);
    assert_int_equal(tc_tree_connect(&t, "IPC$", true), 0);
    assert_int_equal(validate_negotiate(&t, SMB2_DIALECT_0300), 0);
    assert_true(tc_verify(&t, 0, t.rsp_len));
    struct smb2_ioctl_rsp rsp;
    assert_true(nt_ok(smb2_ioctl_rsp_decode(t.rsp, t.rsp_len, &rsp)));
    struct smb2_validate_negotiate_rsp vr;
    assert_true(nt_ok(smb2_validate_negotiate_rsp_decode(rsp.output, rsp.output_count, &vr)));
    assert_int_equal(vr.dialect, SMB2_DIALECT_0300);
    assert_int_equal(vr.security_mode,
                     SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED);
    /* A downgraded view of the NEGOTIATE: the connection is dropped. */
    assert_int_equal(validate_negotiate(&t, SMB2_DIALECT_0210), UINT32_MAX);
    tc_stop(&t);
}

static void test_validate_negotiate_311_disconnects(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0311);
    assert_int_equal(tc_tree_connect(&t, "IPC$", true), 0);
    assert_int_equal(validate_negotiate(&t, SMB2_DIALECT_0311), UINT32_MAX);
    tc_stop(&t);
}

/* ---- LOGOFF ---- */

static void test_logoff_then_session_gone(void **state)
{
    (void)state;
    struct tconn t;
    logged_on(&t, conf_mandatory, SMB2_DIALECT_0302);
    uint8_t msg[SMB2_HDR_SIZE + 4];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(&t, &w, SMB2_LOGOFF, 1);
    wr_u16(&w, 4);
    wr_u16(&w, 0);
    tc_sign(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_status(&t), 0);
    assert_true(tc_verify(&t, 0, t.rsp_len)); /* signed with the session's key */
    /* ECHO needs no session, but a signed one names a session that is gone:
     * USER_SESSION_DELETED, as Samba answers (3.3.5.2.9) */
    assert_int_equal(tc_echo(&t, true), STATUS_USER_SESSION_DELETED_CODE);
    assert_true(tc_verify(&t, 0, t.rsp_len));
    assert_int_equal(tc_echo(&t, false), 0);
    assert_int_equal(tc_tree_connect(&t, "share", true), STATUS_USER_SESSION_DELETED_CODE);
    /* signed with the logged-off session's key, which the request verified under */
    assert_true(tc_verify(&t, 0, t.rsp_len));
    /* a second LOGOFF, signed: STATUS_USER_SESSION_DELETED, signed too */
    wr_init(&w, msg, sizeof msg);
    tc_hdr(&t, &w, SMB2_LOGOFF, 1);
    wr_u16(&w, 4);
    wr_u16(&w, 0);
    tc_sign(&t, msg, sizeof msg);
    tc_send_raw(&t, msg, sizeof msg);
    assert_true(tc_recv(&t));
    assert_int_equal(rsp_status(&t), STATUS_USER_SESSION_DELETED_CODE);
    assert_true(tc_verify(&t, 0, t.rsp_len));
    /* unsigned: answered, but not signed (no oracle for a dead key) */
    assert_int_equal(tc_tree_connect(&t, "share", false), STATUS_USER_SESSION_DELETED_CODE);
    assert_false(le32_get(t.rsp + 16) & SMB2_FLAGS_SIGNED);
    tc_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_negotiate_311),
        cmocka_unit_test(test_negotiate_auto_not_required),
        cmocka_unit_test(test_second_negotiate_disconnects),
        cmocka_unit_test(test_smb1_negotiate_wildcard),
        cmocka_unit_test(test_bad_frame_header_disconnects),
        cmocka_unit_test(test_oversized_frame_before_session_disconnects),
        cmocka_unit_test(test_request_before_negotiate_disconnects),
        cmocka_unit_test(test_transform_disconnects),
        cmocka_unit_test(test_garbage_never_crashes),
        cmocka_unit_test(test_compound_responses_padded_and_signed),
        cmocka_unit_test(test_bad_next_command_disconnects),
        cmocka_unit_test(test_first_element_related_invalid_parameter),
        cmocka_unit_test(test_message_id_reuse_disconnects),
        cmocka_unit_test(test_message_id_beyond_window_disconnects),
        cmocka_unit_test(test_credits_granted_and_window_honoured),
        cmocka_unit_test(test_unsigned_request_access_denied_and_logged),
        cmocka_unit_test(test_signed_flag_cleared_but_signature_present_denied),
        cmocka_unit_test(test_bad_signature_access_denied),
        cmocka_unit_test(test_auto_unsigned_client_not_required),
        cmocka_unit_test(test_wrong_password_logon_failure),
        cmocka_unit_test(test_logon_failure_delayed),
        cmocka_unit_test(test_guest_refused_when_mandatory),
        cmocka_unit_test(test_guest_allowed_when_auto),
        cmocka_unit_test(test_max_connections),
        cmocka_unit_test(test_reauthentication_keeps_keys),
        cmocka_unit_test(test_unknown_session_deleted),
        cmocka_unit_test(test_tree_connect_and_dispatch),
        cmocka_unit_test(test_wrong_structure_size_invalid_parameter),
        cmocka_unit_test(test_validate_negotiate_30),
        cmocka_unit_test(test_validate_negotiate_311_disconnects),
        cmocka_unit_test(test_logoff_then_session_gone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
