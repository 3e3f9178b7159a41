/* The Windows-name view: every name maps both ways, and the defaults read
 * exactly as Windows 11 24H2 shows them. */
#include "config/config.h"
#include "config/winview.h"
#include "config/writer.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char err[512];

static const char client_defaults[] =
    "AuditServerDoesNotSupportSigning : False\n"
    "EnableInsecureGuestLogons        : False\n"
    "EnableSecuritySignature          : True\n"
    "EncryptionCiphers                : AES_128_GCM, AES_128_CCM, AES_256_GCM, AES_256_CCM\n"
    "RequireEncryption                : False\n"
    "RequireSecuritySignature         : True\n"
    "SigningAlgorithms                : AES-128-GMAC, AES-128-CMAC, HMAC-SHA256\n"
    "Smb2DialectMax                   : None\n"
    "Smb2DialectMin                   : None\n";

static const char server_defaults[] =
    "AuditClientDoesNotSupportSigning   : False\n"
    "EnableSecuritySignature            : True\n"
    "EncryptData                        : False\n"
    "EncryptionCiphers                  : AES_128_GCM, AES_128_CCM, AES_256_GCM, AES_256_CCM\n"
    "InvalidAuthenticationDelayTimeInMs : 2000\n"
    "RequireSecuritySignature           : True\n"
    "SigningAlgorithms                  : AES-128-GMAC, AES-128-CMAC, HMAC-SHA256\n"
    "Smb2DialectMax                     : None\n"
    "Smb2DialectMin                     : None\n";

static void expect_list(const struct cfg *c, enum wv_role role, const struct wv_filter *f,
                        const char *want)
{
    struct buf b = BUF_INIT;
    assert_true(nt_ok(wv_format_list(c, role, f, &b)));
    assert_true(nt_ok(buf_append(&b, "", 1)));
    assert_string_equal((const char *)b.p, want);
    buf_free(&b);
}

static void defaults_read_as_windows_11_24h2(void **state)
{
    (void)state;
    struct cfg c;
    cfg_defaults(&c);
    expect_list(&c, WV_CLIENT, NULL, client_defaults);
    expect_list(&c, WV_SERVER, NULL, server_defaults);
}

static void json_of_the_defaults(void **state)
{
    (void)state;
    struct cfg c;
    cfg_defaults(&c);
    const char *names[] = {"requiresecuritysignature", "EncryptionCiphers", "Smb2DialectMin",
                           "InvalidAuthenticationDelayTimeInMs"};
    struct wv_filter f = {names, 4};
    struct buf b = BUF_INIT;
    assert_true(nt_ok(wv_format_json(&c, WV_SERVER, &f, 2, &b)));
    assert_true(nt_ok(buf_append(&b, "", 1)));
    assert_string_equal((const char *)b.p,
                        "{\n"
                        "    \"EncryptionCiphers\": [\"AES_128_GCM\", \"AES_128_CCM\", "
                        "\"AES_256_GCM\", \"AES_256_CCM\"],\n"
                        "    \"InvalidAuthenticationDelayTimeInMs\": 2000,\n"
                        "    \"RequireSecuritySignature\": true,\n"
                        "    \"Smb2DialectMin\": \"None\"\n"
                        "  }");
    buf_reset(&b);
    const char *none[] = {"InvalidAuthenticationDelayTimeInMs"};
    struct wv_filter g = {none, 1};
    assert_true(nt_ok(wv_format_json(&c, WV_CLIENT, &g, 0, &b)));
    assert_int_equal(b.len, 2);
    assert_memory_equal(b.p, "{}", 2);
    buf_free(&b);
}

static void filter_keeps_padding_to_what_is_shown(void **state)
{
    (void)state;
    struct cfg c;
    cfg_defaults(&c);
    const char *names[] = {"REQUIRESECURITYSIGNATURE", "EnableInsecureGuestLogons"};
    struct wv_filter f = {names, 2};
    expect_list(&c, WV_CLIENT, &f,
                "EnableInsecureGuestLogons : False\n"
                "RequireSecuritySignature  : True\n");
    expect_list(&c, WV_SERVER, &f, "RequireSecuritySignature : True\n");
}

