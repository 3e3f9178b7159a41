/* The comment-preserving edit of signet.conf and its atomic write. */
#include "config/config.h"
#include "config/writer.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char err[512];

/* Edit text and compare the result with want, byte for byte. */
static void expect_edit(const char *text, const char *section, const char *key, const char *value,
                        const char *want, enum cfg_edit_how how)
{
    struct cfg_edit e;
    ntstatus_t st = cfg_edit_text("t.conf", text, section, key, value, &e, err, sizeof err);
    if (!nt_ok(st))
        fail_msg("edit failed: %s", err);
    assert_string_equal(e.text, want);
    assert_int_equal(e.len, strlen(want));
    assert_int_equal(e.how, how);
    assert_int_equal(e.changed, strcmp(text, want) != 0);
    cfg_edit_free(&e);
}

static const char commented[] = "# Signet test configuration\n"
                                "; written by hand, keep this\n"
                                "\n"
                                "[global]\n"
                                "\tlisten = 127.0.0.1:4455   ; loopback only\n"
                                "   Server_Signing = auto ; was mandatory\n"
                                "\n"
                                "# the client\n"
                                "[client]\n"
                                "  client signing = desired\n"
                                "\n"
                                "  # trailing comment of [client]\n"
                                "\n"
                                "[data] ; a share\n"
                                "  path = /srv/data\n";

static void replace_keeps_every_other_byte(void **state)
{
    (void)state;
    expect_edit(commented, "global", "server signing", "mandatory",
                "# Signet test configuration\n"
                "; written by hand, keep this\n"
                "\n"
                "[global]\n"
                "\tlisten = 127.0.0.1:4455   ; loopback only\n"
                "   Server_Signing = mandatory ; was mandatory\n"
                "\n"
                "# the client\n"
                "[client]\n"
                "  client signing = desired\n"
                "\n"
                "  # trailing comment of [client]\n"
                "\n"
                "[data] ; a share\n"
                "  path = /srv/data\n",
                CFG_EDIT_REPLACED);
    struct cfg_edit e;
    assert_true(nt_ok(cfg_edit_text("t.conf", commented, "client", "client signing", "required", &e,
                                    err, sizeof err)));
    assert_true(e.had_key);
    assert_string_equal(e.old_value, "desired");
    assert_non_null(strstr(e.text, "  client signing = required\n\n  # trailing comment"));
    assert_int_equal(e.len, strlen(commented) + 1);
    cfg_edit_free(&e);
}

static void append_goes_after_the_last_key_of_the_section(void **state)
{
    (void)state;
    expect_edit(commented, "client", "client insecure guest logons", "yes",
                "# Signet test configuration\n"
                "; written by hand, keep this\n"
                "\n"
                "[global]\n"
                "\tlisten = 127.0.0.1:4455   ; loopback only\n"
                "   Server_Signing = auto ; was mandatory\n"
                "\n"
                "# the client\n"
                "[client]\n"
                "  client signing = desired\n"
                "  client insecure guest logons = yes\n"
                "\n"
                "  # trailing comment of [client]\n"
                "\n"
                "[data] ; a share\n"
                "  path = /srv/data\n",
                CFG_EDIT_APPENDED);
    /* a section without keys: right after its header, indented as the file */
    expect_edit("[global]\n  listen = 127.0.0.1:4455\n[client]\n# none yet\n", "client",
                "client signing", "desired",
                "[global]\n  listen = 127.0.0.1:4455\n[client]\n  client signing = desired\n"
                "# none yet\n",
                CFG_EDIT_APPENDED);
    /* a last line without its line ending gets one */
    expect_edit("[client]\nclient signing = desired", "client", "client signing audit", "yes",
                "[client]\nclient signing = desired\nclient signing audit = yes\n",
                CFG_EDIT_APPENDED);
}

static void missing_section_is_created_at_the_end(void **state)
{
    (void)state;
    expect_edit("# only a comment", "client", "client signing", "desired",
                "# only a comment\n\n[client]\n   client signing = desired\n",
                CFG_EDIT_NEW_SECTION);
    expect_edit("", "global", "server signing", "auto", "[global]\n   server signing = auto\n",
                CFG_EDIT_NEW_SECTION);
    expect_edit(
        "[global]\n\tlisten = 127.0.0.1:4455\n\n", "client", "client min protocol", "SMB3_11",
        "[global]\n\tlisten = 127.0.0.1:4455\n\n[client]\n\tclient min protocol = SMB3_11\n",
        CFG_EDIT_NEW_SECTION);
    /* a share named like the key's section does not count; [Client] does */
    expect_edit("[Client]\n", "client", "client signing", "desired",
                "[Client]\n   client signing = desired\n", CFG_EDIT_APPENDED);
}

