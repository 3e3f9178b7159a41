/* NTLMSSP codecs and AV pairs: the real messages of [MS-NLMP] 4.2.4 and of a
 * Windows SMB 3.1.1 logon, the 32-byte NEGOTIATE without Version, round trips
 * with a MIC, truncations, bad offsets and lengths, malformed AV lists. */
#include "auth/ntlmssp.h"

#include "base/endian.h"

#include "auth_test_util.h"

#define assert_nt(expr)     assert_true(nt_ok(expr))
#define assert_not_nt(expr) assert_false(nt_ok(expr))

#define ANATOMY "anatomy-blog-ntlmv2-smb311"
#define NLMP    "ms-nlmp-4.2.4-ntlmv2"

static void decodes_windows_negotiate(void **state)
{
    (void)state;
    struct tbytes m = tu_ntlm_field(ANATOMY, "inputs", "negotiate_message_hex");
    struct ntlmssp_negotiate n;
    assert_int_equal(ntlmssp_message_type(m.p, m.len), NTLMSSP_MSG_NEGOTIATE);
    assert_nt(ntlmssp_decode_negotiate(m.p, m.len, &n));
    assert_int_equal(n.flags, 0xE2088297u);
    assert_true(n.flags & NTLMSSP_NEGOTIATE_KEY_EXCH);
    assert_true(n.has_version);
    assert_int_equal(n.version.major, 6);
    assert_int_equal(n.version.minor, 3);
    assert_int_equal(n.version.build, 9600);
    assert_int_equal(n.version.revision, NTLMSSP_REVISION_W2K3);
    assert_int_equal(n.domain.len, 0);
    assert_int_equal(n.workstation.len, 0);
    free(m.p);
}

/* impacket and old Linux cifs send NEGOTIATE without the Version field; the
 * flags may still carry NTLMSSP_NEGOTIATE_VERSION. */
static void decodes_32_byte_negotiate(void **state)
{
    (void)state;
    uint8_t m[32] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1, 0, 0, 0};
    struct ntlmssp_negotiate n;
    for (int with_flag = 0; with_flag < 2; with_flag++) {
        le32_put(m + 12, 0xE0888235u | (with_flag ? NTLMSSP_NEGOTIATE_VERSION : 0));
        le32_put(m + 20, 32); /* empty domain at offset 32 */
        le32_put(m + 28, 32);
        assert_nt(ntlmssp_decode_negotiate(m, sizeof m, &n));
        assert_false(n.has_version);
        assert_int_equal(n.domain.len, 0);
    }
    /* with an OEM workstation name right after the 32 bytes */
    uint8_t w[36];
    memcpy(w, m, 32);
    memcpy(w + 32, "HOST", 4);
    le16_put(w + 24, 4);
    le16_put(w + 26, 4);
    le32_put(w + 28, 32);
    assert_nt(ntlmssp_decode_negotiate(w, sizeof w, &n));
    assert_false(n.has_version); /* the flag is set but the payload starts at 32 */
    char name[16];
    assert_nt(ntlmssp_string_utf8(0, n.workstation, name, sizeof name));
    assert_string_equal(name, "HOST");
    /* it re-encodes to the same bytes */
    uint8_t out[64];
    size_t len = 0;
    n.domain.p = NULL;
    assert_nt(ntlmssp_encode_negotiate(&n, out, sizeof out, &len));
    assert_int_equal(len, 36);
    le32_put(w + 20, 0); /* we write offset 0 for the empty domain, as Windows does */
    assert_memory_equal(out, w, len);
}

