/* Durable opens against the real server core ([MS-SMB2] 3.3.5.9.6/7/10/12,
 * 3.3.7.1, 3.3.5.6): the grant (a DHnQ or DH2Q response context only with
 * a batch oplock), a connection dropped and the open reclaimed from a new
 * connection and session with its data and persistent FileId, the wrong
 * user (STATUS_ACCESS_DENIED, 3.3.5.9.7) and the wrong CreateGuid
 * (STATUS_OBJECT_NAME_NOT_FOUND, 3.3.5.9.12), a LOGOFF that keeps the open
 * (3.3.5.6) and a TREE_DISCONNECT that ends it, another client's open that
 * closes it (and, delete-on-close, its file), its application instance
 * opening the file again, its timeout, and the share key that turns it
 * off.
 *
 * Several connections to one server: the harness starts one, so the server
 * here is started with all of its socketpairs adopted before its loop
 * thread runs (pair_start); each client end drives a struct tconn through
 * the harness's request helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "srv_files.h"

#include "base/utf16.h"
#include "config/config.h"
#include "wire/logoff.h"
#include "wire/oplock_break.h"
#include "wire/tree_disconnect.h"

#define NCONN 3
#define BOB   "bob"

static char root[64], conf[512];

static int setup(void **state)
{
    (void)state;
    return test_rw_share("durable", root, sizeof root, conf, sizeof conf);
}

static int teardown(void **state)
{
    (void)state;
    return test_dir_remove(root);
}

/* ---- one server, NCONN connections ---- */

static bool lookup2(void *ctx, const char *user, uint8_t nt_hash[16])
{
    (void)ctx;
    if (strcmp(user, TEST_USER) != 0 && strcmp(user, BOB) != 0)
        return false;
    return nt_ok(ntlm_nt_hash(TEST_PASSWORD, nt_hash));
}

static void *loop_main(void *arg)
{
    uv_run(arg, UV_RUN_DEFAULT);
    return NULL;
}

/* t[0] owns the loop, the server and the thread; every t[i] a client end,
 * a client of its own (ClientGuid). */
static void pair_start(struct tconn t[NCONN], const char *text)
{
    for (int i = 0; i < NCONN; i++)
        memset(&t[i], 0, sizeof t[i]);
    struct cfg *cfg = calloc(1, sizeof *cfg);
    assert_non_null(cfg);
    char err[256] = "";
    cfg_defaults(cfg);
    if (!nt_ok(cfg_load_string("test.conf", text, cfg, err, sizeof err)))
        fail_msg("config: %s", err);
    assert_int_equal(uv_loop_init(&t[0].loop), 0);
    struct srv_opts opts = {.lookup = lookup2, .netbios_name = "TESTSRV"};
    assert_true(nt_ok(srv_new(&t[0].loop, cfg, &opts, &t[0].srv)));
    free(cfg);
    for (int i = 0; i < NCONN; i++) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        assert_true(nt_ok(srv_adopt_fd(t[0].srv, sv[0])));
        t[i].fd = sv[1];
        t[i].client_guid[0] = 0xD0;
        t[i].client_guid[15] = (uint8_t)(i + 1);
    }
    assert_int_equal(pthread_create(&t[0].th, NULL, loop_main, &t[0].loop), 0);
}

static void drop(struct tconn *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    tc_keys_clear(t);
}

static void pair_stop(struct tconn t[NCONN])
{
    for (int i = 0; i < NCONN; i++)
        drop(&t[i]);
    pthread_join(t[0].th, NULL); /* the loop ends with the connections */
    srv_free(t[0].srv);          /* and closes the opens still disconnected */
    assert_int_equal(uv_loop_close(&t[0].loop), 0);
}

