/* Signing policy: every decision about whether to sign, verify, or refuse,
 * for both roles, as pure functions of the local policy, what the peer said
 * at NEGOTIATE, the dialect and the session flags. design.md "Policy";
 * [MS-SMB2] 3.2.4.1.1, 3.2.5.3.1, 3.3.4.1.1, 3.3.5.2.4, 3.3.5.5.3.
 *
 * The client and server call these and nothing else to decide, so the whole
 * policy is one truth table (tests/unit/sec/test_policy.c). */
#ifndef SIGNET_SEC_POLICY_H
#define SIGNET_SEC_POLICY_H

#include "wire/smb2.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* `client signing = disabled | desired | required` (Windows:
 * RequireSecuritySignature False/False/True; "disabled" still signs when the
 * server requires it, as every SMB2 implementation can sign). */
enum sec_client_signing {
    SEC_CLIENT_SIGNING_DISABLED,
    SEC_CLIENT_SIGNING_DESIRED,
    SEC_CLIENT_SIGNING_REQUIRED
};
/* `server signing = disabled | auto | mandatory`; for SMB2+ "disabled" behaves
 * as "auto", as on Windows. */
enum sec_server_signing {
    SEC_SERVER_SIGNING_DISABLED,
    SEC_SERVER_SIGNING_AUTO,
    SEC_SERVER_SIGNING_MANDATORY
};

#define SEC_MAX_SIGNING_ALGS 3

struct sec_signing_algs {
    uint16_t ids[SEC_MAX_SIGNING_ALGS]; /* enum smb2_signing_alg, preferred first */
    size_t count;
};

struct sec_client_policy {
    enum sec_client_signing signing;
    bool allow_insecure_guest; /* EnableInsecureGuestLogons */
    struct sec_signing_algs algs;
};

struct sec_server_policy {
    enum sec_server_signing signing;
    bool allow_guest; /* map to guest != never, with a guest ok share */
    struct sec_signing_algs algs;
};

/* Windows 11 24H2 defaults: signing required, no insecure guest,
 * AES-128-GMAC, AES-128-CMAC, HMAC-SHA256. */
struct sec_client_policy sec_client_policy_default(void);
struct sec_server_policy sec_server_policy_default(void);

/* RequireSecuritySignature of each role. */
bool sec_client_requires_signing(const struct sec_client_policy *p);
bool sec_server_requires_signing(const struct sec_server_policy *p);

/* SecurityMode for NEGOTIATE (2.2.3 / 2.2.4): ENABLED always, REQUIRED when the
 * role requires signing. The server always sets ENABLED (3.3.5.4). */
uint16_t sec_client_security_mode(const struct sec_client_policy *p);
uint16_t sec_server_security_mode(const struct sec_server_policy *p);

/* 3.1.1 SIGNING_CAPABILITIES, server side (3.3.5.4): the first algorithm of
 * the client's list that the server supports; AES-CMAC when none is common.
 * A request without the context also means AES-CMAC for 3.1.1. */
uint16_t sec_server_pick_signing_alg(const struct sec_server_policy *p, const uint16_t *offered,
                                     size_t n_offered);
/* Client side (3.2.5.2): the server must answer with exactly one algorithm
 * that the client offered; else STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP. */
ntstatus_t sec_client_check_signing_alg(const struct sec_client_policy *p, const uint16_t *chosen,
                                        size_t n_chosen);
/* The algorithm a dialect signs with when 3.1.1 negotiated none (3.1.4.1). */
uint16_t sec_default_signing_alg(uint16_t dialect);

/* What the client learnt about a session when SESSION_SETUP completed. */
struct sec_client_session_facts {
    uint16_t dialect;
    bool server_requires_signing; /* REQUIRED bit in the NEGOTIATE response */
    uint16_t session_flags;       /* SessionFlags of the final response */
    bool authenticated_as_user;   /* we sent real credentials (not anonymous) */
    bool response_signed;         /* SMB2_FLAGS_SIGNED on the final response */
};

/* The client's verdict on a successful final SESSION_SETUP response
 * (3.2.5.3.1, design.md "Errors"):
 * - IS_GUEST while insecure guest logons are off: STATUS_SMB_GUEST_LOGON_BLOCKED;
 * - IS_GUEST while they are on but this client requires signing:
 *   STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP (0xC05D0003, what Windows shows);
 * - IS_NULL although we authenticated as a user, or IS_GUEST claimed while
 *   signing is required by either side: refused (a downgrade, CVE-2016-2119);
 * - an unsigned response on 3.1.1 or when signing is required, for a user
 *   session: STATUS_INVALID_SIGNATURE.
 * STATUS_SUCCESS otherwise. *signing_required receives Session.SigningRequired. */
ntstatus_t sec_client_accept_session(const struct sec_client_policy *p,
                                     const struct sec_client_session_facts *f,
                                     bool *signing_required);

/* Messages that are never signed nor verified on receipt (3.2.5.1.3, 3.3.4.2,
 * 3.3.4.6): STATUS_PENDING interim responses, oplock break notifications
 * (MessageId all ones), and anything with SessionId 0. */
bool sec_message_exempt(uint64_t message_id, uint64_t session_id, uint32_t status, bool response);

/* Client: must this response be verified, and may it arrive unsigned?
 * Returns STATUS_SUCCESS when the message may be accepted unverified (*verify
 * false), STATUS_SUCCESS with *verify true when its signature must be checked,
 * and STATUS_INVALID_SIGNATURE when it is unsigned on a session that must sign. */
ntstatus_t sec_client_check_response(bool session_signing_required, bool have_key, bool signed_flag,
                                     bool exempt, bool *verify);

/* Client: sign this request? When the session requires signing; and, whatever
 * the policy, a 3.1.1 TREE_CONNECT of a user session (3.2.4.2.4) and
 * FSCTL_VALIDATE_NEGOTIATE_INFO (3.2.5.5). Never without a key. */
bool sec_client_should_sign(bool session_signing_required, bool have_key, uint16_t dialect,
                            uint16_t command, bool validate_negotiate);

/* Server: the session's SigningRequired (3.3.5.5.3). */
bool sec_server_session_signing_required(const struct sec_server_policy *p,
                                         bool client_required_at_negotiate,
                                         uint8_t setup_security_mode, bool guest_or_anonymous);
/* Server: may a guest or anonymous session be granted? Not when signing is
 * mandatory (Windows: requiring signing disables guest access). */
bool sec_server_allows_guest(const struct sec_server_policy *p);
/* Server: check of a request on an established session (3.3.5.2.4). Whether
 * it must verify is decided by the session, never by the SIGNED flag alone: a
 * signing-required session rejects an unsigned request with
 * STATUS_ACCESS_DENIED. *verify tells whether to check the signature. */
ntstatus_t sec_server_check_request(bool session_signing_required, bool signed_flag, bool exempt,
                                    bool *verify);
/* Server: sign this response? (3.3.4.1.1) When the request was signed or the
 * session requires signing, unless the response is exempt. */
bool sec_server_should_sign(bool session_signing_required, bool request_signed, bool exempt);

#endif
