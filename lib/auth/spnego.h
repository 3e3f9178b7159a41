/* SPNEGO tokens (RFC 4178; [MS-SPNG] for NegTokenInit2) over the DER codec.
 *
 * NegotiationToken ::= CHOICE { negTokenInit [0], negTokenResp [1] } (RFC 4178
 * 4.2). The first token of a context is wrapped in the RFC 2743 3.1
 * InitialContextToken: [APPLICATION 0] { thisMech OID 1.3.6.1.5.5.2, token }.
 *
 * Decoded tokens are views into the caller's buffer (struct spnego_bytes with
 * p == NULL when a field is absent); nothing is allocated. The exact DER bytes
 * of mechTypes are kept, because the mechListMIC is computed over them
 * (RFC 4178 5; [MS-SPNG] 3.1.5.1). */
#ifndef SIGNET_AUTH_SPNEGO_H
#define SIGNET_AUTH_SPNEGO_H

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Mechanisms we recognise by OID; anything else decodes as UNKNOWN. */
enum spnego_mech {
    SPNEGO_MECH_UNKNOWN = 0,
    SPNEGO_MECH_NTLMSSP, /* 1.3.6.1.4.1.311.2.2.10 */
    SPNEGO_MECH_KRB5,    /* 1.2.840.113554.1.2.2 */
    SPNEGO_MECH_MS_KRB5, /* 1.2.840.48018.1.2.2 (Windows' historical Kerberos OID) */
    SPNEGO_MECH_NEGOEX,  /* 1.3.6.1.4.1.311.2.2.30 ([MS-NEGOEX]) */
};

/* OID contents octets (without identifier and length). */
extern const uint8_t spnego_oid_spnego[6];   /* 1.3.6.1.5.5.2 */
extern const uint8_t spnego_oid_ntlmssp[10]; /* 1.3.6.1.4.1.311.2.2.10 */
extern const uint8_t spnego_oid_krb5[9];     /* 1.2.840.113554.1.2.2 */
extern const uint8_t spnego_oid_ms_krb5[9];  /* 1.2.840.48018.1.2.2 */
extern const uint8_t spnego_oid_negoex[10];  /* 1.3.6.1.4.1.311.2.2.30 */

/* negHints.hintName that Windows and Samba put in the server's first token. */
#define SPNEGO_NEG_HINT_IGNORE "not_defined_in_RFC4178@please_ignore"

/* Most mechTypes entries kept; a longer list is rejected. */
#define SPNEGO_MAX_MECHS 16

struct spnego_bytes {
    const uint8_t *p; /* NULL: absent */
    size_t len;
};

struct spnego_mech_list {
    struct spnego_bytes der; /* decode: the exact MechTypeList element, 30 LL ... */
    size_t count;
    enum spnego_mech mech[SPNEGO_MAX_MECHS];
};

/* NegTokenInit (RFC 4178 4.2.1) and NegTokenInit2 ([MS-SPNG] 2.2.1): with
 * has_neg_hints, [3] is negHints and mechListMIC moves to [4]. reqFlags is
 * skipped on decode and never sent. */
struct spnego_init {
    struct spnego_mech_list mech_types;
    struct spnego_bytes mech_token;
    struct spnego_bytes mech_list_mic;
    bool has_neg_hints;
    struct spnego_bytes hint_name; /* encode: NULL p sends SPNEGO_NEG_HINT_IGNORE */
};

enum spnego_neg_state {
    SPNEGO_ACCEPT_COMPLETED = 0,
    SPNEGO_ACCEPT_INCOMPLETE = 1,
    SPNEGO_REJECT = 2,
    SPNEGO_REQUEST_MIC = 3,
};

/* NegTokenResp (RFC 4178 4.2.2); every field is optional. */
struct spnego_resp {
    bool has_neg_state;
    enum spnego_neg_state neg_state;
    bool has_supported_mech;
    enum spnego_mech supported_mech;
    struct spnego_bytes response_token;
    struct spnego_bytes mech_list_mic;
};

enum spnego_kind { SPNEGO_NEG_TOKEN_INIT, SPNEGO_NEG_TOKEN_RESP };

struct spnego_token {
    enum spnego_kind kind;
    struct spnego_init init; /* kind == SPNEGO_NEG_TOKEN_INIT */
    struct spnego_resp resp; /* kind == SPNEGO_NEG_TOKEN_RESP */
};

/* Decode a security buffer: an InitialContextToken carrying NegTokenInit, or a
 * bare [0] NegTokenInit or [1] NegTokenResp. The token must fill p[0..len)
 * exactly. STATUS_INVALID_PARAMETER for anything malformed. */
ntstatus_t spnego_decode(const uint8_t *p, size_t len, struct spnego_token *out);

/* DER of a MechTypeList of known mechanisms (what the mechListMIC covers). */
ntstatus_t spnego_encode_mech_list(const enum spnego_mech *mechs, size_t n, uint8_t *out,
                                   size_t cap, size_t *out_len);
/* NegTokenInit(2) inside an InitialContextToken. */
ntstatus_t spnego_encode_init(const struct spnego_init *in, uint8_t *out, size_t cap,
                              size_t *out_len);
/* [1] NegTokenResp (never wrapped). */
ntstatus_t spnego_encode_resp(const struct spnego_resp *in, uint8_t *out, size_t cap,
                              size_t *out_len);

/* True if mech appears in the list. */
bool spnego_mech_list_has(const struct spnego_mech_list *l, enum spnego_mech mech);

#endif
