#include "sec/policy.h"

static const struct sec_signing_algs default_algs = {
    {SMB2_SIGNING_AES_GMAC, SMB2_SIGNING_AES_CMAC, SMB2_SIGNING_HMAC_SHA256}, 3};

struct sec_client_policy sec_client_policy_default(void)
{
    struct sec_client_policy p = {SEC_CLIENT_SIGNING_REQUIRED, false, default_algs};
    return p;
}

struct sec_server_policy sec_server_policy_default(void)
{
    struct sec_server_policy p = {SEC_SERVER_SIGNING_MANDATORY, false, default_algs};
    return p;
}

bool sec_client_requires_signing(const struct sec_client_policy *p)
{
    return p->signing == SEC_CLIENT_SIGNING_REQUIRED;
}

bool sec_server_requires_signing(const struct sec_server_policy *p)
{
    return p->signing == SEC_SERVER_SIGNING_MANDATORY;
}

uint16_t sec_client_security_mode(const struct sec_client_policy *p)
{
    /* 3.2.4.2.2.2: REQUIRED if RequireMessageSigning, else ENABLED. */
    return sec_client_requires_signing(p) ? SMB2_NEGOTIATE_SIGNING_REQUIRED
                                          : SMB2_NEGOTIATE_SIGNING_ENABLED;
}

uint16_t sec_server_security_mode(const struct sec_server_policy *p)
{
    uint16_t mode = SMB2_NEGOTIATE_SIGNING_ENABLED;
    if (sec_server_requires_signing(p))
        mode |= SMB2_NEGOTIATE_SIGNING_REQUIRED;
    return mode;
}

static bool algs_contain(const struct sec_signing_algs *a, uint16_t id)
{
    for (size_t i = 0; i < a->count && i < SEC_MAX_SIGNING_ALGS; i++)
        if (a->ids[i] == id)
            return true;
    return false;
}

uint16_t sec_server_pick_signing_alg(const struct sec_server_policy *p, const uint16_t *offered,
                                     size_t n_offered)
{
    for (size_t i = 0; i < n_offered; i++)
        if (algs_contain(&p->algs, offered[i]))
            return offered[i];
    return SMB2_SIGNING_AES_CMAC;
}

ntstatus_t sec_client_check_signing_alg(const struct sec_client_policy *p, const uint16_t *chosen,
                                        size_t n_chosen)
{
    if (n_chosen != 1 || !algs_contain(&p->algs, chosen[0]))
        return STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP;
    return STATUS_SUCCESS;
}

uint16_t sec_default_signing_alg(uint16_t dialect)
{
    return dialect >= SMB2_DIALECT_0300 ? SMB2_SIGNING_AES_CMAC : SMB2_SIGNING_HMAC_SHA256;
}

static ntstatus_t client_guest_verdict(const struct sec_client_policy *p, bool server_requires)
{
    if (!p->allow_insecure_guest)
        return STATUS_SMB_GUEST_LOGON_BLOCKED;
    /* Requiring signing disables guest access: a guest has no key to sign with. */
    if (sec_client_requires_signing(p) || server_requires)
        return STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP;
    return STATUS_SUCCESS;
}

ntstatus_t sec_client_accept_session(const struct sec_client_policy *p,
                                     const struct sec_client_session_facts *f,
                                     bool *signing_required)
{
    bool guest = f->session_flags & SMB2_SESSION_FLAG_IS_GUEST;
    bool null = f->session_flags & SMB2_SESSION_FLAG_IS_NULL;
    *signing_required = false;
    if (null && f->authenticated_as_user)
        return STATUS_ACCESS_DENIED; /* the server downgraded us to anonymous */
    if (guest) {
        ntstatus_t st = client_guest_verdict(p, f->server_requires_signing);
        return st; /* Session.SigningRequired stays FALSE for guest (3.2.5.3.1) */
    }
    if (null)
        return STATUS_SUCCESS; /* anonymous, asked for: nothing to sign with */
    bool required = sec_client_requires_signing(p) || f->server_requires_signing;
    /* 3.2.5.3.1: on 3.1.1 an unsigned final response is an error whatever the
     * policy; on other dialects only when signing is required. */
    if (!f->response_signed && (required || f->dialect == SMB2_DIALECT_0311))
        return STATUS_INVALID_SIGNATURE;
    *signing_required = required;
    return STATUS_SUCCESS;
}

bool sec_message_exempt(uint64_t message_id, uint64_t session_id, uint32_t status, bool response)
{
    if (session_id == 0)
        return true;
    /* MessageId 0xFFFFFFFFFFFFFFFF marks the server's own break notification
     * ([MS-SMB2] 3.3.4.1.1); a request carrying it is verified like any
     * other (a CANCEL, which uses no credit, could otherwise pass unsigned). */
    return response && (message_id == UINT64_MAX || status == STATUS_PENDING_CODE);
}

ntstatus_t sec_client_check_response(bool session_signing_required, bool have_key, bool signed_flag,
                                     bool exempt, bool *verify)
{
    *verify = false;
    if (exempt)
        return STATUS_SUCCESS;
    if (signed_flag && have_key) {
        *verify = true;
        return STATUS_SUCCESS;
    }
    if (session_signing_required)
        return STATUS_INVALID_SIGNATURE;
    return STATUS_SUCCESS;
}

bool sec_client_should_sign(bool session_signing_required, bool have_key, uint16_t dialect,
                            uint16_t command, bool validate_negotiate)
{
    if (!have_key)
        return false;
    if (session_signing_required || validate_negotiate)
        return true;
    return dialect == SMB2_DIALECT_0311 && command == SMB2_TREE_CONNECT;
}

bool sec_server_session_signing_required(const struct sec_server_policy *p,
                                         bool client_required_at_negotiate,
                                         uint8_t setup_security_mode, bool guest_or_anonymous)
{
    if (setup_security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED)
        return !guest_or_anonymous; /* nothing to sign with otherwise */
    if (guest_or_anonymous)
        return false;
    return client_required_at_negotiate || sec_server_requires_signing(p);
}

bool sec_server_allows_guest(const struct sec_server_policy *p)
{
    return p->allow_guest && !sec_server_requires_signing(p);
}

ntstatus_t sec_server_check_request(bool session_signing_required, bool signed_flag, bool exempt,
                                    bool *verify)
{
    *verify = false;
    if (exempt)
        return STATUS_SUCCESS;
    if (session_signing_required) {
        /* Verify whatever the SIGNED flag says: an unsigned request cannot
         * pass, a signed one must verify (3.3.5.2.4). */
        *verify = true;
        return signed_flag ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
    }
    *verify = signed_flag;
    return STATUS_SUCCESS;
}

bool sec_server_should_sign(bool session_signing_required, bool request_signed, bool exempt)
{
    return !exempt && (session_signing_required || request_signed);
}
