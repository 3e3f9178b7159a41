/* ntlm.json: every vector is one test that recomputes every value it holds
 * with lib/auth and asserts byte equality. Each test records which members of
 * "inputs" and "expected" it used and fails if any was left unchecked, so a
 * changed or added byte anywhere in a vector cannot go unnoticed.
 *
 * - ms-nlmp-4.2.4-ntlmv2: [MS-NLMP] 4.2.4, from the password up to GSS_WrapEx;
 *   both messages are decoded, checked field by field and re-encoded.
 * - anatomy-blog-ntlmv2-smb311: the three real NTLMSSP messages, NTOWFv2 to
 *   MIC, the four session-security keys and both SPNEGO mechListMICs.
 * - enc311blog-*: the NTLMSSP tokens are pulled out of the published SMB2
 *   SESSION_SETUP messages (SPNEGO-wrapped), the server recomputes the
 *   NTProofStr and the ExportedSessionKey; the messages must equal the ones
 *   the preauth-integrity chains of the same capture hash. */
#include "vec.h"

#include "auth/ntlm_crypto.h"
#include "auth/ntlmssp.h"
#include "auth/spnego.h"
#include "base/cursor.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* ---- bookkeeping: which members a test has checked ---- */

struct member_use {
    json_object *obj;
    const char *key;
};
static struct member_use used[64];
static size_t n_used;

static void mark(json_object *obj, const char *key)
{
    assert_true(n_used < sizeof used / sizeof used[0]);
    used[n_used++] = (struct member_use){obj, key};
}

static struct vec_bytes hex(json_object *obj, const char *key)
{
    mark(obj, key);
    return vec_hex(obj, key);
}

static const char *str(json_object *obj, const char *key)
{
    mark(obj, key);
    return vec_str(obj, key);
}

static void assert_all_checked(json_object *obj, const char *what)
{
    json_object_object_foreach(obj, key, val)
    {
        (void)val;
        bool seen = false;
        for (size_t i = 0; i < n_used && !seen; i++)
            seen = used[i].obj == obj && strcmp(used[i].key, key) == 0;
        if (!seen)
            fail_msg("%s member \"%s\" is not checked by this test", what, key);
    }
}

#define assert_nt(expr) assert_true(nt_ok(expr))

static void assert_view(const char *what, struct ntlm_bytes got, struct vec_bytes want)
{
    vec_assert_bytes(what, got.p, got.len, want);
}

/* UTF-16LE of an ASCII/UTF-8 string (test inputs are short). */
static struct vec_bytes utf16(const char *s)
{
    static uint8_t bufs[8][256];
    static size_t next;
    struct ntlm_bytes b;
    uint8_t *buf = bufs[next++ % 8];
    assert_nt(ntlmssp_wire_string(NTLMSSP_NEGOTIATE_UNICODE, s, buf, 256, &b));
    return (struct vec_bytes){buf, b.len};
}

/* ---- [MS-NLMP] 4.2.4 ---- */

/* Values the spec prints in 4.2.4.2 / 4.2.4.3 but the vector does not
 * repeat: the VERSION structures and the AUTHENTICATE flags. */
static const struct ntlm_version nlmp_challenge_version = {6, 0, 6000, NTLMSSP_REVISION_W2K3};
static const struct ntlm_version nlmp_auth_version = {5, 1, 2600, NTLMSSP_REVISION_W2K3};
#define NLMP_AUTH_FLAGS 0xE2888235u

static void assert_version(const struct ntlm_version *got, const struct ntlm_version *want)
{
    assert_int_equal(got->major, want->major);
    assert_int_equal(got->minor, want->minor);
    assert_int_equal(got->build, want->build);
    assert_int_equal(got->revision, want->revision);
}

static uint32_t flags_of(json_object *in)
{
    struct vec_bytes f = hex(in, "negotiate_flags_le_hex");
    assert_int_equal(f.len, 4);
    return (uint32_t)f.p[0] | (uint32_t)f.p[1] << 8 | (uint32_t)f.p[2] << 16 |
           (uint32_t)f.p[3] << 24;
}

static uint64_t time_of(json_object *in)
{
    struct vec_bytes t = hex(in, "time_hex");
    assert_int_equal(t.len, 8);
    uint64_t v = 0;
    for (size_t i = 8; i-- > 0;)
        v = v << 8 | t.p[i];
    return v;
}