static void on_share(struct tconn *t, const char *user)
{
    if (strcmp(user, TEST_USER) == 0) {
        tc_use_share(t, "rw");
        return;
    }
    const uint16_t d = SMB2_DIALECT_0311;
    tc_negotiate(t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    assert_int_equal(tc_logon(t, user, TEST_PASSWORD), 0);
    assert_int_equal(tc_tree_connect(t, "rw", true), 0);
}

/* ---- requests ---- */

struct durable_ask {
    uint8_t oplock;
    uint32_t options;
    uint32_t access;             /* 0: read, write and delete */
    const uint8_t *app_instance; /* an SMB2_CREATE_APP_INSTANCE_ID too */
    const char *tag;             /* DHnQ, DH2Q, DHnC, DH2C or NULL */
    uint32_t timeout;            /* DH2Q */
    uint8_t guid[16];            /* DH2Q, DH2C */
    struct smb2_file_id fid;     /* DHnC, DH2C */
};

struct create_out {
    uint32_t status;
    uint8_t oplock;
    uint32_t action;
    struct smb2_file_id fid;
    bool dhnq, dh2q;
    uint32_t dh2q_timeout;
};

static void create_ctx(const struct durable_ask *a, uint8_t *data, struct smb2_create_ctx *c)
{
    *c = (struct smb2_create_ctx){(const uint8_t *)a->tag, 4, data, 0};
    if (strcmp(a->tag, "DHnQ") == 0) {
        memset(data, 0, SMB2_CTX_DHNQ_SIZE);
        c->data_len = SMB2_CTX_DHNQ_SIZE;
    } else if (strcmp(a->tag, "DH2Q") == 0) {
        struct smb2_ctx_dh2q q = {.timeout = a->timeout};
        memcpy(q.create_guid, a->guid, 16);
        smb2_ctx_dh2q_pack(data, &q);
        c->data_len = SMB2_CTX_DH2Q_SIZE;
    } else if (strcmp(a->tag, "DHnC") == 0) {
        struct smb2_ctx_dhnc n = {a->fid.persistent, a->fid.volatile_id};
        smb2_ctx_dhnc_pack(data, &n);
        c->data_len = SMB2_CTX_DHNC_SIZE;
    } else {
        struct smb2_ctx_dh2c v = {.persistent = a->fid.persistent,
                                  .volatile_id = a->fid.volatile_id};
        memcpy(v.create_guid, a->guid, 16);
        smb2_ctx_dh2c_pack(data, &v);
        c->data_len = SMB2_CTX_DH2C_SIZE;
    }
}

/* roundtrip, but an interim STATUS_PENDING response (a CREATE that waits)
 * may come first. */
static uint32_t roundtrip_async(struct tconn *t, uint8_t *msg, size_t len)
{
    tc_sign(t, msg, len);
    tc_send_raw(t, msg, len);
    do
        if (!tc_recv(t))
            fail_msg("no response; server log:\n%s", harness_log);
    while (rsp_status(t) == STATUS_PENDING_CODE && (rsp_flags(t) & SMB2_FLAGS_ASYNC_COMMAND));
    assert_true(tc_verify(t, 0, t->rsp_len));
    return rsp_status(t);
}

static struct create_out create_durable(struct tconn *t, const char *name,
                                        const struct durable_ask *a)
{
    uint8_t msg[1024], u16[256], data[64], app[SMB2_CTX_APP_INSTANCE_ID_SIZE];
    size_t n = 0, nc = 0;
    assert_true(nt_ok(utf8_to_utf16le(name, strlen(name), u16, sizeof u16, &n)));
    struct smb2_create_ctx ctxs[2], c;
    if (a->tag)
        create_ctx(a, data, &ctxs[nc++]);
    if (a->app_instance) {
        smb2_ctx_app_instance_id_pack(app, a->app_instance);
        ctxs[nc++] = (struct smb2_create_ctx){(const uint8_t *)SMB2_CREATE_APP_INSTANCE_ID,
                                              SMB2_CREATE_APP_INSTANCE_ID_LEN, app, sizeof app};
    }
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_CREATE, 8);
    struct smb2_create_req q = {.requested_oplock_level = a->oplock,
                                .impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
                                .desired_access =
                                    a->access ? a->access : GENERIC_READ | GENERIC_WRITE | DELETE,
                                .share_access = FILE_SHARE_READ | FILE_SHARE_WRITE,
                                .create_disposition = FILE_OPEN_IF,
                                .create_options = a->options,
                                .name = u16,
                                .name_len = (uint16_t)n,
                                .ctx_list = nc ? ctxs : NULL,
                                .ctx_count = nc};
    assert_true(nt_ok(smb2_create_req_encode(&w, &q)));
    struct create_out out = {.status = roundtrip_async(t, msg, wr_pos(&w))};
    if (out.status != 0)
        return out;
    struct smb2_create_rsp r;
    assert_true(nt_ok(smb2_create_rsp_decode(t->rsp, t->rsp_len, &r)));
    out.oplock = r.oplock_level;
    out.action = r.create_action;
    out.fid = r.file_id;
    struct smb2_create_ctx_iter it;
    smb2_create_ctx_iter_init(&it, r.create_contexts, r.create_contexts_len);
    while (smb2_create_ctx_next(&it, &c)) {
        struct smb2_ctx_dh2q_rsp v;
        if (smb2_create_ctx_is(&c, "DHnQ")) {
            assert_int_equal(c.data_len, SMB2_CTX_DHNQ_RSP_SIZE);
            out.dhnq = true;
        } else if (smb2_create_ctx_is(&c, "DH2Q")) {
            assert_true(nt_ok(smb2_ctx_dh2q_rsp_decode(&c, &v)));
            assert_int_equal(v.flags, 0); /* never persistent */
            out.dh2q = true;
            out.dh2q_timeout = v.timeout;
        }
    }
    assert_true(nt_ok(smb2_create_ctx_iter_status(&it)));
    return out;
}

