/* NEGOTIATE, client side. [MS-SMB2] 3.2.4.2.2.2 (request), 3.2.5.2 (response),
 * 2.2.3.1 (3.1.1 contexts). Encryption is offered unless `client smb encrypt
 * = off`: SMB2_GLOBAL_CAP_ENCRYPTION (3.0, 3.0.2: AES-128-CCM) and the
 * ENCRYPTION_CAPABILITIES context with the configured cipher order (3.1.1). */
#include "client/core.h"

#include "crypto/crypto.h"
#include "sec/preauth.h"
#include "wire/negotiate.h"
#include "wire/negotiate_ctx.h"

#include <stdio.h>
#include <string.h>

static const uint16_t all_dialects[] = {SMB2_DIALECT_0202, SMB2_DIALECT_0210, SMB2_DIALECT_0300,
                                        SMB2_DIALECT_0302, SMB2_DIALECT_0311};

static void pick_dialects(struct signet_conn *c, struct smb2_negotiate_req *req)
{
    c->n_offered = 0;
    for (size_t i = 0; i < 5; i++) {
        uint16_t d = all_dialects[i];
        if (d >= c->cfg.min_dialect && d <= c->cfg.max_dialect) {
            req->dialects[c->n_offered] = d;
            c->offered[c->n_offered++] = d;
        }
    }
    req->dialect_count = c->n_offered;
}

/* 2.2.3.1.1 PREAUTH (SHA-512 with a 32-byte salt, as Windows), 2.2.3.1.2
 * ENCRYPTION_CAPABILITIES and 2.2.3.1.7 SIGNING_CAPABILITIES in the
 * configured orders. */
static ntstatus_t build_contexts(struct signet_conn *c, uint8_t *out, size_t cap, size_t *len,
                                 uint16_t *count)
{
    uint8_t salt[32];
    ntstatus_t st = crypto_random(salt, sizeof salt);
    if (!nt_ok(st))
        return st;
    struct smb2_negctx_set set;
    memset(&set, 0, sizeof set);
    set.present = SMB2_NEGCTX_HAS(SMB2_PREAUTH_INTEGRITY_CAPABILITIES) |
                  SMB2_NEGCTX_HAS(SMB2_SIGNING_CAPABILITIES);
    set.preauth.hash_algorithm_count = 1;
    set.preauth.hash_algorithms[0] = SMB2_PREAUTH_INTEGRITY_SHA512;
    set.preauth.salt_length = sizeof salt;
    set.preauth.salt = salt;
    set.signing.signing_algorithm_count = (uint16_t)c->policy.algs.count;
    for (size_t i = 0; i < c->policy.algs.count; i++)
        set.signing.signing_algorithms[i] = c->policy.algs.ids[i];
    set.encryption.cipher_count = (uint16_t)cli_ciphers_offered(c, set.encryption.ciphers);
    if (set.encryption.cipher_count)
        set.present |= SMB2_NEGCTX_HAS(SMB2_ENCRYPTION_CAPABILITIES);
    struct wr w;
    wr_init(&w, out, cap);
    st = smb2_negctx_set_encode(&w, &set, count);
    *len = wr_pos(&w);
    return st;
}

static ntstatus_t send_negotiate(struct signet_conn *c, int *slot, bool *v311)
{
    struct smb2_negotiate_req req;
    memset(&req, 0, sizeof req);
    pick_dialects(c, &req);
    if (req.dialect_count == 0)
        return cli_fail(c, STATUS_INVALID_PARAMETER,
                        "client min protocol is above client max protocol");
    req.security_mode = sec_client_security_mode(&c->policy);
    /* 2.2.3: capabilities are meaningful from 3.x. */
    uint16_t ciphers[SIGNET_MAX_CIPHERS];
    bool smb3 = c->cfg.max_dialect >= SMB2_DIALECT_0300;
    c->client_caps = smb3 ? SMB2_GLOBAL_CAP_LARGE_MTU : 0;
    if (smb3 && cli_ciphers_offered(c, ciphers) > 0)
        c->client_caps |= SMB2_GLOBAL_CAP_ENCRYPTION;
    req.capabilities = c->client_caps;
    memcpy(req.client_guid, c->client_guid, 16);
    uint8_t ctx[256];
    size_t ctx_len = 0;
    *v311 = smb2_negotiate_req_has_dialect(&req, SMB2_DIALECT_0311);
    if (*v311) {
        ntstatus_t st = build_contexts(c, ctx, sizeof ctx, &ctx_len, &req.negotiate_context_count);
        if (!nt_ok(st))
            return st;
        req.negotiate_context_list = ctx;
        req.negotiate_context_list_len = ctx_len;
        sec_preauth_init(c->preauth);
    }
    struct wr w;
    ntstatus_t st = cli_begin(c, &w, 512);
    if (nt_ok(st))
        st = smb2_negotiate_req_encode(&w, &req);
    struct cli_send_opts o = {.preauth_hash = *v311 ? c->preauth : NULL};
    if (nt_ok(st))
        st = cli_send(c, SMB2_NEGOTIATE, &w, &o, slot);
    return st;
}

