/* vfs_path_normalize and vfs_name_match. */
#include "vfs_test.h"

static ntstatus_t norm(const char *in, char *out, unsigned *flags)
{
    return vfs_path_normalize(in, strlen(in), out, VFS_PATH_MAX, flags);
}

static void accepted(void **state)
{
    (void)state;
    char out[VFS_PATH_MAX];
    unsigned fl = 99;
    assert_status(norm("", out, &fl), STATUS_SUCCESS);
    assert_string_equal(out, ".");
    assert_int_equal(fl, 0);
    assert_status(norm("a\\b\\c.txt", out, &fl), STATUS_SUCCESS);
    assert_string_equal(out, "a/b/c.txt");
    assert_status(norm("dir\\", out, &fl), STATUS_SUCCESS);
    assert_string_equal(out, "dir");
    assert_int_equal(fl, VFS_PATH_TRAILING_SEP);
    assert_status(norm("f.txt::$DATA", out, NULL), STATUS_SUCCESS);
    assert_string_equal(out, "f.txt");
    assert_status(norm("f.txt::$data", out, NULL), STATUS_SUCCESS);
    assert_string_equal(out, "f.txt");
    /* ".." is left to the kernel (resolution beneath the root) */
    assert_status(norm("a\\..\\b", out, NULL), STATUS_SUCCESS);
    assert_string_equal(out, "a/../b");
    assert_status(norm("caf\xc3\xa9 \xe2\x82\xac.txt", out, NULL), STATUS_SUCCESS);
}

static void refused(void **state)
{
    (void)state;
    char out[VFS_PATH_MAX];
    assert_status(norm("\\etc\\passwd", out, NULL), STATUS_INVALID_PARAMETER);
    assert_status(norm("/etc/passwd", out, NULL), STATUS_OBJECT_NAME_INVALID);
    assert_status(norm("a/b", out, NULL), STATUS_OBJECT_NAME_INVALID);
    assert_status(norm("a\\\\b", out, NULL), STATUS_OBJECT_NAME_INVALID);
    assert_status(norm("dir\\\\", out, NULL), STATUS_OBJECT_NAME_INVALID);
    const char *bad[] = {"a<b", "a>b", "a\"b", "a|b", "a?b", "a*b", "a\x01z", "a\x7f"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_status(norm(bad[i], out, NULL), STATUS_OBJECT_NAME_INVALID);
    assert_status(norm("f.txt:stream", out, NULL), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(norm("f.txt:stream:$DATA", out, NULL), STATUS_OBJECT_NAME_NOT_FOUND);
    assert_status(norm("d:x\\f", out, NULL), STATUS_OBJECT_NAME_INVALID);
    assert_status(norm(":x", out, NULL), STATUS_OBJECT_NAME_INVALID);
    char longname[300];
    memset(longname, 'x', 256);
    longname[256] = '\0';
    assert_status(norm(longname, out, NULL), STATUS_OBJECT_NAME_INVALID);
    /* an embedded NUL is a control character */
    assert_status(vfs_path_normalize("a\0b", 3, out, sizeof out, NULL), STATUS_OBJECT_NAME_INVALID);
}

static void too_long(void **state)
{
    (void)state;
    static char in[VFS_PATH_MAX + 10], out[VFS_PATH_MAX + 16];
    for (size_t i = 0; i < sizeof in - 1; i++)
        in[i] = (i % 100 == 99) ? '\\' : 'a';
    in[sizeof in - 1] = '\0';
    assert_status(vfs_path_normalize(in, strlen(in), out, sizeof out, NULL), STATUS_NAME_TOO_LONG);
    char small[4];
    assert_status(vfs_path_normalize("abcd", 4, small, sizeof small, NULL),
                  STATUS_BUFFER_TOO_SMALL);
}

static bool m(const char *p, const char *n)
{
    return vfs_name_match(p, strlen(p), n);
}

static void patterns(void **state)
{
    (void)state;
    assert_true(m("*", "anything"));
    assert_true(m("*.*", "noext"));
    assert_true(m("", "x"));
    assert_true(m("*.txt", "a.txt"));
    assert_false(m("*.txt", "a.txt.bak"));
    assert_true(m("a?c", "abc"));
    assert_false(m("a?c", "ac"));
    assert_true(m("a?c", "a\xc3\xa9"
                         "c")); /* one code point, two bytes */
    assert_true(m("*b*", "abc"));
    assert_true(m("a*b*c", "aXbYbZc"));
    assert_false(m("a*b*c", "aXbYbZ"));
    assert_true(m("exact", "exact"));
    assert_false(m("Exact", "exact")); /* case-sensitive, like the file system */
    assert_true(m("**", ""));
    assert_false(m("?", ""));
    /* [MS-FSA] 2.1.4.4 DOS wildcards (Win32 clients send them, e.g. "?" as
     * ">"): '<' runs up to, not over, the last '.' */
    assert_true(m("<.txt", "a.b.txt"));
    assert_false(m("<.txt", "a.txt.bak"));
    assert_true(m("<", "ab"));
    assert_false(m("<", "a.b"));
    assert_true(m("a>>.c", "a.c")); /* '>' matches nothing before a '.' */
    assert_true(m("a>>.c", "ab.c"));
    assert_true(m("a>>.c", "abc.c"));
    assert_false(m("a>>.c", "abcd.c"));
    assert_true(m("abc>>", "abc"));  /* ... and at the end */
    assert_true(m("abc\"", "abc"));  /* '"' matches the end ... */
    assert_true(m("abc\"", "abc.")); /* ... or a '.' */
    assert_false(m("abc\"", "abcd"));
    assert_true(m("<\"<", "a.b"));
    /* a pathological pattern stays fast */
    char pat[200], name[256];
    for (int i = 0; i < 100; i++)
        memcpy(pat + 2 * i, "*a", 2);
    pat[199] = 'b';
    memset(name, 'a', 255);
    name[255] = '\0';
    assert_false(vfs_name_match(pat, 200, name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepted),
        cmocka_unit_test(refused),
        cmocka_unit_test(too_long),
        cmocka_unit_test(patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
