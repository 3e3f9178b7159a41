/* Classification of the responses a probe receives. SMB2 responses go
 * through lib/wire only ([MS-SMB2] 2.2.1.2, 2.2.4, 2.2.4.1, 2.2.6). lib/wire
 * has no SMB1 response codec, so the few fixed fields of the SMB1 NEGOTIATE
 * response ([MS-CIFS] 2.2.3.1, 2.2.4.52.2) are read here with the bounded
 * cursor. */
#include "probe/probe_msg.h"

#include "base/cursor.h"
#include "wire/hdr.h"
#include "wire/negotiate.h"
#include "wire/negotiate_ctx.h"
#include "wire/session_setup.h"

#include <string.h>

#define SMB1_COM_NEGOTIATE 0x72
#define SMB1_HDR_SIZE      32

/* The SMB2 header of a response to command/message_id; STATUS_SUCCESS or
 * STATUS_INVALID_NETWORK_RESPONSE. */
static ntstatus_t response_header(const uint8_t *msg, size_t len, uint16_t command,
                                  uint64_t message_id, struct smb2_hdr *h)
{
    if (!nt_ok(smb2_hdr_decode(msg, len, h)) || !smb2_hdr_is_response(h) || h->command != command ||
        h->message_id != message_id)
        return STATUS_INVALID_NETWORK_RESPONSE;
    return STATUS_SUCCESS;
}

bool probe_is_interim(const uint8_t *msg, size_t len)
{
    struct smb2_hdr h;
    return nt_ok(smb2_hdr_decode(msg, len, &h)) && smb2_hdr_is_response(&h) &&
           (h.flags & SMB2_FLAGS_ASYNC_COMMAND) && h.status == STATUS_PENDING.code;
}

static bool offered_dialect(const struct probe_neg_offer *o, uint16_t d)
{
    for (uint16_t i = 0; i < o->n_dialects; i++)
        if (o->dialects[i] == d)
            return true;
    return false;
}

static void copy_dialect_info(const struct smb2_negotiate_rsp *r, struct probe_dialect *d)
{
    d->security_mode = r->security_mode;
    d->capabilities = r->capabilities;
    memcpy(d->server_guid, r->server_guid, sizeof d->server_guid);
    d->system_time = r->system_time;
    d->server_start_time = r->server_start_time;
    d->max_transact_size = r->max_transact_size;
    d->max_read_size = r->max_read_size;
    d->max_write_size = r->max_write_size;
}

/* 2.2.4.1: the signing algorithm and cipher the server picked. A context
 * that does not hold exactly one entry is a malformed answer. */
static ntstatus_t read_contexts(const struct smb2_negotiate_rsp *r, struct probe_neg_answer *a)
{
    struct smb2_negctx_set set;
    if (!nt_ok(smb2_negctx_set_decode(r->negotiate_context_list, r->negotiate_context_list_len,
                                      r->negotiate_context_count, &set)))
        return STATUS_INVALID_NETWORK_RESPONSE;
    if (smb2_negctx_set_has(&set, SMB2_SIGNING_CAPABILITIES)) {
        if (set.signing.signing_algorithm_count != 1)
            return STATUS_INVALID_NETWORK_RESPONSE;
        a->sign_present = true;
        a->sign_picked = set.signing.signing_algorithms[0];
    }
    if (smb2_negctx_set_has(&set, SMB2_ENCRYPTION_CAPABILITIES)) {
        if (set.encryption.cipher_count != 1)
            return STATUS_INVALID_NETWORK_RESPONSE;
        a->cipher_present = true;
        a->cipher_picked = set.encryption.ciphers[0];
    }
    return STATUS_SUCCESS;
}

