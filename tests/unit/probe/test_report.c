/* Verdicts and formatting of probe results (verdict.c, report.c,
 * report_json.c): JSON escaping and validity (parsed back with json-c),
 * CSV quoting, the human table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "probe/report.h"
#include "wire/smb2.h"
#include "wire/smb2_names.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

/* A buffer as a NUL-terminated string. */
static const char *text(struct buf *b)
{
    assert_true(nt_ok(buf_append(b, "", 1)));
    b->len--;
    return (const char *)b->p;
}

static void fill_dialect(struct probe_result *r, int i, uint16_t mode)
{
    struct probe_dialect *d = &r->dialects[i];
    d->tried = d->accepted = true;
    d->status = STATUS_SUCCESS;
    d->security_mode = mode;
    d->capabilities = SMB2_GLOBAL_CAP_DFS | SMB2_GLOBAL_CAP_LARGE_MTU;
    for (int k = 0; k < 16; k++)
        d->server_guid[k] = (uint8_t)k;
    d->system_time = 133801632000000000ull; /* 2025-01-01T00:00:00Z */
    d->max_transact_size = d->max_read_size = d->max_write_size = 8388608;
}

/* A Samba-like server: 2.1 .. 3.1.1, signing as given, guest as given. */
static struct probe_result server(const char *host, uint16_t mode, bool guest)
{
    struct probe_result r;
    memset(&r, 0, sizeof r);
    snprintf(r.host, sizeof r.host, "%s", host);
    r.addr.sin_family = AF_INET;
    r.addr.sin_addr.s_addr = htonl(0x7F000002);
    r.port = 445;
    r.reachable = true;
    r.dialects[0].tried = true;
    r.dialects[0].status = STATUS_NOT_SUPPORTED;
    for (int i = 1; i < PROBE_N_DIALECTS; i++)
        fill_dialect(&r, i, mode);
    r.smb1 = (struct probe_smb1){.tried = true, .status = STATUS_NOT_SUPPORTED};
    for (int v = 0; v < PROBE_N_SIGN_OFFER; v++) {
        r.signing[v] = (struct probe_offer){.tried = true,
                                            .answered = true,
                                            .present = v > 0,
                                            .picked = (uint16_t)(v > 0 ? v - 1 : 0)};
        r.ciphers[v] = (struct probe_offer){.tried = true,
                                            .answered = true,
                                            .present = true,
                                            .picked = (uint16_t)(v == 3 ? 0 : v + 1)};
    }
    r.anonymous =
        (struct probe_session){.tried = true, .granted = true, .dialect = SMB2_DIALECT_0311};
    r.guest = (struct probe_session){.tried = true,
                                     .granted = guest,
                                     .status = guest ? STATUS_SUCCESS : STATUS_LOGON_FAILURE,
                                     .session_flags = guest ? SMB2_SESSION_FLAG_IS_GUEST : 0,
                                     .dialect = SMB2_DIALECT_0311};
    snprintf(r.guest_user, sizeof r.guest_user, "signet-probe-0badf00d");
    return r;
}

static struct probe_result unreachable(const char *host)
{
    struct probe_result r;
    memset(&r, 0, sizeof r);
    snprintf(r.host, sizeof r.host, "%s", host);
    r.addr.sin_family = AF_INET;
    r.addr.sin_addr.s_addr = htonl(0x7F000063);
    r.port = 445;
    r.error = STATUS_CONNECTION_REFUSED;
    return r;
}

#define MODE_REQ (SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED)

static void test_verdicts(void **state)
{
    (void)state;
    struct probe_result r = server("a", MODE_REQ, false);
    assert_int_equal(probe_max_dialect(&r), SMB2_DIALECT_0311);
    assert_int_equal(probe_signing_verdict(&r), PROBE_SIGNING_REQUIRED);
    assert_false(probe_relayable(&r));
    r = server("b", SMB2_NEGOTIATE_SIGNING_ENABLED, true);
    assert_int_equal(probe_signing_verdict(&r), PROBE_SIGNING_NOT_REQUIRED);
    assert_true(probe_relayable(&r));
    /* The verdict is the highest dialect's, as nmap reads it. */
    r.dialects[4].security_mode = MODE_REQ;
    assert_int_equal(probe_signing_verdict(&r), PROBE_SIGNING_REQUIRED);
    r.dialects[4].accepted = false;
    assert_int_equal(probe_max_dialect(&r), SMB2_DIALECT_0302);
    assert_int_equal(probe_signing_verdict(&r), PROBE_SIGNING_NOT_REQUIRED);
    r.dialects[3].security_mode = 0;
    assert_int_equal(probe_signing_verdict(&r), PROBE_SIGNING_DISABLED);
    assert_true(probe_relayable(&r));
    r = unreachable("c");
    assert_int_equal(probe_signing_verdict(&r), PROBE_SIGNING_UNKNOWN);
    assert_false(probe_relayable(&r));
    assert_string_equal(smb2_dialect_name(SMB2_DIALECT_0210), "2.1");
    assert_string_equal(probe_cipher_name(SMB2_CIPHER_AES256_GCM), "AES-256-GCM");
}

