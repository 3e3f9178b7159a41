/* Requests in flight: MessageId and credits (3.2.4.1.3, 3.2.4.1.5), signing
 * (3.2.4.1.1) or sealing (3.2.4.1.8, encrypt.c) of requests, and
 * verification or unsealing of responses (3.2.5.1.3, 3.2.5.1.1.1). */
#include "client/core.h"

#include "sec/preauth.h"
#include "wire/compound.h"
#include "wire/transform.h"

#include <string.h>

#define CREDITS_WANTED 512
#define CREDITS_MAX    65535

ntstatus_t cli_begin(struct signet_conn *c, struct wr *w, size_t cap)
{
    if (!nt_ok(c->dead))
        return c->dead;
    buf_reset(&c->tx);
    ntstatus_t st = buf_reserve(&c->tx, SMB2_HDR_SIZE + cap);
    if (!nt_ok(st))
        return st;
    wr_init(w, c->tx.p, SMB2_HDR_SIZE + cap);
    wr_zero(w, SMB2_HDR_SIZE);
    return STATUS_SUCCESS;
}

/* 3.2.4.1.5: CreditCharge = (max(send, expected response) - 1) / 64 KiB + 1
 * with multi-credit support; 0 on 2.0.2 (the field is reserved there). */
uint16_t cli_credit_charge(const struct signet_conn *c, size_t payload)
{
    if (!c->large_mtu)
        return 0;
    if (payload == 0)
        return 1;
    return (uint16_t)((payload - 1) / 65536 + 1);
}

bool cli_can_send(const struct signet_conn *c, size_t payload)
{
    uint16_t charge = cli_credit_charge(c, payload);
    return c->credits >= (charge ? charge : 1u) && cli_inflight(c) < CLI_MAX_INFLIGHT;
}

unsigned cli_inflight(const struct signet_conn *c)
{
    unsigned n = 0;
    for (size_t i = 0; i < CLI_MAX_INFLIGHT; i++)
        n += c->slots[i].in_use && !c->slots[i].done;
    return n;
}

static int free_slot(struct signet_conn *c)
{
    for (int i = 0; i < CLI_MAX_INFLIGHT; i++)
        if (!c->slots[i].in_use)
            return i;
    return -1;
}

static void fill_header(struct signet_conn *c, uint16_t command, const struct cli_send_opts *o,
                        size_t payload, struct smb2_hdr *h)
{
    uint16_t charge = cli_credit_charge(c, payload);
    uint16_t spend = charge ? charge : 1;
    memset(h, 0, sizeof *h);
    h->credit_charge = charge;
    h->command = command;
    h->credit_request = (uint16_t)(spend + (c->credits < CREDITS_WANTED ? 64 : 0));
    h->message_id = c->next_mid;
    h->tree_id = o->tree_id;
    h->session_id = o->with_session ? c->sess.id : 0;
    c->next_mid += spend;
    c->credits = c->credits > spend ? c->credits - spend : 0;
}

/* Sign this request? Only policy.h decides (3.2.4.1.1, 3.2.4.2.4, 3.2.5.5). */
static bool must_sign(const struct signet_conn *c, uint16_t command, const struct smb2_hdr *h,
                      bool validate_negotiate)
{
    if (h->session_id == 0 || command == SMB2_SESSION_SETUP)
        return false; /* no key yet; binding is not supported */
    return sec_client_should_sign(c->sess.signing_required, sec_sign_key_is_set(&c->sess.key),
                                  c->dialect, command, validate_negotiate);
}