static void table_is_sorted_and_names_are_found_ignoring_case(void **state)
{
    (void)state;
    for (size_t i = 1; i < wv_count(); i++) {
        const struct wv_setting *a = wv_at(i - 1), *b = wv_at(i);
        assert_true(a->role < b->role || (a->role == b->role && strcmp(a->name, b->name) < 0));
    }
    assert_null(wv_at(wv_count()));
    assert_ptr_equal(wv_find(WV_CLIENT, "requiresecuritysignature"),
                     wv_find(WV_CLIENT, "RequireSecuritySignature"));
    assert_non_null(wv_find(WV_SERVER, "invalidauthenticationdelaytimeinms"));
    assert_null(wv_find(WV_CLIENT, "InvalidAuthenticationDelayTimeInMs"));
    assert_null(wv_find(WV_SERVER, "EnableInsecureGuestLogons"));
    assert_null(wv_find(WV_SERVER, "RequireEncryption"));
    char names[1024];
    wv_names(WV_SERVER, names, sizeof names);
    assert_string_equal(names, "AuditClientDoesNotSupportSigning, EnableSecuritySignature, "
                               "EncryptData, EncryptionCiphers, "
                               "InvalidAuthenticationDelayTimeInMs, RequireSecuritySignature, "
                               "SigningAlgorithms, Smb2DialectMax, Smb2DialectMin");
}

/* One Windows value through the Samba key and the loader, and back. */
struct mapping {
    enum wv_role role;
    const char *name, *value; /* as given to `signet config set` */
    const char *key, *samba;  /* what the file receives */
    const char *shown;        /* what `signet config show` prints afterwards */
};

static const struct mapping mappings[] = {
    {WV_CLIENT, "RequireSecuritySignature", "False", "client signing", "desired", "False"},
    {WV_CLIENT, "RequireSecuritySignature", "$true", "client signing", "required", "True"},
    {WV_CLIENT, "EnableInsecureGuestLogons", "True", "client insecure guest logons", "yes", "True"},
    {WV_CLIENT, "RequireEncryption", "true", "client smb encrypt", "required", "True"},
    {WV_CLIENT, "AuditServerDoesNotSupportSigning", "1", "client signing audit", "yes", "True"},
    {WV_CLIENT, "Smb2DialectMin", "3.1.1", "client min protocol", "SMB3_11", "SMB311"},
    {WV_CLIENT, "Smb2DialectMin", "SMB3_00", "client min protocol", "SMB3_00", "SMB300"},
    {WV_CLIENT, "Smb2DialectMin", "smb302", "client min protocol", "SMB3_02", "SMB302"},
    {WV_CLIENT, "Smb2DialectMin", "None", "client min protocol", "SMB2_02", "None"},
    {WV_CLIENT, "Smb2DialectMax", "2.1", "client max protocol", "SMB2_10", "SMB210"},
    {WV_CLIENT, "Smb2DialectMax", "SMB3", "client max protocol", "SMB3_11", "None"},
    {WV_CLIENT, "SigningAlgorithms", "AES-128-GMAC,AES-128-CMAC", "client smb3 signing algorithms",
     "AES-128-GMAC, AES-128-CMAC", "AES-128-GMAC, AES-128-CMAC"},
    {WV_SERVER, "RequireSecuritySignature", "False", "server signing", "auto", "False"},
    {WV_SERVER, "RequireSecuritySignature", "True", "server signing", "mandatory", "True"},
    {WV_SERVER, "EncryptData", "True", "server smb encrypt", "required", "True"},
    {WV_SERVER, "EncryptData", "False", "server smb encrypt", "if_required", "False"},
    {WV_SERVER, "AuditClientDoesNotSupportSigning", "True", "server signing audit", "yes", "True"},
    {WV_SERVER, "InvalidAuthenticationDelayTimeInMs", "0", "invalid authentication delay", "0",
     "0"},
    {WV_SERVER, "InvalidAuthenticationDelayTimeInMs", "10000", "invalid authentication delay",
     "10000", "10000"},
    {WV_SERVER, "Smb2DialectMin", "SMB311", "server min protocol", "SMB3_11", "SMB311"},
    {WV_SERVER, "Smb2DialectMax", "3.0.2", "server max protocol", "SMB3_02", "SMB302"},
    {WV_SERVER, "SigningAlgorithms", "hmac_sha256 aes-128-cmac", "server smb3 signing algorithms",
     "HMAC-SHA256, AES-128-CMAC", "HMAC-SHA256, AES-128-CMAC"},
};

static void check_mapping(const struct mapping *m)
{
    const struct wv_setting *s = wv_find(m->role, m->name);
    assert_non_null(s);
    char samba[WV_VALUE_MAX], shown[WV_VALUE_MAX];
    if (!nt_ok(wv_to_samba(s, m->value, samba, err, sizeof err)))
        fail_msg("%s %s: %s", m->name, m->value, err);
    assert_string_equal(s->key, m->key);
    assert_string_equal(samba, m->samba);
    struct cfg_edit e;
    if (!nt_ok(
            cfg_edit_text("t.conf", "", wv_section(m->role), s->key, samba, &e, err, sizeof err)))
        fail_msg("%s = %s: %s", s->key, samba, err);
    struct cfg c;
    cfg_defaults(&c);
    assert_true(nt_ok(cfg_load_string("t.conf", e.text, &c, err, sizeof err)));
    cfg_edit_free(&e);
    wv_get(s, &c, shown);
    assert_string_equal(shown, m->shown);
}

