/* tools/cli_cmds.c: parsing //host[:port]/share[/path]. */
#include "cli_cmds.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void ok(const char *s, const char *host, uint16_t port, const char *share, const char *path)
{
    struct cli_target t;
    char err[256];
    assert_true(cli_parse_target(s, &t, err, sizeof err));
    assert_string_equal(t.host, host);
    assert_int_equal(t.port, port);
    assert_string_equal(t.share, share);
    assert_string_equal(t.path, path);
}

static void bad(const char *s, const char *why)
{
    struct cli_target t;
    char err[256] = "";
    assert_false(cli_parse_target(s, &t, err, sizeof err));
    assert_non_null(strstr(err, why));
}

static void test_targets(void **state)
{
    (void)state;
    ok("//srv/share", "srv", 0, "share", "");
    ok("//srv:4455/share/", "srv", 4455, "share", "");
    ok("//127.0.0.1:4501/share/a/b.txt", "127.0.0.1", 4501, "share", "a/b.txt");
    ok("\\\\srv\\share\\dir\\f", "srv", 0, "share", "dir/f");
    ok("//[::1]:445/s/x", "::1", 445, "s", "x");
    ok("//[fe80::1]/s", "fe80::1", 0, "s", "");
}

static void test_bad_targets(void **state)
{
    (void)state;
    bad("srv/share", "not of the form");
    bad("//srv", "names no share");
    bad("//srv/", "names no share");
    bad("//srv:0/s", "bad port");
    bad("//srv:70000/s", "bad port");
    bad("//srv:12ab/s", "bad port");
    bad("//[::1/s", "unbalanced");
    bad("//:445/s", "no host");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_targets),
        cmocka_unit_test(test_bad_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
