/* SMB 3.x encryption on a connection: TRANSFORM frames in ([MS-SMB2]
 * 3.3.5.2.1.1) and sealed responses out (3.3.4.1.4, 3.1.4.3). The AEAD is
 * lib/sec/seal.c, in place: a request is decrypted where it was received and
 * a response is encrypted in its response buffer, whose TRANSFORM_HEADER and
 * Direct TCP header go in the room kept in front of it. */
#include "server/srv_int.h"

#include "base/endian.h"
#include "wire/compound.h"
#include "wire/transform.h"

#include <inttypes.h>
#include <string.h>

ntstatus_t srv_seal(struct srv_session *s, uint8_t *msg, size_t len)
{
    uint8_t nonce[16];
    if (len > UINT32_MAX - SMB2_TRANSFORM_HDR_SIZE)
        return STATUS_INVALID_PARAMETER;
    ntstatus_t st = sec_nonce_next(&s->nonces, s->enc_key.cipher, nonce);
    if (!nt_ok(st)) {
        sg_log(SG_LOG_WARN, "session 0x%016" PRIx64 ": cannot take a nonce: %s", s->id,
               nt_name(st));
        return st;
    }
    struct iovec iov = {msg, len};
    st = sec_seal(&s->enc_key, nonce, s->id, msg - SMB2_TRANSFORM_HDR_SIZE, &iov, 1);
    if (nt_ok(st))
        smb2_frame_encode(msg - SMB2_TRANSFORM_HDR_SIZE - 4,
                          (uint32_t)(len + SMB2_TRANSFORM_HDR_SIZE));
    return st;
}

static bool refuse(struct srv_conn *c, uint64_t sid, const char *why)
{
    sg_log(SG_LOG_WARN,
           "conn %" PRIu64 " (%s): encrypted frame for session 0x%016" PRIx64 ": %s: disconnecting",
           c->id, c->peer, sid, why);
    return false;
}

bool srv_unseal_frame(struct srv_conn *c, struct buf *frame)
{
    struct smb2_transform_hdr th;
    if (!nt_ok(smb2_transform_decode(frame->p, frame->len, &th)))
        return refuse(c, 0, "malformed TRANSFORM_HEADER");
    struct srv_session *s = srv_session_find(c, th.session_id);
    if (!s || s->gone)
        return refuse(c, th.session_id, "no such session");
    if (s->dec_key.cipher == SMB2_CIPHER_NONE)
        return refuse(c, th.session_id, "the session has no encryption key");
    uint8_t *msg = frame->p + SMB2_TRANSFORM_HDR_SIZE;
    size_t len = frame->len - SMB2_TRANSFORM_HDR_SIZE;
    struct iovec iov = {msg, len};
    ntstatus_t st = sec_unseal(&s->dec_key, frame->p, &iov, 1);
    if (!nt_ok(st))
        return refuse(c, th.session_id,
                      nt_eq(st, STATUS_DECRYPTION_FAILED) ? "it does not decrypt (bad tag)"
                                                          : "bad TRANSFORM_HEADER");
    if (len < 4 || le32_get(msg) != SMB2_PROTOCOL_ID)
        return refuse(c, th.session_id, "the decrypted message is not SMB2");
    if (!smb2_chain_sessions_match(msg, len, th.session_id))
        return refuse(c, th.session_id, "a decrypted element names another session");
    if (!s->client_encrypts)
        sg_log(SG_LOG_INFO,
               "conn %" PRIu64 " (%s): session 0x%016" PRIx64 " of '%s': the client encrypts (%s)",
               c->id, c->peer, s->id, s->is_anonymous ? "anonymous" : s->user,
               cfg_cipher_name(s->dec_key.cipher));
    s->client_encrypts = true;
    srv_engine_frame_enc(c, frame, SMB2_TRANSFORM_HDR_SIZE, s);
    return true;
}
