/* SMB 3.x encryption, client side: which ciphers to offer, the session's
 * cipher keys (3.2.5.3.1), which requests are sealed (3.2.4.1.8), sealing
 * in place (3.1.4.3) and unsealing a received TRANSFORM frame in place
 * (3.2.5.1.1.1), and the verdicts of `client smb encrypt` on a session and
 * a share. The AEAD is lib/sec/seal.c with keyed contexts made once per
 * session: a message costs a nonce from the session's counter, nothing is
 * allocated. */
#include "client/core.h"

#include "base/log.h"
#include "wire/compound.h"
#include "wire/transform.h"
#include "wire/tree_connect.h"

#include <stdio.h>
#include <string.h>

size_t cli_ciphers_offered(const struct signet_conn *c, uint16_t *out)
{
    if (c->cfg.encrypt == SIGNET_ENCRYPT_OFF)
        return 0;
    size_t n = c->cfg.n_ciphers > SIGNET_MAX_CIPHERS ? SIGNET_MAX_CIPHERS : c->cfg.n_ciphers;
    memcpy(out, c->cfg.ciphers, n * sizeof out[0]);
    return n;
}

static bool session_can_encrypt(const struct signet_conn *c)
{
    return c->sess.enc_key.cipher != SMB2_CIPHER_NONE;
}

bool cli_must_seal(const struct signet_conn *c, uint16_t command, uint64_t session_id,
                   uint32_t tree_id)
{
    /* 3.2.4.1.8: never NEGOTIATE or SESSION_SETUP (no binding here), never
     * a guest or anonymous session (they have no cipher key). */
    if (command == SMB2_NEGOTIATE || command == SMB2_SESSION_SETUP || session_id == 0 ||
        session_id != c->sess.id || !session_can_encrypt(c))
        return false;
    if (c->sess.encrypt)
        return true;
    for (const struct signet_tree *t = c->trees; t; t = t->next)
        if (t->id == tree_id)
            return t->encrypt;
    return false;
}

ntstatus_t cli_seal(struct signet_conn *c, uint8_t thdr[SMB2_TRANSFORM_HDR_SIZE], struct iovec *msg,
                    size_t n)
{
    uint8_t nonce[16];
    ntstatus_t st = sec_nonce_next(&c->sess.nonces, c->sess.enc_key.cipher, nonce);
    if (!nt_ok(st))
        return cli_kill(c, st,
                        "the session's nonces are used up (2^64 messages under one key): log on "
                        "again for new keys");
    st = sec_seal(&c->sess.enc_key, nonce, c->sess.id, thdr, msg, n);
    if (!nt_ok(st))
        return cli_kill(c, st, "cannot encrypt the request: %s", nt_name(st));
    return STATUS_SUCCESS;
}

ntstatus_t cli_unseal_frame(struct signet_conn *c, size_t *msg_off)
{
    struct smb2_transform_hdr th;
    if (!nt_ok(smb2_transform_decode(c->rx.p, c->rx.len, &th)))
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE,
                        "%s sent a malformed TRANSFORM_HEADER; connection dropped", c->host);
    if (!session_can_encrypt(c))
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE,
                        "%s sent an encrypted message, but this session has no cipher key "
                        "(encryption was not negotiated); connection dropped",
                        c->host);
    if (th.session_id != c->sess.id)
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE,
                        "%s sent an encrypted message for session 0x%llx, not this session "
                        "(0x%llx); connection dropped",
                        c->host, (unsigned long long)th.session_id, (unsigned long long)c->sess.id);
    uint8_t *msg = c->rx.p + SMB2_TRANSFORM_HDR_SIZE;
    size_t len = c->rx.len - SMB2_TRANSFORM_HDR_SIZE;
    struct iovec iov = {msg, len};
    ntstatus_t st = sec_unseal(&c->sess.dec_key, c->rx.p, &iov, 1);
    if (!nt_ok(st))
        return cli_kill(c,
                        nt_eq(st, STATUS_DECRYPTION_FAILED) ? st : STATUS_INVALID_NETWORK_RESPONSE,
                        "a response from %s does not decrypt with the session's %s key (%s): it "
                        "was altered on the way or the server is broken; connection dropped",
                        c->host, signet_cipher_name(c->sess.dec_key.cipher), nt_name(st));
    if (!smb2_chain_sessions_match(msg, len, th.session_id))
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE,
                        "an encrypted response from %s names another session inside; connection "
                        "dropped",
                        c->host);
    *msg_off = SMB2_TRANSFORM_HDR_SIZE;
    return STATUS_SUCCESS;
}

ntstatus_t cli_install_cipher_keys(struct signet_conn *c, const struct sec_keys *keys)
{
    cli_clear_cipher_keys(c);
    if (c->cipher == SMB2_CIPHER_NONE || c->sess.guest || c->sess.anonymous)
        return STATUS_SUCCESS;
    ntstatus_t st =
        sec_cipher_key_init(&c->sess.enc_key, c->cipher, keys->c2s_cipher, keys->cipher_key_len);
    if (nt_ok(st))
        st = sec_cipher_key_init(&c->sess.dec_key, c->cipher, keys->s2c_cipher,
                                 keys->cipher_key_len);
    if (nt_ok(st))
        st = sec_nonce_gen_init(&c->sess.nonces);
    if (!nt_ok(st))
        cli_clear_cipher_keys(c);
    return st;
}

