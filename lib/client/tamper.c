/* `signet doctor`'s enforcement check: tampered requests (tamper.h). */
#include "client/tamper.h"

#include "wire/echo.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

static void set_recv_timeout(int fd, unsigned timeout_ms)
{
    struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

static ntstatus_t send_echo(struct signet_conn *c, enum cli_tamper how, int *slot)
{
    struct wr w;
    struct smb2_echo_req req = {0};
    struct cli_send_opts o = {.with_session = true, .tamper = how};
    ntstatus_t st = cli_begin(c, &w, 8);
    if (nt_ok(st))
        st = smb2_echo_req_encode(&w, &req);
    if (nt_ok(st))
        st = cli_send(c, SMB2_ECHO, &w, &o, slot);
    return st;
}

ntstatus_t cli_echo_tampered(struct signet_conn *c, enum cli_tamper how, unsigned timeout_ms,
                             struct cli_tamper_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (!c->sess.established || !sec_sign_key_is_set(&c->sess.key) || c->fd < 0)
        return STATUS_INVALID_DEVICE_STATE;
    set_recv_timeout(c->fd, timeout_ms);
    int slot = -1;
    ntstatus_t st = send_echo(c, how, &slot);
    struct cli_slot *sl = NULL;
    if (nt_ok(st))
        st = cli_wait(c, slot, &sl);
    if (nt_ok(st)) {
        out->answered = true;
        out->status = NT_STATUS(sl->hdr.status);
        out->signed_flag = sl->hdr.flags & SMB2_FLAGS_SIGNED;
    } else if (!nt_ok(c->dead)) {
        out->dropped = true; /* closed, reset or silent: the request was not served */
        out->error = st;
        st = STATUS_SUCCESS;
    }
    cli_release(c, slot);
    return st;
}

bool cli_session_facts(const struct signet_conn *c, struct sec_client_session_facts *out)
{
    if (!c->have_setup_facts)
        return false;
    *out = c->setup_facts;
    return true;
}
