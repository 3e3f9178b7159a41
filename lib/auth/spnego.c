/* SPNEGO NegTokenInit / NegTokenInit2 / NegTokenResp codec (RFC 4178 4.2,
 * RFC 2743 3.1, [MS-SPNG] 2.2); see spnego.h. */
#include "auth/spnego.h"

#include "auth/asn1.h"
#include "base/cursor.h"

#include <string.h>

const uint8_t spnego_oid_spnego[6] = {0x2B, 0x06, 0x01, 0x05, 0x05, 0x02};
const uint8_t spnego_oid_ntlmssp[10] = {0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0A};
const uint8_t spnego_oid_krb5[9] = {0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02};
const uint8_t spnego_oid_ms_krb5[9] = {0x2A, 0x86, 0x48, 0x82, 0xF7, 0x12, 0x01, 0x02, 0x02};
const uint8_t spnego_oid_negoex[10] = {0x2B, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x1E};

struct mech_oid {
    enum spnego_mech mech;
    const uint8_t *oid;
    size_t len;
};

static const struct mech_oid mech_oids[] = {
    {SPNEGO_MECH_NTLMSSP, spnego_oid_ntlmssp, sizeof spnego_oid_ntlmssp},
    {SPNEGO_MECH_KRB5, spnego_oid_krb5, sizeof spnego_oid_krb5},
    {SPNEGO_MECH_MS_KRB5, spnego_oid_ms_krb5, sizeof spnego_oid_ms_krb5},
    {SPNEGO_MECH_NEGOEX, spnego_oid_negoex, sizeof spnego_oid_negoex},
};

static enum spnego_mech mech_from_oid(const uint8_t *oid, size_t len)
{
    for (size_t i = 0; i < sizeof mech_oids / sizeof mech_oids[0]; i++)
        if (mech_oids[i].len == len && memcmp(mech_oids[i].oid, oid, len) == 0)
            return mech_oids[i].mech;
    return SPNEGO_MECH_UNKNOWN;
}

static const struct mech_oid *oid_of_mech(enum spnego_mech mech)
{
    for (size_t i = 0; i < sizeof mech_oids / sizeof mech_oids[0]; i++)
        if (mech_oids[i].mech == mech)
            return &mech_oids[i];
    return NULL;
}

bool spnego_mech_list_has(const struct spnego_mech_list *l, enum spnego_mech mech)
{
    for (size_t i = 0; i < l->count && i < SPNEGO_MAX_MECHS; i++)
        if (l->mech[i] == mech)
            return true;
    return false;
}

/* ---- decoding ---- */

/* An OID element; a zero-length OID is malformed (X.690 8.19). */
static enum spnego_mech read_mech(struct der *d)
{
    const uint8_t *oid = NULL;
    size_t len = 0;
    der_read_prim(d, DER_OID, &oid, &len);
    if (der_ok(d) && len == 0)
        der_fail(d);
    return der_ok(d) ? mech_from_oid(oid, len) : SPNEGO_MECH_UNKNOWN;
}

/* MechTypeList ::= SEQUENCE OF MechType, at least one entry. */
static void read_mech_list(struct der *ctx0, struct spnego_mech_list *l)
{
    uint8_t tag = 0;
    struct der seq;
    struct rd whole;
    der_read_any(ctx0, &tag, &seq, &whole);
    if (der_ok(ctx0) && tag != DER_SEQUENCE)
        der_fail(ctx0);
    while (der_ok(ctx0) && der_ok(&seq) && !der_at_end(&seq)) {
        if (l->count == SPNEGO_MAX_MECHS) {
            der_fail(&seq);
            break;
        }
        l->mech[l->count++] = read_mech(&seq);
    }
    if (der_ok(&seq) && l->count == 0)
        der_fail(&seq);
    der_leave(ctx0, &seq);
    if (der_ok(ctx0)) {
        l->der.len = rd_left(&whole);
        l->der.p = rd_bytes(&whole, l->der.len);
    }
}

static void read_octets(struct der *ctx, struct spnego_bytes *b)
{
    der_read_prim(ctx, DER_OCTET_STRING, &b->p, &b->len);
}

/* NegHints ::= SEQUENCE { hintName [0] GeneralString OPTIONAL,
 *                         hintAddress [1] OCTET STRING OPTIONAL } ([MS-SPNG] 2.2.1) */
static void read_neg_hints(struct der *ctx3, struct spnego_init *in)
{
    struct der seq, field;
    der_enter(ctx3, DER_SEQUENCE, &seq);
    in->has_neg_hints = der_ok(ctx3);
    if (der_peek_tag(&seq) == DER_CONTEXT(0)) {
        der_enter(&seq, DER_CONTEXT(0), &field);
        der_read_prim(&field, DER_GENERAL_STRING, &in->hint_name.p, &in->hint_name.len);
        der_leave(&seq, &field);
    }
    if (der_peek_tag(&seq) == DER_CONTEXT(1)) {
        const uint8_t *addr = NULL;
        size_t addr_len = 0;
        der_enter(&seq, DER_CONTEXT(1), &field);
        der_read_prim(&field, DER_OCTET_STRING, &addr, &addr_len);
        der_leave(&seq, &field);
    }
    der_leave(ctx3, &seq);
}