static struct smb2_file_id durable_v1(struct tconn *t, const char *name)
{
    struct durable_ask a = {.oplock = SMB2_OPLOCK_LEVEL_BATCH, .tag = "DHnQ"};
    struct create_out o = create_durable(t, name, &a);
    assert_int_equal(o.status, 0);
    assert_int_equal(o.oplock, SMB2_OPLOCK_LEVEL_BATCH);
    assert_true(o.dhnq);
    return o.fid;
}

static struct create_out reconnect(struct tconn *t, const char *tag, struct smb2_file_id fid,
                                   const uint8_t guid[16])
{
    struct durable_ask a = {.tag = tag, .fid = fid};
    if (guid)
        memcpy(a.guid, guid, 16);
    return create_durable(t, "ignored-name", &a);
}

static void write_str(struct tconn *t, struct smb2_file_id fid, const char *s)
{
    uint8_t msg[256];
    assert_int_equal(roundtrip(t, msg, write_at(t, msg, sizeof msg, fid, s, 0)), 0);
}

static void expect_data(struct tconn *t, struct smb2_file_id fid, const char *s)
{
    assert_int_equal(do_read(t, fid, (uint32_t)strlen(s), 0, 1), 0);
    struct smb2_read_rsp r;
    assert_true(nt_ok(smb2_read_rsp_decode(t->rsp, t->rsp_len, &r)));
    assert_int_equal(r.data_length, strlen(s));
    assert_memory_equal(r.data, s, strlen(s));
}

static uint32_t simple(struct tconn *t, uint16_t cmd)
{
    uint8_t msg[SMB2_HDR_SIZE + 4];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, cmd, 1);
    wr_u16(&w, 4);
    wr_u16(&w, 0);
    return roundtrip(t, msg, sizeof msg);
}

/* ---- tests ---- */

/* 3.3.5.9.6 / 3.3.5.9.10: durable only with a batch oplock; a DH2Q
 * Timeout of 0 gets 60 s, a larger one than 300 s is capped. */
