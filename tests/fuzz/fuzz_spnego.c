/* libFuzzer target: SPNEGO NegTokenInit / NegTokenResp (lib/auth/spnego.h)
 * and the DER reader/writer under it (lib/auth/asn1.h).
 *
 * Input: a security buffer as SESSION_SETUP carries it.
 * Oracles:
 *  - DER: when der_validate() accepts the input, rebuilding it element by
 *    element with the DER writer gives back exactly the input (DER is
 *    canonical), and the reader walk accepts exactly what der_validate does.
 *  - SPNEGO: a decoded token re-encodes (when every mechanism is one we know
 *    by OID, since unknown OIDs are not kept) and decodes to the same fields. */
#include "auth/asn1.h"
#include "auth/spnego.h"
#include "fuzz_common.h"

#include <stdbool.h>

/* Rebuild the elements of d into w; false if the reader failed. */
static bool der_rebuild(struct der *d, struct wr *w)
{
    while (der_ok(d) && !der_at_end(d)) {
        uint8_t tag = 0;
        struct der inner;
        struct rd whole;
        der_read_any(d, &tag, &inner, &whole);
        if (!der_ok(d))
            return false;
        if (tag & DER_CONSTRUCTED_BIT) {
            size_t mark = der_begin(w, tag);
            if (!der_rebuild(&inner, w))
                return false;
            der_end(w, mark);
        } else {
            size_t n = rd_left(&inner.r);
            const uint8_t *v = rd_bytes(&inner.r, n);
            der_put_prim(w, tag, v, n);
        }
        der_leave(d, &inner);
    }
    return der_ok(d);
}

static void fuzz_der(const uint8_t *data, size_t size)
{
    bool valid = nt_ok(der_validate(data, size, DER_MAX_DEPTH));

    uint8_t *out = malloc(size + 64);
    if (out == NULL)
        abort();
    struct wr w;
    wr_init(&w, out, size + 64);
    struct der d;
    der_init(&d, data, size);
    bool walked = der_rebuild(&d, &w);

    if (valid) {
        FUZZ_CHECK(walked);
        FUZZ_CHECK(wr_ok(&w));
        FUZZ_CHECK(fuzz_same_bytes(out, wr_pos(&w), data, size));
    }
    /* The reader enforces the same rules der_validate() checks (which also
     * rejects an empty buffer). */
    if (walked && size > 0)
        FUZZ_CHECK(valid);
    free(out);
}

static bool mechs_known(const struct spnego_mech_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        if (l->mech[i] == SPNEGO_MECH_UNKNOWN)
            return false;
    return true;
}

static bool same(struct spnego_bytes a, struct spnego_bytes b)
{
    if ((a.p == NULL) != (b.p == NULL))
        return false;
    return fuzz_same_bytes(a.p, a.len, b.p, b.len);
}

static void check_views(const struct spnego_token *t, const uint8_t *base, size_t len)
{
    if (t->kind == SPNEGO_NEG_TOKEN_INIT) {
        FUZZ_WITHIN(t->init.mech_types.der.p, t->init.mech_types.der.len, base, len);
        FUZZ_WITHIN(t->init.mech_token.p, t->init.mech_token.len, base, len);
        FUZZ_WITHIN(t->init.mech_list_mic.p, t->init.mech_list_mic.len, base, len);
        FUZZ_WITHIN(t->init.hint_name.p, t->init.hint_name.len, base, len);
        FUZZ_CHECK(t->init.mech_types.count <= SPNEGO_MAX_MECHS);
    } else {
        FUZZ_CHECK(t->kind == SPNEGO_NEG_TOKEN_RESP);
        FUZZ_WITHIN(t->resp.response_token.p, t->resp.response_token.len, base, len);
        FUZZ_WITHIN(t->resp.mech_list_mic.p, t->resp.mech_list_mic.len, base, len);
    }
}

static void fuzz_spnego_token(const uint8_t *data, size_t size)
{
    struct spnego_token t;
    memset(&t, 0, sizeof(t));
    if (!nt_ok(spnego_decode(data, size, &t)))
        return;
    check_views(&t, data, size);

    size_t cap = size + 256;
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        abort();
    size_t n = 0;
    struct spnego_token t2;
    memset(&t2, 0, sizeof(t2));

    if (t.kind == SPNEGO_NEG_TOKEN_INIT) {
        if (mechs_known(&t.init.mech_types) && nt_ok(spnego_encode_init(&t.init, buf, cap, &n))) {
            FUZZ_CHECK_OK(spnego_decode(buf, n, &t2));
            check_views(&t2, buf, n);
            FUZZ_CHECK(t2.kind == SPNEGO_NEG_TOKEN_INIT);
            FUZZ_CHECK(t2.init.mech_types.count == t.init.mech_types.count);
            for (size_t i = 0; i < t.init.mech_types.count; i++)
                FUZZ_CHECK(t2.init.mech_types.mech[i] == t.init.mech_types.mech[i]);
            FUZZ_CHECK(same(t2.init.mech_token, t.init.mech_token));
            FUZZ_CHECK(same(t2.init.mech_list_mic, t.init.mech_list_mic));
            FUZZ_CHECK(t2.init.has_neg_hints == t.init.has_neg_hints);
            if (t.init.has_neg_hints && t.init.hint_name.p != NULL)
                FUZZ_CHECK(same(t2.init.hint_name, t.init.hint_name));

            /* The MechTypeList the MIC covers encodes canonically. */
            uint8_t ml[16 + SPNEGO_MAX_MECHS * 16];
            size_t ml_len = 0;
            if (nt_ok(spnego_encode_mech_list(t.init.mech_types.mech, t.init.mech_types.count, ml,
                                              sizeof(ml), &ml_len)))
                FUZZ_CHECK(fuzz_same_bytes(ml, ml_len, t2.init.mech_types.der.p,
                                           t2.init.mech_types.der.len));
        }
        for (int m = SPNEGO_MECH_UNKNOWN; m <= SPNEGO_MECH_NEGOEX; m++)
            (void)spnego_mech_list_has(&t.init.mech_types, (enum spnego_mech)m);
    } else {
        if ((!t.resp.has_supported_mech || t.resp.supported_mech != SPNEGO_MECH_UNKNOWN) &&
            nt_ok(spnego_encode_resp(&t.resp, buf, cap, &n))) {
            FUZZ_CHECK_OK(spnego_decode(buf, n, &t2));
            check_views(&t2, buf, n);
            FUZZ_CHECK(t2.kind == SPNEGO_NEG_TOKEN_RESP);
            FUZZ_CHECK(t2.resp.has_neg_state == t.resp.has_neg_state);
            if (t.resp.has_neg_state)
                FUZZ_CHECK(t2.resp.neg_state == t.resp.neg_state);
            FUZZ_CHECK(t2.resp.has_supported_mech == t.resp.has_supported_mech);
            if (t.resp.has_supported_mech)
                FUZZ_CHECK(t2.resp.supported_mech == t.resp.supported_mech);
            FUZZ_CHECK(same(t2.resp.response_token, t.resp.response_token));
            FUZZ_CHECK(same(t2.resp.mech_list_mic, t.resp.mech_list_mic));
        }
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_der(data, size);
    fuzz_spnego_token(data, size);
    return 0;
}
