/* The file commands against the real server core on a socketpair, over a
 * temporary share: CREATE / WRITE / READ / CLOSE, related compounds and their
 * FileId inheritance ([MS-SMB2] 3.3.5.2.7.2), QUERY_DIRECTORY's end statuses
 * (3.3.5.18), QUERY_INFO (3.3.5.20), SET_INFO rename and delete (3.3.5.21),
 * LOCK (3.3.5.14), the credit charge of large reads (3.3.5.2.5), read-only
 * shares, containment beneath the share root, IPC$, and hostile bodies. */
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
#include "crypto/crypto.h"
#include "wire/close.h"
#include "wire/create.h"
#include "wire/lock.h"
#include "wire/query_directory.h"
#include "wire/query_info.h"
#include "wire/read.h"
#include "wire/set_info.h"
#include "wire/write.h"

static char root[64], conf[512];
static const struct smb2_file_id fid_related = {UINT64_MAX, UINT64_MAX};

static int setup(void **state)
{
    (void)state;
    if (test_dir_make("files", root, sizeof root) != 0)
        return -1;
    char p[128];
    snprintf(p, sizeof p, "%s/rw", root);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/ro", root);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/ro/keep.txt", root);
    FILE *f = fopen(p, "w");
    if (!f)
        return -1;
    fputs("keep", f);
    fclose(f);
    snprintf(conf, sizeof conf,
             TEST_CONF_GLOBAL
             "[rw]\npath = %s/rw\nread only = no\n[ro]\npath = %s/ro\nread only = yes\n",
             root, root);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return test_dir_remove(root);
}

static void on_share(struct tconn *t, const char *share)
{
    tc_connect_share(t, conf, share);
}

static void test_create_write_read_close(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "rw");
    struct smb2_file_id fid = {0};
    assert_int_equal(do_create(&t, "a.txt", GENERIC_READ | GENERIC_WRITE, FILE_OVERWRITE_IF,
                               FILE_NON_DIRECTORY_FILE, &fid),
                     0);
    uint8_t msg[512];
    assert_int_equal(roundtrip(&t, msg, write_at(&t, msg, sizeof msg, fid, "hello", 0)), 0);
    assert_int_equal(do_read(&t, fid, 100, 0, 1), 0);
    struct smb2_read_rsp rr;
    assert_true(nt_ok(smb2_read_rsp_decode(t.rsp, t.rsp_len, &rr)));
    assert_int_equal(rr.data_length, 5);
    assert_memory_equal(rr.data, "hello", 5);
    assert_int_equal(do_read(&t, fid, 10, 5, 1), STATUS_END_OF_FILE_CODE);
    /* 3.3.5.2.5: 128 KiB needs a CreditCharge of 2 */
    assert_int_equal(do_read(&t, fid, 131072, 0, 1), STATUS_INVALID_PARAMETER_CODE);
    assert_int_equal(do_close(&t, fid), 0);
    struct smb2_close_rsp cr;
    assert_true(nt_ok(smb2_close_rsp_decode(t.rsp, t.rsp_len, &cr)));
    assert_int_equal(cr.end_of_file, 5);
    assert_int_equal(cr.file_attributes, FILE_ATTRIBUTE_ARCHIVE); /* as Windows, not NORMAL */
    assert_int_equal(do_close(&t, fid), STATUS_FILE_CLOSED_CODE);
    assert_int_equal(do_read(&t, fid, 1, 0, 1), STATUS_FILE_CLOSED_CODE);
    tc_stop(&t);
}

/* CREATE + WRITE + CLOSE, the last two naming FileId 0xFF..FF: each works
 * on the open the CREATE made; every response is signed. */
