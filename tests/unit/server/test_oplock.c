/* Oplocks and leases against the real server core, two clients (different
 * ClientGuids) on one server ([MS-SMB2] 3.3.5.9.8, 3.3.4.6, 3.3.4.7,
 * 3.3.5.22): a batch oplock broken to level II by another open, which waits
 * for the acknowledgment; a level II oplock broken to none by a write,
 * which does not wait; a lease broken RWH -> RH with its epoch, a wrong
 * acknowledgment refused; CANCEL of a waiting CREATE; no lease on a
 * directory; a share with `oplocks = no`; a rename waiting for a handle
 * lease; the holder's CLOSE releasing the waiter. */
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
#include "wire/cancel.h"
#include "wire/oplock_break.h"
#include "wire/set_info.h"

#define SHARE_ALL (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)
#define RW        (GENERIC_READ | GENERIC_WRITE)
#define LEASE_R   SMB2_LEASE_READ
#define LEASE_RH  (SMB2_LEASE_READ | SMB2_LEASE_HANDLE)
#define LEASE_RWH (SMB2_LEASE_READ | SMB2_LEASE_WRITE | SMB2_LEASE_HANDLE)
#define QUIET_MS  300 /* "nothing arrives": long enough for the loop to answer */

static char root[64], conf[768];
static struct tconn A, B; /* static: a tconn holds a 1 MiB frame */
static bool running;      /* A and B are connected: stop_pair ends them */
static const uint8_t K1[16] = {0x11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0x11};
static const uint8_t K2[16] = {0x22, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0x22};

/* ---- fixtures ---- */

static int setup(void **state)
{
    (void)state;
    if (test_dir_make("oplock", root, sizeof root) != 0)
        return -1;
    snprintf(conf, sizeof conf,
             TEST_CONF_GLOBAL "[rw]\npath = %s\nread only = no\n"
                              "[nooplocks]\npath = %s\nread only = no\noplocks = no\n",
             root, root);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_dir_remove(root);
}

/* Two clients, A and B, on share. */
static void pair_on(const char *share)
{
    tc_start_pair(&A, &B, conf);
    running = true;
    tc_use_share(&A, share);
    tc_use_share(&B, share);
}

/* After each test, passed or failed: a failed one leaves the server
 * running. */
static int stop_pair(void **state)
{
    (void)state;
    if (running)
        tc_stop_pair(&A, &B);
    running = false;
    return 0;
}

static void recv_or_fail(struct tconn *t)
{
    if (!tc_recv(t))
        fail_msg("no frame from the server; its log:\n%s", harness_log);
}

static void expect_quiet(struct tconn *t)
{
    if (!tc_quiet(t, QUIET_MS))
        fail_msg("an unexpected frame arrived (%s)", t == &A ? "A" : "B");
}

static void send_signed(struct tconn *t, uint8_t *msg, size_t len)
{
    tc_sign(t, msg, len);
    tc_send_raw(t, msg, len);
}

/* ---- CREATE ---- */

struct created {
    uint8_t oplock;
    struct smb2_file_id fid;
    bool has_lease;
    struct smb2_ctx_lease lease;
};

/* The CREATE response in t->rsp: oplock level, FileId, lease context. */
static struct created parse_created(struct tconn *t)
{
    struct smb2_create_rsp r;
    assert_true(nt_ok(smb2_create_rsp_decode(t->rsp, t->rsp_len, &r)));
    struct created c = {.oplock = r.oplock_level, .fid = r.file_id};
    struct smb2_create_ctx ctx;
    ntstatus_t st = smb2_create_ctx_find(r.create_contexts, r.create_contexts_len,
                                         SMB2_CREATE_REQUEST_LEASE, SMB2_CREATE_CTX_TAG_LEN, &ctx);
    c.has_lease = nt_ok(st);
    if (c.has_lease)
        assert_true(nt_ok(smb2_ctx_lease_decode(&ctx, &c.lease)));
    else
        assert_int_equal(st.code, STATUS_NOT_FOUND.code);
    return c;
}

