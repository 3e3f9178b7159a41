/* The request engine against the real server core: several requests of one
 * connection at once. A file-system call held on the thread pool (lib/vfs's
 * test hook) must not stop the connection from reading and answering the
 * requests after it; a CLOSE of an open whose WRITE is still on the pool
 * must not pull the file from under it; a connection that goes while a
 * request is on the pool is freed once the request is done. */
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

#include "vfs/vfs.h"
#include "wire/echo.h"

static char root[64], conf[512];

/* ---- holding one kind of file-system call on the pool ---- */

static pthread_mutex_t hold_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cv = PTHREAD_COND_INITIALIZER;
static const char *hold_op;
static bool held, released;
static unsigned entered; /* calls of hold_op that reached the hook */

static void hold_hook(const char *op)
{
    pthread_mutex_lock(&hold_mu);
    if (hold_op && strcmp(op, hold_op) == 0) {
        entered++;
        held = true;
        pthread_cond_broadcast(&hold_cv);
        while (!released)
            pthread_cond_wait(&hold_cv, &hold_mu);
    }
    pthread_mutex_unlock(&hold_mu);
}

static void hold(const char *op)
{
    pthread_mutex_lock(&hold_mu);
    hold_op = op;
    held = released = false;
    entered = 0;
    pthread_mutex_unlock(&hold_mu);
    vfs_test_set_hook(hold_hook);
}

static void wait_held(void)
{
    pthread_mutex_lock(&hold_mu);
    while (!held)
        pthread_cond_wait(&hold_cv, &hold_mu);
    pthread_mutex_unlock(&hold_mu);
}

static void release(void)
{
    pthread_mutex_lock(&hold_mu);
    released = true;
    hold_op = NULL;
    pthread_cond_broadcast(&hold_cv);
    pthread_mutex_unlock(&hold_mu);
}

/* ---- fixtures ---- */

static int setup(void **state)
{
    (void)state;
    return test_rw_share("engine", root, sizeof root, conf, sizeof conf);
}

static int teardown(void **state)
{
    (void)state;
    vfs_test_set_hook(NULL);
    return test_dir_remove(root);
}

static void on_share(struct tconn *t)
{
    tc_connect_share(t, conf, "rw");
}

static void send_signed(struct tconn *t, uint8_t *msg, size_t len)
{
    tc_sign(t, msg, len);
    tc_send_raw(t, msg, len);
}

static size_t echo_at(struct tconn *t, uint8_t *p)
{
    struct wr w;
    wr_init(&w, p, 128);
    tc_hdr(t, &w, SMB2_ECHO, 8);
    struct smb2_echo_req q = {0};
    assert_true(nt_ok(smb2_echo_req_encode(&w, &q)));
    return wr_pos(&w);
}

/* Receive one frame; its first element's command and MessageId. */
static void recv_one(struct tconn *t, uint16_t *cmd, uint64_t *mid)
{
    if (!tc_recv(t))
        fail_msg("no response; server log:\n%s", harness_log);
    assert_true(tc_verify(t, 0, t->rsp_len));
    *cmd = le16_get(t->rsp + 12);
    *mid = le64_get(t->rsp + 24);
}

/* ---- tests ---- */

/* A WRITE held on the pool; the ECHO sent after it on the same connection
 * is answered first, then the WRITE, which wrote its bytes. */