static void test_related_compound_inherits_file_id(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "rw");
    uint8_t frame[2048] = {0};
    size_t a = create_at(&t, frame, 1024, "rel.txt", GENERIC_ALL, FILE_OVERWRITE_IF, 0);
    size_t a8 = (a + 7) & ~(size_t)7;
    le32_put(frame + 20, (uint32_t)a8);
    size_t b = write_at(&t, frame + a8, 512, fid_related, "xyz", 0);
    size_t b8 = (b + 7) & ~(size_t)7;
    le32_put(frame + a8 + 20, (uint32_t)b8);
    le32_put(frame + a8 + 16, le32_get(frame + a8 + 16) | SMB2_FLAGS_RELATED_OPERATIONS);
    size_t c = close_at(&t, frame + a8 + b8, fid_related);
    uint8_t *cp = frame + a8 + b8;
    le32_put(cp + 16, le32_get(cp + 16) | SMB2_FLAGS_RELATED_OPERATIONS);
    tc_sign(&t, frame, a8);
    tc_sign(&t, frame + a8, b8);
    tc_sign(&t, cp, c);
    tc_send_raw(&t, frame, a8 + b8 + c);
    assert_true(tc_recv(&t));
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        uint32_t next = le32_get(t.rsp + off + 20);
        size_t len = next ? next : t.rsp_len - off;
        assert_int_equal(le32_get(t.rsp + off + 8), 0);
        assert_true(tc_verify(&t, off, len));
        off += len;
    }
    char p[128];
    struct stat st;
    snprintf(p, sizeof p, "%s/rw/rel.txt", root);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 3);
    /* outside a related compound, 0xFF..FF names nothing */
    assert_int_equal(do_close(&t, fid_related), STATUS_FILE_CLOSED_CODE);
    tc_stop(&t);
}

static uint32_t query_dir(struct tconn *t, struct smb2_file_id fid, const char *pattern,
                          uint8_t flags)
{
    uint8_t u16[128], msg[512];
    size_t n = 0;
    assert_true(nt_ok(utf8_to_utf16le(pattern, strlen(pattern), u16, sizeof u16, &n)));
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_QUERY_DIRECTORY, 8);
    struct smb2_query_directory_req q = {.file_information_class = FileIdBothDirectoryInformation,
                                         .flags = flags,
                                         .file_id = fid,
                                         .file_name = u16,
                                         .file_name_len = (uint16_t)n,
                                         .output_buffer_length = 65536};
    assert_true(nt_ok(smb2_query_directory_req_encode(&w, &q)));
    return roundtrip(t, msg, wr_pos(&w));
}

static void test_query_directory_end_statuses(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "ro");
    struct smb2_file_id dir = {0};
    assert_int_equal(do_create(&t, "", FILE_LIST_DIRECTORY, FILE_OPEN, FILE_DIRECTORY_FILE, &dir),
                     0);
    assert_int_equal(query_dir(&t, dir, "nomatch*", 0), STATUS_NO_SUCH_FILE_CODE);
    assert_int_equal(query_dir(&t, dir, "*", SMB2_RESTART_SCANS), 0);
    struct smb2_query_directory_rsp r;
    assert_true(nt_ok(smb2_query_directory_rsp_decode(t.rsp, t.rsp_len, &r)));
    struct fscc_dir_iter it;
    struct fscc_dir_entry e;
    fscc_dir_iter_init(&it, FileIdBothDirectoryInformation, r.output_buffer,
                       r.output_buffer_length);
    unsigned n = 0;
    while (fscc_dir_iter_next(&it, &e))
        n++;
    assert_true(nt_ok(fscc_dir_iter_status(&it)));
    assert_int_equal(n, 3); /* . .. keep.txt */
    assert_int_equal(query_dir(&t, dir, "*", 0), STATUS_NO_MORE_FILES_CODE);
    assert_int_equal(do_close(&t, dir), 0);
    tc_stop(&t);
}