ntstatus_t cli_send(struct signet_conn *c, uint16_t command, const struct wr *w,
                    const struct cli_send_opts *o, int *slot)
{
    if (!nt_ok(c->dead))
        return c->dead;
    if (!wr_ok(w))
        return wr_status(w);
    int s = free_slot(c);
    if (s < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    size_t len = wr_pos(w), payload = len - SMB2_HDR_SIZE + o->data_len;
    if (o->expect_rsp_len > payload)
        payload = o->expect_rsp_len;
    struct smb2_hdr h;
    fill_header(c, command, o, payload, &h);
    struct wr hw;
    wr_init(&hw, c->tx.p, SMB2_HDR_SIZE);
    ntstatus_t st = smb2_hdr_encode(&hw, &h);
    if (!nt_ok(st))
        return st;
    bool seal = o->tamper == CLI_TAMPER_NONE && cli_must_seal(c, command, h.session_id, h.tree_id);
    if (seal && o->data_len && !o->data_scratch) { /* the caller's bytes stay untouched */
        st = buf_reserve(&c->tx, len + o->data_len);
        if (!nt_ok(st))
            return st;
        memcpy(c->tx.p + len, o->data, o->data_len);
    }
    bool inline_data = seal && o->data_len && !o->data_scratch;
    size_t msg_len = inline_data ? len + o->data_len : len;
    /* frame header, TRANSFORM_HEADER (sealed only), message, WRITE data */
    uint8_t frame[4], thdr[SMB2_TRANSFORM_HDR_SIZE];
    struct iovec iov[4] = {{frame, 4},
                           {thdr, seal ? sizeof thdr : 0},
                           {c->tx.p, msg_len},
                           {(void *)o->data, inline_data ? 0 : o->data_len}};
    size_t n = iov[3].iov_len ? 4 : 3;
    /* 3.1.4.1: an encrypted message is not signed; the AEAD tag covers it. */
    bool sign = !seal && o->tamper != CLI_TAMPER_UNSIGNED &&
                must_sign(c, command, &h, o->validate_negotiate);
    if (sign)
        st = sec_sign(&c->sess.key, iov + 2, n - 2);
    if (sign && o->tamper == CLI_TAMPER_BAD_SIGNATURE)
        c->tx.p[SMB2_SIG_OFFSET] ^= 0x5a; /* one flipped byte of the MAC */
    if (nt_ok(st) && o->preauth_hash)
        st = sec_preauth_update(o->preauth_hash, iov + 2, n - 2);
    if (!nt_ok(st))
        return cli_kill(c, st, "cannot sign the request: %s", nt_name(st));
    if (seal) {
        st = cli_seal(c, thdr, iov + 2, n - 2);
        if (!nt_ok(st))
            return st;
    }
    smb2_frame_encode(frame, (uint32_t)(iov[1].iov_len + len + o->data_len));
    st = cli_tcp_send(c->fd, iov, n);
    if (!nt_ok(st))
        return cli_kill(c, st, "the connection to %s was lost while sending", c->host);
    struct cli_slot *sl = &c->slots[s];
    sl->in_use = true;
    sl->done = false;
    sl->message_id = h.message_id;
    sl->command = command;
    sl->session_id = h.session_id;
    sl->no_verify = o->tamper != CLI_TAMPER_NONE;
    sl->sealed_req = seal;
    sl->sealed = false;
    *slot = s;
    return STATUS_SUCCESS;
}

static struct cli_slot *find_slot(struct signet_conn *c, uint64_t mid)
{
    for (size_t i = 0; i < CLI_MAX_INFLIGHT; i++)
        if (c->slots[i].in_use && !c->slots[i].done && c->slots[i].message_id == mid)
            return &c->slots[i];
    return NULL;
}

static const char *cmd_name(uint16_t cmd)
{
    static const char *const names[] = {
        "NEGOTIATE",     "SESSION_SETUP", "LOGOFF",   "TREE_CONNECT", "TREE_DISCONNECT",
        "CREATE",        "CLOSE",         "FLUSH",    "READ",         "WRITE",
        "LOCK",          "IOCTL",         "CANCEL",   "ECHO",         "QUERY_DIRECTORY",
        "CHANGE_NOTIFY", "QUERY_INFO",    "SET_INFO", "OPLOCK_BREAK"};
    return cmd < SMB2_COMMAND_COUNT ? names[cmd] : "?";
}

/* 3.2.5.1.3: whether the response must be verified is the session policy's
 * decision (sec_client_check_response), never the SIGNED flag alone. */
static ntstatus_t verify_response(struct signet_conn *c, const struct cli_slot *sl,
                                  const struct smb2_chain_elem *e, bool sealed)
{
    if (sl->command == SMB2_SESSION_SETUP || sl->command == SMB2_NEGOTIATE)
        return STATUS_SUCCESS; /* session.c verifies with the key it derives */
    if (sl->no_verify)
        return STATUS_SUCCESS; /* tamper.c reads the answer to a tampered request */
    if (sealed)                /* the AEAD tag verified: it counts as signed (3.1.4.1) */
        return STATUS_SUCCESS;
    if (sl->sealed_req)
        return cli_kill(c, STATUS_ACCESS_DENIED,
                        "the %s response (message %llu, session 0x%llx) arrived unencrypted on "
                        "an encrypted session; connection dropped",
                        cmd_name(sl->command), (unsigned long long)e->hdr.message_id,
                        (unsigned long long)sl->session_id);
    bool exempt = sec_message_exempt(e->hdr.message_id, sl->session_id, e->hdr.status, true);
    bool have_key = sec_sign_key_is_set(&c->sess.key) && sl->session_id == c->sess.id;
    bool verify = false, signed_flag = e->hdr.flags & SMB2_FLAGS_SIGNED;
    ntstatus_t st =
        sec_client_check_response(c->sess.signing_required, have_key, signed_flag, exempt, &verify);
    if (!nt_ok(st))
        return cli_kill(c, STATUS_INVALID_SIGNATURE,
                        "the %s response (message %llu, session 0x%llx) arrived unsigned on a "
                        "session that must sign; connection dropped",
                        cmd_name(sl->command), (unsigned long long)e->hdr.message_id,
                        (unsigned long long)sl->session_id);
    if (!verify)
        return STATUS_SUCCESS;
    struct iovec iov = {(void *)e->msg, e->len};
    st = sec_verify(&c->sess.key, &iov, 1);
    if (!nt_ok(st))
        return cli_kill(c, STATUS_INVALID_SIGNATURE,
                        "the signature of the %s response (message %llu, session 0x%llx, %s) "
                        "does not verify; connection dropped",
                        cmd_name(sl->command), (unsigned long long)e->hdr.message_id,
                        (unsigned long long)sl->session_id, signet_sign_alg_name(c->sess.key.alg));
    return STATUS_SUCCESS;
}

static ntstatus_t store_response(struct signet_conn *c, struct cli_slot *sl,
                                 const struct smb2_chain_elem *e, bool whole_frame)
{
    sl->hdr = e->hdr;
    if (whole_frame) {                           /* the usual case: hand the frame over, no copy */
        size_t off = (size_t)(e->msg - c->rx.p); /* 52 after a TRANSFORM_HEADER */
        struct buf tmp = sl->frame;
        sl->frame = c->rx;
        c->rx = tmp;
        sl->msg = sl->frame.p + off;
    } else {
        buf_reset(&sl->frame);
        ntstatus_t st = buf_append(&sl->frame, e->msg, e->len);
        if (!nt_ok(st))
            return st;
        sl->msg = sl->frame.p;
    }
    sl->msg_len = e->len;
    sl->done = true;
    return STATUS_SUCCESS;
}

static ntstatus_t handle_elem(struct signet_conn *c, const struct smb2_chain_elem *e,
                              bool whole_frame, bool sealed)
{
    if (!smb2_hdr_is_response(&e->hdr))
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "the server sent a request");
    if (e->hdr.message_id == UINT64_MAX && e->hdr.command == SMB2_OPLOCK_BREAK)
        return STATUS_SUCCESS; /* we hold no oplocks or leases; 3.2.5.19 */
    struct cli_slot *sl = find_slot(c, e->hdr.message_id);
    if (!sl || sl->command != e->hdr.command)
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE,
                        "the server answered message %llu, which is not outstanding",
                        (unsigned long long)e->hdr.message_id);
    c->credits += e->hdr.credit_request; /* CreditResponse, 3.2.5.1.4 */
    if (c->credits > CREDITS_MAX)
        c->credits = CREDITS_MAX; /* a hostile grant must not wrap the count */
    if ((e->hdr.flags & SMB2_FLAGS_ASYNC_COMMAND) && e->hdr.status == STATUS_PENDING_CODE)
        return STATUS_SUCCESS; /* interim: unsigned by design, keep waiting */
    ntstatus_t st = verify_response(c, sl, e, sealed);
    if (!nt_ok(st))
        return st;
    sl->sealed = sealed;
    return store_response(c, sl, e, whole_frame);
}