/* A CREATE answered at once (no interim response) with success. */
static struct created open_ok(struct tconn *t, const struct create_spec *s)
{
    uint8_t msg[1024];
    assert_int_equal(roundtrip(t, msg, create_spec_at(t, msg, sizeof msg, s)), 0);
    return parse_created(t);
}

/* Send a CREATE; its MessageId. */
static uint64_t send_create(struct tconn *t, const struct create_spec *s)
{
    uint8_t msg[1024];
    uint64_t mid = t->mid;
    send_signed(t, msg, create_spec_at(t, msg, sizeof msg, s));
    return mid;
}

static struct smb2_ctx_lease lease_v2(const uint8_t key[16], uint32_t state)
{
    struct smb2_ctx_lease l = {.version = 2, .lease_state = state};
    memcpy(l.lease_key, key, 16);
    return l;
}

/* ---- pending requests ---- */

/* The interim response of mid, a cmd ([MS-SMB2] 3.3.4.2); its AsyncId. */
static uint64_t expect_interim(struct tconn *t, uint64_t mid, uint16_t cmd)
{
    recv_or_fail(t);
    struct smb2_hdr h;
    assert_true(nt_ok(smb2_hdr_decode(t->rsp, t->rsp_len, &h)));
    assert_int_equal(h.status, STATUS_PENDING_CODE);
    assert_int_equal(h.command, cmd);
    assert_true(h.message_id == mid);
    assert_true(h.flags & SMB2_FLAGS_ASYNC_COMMAND);
    assert_true(h.async_id != 0);
    return h.async_id;
}

/* The final response of the pending request (mid, async_id): signed, in
 * the async form; its status. */
static uint32_t expect_final(struct tconn *t, uint64_t mid, uint64_t async_id)
{
    recv_or_fail(t);
    struct smb2_hdr h;
    assert_true(nt_ok(smb2_hdr_decode(t->rsp, t->rsp_len, &h)));
    assert_true(h.message_id == mid);
    assert_true(h.flags & SMB2_FLAGS_ASYNC_COMMAND);
    assert_true(h.async_id == async_id);
    assert_true(tc_verify(t, 0, t->rsp_len));
    return h.status;
}

static void send_cancel(struct tconn *t, uint64_t mid, uint64_t async_id)
{
    uint8_t msg[SMB2_HDR_SIZE + 4];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    struct smb2_hdr h = {.credit_charge = 1,
                         .command = SMB2_CANCEL,
                         .flags = SMB2_FLAGS_ASYNC_COMMAND,
                         .message_id = mid,
                         .async_id = async_id,
                         .session_id = t->sid};
    assert_true(nt_ok(smb2_hdr_encode(&w, &h)));
    struct smb2_cancel_req q = {0};
    assert_true(nt_ok(smb2_cancel_req_encode(&w, &q)));
    send_signed(t, msg, wr_pos(&w));
}

/* ---- breaks and acknowledgments ---- */

/* A break notification ([MS-SMB2] 3.3.4.6, 3.3.4.7): MessageId all ones,
 * SessionId and TreeId 0, not signed, not async. */
static struct smb2_break recv_break(struct tconn *t)
{
    recv_or_fail(t);
    struct smb2_hdr h;
    assert_true(nt_ok(smb2_hdr_decode(t->rsp, t->rsp_len, &h)));
    assert_int_equal(h.command, SMB2_OPLOCK_BREAK);
    assert_int_equal(h.status, 0);
    assert_true(h.message_id == UINT64_MAX);
    assert_true(h.session_id == 0);
    assert_int_equal(h.tree_id, 0);
    assert_int_equal(h.flags, SMB2_FLAGS_SERVER_TO_REDIR);
    struct smb2_break b;
    assert_true(nt_ok(smb2_oplock_break_rsp_decode(t->rsp, t->rsp_len, &b)));
    return b;
}

