/* The NTLM acceptor inside SPNEGO: the server side of an NTLMv2 logon
 * ([MS-NLMP] 3.2.5, [MS-SPNG] 3.2.5, RFC 4178).
 *
 *   ntlm_server_hint   NegTokenInit2 for the NEGOTIATE response (mechTypes = NTLMSSP)
 *   ntlm_server_step   first call: NegTokenInit(NEGOTIATE) -> NegTokenResp(CHALLENGE),
 *                      STATUS_MORE_PROCESSING_REQUIRED;
 *                      second call: NegTokenResp(AUTHENTICATE) -> accept-completed
 *                      with mechListMIC, STATUS_SUCCESS (or a logon failure)
 *   ntlm_server_result who logged on, guest/anonymous, the ExportedSessionKey
 *
 * The NT hash comes from a lookup callback (the user database); the password
 * itself is never seen. Every token is parsed through the SPNEGO and NTLMSSP
 * codecs; secrets are zeroed when the context is freed. */
#ifndef SIGNET_AUTH_NTLM_SERVER_H
#define SIGNET_AUTH_NTLM_SERVER_H

#include "base/buf.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTLM_SERVER_NAME_MAX 256

/* Fill nt_hash for user (UTF-8, as the client typed it; the callback decides
 * case-insensitivity). False: no such user. */
typedef bool (*ntlm_server_lookup_fn)(void *ctx, const char *user, uint8_t nt_hash[16]);

struct ntlm_server_opts {
    const char *nb_computer; /* MsvAvNbComputerName, e.g. "SIGNET" */
    const char *nb_domain;   /* MsvAvNbDomainName and TargetName, e.g. "WORKGROUP" */
    const char *dns_computer;
    const char *dns_domain;
    ntlm_server_lookup_fn lookup;
    void *lookup_ctx;
    /* Policy, decided by the caller (sec/policy.h sec_server_allows_guest):
     * anonymous logons, and unknown users mapped to guest ("bad user"). */
    bool allow_anonymous;
    bool map_bad_user_to_guest;
};

struct ntlm_server;

struct ntlm_server_result {
    char user[NTLM_SERVER_NAME_MAX];   /* UTF-8; empty for anonymous */
    char domain[NTLM_SERVER_NAME_MAX]; /* as the client sent it */
    bool is_guest;
    bool is_anonymous;
    bool has_key; /* false for guest and anonymous: nothing to sign with */
    uint8_t session_key[16];
};

/* Copies the option strings. */
ntstatus_t ntlm_server_new(const struct ntlm_server_opts *opts, struct ntlm_server **out);
/* Zeroes every key and frees; NULL is fine. */
void ntlm_server_free(struct ntlm_server *s);

/* The NEGOTIATE response's security buffer: NegTokenInit2 offering NTLMSSP. */
ntstatus_t ntlm_server_hint(struct buf *out);

/* One SESSION_SETUP security buffer in, the token to answer with out.
 * Returns STATUS_MORE_PROCESSING_REQUIRED (send out, expect another call),
 * STATUS_SUCCESS (send out; ntlm_server_result is valid), or an error:
 * STATUS_LOGON_FAILURE (bad user or password, bad MIC or mechListMIC),
 * STATUS_ACCESS_DENIED (anonymous not allowed), STATUS_NOT_SUPPORTED (no
 * NTLMSSP offered), STATUS_INVALID_PARAMETER (malformed token). After an
 * error the context is finished: create a new one to start over. */
ntstatus_t ntlm_server_step(struct ntlm_server *s, const uint8_t *in, size_t in_len,
                            struct buf *out);

/* The user name the AUTHENTICATE message claimed, verified or not ("" before
 * one was parsed, or for anonymous): for throttles and logs. */
const char *ntlm_server_claimed_user(const struct ntlm_server *s);

/* Valid after ntlm_server_step returned STATUS_SUCCESS. */
const struct ntlm_server_result *ntlm_server_result(const struct ntlm_server *s);

#endif
