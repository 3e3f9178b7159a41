/* signet.conf: typed values, defaults, and errors that name file, line, fix. */
#include "config/config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static void defaults_are_windows_24h2(void **state)
{
    (void)state;
    struct cfg c;
    cfg_defaults(&c);
    assert_int_equal(c.server.policy.signing, SEC_SERVER_SIGNING_MANDATORY);
    assert_int_equal(c.client.policy.signing, SEC_CLIENT_SIGNING_REQUIRED);
    assert_false(c.client.policy.allow_insecure_guest);
    assert_int_equal(c.client.policy.algs.count, 3);
    assert_int_equal(c.client.policy.algs.ids[0], SMB2_SIGNING_AES_GMAC);
    assert_int_equal(c.server.invalid_auth_delay_ms, 2000);
    assert_int_equal(c.server.busy_poll_us, 50);
    assert_int_equal(c.server.map_to_guest, CFG_MAP_TO_GUEST_NEVER);
    assert_int_equal(c.server.min_protocol, SMB2_DIALECT_0202);
    assert_int_equal(c.server.max_protocol, SMB2_DIALECT_0311);
}

static const char full[] = "# a comment\n"
                           "[global]\n"
                           "  listen = 127.0.0.1:4455, [::1]:4456\n"
                           "  server signing = auto\n"
                           "  Server_SMB3_Signing_Algorithms = AES-128-CMAC HMAC-SHA256\n"
                           "  server min protocol = SMB3_00\n"
                           "  map to guest = Bad User\n"
                           "  user database = /var/lib/signet/users.db\n"
                           "  max connections = 50\n"
                           "  log level = 2\n"
                           "  server signing audit = yes\n"
                           "  invalid authentication delay = 0\n"
                           "  busy poll = 0\n"
                           "[client]\n"
                           "  client signing = desired\n"
                           "  client insecure guest logons = yes\n"
                           "  client max protocol = SMB3_02\n"
                           "[data]\n"
                           "  path = /srv/data\n"
                           "  writeable = yes\n"
                           "  valid users = alice, bob\n"
                           "  durable handles = no\n"
                           "[public]\n"
                           "  path = /srv/public ; inline comment\n"
                           "  guest ok = yes\n";

static void full_file_parses(void **state)
{
    (void)state;
    struct cfg c;
    cfg_defaults(&c);
    char err[256];
    ntstatus_t st = cfg_load_string("t.conf", full, &c, err, sizeof err);
    if (!nt_ok(st))
        fail_msg("%s", err);
    assert_int_equal(c.server.n_listen, 2);
    assert_string_equal(c.server.listen[1], "[::1]:4456");
    assert_int_equal(c.server.policy.signing, SEC_SERVER_SIGNING_AUTO);
    assert_int_equal(c.server.policy.algs.count, 2);
    assert_int_equal(c.server.policy.algs.ids[0], SMB2_SIGNING_AES_CMAC);
    assert_int_equal(c.server.policy.algs.ids[1], SMB2_SIGNING_HMAC_SHA256);
    assert_int_equal(c.server.min_protocol, SMB2_DIALECT_0300);
    assert_true(c.server.policy.allow_guest);
    assert_string_equal(c.server.user_database, "/var/lib/signet/users.db");
    assert_int_equal(c.server.max_connections, 50);
    assert_int_equal(c.server.log_level, CFG_LOG_INFO);
    assert_true(c.server.signing_audit);
    assert_int_equal(c.server.invalid_auth_delay_ms, 0);
    assert_int_equal(c.server.busy_poll_us, 0);
    assert_int_equal(c.client.policy.signing, SEC_CLIENT_SIGNING_DESIRED);
    assert_true(c.client.policy.allow_insecure_guest);
    assert_int_equal(c.client.max_protocol, SMB2_DIALECT_0302);
    assert_int_equal(c.n_shares, 2);
    const struct cfg_share *data = cfg_find_share(&c, "DATA");
    assert_non_null(data);
    assert_string_equal(data->path, "/srv/data");
    assert_false(data->read_only);
    assert_int_equal(data->n_valid_users, 2);
    assert_string_equal(data->valid_users[1], "bob");
    assert_false(data->durable_handles);
    const struct cfg_share *pub = cfg_find_share(&c, "public");
    assert_string_equal(pub->path, "/srv/public");
    assert_true(pub->read_only); /* Samba's default */
    assert_true(pub->guest_ok);
    assert_true(pub->durable_handles); /* the default */
}

static void expect_error(const char *text, const char *want_fragment)
{
    struct cfg c, before;
    cfg_defaults(&c);
    before = c;
    char err[256] = "";
    ntstatus_t st = cfg_load_string("bad.conf", text, &c, err, sizeof err);
    if (nt_ok(st))
        fail_msg("accepted: %s", text);
    if (!strstr(err, want_fragment))
        fail_msg("error '%s' lacks '%s'", err, want_fragment);
    /* Nothing half-applied. */
    assert_memory_equal(&c, &before, sizeof c);
}