/* CHALLENGE: decoded fields equal the inputs and it re-encodes to itself. */
static void nlmp_check_challenge(json_object *in, json_object *ex, uint32_t flags)
{
    struct vec_bytes msg = hex(ex, "challenge_message_hex");
    struct ntlmssp_challenge c;
    uint8_t again[256];
    size_t len = 0;
    assert_nt(ntlmssp_decode_challenge(msg.p, msg.len, &c));
    assert_int_equal(c.flags, flags);
    vec_assert_bytes("ServerChallenge", c.server_challenge, 8, hex(in, "server_challenge_hex"));
    assert_view("TargetName", c.target_name, utf16(str(in, "server_name")));
    assert_view("TargetInfo", c.target_info, hex(in, "target_info_hex"));
    assert_true(c.has_version);
    assert_version(&c.version, &nlmp_challenge_version);
    assert_nt(ntlmssp_encode_challenge(&c, again, sizeof again, &len));
    vec_assert_bytes("re-encoded CHALLENGE", again, len, msg);
}

/* The client's side: responses and keys from the password. */
static void nlmp_client(json_object *in, json_object *ex, uint8_t nt_resp[256], size_t *nt_len,
                        uint8_t lm[24], uint8_t exported[16], uint8_t enc[16])
{
    uint8_t nt_hash[16], ntowf[16], temp[256], proof[16], sbk[16];
    size_t temp_len = 0;
    bool has_enc = false;
    struct vec_bytes ti = hex(in, "target_info_hex"), cc = hex(in, "client_challenge_hex");
    struct vec_bytes sc = hex(in, "server_challenge_hex");
    assert_nt(ntlm_nt_hash(str(in, "password"), nt_hash));
    assert_nt(ntlm_ntowfv2(nt_hash, str(in, "user"), str(in, "domain"), ntowf));
    vec_assert_bytes("NTOWFv2", ntowf, 16, hex(ex, "ntowfv2_hex"));
    vec_assert_bytes("LMOWFv2", ntowf, 16, hex(ex, "lmowfv2_hex"));
    assert_nt(ntlmv2_temp_build(time_of(in), cc.p, ti.p, ti.len, temp, sizeof temp, &temp_len));
    vec_assert_bytes("temp", temp, temp_len, hex(ex, "temp_hex"));
    assert_nt(ntlmv2_ntproofstr(ntowf, sc.p, temp, temp_len, proof));
    vec_assert_bytes("NTProofStr", proof, 16, hex(ex, "ntproofstr_hex"));
    struct ntlmv2_client_input ci = {
        nt_hash, str(in, "user"), str(in, "domain"), sc.p, cc.p, time_of(in), ti.p, ti.len, false};
    assert_nt(ntlmv2_client_response(&ci, nt_resp, 256, nt_len, lm, sbk));
    vec_assert_bytes("NtChallengeResponse temp", nt_resp + 16, *nt_len - 16, hex(ex, "temp_hex"));
    vec_assert_bytes("LMv2", lm, 24, hex(ex, "lmv2_response_hex"));
    vec_assert_bytes("SessionBaseKey", sbk, 16, hex(ex, "session_base_key_hex"));
    vec_assert_bytes("KeyExchangeKey", sbk, 16, hex(ex, "key_exchange_key_hex"));
    struct vec_bytes rsk = hex(in, "random_session_key_hex");
    assert_nt(ntlm_client_exported_key(flags_of(in), sbk, rsk.p, exported, enc, &has_enc));
    assert_true(has_enc);
    vec_assert_bytes("EncryptedRandomSessionKey", enc, 16,
                     hex(ex, "encrypted_random_session_key_hex"));
    vec_assert_bytes("ExportedSessionKey", exported, 16, hex(ex, "exported_session_key_hex"));
}

