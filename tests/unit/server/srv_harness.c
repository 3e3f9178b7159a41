/* See srv_harness.h. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv_harness.h"

char harness_log[8192];
char harness_recv_error[128]; /* why tc_recv last failed */

#ifdef HARNESS_ABORT
/* The stateful fuzzer's build (tests/fuzz/fuzz_server.c), without cmocka:
 * a failed check of the harness itself aborts. */
void (*harness_on_abort)(void);

static void harness_abort(const char *what, int line)
{
    fprintf(stderr, "srv_harness.c:%d: check failed: %s (last receive: %s)\nserver log:\n%s", line,
            what, harness_recv_error, harness_log);
    if (harness_on_abort)
        harness_on_abort();
    abort();
}
#define assert_true(c)         ((c) ? (void)0 : harness_abort(#c, __LINE__))
#define assert_int_equal(a, b) assert_true((a) == (b))
#define assert_non_null(p)     assert_true((p) != NULL)
#define fail_msg(...)          (fprintf(stderr, __VA_ARGS__), harness_abort("fail_msg", __LINE__))
#else
#include <cmocka.h>
#endif

enum sg_log_level harness_log_level = SG_LOG_DEBUG;
int harness_recv_timeout_ms = 2000;

#include "base/utf16.h"
#include "config/config.h"

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static void capture_log(void *ctx, enum sg_log_level level, const char *msg)
{
    (void)ctx;
    (void)level;
    pthread_mutex_lock(&log_mu);
    size_t n = strlen(harness_log);
    if (n + strlen(msg) + 2 < sizeof harness_log)
        snprintf(harness_log + n, sizeof harness_log - n, "%s\n", msg);
    pthread_mutex_unlock(&log_mu);
    if (getenv("SRV_TEST_VERBOSE"))
        fprintf(stderr, "server: %s\n", msg);
}

bool harness_log_has(const char *needle)
{
    pthread_mutex_lock(&log_mu);
    bool has = strstr(harness_log, needle) != NULL;
    pthread_mutex_unlock(&log_mu);
    return has;
}

static bool lookup(void *ctx, const char *user, uint8_t nt_hash[16])
{
    (void)ctx;
    if (strcmp(user, TEST_USER) != 0)
        return false;
    return nt_ok(ntlm_nt_hash(TEST_PASSWORD, nt_hash));
}