static void test_grant(void **state)
{
    (void)state;
    struct tconn t[NCONN];
    pair_start(t, conf);
    on_share(&t[0], TEST_USER);
    struct durable_ask a = {.oplock = SMB2_OPLOCK_LEVEL_BATCH, .tag = "DHnQ"};
    struct create_out o = create_durable(&t[0], "g1.txt", &a);
    assert_int_equal(o.status, 0);
    assert_int_equal(o.oplock, SMB2_OPLOCK_LEVEL_BATCH);
    assert_true(o.dhnq);
    assert_int_equal(o.fid.persistent, o.fid.volatile_id);
    assert_int_equal(do_close(&t[0], o.fid), 0);

    a.oplock = SMB2_OPLOCK_LEVEL_NONE; /* no handle caching: not durable */
    o = create_durable(&t[0], "g2.txt", &a);
    assert_int_equal(o.status, 0);
    assert_false(o.dhnq);
    assert_int_equal(do_close(&t[0], o.fid), 0);
    a.oplock = SMB2_OPLOCK_LEVEL_EXCLUSIVE;
    o = create_durable(&t[0], "g2.txt", &a);
    assert_int_equal(o.oplock, SMB2_OPLOCK_LEVEL_EXCLUSIVE);
    assert_false(o.dhnq);
    assert_int_equal(do_close(&t[0], o.fid), 0);

    a = (struct durable_ask){.oplock = SMB2_OPLOCK_LEVEL_BATCH, .tag = "DH2Q", .guid = {1}};
    o = create_durable(&t[0], "g3.txt", &a);
    assert_true(o.dh2q);
    assert_false(o.dhnq);
    assert_int_equal(o.dh2q_timeout, 60000);
    assert_int_equal(do_close(&t[0], o.fid), 0);
    a.timeout = UINT32_MAX;
    a.guid[0] = 2;
    o = create_durable(&t[0], "g3.txt", &a);
    assert_int_equal(o.dh2q_timeout, 300000);
    assert_int_equal(do_close(&t[0], o.fid), 0);

    /* left disconnected when the server stops: srv_free closes it, and a
     * delete-on-close one removes its file */
    a = (struct durable_ask){
        .oplock = SMB2_OPLOCK_LEVEL_BATCH, .tag = "DHnQ", .options = FILE_DELETE_ON_CLOSE};
    assert_true(create_durable(&t[0], "doc.txt", &a).dhnq);
    a.options = 0;
    assert_true(create_durable(&t[0], "kept.txt", &a).dhnq);
    pair_stop(t);
    char path[128];
    snprintf(path, sizeof path, "%s/doc.txt", root);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof path, "%s/kept.txt", root);
    assert_int_equal(access(path, F_OK), 0);
}

/* 3.3.7.1 and 3.3.5.9.7: the connection goes, the open stays; a new
 * connection and session of the same user reclaims it with its data and
 * its FileId.Persistent; a reclaimed open is not reclaimed twice. */