static ntstatus_t receive_frame(struct signet_conn *c)
{
    ntstatus_t st = cli_tcp_recv(c->fd, &c->rx);
    if (!nt_ok(st))
        return cli_kill(c, st,
                        nt_eq(st, STATUS_IO_TIMEOUT)
                            ? "%s did not answer in time; connection dropped (%s)"
                            : "the connection to %s was closed by the server (%s)",
                        c->host, nt_name(st));
    size_t off = 0;
    bool sealed = c->rx.len >= 4 && memcmp(c->rx.p, "\xfdSMB", 4) == 0;
    if (sealed) { /* decrypted in place, behind its TRANSFORM_HEADER */
        st = cli_unseal_frame(c, &off);
        if (!nt_ok(st))
            return st;
    }
    struct smb2_chain ch;
    struct smb2_chain_elem e;
    smb2_chain_init(&ch, c->rx.p + off, c->rx.len - off);
    bool first = true;
    while (smb2_chain_next(&ch, &e)) {
        bool whole = first && e.len == c->rx.len - off && e.offset == 0;
        first = false;
        st = handle_elem(c, &e, whole, sealed);
        if (!nt_ok(st) || whole)
            return st;
    }
    if (!nt_ok(smb2_chain_status(&ch)) || first)
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE,
                        "the server sent a malformed SMB2 message");
    return STATUS_SUCCESS;
}