/* AUTHENTICATE: every field equals what the client computed; re-encodes. */
static void nlmp_check_authenticate(json_object *in, json_object *ex, const uint8_t *nt_resp,
                                    size_t nt_len, const uint8_t lm[24], const uint8_t enc[16])
{
    struct vec_bytes msg = hex(ex, "authenticate_message_hex");
    struct ntlmssp_authenticate a;
    uint8_t again[512];
    size_t len = 0;
    assert_nt(ntlmssp_decode_authenticate(msg.p, msg.len, &a));
    assert_int_equal(a.flags, NLMP_AUTH_FLAGS);
    assert_true(a.has_version);
    assert_false(a.has_mic); /* no MsvAvTimestamp, no MIC in this example */
    assert_version(&a.version, &nlmp_auth_version);
    assert_view("LmChallengeResponse", a.lm_response, (struct vec_bytes){(uint8_t *)lm, 24});
    assert_view("NtChallengeResponse", a.nt_response,
                (struct vec_bytes){(uint8_t *)nt_resp, nt_len});
    assert_view("DomainName", a.domain, utf16(str(in, "domain")));
    assert_view("UserName", a.user, utf16(str(in, "user")));
    assert_view("Workstation", a.workstation, utf16(str(in, "workstation")));
    assert_view("EncryptedRandomSessionKey", a.encrypted_session_key,
                (struct vec_bytes){(uint8_t *)enc, 16});
    assert_nt(ntlmssp_encode_authenticate(&a, again, sizeof again, &len));
    vec_assert_bytes("re-encoded AUTHENTICATE", again, len, msg);
}

/* The server's side: NTProofStr from the NT hash and the AUTHENTICATE. */
static void nlmp_server(json_object *in, json_object *ex)
{
    struct vec_bytes msg = hex(ex, "authenticate_message_hex");
    struct ntlmssp_authenticate a;
    uint8_t nt_hash[16], sbk[16], exported[16];
    assert_nt(ntlmssp_decode_authenticate(msg.p, msg.len, &a));
    assert_nt(ntlm_nt_hash(str(in, "password"), nt_hash));
    assert_nt(ntlmv2_server_verify(nt_hash, a.user.p, a.user.len, a.domain.p, a.domain.len,
                                   hex(in, "server_challenge_hex").p, a.nt_response.p,
                                   a.nt_response.len, sbk));
    vec_assert_bytes("server SessionBaseKey", sbk, 16, hex(ex, "session_base_key_hex"));
    assert_nt(ntlm_server_exported_key(flags_of(in), sbk, a.encrypted_session_key.p,
                                       a.encrypted_session_key.len, exported));
    vec_assert_bytes("server ExportedSessionKey", exported, 16,
                     hex(ex, "exported_session_key_hex"));
}

static uint32_t le32_of(struct vec_bytes b)
{
    assert_int_equal(b.len, 4);
    return (uint32_t)b.p[0] | (uint32_t)b.p[1] << 8 | (uint32_t)b.p[2] << 16 |
           (uint32_t)b.p[3] << 24;
}

/* GSS_WrapEx with the client's keys, and GSS_UnwrapEx by the server. */
static void nlmp_wrap(json_object *in, json_object *ex, const uint8_t exported[16])
{
    json_object *g = vec_get(ex, "gss_wrapex");
    mark(ex, "gss_wrapex");
    uint32_t flags = flags_of(in);
    uint8_t key[16], checksum[8], data[64], sig[16];
    struct vec_bytes plain = hex(g, "plaintext_hex");
    struct ntlm_security client, server;
    assert_nt(ntlm_seal_key(flags, exported, true, key));
    vec_assert_bytes("client SealingKey", key, 16, hex(ex, "client_sealing_key_hex"));
    assert_nt(ntlm_sign_key(exported, true, key));
    vec_assert_bytes("client SigningKey", key, 16, hex(ex, "client_signing_key_hex"));
    uint32_t seq = le32_of(hex(g, "seqnum_hex"));
    struct iovec iov = {plain.p, plain.len};
    assert_nt(ntlm_checksum(key, seq, &iov, 1, checksum));
    vec_assert_bytes("HMAC-MD5 checksum", checksum, 8, hex(g, "checksum_hmac_md5_first8_hex"));
    assert_true(plain.len <= sizeof data);
    memcpy(data, plain.p, plain.len);
    assert_nt(ntlm_security_init(&client, flags, exported, NTLM_ROLE_CLIENT));
    assert_int_equal(client.send.seq, seq);
    assert_nt(ntlm_wrap(&client, data, plain.len, sig));
    vec_assert_bytes("sealed data", data, plain.len, hex(g, "sealed_data_hex"));
    vec_assert_bytes("sealed checksum", sig + 4, 8, hex(g, "checksum_after_rc4_hex"));
    vec_assert_bytes("signature", sig, 16, hex(g, "signature_hex"));
    assert_nt(ntlm_security_init(&server, flags, exported, NTLM_ROLE_SERVER));
    assert_nt(ntlm_unwrap(&server, data, plain.len, sig));
    vec_assert_bytes("unsealed data", data, plain.len, plain);
    ntlm_security_free(&client);
    ntlm_security_free(&server);
    assert_all_checked(g, "gss_wrapex");
}