static void test_reconnect(void **state)
{
    (void)state;
    struct tconn t[NCONN];
    pair_start(t, conf);
    on_share(&t[0], TEST_USER);
    struct smb2_file_id fid = durable_v1(&t[0], "r.txt");
    write_str(&t[0], fid, "hello");
    drop(&t[0]);
    on_share(&t[1], TEST_USER);
    struct create_out o = reconnect(&t[1], "DHnC", fid, NULL);
    assert_int_equal(o.status, 0);
    assert_int_equal(o.action, FILE_OPENED);
    assert_int_equal(o.oplock, SMB2_OPLOCK_LEVEL_BATCH);
    assert_false(o.dhnq); /* a reconnect answers no durable context */
    assert_int_equal(o.fid.persistent, fid.persistent);
    expect_data(&t[1], o.fid, "hello");
    assert_int_not_equal(o.fid.volatile_id, o.fid.persistent); /* a new slot */
    /* connected again: not reclaimable (3.3.5.9.7) */
    on_share(&t[2], TEST_USER);
    assert_int_equal(reconnect(&t[2], "DHnC", fid, NULL).status, STATUS_OBJECT_NAME_NOT_FOUND_CODE);
    /* its oplock was kept, and a break names it by both halves of its
     * FileId: another open of the file waits for it */
    uint8_t msg[1024];
    size_t len = create_at(&t[2], msg, sizeof msg, "r.txt", GENERIC_READ, FILE_OPEN, 0);
    tc_sign(&t[2], msg, len);
    tc_send_raw(&t[2], msg, len);
    assert_true(tc_recv(&t[1]));
    assert_int_equal(le16_get(t[1].rsp + 12), SMB2_OPLOCK_BREAK);
    struct smb2_break b;
    assert_true(nt_ok(smb2_oplock_break_rsp_decode(t[1].rsp, t[1].rsp_len, &b)));
    assert_int_equal(b.kind, SMB2_BREAK_OPLOCK);
    assert_int_equal(b.u.oplock.file_id.persistent, fid.persistent);
    assert_int_equal(b.u.oplock.file_id.volatile_id, o.fid.volatile_id);
    assert_int_equal(do_close(&t[1], o.fid), 0); /* the waiting open goes on */
    do
        assert_true(tc_recv(&t[2]));
    while (rsp_status(&t[2]) == STATUS_PENDING_CODE);
    assert_int_equal(rsp_status(&t[2]), 0);
    pair_stop(t);
}

/* Open.DurableOwner (3.3.5.9.7): another user is refused, and the open
 * waits on for its owner. A DH2C must name the CreateGuid (3.3.5.9.12). */
static void test_wrong_user_and_guid(void **state)
{
    (void)state;
    struct tconn t[NCONN];
    pair_start(t, conf);
    on_share(&t[0], TEST_USER);
    struct durable_ask a = {.oplock = SMB2_OPLOCK_LEVEL_BATCH, .tag = "DH2Q", .guid = {0x42}};
    struct create_out o = create_durable(&t[0], "u.txt", &a);
    assert_true(o.dh2q);
    drop(&t[0]);
    on_share(&t[1], BOB);
    assert_int_equal(reconnect(&t[1], "DH2C", o.fid, a.guid).status, STATUS_ACCESS_DENIED_CODE);
    on_share(&t[2], TEST_USER);
    uint8_t wrong[16] = {0x43};
    assert_int_equal(reconnect(&t[2], "DH2C", o.fid, wrong).status,
                     STATUS_OBJECT_NAME_NOT_FOUND_CODE);
    assert_int_equal(reconnect(&t[2], "DH2C", o.fid, NULL).status,
                     STATUS_OBJECT_NAME_NOT_FOUND_CODE);
    struct create_out back = reconnect(&t[2], "DH2C", o.fid, a.guid);
    assert_int_equal(back.status, 0);
    assert_int_equal(back.fid.persistent, o.fid.persistent);
    assert_int_equal(do_close(&t[2], back.fid), 0);
    pair_stop(t);
}

/* 3.3.5.6: a LOGOFF keeps the durable open for a new session (smbtorture
 * durable-open.reopen4); a TREE_DISCONNECT closes it for good (reopen3). */