ntstatus_t cli_wait(struct signet_conn *c, int slot, struct cli_slot **rsp)
{
    struct cli_slot *sl = &c->slots[slot];
    while (!sl->done) {
        if (!nt_ok(c->dead))
            return c->dead;
        ntstatus_t st = receive_frame(c);
        if (!nt_ok(st))
            return st;
    }
    *rsp = sl;
    return STATUS_SUCCESS;
}

void cli_release(struct signet_conn *c, int slot)
{
    if (slot < 0 || slot >= CLI_MAX_INFLIGHT)
        return;
    c->slots[slot].in_use = false;
    c->slots[slot].done = false;
    c->slots[slot].msg = NULL;
}

ntstatus_t cli_call(struct signet_conn *c, uint16_t command, const struct wr *w,
                    const struct cli_send_opts *o, struct cli_slot **rsp, int *slot)
{
    *slot = -1;
    ntstatus_t st = cli_send(c, command, w, o, slot);
    if (nt_ok(st))
        st = cli_wait(c, *slot, rsp);
    if (!nt_ok(st)) {
        if (*slot >= 0)
            cli_release(c, *slot);
        *slot = -1;
        return st;
    }
    ntstatus_t status = NT_STATUS((*rsp)->hdr.status);
    if (nt_is_error(status) &&
        !(command == SMB2_SESSION_SETUP && nt_eq(status, STATUS_MORE_PROCESSING_REQUIRED))) {
        cli_release(c, *slot);
        *slot = -1;
        return status;
    }
    return STATUS_SUCCESS;
}