static void *loop_thread(void *arg)
{
    struct tconn *t = arg;
    uv_run(&t->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void on_stop(uv_async_t *a)
{
    struct tconn *t = a->data;
    srv_shutdown(t->srv);
    uv_close((uv_handle_t *)a, NULL);
}

/* The server core on t's loop, not yet running. */
static void boot(struct tconn *t, const char *conf)
{
    memset(t, 0, sizeof *t);
    harness_log[0] = '\0';
    sg_log_set(capture_log, NULL, harness_log_level);
    struct cfg *cfg = calloc(1, sizeof *cfg);
    assert_non_null(cfg);
    char err[256] = "";
    cfg_defaults(cfg);
    ntstatus_t st = cfg_load_string("test.conf", conf, cfg, err, sizeof err);
    if (!nt_ok(st))
        fail_msg("config: %s", err);
    assert_int_equal(uv_loop_init(&t->loop), 0);
    assert_int_equal(uv_async_init(&t->loop, &t->stop, on_stop), 0);
    t->stop.data = t;
    uv_unref((uv_handle_t *)&t->stop); /* it keeps no loop running */
    struct srv_opts opts = {.lookup = lookup, .netbios_name = "TESTSRV"};
    assert_true(nt_ok(srv_new(&t->loop, cfg, &opts, &t->srv)));
    free(cfg);
}

/* A socketpair: one end adopted by srv (before its loop runs), the other
 * t's. */
static void adopt(struct tconn *t, struct srv *srv)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    assert_true(nt_ok(srv_adopt_fd(srv, sv[0])));
    t->fd = sv[1];
}

void tc_start(struct tconn *t, const char *conf)
{
    boot(t, conf);
    t->client_guid[0] = 0xAA;
    t->client_guid[1] = 0xBB;
    adopt(t, t->srv);
    assert_int_equal(pthread_create(&t->th, NULL, loop_thread, t), 0);
}

void tc_keys_clear(struct tconn *t)
{
    sec_sign_key_clear(&t->key);
    sec_cipher_key_clear(&t->c2s);
    sec_cipher_key_clear(&t->s2c);
}

void tc_stop(struct tconn *t)
{
    close(t->fd);
    if (t->shutdown_on_stop)
        uv_async_send(&t->stop);
    pthread_join(t->th, NULL);
    if (!uv_is_closing((uv_handle_t *)&t->stop)) {
        uv_close((uv_handle_t *)&t->stop, NULL);
        (void)uv_run(&t->loop, UV_RUN_NOWAIT);
    }
    srv_free(t->srv);
    tc_keys_clear(t);
    assert_int_equal(uv_loop_close(&t->loop), 0);
}

void tc_start_pair(struct tconn *a, struct tconn *b, const char *conf)
{
    boot(a, conf);
    memset(b, 0, sizeof *b);
    b->srv = a->srv;
    for (int i = 0; i < 2; i++) {
        struct tconn *t = i ? b : a;
        t->client_guid[0] = 0xAA;
        t->client_guid[1] = 0xBB;
        t->client_guid[15] = (uint8_t)(i + 1); /* two clients */
        adopt(t, a->srv);                      /* the loop does not run yet */
    }
    assert_int_equal(pthread_create(&a->th, NULL, loop_thread, a), 0);
}

void tc_stop_pair(struct tconn *a, struct tconn *b)
{
    close(b->fd);
    tc_keys_clear(b);
    b->srv = NULL;
    tc_stop(a);
}

/* poll(2) for POLLIN on fd for up to ms, resumed after a signal: poll is
 * never restarted (signal(7)), and libFuzzer's SIGALRM (its -timeout
 * watch) would otherwise read as "nothing came". */
static int poll_in(int fd, int ms)
{
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        int n = poll(&pf, 1, ms);
        if (n >= 0 || errno != EINTR)
            return n;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long spent = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        if (spent >= ms)
            return 0;
        ms -= (int)spent;
        t0 = t1;
    }
}

bool tc_quiet(struct tconn *t, int ms)
{
    return poll_in(t->fd, ms) == 0;
}

void tc_send_raw(struct tconn *t, const void *p, size_t len)
{
    uint8_t nb[4];
    smb2_frame_encode(nb, (uint32_t)len);
    assert_int_equal(write(t->fd, nb, 4), 4);
    if (len)
        assert_int_equal(write(t->fd, p, len), (ssize_t)len);
}

static bool read_full(int fd, uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        if (poll_in(fd, harness_recv_timeout_ms) <= 0) {
            snprintf(harness_recv_error, sizeof harness_recv_error,
                     "nothing for %d ms after %zu of %zu bytes", harness_recv_timeout_ms, got, n);
            return false;
        }
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(harness_recv_error, sizeof harness_recv_error, "%s after %zu of %zu bytes",
                     r == 0 ? "end of stream" : strerror(errno), got, n);
            return false;
        }
        got += (size_t)r;
    }
    return true;
}

bool tc_recv(struct tconn *t)
{
    uint8_t nb[4];
    if (!read_full(t->fd, nb, 4))
        return false;
    uint32_t len = be32_get(nb);
    assert_true(len <= FRAME_CAP);
    t->rsp_len = len;
    return read_full(t->fd, t->rsp, len);
}

bool tc_disconnected(struct tconn *t)
{
    if (poll_in(t->fd, 2000) <= 0)
        return false;
    uint8_t b;
    return read(t->fd, &b, 1) <= 0; /* EOF, or a reset when bytes were left unread */
}

void tc_hdr(struct tconn *t, struct wr *w, uint16_t cmd, uint16_t credits)
{
    struct smb2_hdr h = {.credit_charge = 1,
                         .command = cmd,
                         .credit_request = credits,
                         .message_id = t->mid++,
                         .tree_id = t->tid,
                         .session_id = t->sid};
    assert_true(nt_ok(smb2_hdr_encode(w, &h)));
}

void tc_sign(struct tconn *t, uint8_t *msg, size_t len)
{
    struct iovec iov = {msg, len};
    assert_true(nt_ok(sec_sign(&t->key, &iov, 1)));
}