static void test_logoff_and_tree_disconnect(void **state)
{
    (void)state;
    struct tconn t[NCONN];
    pair_start(t, conf);
    on_share(&t[0], TEST_USER);
    struct smb2_file_id fid = durable_v1(&t[0], "l.txt");
    assert_int_equal(simple(&t[0], SMB2_LOGOFF), 0);
    t[0].tid = 0;
    tc_keys_clear(&t[0]);
    assert_int_equal(tc_logon(&t[0], TEST_USER, TEST_PASSWORD), 0);
    assert_int_equal(tc_tree_connect(&t[0], "rw", true), 0);
    struct create_out o = reconnect(&t[0], "DHnC", fid, NULL);
    assert_int_equal(o.status, 0);
    assert_int_equal(o.fid.persistent, fid.persistent);

    assert_int_equal(simple(&t[0], SMB2_TREE_DISCONNECT), 0);
    assert_int_equal(tc_tree_connect(&t[0], "rw", true), 0);
    assert_int_equal(reconnect(&t[0], "DHnC", fid, NULL).status, STATUS_OBJECT_NAME_NOT_FOUND_CODE);
    /* closed, not kept: the file opens without a wait or a violation */
    struct durable_ask none = {.oplock = SMB2_OPLOCK_LEVEL_NONE};
    o = create_durable(&t[0], "l.txt", &none);
    assert_int_equal(o.status, 0);
    assert_int_equal(do_close(&t[0], o.fid), 0);
    pair_stop(t);
}

/* An open that would break a disconnected open's batch oplock closes it
 * (it cannot be told): no wait, and it is not reclaimable afterwards. */
static void test_other_open_closes_it(void **state)
{
    (void)state;
    struct tconn t[NCONN];
    pair_start(t, conf);
    on_share(&t[0], TEST_USER);
    struct smb2_file_id fid = durable_v1(&t[0], "o.txt");
    drop(&t[0]);
    on_share(&t[1], BOB);
    struct durable_ask none = {.oplock = SMB2_OPLOCK_LEVEL_NONE};
    struct create_out o = create_durable(&t[1], "o.txt", &none);
    assert_int_equal(o.status, 0); /* at once: the response is the next frame */
    assert_int_equal(o.action, FILE_OPENED);
    on_share(&t[2], TEST_USER);
    assert_int_equal(reconnect(&t[2], "DHnC", fid, NULL).status, STATUS_OBJECT_NAME_NOT_FOUND_CODE);
    assert_int_equal(do_close(&t[1], o.fid), 0);
    pair_stop(t);
}

/* A disconnected delete-on-close open that another open closes takes its
 * file with it: that open finds the name anew (smbtorture
 * durable-open.delete_on_close1). */
static void test_delete_on_close_purged(void **state)
{
    (void)state;
    struct tconn t[NCONN];
    pair_start(t, conf);
    on_share(&t[0], TEST_USER);
    struct durable_ask a = {
        .oplock = SMB2_OPLOCK_LEVEL_BATCH, .tag = "DHnQ", .options = FILE_DELETE_ON_CLOSE};
    struct create_out o = create_durable(&t[0], "d.txt", &a);
    assert_true(o.dhnq);
    write_str(&t[0], o.fid, "gone");
    drop(&t[0]);
    on_share(&t[1], TEST_USER);
    a = (struct durable_ask){.oplock = SMB2_OPLOCK_LEVEL_BATCH};
    struct create_out n = create_durable(&t[1], "d.txt", &a);
    assert_int_equal(n.status, 0); /* after an interim response: it waited */
    assert_int_equal(n.action, FILE_CREATED);
    assert_int_equal(n.oplock, SMB2_OPLOCK_LEVEL_BATCH);
    assert_int_equal(do_close(&t[1], n.fid), 0);
    pair_stop(t);
}

/* 3.3.5.9.13: an open under the AppInstanceId of another client's open
 * closes that one, without a break (smbtorture
 * durable-v2-open.app-instance); so does one under the AppInstanceId of a
 * disconnected open, even a stat open, which would break nothing. */
