/* lib/client/api.c: configuration, names, the -v line, error paths that
 * need no server. */
#include "client/core.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static void test_defaults_are_windows_11(void **state)
{
    (void)state;
    struct signet_client_config c;
    signet_client_config_default(&c);
    assert_int_equal(c.signing, SIGNET_SIGNING_REQUIRED);
    assert_false(c.allow_insecure_guest);
    assert_int_equal(c.n_sign_algs, 3);
    assert_int_equal(c.sign_algs[0], SIGNET_SIGN_AES_GMAC);
    assert_int_equal(c.sign_algs[1], SIGNET_SIGN_AES_CMAC);
    assert_int_equal(c.sign_algs[2], SIGNET_SIGN_HMAC_SHA256);
    assert_int_equal(c.min_dialect, 0x0202);
    assert_int_equal(c.max_dialect, 0x0311);
}

static void test_config_set(void **state)
{
    (void)state;
    struct signet_client_config c;
    char err[512];
    signet_client_config_default(&c);
    assert_true(nt_ok(signet_client_config_set(&c, "client signing", "desired", err, sizeof err)));
    assert_int_equal(c.signing, SIGNET_SIGNING_DESIRED);
    assert_true(nt_ok(signet_client_config_set(&c, "client smb3 signing algorithms",
                                               "HMAC-SHA256 AES-128-CMAC", err, sizeof err)));
    assert_int_equal(c.n_sign_algs, 2);
    assert_int_equal(c.sign_algs[0], SIGNET_SIGN_HMAC_SHA256);
    assert_true(
        nt_ok(signet_client_config_set(&c, "client max protocol", "SMB3_02", err, sizeof err)));
    assert_int_equal(c.max_dialect, 0x0302);
    assert_true(nt_ok(
        signet_client_config_set(&c, "client insecure guest logons", "yes", err, sizeof err)));
    assert_true(c.allow_insecure_guest);
    assert_true(nt_eq(signet_client_config_set(&c, "client signing", "sometimes", err, sizeof err),
                      STATUS_INVALID_PARAMETER));
    assert_non_null(strstr(err, "sometimes"));
    assert_true(nt_eq(signet_client_config_set(&c, "client nonsense", "1", err, sizeof err),
                      STATUS_INVALID_PARAMETER));
}

static void test_config_file(void **state)
{
    (void)state;
    char path[] = "/tmp/signet-client-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] = "[client]\n  client signing = desired\n"
                               "  client smb3 signing algorithms = AES-128-CMAC\n"
                               "  client min protocol = SMB3_00\n";
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    struct signet_client_config c;
    char err[512];
    signet_client_config_default(&c);
    assert_true(nt_ok(signet_client_config_load(path, &c, err, sizeof err)));
    assert_int_equal(c.signing, SIGNET_SIGNING_DESIRED);
    assert_int_equal(c.n_sign_algs, 1);
    assert_int_equal(c.sign_algs[0], SIGNET_SIGN_AES_CMAC);
    assert_int_equal(c.min_dialect, 0x0300);
    unlink(path);
    assert_false(nt_ok(signet_client_config_load(path, &c, err, sizeof err)));
}

static void test_names_and_describe(void **state)
{
    (void)state;
    assert_string_equal(signet_dialect_name(0x0311), "3.1.1");
    assert_string_equal(signet_dialect_name(0x0202), "2.0.2");
    assert_string_equal(signet_sign_alg_name(SIGNET_SIGN_AES_GMAC), "AES-128-GMAC");
    struct signet_conn *c = calloc(1, sizeof *c);
    c->fd = -1;
    c->dialect = 0x0311;
    c->sess.signing_required = true;
    static const uint8_t k[16] = {1};
    assert_true(nt_ok(sec_sign_key_init(&c->sess.key, SMB2_SIGNING_AES_GMAC, k, 16)));
    snprintf(c->sess.user, sizeof c->sess.user, "alice");
    snprintf(c->sess.domain, sizeof c->sess.domain, "WORKGROUP");
    char line[256];
    signet_conn_describe(c, line, sizeof line);
    assert_string_equal(
        line, "SMB 3.1.1, signed with AES-128-GMAC, not encrypted, user WORKGROUP\\alice");
    c->sess.guest = true;
    c->sess.signing_required = false;
    sec_sign_key_clear(&c->sess.key);
    signet_conn_describe(c, line, sizeof line);
    assert_non_null(strstr(line, "NOT signed"));
    assert_non_null(strstr(line, "guest"));
    signet_disconnect(c);
}

static void test_connect_refused(void **state)
{
    (void)state;
    struct signet_client_config cfg;
    signet_client_config_default(&cfg);
    struct signet_conn *c = NULL;
    /* Port 1 on loopback: nobody listens there. */
    ntstatus_t st = signet_connect("127.0.0.1", 1, &cfg, &c);
    assert_true(nt_eq(st, STATUS_CONNECTION_REFUSED));
    assert_non_null(strstr(signet_conn_error(c, st), "cannot connect"));
    struct signet_creds cr = {"a", "b", NULL};
    assert_false(nt_ok(signet_login(c, &cr)));
    signet_disconnect(c);
}

static void test_status_texts(void **state)
{
    (void)state;
    assert_string_equal(cli_status_text(STATUS_INVALID_SIGNATURE),
                        "The cryptographic signature is invalid.");
    assert_non_null(strstr(cli_status_text(STATUS_SMB_GUEST_LOGON_BLOCKED),
                           "You can't access this shared folder because your organization's "
                           "security policies block unauthenticated guest access."));
    assert_string_equal(cli_status_text(STATUS_CANCELLED), "STATUS_CANCELLED");
}

static void test_path_utf16(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t n = 0;
    assert_true(nt_ok(cli_path_utf16("/a/b/", out, sizeof out, &n)));
    assert_int_equal(n, 6);
    assert_memory_equal(out, "a\0\\\0b\0", 6);
    assert_true(nt_ok(cli_path_utf16("", out, sizeof out, &n)));
    assert_int_equal(n, 0);
    assert_true(nt_eq(cli_path_utf16("abcdefghijklmnopqrstuvwxyzabcdefghij", out, sizeof out, &n),
                      STATUS_NAME_TOO_LONG));
    assert_false(nt_ok(cli_path_utf16("bad\xff", out, sizeof out, &n)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_windows_11),
        cmocka_unit_test(test_config_set),
        cmocka_unit_test(test_config_file),
        cmocka_unit_test(test_names_and_describe),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_status_texts),
        cmocka_unit_test(test_path_utf16),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