static void expect_oplock_break(struct tconn *t, struct smb2_file_id fid, uint8_t level)
{
    struct smb2_break b = recv_break(t);
    assert_int_equal(b.kind, SMB2_BREAK_OPLOCK);
    assert_int_equal(b.u.oplock.oplock_level, level);
    assert_true(b.u.oplock.file_id.persistent == fid.persistent);
    assert_true(b.u.oplock.file_id.volatile_id == fid.volatile_id);
}

/* A lease break of key from `from` to `to`, acknowledgment required; its
 * NewEpoch. */
static uint16_t expect_lease_break(struct tconn *t, const uint8_t key[16], uint32_t from,
                                   uint32_t to)
{
    struct smb2_break b = recv_break(t);
    assert_int_equal(b.kind, SMB2_BREAK_LEASE_NOTIFY);
    const struct smb2_lease_break_notify *n = &b.u.lease_notify;
    assert_memory_equal(n->lease_key, key, 16);
    assert_int_equal(n->current_lease_state, from);
    assert_int_equal(n->new_lease_state, to);
    assert_int_equal(n->flags, SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED);
    return n->new_epoch;
}

/* Send an acknowledgment; the response's status (t->rsp holds it). */
static uint32_t send_ack(struct tconn *t, const struct smb2_break *b)
{
    uint8_t msg[SMB2_HDR_SIZE + 64];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_OPLOCK_BREAK, 8);
    assert_true(nt_ok(smb2_oplock_break_encode(&w, b)));
    return roundtrip(t, msg, wr_pos(&w));
}

/* An oplock acknowledgment of fid at level; on success the response names
 * fid and the level it granted (*granted). */
static uint32_t ack_oplock(struct tconn *t, struct smb2_file_id fid, uint8_t level,
                           uint8_t *granted)
{
    struct smb2_break b = {.kind = SMB2_BREAK_OPLOCK};
    b.u.oplock = (struct smb2_oplock_break){.oplock_level = level, .file_id = fid};
    uint32_t st = send_ack(t, &b);
    if (st == 0) {
        struct smb2_break r;
        assert_true(nt_ok(smb2_oplock_break_rsp_decode(t->rsp, t->rsp_len, &r)));
        assert_int_equal(r.kind, SMB2_BREAK_OPLOCK);
        assert_true(r.u.oplock.file_id.volatile_id == fid.volatile_id);
        *granted = r.u.oplock.oplock_level;
    }
    return st;
}

/* A lease acknowledgment of key with state; on success the response echoes
 * both. */
static uint32_t ack_lease(struct tconn *t, const uint8_t key[16], uint32_t state)
{
    struct smb2_break b = {.kind = SMB2_BREAK_LEASE_ACK};
    memcpy(b.u.lease_ack.lease_key, key, 16);
    b.u.lease_ack.lease_state = state;
    uint32_t st = send_ack(t, &b);
    if (st == 0) {
        struct smb2_break r;
        assert_true(nt_ok(smb2_oplock_break_rsp_decode(t->rsp, t->rsp_len, &r)));
        assert_int_equal(r.kind, SMB2_BREAK_LEASE_ACK);
        assert_memory_equal(r.u.lease_ack.lease_key, key, 16);
        assert_int_equal(r.u.lease_ack.lease_state, state);
    }
    return st;
}

static bool exists(const char *name)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", root, name);
    return access(p, F_OK) == 0;
}

/* ---- tests ---- */

/* 1. A sole opener gets batch; B's open breaks it to level II and waits
 * for A's acknowledgment, then gets the level II it asked for. */