static bool offered(const struct signet_conn *c, uint16_t d)
{
    for (size_t i = 0; i < c->n_offered; i++)
        if (c->offered[i] == d)
            return true;
    return false;
}

static void algs_text(const uint16_t *ids, size_t n, char *out, size_t cap)
{
    size_t off = 0;
    out[0] = 0;
    for (size_t i = 0; i < n && off < cap; i++)
        off += (size_t)snprintf(out + off, cap - off, "%s%s", i ? ", " : "",
                                signet_sign_alg_name(ids[i]));
}

/* 3.2.5.2: the server's ENCRYPTION_CAPABILITIES hold one CipherId, one this
 * client offered, or 0 (no cipher in common: this connection cannot encrypt). */
static ntstatus_t take_cipher(struct signet_conn *c, const struct smb2_negctx_set *set)
{
    c->cipher = SMB2_CIPHER_NONE;
    if (!smb2_negctx_set_has(set, SMB2_ENCRYPTION_CAPABILITIES))
        return STATUS_SUCCESS;
    uint16_t ours[SIGNET_MAX_CIPHERS];
    size_t n = cli_ciphers_offered(c, ours);
    if (set->encryption.cipher_count != 1)
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE,
                        "the server selected %u ciphers; exactly one is allowed",
                        (unsigned)set->encryption.cipher_count);
    uint16_t id = set->encryption.ciphers[0];
    if (id == SMB2_CIPHER_NONE)
        return STATUS_SUCCESS;
    for (size_t i = 0; i < n; i++)
        if (ours[i] == id) {
            c->cipher = id;
            return STATUS_SUCCESS;
        }
    return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE,
                    "the server selected cipher 0x%04x, which this client did not offer", id);
}

/* 3.2.5.2: the 3.1.1 contexts of the response. */
static ntstatus_t check_contexts(struct signet_conn *c, const struct smb2_negotiate_rsp *r)
{
    struct smb2_negctx_set set;
    ntstatus_t st = smb2_negctx_set_decode(r->negotiate_context_list, r->negotiate_context_list_len,
                                           r->negotiate_context_count, &set);
    if (!nt_ok(st))
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "malformed negotiate contexts");
    if (!smb2_negctx_set_has(&set, SMB2_PREAUTH_INTEGRITY_CAPABILITIES) ||
        set.preauth.hash_algorithm_count != 1 ||
        set.preauth.hash_algorithms[0] != SMB2_PREAUTH_INTEGRITY_SHA512)
        return cli_kill(c, STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP,
                        "the server did not select SHA-512 preauthentication integrity");
    st = take_cipher(c, &set);
    if (!nt_ok(st))
        return st;
    if (!smb2_negctx_set_has(&set, SMB2_SIGNING_CAPABILITIES)) {
        c->signing_alg_negotiated = false;
        c->signing_alg = SMB2_SIGNING_AES_CMAC; /* 3.1.4.1 */
        return STATUS_SUCCESS;
    }
    st = sec_client_check_signing_alg(&c->policy, set.signing.signing_algorithms,
                                      set.signing.signing_algorithm_count);
    if (!nt_ok(st)) {
        char ours[96], theirs[96];
        algs_text(c->policy.algs.ids, c->policy.algs.count, ours, sizeof ours);
        algs_text(set.signing.signing_algorithms, set.signing.signing_algorithm_count, theirs,
                  sizeof theirs);
        return cli_kill(c, st,
                        "no signing algorithm in common: this client offered %s, the server "
                        "answered %s (client smb3 signing algorithms / --signing-algorithms)",
                        ours, theirs);
    }
    c->signing_alg_negotiated = true;
    c->signing_alg = set.signing.signing_algorithms[0];
    return STATUS_SUCCESS;
}