static void test_read_only_share_refuses_changes(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "ro");
    struct smb2_file_id fid = {0};
    assert_int_equal(do_create(&t, "new.txt", GENERIC_WRITE, FILE_CREATE, 0, &fid),
                     STATUS_ACCESS_DENIED_CODE);
    assert_int_equal(do_create(&t, "keep.txt", GENERIC_WRITE, FILE_OPEN, 0, &fid),
                     STATUS_ACCESS_DENIED_CODE);
    assert_int_equal(do_create(&t, "keep.txt", MAXIMUM_ALLOWED, FILE_OPEN, 0, &fid), 0);
    /* SET_INFO disposition on a read-only share */
    uint8_t msg[256];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(&t, &w, SMB2_SET_INFO, 8);
    uint8_t one = 1;
    struct smb2_set_info_req q = {.info_type = SMB2_0_INFO_FILE,
                                  .file_info_class = FileDispositionInformation,
                                  .buffer = &one,
                                  .buffer_length = 1,
                                  .file_id = fid};
    assert_true(nt_ok(smb2_set_info_req_encode(&w, &q)));
    assert_int_equal(roundtrip(&t, msg, wr_pos(&w)), STATUS_ACCESS_DENIED_CODE);
    uint8_t wmsg[256];
    assert_int_equal(roundtrip(&t, wmsg, write_at(&t, wmsg, sizeof wmsg, fid, "x", 0)),
                     STATUS_ACCESS_DENIED_CODE);
    assert_int_equal(do_close(&t, fid), 0);
    char p[128];
    snprintf(p, sizeof p, "%s/ro/keep.txt", root);
    assert_int_equal(access(p, F_OK), 0);
    tc_stop(&t);
}

static void test_paths_stay_beneath_the_share(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "rw");
    struct smb2_file_id fid = {0};
    assert_int_not_equal(do_create(&t, "..\\ro\\keep.txt", GENERIC_READ, FILE_OPEN, 0, &fid), 0);
    assert_int_not_equal(do_create(&t, "..\\..\\etc\\passwd", GENERIC_READ, FILE_OPEN, 0, &fid), 0);
    assert_int_equal(do_create(&t, "\\lead.txt", GENERIC_ALL, FILE_CREATE, 0, &fid),
                     STATUS_INVALID_PARAMETER_CODE);
    tc_stop(&t);
}

static void test_ipc_create_not_found(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "IPC$");
    struct smb2_file_id fid = {0};
    assert_int_equal(do_create(&t, "srvsvc", GENERIC_READ | GENERIC_WRITE, FILE_OPEN, 0, &fid),
                     STATUS_OBJECT_NAME_NOT_FOUND_CODE);
    tc_stop(&t);
}

static uint32_t query_info_len(struct tconn *t, struct smb2_file_id fid, uint8_t type, uint8_t cls,
                               uint32_t addl, uint32_t out_len);

static uint32_t query_info(struct tconn *t, struct smb2_file_id fid, uint8_t type, uint8_t cls,
                           uint32_t addl)
{
    return query_info_len(t, fid, type, cls, addl, 4096);
}

static uint32_t query_info_len(struct tconn *t, struct smb2_file_id fid, uint8_t type, uint8_t cls,
                               uint32_t addl, uint32_t out_len)
{
    uint8_t msg[256];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_QUERY_INFO, 8);
    struct smb2_query_info_req q = {.info_type = type,
                                    .file_info_class = cls,
                                    .output_buffer_length = out_len,
                                    .additional_information = addl,
                                    .file_id = fid};
    assert_true(nt_ok(smb2_query_info_req_encode(&w, &q)));
    return roundtrip(t, msg, wr_pos(&w));
}

