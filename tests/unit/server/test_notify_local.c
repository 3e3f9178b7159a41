/* CHANGE_NOTIFY of changes made by local processes ([MS-SMB2] 3.3.5.19),
 * against the real server core: this test changes the share's directory
 * itself (open(2), rename(2), mkdir(2)), as a process on the server host
 * would, and a pending CHANGE_NOTIFY reports it; a change made through the
 * server is reported once, not again when the kernel reports it too; a
 * tree watch sees what happens in a directory made after it started. */
#include <errno.h>
#include <fcntl.h>
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

#include "srv_files.h"

#include "base/utf16.h"
#include "wire/change_notify.h"

#define NAMES FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME

static char root[64], conf[512];

static int setup(void **state)
{
    (void)state;
    return test_rw_share("notify-local", root, sizeof root, conf, sizeof conf);
}

static int teardown(void **state)
{
    (void)state;
    return test_dir_remove(root);
}

static void on_share(struct tconn *t)
{
    tc_connect_share(t, conf, "rw");
}

/* ---- the share's directory, changed as a local process would ---- */

static void local_path(char *out, size_t cap, const char *rel)
{
    assert_true((size_t)snprintf(out, cap, "%s/%s", root, rel) < cap);
}

static void local_creat(const char *rel)
{
    char p[256];
    local_path(p, sizeof p, rel);
    int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x", 1), 1);
    close(fd);
}