static void test_echo_overtakes_held_write(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id fid;
    assert_int_equal(
        do_create(&t, "w.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF, 0, &fid), 0);
    hold("pwrite");
    uint8_t wmsg[256], emsg[128];
    uint64_t write_mid = t.mid;
    send_signed(&t, wmsg, write_at(&t, wmsg, sizeof wmsg, fid, "later", 0));
    wait_held();
    uint64_t echo_mid = t.mid;
    send_signed(&t, emsg, echo_at(&t, emsg));
    uint16_t cmd;
    uint64_t mid;
    recv_one(&t, &cmd, &mid);
    assert_int_equal(cmd, SMB2_ECHO);
    assert_int_equal(mid, echo_mid);
    assert_int_equal(rsp_status(&t), 0);
    release();
    recv_one(&t, &cmd, &mid);
    assert_int_equal(cmd, SMB2_WRITE);
    assert_int_equal(mid, write_mid);
    assert_int_equal(rsp_status(&t), 0);
    assert_int_equal(do_read(&t, fid, 5, 0, 1), 0);
    struct smb2_read_rsp rr;
    assert_true(nt_ok(smb2_read_rsp_decode(t.rsp, t.rsp_len, &rr)));
    assert_memory_equal(rr.data, "later", 5);
    assert_int_equal(do_close(&t, fid), 0);
    tc_stop(&t);
}

/* Two WRITEs to one file in flight on one connection: while the first is
 * held in the disk the second does not reach it (a file's writes run one at
 * a time, srv_engine.h srv_serial), though an ECHO after both is answered;
 * then both complete, in order, and the second's bytes, written over the
 * first's, are what the file holds. */
static void test_writes_to_one_file_run_in_order(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id fid;
    assert_int_equal(
        do_create(&t, "o.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF, 0, &fid), 0);
    hold("pwrite");
    uint8_t w1[256], w2[256], emsg[128];
    uint64_t mid1 = t.mid;
    send_signed(&t, w1, write_at(&t, w1, sizeof w1, fid, "first", 0));
    wait_held();
    uint64_t mid2 = t.mid;
    send_signed(&t, w2, write_at(&t, w2, sizeof w2, fid, "2nd", 0));
    send_signed(&t, emsg, echo_at(&t, emsg));
    uint16_t cmd;
    uint64_t mid;
    recv_one(&t, &cmd, &mid);
    assert_int_equal(cmd, SMB2_ECHO);
    pthread_mutex_lock(&hold_mu);
    unsigned in_disk = entered;
    pthread_mutex_unlock(&hold_mu);
    assert_int_equal(in_disk, 1);
    release();
    recv_one(&t, &cmd, &mid);
    assert_int_equal(cmd, SMB2_WRITE);
    assert_int_equal(mid, mid1);
    assert_int_equal(rsp_status(&t), 0);
    recv_one(&t, &cmd, &mid);
    assert_int_equal(cmd, SMB2_WRITE);
    assert_int_equal(mid, mid2);
    assert_int_equal(rsp_status(&t), 0);
    assert_int_equal(do_read(&t, fid, 5, 0, 1), 0);
    struct smb2_read_rsp rr;
    assert_true(nt_ok(smb2_read_rsp_decode(t.rsp, t.rsp_len, &rr)));
    assert_int_equal(rr.data_length, 5);
    assert_memory_equal(rr.data, "2ndst", 5);
    assert_int_equal(do_close(&t, fid), 0);
    tc_stop(&t);
}

/* A CLOSE of an open whose WRITE is held: the CLOSE is answered (the FileId
 * is gone at once), the WRITE still completes on the file, and its bytes
 * are on the disk. */
static void test_close_while_write_held(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id fid;
    assert_int_equal(
        do_create(&t, "c.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF, 0, &fid), 0);
    hold("pwrite");
    uint8_t wmsg[256], cmsg[128];
    send_signed(&t, wmsg, write_at(&t, wmsg, sizeof wmsg, fid, "kept", 0));
    wait_held();
    send_signed(&t, cmsg, close_at(&t, cmsg, fid));
    uint16_t cmd;
    uint64_t mid;
    recv_one(&t, &cmd, &mid);
    assert_int_equal(cmd, SMB2_CLOSE);
    assert_int_equal(rsp_status(&t), 0);
    release();
    recv_one(&t, &cmd, &mid);
    assert_int_equal(cmd, SMB2_WRITE);
    assert_int_equal(rsp_status(&t), 0);
    assert_int_equal(do_read(&t, fid, 4, 0, 1), STATUS_FILE_CLOSED_CODE);
    tc_stop(&t);
    char path[128], got[8] = "";
    snprintf(path, sizeof path, "%s/c.txt", root);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(fread(got, 1, sizeof got, f), 4);
    fclose(f);
    assert_memory_equal(got, "kept", 4);
}

/* A compound CREATE + WRITE + CLOSE whose WRITE is held: an ECHO sent
 * after it is answered first; then the compound's three responses come in
 * one frame, in order. */
static void test_compound_waits_while_echo_answered(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    const struct smb2_file_id related = {UINT64_MAX, UINT64_MAX};
    uint8_t frame[2048] = {0};
    size_t a =
        create_at(&t, frame, 1024, "k.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF, 0);
    size_t a8 = (a + 7) & ~(size_t)7;
    size_t b = write_at(&t, frame + a8, 512, related, "xyz", 0);
    size_t b8 = (b + 7) & ~(size_t)7;
    size_t c = close_at(&t, frame + a8 + b8, related);
    le32_put(frame + 20, (uint32_t)a8);
    le32_put(frame + a8 + 20, (uint32_t)b8);
    le32_put(frame + a8 + 16, le32_get(frame + a8 + 16) | SMB2_FLAGS_RELATED_OPERATIONS);
    le32_put(frame + a8 + b8 + 16, le32_get(frame + a8 + b8 + 16) | SMB2_FLAGS_RELATED_OPERATIONS);
    tc_sign(&t, frame, a8);
    tc_sign(&t, frame + a8, b8);
    tc_sign(&t, frame + a8 + b8, c);
    hold("pwrite");
    tc_send_raw(&t, frame, a8 + b8 + c);
    wait_held();
    uint8_t emsg[128];
    send_signed(&t, emsg, echo_at(&t, emsg));
    uint16_t cmd;
    uint64_t mid;
    recv_one(&t, &cmd, &mid);
    assert_int_equal(cmd, SMB2_ECHO);
    release();
    assert_true(tc_recv(&t));
    size_t off = 0;
    const uint16_t want[] = {SMB2_CREATE, SMB2_WRITE, SMB2_CLOSE};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(le16_get(t.rsp + off + 12), want[i]);
        assert_int_equal(le32_get(t.rsp + off + 8), 0);
        uint32_t next = le32_get(t.rsp + off + 20);
        assert_true(tc_verify(&t, off, next ? next : t.rsp_len - off));
        assert_int_equal(next == 0, i == 2);
        off += next;
    }
    tc_stop(&t);
}

/* The client goes while its WRITE is held: once the WRITE is let go the
 * connection is freed (ASan reports any leak or use after free). */
static void test_disconnect_while_write_held(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t);
    struct smb2_file_id fid;
    assert_int_equal(
        do_create(&t, "d.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF, 0, &fid), 0);
    hold("pwrite");
    uint8_t wmsg[256];
    send_signed(&t, wmsg, write_at(&t, wmsg, sizeof wmsg, fid, "gone", 0));
    wait_held();
    shutdown(t.fd, SHUT_RDWR);
    usleep(100 * 1000); /* the server sees the end of the stream meanwhile */
    release();
    tc_stop(&t);
    assert_true(harness_log_has("closed: peer closed"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_echo_overtakes_held_write),
        cmocka_unit_test(test_writes_to_one_file_run_in_order),
        cmocka_unit_test(test_close_while_write_held),
        cmocka_unit_test(test_compound_waits_while_echo_answered),
        cmocka_unit_test(test_disconnect_while_write_held),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
