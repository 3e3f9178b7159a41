/* See srv_files.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "srv_files.h"

#include "base/endian.h"
#include "base/utf16.h"
#include "wire/change_notify.h"

/* Sign and send one request built in msg[0..len); the response's status. */
uint32_t roundtrip(struct tconn *t, uint8_t *msg, size_t len)
{
    tc_sign(t, msg, len);
    tc_send_raw(t, msg, len);
    if (!tc_recv(t))
        fail_msg("no response to command %u; server log:\n%s", le16_get(msg + 12), harness_log);
    assert_true(tc_verify(t, 0, t->rsp_len));
    return rsp_status(t);
}

size_t create_spec_at(struct tconn *t, uint8_t *p, size_t cap, const struct create_spec *s)
{
    uint8_t u16[512], lease[SMB2_CTX_LEASE_V2_SIZE];
    size_t n = 0;
    assert_true(nt_ok(utf8_to_utf16le(s->name, strlen(s->name), u16, sizeof u16, &n)));
    struct smb2_create_ctx ctx = {(const uint8_t *)SMB2_CREATE_REQUEST_LEASE,
                                  SMB2_CREATE_CTX_TAG_LEN, lease, 0};
    if (s->lease)
        ctx.data_len = (uint32_t)smb2_ctx_lease_pack(lease, s->lease);
    struct wr w;
    wr_init(&w, p, cap);
    tc_hdr(t, &w, SMB2_CREATE, 8);
    struct smb2_create_req q = {.requested_oplock_level = s->oplock_level,
                                .impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
                                .desired_access = s->access,
                                .share_access = s->share_access,
                                .create_disposition = s->disposition,
                                .create_options = s->options,
                                .name = u16,
                                .name_len = (uint16_t)n,
                                .ctx_list = s->lease ? &ctx : NULL,
                                .ctx_count = s->lease ? 1 : 0};
    assert_true(nt_ok(smb2_create_req_encode(&w, &q)));
    return wr_pos(&w);
}

size_t create_share_at(struct tconn *t, uint8_t *p, size_t cap, const char *name, uint32_t access,
                       uint32_t share_access, uint32_t disposition, uint32_t options)
{
    struct create_spec s = {name, access, share_access, disposition, options, 0, NULL};
    return create_spec_at(t, p, cap, &s);
}

size_t create_at(struct tconn *t, uint8_t *p, size_t cap, const char *name, uint32_t access,
                 uint32_t disposition, uint32_t options)
{
    return create_share_at(t, p, cap, name, access, FILE_SHARE_READ | FILE_SHARE_WRITE, disposition,
                           options);
}

uint32_t do_create_share(struct tconn *t, const char *name, uint32_t access, uint32_t share_access,
                         uint32_t disp, uint32_t options, struct smb2_file_id *fid)
{
    uint8_t msg[1024];
    size_t len = create_share_at(t, msg, sizeof msg, name, access, share_access, disp, options);
    uint32_t st = roundtrip(t, msg, len);
    if (st == 0) {
        struct smb2_create_rsp r;
        assert_true(nt_ok(smb2_create_rsp_decode(t->rsp, t->rsp_len, &r)));
        *fid = r.file_id;
    }
    return st;
}

uint32_t do_create(struct tconn *t, const char *name, uint32_t access, uint32_t disp,
                   uint32_t options, struct smb2_file_id *fid)
{
    return do_create_share(t, name, access, FILE_SHARE_READ | FILE_SHARE_WRITE, disp, options, fid);
}

size_t close_at(struct tconn *t, uint8_t *p, struct smb2_file_id fid)
{
    struct wr w;
    wr_init(&w, p, 128);
    tc_hdr(t, &w, SMB2_CLOSE, 8);
    struct smb2_close_req q = {.flags = SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB, .file_id = fid};
    assert_true(nt_ok(smb2_close_req_encode(&w, &q)));
    return wr_pos(&w);
}

uint32_t do_close(struct tconn *t, struct smb2_file_id fid)
{
    uint8_t msg[128];
    return roundtrip(t, msg, close_at(t, msg, fid));
}

size_t write_at(struct tconn *t, uint8_t *p, size_t cap, struct smb2_file_id fid, const char *data,
                uint64_t off)
{
    struct wr w;
    wr_init(&w, p, cap);
    tc_hdr(t, &w, SMB2_WRITE, 8);
    struct smb2_write_req q = {.length = (uint32_t)strlen(data),
                               .offset = off,
                               .file_id = fid,
                               .data = (const uint8_t *)data};
    assert_true(nt_ok(smb2_write_req_encode(&w, &q)));
    return wr_pos(&w);
}

