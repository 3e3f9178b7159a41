/* The server core in-process: signetd's lib/server on one end of a
 * socketpair, its libuv loop in a thread, and a small blocking SMB2 client on
 * the other end that builds requests with the wire codecs and keeps the
 * client's side of the preauth hash and the signing key. */
#ifndef SRV_HARNESS_H
#define SRV_HARNESS_H

#include "auth/ntlm_client.h"
#include "auth/ntlm_crypto.h"
#include "base/endian.h"
#include "base/log.h"
#include "sec/kdf.h"
#include "sec/preauth.h"
#include "sec/seal.h"
#include "sec/sign.h"
#include "server/server.h"
#include "wire/compound.h"
#include "wire/hdr.h"
#include "wire/negotiate.h"
#include "wire/negotiate_ctx.h"
#include "wire/session_setup.h"
#include "wire/tree_connect.h"

#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#define TEST_USER     "alice"
#define TEST_PASSWORD "secret"
#define FRAME_CAP     (1u << 20)

struct tconn {
    int fd;
    pthread_t th;
    uv_loop_t loop;
    struct srv *srv;
    uint64_t mid;
    uint8_t client_guid[16]; /* NEGOTIATE's ClientGuid: one per client */
    uint16_t dialect;
    uint8_t preauth[64];
    uint64_t sid;
    uint32_t tid;
    struct sec_sign_key key;
    uint16_t signing_alg;
    bool signing_ctx;
    uint32_t offer_caps;       /* NEGOTIATE Capabilities (set after tc_start) */
    uint16_t cipher;           /* negotiated: 3.1.1 context, or CCM with CAP_ENCRYPTION */
    struct sec_cipher_key c2s; /* the client's EncryptionKey (the server's DecryptionKey) */
    struct sec_cipher_key s2c;
    struct sec_nonce_gen nonces;
    uint8_t rsp[FRAME_CAP];
    size_t rsp_len;
    bool shutdown_on_stop; /* tc_stop shuts the server down (srv_shutdown) */
    uv_async_t stop;       /* how tc_stop asks the loop thread for that */
};

/* Log lines the server wrote (for "logged with session and message id"). */
extern char harness_log[8192];
bool harness_log_has(const char *needle);
/* The lowest level captured there (SG_LOG_DEBUG unless changed). */
extern enum sg_log_level harness_log_level;
/* How long tc_recv waits for the next bytes of a frame (default 2000 ms). */
extern int harness_recv_timeout_ms;
#ifdef HARNESS_ABORT
/* Called before a failed harness check aborts (the fuzzer's build). */
extern void (*harness_on_abort)(void);
#endif

void tc_start(struct tconn *t, const char *conf);
/* tc_stop closes t's end; the loop thread ends when the server has nothing
 * left to do (a kept durable open or a break timer keep it going), or at
 * once with t->shutdown_on_stop, as signetd's SIGTERM would. */
/* Frees the connection's signing and cipher keys (a dropped connection's). */
void tc_keys_clear(struct tconn *t);
void tc_stop(struct tconn *t);
/* Two clients (different ClientGuids) on one server: both connections are
 * adopted before the loop starts; a owns the loop and its thread. */
void tc_start_pair(struct tconn *a, struct tconn *b, const char *conf);
void tc_stop_pair(struct tconn *a, struct tconn *b);
/* True if nothing arrives on t within ms milliseconds. */
bool tc_quiet(struct tconn *t, int ms);
/* Send one frame (adds the Direct TCP header). */
void tc_send_raw(struct tconn *t, const void *p, size_t len);
/* Receive one frame into t->rsp; false on EOF (disconnect) or timeout. */
bool tc_recv(struct tconn *t);
/* True if the server closed the connection (EOF within a second). */
bool tc_disconnected(struct tconn *t);

/* Write a request header at w with the next MessageId and t's ids. */
void tc_hdr(struct tconn *t, struct wr *w, uint16_t cmd, uint16_t credits);
/* Sign a message with the session key (in place). */
void tc_sign(struct tconn *t, uint8_t *msg, size_t len);

/* Status / fields of the response in t->rsp (first element). */
static inline uint32_t rsp_status(const struct tconn *t)
{
    return le32_get(t->rsp + 8);
}
static inline uint32_t rsp_flags(const struct tconn *t)
{
    return le32_get(t->rsp + 16);
}
static inline uint16_t rsp_credits(const struct tconn *t)
{
    return le16_get(t->rsp + 14);
}

/* NEGOTIATE offering dialects[] (3.1.1 contexts: preauth, signing algs,
 * encryption when with_cipher); asserts success unless expect_fail. */
void tc_negotiate(struct tconn *t, const uint16_t *dialects, uint16_t n, uint16_t security_mode);
/* Full NTLM logon through SESSION_SETUP; returns the final status. On
 * success t->sid and t->key are set (key derived as a client would). */
uint32_t tc_logon(struct tconn *t, const char *user, const char *password);
/* Re-authenticate the session t->sid (signed requests); keys are kept. */
uint32_t tc_reauth(struct tconn *t, const char *user, const char *password);
/* TREE_CONNECT \\server\share, signed when sign; returns status. */
uint32_t tc_tree_connect(struct tconn *t, const char *share, bool sign);
/* An ECHO on the session, signed or not; returns status. */
uint32_t tc_echo(struct tconn *t, bool sign);
/* Seal msg (a request or chain) under t's session and send it. */
void tc_send_sealed(struct tconn *t, uint8_t *msg, size_t len);
/* Receive one frame; if it is a TRANSFORM frame for t->sid, decrypt it and
 * leave the plaintext in t->rsp. *sealed tells which it was; false on EOF
 * or a frame that does not decrypt. */
bool tc_recv_unseal(struct tconn *t, bool *sealed);
/* Verify the signature of the response element at off..off+len. */
bool tc_verify(struct tconn *t, size_t off, size_t len);

#endif