static void test_batch_broken_to_level2(void **state)
{
    (void)state;
    pair_on("rw");
    struct create_spec sa = {"batch.txt", RW, SHARE_ALL, FILE_OPEN_IF, 0, SMB2_OPLOCK_LEVEL_BATCH,
                             NULL};
    struct created a = open_ok(&A, &sa);
    assert_int_equal(a.oplock, SMB2_OPLOCK_LEVEL_BATCH);
    assert_false(a.has_lease);

    struct create_spec sb = {"batch.txt", RW, SHARE_ALL, FILE_OPEN, 0, SMB2_OPLOCK_LEVEL_II, NULL};
    uint64_t mid = send_create(&B, &sb);
    uint64_t async_id = expect_interim(&B, mid, SMB2_CREATE);
    expect_oplock_break(&A, a.fid, SMB2_OPLOCK_LEVEL_II);
    expect_quiet(&B); /* held until A answers */

    uint8_t granted = 0xEE;
    assert_int_equal(ack_oplock(&A, a.fid, SMB2_OPLOCK_LEVEL_II, &granted), 0);
    assert_int_equal(granted, SMB2_OPLOCK_LEVEL_II);
    assert_int_equal(expect_final(&B, mid, async_id), 0);
    struct created b = parse_created(&B);
    assert_int_equal(b.oplock, SMB2_OPLOCK_LEVEL_II);
    assert_false(b.has_lease);
    expect_quiet(&A); /* two level II holders: nothing more to break */

    assert_int_equal(do_close(&A, a.fid), 0);
    assert_int_equal(do_close(&B, b.fid), 0);
}

/* 2. A level II oplock is broken to none by another client's write; the
 * write does not wait, and there is nothing to acknowledge. */
static void test_level2_broken_by_write(void **state)
{
    (void)state;
    pair_on("rw");
    struct create_spec sb = {"l2.txt", RW, SHARE_ALL, FILE_OPEN_IF, 0, SMB2_OPLOCK_LEVEL_NONE,
                             NULL};
    struct created b = open_ok(&B, &sb);
    assert_int_equal(b.oplock, SMB2_OPLOCK_LEVEL_NONE);
    /* B's open holds write caching back: batch asked, level II granted */
    struct create_spec sa = {"l2.txt", RW, SHARE_ALL, FILE_OPEN, 0, SMB2_OPLOCK_LEVEL_BATCH, NULL};
    struct created a = open_ok(&A, &sa);
    assert_int_equal(a.oplock, SMB2_OPLOCK_LEVEL_II);
    expect_quiet(&B);

    uint8_t msg[256];
    assert_int_equal(roundtrip(&B, msg, write_at(&B, msg, sizeof msg, b.fid, "hello", 0)), 0);
    struct smb2_write_rsp wr;
    assert_true(nt_ok(smb2_write_rsp_decode(B.rsp, B.rsp_len, &wr)));
    assert_int_equal(wr.count, 5);
    expect_oplock_break(&A, a.fid, SMB2_OPLOCK_LEVEL_NONE);

    uint8_t granted = 0xEE;
    assert_int_equal(ack_oplock(&A, a.fid, SMB2_OPLOCK_LEVEL_NONE, &granted),
                     STATUS_INVALID_OPLOCK_PROTOCOL_CODE);
    assert_int_equal(granted, 0xEE);
    assert_int_equal(do_close(&A, a.fid), 0);
    assert_int_equal(do_close(&B, b.fid), 0);
}

/* 3. Lease RWH (v2) broken to RH by another client's lease: ack required,
 * the epoch moved on by one; an acknowledgment of more than RH is refused
 * and the break goes on; RH is accepted and B gets RH. */
