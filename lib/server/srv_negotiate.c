/* NEGOTIATE. [MS-SMB2] 3.3.5.4 (SMB2 NEGOTIATE request), 2.2.4 (response),
 * 2.2.4.1 (3.1.1 negotiate contexts). Encryption: on 3.0 and 3.0.2,
 * SMB2_GLOBAL_CAP_ENCRYPTION (AES-128-CCM) when the client offers it; on
 * 3.1.1 the ENCRYPTION_CAPABILITIES context names the first cipher of
 * `server smb3 encryption algorithms` the client offers, or 0 (none in
 * common, or `server smb encrypt = off`). */
#include "server/srv_int.h"

#include "auth/ntlm_server.h"
#include "base/filetime.h"
#include "crypto/crypto.h"
#include "sec/preauth.h"
#include "wire/negotiate_ctx.h"

#include <inttypes.h>
#include <string.h>

#define PREAUTH_SALT_LEN 32 /* as Windows [ANATOMY] */

static const uint16_t dialects_by_preference[] = {
    SMB2_DIALECT_0311, SMB2_DIALECT_0302, SMB2_DIALECT_0300, SMB2_DIALECT_0210, SMB2_DIALECT_0202};

uint32_t srv_server_caps(uint16_t dialect, const struct cfg_server *cs)
{
    /* Large MTU and leasing from 2.1 (3.3.5.4); no DFS, multichannel or
     * encryption until they are implemented end to end. */
    if (dialect < SMB2_DIALECT_0210)
        return 0;
    return SMB2_GLOBAL_CAP_LARGE_MTU | (cs->smb2_leases ? SMB2_GLOBAL_CAP_LEASING : 0);
}

uint16_t srv_pick_cipher(const struct cfg_server *cs, const uint16_t *offered, size_t n)
{
    if (cs->encrypt == CFG_ENCRYPT_OFF)
        return SMB2_CIPHER_NONE;
    for (size_t i = 0; i < cs->ciphers.count; i++)
        for (size_t k = 0; k < n; k++)
            if (offered[k] == cs->ciphers.ids[i])
                return cs->ciphers.ids[i];
    return SMB2_CIPHER_NONE;
}

/* 3.3.5.4: 3.0 and 3.0.2 encrypt with AES-128-CCM when both sides have
 * CAP_ENCRYPTION; 3.1.1 says it with the context instead, and the server
 * MUST NOT set the capability. */
static uint16_t cipher_30(const struct srv_conn *c, uint16_t dialect, uint32_t client_caps)
{
    const struct cfg_server *cs = &c->cfg->cfg.server;
    bool both = (client_caps & SMB2_GLOBAL_CAP_ENCRYPTION) && cs->encrypt != CFG_ENCRYPT_OFF;
    if ((dialect != SMB2_DIALECT_0300 && dialect != SMB2_DIALECT_0302) || !both)
        return SMB2_CIPHER_NONE;
    for (size_t i = 0; i < cs->ciphers.count; i++)
        if (cs->ciphers.ids[i] == SMB2_CIPHER_AES128_CCM)
            return SMB2_CIPHER_AES128_CCM;
    return SMB2_CIPHER_NONE;
}

ntstatus_t srv_negotiate_hint(struct buf *out)
{
    return ntlm_server_hint(out);
}

static uint16_t pick_dialect(const struct srv_conn *c, const struct smb2_negotiate_req *req)
{
    const struct cfg_server *cs = &c->cfg->cfg.server;
    for (size_t i = 0; i < sizeof dialects_by_preference / sizeof dialects_by_preference[0]; i++) {
        uint16_t d = dialects_by_preference[i];
        if (d >= cs->min_protocol && d <= cs->max_protocol &&
            smb2_negotiate_req_has_dialect(req, d))
            return d;
    }
    return 0;
}

struct neg311 {
    struct smb2_negctx_set out;
    uint8_t salt[PREAUTH_SALT_LEN];
    uint8_t list[256];
    size_t list_len;
    uint16_t count;
    bool signing_ctx;
    uint16_t signing_alg;
    uint16_t cipher; /* enum smb2_cipher */
};

/* 3.3.5.4: exactly one PREAUTH context with SHA-512; the signing algorithm
 * from sec/policy.h; CipherId 0 for any ENCRYPTION context; NETNAME and
 * unknown contexts ignored. */
