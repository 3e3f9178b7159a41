/* Requests of the file commands for the server tests, built with the wire
 * codecs and sent through the harness (srv_harness.h) on a logged-on,
 * signing session. Each do_* sends one request and returns the response's
 * status; each *_at builds one into p (for compounds) and returns its
 * length. share_access of create_at is FILE_SHARE_READ | FILE_SHARE_WRITE;
 * create_share_at names it. */
#ifndef SRV_FILES_H
#define SRV_FILES_H

#include "srv_harness.h"

#include "wire/close.h"
#include "wire/create.h"
#include "wire/lock.h"
#include "wire/read.h"
#include "wire/write.h"

/* Sign and send one request built in msg[0..len); the response's status
 * (its signature verified). */
uint32_t roundtrip(struct tconn *t, uint8_t *msg, size_t len);
size_t create_at(struct tconn *t, uint8_t *p, size_t cap, const char *name, uint32_t access,
                 uint32_t disposition, uint32_t options);
size_t create_share_at(struct tconn *t, uint8_t *p, size_t cap, const char *name, uint32_t access,
                       uint32_t share_access, uint32_t disposition, uint32_t options);
/* A CREATE with everything a test of caching names: the oplock level it
 * asks for and, when lease is not NULL, an SMB2_CREATE_REQUEST_LEASE
 * context (v1 or v2 by lease->version). */
struct create_spec {
    const char *name;
    uint32_t access, share_access, disposition, options;
    uint8_t oplock_level;
    const struct smb2_ctx_lease *lease;
};
size_t create_spec_at(struct tconn *t, uint8_t *p, size_t cap, const struct create_spec *s);
uint32_t do_create(struct tconn *t, const char *name, uint32_t access, uint32_t disp,
                   uint32_t options, struct smb2_file_id *fid);
uint32_t do_create_share(struct tconn *t, const char *name, uint32_t access, uint32_t share_access,
                         uint32_t disp, uint32_t options, struct smb2_file_id *fid);
size_t close_at(struct tconn *t, uint8_t *p, struct smb2_file_id fid);
uint32_t do_close(struct tconn *t, struct smb2_file_id fid);
size_t write_at(struct tconn *t, uint8_t *p, size_t cap, struct smb2_file_id fid, const char *data,
                uint64_t off);
uint32_t do_read(struct tconn *t, struct smb2_file_id fid, uint32_t len, uint64_t off,
                 uint16_t charge);
/* One LOCK element of 10 bytes at off with flags. */
size_t lock_at(struct tconn *t, uint8_t *p, struct smb2_file_id fid, uint64_t off, uint32_t flags);
uint32_t lock1(struct tconn *t, struct smb2_file_id fid, uint64_t off, uint32_t flags);

/* ---- CHANGE_NOTIFY ---- */
/* One response frame into t->rsp, or the test fails with the server log. */
void notify_recv(struct tconn *t);
/* Send a CHANGE_NOTIFY on dir; returns its MessageId. */
uint64_t notify_send(struct tconn *t, struct smb2_file_id dir, uint32_t out_len, uint32_t filter,
                     bool tree);
/* The interim response of mid; its AsyncId. */
uint64_t notify_interim(struct tconn *t, uint64_t mid);
/* The final response of mid (after any others that come first, which must
 * be successes, and, with skip_interim, past its own interim response): its
 * status; t->rsp holds it. */
uint32_t notify_final(struct tconn *t, uint64_t mid, bool skip_interim);

/* ---- fixtures ---- */

#define TEST_CONF_GLOBAL "[global]\nserver signing = mandatory\ninvalid authentication delay = 0\n"

/* A new directory /tmp/signet-test-TAG-XXXXXX (its path in root): 0 or -1. */
int test_dir_make(const char *tag, char *root, size_t root_cap);
/* rm -rf root: 0 or -1. */
int test_dir_remove(const char *root);
/* test_dir_make, and in conf TEST_CONF_GLOBAL with a read-write share "rw"
 * on the new directory. */
int test_rw_share(const char *tag, char *root, size_t root_cap, char *conf, size_t conf_cap);
/* NEGOTIATE 3.1.1 with signing, TEST_USER's logon and a signed TREE_CONNECT
 * to share, each asserted to succeed. */
void tc_use_share(struct tconn *t, const char *share);
/* tc_start on conf, then tc_use_share. */
void tc_connect_share(struct tconn *t, const char *conf, const char *share);

#endif