static void every_name_maps_both_ways(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof mappings / sizeof mappings[0]; i++)
        check_mapping(&mappings[i]);
    /* and every settable name: its default value maps to a key that loads
     * and reads back the same */
    struct cfg d;
    cfg_defaults(&d);
    for (size_t i = 0; i < wv_count(); i++) {
        const struct wv_setting *s = wv_at(i);
        if (!s->key)
            continue;
        char v[WV_VALUE_MAX], samba[WV_VALUE_MAX];
        wv_get(s, &d, v);
        assert_true(nt_ok(wv_to_samba(s, v, samba, err, sizeof err)));
        struct mapping m = {s->role, s->name, v, s->key, samba, v};
        check_mapping(&m);
    }
}

static void invalid_values_and_fixed_settings_are_refused(void **state)
{
    (void)state;
    static const char *const bad[][3] = {
        {"server", "InvalidAuthenticationDelayTimeInMs", "150"},
        {"server", "InvalidAuthenticationDelayTimeInMs", "10100"},
        {"server", "InvalidAuthenticationDelayTimeInMs", "-100"},
        {"server", "InvalidAuthenticationDelayTimeInMs", "2s"},
        {"client", "RequireSecuritySignature", "maybe"},
        {"client", "RequireSecuritySignature", ""},
        {"client", "Smb2DialectMin", "SMB1"},
        {"client", "Smb2DialectMin", "3.1"},
        {"client", "SigningAlgorithms", "AES-256-GMAC"},
        {"client", "SigningAlgorithms", "AES-128-CMAC,AES-128-CMAC"},
        {"server", "EncryptData", "desired"},
    };
    char samba[WV_VALUE_MAX];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        enum wv_role role = strcmp(bad[i][0], "client") ? WV_SERVER : WV_CLIENT;
        const struct wv_setting *s = wv_find(role, bad[i][1]);
        assert_non_null(s);
        assert_true(
            nt_eq(wv_to_samba(s, bad[i][2], samba, err, sizeof err), STATUS_INVALID_PARAMETER));
    }
    wv_to_samba(wv_find(WV_SERVER, "InvalidAuthenticationDelayTimeInMs"), "150", samba, err,
                sizeof err);
    assert_string_equal(err, "invalid value '150' for InvalidAuthenticationDelayTimeInMs "
                             "(server): expected milliseconds from 0 to 10000 in steps of 100 "
                             "(0 disables)");
    assert_true(nt_eq(
        wv_to_samba(wv_find(WV_CLIENT, "EnableSecuritySignature"), "False", samba, err, sizeof err),
        STATUS_INVALID_PARAMETER));
    assert_non_null(strstr(err, "SMB1"));
    assert_true(nt_eq(
        wv_to_samba(wv_find(WV_SERVER, "EncryptionCiphers"), "AES_128_GCM", samba, err, sizeof err),
        STATUS_INVALID_PARAMETER));
}

static void show_follows_the_file(void **state)
{
    (void)state;
    struct cfg c;
    cfg_defaults(&c);
    assert_true(nt_ok(cfg_load_string("t.conf",
                                      "[global]\n server signing = auto\n"
                                      " server smb encrypt = desired\n"
                                      " invalid authentication delay = 0\n"
                                      "[client]\n client signing = disabled\n"
                                      " client max protocol = SMB3_02\n",
                                      &c, err, sizeof err)));
    const char *names[] = {"RequireSecuritySignature", "EncryptData", "RequireEncryption",
                           "InvalidAuthenticationDelayTimeInMs", "Smb2DialectMax"};
    struct wv_filter f = {names, 5};
    expect_list(&c, WV_SERVER, &f,
                "EncryptData                        : False\n"
                "InvalidAuthenticationDelayTimeInMs : 0\n"
                "RequireSecuritySignature           : False\n"
                "Smb2DialectMax                     : None\n");
    expect_list(&c, WV_CLIENT, &f,
                "RequireEncryption        : False\n"
                "RequireSecuritySignature : False\n"
                "Smb2DialectMax           : SMB302\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_read_as_windows_11_24h2),
        cmocka_unit_test(json_of_the_defaults),
        cmocka_unit_test(filter_keeps_padding_to_what_is_shown),
        cmocka_unit_test(table_is_sorted_and_names_are_found_ignoring_case),
        cmocka_unit_test(every_name_maps_both_ways),
        cmocka_unit_test(invalid_values_and_fixed_settings_are_refused),
        cmocka_unit_test(show_follows_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