static void check_ms_nlmp(json_object *in, json_object *ex)
{
    uint8_t nt_resp[256], lm[24], exported[16], enc[16];
    size_t nt_len = 0;
    nlmp_client(in, ex, nt_resp, &nt_len, lm, exported, enc);
    nlmp_check_challenge(in, ex, flags_of(in));
    nlmp_check_authenticate(in, ex, nt_resp, nt_len, lm, enc);
    nlmp_server(in, ex);
    nlmp_wrap(in, ex, exported);
}

/* ---- a real exchange: [ANATOMY] ---- */

struct exchange {
    struct vec_bytes neg, chal, auth;
    struct ntlmssp_negotiate n;
    struct ntlmssp_challenge c;
    struct ntlmssp_authenticate a;
};

static void reencode_all(const struct exchange *x)
{
    uint8_t out[1024];
    size_t len = 0;
    assert_nt(ntlmssp_encode_negotiate(&x->n, out, sizeof out, &len));
    vec_assert_bytes("re-encoded NEGOTIATE", out, len, x->neg);
    assert_nt(ntlmssp_encode_challenge(&x->c, out, sizeof out, &len));
    vec_assert_bytes("re-encoded CHALLENGE", out, len, x->chal);
    assert_nt(ntlmssp_encode_authenticate(&x->a, out, sizeof out, &len));
    vec_assert_bytes("re-encoded AUTHENTICATE", out, len, x->auth);
}

static void decode_exchange(struct exchange *x)
{
    assert_nt(ntlmssp_decode_negotiate(x->neg.p, x->neg.len, &x->n));
    assert_nt(ntlmssp_decode_challenge(x->chal.p, x->chal.len, &x->c));
    assert_nt(ntlmssp_decode_authenticate(x->auth.p, x->auth.len, &x->a));
    assert_nt(ntlm_av_validate(x->c.target_info.p, x->c.target_info.len));
}

/* "ADMINISTRATOR (...)": the first word is Upper(user). */
static void check_user_as_hashed(json_object *in, json_object *ex)
{
    const char *desc = str(in, "user_as_hashed");
    const char *space = strchr(desc, ' ');
    char first[64];
    size_t n = space ? (size_t)(space - desc) : strlen(desc);
    assert_true(n < sizeof first);
    memcpy(first, desc, n);
    first[n] = '\0';
    struct vec_bytes upper = utf16(str(in, "user"));
    ntlm_upcase_utf16le(upper.p, upper.len);
    vec_assert_bytes("Upper(user)", upper.p, upper.len, utf16(first));
    /* and hashing the uppercased name gives the same NTOWFv2 */
    uint8_t nt_hash[16], ntowf[16];
    assert_nt(ntlm_nt_hash(str(in, "password"), nt_hash));
    assert_nt(ntlm_ntowfv2(nt_hash, first, str(in, "domain"), ntowf));
    vec_assert_bytes("NTOWFv2(Upper(user))", ntowf, 16, hex(ex, "ntowfv2_hex"));
}