static void errors_name_file_line_and_fix(void **state)
{
    (void)state;
    expect_error("[global]\nserver signing = sometimes\n",
                 "bad.conf:2: invalid value 'sometimes' for 'server signing': expected "
                 "mandatory, auto or disabled");
    expect_error("[global]\n\nfrobnicate = 1\n",
                 "bad.conf:3: unknown key 'frobnicate' in [global]");
    expect_error("[global]\nclient signing = required\n",
                 "bad.conf:2: 'client signing' belongs in [client], not in [global]");
    expect_error("[data]\npath = relative/dir\n", "bad.conf:2: invalid value 'relative/dir'");
    expect_error("[data]\nread only = no\n", "share [data] has no 'path'");
    expect_error("[global]\nserver min protocol = SMB3_11\nserver max protocol = SMB2_10\n",
                 "'server min protocol' (SMB3_11) is above 'server max protocol' (SMB2_10)");
    expect_error("[global]\ninvalid authentication delay = 150\n", "steps of 100");
    expect_error("[global]\ninvalid authentication delay = 20000\n", "steps of 100");
    expect_error("[global]\nbusy poll = 1001\n", "microseconds from 0 to 1000");
    expect_error("[global]\nlisten = 127.0.0.1\n", "'listen'");
    expect_error("[global]\nlisten = 300.0.0.1:445\n", "'listen'");
    expect_error("[global]\nlisten = 127.0.0.1:0\n", "'listen'");
    expect_error("[global]\nserver smb3 signing algorithms = AES-256-GMAC\n", "AES-128-GMAC");
    expect_error("[global]\nserver smb3 signing algorithms = HMAC-SHA256 HMAC-SHA256\n",
                 "signing algorithms");
    expect_error("[a]\npath=/x\n[b]\npath=/y\n[a]\nguest ok = yes\n", "bad.conf:6: share [a] is "
                                                                      "defined twice");
    expect_error("[IPC$]\npath=/x\n", "not a valid share name");
    expect_error("[a/b]\npath=/x\n", "not a valid share name");
    expect_error("[global]\nthis line has no equals sign\n", "bad.conf:2: syntax error");
    expect_error("orphan = 1\n", "outside any section");
}

static void value_parsers(void **state)
{
    (void)state;
    bool b;
    assert_true(cfg_parse_bool("Yes", &b) && b);
    assert_true(cfg_parse_bool("off", &b) && !b);
    assert_false(cfg_parse_bool("maybe", &b));
    uint16_t d;
    assert_true(cfg_parse_protocol("smb3_11", &d) && d == SMB2_DIALECT_0311);
    assert_true(cfg_parse_protocol("SMB2", &d) && d == SMB2_DIALECT_0210);
    assert_false(cfg_parse_protocol("NT1", &d)); /* SMB1 is not spoken */
    assert_string_equal(cfg_protocol_name(SMB2_DIALECT_0302), "SMB3_02");
    assert_string_equal(cfg_signing_alg_name(SMB2_SIGNING_AES_GMAC), "AES-128-GMAC");
    struct sec_signing_algs a;
    assert_true(cfg_parse_signing_algs("aes-128-gmac,HMAC-SHA256", &a));
    assert_int_equal(a.count, 2);
    assert_false(cfg_parse_signing_algs("", &a));
    assert_false(cfg_parse_signing_algs(" , ", &a));
    enum sec_client_signing cs;
    assert_true(cfg_parse_client_signing("mandatory", &cs) && cs == SEC_CLIENT_SIGNING_REQUIRED);
    enum sec_server_signing ss;
    assert_true(cfg_parse_server_signing("disabled", &ss) && ss == SEC_SERVER_SIGNING_DISABLED);
}

static void file_errors(void **state)
{
    (void)state;
    struct cfg c;
    cfg_defaults(&c);
    char err[256];
    ntstatus_t st = cfg_load_file("/nonexistent/signet.conf", &c, err, sizeof err);
    assert_int_equal(st.code, STATUS_OBJECT_NAME_NOT_FOUND_CODE);
    assert_non_null(strstr(err, "/nonexistent/signet.conf: cannot open"));

    char path[] = "/tmp/signet-cfg-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs("[global]\nmax connections = 7\n[s]\npath = /srv\n", fp);
    fclose(fp);
    st = cfg_load_file(path, &c, err, sizeof err);
    unlink(path);
    assert_true(nt_ok(st));
    assert_int_equal(c.server.max_connections, 7);
    assert_string_equal(c.shares[0].path, "/srv");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_windows_24h2),
        cmocka_unit_test(full_file_parses),
        cmocka_unit_test(errors_name_file_line_and_fix),
        cmocka_unit_test(value_parsers),
        cmocka_unit_test(file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