bool tc_verify(struct tconn *t, size_t off, size_t len)
{
    struct iovec iov = {t->rsp + off, len};
    return (le32_get(t->rsp + off + 16) & SMB2_FLAGS_SIGNED) && nt_ok(sec_verify(&t->key, &iov, 1));
}

static void hash(struct tconn *t, uint8_t h[64], const uint8_t *p, size_t len)
{
    struct iovec iov = {(void *)p, len};
    if (t->dialect == SMB2_DIALECT_0311)
        assert_true(nt_ok(sec_preauth_update(h, &iov, 1)));
}

static size_t negotiate_contexts(uint8_t *buf, size_t cap, uint16_t *count)
{
    static const uint8_t salt[32] = {1, 2, 3};
    struct smb2_negctx_set s = {0};
    s.present = SMB2_NEGCTX_HAS(SMB2_PREAUTH_INTEGRITY_CAPABILITIES) |
                SMB2_NEGCTX_HAS(SMB2_ENCRYPTION_CAPABILITIES) |
                SMB2_NEGCTX_HAS(SMB2_SIGNING_CAPABILITIES);
    s.preauth = (struct smb2_preauth_caps){1, {SMB2_PREAUTH_INTEGRITY_SHA512}, 32, salt};
    s.encryption =
        (struct smb2_encryption_caps){2, {SMB2_CIPHER_AES128_GCM, SMB2_CIPHER_AES128_CCM}};
    s.signing = (struct smb2_signing_caps){2, {SMB2_SIGNING_AES_GMAC, SMB2_SIGNING_AES_CMAC}};
    struct wr w;
    wr_init(&w, buf, cap);
    assert_true(nt_ok(smb2_negctx_set_encode(&w, &s, count)));
    return wr_pos(&w);
}

static void read_signing_alg(struct tconn *t, const struct smb2_negotiate_rsp *rsp)
{
    t->signing_ctx = false;
    t->signing_alg =
        t->dialect >= SMB2_DIALECT_0300 ? SMB2_SIGNING_AES_CMAC : SMB2_SIGNING_HMAC_SHA256;
    if (rsp->dialect_revision != SMB2_DIALECT_0311)
        return;
    struct smb2_negctx_set set;
    assert_true(
        nt_ok(smb2_negctx_set_decode(rsp->negotiate_context_list, rsp->negotiate_context_list_len,
                                     rsp->negotiate_context_count, &set)));
    if (smb2_negctx_set_has(&set, SMB2_SIGNING_CAPABILITIES)) {
        t->signing_ctx = true;
        t->signing_alg = set.signing.signing_algorithms[0];
    }
    if (smb2_negctx_set_has(&set, SMB2_ENCRYPTION_CAPABILITIES))
        t->cipher = set.encryption.ciphers[0];
}

void tc_negotiate(struct tconn *t, const uint16_t *dialects, uint16_t n, uint16_t security_mode)
{
    uint8_t msg[512], ctx[256];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_NEGOTIATE, 31);
    struct smb2_negotiate_req req = {
        .dialect_count = n, .security_mode = security_mode, .capabilities = t->offer_caps};
    memcpy(req.client_guid, t->client_guid, sizeof req.client_guid);
    memcpy(req.dialects, dialects, n * sizeof *dialects);
    if (smb2_negotiate_req_has_dialect(&req, SMB2_DIALECT_0311)) {
        req.negotiate_context_list = ctx;
        req.negotiate_context_list_len =
            negotiate_contexts(ctx, sizeof ctx, &req.negotiate_context_count);
    }
    assert_true(nt_ok(smb2_negotiate_req_encode(&w, &req)));
    tc_send_raw(t, msg, wr_pos(&w));
    assert_true(tc_recv(t));
    assert_int_equal(rsp_status(t), 0);
    struct smb2_negotiate_rsp rsp;
    assert_true(nt_ok(smb2_negotiate_rsp_decode(t->rsp, t->rsp_len, &rsp)));
    t->dialect = rsp.dialect_revision;
    t->cipher =
        (rsp.capabilities & SMB2_GLOBAL_CAP_ENCRYPTION) ? SMB2_CIPHER_AES128_CCM : SMB2_CIPHER_NONE;
    sec_preauth_init(t->preauth);
    hash(t, t->preauth, msg, wr_pos(&w));
    hash(t, t->preauth, t->rsp, t->rsp_len);
    read_signing_alg(t, &rsp);
}

