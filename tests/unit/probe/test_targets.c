/* Target specifications and the lazy iterator (lib/probe/targets.c). Only
 * loopback addresses and documentation ranges appear; nothing is sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "probe/targets.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static char err[512];

static void parse_ok(const char *spec, uint32_t first, uint32_t last)
{
    struct target_range r;
    ntstatus_t st = target_parse(spec, &r, err, sizeof err);
    if (!nt_ok(st))
        fail_msg("%s: %s", spec, err);
    assert_int_equal(r.kind, TARGET_RANGE);
    assert_int_equal(r.first, first);
    assert_int_equal(r.last, last);
}

static void parse_bad(const char *spec)
{
    struct target_range r;
    err[0] = 0;
    if (nt_ok(target_parse(spec, &r, err, sizeof err)))
        fail_msg("%s accepted", spec);
    assert_true(err[0] != 0);
}

static void test_parse_forms(void **state)
{
    (void)state;
    parse_ok("127.0.0.1", IP(127, 0, 0, 1), IP(127, 0, 0, 1));
    parse_ok("127.0.1.0/24", IP(127, 0, 1, 0), IP(127, 0, 1, 255));
    parse_ok("127.0.1.77/24", IP(127, 0, 1, 0), IP(127, 0, 1, 255)); /* host bits ignored */
    parse_ok("127.0.0.0/16", IP(127, 0, 0, 0), IP(127, 0, 255, 255));
    parse_ok("127.0.0.9/32", IP(127, 0, 0, 9), IP(127, 0, 0, 9));
    parse_ok("127.0.0.4/30", IP(127, 0, 0, 4), IP(127, 0, 0, 7));
    parse_ok("127.0.0.1-20", IP(127, 0, 0, 1), IP(127, 0, 0, 20));
    parse_ok("127.0.0.5-5", IP(127, 0, 0, 5), IP(127, 0, 0, 5));
    parse_ok("127.0.0.250-127.0.1.4", IP(127, 0, 0, 250), IP(127, 0, 1, 4));
    parse_ok("127.0.0.0-127.0.255.255", IP(127, 0, 0, 0), IP(127, 0, 255, 255));
}

static void test_parse_rejects(void **state)
{
    (void)state;
    parse_bad("");
    parse_bad("127.0.0.0/15"); /* larger than the /16 cap */
    parse_bad("127.0.0.0/33");
    parse_bad("127.0.0.0/");
    parse_bad("127.0.0/24");
    parse_bad("127.0.0.1-256");
    parse_bad("127.0.0.9-3");         /* ends before it starts */
    parse_bad("127.0.0.0-127.1.0.0"); /* 65,537 addresses */
    parse_bad("127.0.0.1-127.0.0.0");
    parse_bad("256.0.0.1");
    parse_bad("1.2.3");
    parse_bad("127.0.0.1:445"); /* ports belong to --port */
    parse_bad("a b");
    char long_name[300];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    parse_bad(long_name);
}

static void test_names(void **state)
{
    (void)state;
    struct target_range r;
    assert_true(nt_ok(target_parse("fileserver.example", &r, err, sizeof err)));
    assert_int_equal(r.kind, TARGET_NAME);
    assert_string_equal(r.name, "fileserver.example");
    /* localhost resolves to loopback when iterated. */
    char *specs[] = {"localhost"};
    struct target_iter *it = NULL;
    assert_true(nt_ok(target_iter_new(specs, 1, 4455, &it)));
    struct probe_target t;
    assert_true(target_iter_next(it, &t));
    assert_string_equal(t.host, "localhost");
    assert_true(nt_ok(t.status));
    assert_int_equal(ntohl(t.addr.sin_addr.s_addr) >> 24, 127);
    assert_int_equal(ntohs(t.addr.sin_port), 4455);
    assert_false(target_iter_next(it, &t));
    target_iter_free(it);
}

static void test_iterate(void **state)
{
    (void)state;
    char *specs[] = {"127.0.0.1-3", "127.0.1.0/30", "127.0.2.9"};
    uint64_t count = 0;
    assert_true(nt_ok(target_count(specs, 3, &count, err, sizeof err)));
    assert_int_equal(count, 8);
    struct target_iter *it = NULL;
    assert_true(nt_ok(target_iter_new(specs, 3, 445, &it)));
    static const char *const want[] = {"127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.1.0",
                                       "127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.2.9"};
    struct probe_target t;
    for (size_t i = 0; i < 8; i++) {
        assert_true(target_iter_next(it, &t));
        assert_string_equal(t.host, want[i]);
        assert_int_equal(t.addr.sin_family, AF_INET);
        assert_int_equal(ntohs(t.addr.sin_port), 445);
    }
    assert_false(target_iter_next(it, &t));
    assert_false(target_iter_next(it, &t));
    assert_null(target_iter_error(it));
    target_iter_free(it);
}

/* A whole /16 through the iterator: no list is built (ASan would see one). */
static void test_sixteen_lazily(void **state)
{
    (void)state;
    char *specs[] = {"127.0.0.0/16", "127.1.255.255/32"};
    struct target_iter *it = NULL;
    assert_true(nt_ok(target_iter_new(specs, 2, 445, &it)));
    struct probe_target t;
    uint64_t n = 0;
    while (target_iter_next(it, &t))
        n++;
    assert_int_equal(n, 65537);
    assert_string_equal(t.host, "127.1.255.255");
    target_iter_free(it);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_files(void **state)
{
    (void)state;
    char path[] = "/tmp/signet-targets-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "# lab hosts\n\n  127.0.0.7  # the NAS\n127.0.0.10-11\n\t127.0.3.0/31\n");
    char at[64];
    snprintf(at, sizeof at, "@%s", path);
    char *specs[] = {"127.0.0.1", at, path};
    uint64_t count = 0;
    assert_true(nt_ok(target_count(specs, 3, &count, err, sizeof err)));
    assert_int_equal(count, 1 + 5 + 5);
    struct target_iter *it = NULL;
    assert_true(nt_ok(target_iter_new(specs, 3, 445, &it)));
    static const char *const want[] = {"127.0.0.1", "127.0.0.7", "127.0.0.10", "127.0.0.11",
                                       "127.0.3.0", "127.0.3.1", "127.0.0.7"};
    struct probe_target t;
    for (size_t i = 0; i < 7; i++) {
        assert_true(target_iter_next(it, &t));
        assert_string_equal(t.host, want[i]);
    }
    size_t rest = 0;
    while (target_iter_next(it, &t))
        rest++;
    assert_int_equal(rest, 4);
    target_iter_free(it);

    /* A bad line is reported with its file and line number. */
    write_file(path, "127.0.0.1\n127.0.0.0/8\n");
    assert_false(nt_ok(target_count(specs + 1, 1, &count, err, sizeof err)));
    char where[80];
    snprintf(where, sizeof where, "%s:2:", path);
    assert_non_null(strstr(err, where));
    write_file(path, "@/etc/hosts\n");
    assert_false(nt_ok(target_count(specs + 1, 1, &count, err, sizeof err)));
    assert_non_null(strstr(err, "files cannot include files"));
    unlink(path);
    assert_false(nt_ok(target_count(specs + 1, 1, &count, err, sizeof err)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_forms),    cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_names),          cmocka_unit_test(test_iterate),
        cmocka_unit_test(test_sixteen_lazily), cmocka_unit_test(test_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