uint32_t do_read(struct tconn *t, struct smb2_file_id fid, uint32_t len, uint64_t off,
                 uint16_t charge)
{
    uint8_t msg[256];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_READ, 8);
    le16_put(msg + 6, charge); /* CreditCharge */
    struct smb2_read_req q = {.length = len, .offset = off, .file_id = fid};
    assert_true(nt_ok(smb2_read_req_encode(&w, &q)));
    return roundtrip(t, msg, wr_pos(&w));
}

size_t lock_at(struct tconn *t, uint8_t *p, struct smb2_file_id fid, uint64_t off, uint32_t flags)
{
    struct wr w;
    wr_init(&w, p, 256);
    tc_hdr(t, &w, SMB2_LOCK, 8);
    struct smb2_lock_req q = {.lock_count = 1, .file_id = fid};
    q.locks[0] = (struct smb2_lock_element){off, 10, flags};
    assert_true(nt_ok(smb2_lock_req_encode(&w, &q)));
    return wr_pos(&w);
}

uint32_t lock1(struct tconn *t, struct smb2_file_id fid, uint64_t off, uint32_t flags)
{
    uint8_t msg[256];
    return roundtrip(t, msg, lock_at(t, msg, fid, off, flags));
}

/* ---- fixtures ---- */

int test_dir_make(const char *tag, char *root, size_t root_cap)
{
    snprintf(root, root_cap, "/tmp/signet-test-%s-XXXXXX", tag);
    return mkdtemp(root) ? 0 : -1;
}

int test_dir_remove(const char *root)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

int test_rw_share(const char *tag, char *root, size_t root_cap, char *conf, size_t conf_cap)
{
    if (test_dir_make(tag, root, root_cap) != 0)
        return -1;
    snprintf(conf, conf_cap, TEST_CONF_GLOBAL "[rw]\npath = %s\nread only = no\n", root);
    return 0;
}

void tc_use_share(struct tconn *t, const char *share)
{
    const uint16_t d = SMB2_DIALECT_0311;
    tc_negotiate(t, &d, 1, SMB2_NEGOTIATE_SIGNING_ENABLED);
    assert_int_equal(tc_logon(t, TEST_USER, TEST_PASSWORD), 0);
    assert_int_equal(tc_tree_connect(t, share, true), 0);
}

void tc_connect_share(struct tconn *t, const char *conf, const char *share)
{
    tc_start(t, conf);
    tc_use_share(t, share);
}

/* ---- CHANGE_NOTIFY ---- */

void notify_recv(struct tconn *t)
{
    if (!tc_recv(t))
        fail_msg("no response; server log:\n%s", harness_log);
}

uint64_t notify_send(struct tconn *t, struct smb2_file_id dir, uint32_t out_len, uint32_t filter,
                     bool tree)
{
    uint8_t msg[256];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    uint64_t mid = t->mid;
    tc_hdr(t, &w, SMB2_CHANGE_NOTIFY, 8);
    struct smb2_change_notify_req q = {.flags = tree ? SMB2_WATCH_TREE : 0,
                                       .output_buffer_length = out_len,
                                       .file_id = dir,
                                       .completion_filter = filter};
    assert_true(nt_ok(smb2_change_notify_req_encode(&w, &q)));
    tc_sign(t, msg, wr_pos(&w));
    tc_send_raw(t, msg, wr_pos(&w));
    return mid;
}

uint64_t notify_interim(struct tconn *t, uint64_t mid)
{
    notify_recv(t);
    assert_int_equal(rsp_status(t), STATUS_PENDING_CODE);
    assert_int_equal(le64_get(t->rsp + 24), mid);
    return le64_get(t->rsp + 32);
}

uint32_t notify_final(struct tconn *t, uint64_t mid, bool skip_interim)
{
    for (;;) {
        notify_recv(t);
        if (skip_interim && rsp_status(t) == STATUS_PENDING_CODE && le64_get(t->rsp + 24) == mid)
            continue;
        assert_true(tc_verify(t, 0, t->rsp_len));
        if (le64_get(t->rsp + 24) == mid)
            return rsp_status(t);
        assert_int_equal(rsp_status(t), 0);
    }
}