static void keys_match_as_samba_names_do(void **state)
{
    (void)state;
    assert_true(cfg_key_eq("client signing", "Client_Signing"));
    assert_true(cfg_key_eq("client signing", "CLIENTSIGNING"));
    assert_true(cfg_key_eq("client  signing", "_client_signing_"));
    assert_false(cfg_key_eq("client signing", "client signing audit"));
    assert_false(cfg_key_eq("client signing", "client signin"));
    expect_edit("[client]\n  CLIENT_Signing: desired\n  client signing audit = no\n", "client",
                "client signing", "required",
                "[client]\n  CLIENT_Signing: required\n  client signing audit = no\n",
                CFG_EDIT_REPLACED);
    /* commented-out keys are comments */
    expect_edit("[client]\n# client signing = disabled\n;client signing = x\n", "client",
                "client signing", "desired",
                "[client]\n   client signing = desired\n# client signing = disabled\n"
                ";client signing = x\n",
                CFG_EDIT_APPENDED);
}

static void key_of_the_wrong_section_is_refused(void **state)
{
    (void)state;
    struct cfg_edit e;
    ntstatus_t st = cfg_edit_text("t.conf", "[global]\n  server signing = auto\n[client]\n",
                                  "client", "server signing", "auto", &e, err, sizeof err);
    assert_true(nt_eq(st, STATUS_INVALID_PARAMETER));
    assert_true(e.invalid);
    assert_null(e.text);
    assert_non_null(strstr(err, "belongs in [global]"));
}

static void duplicates_all_change_and_the_last_section_grows(void **state)
{
    (void)state;
    expect_edit("[client]\n client signing = disabled\n[global]\n listen = 127.0.0.1:1\n"
                "[client]\n client signing = desired\n",
                "client", "client signing", "required",
                "[client]\n client signing = required\n[global]\n listen = 127.0.0.1:1\n"
                "[client]\n client signing = required\n",
                CFG_EDIT_REPLACED);
    expect_edit("[client]\n client signing = disabled\n[global]\n listen = 127.0.0.1:1\n"
                "[client]\n client signing = desired\n",
                "client", "client signing audit", "yes",
                "[client]\n client signing = disabled\n[global]\n listen = 127.0.0.1:1\n"
                "[client]\n client signing = desired\n client signing audit = yes\n",
                CFG_EDIT_APPENDED);
}

static void line_endings_bom_and_empty_values_survive(void **state)
{
    (void)state;
    expect_edit("\xEF\xBB\xBF[client]\r\n  client signing = desired\r\n", "client",
                "client signing audit", "yes",
                "\xEF\xBB\xBF[client]\r\n  client signing = desired\r\n"
                "  client signing audit = yes\r\n",
                CFG_EDIT_APPENDED);
    /* an empty value (which the loader refuses) is replaced, after a space */
    expect_edit("[client]\nclient signing =\n", "client", "client signing", "desired",
                "[client]\nclient signing = desired\n", CFG_EDIT_REPLACED);
    expect_edit("[client]\nclient signing =desired ;x\n", "client", "client signing", "required",
                "[client]\nclient signing =required ;x\n", CFG_EDIT_REPLACED);
    expect_edit("[client]\nclient signing = required\n", "client", "client signing", "required",
                "[client]\nclient signing = required\n", CFG_EDIT_REPLACED);
}

