/* The user database: round trip, mode 0600, no plaintext, refused modes,
 * atomic updates, names compared as Windows compares them. */
#include "auth/userdb.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
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

struct tdir {
    char dir[64];
    char db[96];
    char msg[512];
};

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    struct tdir *t = calloc(1, sizeof *t);
    assert_non_null(t);
    strcpy(t->dir, "/tmp/signet-userdb-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->db, sizeof t->db, "%s/users.db", t->dir);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tdir *t = *state;
    nftw(t->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(t);
    return 0;
}

static size_t slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return n;
}

/* Entries of dir other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void known_hash(void **state)
{
    (void)state;
    /* [MS-NLMP] 4.2.2.1.2: NTOWFv1("Password") */
    static const uint8_t want[16] = {0xa4, 0xf4, 0x9c, 0x40, 0x65, 0x10, 0xbd, 0xca,
                                     0xb6, 0x82, 0x4e, 0xe7, 0xc3, 0x0f, 0xd8, 0x52};
    uint8_t h[16];
    assert_true(nt_ok(userdb_nt_hash("Password", h)));
    assert_memory_equal(h, want, 16);
}

static void round_trip(void **state)
{
    struct tdir *t = *state;
    bool created = false;
    assert_true(
        nt_ok(userdb_set_password(t->db, "alice", "Secr3t-pass", &created, t->msg, sizeof t->msg)));
    assert_true(created);
    assert_true(
        nt_ok(userdb_set_password(t->db, "Bob", "hunter2", &created, t->msg, sizeof t->msg)));
    assert_true(created);
    struct stat st;
    assert_int_equal(stat(t->db, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    char text[1024];
    slurp(t->db, text, sizeof text);
    assert_null(strstr(text, "Secr3t-pass"));
    assert_null(strstr(text, "hunter2"));
    assert_non_null(strstr(text, "alice:"));

    struct userdb *db = NULL;
    assert_true(nt_ok(userdb_load(t->db, &db, t->msg, sizeof t->msg)));
    assert_int_equal(userdb_count(db), 2);
    assert_string_equal(userdb_name(db, 0), "alice");
    assert_string_equal(userdb_name(db, 1), "Bob");
    assert_null(userdb_name(db, 2));
    uint8_t h[16], want[16];
    assert_true(nt_ok(userdb_nt_hash("Secr3t-pass", want)));
    assert_true(nt_ok(userdb_lookup(db, "ALICE", h))); /* case-insensitive */
    assert_memory_equal(h, want, 16);
    assert_true(nt_ok(userdb_lookup(db, "bob", h)));
    assert_true(nt_eq(userdb_lookup(db, "carol", h), STATUS_NOT_FOUND));
    userdb_free(db);

    /* passwd: same entry, new hash */
    assert_true(
        nt_ok(userdb_set_password(t->db, "ALICE", "other", &created, t->msg, sizeof t->msg)));
    assert_false(created);
    assert_true(nt_ok(userdb_load(t->db, &db, t->msg, sizeof t->msg)));
    assert_int_equal(userdb_count(db), 2);
    assert_string_equal(userdb_name(db, 0), "alice"); /* the name keeps its spelling */
    assert_true(nt_ok(userdb_nt_hash("other", want)));
    assert_true(nt_ok(userdb_lookup(db, "alice", h)));
    assert_memory_equal(h, want, 16);
    userdb_free(db);

    /* del */
    assert_true(nt_ok(userdb_delete(t->db, "bob", t->msg, sizeof t->msg)));
    assert_true(nt_eq(userdb_delete(t->db, "bob", t->msg, sizeof t->msg), STATUS_NOT_FOUND));
    assert_non_null(strstr(t->msg, "bob"));
    assert_true(nt_ok(userdb_load(t->db, &db, t->msg, sizeof t->msg)));
    assert_int_equal(userdb_count(db), 1);
    userdb_free(db);
    assert_int_equal(count_entries(t->dir), 1); /* no temporary file left behind */
    assert_int_equal(stat(t->db, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
}

static void unicode_names(void **state)
{
    struct tdir *t = *state;
    assert_true(nt_ok(
        userdb_set_password(t->db, "J\xc3\xa9r\xc3\xb4me", "pw", NULL, t->msg, sizeof t->msg)));
    struct userdb *db = NULL;
    assert_true(nt_ok(userdb_load(t->db, &db, t->msg, sizeof t->msg)));
    uint8_t h[16];
    assert_true(nt_ok(userdb_lookup(db, "J\xc3\x89R\xc3\x94ME", h))); /* É, Ô */
    userdb_free(db);
    assert_true(
        nt_eq(userdb_set_password(t->db, "j\xc3\xa9r\xc3\xb4me", "pw", NULL, t->msg, sizeof t->msg),
              STATUS_SUCCESS));
    assert_true(nt_ok(userdb_load(t->db, &db, t->msg, sizeof t->msg)));
    assert_int_equal(userdb_count(db), 1);
    userdb_free(db);
}

static void wrong_mode_refused(void **state)
{
    struct tdir *t = *state;
    assert_true(nt_ok(userdb_set_password(t->db, "alice", "pw", NULL, t->msg, sizeof t->msg)));
    assert_int_equal(chmod(t->db, 0644), 0);
    struct userdb *db = NULL;
    assert_true(nt_eq(userdb_load(t->db, &db, t->msg, sizeof t->msg), STATUS_ACCESS_DENIED));
    assert_non_null(strstr(t->msg, "chmod 600"));
    /* updates refuse too, rather than spreading a leaked file */
    assert_true(nt_eq(userdb_set_password(t->db, "bob", "pw", NULL, t->msg, sizeof t->msg),
                      STATUS_ACCESS_DENIED));
    assert_int_equal(chmod(t->db, 0640), 0);
    assert_true(nt_eq(userdb_load(t->db, &db, t->msg, sizeof t->msg), STATUS_ACCESS_DENIED));
    assert_int_equal(chmod(t->db, 0400), 0);
    assert_true(nt_ok(userdb_load(t->db, &db, t->msg, sizeof t->msg)));
    userdb_free(db);
    assert_int_equal(count_entries(t->dir), 1);
}

static void write_db(const struct tdir *t, const char *text)
{
    int fd = open(t->db, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void bad_files(void **state)
{
    struct tdir *t = *state;
    struct userdb *db = NULL;
    assert_true(
        nt_eq(userdb_load(t->db, &db, t->msg, sizeof t->msg), STATUS_OBJECT_NAME_NOT_FOUND));
    write_db(t, "# comment\n\nalice:A4F49C406510BDCAB6824EE7C30FD852\r\n");
    assert_true(nt_ok(userdb_load(t->db, &db, t->msg, sizeof t->msg)));
    assert_int_equal(userdb_count(db), 1);
    userdb_free(db);
    const char *bad[] = {
        "alice\n",
        "alice:A4F49C406510BDCAB6824EE7C30FD85\n",
        "alice:A4F49C406510BDCAB6824EE7C30FD852X\n",
        "alice:Z4F49C406510BDCAB6824EE7C30FD852\n",
        ":A4F49C406510BDCAB6824EE7C30FD852\n",
        " alice:A4F49C406510BDCAB6824EE7C30FD852\n",
        "alice:A4F49C406510BDCAB6824EE7C30FD852\nALICE:A4F49C406510BDCAB6824EE7C30FD852\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        write_db(t, bad[i]);
        assert_true(
            nt_eq(userdb_load(t->db, &db, t->msg, sizeof t->msg), STATUS_INVALID_PARAMETER));
        assert_non_null(strstr(t->msg, t->db));
    }
}

static void names(void **state)
{
    (void)state;
    assert_true(userdb_name_valid("a"));
    assert_true(userdb_name_valid("first last"));
    assert_false(userdb_name_valid(""));
    assert_false(userdb_name_valid("a:b"));
    assert_false(userdb_name_valid(" a"));
    assert_false(userdb_name_valid("a "));
    assert_false(userdb_name_valid("a\tb"));
    assert_false(userdb_name_valid("a\nb"));
    assert_false(userdb_name_valid("\xff"));
    char n[200];
    memset(n, 'x', 64);
    n[64] = '\0';
    assert_true(userdb_name_valid(n));
    n[64] = 'x';
    n[65] = '\0';
    assert_false(userdb_name_valid(n));
    for (int i = 0; i < 64; i++)
        memcpy(n + 2 * i, "\xc3\xa9", 2); /* 64 characters, 128 bytes */
    n[128] = '\0';
    assert_true(userdb_name_valid(n));
}

static void refused_updates(void **state)
{
    struct tdir *t = *state;
    assert_true(nt_eq(userdb_set_password(t->db, "a:b", "pw", NULL, t->msg, sizeof t->msg),
                      STATUS_INVALID_PARAMETER));
    assert_true(nt_eq(userdb_set_password(t->db, "alice", "", NULL, t->msg, sizeof t->msg),
                      STATUS_INVALID_PARAMETER));
    assert_true(
        nt_eq(userdb_delete(t->db, "alice", t->msg, sizeof t->msg), STATUS_OBJECT_NAME_NOT_FOUND));
    assert_int_equal(count_entries(t->dir), 0);
    char missing_dir[160];
    snprintf(missing_dir, sizeof missing_dir, "%s/nodir/users.db", t->dir);
    assert_false(
        nt_ok(userdb_set_password(missing_dir, "alice", "pw", NULL, t->msg, sizeof t->msg)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_hash),
        cmocka_unit_test(names),
        cmocka_unit_test_setup_teardown(round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(unicode_names, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_mode_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_updates, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