static void decodes_challenge_and_target_info(void **state)
{
    (void)state;
    struct tbytes m = tu_ntlm_field(ANATOMY, "inputs", "challenge_message_hex");
    struct ntlmssp_challenge c;
    assert_nt(ntlmssp_decode_challenge(m.p, m.len, &c));
    assert_true(c.has_version);
    char name[64];
    assert_nt(ntlmssp_string_utf8(c.flags, c.target_name, name, sizeof name));
    assert_string_equal(name, "SUT311");
    static const uint16_t want_ids[] = {MSV_AV_NB_DOMAIN_NAME, MSV_AV_NB_COMPUTER_NAME,
                                        MSV_AV_DNS_DOMAIN_NAME, MSV_AV_DNS_COMPUTER_NAME,
                                        MSV_AV_TIMESTAMP};
    struct ntlm_av_iter it;
    uint16_t id = 0;
    struct ntlm_bytes v;
    size_t i = 0;
    ntlm_av_iter_init(&it, c.target_info.p, c.target_info.len);
    while (ntlm_av_next(&it, &id, &v)) {
        assert_true(i < 5);
        assert_int_equal(id, want_ids[i++]);
    }
    assert_int_equal(i, 5);
    assert_nt(ntlm_av_iter_status(&it));
    assert_nt(ntlm_av_validate(c.target_info.p, c.target_info.len));
    assert_nt(ntlm_av_find(c.target_info.p, c.target_info.len, MSV_AV_TIMESTAMP, &v));
    assert_int_equal(v.len, 8);
    assert_int_equal(ntlm_av_find(c.target_info.p, c.target_info.len, MSV_AV_FLAGS, &v).code,
                     STATUS_NOT_FOUND.code);
    free(m.p);
}

static void decodes_authenticate_with_mic(void **state)
{
    (void)state;
    struct tbytes m = tu_ntlm_field(ANATOMY, "inputs", "authenticate_message_hex");
    struct ntlmssp_authenticate a;
    assert_nt(ntlmssp_decode_authenticate(m.p, m.len, &a));
    assert_true(a.has_version);
    assert_true(a.has_mic);
    assert_memory_equal(a.mic, m.p + NTLMSSP_MIC_OFFSET, 16);
    assert_true(ntlmssp_auth_mic_required(&a));
    char s[64];
    assert_nt(ntlmssp_string_utf8(a.flags, a.user, s, sizeof s));
    assert_string_equal(s, "administrator");
    assert_nt(ntlmssp_string_utf8(a.flags, a.workstation, s, sizeof s));
    assert_string_equal(s, "DRIVER311");
    assert_int_equal(a.lm_response.len, 24);
    assert_int_equal(a.encrypted_session_key.len, 16);
    struct ntlm_bytes av, target;
    assert_nt(ntlmv2_response_av_pairs(a.nt_response, &av));
    assert_nt(ntlm_av_validate(av.p, av.len));
    assert_nt(ntlm_av_find(av.p, av.len, MSV_AV_TARGET_NAME, &target));
    assert_nt(ntlmssp_string_utf8(NTLMSSP_NEGOTIATE_UNICODE, target, s, sizeof s));
    assert_string_equal(s, "cifs/SUT311");
    free(m.p);
}

/* [MS-NLMP] 4.2.4: Version present, no MIC (payload starts at 72). */
static void authenticate_without_mic(void **state)
{
    (void)state;
    struct tbytes m = tu_ntlm_field(NLMP, "expected", "authenticate_message_hex");
    struct ntlmssp_authenticate a;
    assert_nt(ntlmssp_decode_authenticate(m.p, m.len, &a));
    assert_true(a.has_version);
    assert_false(a.has_mic);
    assert_false(ntlmssp_auth_mic_required(&a));
    free(m.p);
}

/* Each message: every prefix shorter than the message fails, except the
 * NEGOTIATE prefixes that are a valid versionless NEGOTIATE. */
static void check_truncations(const char *id, const char *group, const char *key)
{
    struct tbytes m = tu_ntlm_field(id, group, key);
    uint32_t type = ntlmssp_message_type(m.p, m.len);
    for (size_t len = 0; len < m.len; len++) {
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, m.p, len);
        ntstatus_t st;
        if (type == NTLMSSP_MSG_NEGOTIATE) {
            struct ntlmssp_negotiate n;
            st = ntlmssp_decode_negotiate(copy, len, &n);
            assert_true(nt_ok(st) == (len >= NTLMSSP_NEGOTIATE_FIXED));
            assert_true(!nt_ok(st) || !n.has_version);
        } else if (type == NTLMSSP_MSG_CHALLENGE) {
            struct ntlmssp_challenge c;
            assert_not_nt(ntlmssp_decode_challenge(copy, len, &c));
        } else {
            struct ntlmssp_authenticate a;
            assert_not_nt(ntlmssp_decode_authenticate(copy, len, &a));
        }
        free(copy);
    }
    free(m.p);
}