static void test_lease_broken_to_rh(void **state)
{
    (void)state;
    pair_on("rw");
    struct smb2_ctx_lease l1 = lease_v2(K1, LEASE_RWH), l2 = lease_v2(K2, LEASE_RWH);
    struct create_spec sa = {"lease.txt", RW, SHARE_ALL, FILE_OPEN_IF, 0, SMB2_OPLOCK_LEVEL_LEASE,
                             &l1};
    struct created a = open_ok(&A, &sa);
    assert_int_equal(a.oplock, SMB2_OPLOCK_LEVEL_LEASE);
    assert_true(a.has_lease);
    assert_int_equal(a.lease.version, 2);
    assert_memory_equal(a.lease.lease_key, K1, 16);
    assert_int_equal(a.lease.lease_state, LEASE_RWH);
    assert_int_equal(a.lease.lease_flags, 0);
    assert_int_equal(a.lease.epoch, 1); /* the client's 0, moved on (as Samba, Windows) */

    struct create_spec sb = {"lease.txt", RW, SHARE_ALL, FILE_OPEN, 0, SMB2_OPLOCK_LEVEL_LEASE,
                             &l2};
    uint64_t mid = send_create(&B, &sb);
    uint64_t async_id = expect_interim(&B, mid, SMB2_CREATE);
    uint16_t epoch = expect_lease_break(&A, K1, LEASE_RWH, LEASE_RH);
    assert_int_equal(epoch, a.lease.epoch + 1);
    expect_quiet(&B);

    assert_int_equal(ack_lease(&A, K1, LEASE_RWH), STATUS_REQUEST_NOT_ACCEPTED_CODE);
    expect_quiet(&B); /* still breaking */
    assert_int_equal(ack_lease(&A, K1, LEASE_RH), 0);

    assert_int_equal(expect_final(&B, mid, async_id), 0);
    struct created b = parse_created(&B);
    assert_int_equal(b.oplock, SMB2_OPLOCK_LEVEL_LEASE);
    assert_true(b.has_lease);
    assert_memory_equal(b.lease.lease_key, K2, 16);
    assert_int_equal(b.lease.lease_state, LEASE_RH);
    assert_int_equal(b.lease.lease_flags, 0);
    expect_quiet(&A); /* RH next to RH: no further break */

    assert_int_equal(do_close(&A, a.fid), 0);
    assert_int_equal(do_close(&B, b.fid), 0);
}

/* 4. CANCEL of a CREATE waiting for a break: STATUS_CANCELLED; the
 * holder's acknowledgment is still taken; a new open does not wait. */
static void test_cancel_waiting_create(void **state)
{
    (void)state;
    pair_on("rw");
    struct create_spec sa = {"cancel.txt", RW, SHARE_ALL, FILE_OPEN_IF, 0, SMB2_OPLOCK_LEVEL_BATCH,
                             NULL};
    struct created a = open_ok(&A, &sa);
    assert_int_equal(a.oplock, SMB2_OPLOCK_LEVEL_BATCH);

    struct create_spec sb = {"cancel.txt",           RW,  SHARE_ALL, FILE_OPEN, 0,
                             SMB2_OPLOCK_LEVEL_NONE, NULL};
    uint64_t mid = send_create(&B, &sb);
    uint64_t async_id = expect_interim(&B, mid, SMB2_CREATE);
    expect_oplock_break(&A, a.fid, SMB2_OPLOCK_LEVEL_II);
    send_cancel(&B, mid, async_id);
    assert_int_equal(expect_final(&B, mid, async_id), STATUS_CANCELLED_CODE);

    uint8_t granted = 0xEE;
    assert_int_equal(ack_oplock(&A, a.fid, SMB2_OPLOCK_LEVEL_II, &granted), 0);
    assert_int_equal(granted, SMB2_OPLOCK_LEVEL_II);
    expect_quiet(&B); /* the cancelled CREATE does not come back */

    struct created b = open_ok(&B, &sb); /* level II breaks nothing that waits */
    assert_int_equal(b.oplock, SMB2_OPLOCK_LEVEL_NONE);
    expect_quiet(&A);
    assert_int_equal(do_close(&A, a.fid), 0);
    assert_int_equal(do_close(&B, b.fid), 0);
}