static ntstatus_t negotiate_contexts(const struct srv_conn *c, const struct smb2_negotiate_req *req,
                                     struct neg311 *n)
{
    struct smb2_negctx_set in;
    if (!nt_ok(smb2_negctx_set_decode(req->negotiate_context_list, req->negotiate_context_list_len,
                                      req->negotiate_context_count, &in)) ||
        !smb2_negctx_set_has(&in, SMB2_PREAUTH_INTEGRITY_CAPABILITIES))
        return STATUS_INVALID_PARAMETER;
    bool sha512 = false;
    for (uint16_t i = 0; i < in.preauth.hash_algorithm_count; i++)
        sha512 |= in.preauth.hash_algorithms[i] == SMB2_PREAUTH_INTEGRITY_SHA512;
    if (!sha512)
        return STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP;
    if (!nt_ok(crypto_random(n->salt, sizeof n->salt)))
        return STATUS_INTERNAL_ERROR;
    n->out.present = SMB2_NEGCTX_HAS(SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
    n->out.preauth = (struct smb2_preauth_caps){.hash_algorithm_count = 1,
                                                .hash_algorithms = {SMB2_PREAUTH_INTEGRITY_SHA512},
                                                .salt_length = PREAUTH_SALT_LEN,
                                                .salt = n->salt};
    if (smb2_negctx_set_has(&in, SMB2_ENCRYPTION_CAPABILITIES)) {
        n->cipher =
            srv_pick_cipher(&c->cfg->cfg.server, in.encryption.ciphers, in.encryption.cipher_count);
        n->out.present |= SMB2_NEGCTX_HAS(SMB2_ENCRYPTION_CAPABILITIES);
        n->out.encryption = (struct smb2_encryption_caps){1, {n->cipher}};
    }
    n->signing_alg = SMB2_SIGNING_AES_CMAC;
    if (smb2_negctx_set_has(&in, SMB2_SIGNING_CAPABILITIES)) {
        n->signing_ctx = true;
        n->signing_alg = sec_server_pick_signing_alg(&c->cfg->policy, in.signing.signing_algorithms,
                                                     in.signing.signing_algorithm_count);
        n->out.present |= SMB2_NEGCTX_HAS(SMB2_SIGNING_CAPABILITIES);
        n->out.signing = (struct smb2_signing_caps){1, {n->signing_alg}};
    }
    struct wr w;
    wr_init(&w, n->list, sizeof n->list);
    ntstatus_t st = smb2_negctx_set_encode(&w, &n->out, &n->count);
    n->list_len = wr_pos(&w);
    return st;
}

static void commit(struct srv_conn *c, const struct smb2_negotiate_req *req, uint16_t dialect,
                   const struct neg311 *n)
{
    c->dialect = dialect;
    c->client_security_mode = req->security_mode;
    c->client_caps = req->capabilities;
    memcpy(c->client_guid, req->client_guid, sizeof c->client_guid);
    c->n_client_dialects = req->dialect_count;
    memcpy(c->client_dialects, req->dialects, sizeof c->client_dialects);
    c->cipher = dialect == SMB2_DIALECT_0311 ? n->cipher : cipher_30(c, dialect, req->capabilities);
    c->server_caps = srv_server_caps(dialect, &c->cfg->cfg.server) |
                     (dialect != SMB2_DIALECT_0311 && c->cipher ? SMB2_GLOBAL_CAP_ENCRYPTION : 0);
    c->server_security_mode = sec_server_security_mode(&c->cfg->policy);
    c->signing_ctx = n->signing_ctx;
    c->signing_alg = n->signing_ctx ? n->signing_alg : sec_default_signing_alg(dialect);
}

static ntstatus_t write_response(struct srv_req *r, uint16_t dialect, const struct neg311 *n,
                                 uint32_t client_caps)
{
    struct srv_conn *c = r->conn;
    struct buf hint = BUF_INIT;
    ntstatus_t st = srv_negotiate_hint(&hint);
    bool large = dialect >= SMB2_DIALECT_0210;
    struct smb2_negotiate_rsp rsp = {.security_mode = sec_server_security_mode(&c->cfg->policy),
                                     .dialect_revision = dialect,
                                     .negotiate_context_count = n->count,
                                     .capabilities = srv_server_caps(dialect, &c->cfg->cfg.server),
                                     .max_transact_size = large ? SRV_MAX_IO : 65536,
                                     .max_read_size = large ? SRV_MAX_IO : 65536,
                                     .max_write_size = large ? SRV_MAX_IO : 65536,
                                     .system_time = filetime_now(),
                                     .security_buffer = hint.p,
                                     .security_buffer_length = (uint16_t)hint.len,
                                     .negotiate_context_list = n->count ? n->list : NULL,
                                     .negotiate_context_list_len = n->list_len};
    if (cipher_30(c, dialect, client_caps))
        rsp.capabilities |= SMB2_GLOBAL_CAP_ENCRYPTION;
    memcpy(rsp.server_guid, c->srv->server_guid, sizeof rsp.server_guid);
    if (nt_ok(st))
        st = smb2_negotiate_rsp_encode(r->w, &rsp);
    buf_free(&hint);
    return st;
}

ntstatus_t srv_negotiate(struct srv_req *r)
{
    struct srv_conn *c = r->conn;
    if (c->dialect != 0 && c->dialect != SMB2_DIALECT_WILDCARD) {
        r->disconnect = true; /* a second NEGOTIATE (3.3.5.4) */
        return STATUS_INVALID_PARAMETER;
    }
    if (r->hdr.flags & SMB2_FLAGS_SIGNED)
        return STATUS_INVALID_PARAMETER; /* 3.3.5.2.4 */
    struct smb2_negotiate_req req;
    if (!nt_ok(smb2_negotiate_req_decode(r->msg, r->len, &req)) || req.dialect_count == 0)
        return STATUS_INVALID_PARAMETER;
    uint16_t dialect = pick_dialect(c, &req);
    if (dialect == 0)
        return STATUS_NOT_SUPPORTED;
    struct neg311 n;
    memset(&n, 0, sizeof n);
    if (dialect == SMB2_DIALECT_0311) {
        ntstatus_t st = negotiate_contexts(c, &req, &n);
        if (!nt_ok(st))
            return st;
        struct iovec iov = {(void *)r->msg, r->len};
        sec_preauth_init(c->preauth);
        if (!nt_ok(sec_preauth_update(c->preauth, &iov, 1)))
            return STATUS_INTERNAL_ERROR;
        r->hash_into_conn = true;
    }
    ntstatus_t st = write_response(r, dialect, &n, req.capabilities);
    if (!nt_ok(st))
        return st;
    commit(c, &req, dialect, &n);
    sg_log(SG_LOG_INFO, "conn %" PRIu64 " (%s): negotiated SMB %s, signing %s, cipher %s%s", c->id,
           c->peer, smb2_dialect_name(dialect), cfg_signing_alg_name(c->signing_alg),
           cfg_cipher_name(c->cipher),
           (req.security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED) ? ", client requires signing"
                                                                 : "");
    return STATUS_SUCCESS;
}