static void send_setup_signed(struct tconn *t, const struct buf *tok, uint8_t h[64], bool sign)
{
    uint8_t *msg = malloc(8192);
    assert_non_null(msg);
    struct wr w;
    wr_init(&w, msg, 8192);
    tc_hdr(t, &w, SMB2_SESSION_SETUP, 31);
    struct smb2_session_setup_req req = {.security_mode = SMB2_NEGOTIATE_SIGNING_ENABLED,
                                         .security_buffer = tok->p,
                                         .security_buffer_length = (uint16_t)tok->len};
    assert_true(nt_ok(smb2_session_setup_req_encode(&w, &req)));
    if (sign)
        tc_sign(t, msg, wr_pos(&w));
    tc_send_raw(t, msg, wr_pos(&w));
    hash(t, h, msg, wr_pos(&w));
    free(msg);
    assert_true(tc_recv(t));
}

static void send_setup(struct tconn *t, const struct buf *tok, uint8_t h[64])
{
    send_setup_signed(t, tok, h, false);
}

static void derive_key(struct tconn *t, struct ntlm_client *nc, const uint8_t h[64])
{
    uint8_t sk[16];
    struct sec_keys keys;
    enum smb2_signing_alg alg;
    assert_true(nt_ok(ntlm_client_session_key(nc, sk)));
    assert_true(nt_ok(sec_derive_keys(t->dialect, t->cipher, sk, 16, h, &keys)));
    assert_true(nt_ok(sec_signing_alg_for(t->dialect, t->signing_ctx, t->signing_alg, &alg)));
    assert_true(nt_ok(sec_sign_key_init(&t->key, alg, keys.signing, 16)));
    if (t->cipher != SMB2_CIPHER_NONE) {
        sec_cipher_key_clear(&t->c2s); /* a second session on this connection */
        sec_cipher_key_clear(&t->s2c);
        assert_true(
            nt_ok(sec_cipher_key_init(&t->c2s, t->cipher, keys.c2s_cipher, keys.cipher_key_len)));
        assert_true(
            nt_ok(sec_cipher_key_init(&t->s2c, t->cipher, keys.s2c_cipher, keys.cipher_key_len)));
        assert_true(nt_ok(sec_nonce_gen_init(&t->nonces)));
    }
    sec_keys_clear(&keys);
}

void tc_send_sealed(struct tconn *t, uint8_t *msg, size_t len)
{
    uint8_t *frame = malloc(SMB2_TRANSFORM_HDR_SIZE + len);
    assert_non_null(frame);
    memcpy(frame + SMB2_TRANSFORM_HDR_SIZE, msg, len);
    uint8_t nonce[16];
    assert_true(nt_ok(sec_nonce_next(&t->nonces, t->cipher, nonce)));
    struct iovec iov = {frame + SMB2_TRANSFORM_HDR_SIZE, len};
    assert_true(nt_ok(sec_seal(&t->c2s, nonce, t->sid, frame, &iov, 1)));
    tc_send_raw(t, frame, SMB2_TRANSFORM_HDR_SIZE + len);
    free(frame);
}

bool tc_recv_unseal(struct tconn *t, bool *sealed)
{
    *sealed = false;
    if (!tc_recv(t))
        return false;
    if (t->rsp_len < 4 || le32_get(t->rsp) != SMB2_TRANSFORM_ID)
        return true;
    *sealed = true;
    if (t->rsp_len <= SMB2_TRANSFORM_HDR_SIZE ||
        le64_get(t->rsp + 44) != t->sid) /* TRANSFORM SessionId */
        return false;
    struct iovec iov = {t->rsp + SMB2_TRANSFORM_HDR_SIZE, t->rsp_len - SMB2_TRANSFORM_HDR_SIZE};
    if (!nt_ok(sec_unseal(&t->s2c, t->rsp, &iov, 1)))
        return false;
    t->rsp_len -= SMB2_TRANSFORM_HDR_SIZE;
    memmove(t->rsp, t->rsp + SMB2_TRANSFORM_HDR_SIZE, t->rsp_len);
    return true;
}