/* One [n] field of NegTokenInit(2). */
static void read_init_field(struct der *ctx, uint8_t n, struct spnego_init *in)
{
    switch (n) {
    case 0:
        read_mech_list(ctx, &in->mech_types);
        break;
    case 1: { /* reqFlags: ignored (RFC 4178 4.2.1 "SHOULD be ignored") */
        const uint8_t *flags = NULL;
        size_t len = 0;
        der_read_prim(ctx, DER_BIT_STRING, &flags, &len);
        break;
    }
    case 2:
        read_octets(ctx, &in->mech_token);
        break;
    case 3: /* RFC 4178: mechListMIC; [MS-SPNG] NegTokenInit2: negHints */
        if (der_peek_tag(ctx) == DER_SEQUENCE)
            read_neg_hints(ctx, in);
        else
            read_octets(ctx, &in->mech_list_mic);
        break;
    case 4:
        if (!in->has_neg_hints)
            der_fail(ctx);
        read_octets(ctx, &in->mech_list_mic);
        break;
    default:
        der_fail(ctx);
    }
}

/* Walk a SEQUENCE of [n] fields in strictly increasing order, n <= max_n. */
static void read_tagged_fields(struct der *seq, uint8_t max_n,
                               void (*field)(struct der *, uint8_t, void *), void *arg)
{
    int last = -1;
    while (der_ok(seq) && !der_at_end(seq)) {
        uint8_t tag = 0;
        struct der ctx;
        der_read_any(seq, &tag, &ctx, NULL);
        uint8_t n = (uint8_t)(tag & 0x1Fu);
        if (der_ok(seq) && ((tag & 0xE0u) != 0xA0u || n > max_n || (int)n <= last))
            der_fail(seq);
        if (!der_ok(seq))
            return;
        last = n;
        field(&ctx, n, arg);
        der_leave(seq, &ctx);
    }
}

static void init_field_cb(struct der *ctx, uint8_t n, void *arg)
{
    read_init_field(ctx, n, arg);
}

static void read_neg_token_init(struct der *choice, struct spnego_init *in)
{
    struct der seq;
    der_enter(choice, DER_SEQUENCE, &seq);
    read_tagged_fields(&seq, 4, init_field_cb, in);
    if (der_ok(&seq) && in->mech_types.count == 0)
        der_fail(&seq); /* mechTypes is not OPTIONAL */
    der_leave(choice, &seq);
}

static void read_resp_field(struct der *ctx, uint8_t n, void *arg)
{
    struct spnego_resp *r = arg;
    switch (n) {
    case 0: {
        uint8_t st = der_read_enum(ctx);
        if (der_ok(ctx) && st > SPNEGO_REQUEST_MIC)
            der_fail(ctx);
        r->has_neg_state = der_ok(ctx);
        r->neg_state = (enum spnego_neg_state)st;
        break;
    }
    case 1:
        r->supported_mech = read_mech(ctx);
        r->has_supported_mech = der_ok(ctx);
        break;
    case 2:
        read_octets(ctx, &r->response_token);
        break;
    case 3:
        read_octets(ctx, &r->mech_list_mic);
        break;
    default:
        der_fail(ctx);
    }
}

static void read_neg_token_resp(struct der *choice, struct spnego_resp *r)
{
    struct der seq;
    der_enter(choice, DER_SEQUENCE, &seq);
    read_tagged_fields(&seq, 3, read_resp_field, r);
    der_leave(choice, &seq);
}

/* InitialContextToken ::= [APPLICATION 0] IMPLICIT SEQUENCE {
 *     thisMech MechType, innerContextToken ANY } (RFC 2743 3.1) */
static void read_initial_context_token(struct der *top, struct spnego_token *out)
{
    struct der app, choice;
    const uint8_t *oid = NULL;
    size_t oid_len = 0;
    der_enter(top, DER_APPLICATION_0, &app);
    der_read_prim(&app, DER_OID, &oid, &oid_len);
    if (der_ok(&app) &&
        (oid_len != sizeof spnego_oid_spnego || memcmp(oid, spnego_oid_spnego, oid_len) != 0))
        der_fail(&app);
    der_enter(&app, DER_CONTEXT(0), &choice);
    out->kind = SPNEGO_NEG_TOKEN_INIT;
    read_neg_token_init(&choice, &out->init);
    der_leave(&app, &choice);
    der_leave(top, &app);
}

ntstatus_t spnego_decode(const uint8_t *p, size_t len, struct spnego_token *out)
{
    struct der top, choice;
    memset(out, 0, sizeof *out);
    der_init(&top, p, len);
    uint8_t tag = der_peek_tag(&top);
    if (tag == DER_APPLICATION_0) {
        read_initial_context_token(&top, out);
    } else if (tag == DER_CONTEXT(0)) {
        der_enter(&top, tag, &choice);
        out->kind = SPNEGO_NEG_TOKEN_INIT;
        read_neg_token_init(&choice, &out->init);
        der_leave(&top, &choice);
    } else if (tag == DER_CONTEXT(1)) {
        der_enter(&top, tag, &choice);
        out->kind = SPNEGO_NEG_TOKEN_RESP;
        read_neg_token_resp(&choice, &out->resp);
        der_leave(&top, &choice);
    } else {
        der_fail(&top);
    }
    der_require_end(&top);
    ntstatus_t st = der_status(&top);
    if (!nt_ok(st))
        memset(out, 0, sizeof *out);
    return st;
}