static ntstatus_t take_response(struct signet_conn *c, const struct cli_slot *sl)
{
    struct smb2_negotiate_rsp r;
    if (!nt_ok(smb2_negotiate_rsp_decode(sl->msg, sl->msg_len, &r)))
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "malformed NEGOTIATE response");
    if (!offered(c, r.dialect_revision))
        return cli_kill(c, STATUS_NOT_SUPPORTED,
                        "the server chose dialect 0x%04x, which was not offered (offered %s to "
                        "%s: client min/max protocol)",
                        r.dialect_revision, signet_dialect_name(c->cfg.min_dialect),
                        signet_dialect_name(c->cfg.max_dialect));
    c->dialect = r.dialect_revision;
    c->server_security_mode = r.security_mode;
    c->server_caps = r.capabilities;
    memcpy(c->server_guid, r.server_guid, 16);
    c->large_mtu = c->dialect >= SMB2_DIALECT_0210 && (r.capabilities & SMB2_GLOBAL_CAP_LARGE_MTU);
    uint32_t cap = c->large_mtu ? SMB2_MAX_TRANSACT : 65536;
    c->max_transact = r.max_transact_size < cap ? r.max_transact_size : cap;
    c->max_read = r.max_read_size < cap ? r.max_read_size : cap;
    c->max_write = r.max_write_size < cap ? r.max_write_size : cap;
    if (c->max_read < 4096 || c->max_write < 4096)
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE,
                        "the server's MaxRead/MaxWrite are too small");
    buf_reset(&c->gss_hint);
    ntstatus_t st = buf_append(&c->gss_hint, r.security_buffer, r.security_buffer_length);
    if (!nt_ok(st))
        return st;
    c->signing_alg = sec_default_signing_alg(c->dialect);
    /* 3.2.5.2: 3.0 and 3.0.2 encrypt with AES-128-CCM when both sides can. */
    c->cipher = SMB2_CIPHER_NONE;
    if ((c->dialect == SMB2_DIALECT_0300 || c->dialect == SMB2_DIALECT_0302) &&
        (c->client_caps & SMB2_GLOBAL_CAP_ENCRYPTION) &&
        (r.capabilities & SMB2_GLOBAL_CAP_ENCRYPTION))
        c->cipher = SMB2_CIPHER_AES128_CCM;
    return c->dialect == SMB2_DIALECT_0311 ? check_contexts(c, &r) : STATUS_SUCCESS;
}

ntstatus_t cli_negotiate(struct signet_conn *c)
{
    int slot = -1;
    bool v311 = false;
    ntstatus_t st = crypto_random(c->client_guid, sizeof c->client_guid);
    if (nt_ok(st))
        st = send_negotiate(c, &slot, &v311);
    struct cli_slot *sl = NULL;
    if (nt_ok(st))
        st = cli_wait(c, slot, &sl);
    if (!nt_ok(st))
        return st;
    ntstatus_t status = NT_STATUS(sl->hdr.status);
    if (!nt_ok(status)) {
        cli_release(c, slot);
        char ours[96];
        algs_text(c->policy.algs.ids, c->policy.algs.count, ours, sizeof ours);
        bool v311_hint = v311 && c->policy.algs.count < SEC_MAX_SIGNING_ALGS &&
                         nt_eq(status, STATUS_INVALID_PARAMETER);
        return cli_kill(c, status, "%s refused NEGOTIATE: %s%s%s%s", c->host, nt_name(status),
                        v311_hint ? " (Samba does so when no SMB 3.1.1 signing algorithm is in "
                                    "common; this client offered only "
                                  : "",
                        v311_hint ? ours : "", v311_hint ? ")" : "");
    }
    st = take_response(c, sl);
    if (nt_ok(st) && c->dialect == SMB2_DIALECT_0311) {
        struct iovec iov = {(void *)sl->msg, sl->msg_len};
        st = sec_preauth_update(c->preauth, &iov, 1); /* 3.2.5.2 */
    }
    cli_release(c, slot);
    return st;
}