uint32_t tc_logon(struct tconn *t, const char *user, const char *password)
{
    struct ntlm_client_creds cr = {
        .user = user, .password = password, .domain = "", .workstation = "WS"};
    struct ntlm_client *nc;
    assert_true(nt_ok(ntlm_client_new(&cr, &nc)));
    struct buf tok = BUF_INIT;
    uint8_t h[64];
    memcpy(h, t->preauth, 64);
    assert_true(nt_ok(ntlm_client_start(nc, NULL, 0, &tok)));
    t->sid = 0;
    send_setup(t, &tok, h);
    assert_int_equal(rsp_status(t), STATUS_MORE_PROCESSING_REQUIRED_CODE);
    t->sid = le64_get(t->rsp + 40);
    hash(t, h, t->rsp, t->rsp_len);
    struct smb2_session_setup_rsp rsp;
    assert_true(nt_ok(smb2_session_setup_rsp_decode(t->rsp, t->rsp_len, &rsp)));
    assert_true(nt_ok(ntlm_client_step(nc, rsp.security_buffer, rsp.security_buffer_length, &tok)));
    send_setup(t, &tok, h);
    uint32_t st = rsp_status(t);
    bool guest = st == 0 && (le16_get(t->rsp + SMB2_HDR_SIZE + 2) &
                             (SMB2_SESSION_FLAG_IS_GUEST | SMB2_SESSION_FLAG_IS_NULL));
    if (st == 0 && guest) {
        assert_int_equal(rsp_flags(t) & SMB2_FLAGS_SIGNED, 0); /* no key, nothing signed */
    } else if (st == 0) {
        derive_key(t, nc, h);
        assert_true(tc_verify(t, 0, t->rsp_len)); /* the final response is signed */
        assert_true(nt_ok(smb2_session_setup_rsp_decode(t->rsp, t->rsp_len, &rsp)));
        assert_true(
            nt_ok(ntlm_client_finish(nc, rsp.security_buffer, rsp.security_buffer_length, true)));
    }
    buf_free(&tok);
    ntlm_client_free(nc);
    return st;
}

uint32_t tc_tree_connect(struct tconn *t, const char *share, bool sign)
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
    if (sign)
        tc_sign(t, msg, wr_pos(&w));
    tc_send_raw(t, msg, wr_pos(&w));
    assert_true(tc_recv(t));
    if (rsp_status(t) == 0)
        t->tid = le32_get(t->rsp + 36);
    return rsp_status(t);
}

uint32_t tc_echo(struct tconn *t, bool sign)
{
    uint8_t msg[SMB2_HDR_SIZE + 4];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_ECHO, 1);
    wr_u16(&w, 4);
    wr_u16(&w, 0);
    if (sign)
        tc_sign(t, msg, sizeof msg);
    tc_send_raw(t, msg, sizeof msg);
    assert_true(tc_recv(t));
    return rsp_status(t);
}

uint32_t tc_reauth(struct tconn *t, const char *user, const char *password)
{
    struct ntlm_client_creds cr = {
        .user = user, .password = password, .domain = "", .workstation = "WS"};
    struct ntlm_client *nc;
    assert_true(nt_ok(ntlm_client_new(&cr, &nc)));
    struct buf tok = BUF_INIT;
    uint8_t h[64] = {0};
    assert_true(nt_ok(ntlm_client_start(nc, NULL, 0, &tok)));
    send_setup_signed(t, &tok, h, true);
    uint32_t st = rsp_status(t);
    if (st == STATUS_MORE_PROCESSING_REQUIRED_CODE) {
        assert_true(tc_verify(t, 0, t->rsp_len)); /* signed: the request was */
        struct smb2_session_setup_rsp rsp;
        assert_true(nt_ok(smb2_session_setup_rsp_decode(t->rsp, t->rsp_len, &rsp)));
        assert_true(
            nt_ok(ntlm_client_step(nc, rsp.security_buffer, rsp.security_buffer_length, &tok)));
        send_setup_signed(t, &tok, h, true);
        st = rsp_status(t);
        if (st == 0)
            assert_true(tc_verify(t, 0, t->rsp_len)); /* with the session's existing key */
    }
    buf_free(&tok);
    ntlm_client_free(nc);
    return st;
}