void cli_clear_cipher_keys(struct signet_conn *c)
{
    sec_cipher_key_clear(&c->sess.enc_key);
    sec_cipher_key_clear(&c->sess.dec_key);
    memset(&c->sess.nonces, 0, sizeof c->sess.nonces);
    c->sess.encrypt = false;
}

/* Why this connection cannot encrypt, for the user and audit event 31999. */
static void why_no_cipher(const struct signet_conn *c, char *out, size_t cap)
{
    uint16_t offered[SIGNET_MAX_CIPHERS];
    size_t n = cli_ciphers_offered(c, offered);
    if (c->sess.guest || c->sess.anonymous)
        snprintf(out, cap, "the server made this a %s session, which cannot encrypt",
                 c->sess.guest ? "guest" : "anonymous");
    else if (n == 0 && c->cfg.encrypt != SIGNET_ENCRYPT_OFF)
        snprintf(out, cap,
                 "no cipher is configured (client smb3 encryption algorithms / "
                 "--encryption-algorithms)");
    else if (n == 0)
        snprintf(out, cap,
                 "this client does not offer encryption (client smb encrypt = off / "
                 "--encrypt=off)");
    else if (c->dialect < SMB2_DIALECT_0300)
        snprintf(out, cap,
                 "the server chose SMB %s, which has no encryption (it needs SMB 3.0 or later)",
                 signet_dialect_name(c->dialect));
    else if (c->dialect != SMB2_DIALECT_0311)
        snprintf(out, cap,
                 "the server does not support encryption (SMB %s without "
                 "SMB2_GLOBAL_CAP_ENCRYPTION)",
                 signet_dialect_name(c->dialect));
    else {
        char list[96] = "";
        size_t off = 0;
        for (size_t i = 0; i < n && off < sizeof list; i++)
            off += (size_t)snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "",
                                    signet_cipher_name(offered[i]));
        snprintf(out, cap,
                 "the server selected no cipher (SMB 3.1.1; this client offered %s: client smb3 "
                 "encryption algorithms)",
                 list);
    }
}

ntstatus_t cli_session_encryption(struct signet_conn *c, uint16_t session_flags)
{
    bool server_wants = session_flags & SMB2_SESSION_FLAG_ENCRYPT_DATA;
    bool required = c->cfg.encrypt == SIGNET_ENCRYPT_REQUIRED;
    if (session_can_encrypt(c)) {
        c->sess.encrypt = server_wants || c->cfg.encrypt >= SIGNET_ENCRYPT_DESIRED;
        return STATUS_SUCCESS;
    }
    if (!server_wants && !required)
        return STATUS_SUCCESS;
    char why[200];
    why_no_cipher(c, why, sizeof why);
    if (required) {
        cli_audit_no_encryption(c, "refused: encryption is required and the server cannot "
                                   "encrypt");
        return cli_kill(c, STATUS_ACCESS_DENIED,
                        "%s This client requires encryption (client smb encrypt = required / "
                        "--encrypt=required; Windows: RequireEncryption = True), but %s cannot "
                        "encrypt: %s. Nothing was read or written. Fix: on the server, allow "
                        "encryption over SMB 3 ('server smb encrypt = desired' or 'required', "
                        "'server max protocol = SMB3'; Windows: Set-SmbServerConfiguration "
                        "-EncryptData $true), or on this client use --encrypt=desired.",
                        cli_status_text(STATUS_ACCESS_DENIED), c->host, why);
    }
    return cli_kill(c, STATUS_ACCESS_DENIED,
                    "%s The server %s requires encryption for this session (server smb encrypt = "
                    "required; Windows: EncryptData), but %s. Fix: --encrypt=desired (or client "
                    "smb encrypt = if_required or desired in the [client] section).",
                    cli_status_text(STATUS_ACCESS_DENIED), c->host, why);
}

ntstatus_t cli_tree_encryption(struct signet_conn *c, struct signet_tree *t, const char *share)
{
    if (!(t->share_flags & SMB2_SHAREFLAG_ENCRYPT_DATA)) /* 3.2.5.5 */
        return STATUS_SUCCESS;
    if (session_can_encrypt(c)) {
        t->encrypt = true;
        return STATUS_SUCCESS;
    }
    char why[200];
    why_no_cipher(c, why, sizeof why);
    return cli_fail(c, STATUS_ACCESS_DENIED,
                    "%s The share \\\\%s\\%s requires encryption (smb encrypt = required; "
                    "Windows: Set-SmbShare -EncryptData $true), but %s. Fix: --encrypt=desired "
                    "(client smb encrypt = if_required or desired), over SMB 3.",
                    cli_status_text(STATUS_ACCESS_DENIED), c->host, share, why);
}