/* NTOWFv2 .. ExportedSessionKey, client and server side. */
static void exchange_keys(json_object *in, json_object *ex, const struct exchange *x,
                          uint8_t exported[16])
{
    uint8_t nt_hash[16], ntowf[16], ntowf16[16], proof[16], sbk[16], enc[16];
    bool has_enc = false;
    const struct ntlmssp_authenticate *a = &x->a;
    assert_nt(ntlm_nt_hash(str(in, "password"), nt_hash));
    assert_nt(ntlm_ntowfv2(nt_hash, str(in, "user"), str(in, "domain"), ntowf));
    vec_assert_bytes("NTOWFv2", ntowf, 16, hex(ex, "ntowfv2_hex"));
    assert_view("UserName", a->user, utf16(str(in, "user")));
    assert_view("DomainName", a->domain, utf16(str(in, "domain")));
    assert_nt(
        ntlm_ntowfv2_utf16(nt_hash, a->user.p, a->user.len, a->domain.p, a->domain.len, ntowf16));
    vec_assert_bytes("NTOWFv2 from AUTHENTICATE", ntowf16, 16, hex(ex, "ntowfv2_hex"));
    assert_nt(ntlmv2_ntproofstr(ntowf, x->c.server_challenge, a->nt_response.p + 16,
                                a->nt_response.len - 16, proof));
    vec_assert_bytes("NTProofStr", proof, 16, hex(ex, "ntproofstr_hex"));
    vec_assert_bytes("NTProofStr in AUTHENTICATE", a->nt_response.p, 16, hex(ex, "ntproofstr_hex"));
    assert_nt(ntlmv2_server_verify(nt_hash, a->user.p, a->user.len, a->domain.p, a->domain.len,
                                   x->c.server_challenge, a->nt_response.p, a->nt_response.len,
                                   sbk));
    vec_assert_bytes("SessionBaseKey", sbk, 16, hex(ex, "session_base_key_hex"));
    vec_assert_bytes("KeyExchangeKey", sbk, 16, hex(ex, "key_exchange_key_hex"));
    assert_nt(ntlm_server_exported_key(a->flags, sbk, a->encrypted_session_key.p,
                                       a->encrypted_session_key.len, exported));
    vec_assert_bytes("ExportedSessionKey", exported, 16, hex(ex, "exported_session_key_hex"));
    assert_nt(ntlm_client_exported_key(a->flags, sbk, exported, exported, enc, &has_enc));
    assert_true(has_enc);
    vec_assert_bytes("EncryptedRandomSessionKey", enc, 16,
                     hex(ex, "encrypted_random_session_key_hex"));
    assert_view("EncryptedRandomSessionKey in AUTHENTICATE", a->encrypted_session_key,
                hex(ex, "encrypted_random_session_key_hex"));
}

/* MsvAvTimestamp in the CHALLENGE: LM is Z(24), the MIC is present and covers
 * all three messages. */
static void exchange_mic(json_object *ex, const struct exchange *x, const uint8_t exported[16])
{
    static const uint8_t z24[24];
    struct ntlm_bytes ts;
    uint8_t mic[16];
    assert_nt(ntlm_av_find(x->c.target_info.p, x->c.target_info.len, MSV_AV_TIMESTAMP, &ts));
    assert_view("LmChallengeResponse", x->a.lm_response, (struct vec_bytes){(uint8_t *)z24, 24});
    assert_true(ntlmssp_auth_mic_required(&x->a));
    assert_true(x->a.has_mic);
    mark(ex, "mic_offset_in_authenticate");
    assert_int_equal(vec_int(ex, "mic_offset_in_authenticate"), NTLMSSP_MIC_OFFSET);
    assert_nt(ntlm_mic_compute(exported, x->neg.p, x->neg.len, x->chal.p, x->chal.len, x->auth.p,
                               x->auth.len, mic));
    vec_assert_bytes("MIC", mic, 16, hex(ex, "mic_hex"));
    vec_assert_bytes("MIC in AUTHENTICATE", x->a.mic, 16, hex(ex, "mic_hex"));
    assert_nt(ntlm_mic_verify(exported, x->neg.p, x->neg.len, x->chal.p, x->chal.len, x->auth.p,
                              x->auth.len));
}

static void exchange_session_keys(json_object *ex, uint32_t flags, const uint8_t exported[16])
{
    uint8_t k[16];
    assert_nt(ntlm_sign_key(exported, true, k));
    vec_assert_bytes("client SigningKey", k, 16, hex(ex, "client_signing_key_hex"));
    assert_nt(ntlm_sign_key(exported, false, k));
    vec_assert_bytes("server SigningKey", k, 16, hex(ex, "server_signing_key_hex"));
    assert_nt(ntlm_seal_key(flags, exported, true, k));
    vec_assert_bytes("client SealingKey", k, 16, hex(ex, "client_sealing_key_hex"));
    assert_nt(ntlm_seal_key(flags, exported, false, k));
    vec_assert_bytes("server SealingKey", k, 16, hex(ex, "server_sealing_key_hex"));
}

/* mechListMIC = GSS_GetMIC over the mechTypes DER, seq 0, each side its own
 * keys; each side verifies the other's. Returns nothing: asserts. */