static void invalid_values_change_nothing(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"client signing", "sometimes"},
        {"client signing", "required ; x"},
        {"client signing", "required\nx = y"},
        {"client signing", ""},
        {"client signing", " required"},
        {"client min protocol", "SMB1"},
        {"client max protocol", "SMB2_02"}, /* below the minimum: whole-file check */
        {"no such key", "yes"},
    };
    const char *text = "[client]\n  client min protocol = SMB3_00\n";
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cfg_edit e;
        err[0] = '\0';
        ntstatus_t st =
            cfg_edit_text("t.conf", text, "client", bad[i][0], bad[i][1], &e, err, sizeof err);
        assert_true(nt_eq(st, STATUS_INVALID_PARAMETER));
        assert_true(e.invalid);
        assert_null(e.text);
        assert_true(err[0] != '\0');
    }
    struct cfg_edit e;
    cfg_edit_text("t.conf", text, "client", "client signing", "sometimes", &e, err, sizeof err);
    assert_string_equal(err, "t.conf:3: invalid value 'sometimes' for 'client signing': "
                             "expected required, desired or disabled");
}

/* ---- files ---- */

static char dir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/signet-writer-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[PATH_MAX];
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    return rmdir(dir);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static char *read_all(const char *path)
{
    static char text[4096];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static size_t count_entries(void)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

static void edit_file_keeps_mode_and_leaves_no_temporary(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/signet.conf", dir);
    write_text(path, commented, 0640);
    struct cfg_edit e;
    assert_true(
        nt_ok(cfg_edit_file(path, "global", "server signing", "mandatory", &e, err, sizeof err)));
    assert_true(e.changed);
    assert_string_equal(e.old_value, "auto");
    cfg_edit_free(&e);
    assert_non_null(strstr(read_all(path), "   Server_Signing = mandatory ; was mandatory\n"));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(count_entries(), 1);
    unlink(path);
}

static void invalid_edit_leaves_the_file_byte_identical(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/signet.conf", dir);
    write_text(path, commented, 0600);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    struct cfg_edit e;
    ntstatus_t st =
        cfg_edit_file(path, "global", "invalid authentication delay", "150", &e, err, sizeof err);
    assert_true(nt_eq(st, STATUS_INVALID_PARAMETER));
    assert_true(e.invalid);
    assert_non_null(strstr(err, "steps of 100"));
    assert_string_equal(read_all(path), commented);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino); /* not even rewritten */
    assert_int_equal(count_entries(), 1);
    /* cfg_write_file refuses text that does not load */
    assert_false(nt_ok(cfg_write_file(path, "[global]\nbogus = 1\n", 19, err, sizeof err)));
    assert_string_equal(read_all(path), commented);
    assert_int_equal(count_entries(), 1);
    unlink(path);
}

static void missing_file_is_created_and_links_are_followed(void **state)
{
    (void)state;
    char path[128], link[128];
    snprintf(path, sizeof path, "%s/new.conf", dir);
    snprintf(link, sizeof link, "%s/link.conf", dir);
    struct cfg_edit e;
    assert_true(
        nt_ok(cfg_edit_file(path, "client", "client signing", "desired", &e, err, sizeof err)));
    assert_int_equal(e.how, CFG_EDIT_NEW_SECTION);
    cfg_edit_free(&e);
    assert_string_equal(read_all(path), "[client]\n   client signing = desired\n");
    assert_int_equal(symlink("new.conf", link), 0);
    assert_true(
        nt_ok(cfg_edit_file(link, "client", "client signing", "required", &e, err, sizeof err)));
    cfg_edit_free(&e);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_string_equal(read_all(path), "[client]\n   client signing = required\n");
    /* an unchanged value does not rewrite the file */
    assert_true(
        nt_ok(cfg_edit_file(link, "client", "client signing", "required", &e, err, sizeof err)));
    assert_false(e.changed);
    cfg_edit_free(&e);
    unlink(link);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replace_keeps_every_other_byte),
        cmocka_unit_test(append_goes_after_the_last_key_of_the_section),
        cmocka_unit_test(missing_section_is_created_at_the_end),
        cmocka_unit_test(keys_match_as_samba_names_do),
        cmocka_unit_test(key_of_the_wrong_section_is_refused),
        cmocka_unit_test(duplicates_all_change_and_the_last_section_grows),
        cmocka_unit_test(line_endings_bom_and_empty_values_survive),
        cmocka_unit_test(invalid_values_change_nothing),
        cmocka_unit_test_setup_teardown(edit_file_keeps_mode_and_leaves_no_temporary, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(invalid_edit_leaves_the_file_byte_identical, make_dir,
                                        remove_dir),
        cmocka_unit_test_setup_teardown(missing_file_is_created_and_links_are_followed, make_dir,
                                        remove_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
