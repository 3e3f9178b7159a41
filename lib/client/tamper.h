/* `signet doctor`'s probes of a server's signing enforcement, and what the
 * client learnt at SESSION_SETUP. Internal: reachable from tools/doctor_cmd.c
 * only, never through the public API (include/signet/client.h).
 *
 * A server that requires signing must reject, on a signed session, a request
 * that arrives unsigned and one whose signature does not verify
 * ([MS-SMB2] 3.3.5.2.4: STATUS_ACCESS_DENIED, or a dropped connection). */
#ifndef SIGNET_CLIENT_TAMPER_H
#define SIGNET_CLIENT_TAMPER_H

#include "client/core.h"

/* What the server did with one tampered request. */
struct cli_tamper_outcome {
    bool answered;     /* a response came back */
    ntstatus_t status; /* its status (when answered) */
    bool signed_flag;  /* the response carried SMB2_FLAGS_SIGNED */
    bool dropped;      /* the server closed the connection or did not answer */
    ntstatus_t error;  /* why (when dropped) */
};

/* Send one ECHO on the established session of c, tampered as asked
 * (CLI_TAMPER_NONE: signed and verified as usual, the control), and
 * wait up to timeout_ms for the answer. The connection is unusable after a
 * drop. STATUS_INVALID_DEVICE_STATE when c has no signed session. */
ntstatus_t cli_echo_tampered(struct signet_conn *c, enum cli_tamper how, unsigned timeout_ms,
                             struct cli_tamper_outcome *out);

/* The facts of the last final SESSION_SETUP response, whether the policy
 * accepted the session or not; false when none arrived. */
bool cli_session_facts(const struct signet_conn *c, struct sec_client_session_facts *out);

#endif