static void test_query_info_classes(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "ro");
    struct smb2_file_id fid = {0};
    assert_int_equal(do_create(&t, "keep.txt", GENERIC_READ, FILE_OPEN, 0, &fid), 0);
    struct smb2_query_info_rsp r;
    assert_int_equal(query_info(&t, fid, SMB2_0_INFO_FILE, FileAllInformation, 0), 0);
    assert_true(nt_ok(smb2_query_info_rsp_decode(t.rsp, t.rsp_len, &r)));
    struct fscc_all_info all;
    assert_true(nt_ok(fscc_all_info_decode(r.output_buffer, r.output_buffer_length, &all)));
    assert_int_equal(all.standard.end_of_file, 4);
    assert_int_equal(all.file_name_len, 18); /* "\keep.txt" */
    assert_int_equal(query_info(&t, fid, SMB2_0_INFO_SECURITY, 0, 7), 0);
    assert_true(nt_ok(smb2_query_info_rsp_decode(t.rsp, t.rsp_len, &r)));
    assert_int_equal(r.output_buffer_length, 20 + 12 + 12 + 28);
    assert_int_equal(r.output_buffer[0], 1);
    uint8_t fs[] = {FileFsVolumeInformation, FileFsSizeInformation, FileFsDeviceInformation,
                    FileFsAttributeInformation, FileFsFullSizeInformation};
    for (size_t i = 0; i < sizeof fs; i++)
        assert_int_equal(query_info(&t, fid, SMB2_0_INFO_FILESYSTEM, fs[i], 0), 0);
    uint8_t fc[] = {
        FileBasicInformation,        FileStandardInformation,  FileInternalInformation,
        FileEaInformation,           FileAccessInformation,    FilePositionInformation,
        FileModeInformation,         FileAlignmentInformation, FileNetworkOpenInformation,
        FileAttributeTagInformation, FileStreamInformation};
    for (size_t i = 0; i < sizeof fc; i++)
        assert_int_equal(query_info(&t, fid, SMB2_0_INFO_FILE, fc[i], 0), 0);
    assert_int_equal(query_info(&t, fid, SMB2_0_INFO_FILE, 99, 0), STATUS_INVALID_INFO_CLASS_CODE);
    assert_int_equal(do_close(&t, fid), 0);
    tc_stop(&t);
}

/* 3.3.5.20: below a class's fixed part STATUS_INFO_LENGTH_MISMATCH, short
 * of a variable class STATUS_BUFFER_OVERFLOW with what fits, a security
 * descriptor that does not fit STATUS_BUFFER_TOO_SMALL with the size needed
 * as ErrorData. */
static void test_query_info_buffer_sizes(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "ro");
    struct smb2_file_id fid = {0};
    assert_int_equal(do_create(&t, "keep.txt", GENERIC_READ, FILE_OPEN, 0, &fid), 0);
    assert_int_equal(query_info_len(&t, fid, SMB2_0_INFO_FILE, FileBasicInformation, 0, 39),
                     STATUS_INFO_LENGTH_MISMATCH_CODE);
    assert_int_equal(query_info_len(&t, fid, SMB2_0_INFO_FILE, FileAllInformation, 0, 103),
                     STATUS_INFO_LENGTH_MISMATCH_CODE);
    assert_int_equal(query_info_len(&t, fid, SMB2_0_INFO_FILE, FileAllInformation, 0, 110),
                     STATUS_BUFFER_OVERFLOW_CODE);
    struct smb2_query_info_rsp r;
    assert_true(nt_ok(smb2_query_info_rsp_decode(t.rsp, t.rsp_len, &r)));
    assert_int_equal(r.output_buffer_length, 110);
    assert_int_equal(query_info_len(&t, fid, SMB2_0_INFO_SECURITY, 0, 7, 1),
                     STATUS_BUFFER_TOO_SMALL_CODE);
    assert_int_equal(le32_get(t.rsp + SMB2_HDR_SIZE + 4), 4);  /* ByteCount */
    assert_int_equal(le32_get(t.rsp + SMB2_HDR_SIZE + 8), 72); /* the size needed */
    assert_int_equal(do_close(&t, fid), 0);
    /* FILE_READ_ATTRIBUTES is needed for the attributes */
    assert_int_equal(do_create(&t, "keep.txt", FILE_READ_DATA, FILE_OPEN, 0, &fid), 0);
    assert_int_equal(query_info(&t, fid, SMB2_0_INFO_FILE, FileBasicInformation, 0),
                     STATUS_ACCESS_DENIED_CODE);
    assert_int_equal(query_info(&t, fid, SMB2_0_INFO_FILE, FileStandardInformation, 0), 0);
    assert_int_equal(do_close(&t, fid), 0);
    tc_stop(&t);
}

