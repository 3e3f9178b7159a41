/* The NTLM initiator inside SPNEGO: the client side of an NTLMv2 logon
 * ([MS-NLMP] 3.1.5, [MS-SPNG] 3.1.5, RFC 4178).
 *
 *   ntlm_client_start   NegTokenInit { mechTypes = NTLMSSP, mechToken = NEGOTIATE }
 *   ntlm_client_step    NegTokenResp(CHALLENGE) -> NegTokenResp { AUTHENTICATE with
 *                       NTLMv2, MIC and key exchange, mechListMIC }
 *   ntlm_client_finish  the acceptor's last NegTokenResp: accept-completed and its
 *                       mechListMIC verified
 *   ntlm_client_session_key  ExportedSessionKey (the SMB session key)
 *
 * Every token from the server is parsed through the SPNEGO and NTLMSSP codecs;
 * secrets are zeroed when the context is freed. */
#ifndef SIGNET_AUTH_NTLM_CLIENT_H
#define SIGNET_AUTH_NTLM_CLIENT_H

#include "base/buf.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ntlm_client;

struct ntlm_client_creds {
    const char *user;        /* UTF-8; empty for anonymous */
    const char *password;    /* UTF-8 */
    const char *domain;      /* as sent in AUTHENTICATE and hashed into NTOWFv2 */
    const char *workstation; /* NULL: none */
    const char *target_spn;  /* MsvAvTargetName, e.g. "cifs/host"; NULL: none */
};

/* Copies the credentials (the password is kept only as its NT hash). */
ntstatus_t ntlm_client_new(const struct ntlm_client_creds *creds, struct ntlm_client **out);
/* Zeroes every key and frees; NULL is fine. */
void ntlm_client_free(struct ntlm_client *c);

/* The first SESSION_SETUP token. hint is the NEGOTIATE response's security
 * buffer (may be empty); when present it must be a NegTokenInit that offers
 * NTLMSSP, else STATUS_NOT_SUPPORTED. */
ntstatus_t ntlm_client_start(struct ntlm_client *c, const uint8_t *hint, size_t hint_len,
                             struct buf *out);
/* Process the server's CHALLENGE token and produce the AUTHENTICATE token.
 * STATUS_LOGON_FAILURE when the server rejects, STATUS_INVALID_PARAMETER for
 * a malformed token, STATUS_NOT_SUPPORTED when NTLMv2 cannot be used. */
ntstatus_t ntlm_client_step(struct ntlm_client *c, const uint8_t *in, size_t in_len,
                            struct buf *out);
/* The final server token (may be empty only when the caller does not need a
 * mechListMIC, see require_mic): accept-completed and, when present or
 * required, a mechListMIC that verifies. STATUS_LOGON_FAILURE otherwise. */
ntstatus_t ntlm_client_finish(struct ntlm_client *c, const uint8_t *in, size_t in_len,
                              bool require_mic);
/* ExportedSessionKey, once the AUTHENTICATE was built. */
ntstatus_t ntlm_client_session_key(const struct ntlm_client *c, uint8_t out[16]);
/* The flags the AUTHENTICATE carried (for tests and diagnostics). */
uint32_t ntlm_client_flags(const struct ntlm_client *c);

#endif