static void test_json_string(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    assert_true(nt_ok(report_json_string(&b, "a\"b\\c\n\t\x01\x7f/é")));
    assert_string_equal(text(&b), "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f/é\"");
    buf_free(&b);
}

static void test_csv_field(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    assert_true(nt_ok(report_csv_field(&b, "plain")));
    assert_true(nt_ok(report_csv_field(&b, "|a,b|")));
    assert_true(nt_ok(report_csv_field(&b, "say \"hi\"")));
    assert_true(nt_ok(report_csv_field(&b, "=cmd()")));
    assert_true(nt_ok(report_csv_field(&b, "two\nlines")));
    assert_string_equal(text(&b), "plain\"|a,b|\"\"say \"\"hi\"\"\"\"=cmd()\"\"two\nlines\"");
    buf_free(&b);
}

static void test_time_and_guid(void **state)
{
    (void)state;
    char s[40];
    report_filetime(133801632000000000ull, s, sizeof s);
    assert_string_equal(s, "2025-01-01T00:00:00Z");
    report_filetime(0, s, sizeof s);
    assert_string_equal(s, "unknown");
    static const uint8_t g[16] = {0x39, 0xcb, 0xca, 0xf3, 0x29, 0x71, 0x49, 0x42,
                                  0xbd, 0xce, 0x5d, 0x60, 0xf0, 0x9a, 0xb3, 0xfb};
    report_guid(g, s, sizeof s);
    assert_string_equal(s, "f3cacb39-7129-4249-bdce-5d60f09ab3fb");
}

static json_object *parse(struct buf *b)
{
    json_object *o = json_tokener_parse(text(b));
    assert_non_null(o);
    return o;
}

static json_object *get(json_object *o, const char *k)
{
    json_object *v = NULL;
    assert_true(json_object_object_get_ex(o, k, &v));
    return v;
}

static void test_probe_json(void **state)
{
    (void)state;
    struct probe_result r = server("nas \"lab\"", MODE_REQ, false);
    struct buf b = BUF_INIT;
    assert_true(nt_ok(probe_format_json(&r, &b)));
    json_object *o = parse(&b);
    assert_string_equal(json_object_get_string(get(o, "host")), "nas \"lab\"");
    assert_string_equal(json_object_get_string(get(o, "address")), "127.0.0.2");
    assert_true(json_object_get_boolean(get(o, "signing_required")));
    assert_string_equal(json_object_get_string(get(o, "max_dialect")), "3.1.1");
    json_object *d = get(o, "dialects");
    assert_int_equal(json_object_array_length(d), 5);
    json_object *d311 = json_object_array_get_idx(d, 4);
    assert_string_equal(json_object_get_string(get(d311, "name")), "SMB3_11");
    assert_true(json_object_get_boolean(get(d311, "signing_required")));
    assert_string_equal(json_object_get_string(get(d311, "server_guid")),
                        "03020100-0504-0706-0809-0a0b0c0d0e0f");
    json_object *d202 = json_object_array_get_idx(d, 0);
    assert_false(json_object_get_boolean(get(d202, "accepted")));
    assert_string_equal(json_object_get_string(get(d202, "status")), "STATUS_NOT_SUPPORTED");
    json_object *sign = get(o, "smb311_signing");
    assert_true(
        json_object_is_type(get(json_object_array_get_idx(sign, 0), "offered"), json_type_null));
    assert_string_equal(json_object_get_string(get(json_object_array_get_idx(sign, 3), "picked")),
                        "AES-128-GMAC");
    json_object *ciph = get(o, "smb311_ciphers");
    assert_true(json_object_get_boolean(get(json_object_array_get_idx(ciph, 0), "accepted")));
    assert_false(json_object_get_boolean(get(json_object_array_get_idx(ciph, 3), "accepted")));
    assert_false(json_object_get_boolean(get(get(o, "guest"), "granted")));
    assert_true(json_object_get_boolean(get(get(o, "anonymous"), "granted")));
    json_object_put(o);
    buf_free(&b);
}

static void test_scan_rows(void **state)
{
    (void)state;
    struct probe_result up = server("127.0.0.2", SMB2_NEGOTIATE_SIGNING_ENABLED, true);
    struct probe_result down = unreachable("host,with\"comma");
    struct buf b = BUF_INIT;
    assert_true(nt_ok(scan_format_csv_header(&b)));
    assert_true(nt_ok(scan_format_csv_row(&up, &b)));
    assert_true(nt_ok(scan_format_csv_row(&down, &b)));
    assert_string_equal(text(&b),
                        "host,address,port,reachable,smb1,dialects,max_dialect,signing_required,"
                        "anonymous,guest,ciphers_300,ciphers_302,ciphers_311,encryption_required,"
                        "error\n"
                        "127.0.0.2,127.0.0.2,445,yes,no,2.1 3.0 3.0.2 3.1.1,3.1.1,no,yes,yes,,,"
                        "AES-128-CCM AES-128-GCM AES-256-CCM,not required,\n"
                        "\"host,with\"\"comma\",127.0.0.99,445,no,,,,,,,,,,,"
                        "STATUS_CONNECTION_REFUSED\n");
    buf_reset(&b);
    assert_true(nt_ok(scan_format_json_row(&down, &b)));
    json_object *o = parse(&b);
    assert_false(json_object_get_boolean(get(o, "reachable")));
    assert_true(json_object_is_type(get(o, "signing_required"), json_type_null));
    assert_string_equal(json_object_get_string(get(o, "error")), "STATUS_CONNECTION_REFUSED");
    json_object_put(o);
    buf_reset(&b);
    assert_true(nt_ok(scan_format_json_row(&up, &b)));
    o = parse(&b);
    assert_false(json_object_get_boolean(get(o, "signing_required")));
    assert_true(json_object_get_boolean(get(o, "guest")));
    assert_int_equal(json_object_array_length(get(o, "dialects")), 4);
    json_object_put(o);
    buf_free(&b);
}