static void check_mech_list_mics(const uint8_t *der, size_t der_len, uint32_t flags,
                                 const uint8_t exported[16], struct vec_bytes want_client,
                                 struct vec_bytes want_server)
{
    struct ntlm_security client, server;
    struct iovec iov = {(void *)der, der_len};
    uint8_t sig[16];
    assert_nt(ntlm_security_init(&client, flags, exported, NTLM_ROLE_CLIENT));
    assert_nt(ntlm_security_init(&server, flags, exported, NTLM_ROLE_SERVER));
    assert_nt(ntlm_get_mic(&client, &iov, 1, sig));
    vec_assert_bytes("client mechListMIC", sig, 16, want_client);
    assert_nt(ntlm_verify_mic(&server, &iov, 1, want_client.p));
    assert_nt(ntlm_get_mic(&server, &iov, 1, sig));
    vec_assert_bytes("server mechListMIC", sig, 16, want_server);
    assert_nt(ntlm_verify_mic(&client, &iov, 1, want_server.p));
    ntlm_security_free(&client);
    ntlm_security_free(&server);
}

static void check_anatomy(json_object *in, json_object *ex)
{
    struct exchange x = {.neg = hex(in, "negotiate_message_hex"),
                         .chal = hex(in, "challenge_message_hex"),
                         .auth = hex(in, "authenticate_message_hex")};
    uint8_t exported[16], der[64];
    size_t der_len = 0;
    decode_exchange(&x);
    reencode_all(&x);
    vec_assert_bytes("ServerChallenge", x.c.server_challenge, 8, hex(in, "server_challenge_hex"));
    check_user_as_hashed(in, ex);
    exchange_keys(in, ex, &x, exported);
    exchange_mic(ex, &x, exported);
    exchange_session_keys(ex, x.a.flags, exported);
    const enum spnego_mech ntlm_only[] = {SPNEGO_MECH_NTLMSSP};
    assert_nt(spnego_encode_mech_list(ntlm_only, 1, der, sizeof der, &der_len));
    vec_assert_bytes("mechTypes DER", der, der_len, hex(ex, "spnego_mechtypelist_der_hex"));
    check_mech_list_mics(der, der_len, x.a.flags, exported,
                         hex(ex, "spnego_mechlistmic_client_hex"),
                         hex(ex, "spnego_mechlistmic_server_hex"));
}

/* ---- [ENC311] captures: NTLMSSP inside SPNEGO inside SESSION_SETUP ---- */

/* The security buffer of an SMB2 SESSION_SETUP request (StructureSize 25) or
 * response (9), [MS-SMB2] 2.2.5 / 2.2.6; offsets count from the header. */
static struct ntlm_bytes session_setup_buffer(struct vec_bytes msg, bool request)
{
    static const uint8_t smb2_id[4] = {0xFE, 'S', 'M', 'B'};
    struct rd r;
    rd_init(&r, msg.p, msg.len);
    const uint8_t *id = rd_bytes(&r, 4);
    assert_true(id && memcmp(id, smb2_id, 4) == 0);
    assert_int_equal(rd_u16(&r), 64);
    rd_seek(&r, 12);
    assert_int_equal(rd_u16(&r), 1); /* SMB2 SESSION_SETUP */
    rd_seek(&r, 64);
    assert_int_equal(rd_u16(&r), request ? 25 : 9);
    rd_skip(&r, request ? 10 : 2);
    uint16_t off = rd_u16(&r), len = rd_u16(&r);
    struct rd sub = rd_sub(&r, off, len);
    struct ntlm_bytes b = {rd_bytes(&sub, len), len};
    assert_nt(rd_status(&r));
    assert_non_null(b.p);
    return b;
}

static json_object *preauth_root;

/* The message of a preauth chain step whose name starts with prefix, in the
 * chain whose id starts the vector id. */
static struct vec_bytes chain_message(const char *vector_id, const char *prefix)
{
    json_object *chains = vec_get(preauth_root, "chains");
    for (size_t i = 0; i < json_object_array_length(chains); i++) {
        json_object *c = json_object_array_get_idx(chains, i);
        const char *cid = vec_str(c, "id");
        if (strncmp(vector_id, cid, strlen(cid)) != 0)
            continue;
        json_object *steps = vec_get(c, "steps");
        for (size_t j = 0; j < json_object_array_length(steps); j++) {
            json_object *s = json_object_array_get_idx(steps, j);
            if (strncmp(vec_str(s, "message"), prefix, strlen(prefix)) == 0)
                return vec_hex(s, "message_hex");
        }
    }
    fail_msg("no preauth chain step \"%s\" for %s", prefix, vector_id);
    return (struct vec_bytes){NULL, 0};
}