static void test_app_instance(void **state)
{
    (void)state;
    static const uint8_t app_id[16] = {0xA5, 0x5A};
    struct tconn t[NCONN];
    pair_start(t, conf);
    on_share(&t[0], TEST_USER);
    on_share(&t[1], TEST_USER);
    struct durable_ask a = {
        .oplock = SMB2_OPLOCK_LEVEL_BATCH, .tag = "DH2Q", .guid = {9}, .app_instance = app_id};
    struct create_out o0 = create_durable(&t[0], "app.txt", &a);
    assert_true(o0.dh2q);
    a.guid[0] = 10;
    struct create_out o1 = create_durable(&t[1], "app.txt", &a);
    assert_int_equal(o1.status, 0);
    assert_int_equal(o1.oplock, SMB2_OPLOCK_LEVEL_BATCH);
    assert_true(o1.dh2q);
    assert_true(tc_quiet(&t[0], 100)); /* no break */
    assert_int_equal(do_close(&t[0], o0.fid), STATUS_FILE_CLOSED_CODE);

    struct durable_ask b = {.oplock = SMB2_OPLOCK_LEVEL_BATCH, .tag = "DH2Q", .guid = {11}};
    struct create_out other = create_durable(&t[1], "other.txt", &b);
    assert_true(other.dh2q);
    drop(&t[1]);
    on_share(&t[2], TEST_USER);
    struct durable_ask stat = {.access = FILE_READ_ATTRIBUTES, .app_instance = app_id};
    struct create_out s1 = create_durable(&t[2], "app.txt", &stat);
    assert_int_equal(s1.status, 0);
    stat.app_instance = NULL; /* without one nothing goes */
    struct create_out s2 = create_durable(&t[2], "other.txt", &stat);
    assert_int_equal(s2.status, 0);
    assert_int_equal(reconnect(&t[2], "DH2C", o1.fid, a.guid).status,
                     STATUS_OBJECT_NAME_NOT_FOUND_CODE);
    struct create_out back = reconnect(&t[2], "DH2C", other.fid, b.guid);
    assert_int_equal(back.status, 0);
    assert_int_equal(do_close(&t[2], back.fid), 0);
    assert_int_equal(do_close(&t[2], s1.fid), 0);
    assert_int_equal(do_close(&t[2], s2.fid), 0);
    pair_stop(t);
}

/* 3.3.2.2: not reclaimed within its timeout, it is closed. */
static void test_timeout(void **state)
{
    (void)state;
    struct tconn t[NCONN];
    pair_start(t, conf);
    on_share(&t[0], TEST_USER);
    struct durable_ask a = {
        .oplock = SMB2_OPLOCK_LEVEL_BATCH, .tag = "DH2Q", .timeout = 1, .guid = {7}};
    struct create_out o = create_durable(&t[0], "t.txt", &a);
    assert_int_equal(o.dh2q_timeout, 1);
    drop(&t[0]);
    usleep(2200 * 1000); /* the scavenger looks every second */
    on_share(&t[1], TEST_USER);
    assert_int_equal(reconnect(&t[1], "DH2C", o.fid, a.guid).status,
                     STATUS_OBJECT_NAME_NOT_FOUND_CODE);
    pair_stop(t);
}

/* 'durable handles = no': the context is ignored. */
static void test_share_off(void **state)
{
    (void)state;
    char off[600];
    snprintf(off, sizeof off, "%sdurable handles = no\n", conf);
    struct tconn t[NCONN];
    pair_start(t, off);
    on_share(&t[0], TEST_USER);
    struct durable_ask a = {.oplock = SMB2_OPLOCK_LEVEL_BATCH, .tag = "DHnQ"};
    struct create_out o = create_durable(&t[0], "off.txt", &a);
    assert_int_equal(o.status, 0);
    assert_int_equal(o.oplock, SMB2_OPLOCK_LEVEL_BATCH);
    assert_false(o.dhnq);
    assert_int_equal(do_close(&t[0], o.fid), 0);
    pair_stop(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grant),
        cmocka_unit_test(test_reconnect),
        cmocka_unit_test(test_wrong_user_and_guid),
        cmocka_unit_test(test_logoff_and_tree_disconnect),
        cmocka_unit_test(test_other_open_closes_it),
        cmocka_unit_test(test_delete_on_close_purged),
        cmocka_unit_test(test_app_instance),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_share_off),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