static void every_truncation_fails(void **state)
{
    (void)state;
    check_truncations(ANATOMY, "inputs", "negotiate_message_hex");
    check_truncations(ANATOMY, "inputs", "challenge_message_hex");
    check_truncations(ANATOMY, "inputs", "authenticate_message_hex");
    check_truncations(NLMP, "expected", "challenge_message_hex");
    check_truncations(NLMP, "expected", "authenticate_message_hex");
}

/* Rewrite one payload descriptor of a copy of the anatomy AUTHENTICATE. */
static ntstatus_t decode_auth_with_field(size_t field_at, uint16_t len, uint32_t off)
{
    struct tbytes m = tu_ntlm_field(ANATOMY, "inputs", "authenticate_message_hex");
    le16_put(m.p + field_at, len);
    le16_put(m.p + field_at + 2, len);
    le32_put(m.p + field_at + 4, off);
    struct ntlmssp_authenticate a;
    ntstatus_t st = ntlmssp_decode_authenticate(m.p, m.len, &a);
    free(m.p);
    return st;
}

static void bad_offsets_and_lengths_fail(void **state)
{
    (void)state;
    const size_t domain_field = 28;
    struct tbytes m = tu_ntlm_field(ANATOMY, "inputs", "authenticate_message_hex");
    size_t total = m.len;
    free(m.p);
    assert_nt(decode_auth_with_field(domain_field, 12, 0x58));   /* as sent */
    assert_not_nt(decode_auth_with_field(domain_field, 12, 0));  /* into the signature */
    assert_not_nt(decode_auth_with_field(domain_field, 12, 40)); /* into the descriptors */
    assert_not_nt(decode_auth_with_field(domain_field, 12, 80)); /* into the MIC */
    assert_not_nt(decode_auth_with_field(domain_field, 12, (uint32_t)total - 11)); /* past end */
    assert_not_nt(decode_auth_with_field(domain_field, 12, 0xFFFFFFFFu));
    assert_not_nt(decode_auth_with_field(domain_field, 0xFFFF, 0x58));
    assert_nt(decode_auth_with_field(domain_field, 12, (uint32_t)total - 12)); /* at the end */
    assert_nt(decode_auth_with_field(domain_field, 0, 0xFFFFFFFFu)); /* empty: offset unused */
    /* a payload at offset 64 leaves no room for Version or MIC: the MIC that
     * MsvAvFlags announces is missing, so the message is refused ... */
    struct tbytes n = tu_ntlm_field(ANATOMY, "inputs", "authenticate_message_hex");
    struct ntlmssp_authenticate a;
    le32_put(n.p + domain_field + 4, 64);
    assert_not_nt(ntlmssp_decode_authenticate(n.p, n.len, &a));
    le32_put(n.p + domain_field + 4, 0x58);
    /* ... but without the MIC flag it is an NT4-era AUTHENTICATE: no Version */
    struct tbytes old = tu_ntlm_field(NLMP, "expected", "authenticate_message_hex");
    le32_put(old.p + domain_field + 4, 64);
    assert_nt(ntlmssp_decode_authenticate(old.p, old.len, &a));
    assert_false(a.has_version);
    assert_false(a.has_mic);
    free(old.p);
    /* wrong signature, wrong type */
    n.p[0] = 'X';
    assert_not_nt(ntlmssp_decode_authenticate(n.p, n.len, &a));
    assert_int_equal(ntlmssp_message_type(n.p, n.len), 0);
    n.p[0] = 'N';
    n.p[8] = 2;
    assert_not_nt(ntlmssp_decode_authenticate(n.p, n.len, &a));
    free(n.p);
}

/* NTProofStr || NTLMv2_CLIENT_CHALLENGE whose MsvAvFlags announces a MIC. */
static size_t mic_flagged_nt_response(uint8_t *buf, size_t cap)
{
    struct wr w;
    wr_init(&w, buf, cap);
    wr_zero(&w, 16);    /* NTProofStr */
    wr_u16(&w, 0x0101); /* RespType, HiRespType */
    wr_zero(&w, 6 + 8 + 8 + 4);
    ntlm_av_put_u32(&w, MSV_AV_FLAGS, MSV_AV_FLAG_MIC_PRESENT);
    ntlm_av_put_eol(&w);
    wr_zero(&w, 4);
    assert_nt(wr_status(&w));
    return wr_pos(&w);
}