/* The ciphers per dialect and whether a session must encrypt. */
static void test_encryption_verdicts(void **state)
{
    (void)state;
    struct probe_result r = server("127.0.0.2", MODE_REQ, false);
    uint16_t ids[PROBE_N_CIPHERS];
    int i300 = probe_dialect_index(SMB2_DIALECT_0300),
        i302 = probe_dialect_index(SMB2_DIALECT_0302);
    assert_int_equal(probe_dialect_ciphers(&r, i300, ids), 0); /* no CAP_ENCRYPTION */
    r.dialects[i302].capabilities |= SMB2_GLOBAL_CAP_ENCRYPTION;
    assert_int_equal(probe_dialect_ciphers(&r, i302, ids), 1);
    assert_int_equal(ids[0], SMB2_CIPHER_AES128_CCM);
    assert_int_equal(probe_dialect_ciphers(&r, probe_dialect_index(SMB2_DIALECT_0210), ids), 0);
    assert_int_equal(probe_encrypt_verdict(&r), PROBE_ENCRYPT_NOT_REQUIRED); /* anonymous */
    r.anonymous.session_flags = SMB2_SESSION_FLAG_ENCRYPT_DATA;
    assert_int_equal(probe_encrypt_verdict(&r), PROBE_ENCRYPT_REQUIRED);
    r.anonymous.granted = false;
    assert_int_equal(probe_encrypt_verdict(&r), PROBE_ENCRYPT_UNKNOWN);
    struct buf b = BUF_INIT;
    assert_true(nt_ok(probe_format_json(&r, &b)));
    json_object *o = parse(&b);
    assert_string_equal(json_object_get_string(get(o, "encryption_required")), "unknown");
    json_object *c = get(o, "ciphers");
    assert_int_equal(json_object_array_length(get(c, "3.0")), 0);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(get(c, "3.0.2"), 0)),
                        "AES-128-CCM");
    assert_int_equal(json_object_array_length(get(c, "3.1.1")), 3);
    json_object_put(o);
    buf_reset(&b);
    assert_true(nt_ok(probe_format_text(&r, &b)));
    assert_non_null(strstr(text(&b), "  Encryption                SMB 3.1.1: AES-128-CCM "
                                     "AES-128-GCM AES-256-CCM; SMB 3.0.2: AES-128-CCM\n"));
    assert_non_null(strstr(text(&b), "  Encryption required       unknown"));
    for (int v = 0; v < PROBE_N_CIPHERS; v++)
        r.ciphers[v].present = false;
    r.dialects[i302].capabilities = 0;
    assert_int_equal(probe_encrypt_verdict(&r), PROBE_ENCRYPT_UNSUPPORTED);
    buf_free(&b);
}

static void test_text(void **state)
{
    (void)state;
    struct probe_result r = server("127.0.0.2", MODE_REQ, false);
    struct buf b = BUF_INIT;
    assert_true(nt_ok(probe_format_text(&r, &b)));
    const char *t = text(&b);
    assert_non_null(strstr(t, "SMB 3.1.1                 accepted, signing enabled and required"));
    assert_non_null(strstr(t, "SMB 2.0.2                 not accepted (STATUS_NOT_SUPPORTED)"));
    assert_non_null(strstr(t, "required (Message signing enabled and required)"));
    assert_non_null(strstr(t, "offered AES-128-GMAC      AES-128-GMAC"));
    assert_non_null(strstr(t, "offered AES-256-GCM       refused (cipher 0)"));
    assert_non_null(strstr(t, "Guest logon               refused (STATUS_LOGON_FAILURE)"));
    assert_non_null(strstr(t, "Server time               2025-01-01T00:00:00Z"));
    buf_reset(&b);
    r = unreachable("127.0.0.99");
    assert_true(nt_ok(probe_format_text(&r, &b)));
    assert_string_equal(
        text(&b), "127.0.0.99 (127.0.0.99) port 445: unreachable (STATUS_CONNECTION_REFUSED)\n");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdicts),
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_csv_field),
        cmocka_unit_test(test_time_and_guid),
        cmocka_unit_test(test_probe_json),
        cmocka_unit_test(test_scan_rows),
        cmocka_unit_test(test_encryption_verdicts),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
