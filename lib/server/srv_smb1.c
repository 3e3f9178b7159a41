/* The SMB1 multi-protocol NEGOTIATE, answered in SMB2. [MS-SMB2] 3.3.5.3.1:
 * "SMB 2.???" gets DialectRevision 0x02FF (the client then sends an SMB2
 * NEGOTIATE with MessageId 1); only "SMB 2.002" gets 2.0.2 directly; no SMB2
 * dialect at all is a disconnect (we do not speak SMB1). */
#include "server/srv_int.h"

#include "base/filetime.h"

#include <inttypes.h>
#include <string.h>

static uint16_t smb1_choice(const struct srv_conn *c, uint16_t offered)
{
    const struct cfg_server *cs = &c->cfg->cfg.server;
    if (offered == SMB2_DIALECT_WILDCARD && cs->max_protocol >= SMB2_DIALECT_0210)
        return SMB2_DIALECT_WILDCARD;
    if (cs->min_protocol <= SMB2_DIALECT_0202)
        return SMB2_DIALECT_0202;
    return 0;
}

static ntstatus_t build(struct srv_conn *c, uint16_t dialect, uint16_t granted, struct buf *out)
{
    struct buf hint = BUF_INIT;
    ntstatus_t st = srv_negotiate_hint(&hint);
    if (nt_ok(st))
        st = buf_reserve(out, 4 + SMB2_HDR_SIZE + 128 + hint.len);
    if (!nt_ok(st)) {
        buf_free(&hint);
        return st;
    }
    struct wr w;
    wr_init(&w, out->p + 4, out->cap - 4);
    struct smb2_hdr h = {
        .command = SMB2_NEGOTIATE, .credit_request = granted, .flags = SMB2_FLAGS_SERVER_TO_REDIR};
    (void)smb2_hdr_encode(&w, &h);
    bool large = dialect != SMB2_DIALECT_0202;
    struct smb2_negotiate_rsp rsp = {
        .security_mode = sec_server_security_mode(&c->cfg->policy),
        .dialect_revision = dialect,
        .capabilities =
            srv_server_caps(large ? SMB2_DIALECT_0210 : SMB2_DIALECT_0202, &c->cfg->cfg.server),
        .max_transact_size = large ? SRV_MAX_IO : 65536,
        .max_read_size = large ? SRV_MAX_IO : 65536,
        .max_write_size = large ? SRV_MAX_IO : 65536,
        .system_time = filetime_now(),
        .security_buffer = hint.p,
        .security_buffer_length = (uint16_t)hint.len};
    memcpy(rsp.server_guid, c->srv->server_guid, sizeof rsp.server_guid);
    st = smb2_negotiate_rsp_encode(&w, &rsp);
    buf_free(&hint);
    if (!nt_ok(st))
        return st;
    wr_align(&w, 8);
    out->len = 4 + wr_pos(&w);
    smb2_frame_encode(out->p, (uint32_t)(out->len - 4));
    return wr_status(&w);
}

bool srv_smb1_negotiate(struct srv_conn *c, const uint8_t *frame, size_t len)
{
    uint16_t offered = smb1_negotiate_smb2_dialect(frame, len);
    uint16_t dialect = offered ? smb1_choice(c, offered) : 0;
    if (dialect == 0) {
        sg_log(SG_LOG_INFO, "conn %" PRIu64 " (%s): SMB1 NEGOTIATE %s: SMB1 is not served", c->id,
               c->peer,
               offered ? "offers only SMB 2.002, below `server min protocol`"
                       : "offers no SMB2 dialect");
        return false;
    }
    /* The SMB1 request used MessageId 0 (3.3.5.3.1). */
    if (!srv_credits_consume(&c->credits, 0, 1))
        return false;
    uint16_t granted = srv_credits_grant(&c->credits, 1);
    struct buf out = BUF_INIT;
    ntstatus_t st = build(c, dialect, granted, &out);
    if (nt_ok(st)) {
        c->dialect = dialect;
        if (dialect == SMB2_DIALECT_0202) {
            c->n_client_dialects = 1;
            c->client_dialects[0] = SMB2_DIALECT_0202;
            c->server_caps = srv_server_caps(dialect, &c->cfg->cfg.server);
            c->server_security_mode = sec_server_security_mode(&c->cfg->policy);
            c->signing_alg = SMB2_SIGNING_HMAC_SHA256;
        }
        sg_log(SG_LOG_INFO, "conn %" PRIu64 " (%s): SMB1 NEGOTIATE answered with SMB2 %s", c->id,
               c->peer, smb2_dialect_name(dialect));
        st = srv_conn_send(c, &out);
    }
    buf_free(&out);
    return nt_ok(st);
}