static void authenticate_round_trip_with_mic(void **state)
{
    (void)state;
    uint8_t buf[3][64], out[512];
    struct ntlmssp_authenticate in = {.flags =
                                          NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_VERSION,
                                      .has_version = true,
                                      .version = {10, 0, 20348, NTLMSSP_REVISION_W2K3},
                                      .has_mic = true};
    static const uint8_t lm[24], key[16] = {9};
    uint8_t nt[80];
    size_t nt_len = mic_flagged_nt_response(nt, sizeof nt);
    in.lm_response = (struct ntlm_bytes){lm, sizeof lm};
    in.nt_response = (struct ntlm_bytes){nt, nt_len};
    in.encrypted_session_key = (struct ntlm_bytes){key, sizeof key};
    assert_nt(ntlmssp_wire_string(in.flags, "DOM", buf[0], 64, &in.domain));
    assert_nt(ntlmssp_wire_string(in.flags, "Jürgen", buf[1], 64, &in.user));
    assert_nt(ntlmssp_wire_string(in.flags, "", buf[2], 64, &in.workstation));
    size_t len = 0;
    assert_nt(ntlmssp_encode_authenticate(&in, out, sizeof out, &len));
    static const uint8_t mic[16] = {0xAA, 0xBB};
    assert_nt(ntlmssp_patch_mic(out, len, mic));
    struct ntlmssp_authenticate a;
    assert_nt(ntlmssp_decode_authenticate(out, len, &a));
    assert_true(a.has_mic && a.has_version);
    assert_memory_equal(a.mic, mic, 16);
    assert_int_equal(a.version.build, 20348);
    char s[32];
    assert_nt(ntlmssp_string_utf8(a.flags, a.user, s, sizeof s));
    assert_string_equal(s, "Jürgen");
    assert_int_equal(a.nt_response.len, nt_len);
    assert_int_equal(a.workstation.len, 0);
    /* too small a buffer fails cleanly */
    assert_not_nt(ntlmssp_encode_authenticate(&in, out, 100, &len));
    assert_int_equal(len, 0);
    assert_not_nt(ntlmssp_patch_mic(out, 80, mic));
}

static void oem_strings_are_ascii_only(void **state)
{
    (void)state;
    uint8_t buf[16];
    struct ntlm_bytes b;
    char s[16];
    assert_nt(ntlmssp_wire_string(0, "WORKGROUP", buf, sizeof buf, &b));
    assert_int_equal(b.len, 9);
    assert_not_nt(ntlmssp_wire_string(0, "Jürgen", buf, sizeof buf, &b));
    assert_not_nt(ntlmssp_wire_string(0, "WORKGROUP", buf, 4, &b));
    assert_nt(ntlmssp_string_utf8(0, (struct ntlm_bytes){(const uint8_t *)"AB", 2}, s, sizeof s));
    assert_string_equal(s, "AB");
    assert_not_nt(
        ntlmssp_string_utf8(0, (struct ntlm_bytes){(const uint8_t *)"A\x80", 2}, s, sizeof s));
    assert_not_nt(ntlmssp_string_utf8(0, (struct ntlm_bytes){(const uint8_t *)"ABCD", 4}, s, 4));
    /* odd-length UTF-16 */
    assert_not_nt(ntlmssp_string_utf8(
        NTLMSSP_NEGOTIATE_UNICODE, (struct ntlm_bytes){(const uint8_t *)"A\0B", 3}, s, sizeof s));
}