/* ---- encoding ---- */

static void put_mech(struct wr *w, enum spnego_mech mech)
{
    const struct mech_oid *m = oid_of_mech(mech);
    if (!m) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return;
    }
    der_put_prim(w, DER_OID, m->oid, m->len);
}

static void put_mech_list(struct wr *w, const enum spnego_mech *mechs, size_t n)
{
    if (n == 0 || n > SPNEGO_MAX_MECHS)
        wr_fail(w, STATUS_INVALID_PARAMETER);
    size_t seq = der_begin(w, DER_SEQUENCE);
    for (size_t i = 0; i < n; i++)
        put_mech(w, mechs[i]);
    der_end(w, seq);
}

/* [n] { OCTET STRING } when b is present. */
static void put_tagged_octets(struct wr *w, uint8_t n, const struct spnego_bytes *b)
{
    if (!b->p)
        return;
    size_t ctx = der_begin(w, DER_CONTEXT(n));
    der_put_prim(w, DER_OCTET_STRING, b->p, b->len);
    der_end(w, ctx);
}

static ntstatus_t finish(struct wr *w, size_t *out_len)
{
    ntstatus_t st = wr_status(w);
    *out_len = nt_ok(st) ? wr_pos(w) : 0;
    return st;
}

ntstatus_t spnego_encode_mech_list(const enum spnego_mech *mechs, size_t n, uint8_t *out,
                                   size_t cap, size_t *out_len)
{
    struct wr w;
    wr_init(&w, out, cap);
    put_mech_list(&w, mechs, n);
    return finish(&w, out_len);
}

/* negHints [3] SEQUENCE { hintName [0] GeneralString } ([MS-SPNG] 2.2.1) */
static void put_neg_hints(struct wr *w, const struct spnego_bytes *hint)
{
    const uint8_t *name = hint->p ? hint->p : (const uint8_t *)SPNEGO_NEG_HINT_IGNORE;
    size_t len = hint->p ? hint->len : strlen(SPNEGO_NEG_HINT_IGNORE);
    size_t ctx3 = der_begin(w, DER_CONTEXT(3));
    size_t seq = der_begin(w, DER_SEQUENCE);
    size_t ctx0 = der_begin(w, DER_CONTEXT(0));
    der_put_prim(w, DER_GENERAL_STRING, name, len);
    der_end(w, ctx0);
    der_end(w, seq);
    der_end(w, ctx3);
}

static void put_neg_token_init(struct wr *w, const struct spnego_init *in)
{
    size_t seq = der_begin(w, DER_SEQUENCE);
    size_t ctx0 = der_begin(w, DER_CONTEXT(0));
    put_mech_list(w, in->mech_types.mech, in->mech_types.count);
    der_end(w, ctx0);
    put_tagged_octets(w, 2, &in->mech_token);
    if (in->has_neg_hints) {
        put_neg_hints(w, &in->hint_name);
        put_tagged_octets(w, 4, &in->mech_list_mic);
    } else {
        put_tagged_octets(w, 3, &in->mech_list_mic);
    }
    der_end(w, seq);
}

ntstatus_t spnego_encode_init(const struct spnego_init *in, uint8_t *out, size_t cap,
                              size_t *out_len)
{
    struct wr w;
    wr_init(&w, out, cap);
    size_t app = der_begin(&w, DER_APPLICATION_0);
    der_put_prim(&w, DER_OID, spnego_oid_spnego, sizeof spnego_oid_spnego);
    size_t choice = der_begin(&w, DER_CONTEXT(0));
    put_neg_token_init(&w, in);
    der_end(&w, choice);
    der_end(&w, app);
    return finish(&w, out_len);
}

ntstatus_t spnego_encode_resp(const struct spnego_resp *in, uint8_t *out, size_t cap,
                              size_t *out_len)
{
    struct wr w;
    wr_init(&w, out, cap);
    size_t choice = der_begin(&w, DER_CONTEXT(1));
    size_t seq = der_begin(&w, DER_SEQUENCE);
    if (in->has_neg_state) {
        size_t ctx0 = der_begin(&w, DER_CONTEXT(0));
        der_put_enum(&w, (uint8_t)in->neg_state);
        der_end(&w, ctx0);
    }
    if (in->has_supported_mech) {
        size_t ctx1 = der_begin(&w, DER_CONTEXT(1));
        put_mech(&w, in->supported_mech);
        der_end(&w, ctx1);
    }
    put_tagged_octets(&w, 2, &in->response_token);
    put_tagged_octets(&w, 3, &in->mech_list_mic);
    der_end(&w, seq);
    der_end(&w, choice);
    return finish(&w, out_len);
}