/* 5. No lease (and no oplock) on a directory: level none, no context. */
static void test_no_directory_lease(void **state)
{
    (void)state;
    pair_on("rw");
    struct smb2_ctx_lease l1 = lease_v2(K1, LEASE_RH);
    struct create_spec sd = {"dir",
                             FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
                             SHARE_ALL,
                             FILE_OPEN_IF,
                             FILE_DIRECTORY_FILE,
                             SMB2_OPLOCK_LEVEL_LEASE,
                             &l1};
    struct created a = open_ok(&A, &sd);
    assert_int_equal(a.oplock, SMB2_OPLOCK_LEVEL_NONE);
    assert_false(a.has_lease);
    sd.oplock_level = SMB2_OPLOCK_LEVEL_BATCH;
    sd.lease = NULL;
    struct created b = open_ok(&B, &sd);
    assert_int_equal(b.oplock, SMB2_OPLOCK_LEVEL_NONE);
    assert_false(b.has_lease);
    expect_quiet(&A);
    assert_int_equal(do_close(&A, a.fid), 0);
    assert_int_equal(do_close(&B, b.fid), 0);
}

/* 6. `oplocks = no`: a batch request is granted nothing, a lease request
 * no lease, and another client's open breaks nothing and does not wait. */
static void test_share_without_oplocks(void **state)
{
    (void)state;
    pair_on("nooplocks");
    struct create_spec sa = {"none.txt", RW, SHARE_ALL, FILE_OPEN_IF, 0, SMB2_OPLOCK_LEVEL_BATCH,
                             NULL};
    struct created a = open_ok(&A, &sa);
    assert_int_equal(a.oplock, SMB2_OPLOCK_LEVEL_NONE);
    assert_false(a.has_lease);
    struct smb2_ctx_lease l1 = lease_v2(K1, LEASE_RWH);
    struct create_spec sl = {"nolease.txt",           RW, SHARE_ALL, FILE_OPEN_IF, 0,
                             SMB2_OPLOCK_LEVEL_LEASE, &l1};
    struct created al = open_ok(&A, &sl);
    assert_int_equal(al.oplock, SMB2_OPLOCK_LEVEL_NONE);
    assert_false(al.has_lease);

    /* answered at once: open_ok fails on an interim response */
    struct create_spec sb = {"none.txt", RW, SHARE_ALL, FILE_OPEN, 0, SMB2_OPLOCK_LEVEL_BATCH,
                             NULL};
    struct created b = open_ok(&B, &sb);
    assert_int_equal(b.oplock, SMB2_OPLOCK_LEVEL_NONE);
    expect_quiet(&A);
    assert_int_equal(do_close(&A, a.fid), 0);
    assert_int_equal(do_close(&A, al.fid), 0);
    assert_int_equal(do_close(&B, b.fid), 0);
}

/* SET_INFO FileRenameInformation of fid to name; its MessageId. */
static uint64_t send_rename(struct tconn *t, struct smb2_file_id fid, const char *name)
{
    uint8_t buf[256], u16[128], msg[512];
    size_t n = 0;
    assert_true(nt_ok(utf8_to_utf16le(name, strlen(name), u16, sizeof u16, &n)));
    struct fscc_rename_info ri = {.file_name = u16, .file_name_len = (uint32_t)n};
    struct wr w;
    wr_init(&w, buf, sizeof buf);
    assert_true(nt_ok(fscc_rename_info_encode(&w, &ri)));
    struct smb2_set_info_req q = {.info_type = SMB2_0_INFO_FILE,
                                  .file_info_class = FileRenameInformation,
                                  .buffer = buf,
                                  .buffer_length = (uint32_t)wr_pos(&w),
                                  .file_id = fid};
    uint64_t mid = t->mid;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_SET_INFO, 8);
    assert_true(nt_ok(smb2_set_info_req_encode(&w, &q)));
    send_signed(t, msg, wr_pos(&w));
    return mid;
}

/* 7. B (lease K2) renames a file on which A holds RH (K1): A's lease is
 * broken to R, acknowledgment required, and the rename waits for it. */