static uint32_t set_info(struct tconn *t, struct smb2_file_id fid, uint8_t cls, const uint8_t *buf,
                         uint32_t len)
{
    uint8_t msg[1024];
    struct wr w;
    wr_init(&w, msg, sizeof msg);
    tc_hdr(t, &w, SMB2_SET_INFO, 8);
    struct smb2_set_info_req q = {.info_type = SMB2_0_INFO_FILE,
                                  .file_info_class = cls,
                                  .buffer = buf,
                                  .buffer_length = len,
                                  .file_id = fid};
    assert_true(nt_ok(smb2_set_info_req_encode(&w, &q)));
    return roundtrip(t, msg, wr_pos(&w));
}

static void test_rename_and_delete(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "rw");
    struct smb2_file_id fid = {0};
    assert_int_equal(do_create(&t, "r1.txt", GENERIC_ALL, FILE_OVERWRITE_IF, 0, &fid), 0);
    uint8_t buf[256], u16[64];
    size_t n = 0;
    assert_true(nt_ok(utf8_to_utf16le("r2.txt", 6, u16, sizeof u16, &n)));
    struct fscc_rename_info ri = {
        .replace_if_exists = true, .file_name = u16, .file_name_len = (uint32_t)n};
    struct wr w;
    wr_init(&w, buf, sizeof buf);
    assert_true(nt_ok(fscc_rename_info_encode(&w, &ri)));
    assert_int_equal(set_info(&t, fid, FileRenameInformation, buf, (uint32_t)wr_pos(&w)), 0);
    uint8_t one = 1;
    assert_int_equal(set_info(&t, fid, FileDispositionInformation, &one, 1), 0);
    assert_int_equal(do_close(&t, fid), 0);
    char p[128];
    snprintf(p, sizeof p, "%s/rw/r1.txt", root);
    assert_int_not_equal(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s/rw/r2.txt", root);
    assert_int_not_equal(access(p, F_OK), 0);
    tc_stop(&t);
}

static void test_locks(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "rw");
    struct smb2_file_id a = {0}, b = {0};
    const uint32_t all = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
    assert_int_equal(do_create_share(&t, "l.txt", GENERIC_ALL, all, FILE_OVERWRITE_IF, 0, &a), 0);
    assert_int_equal(do_create_share(&t, "l.txt", GENERIC_ALL, all, FILE_OPEN, 0, &b), 0);
    uint32_t ex = SMB2_LOCKFLAG_EXCLUSIVE_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY;
    assert_int_equal(lock1(&t, a, 0, ex), 0);
    assert_int_equal(lock1(&t, b, 5, ex), STATUS_LOCK_NOT_GRANTED_CODE);
    assert_int_equal(lock1(&t, b, 0, SMB2_LOCKFLAG_UNLOCK), STATUS_RANGE_NOT_LOCKED_CODE);
    assert_int_equal(lock1(&t, a, 0, SMB2_LOCKFLAG_UNLOCK | SMB2_LOCKFLAG_EXCLUSIVE_LOCK),
                     STATUS_INVALID_PARAMETER_CODE);
    assert_int_equal(lock1(&t, a, 0, SMB2_LOCKFLAG_UNLOCK), 0);
    assert_int_equal(lock1(&t, b, 5, ex), 0);
    assert_int_equal(do_close(&t, a), 0);
    assert_int_equal(do_close(&t, b), 0);
    tc_stop(&t);
}