static void local_mkdir(const char *rel)
{
    char p[256];
    local_path(p, sizeof p, rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static void local_rename(const char *from, const char *to)
{
    char a[256], b[256];
    local_path(a, sizeof a, from);
    local_path(b, sizeof b, to);
    assert_int_equal(rename(a, b), 0);
}

/* ---- CHANGE_NOTIFY ---- */

#define MAX_SEEN 16
struct seen {
    unsigned n;
    uint32_t action[MAX_SEEN];
    char name[MAX_SEEN][64];
};

/* Add the entries of the CHANGE_NOTIFY response in t->rsp to s. */
static void collect(struct tconn *t, struct seen *s)
{
    struct smb2_change_notify_rsp rsp;
    assert_true(nt_ok(smb2_change_notify_rsp_decode(t->rsp, t->rsp_len, &rsp)));
    struct fscc_notify_iter it;
    struct fscc_notify_entry e;
    fscc_notify_iter_init(&it, rsp.output_buffer, rsp.output_buffer_length);
    while (fscc_notify_iter_next(&it, &e)) {
        assert_true(s->n < MAX_SEEN);
        size_t len = 0;
        assert_true(nt_ok(utf16le_to_utf8(e.file_name, e.file_name_len, s->name[s->n],
                                          sizeof s->name[s->n], &len)));
        s->action[s->n++] = e.action;
    }
    assert_true(nt_ok(fscc_notify_iter_status(&it)));
}

/* One CHANGE_NOTIFY on dir (answered at once or after waiting): what it
 * reports. */
static void notify_once(struct tconn *t, struct smb2_file_id dir, uint32_t filter, bool tree,
                        struct seen *s)
{
    uint64_t mid = notify_send(t, dir, 4096, filter, tree);
    assert_int_equal(notify_final(t, mid, true), 0);
    collect(t, s);
}

/* CHANGE_NOTIFY requests on dir until at least n entries came. */
static void notify_until(struct tconn *t, struct smb2_file_id dir, uint32_t filter, bool tree,
                         unsigned n, struct seen *s)
{
    while (s->n < n)
        notify_once(t, dir, filter, tree, s);
}

static void expect_entry(const struct seen *s, unsigned i, uint32_t action, const char *name)
{
    assert_true(i < s->n);
    assert_int_equal(s->action[i], action);
    assert_string_equal(s->name[i], name);
}

static struct smb2_file_id open_dir(struct tconn *t, const char *name)
{
    struct smb2_file_id dir;
    assert_int_equal(do_create(t, name, FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES, FILE_OPEN,
                               FILE_DIRECTORY_FILE, &dir),
                     0);
    return dir;
}

/* ---- the tests ---- */

/* A file a local process creates: FILE_ACTION_ADDED to the request that
 * waits. */
static void test_local_create(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id dir = open_dir(&t, "");
    uint64_t mid = notify_send(&t, dir, 4096, FILE_NOTIFY_CHANGE_FILE_NAME, false);
    notify_interim(&t, mid);
    local_creat("local.txt");
    assert_int_equal(notify_final(&t, mid, true), 0);
    struct seen s = {0};
    collect(&t, &s);
    assert_int_equal(s.n, 1);
    expect_entry(&s, 0, FILE_ACTION_ADDED, "local.txt");
    assert_int_equal(do_close(&t, dir), 0);
    tc_stop(&t);
}

/* rename(2) within the watched directory: the old name, then the new. A
 * removal by unlink(2) follows. */
static void test_local_rename(void **state)
{
    (void)state;
    local_creat("before.txt");
    struct tconn t;
    on_share(&t);
    struct smb2_file_id dir = open_dir(&t, "");
    uint64_t mid = notify_send(&t, dir, 4096, FILE_NOTIFY_CHANGE_FILE_NAME, false);
    notify_interim(&t, mid);
    local_rename("before.txt", "after.txt");
    assert_int_equal(notify_final(&t, mid, true), 0);
    struct seen s = {0};
    collect(&t, &s);
    notify_until(&t, dir, FILE_NOTIFY_CHANGE_FILE_NAME, false, 2, &s);
    assert_int_equal(s.n, 2);
    expect_entry(&s, 0, FILE_ACTION_RENAMED_OLD_NAME, "before.txt");
    expect_entry(&s, 1, FILE_ACTION_RENAMED_NEW_NAME, "after.txt");
    char p[256];
    local_path(p, sizeof p, "after.txt");
    assert_int_equal(unlink(p), 0);
    struct seen r = {0};
    notify_once(&t, dir, FILE_NOTIFY_CHANGE_FILE_NAME, false, &r);
    assert_int_equal(r.n, 1);
    expect_entry(&r, 0, FILE_ACTION_REMOVED, "after.txt");
    assert_int_equal(do_close(&t, dir), 0);
    tc_stop(&t);
}

/* A file created through the server is reported by the CREATE handler; the
 * kernel's report of the same creation is not passed on. The next change
 * (a local one, made after) is then the only thing the next request sees. */
static void test_server_change_once(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id dir = open_dir(&t, ""), f;
    uint64_t mid = notify_send(&t, dir, 4096, FILE_NOTIFY_CHANGE_FILE_NAME, false);
    notify_interim(&t, mid);
    assert_int_equal(do_create(&t, "server.txt", GENERIC_WRITE, FILE_CREATE, 0, &f), 0);
    assert_int_equal(notify_final(&t, mid, true), 0);
    struct seen s = {0};
    collect(&t, &s);
    assert_int_equal(s.n, 1);
    expect_entry(&s, 0, FILE_ACTION_ADDED, "server.txt");
    assert_int_equal(do_close(&t, f), 0);
    /* the kernel saw server.txt made before marker.txt: had its report
     * come through, it would come first */
    local_creat("marker.txt");
    struct seen r = {0};
    notify_once(&t, dir, FILE_NOTIFY_CHANGE_FILE_NAME, false, &r);
    assert_int_equal(r.n, 1);
    expect_entry(&r, 0, FILE_ACTION_ADDED, "marker.txt");
    assert_int_equal(do_close(&t, dir), 0);
    tc_stop(&t);
}

/* SMB2_WATCH_TREE: a directory made after the watch started is watched in
 * turn, whether its file comes after the client saw the directory or right
 * after the directory itself. */
static void test_tree_new_subdir(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id dir = open_dir(&t, "");
    uint64_t mid = notify_send(&t, dir, 4096, NAMES, true);
    notify_interim(&t, mid);
    local_mkdir("sub");
    assert_int_equal(notify_final(&t, mid, true), 0);
    struct seen s = {0};
    collect(&t, &s);
    assert_int_equal(s.n, 1);
    expect_entry(&s, 0, FILE_ACTION_ADDED, "sub");
    local_creat("sub/local.txt");
    struct seen r = {0};
    notify_once(&t, dir, NAMES, true, &r);
    assert_int_equal(r.n, 1);
    expect_entry(&r, 0, FILE_ACTION_ADDED, "sub\\local.txt");
    /* no pause between the directory and what is put in it */
    local_mkdir("quick");
    local_creat("quick/fast.txt");
    struct seen q = {0};
    notify_until(&t, dir, NAMES, true, 2, &q);
    assert_int_equal(q.n, 2);
    expect_entry(&q, 0, FILE_ACTION_ADDED, "quick");
    expect_entry(&q, 1, FILE_ACTION_ADDED, "quick\\fast.txt");
    assert_int_equal(do_close(&t, dir), 0);
    tc_stop(&t);
}

/* A directory below a tree watch renamed by a local process: its watch
 * follows it, and what happens in it is reported under its new name. */
static void test_tree_dir_renamed(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id dir = open_dir(&t, "");
    uint64_t mid = notify_send(&t, dir, 4096, NAMES, true);
    notify_interim(&t, mid);
    local_mkdir("d1");
    assert_int_equal(notify_final(&t, mid, true), 0);
    struct seen s = {0};
    collect(&t, &s);
    assert_int_equal(s.n, 1);
    expect_entry(&s, 0, FILE_ACTION_ADDED, "d1");
    local_rename("d1", "d2");
    struct seen r = {0};
    notify_until(&t, dir, NAMES, true, 2, &r);
    assert_int_equal(r.n, 2);
    expect_entry(&r, 0, FILE_ACTION_RENAMED_OLD_NAME, "d1");
    expect_entry(&r, 1, FILE_ACTION_RENAMED_NEW_NAME, "d2");
    local_creat("d2/in.txt");
    struct seen q = {0};
    notify_once(&t, dir, NAMES, true, &q);
    assert_int_equal(q.n, 1);
    expect_entry(&q, 0, FILE_ACTION_ADDED, "d2\\in.txt");
    assert_int_equal(do_close(&t, dir), 0);
    tc_stop(&t);
}

/* Without SMB2_WATCH_TREE what happens in a subdirectory is not reported;
 * the watch of the subdirectory itself sees it. */
static void test_no_tree(void **state)
{
    (void)state;
    local_mkdir("flat");
    struct tconn t;
    on_share(&t);
    struct smb2_file_id top = open_dir(&t, ""), sub = open_dir(&t, "flat");
    uint64_t top_mid = notify_send(&t, top, 4096, FILE_NOTIFY_CHANGE_FILE_NAME, false);
    notify_interim(&t, top_mid);
    uint64_t sub_mid = notify_send(&t, sub, 4096, FILE_NOTIFY_CHANGE_FILE_NAME, false);
    notify_interim(&t, sub_mid);
    local_creat("flat/inner.txt");
    assert_int_equal(notify_final(&t, sub_mid, true), 0);
    struct seen s = {0};
    collect(&t, &s);
    assert_int_equal(s.n, 1);
    expect_entry(&s, 0, FILE_ACTION_ADDED, "inner.txt");
    local_creat("outer.txt");
    assert_int_equal(notify_final(&t, top_mid, true), 0);
    struct seen r = {0};
    collect(&t, &r);
    assert_int_equal(r.n, 1);
    expect_entry(&r, 0, FILE_ACTION_ADDED, "outer.txt");
    assert_int_equal(do_close(&t, sub), 0);
    assert_int_equal(do_close(&t, top), 0);
    tc_stop(&t);
}

/* A local write: FILE_ACTION_MODIFIED for FILE_NOTIFY_CHANGE_LAST_WRITE. */
static void test_local_write(void **state)
{
    (void)state;
    local_creat("data.txt");
    struct tconn t;
    on_share(&t);
    struct smb2_file_id dir = open_dir(&t, "");
    uint64_t mid = notify_send(&t, dir, 4096, FILE_NOTIFY_CHANGE_LAST_WRITE, false);
    notify_interim(&t, mid);
    char p[256];
    local_path(p, sizeof p, "data.txt");
    int fd = open(p, O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "more", 4), 4);
    close(fd);
    assert_int_equal(notify_final(&t, mid, true), 0);
    struct seen s = {0};
    collect(&t, &s);
    assert_true(s.n >= 1);
    for (unsigned i = 0; i < s.n; i++)
        expect_entry(&s, i, FILE_ACTION_MODIFIED, "data.txt");
    assert_int_equal(do_close(&t, dir), 0);
    tc_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_create),       cmocka_unit_test(test_local_rename),
        cmocka_unit_test(test_server_change_once), cmocka_unit_test(test_tree_new_subdir),
        cmocka_unit_test(test_tree_dir_renamed),   cmocka_unit_test(test_no_tree),
        cmocka_unit_test(test_local_write),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