static void test_rename_breaks_handle_lease(void **state)
{
    (void)state;
    pair_on("rw");
    struct smb2_ctx_lease l1 = lease_v2(K1, LEASE_RH), l2 = lease_v2(K2, LEASE_RH);
    struct create_spec sa = {
        "ren.txt", GENERIC_READ, SHARE_ALL, FILE_OPEN_IF, 0, SMB2_OPLOCK_LEVEL_LEASE, &l1};
    struct created a = open_ok(&A, &sa);
    assert_true(a.has_lease);
    assert_int_equal(a.lease.lease_state, LEASE_RH);
    struct create_spec sb = {"ren.txt", GENERIC_READ | DELETE,   SHARE_ALL, FILE_OPEN,
                             0,         SMB2_OPLOCK_LEVEL_LEASE, &l2};
    struct created b = open_ok(&B, &sb); /* RH next to RH: no break, no wait */
    assert_true(b.has_lease);
    assert_int_equal(b.lease.lease_state, LEASE_RH);
    expect_quiet(&A);

    uint64_t mid = send_rename(&B, b.fid, "ren2.txt");
    uint64_t async_id = expect_interim(&B, mid, SMB2_SET_INFO);
    uint16_t epoch = expect_lease_break(&A, K1, LEASE_RH, LEASE_R);
    assert_int_equal(epoch, a.lease.epoch + 1);
    expect_quiet(&B);
    assert_true(exists("ren.txt"));
    assert_int_equal(ack_lease(&A, K1, LEASE_R), 0);
    assert_int_equal(expect_final(&B, mid, async_id), 0);
    assert_true(nt_ok(smb2_set_info_rsp_decode(B.rsp, B.rsp_len)));
    assert_false(exists("ren.txt"));
    assert_true(exists("ren2.txt"));
    expect_quiet(&A);

    assert_int_equal(do_close(&A, a.fid), 0);
    assert_int_equal(do_close(&B, b.fid), 0);
}

/* 8. The holder closes instead of acknowledging: the waiting CREATE goes
 * on, and, alone on the file now, gets the batch oplock it asked for. */
static void test_close_releases_waiter(void **state)
{
    (void)state;
    pair_on("rw");
    struct create_spec sa = {"close.txt", RW, SHARE_ALL, FILE_OPEN_IF, 0, SMB2_OPLOCK_LEVEL_BATCH,
                             NULL};
    struct created a = open_ok(&A, &sa);
    assert_int_equal(a.oplock, SMB2_OPLOCK_LEVEL_BATCH);

    struct create_spec sb = {"close.txt", RW, SHARE_ALL, FILE_OPEN, 0, SMB2_OPLOCK_LEVEL_BATCH,
                             NULL};
    uint64_t mid = send_create(&B, &sb);
    uint64_t async_id = expect_interim(&B, mid, SMB2_CREATE);
    expect_oplock_break(&A, a.fid, SMB2_OPLOCK_LEVEL_II);
    expect_quiet(&B);
    assert_int_equal(do_close(&A, a.fid), 0);
    assert_int_equal(expect_final(&B, mid, async_id), 0);
    struct created b = parse_created(&B);
    assert_int_equal(b.oplock, SMB2_OPLOCK_LEVEL_BATCH);
    assert_int_equal(do_close(&B, b.fid), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_batch_broken_to_level2, stop_pair),
        cmocka_unit_test_teardown(test_level2_broken_by_write, stop_pair),
        cmocka_unit_test_teardown(test_lease_broken_to_rh, stop_pair),
        cmocka_unit_test_teardown(test_cancel_waiting_create, stop_pair),
        cmocka_unit_test_teardown(test_no_directory_lease, stop_pair),
        cmocka_unit_test_teardown(test_share_without_oplocks, stop_pair),
        cmocka_unit_test_teardown(test_rename_breaks_handle_lease, stop_pair),
        cmocka_unit_test_teardown(test_close_releases_waiter, stop_pair),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