static struct spnego_token spnego_of(struct ntlm_bytes buf)
{
    struct spnego_token t;
    assert_nt(spnego_decode(buf.p, buf.len, &t));
    return t;
}

static void check_enc311(const char *id, json_object *in, json_object *ex)
{
    struct vec_bytes resp1 = hex(in, "session_setup_response1_hex");
    struct vec_bytes req2 = hex(in, "session_setup_request2_hex");
    struct vec_bytes req1 = chain_message(id, "SESSION_SETUP request #1");
    vec_assert_bytes("response #1 as hashed", resp1.p, resp1.len,
                     chain_message(id, "SESSION_SETUP response #1"));
    vec_assert_bytes("request #2 as hashed", req2.p, req2.len,
                     chain_message(id, "SESSION_SETUP request #2"));
    struct spnego_token t1 = spnego_of(session_setup_buffer(req1, true));
    struct spnego_token t2 = spnego_of(session_setup_buffer(resp1, false));
    struct spnego_token t3 = spnego_of(session_setup_buffer(req2, true));
    assert_int_equal(t1.kind, SPNEGO_NEG_TOKEN_INIT);
    assert_int_equal(t2.kind, SPNEGO_NEG_TOKEN_RESP);
    assert_int_equal(t3.kind, SPNEGO_NEG_TOKEN_RESP);
    struct exchange x = {
        .neg = {(uint8_t *)t1.init.mech_token.p, t1.init.mech_token.len},
        .chal = {(uint8_t *)t2.resp.response_token.p, t2.resp.response_token.len},
        .auth = {(uint8_t *)t3.resp.response_token.p, t3.resp.response_token.len},
    };
    uint8_t nt_hash[16], sbk[16], exported[16];
    decode_exchange(&x);
    reencode_all(&x);
    assert_view("UserName", x.a.user, utf16(str(in, "user")));
    assert_view("DomainName", x.a.domain, utf16(str(in, "domain")));
    assert_nt(ntlm_nt_hash(str(in, "password"), nt_hash));
    assert_nt(ntlmv2_server_verify(nt_hash, x.a.user.p, x.a.user.len, x.a.domain.p, x.a.domain.len,
                                   x.c.server_challenge, x.a.nt_response.p, x.a.nt_response.len,
                                   sbk));
    assert_nt(ntlm_server_exported_key(x.a.flags, sbk, x.a.encrypted_session_key.p,
                                       x.a.encrypted_session_key.len, exported));
    vec_assert_bytes("ExportedSessionKey", exported, 16, hex(ex, "exported_session_key_hex"));
    assert_nt(
        ntlm_mic_verify(exported, x.neg.p, x.neg.len, x.chal.p, x.chal.len, x.auth.p, x.auth.len));
    /* The client's mechListMIC over the mechTypes it sent in request #1. */
    struct ntlm_security server;
    struct iovec iov = {(void *)t1.init.mech_types.der.p, t1.init.mech_types.der.len};
    assert_int_equal(t3.resp.mech_list_mic.len, 16);
    assert_nt(ntlm_security_init(&server, x.a.flags, exported, NTLM_ROLE_SERVER));
    assert_nt(ntlm_verify_mic(&server, &iov, 1, t3.resp.mech_list_mic.p));
    ntlm_security_free(&server);
}

/* ---- dispatch ---- */

static void ntlm_vector(void **state)
{
    json_object *v = *state;
    const char *id = vec_str(v, "id");
    json_object *in = vec_get(v, "inputs"), *ex = vec_get(v, "expected");
    n_used = 0;
    if (strcmp(id, "ms-nlmp-4.2.4-ntlmv2") == 0)
        check_ms_nlmp(in, ex);
    else if (strcmp(id, "anatomy-blog-ntlmv2-smb311") == 0)
        check_anatomy(in, ex);
    else if (strncmp(id, "enc311blog-", 11) == 0)
        check_enc311(id, in, ex);
    else
        fail_msg("no check written for vector %s", id);
    assert_all_checked(in, "inputs");
    assert_all_checked(ex, "expected");
}

int main(void)
{
    json_object *root = vec_load("ntlm.json");
    preauth_root = vec_load("smb311_preauth_integrity.json");
    int failed = vec_run("ntlm.json", vec_get(root, "vectors"), ntlm_vector);
    json_object_put(preauth_root);
    json_object_put(root);
    return failed;
}