static void malformed_av_lists_fail(void **state)
{
    (void)state;
    static const uint8_t no_eol[] = {0x01, 0x00, 0x02, 0x00, 'A', 0x00};
    static const uint8_t eol_with_len[] = {0x00, 0x00, 0x02, 0x00, 0x00, 0x00};
    static const uint8_t overrun[] = {0x01, 0x00, 0x10, 0x00, 'A', 0x00, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t short_ts[] = {0x07, 0x00, 0x04, 0x00, 1, 2, 3, 4, 0, 0, 0, 0};
    static const uint8_t short_flags[] = {0x06, 0x00, 0x02, 0x00, 1, 2, 0, 0, 0, 0};
    static const uint8_t trailing[] = {0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF};
    assert_not_nt(ntlm_av_validate(no_eol, sizeof no_eol));
    assert_not_nt(ntlm_av_validate(eol_with_len, sizeof eol_with_len));
    assert_not_nt(ntlm_av_validate(overrun, sizeof overrun));
    assert_not_nt(ntlm_av_validate(short_ts, sizeof short_ts));
    assert_not_nt(ntlm_av_validate(short_flags, sizeof short_flags));
    assert_not_nt(ntlm_av_validate(NULL, 0));
    assert_nt(ntlm_av_validate(trailing, sizeof trailing)); /* after EOL: ignored */
    struct ntlm_bytes v;
    assert_not_nt(ntlm_av_find(no_eol, sizeof no_eol, MSV_AV_FLAGS, &v));
    assert_int_equal(ntlm_av_find(no_eol, sizeof no_eol, 1, &v).code, STATUS_SUCCESS.code);
    struct ntlm_bytes bad_resp = {no_eol, sizeof no_eol};
    assert_not_nt(ntlmv2_response_av_pairs(bad_resp, &v));
}

/* The client's AV list: the server's pairs, MsvAvFlags with the MIC bit (the
 * server's bits kept), channel bindings, target name, EOL. */
static void builds_client_av_list(void **state)
{
    (void)state;
    uint8_t server[128], client[256];
    struct wr w;
    wr_init(&w, server, sizeof server);
    ntlm_av_put_utf16(&w, MSV_AV_NB_DOMAIN_NAME, "SUT311");
    ntlm_av_put_u32(&w, MSV_AV_FLAGS, MSV_AV_FLAG_ACCOUNT_CONSTRAINED);
    ntlm_av_put_u64(&w, MSV_AV_TIMESTAMP, 0x01D0AECBADF5A1A1ull);
    ntlm_av_put_eol(&w);
    assert_nt(wr_status(&w));
    size_t server_len = wr_pos(&w);
    struct ntlm_av_client_opts opts = {.with_mic = true, .target_spn = "cifs/SUT311"};
    wr_init(&w, client, sizeof client);
    ntlm_av_build_client(&w, server, server_len, &opts);
    assert_nt(wr_status(&w));
    assert_nt(ntlm_av_validate(client, wr_pos(&w)));
    static const uint16_t want[] = {MSV_AV_NB_DOMAIN_NAME, MSV_AV_TIMESTAMP, MSV_AV_FLAGS,
                                    MSV_AV_CHANNEL_BINDINGS, MSV_AV_TARGET_NAME};
    struct ntlm_av_iter it;
    uint16_t id = 0;
    struct ntlm_bytes v;
    size_t i = 0;
    ntlm_av_iter_init(&it, client, wr_pos(&w));
    while (ntlm_av_next(&it, &id, &v)) {
        assert_true(i < 5);
        assert_int_equal(id, want[i++]);
        if (id == MSV_AV_FLAGS)
            assert_int_equal(le32_get(v.p),
                             MSV_AV_FLAG_ACCOUNT_CONSTRAINED | MSV_AV_FLAG_MIC_PRESENT);
        if (id == MSV_AV_CHANNEL_BINDINGS) {
            static const uint8_t zero[16];
            assert_memory_equal(v.p, zero, 16);
        }
    }
    assert_int_equal(i, 5);
    /* a malformed server list poisons the writer */
    wr_init(&w, client, sizeof client);
    ntlm_av_build_client(&w, server, 6, &opts);
    assert_not_nt(wr_status(&w));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_windows_negotiate),
        cmocka_unit_test(decodes_32_byte_negotiate),
        cmocka_unit_test(decodes_challenge_and_target_info),
        cmocka_unit_test(decodes_authenticate_with_mic),
        cmocka_unit_test(authenticate_without_mic),
        cmocka_unit_test(every_truncation_fails),
        cmocka_unit_test(bad_offsets_and_lengths_fail),
        cmocka_unit_test(authenticate_round_trip_with_mic),
        cmocka_unit_test(oem_strings_are_ascii_only),
        cmocka_unit_test(malformed_av_lists_fail),
        cmocka_unit_test(builds_client_av_list),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    tu_free_all();
    return failed;
}