/* Random bodies under valid, signed headers for every file command: an
 * error status (or a disconnect), never a crash or a hang. */
static void test_hostile_bodies(void **state)
{
    (void)state;
    static const uint16_t cmds[] = {SMB2_CREATE,     SMB2_CLOSE,   SMB2_FLUSH, SMB2_READ,
                                    SMB2_WRITE,      SMB2_LOCK,    SMB2_IOCTL, SMB2_QUERY_DIRECTORY,
                                    SMB2_QUERY_INFO, SMB2_SET_INFO};
    struct tconn t;
    on_share(&t, "rw");
    uint8_t msg[SMB2_HDR_SIZE + 256];
    for (int i = 0; i < 400; i++) {
        uint16_t cmd = cmds[i % (sizeof cmds / sizeof cmds[0])];
        uint8_t body = (uint8_t)(16 + (i * 37) % 240);
        struct wr w;
        wr_init(&w, msg, sizeof msg);
        tc_hdr(&t, &w, cmd, 8);
        assert_true(nt_ok(crypto_random(msg + SMB2_HDR_SIZE, body)));
        if (i % 2) /* a right StructureSize, so the handler itself parses */
            le16_put(msg + SMB2_HDR_SIZE, cmd == SMB2_CREATE || cmd == SMB2_IOCTL  ? 57
                                          : cmd == SMB2_CLOSE || cmd == SMB2_FLUSH ? 24
                                          : cmd == SMB2_LOCK                       ? 48
                                          : cmd == SMB2_QUERY_INFO                 ? 41
                                          : cmd == SMB2_QUERY_DIRECTORY || cmd == SMB2_SET_INFO
                                              ? 33
                                              : 49);
        tc_sign(&t, msg, SMB2_HDR_SIZE + body);
        tc_send_raw(&t, msg, SMB2_HDR_SIZE + body);
        if (!tc_recv(&t))
            break; /* a disconnect is an acceptable answer */
        assert_int_equal(le16_get(t.rsp + 12), cmd);
    }
    tc_stop(&t);
}

/* SRV_MAX_OPENS (16384) per connection, then STATUS_TOO_MANY_OPENED_FILES
 * (sooner if the process runs out of descriptors: EMFILE maps to the same
 * status); closing one makes room again. */
static void test_open_limit(void **state)
{
    (void)state;
    struct tconn t;
    on_share(&t, "ro");
    struct smb2_file_id fid = {0}, last = {0};
    unsigned n = 0;
    uint32_t st = 0;
    while (n <= 16384) {
        st = do_create(&t, "", FILE_READ_ATTRIBUTES, FILE_OPEN, 0, &fid);
        if (st != 0)
            break;
        last = fid;
        n++;
    }
    print_message("%u opens before STATUS_TOO_MANY_OPENED_FILES\n", n);
    assert_int_equal(st, STATUS_TOO_MANY_OPENED_FILES_CODE);
    assert_true(n > 0 && n <= 16384);
    assert_int_equal(do_close(&t, last), 0);
    assert_int_equal(do_create(&t, "", FILE_READ_ATTRIBUTES, FILE_OPEN, 0, &fid), 0);
    tc_stop(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_write_read_close),
        cmocka_unit_test(test_related_compound_inherits_file_id),
        cmocka_unit_test(test_query_directory_end_statuses),
        cmocka_unit_test(test_read_only_share_refuses_changes),
        cmocka_unit_test(test_paths_stay_beneath_the_share),
        cmocka_unit_test(test_ipc_create_not_found),
        cmocka_unit_test(test_query_info_classes),
        cmocka_unit_test(test_query_info_buffer_sizes),
        cmocka_unit_test(test_rename_and_delete),
        cmocka_unit_test(test_locks),
        cmocka_unit_test(test_hostile_bodies),
        cmocka_unit_test(test_open_limit),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