ntstatus_t probe_classify_negotiate(const uint8_t *msg, size_t len, const struct probe_neg_offer *o,
                                    struct probe_neg_answer *a)
{
    memset(a, 0, sizeof *a);
    a->info.tried = true;
    a->ctx_status = STATUS_SUCCESS;
    struct smb2_hdr h;
    a->status = response_header(msg, len, SMB2_NEGOTIATE, o->message_id, &h);
    if (!nt_ok(a->status)) {
        a->info.status = a->status;
        return a->status;
    }
    a->status = NT_STATUS(h.status);
    a->info.status = a->status;
    if (!nt_ok(a->status))
        return STATUS_SUCCESS; /* a refusal, e.g. STATUS_NOT_SUPPORTED */
    struct smb2_negotiate_rsp r;
    ntstatus_t st = smb2_negotiate_rsp_decode(msg, len, &r);
    if (!nt_ok(st) || !offered_dialect(o, r.dialect_revision)) {
        /* Malformed, or a dialect we did not offer (3.2.5.2: the client
         * must then fail the connection). */
        a->status = a->info.status = STATUS_INVALID_NETWORK_RESPONSE;
        return STATUS_SUCCESS;
    }
    if (r.dialect_revision == SMB2_DIALECT_0311) {
        a->ctx_status = read_contexts(&r, a);
        if (!nt_ok(a->ctx_status))
            a->sign_present = a->cipher_present = false;
    }
    a->dialect = r.dialect_revision;
    a->info.accepted = true;
    copy_dialect_info(&r, &a->info);
    a->security_buffer = r.security_buffer;
    a->security_buffer_len = r.security_buffer_length;
    return STATUS_SUCCESS;
}

/* SMB1 NEGOTIATE response ([MS-CIFS] 2.2.4.52.2): Protocol, Command,
 * Status, ..., WordCount at 32, DialectIndex the first word. */
static void read_smb1(struct rd *r, struct probe_smb1 *s)
{
    uint8_t command = rd_u8(r);
    uint32_t status = rd_u32(r);
    rd_seek(r, SMB1_HDR_SIZE);
    uint8_t word_count = rd_u8(r);
    uint16_t dialect_index = word_count >= 1 ? rd_u16(r) : 0xFFFF;
    if (!rd_ok(r) || command != SMB1_COM_NEGOTIATE) {
        s->status = STATUS_INVALID_NETWORK_RESPONSE;
        return;
    }
    s->status = NT_STATUS(status);
    /* We offered one dialect: index 0 selects it, 0xFFFF refuses them all. */
    s->accepted = status == 0 && dialect_index == 0;
    if (nt_ok(s->status) && !s->accepted)
        s->status = STATUS_NOT_SUPPORTED;
}

void probe_classify_smb1(const uint8_t *msg, size_t len, struct probe_smb1 *s)
{
    memset(s, 0, sizeof *s);
    s->tried = true;
    struct rd r;
    rd_init(&r, msg, len);
    uint32_t protocol = rd_u32(&r);
    if (rd_ok(&r) && protocol == SMB2_PROTOCOL_ID) {
        /* An SMB2-only server may answer an SMB1 request with SMB2. */
        s->answered_smb2 = true;
        s->status = STATUS_NOT_SUPPORTED;
        return;
    }
    if (!rd_ok(&r) || protocol != SMB1_PROTOCOL_ID) {
        s->status = STATUS_INVALID_NETWORK_RESPONSE;
        return;
    }
    read_smb1(&r, s);
}

ntstatus_t probe_classify_session_setup(const uint8_t *msg, size_t len, uint64_t message_id,
                                        struct probe_sess_answer *a)
{
    memset(a, 0, sizeof *a);
    struct smb2_hdr h;
    a->status = response_header(msg, len, SMB2_SESSION_SETUP, message_id, &h);
    if (!nt_ok(a->status))
        return a->status;
    a->status = NT_STATUS(h.status);
    a->session_id = h.session_id;
    /* 3.3.4.4: an error response carries the ERROR body, not 2.2.6. */
    if (!nt_ok(a->status) && !nt_eq(a->status, STATUS_MORE_PROCESSING_REQUIRED))
        return STATUS_SUCCESS;
    struct smb2_session_setup_rsp r;
    if (!nt_ok(smb2_session_setup_rsp_decode(msg, len, &r))) {
        a->status = STATUS_INVALID_NETWORK_RESPONSE;
        return a->status;
    }
    a->session_flags = r.session_flags;
    a->token = r.security_buffer;
    a->token_len = r.security_buffer_length;
    return STATUS_SUCCESS;
}
