/* libFuzzer target: the file I/O commands READ, WRITE, IOCTL, QUERY_INFO,
 * SET_INFO, QUERY_DIRECTORY (request and response), and the buffers they
 * carry: directory entries (query_directory.h), [MS-FSCC] information classes
 * (fscc_info.h), FILE_NOTIFY_INFORMATION (change_notify.h) and
 * VALIDATE_NEGOTIATE_INFO (ioctl.h).
 *
 * Input: data[0] % 16 selects what the rest is:
 *    0 READ req      1 READ rsp      2 WRITE req        3 WRITE rsp
 *    4 IOCTL req     5 IOCTL rsp     6 QUERY_INFO req   7 QUERY_INFO rsp
 *    8 SET_INFO req  9 SET_INFO rsp 10 QUERY_DIRECTORY req 11 ... rsp
 *      (these: one message starting at the SMB2 header)
 *   12 [class] QUERY_DIRECTORY OutputBuffer: the entry iterator
 *   13 [InfoType] [class] an information class buffer: its decoder
 *   14 CHANGE_NOTIFY OutputBuffer: the notify entry iterator
 *   15 [0 = request, else response] VALIDATE_NEGOTIATE_INFO payload
 * A decoded message or buffer is re-encoded and decoded again; the fields
 * must be the same (round-trip oracle). Keep the selectors in sync with
 * make_corpus.py (IO_SEL*). */
#include "base/utf16.h"
#include "fuzz_smb2.h"
#include "wire/change_notify.h"
#include "wire/fscc_info.h"
#include "wire/ioctl.h"
#include "wire/query_directory.h"
#include "wire/query_info.h"
#include "wire/read.h"
#include "wire/set_info.h"
#include "wire/write.h"

#include <stdbool.h>

static bool eq_fid(const struct smb2_file_id *a, const struct smb2_file_id *b)
{
    return a->persistent == b->persistent && a->volatile_id == b->volatile_id;
}

#define SAME(a, b, pf, lf) fuzz_same_bytes((a)->pf, (a)->lf, (b)->pf, (b)->lf)

/* Decode; if it worked, check the views lie in the message, re-encode,
 * decode again and compare with EQ. SKIP(a) true: not exactly reversible. */
#define ROUNDTRIP(T, DEC, ENC, VIEWS, SKIP, EQ, msg, len)                                          \
    do {                                                                                           \
        T a_, b_;                                                                                  \
        memset(&a_, 0, sizeof(a_));                                                                \
        memset(&b_, 0, sizeof(b_));                                                                \
        if (!nt_ok(DEC((msg), (len), &a_)))                                                        \
            break;                                                                                 \
        VIEWS(&a_, (msg), (len));                                                                  \
        if (SKIP(&a_))                                                                             \
            break;                                                                                 \
        struct wr w_;                                                                              \
        size_t l2_;                                                                                \
        fuzz_rt_begin(&w_, (msg));                                                                 \
        uint8_t *m2_ = fuzz_rt_end(&w_, ENC(&w_, &a_), &l2_);                                      \
        FUZZ_CHECK_OK(DEC(m2_, l2_, &b_));                                                         \
        FUZZ_CHECK(EQ(&a_, &b_));                                                                  \
        free(m2_);                                                                                 \
    } while (0)

#define NEVER(a) ((void)(a), false)

/* ---- READ ---- */
static void v_read_req(const struct smb2_read_req *a, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->read_channel_info, a->read_channel_info_len, m, l);
    FUZZ_CHECK(a->rdma == (a->channel != SMB2_CHANNEL_NONE));
}
/* The encoder refuses channel info (RDMA is not supported). */
static bool skip_read_req(const struct smb2_read_req *a)
{
    return a->read_channel_info_len != 0;
}
static bool eq_read_req(const struct smb2_read_req *a, const struct smb2_read_req *b)
{
    return a->padding == b->padding && a->flags == b->flags && a->length == b->length &&
           a->offset == b->offset && eq_fid(&a->file_id, &b->file_id) &&
           a->minimum_count == b->minimum_count && a->channel == b->channel &&
           a->remaining_bytes == b->remaining_bytes && a->rdma == b->rdma;
}
static void v_read_rsp(const struct smb2_read_rsp *a, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->data, a->data_length, m, l);
    fuzz_consume(a->data, a->data_length);
}
static bool eq_read_rsp(const struct smb2_read_rsp *a, const struct smb2_read_rsp *b)
{
    return a->data_length == b->data_length && a->data_remaining == b->data_remaining &&
           a->flags == b->flags && SAME(a, b, data, data_length);
}

/* ---- WRITE ---- */
static void v_write_req(const struct smb2_write_req *a, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->data, a->length, m, l);
    FUZZ_WITHIN(a->write_channel_info, a->write_channel_info_len, m, l);
    fuzz_consume(a->data, a->length);
}
static bool skip_write_req(const struct smb2_write_req *a)
{
    return a->write_channel_info_len != 0;
}
static bool eq_write_req(const struct smb2_write_req *a, const struct smb2_write_req *b)
{
    return a->length == b->length && a->offset == b->offset && eq_fid(&a->file_id, &b->file_id) &&
           a->channel == b->channel && a->remaining_bytes == b->remaining_bytes &&
           a->flags == b->flags && a->rdma == b->rdma && SAME(a, b, data, length);
}
static void v_none_write_rsp(const struct smb2_write_rsp *a, const uint8_t *m, size_t l)
{
    (void)a, (void)m, (void)l;
}
static bool eq_write_rsp(const struct smb2_write_rsp *a, const struct smb2_write_rsp *b)
{
    return a->count == b->count && a->remaining == b->remaining;
}

/* ---- IOCTL ---- */
static void v_ioctl_req(const struct smb2_ioctl_req *a, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->input, a->input_count, m, l);
    FUZZ_WITHIN(a->output, a->output_count, m, l);
}
static bool eq_ioctl_req(const struct smb2_ioctl_req *a, const struct smb2_ioctl_req *b)
{
    return a->ctl_code == b->ctl_code && eq_fid(&a->file_id, &b->file_id) &&
           SAME(a, b, input, input_count) && a->max_input_response == b->max_input_response &&
           SAME(a, b, output, output_count) && a->max_output_response == b->max_output_response &&
           a->flags == b->flags;
}
static void v_ioctl_rsp(const struct smb2_ioctl_rsp *a, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->input, a->input_count, m, l);
    FUZZ_WITHIN(a->output, a->output_count, m, l);
}
static bool eq_ioctl_rsp(const struct smb2_ioctl_rsp *a, const struct smb2_ioctl_rsp *b)
{
    return a->ctl_code == b->ctl_code && eq_fid(&a->file_id, &b->file_id) &&
           SAME(a, b, input, input_count) && SAME(a, b, output, output_count) &&
           a->flags == b->flags;
}

/* ---- QUERY_INFO / SET_INFO ---- */
static void v_qi_req(const struct smb2_query_info_req *a, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->input_buffer, a->input_buffer_length, m, l);
}
static bool eq_qi_req(const struct smb2_query_info_req *a, const struct smb2_query_info_req *b)
{
    return a->info_type == b->info_type && a->file_info_class == b->file_info_class &&
           a->output_buffer_length == b->output_buffer_length &&
           SAME(a, b, input_buffer, input_buffer_length) &&
           a->additional_information == b->additional_information && a->flags == b->flags &&
           eq_fid(&a->file_id, &b->file_id);
}
static void v_qi_rsp(const struct smb2_query_info_rsp *a, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->output_buffer, a->output_buffer_length, m, l);
}
static bool eq_qi_rsp(const struct smb2_query_info_rsp *a, const struct smb2_query_info_rsp *b)
{
    return SAME(a, b, output_buffer, output_buffer_length);
}
static void v_si_req(const struct smb2_set_info_req *a, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->buffer, a->buffer_length, m, l);
}
static bool eq_si_req(const struct smb2_set_info_req *a, const struct smb2_set_info_req *b)
{
    return a->info_type == b->info_type && a->file_info_class == b->file_info_class &&
           SAME(a, b, buffer, buffer_length) &&
           a->additional_information == b->additional_information &&
           eq_fid(&a->file_id, &b->file_id);
}

/* ---- QUERY_DIRECTORY ---- */
static void v_qd_req(const struct smb2_query_directory_req *a, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->file_name, a->file_name_len, m, l);
    FUZZ_CHECK(a->file_name_len % 2 == 0);
}
static bool eq_qd_req(const struct smb2_query_directory_req *a,
                      const struct smb2_query_directory_req *b)
{
    return a->file_information_class == b->file_information_class && a->flags == b->flags &&
           a->file_index == b->file_index && eq_fid(&a->file_id, &b->file_id) &&
           SAME(a, b, file_name, file_name_len) &&
           a->output_buffer_length == b->output_buffer_length;
}
static void v_qd_rsp(const struct smb2_query_directory_rsp *a, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->output_buffer, a->output_buffer_length, m, l);
}
/* NULL output_buffer tells the encoder the caller wrote it in place. */
static bool skip_qd_rsp(const struct smb2_query_directory_rsp *a)
{
    return a->output_buffer == NULL && a->output_buffer_length != 0;
}
static bool eq_qd_rsp(const struct smb2_query_directory_rsp *a,
                      const struct smb2_query_directory_rsp *b)
{
    return SAME(a, b, output_buffer, output_buffer_length);
}

/* ---- the output buffers ---- */

#define MAX_ENTRIES 256

static void fuzz_dirents(uint8_t info_class, const uint8_t *buf, size_t len)
{
    struct fscc_dir_entry *e = calloc(MAX_ENTRIES + 1, sizeof(*e));
    if (e == NULL)
        abort();
    struct fscc_dir_iter it;
    size_t n = 0;
    fscc_dir_iter_init(&it, info_class, buf, len);
    while (n < MAX_ENTRIES && fscc_dir_iter_next(&it, &e[n])) {
        FUZZ_WITHIN(e[n].file_name, e[n].file_name_len, buf, len);
        FUZZ_CHECK(e[n].file_name_len % 2 == 0 && e[n].short_name_len <= 24);
        fuzz_consume(e[n].file_name, e[n].file_name_len);
        n++;
    }
    if (n == MAX_ENTRIES || !nt_ok(fscc_dir_iter_status(&it))) {
        free(e);
        return;
    }
    FUZZ_CHECK(it.count == n);

    /* Rebuild with the writer and walk again. */
    size_t cap = len + 8 * n + 64;
    uint8_t *out = malloc(cap);
    if (out == NULL)
        abort();
    struct fscc_dir_writer dw;
    fscc_dir_writer_init(&dw, info_class, out, cap);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK_OK(fscc_dir_writer_add(&dw, &e[i]));
    FUZZ_CHECK(dw.count == n);
    uint8_t *copy = fuzz_dup(out, dw.len);
    fscc_dir_iter_init(&it, info_class, copy, dw.len);
    for (size_t i = 0; i < n; i++) {
        struct fscc_dir_entry x;
        FUZZ_CHECK(fscc_dir_iter_next(&it, &x));
        FUZZ_CHECK(
            fuzz_same_bytes(x.file_name, x.file_name_len, e[i].file_name, e[i].file_name_len));
        x.file_name = e[i].file_name;
        FUZZ_CHECK(memcmp(&x, &e[i], sizeof(x)) == 0);
    }
    FUZZ_CHECK(n == 0 || !fscc_dir_iter_next(&it, &e[MAX_ENTRIES]));
    free(copy);
    free(out);
    free(e);
}

static void fuzz_notify(const uint8_t *buf, size_t len)
{
    struct fscc_notify_entry *e = calloc(MAX_ENTRIES + 1, sizeof(*e));
    if (e == NULL)
        abort();
    struct fscc_notify_iter it;
    size_t n = 0;
    fscc_notify_iter_init(&it, buf, len);
    while (n < MAX_ENTRIES && fscc_notify_iter_next(&it, &e[n])) {
        FUZZ_WITHIN(e[n].file_name, e[n].file_name_len, buf, len);
        n++;
    }
    if (n == MAX_ENTRIES || !nt_ok(fscc_notify_iter_status(&it))) {
        free(e);
        return;
    }
    size_t cap = len + 8 * n + 64;
    uint8_t *out = malloc(cap);
    if (out == NULL)
        abort();
    struct fscc_notify_writer nw;
    fscc_notify_writer_init(&nw, out, cap);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK_OK(fscc_notify_writer_add(&nw, &e[i]));
    uint8_t *copy = fuzz_dup(out, nw.len);
    fscc_notify_iter_init(&it, copy, nw.len);
    for (size_t i = 0; i < n; i++) {
        struct fscc_notify_entry x;
        FUZZ_CHECK(fscc_notify_iter_next(&it, &x));
        FUZZ_CHECK(x.action == e[i].action);
        FUZZ_CHECK(
            fuzz_same_bytes(x.file_name, x.file_name_len, e[i].file_name, e[i].file_name_len));
    }
    free(copy);
    free(out);
    free(e);
}

/* Encode with ENC_CALL (writing to w_) into a fresh buffer, decode that
 * with DEC into v2 and evaluate CHECK while v2's views are still valid. */
#define INFO_RT(ENC_CALL, DEC, v2, CHECK)                                                          \
    do {                                                                                           \
        uint8_t b_[65536 * 2 + 256];                                                               \
        struct wr w_;                                                                              \
        wr_init(&w_, b_, sizeof(b_));                                                              \
        FUZZ_CHECK_OK(ENC_CALL);                                                                   \
        uint8_t *c_ = fuzz_dup(b_, wr_pos(&w_));                                                   \
        FUZZ_CHECK_OK(DEC(c_, wr_pos(&w_), (v2)));                                                 \
        FUZZ_CHECK(CHECK);                                                                         \
        free(c_);                                                                                  \
    } while (0)

static void fuzz_file_info(uint8_t cls, const uint8_t *buf, size_t len)
{
    switch (cls) {
    case FileBasicInformation: {
        struct fscc_basic_info a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        if (nt_ok(fscc_basic_info_decode(buf, len, &a))) {
            INFO_RT(fscc_basic_info_encode(&w_, &a), fscc_basic_info_decode, &b,
                    a.creation_time == b.creation_time &&
                        a.last_access_time == b.last_access_time &&
                        a.last_write_time == b.last_write_time && a.change_time == b.change_time &&
                        a.file_attributes == b.file_attributes);
        }
        break;
    }
    case FileStandardInformation: {
        struct fscc_standard_info a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        if (nt_ok(fscc_standard_info_decode(buf, len, &a))) {
            INFO_RT(fscc_standard_info_encode(&w_, &a), fscc_standard_info_decode, &b,
                    memcmp(&a, &b, sizeof(a)) == 0);
        }
        break;
    }
    case FileInternalInformation:
    case FilePositionInformation:
    case FileAllocationInformation:
    case FileEndOfFileInformation: {
        uint64_t a, b;
        if (nt_ok(fscc_u64_info_decode(buf, len, &a))) {
            INFO_RT(fscc_u64_info_encode(&w_, a), fscc_u64_info_decode, &b, a == b);
        }
        break;
    }
    case FileEaInformation:
    case FileAccessInformation:
    case FileModeInformation:
    case FileAlignmentInformation: {
        uint32_t a, b;
        if (nt_ok(fscc_u32_info_decode(buf, len, &a))) {
            INFO_RT(fscc_u32_info_encode(&w_, a), fscc_u32_info_decode, &b, a == b);
        }
        break;
    }
    case FileDispositionInformation: {
        bool a, b;
        if (nt_ok(fscc_disposition_info_decode(buf, len, &a))) {
            INFO_RT(fscc_disposition_info_encode(&w_, a), fscc_disposition_info_decode, &b, a == b);
        }
        break;
    }
    case FileRenameInformation: {
        struct fscc_rename_info a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        if (nt_ok(fscc_rename_info_decode(buf, len, &a))) {
            FUZZ_WITHIN(a.file_name, a.file_name_len, buf, len);
            INFO_RT(fscc_rename_info_encode(&w_, &a), fscc_rename_info_decode, &b,
                    a.replace_if_exists == b.replace_if_exists &&
                        a.root_directory == b.root_directory &&
                        SAME(&a, &b, file_name, file_name_len));
        }
        break;
    }
    case FileNetworkOpenInformation: {
        struct fscc_network_open_info a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        if (nt_ok(fscc_network_open_info_decode(buf, len, &a))) {
            INFO_RT(fscc_network_open_info_encode(&w_, &a), fscc_network_open_info_decode, &b,
                    memcmp(&a, &b, sizeof(a)) == 0);
        }
        break;
    }
    case FileAllInformation: {
        struct fscc_all_info a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        if (!nt_ok(fscc_all_info_decode(buf, len, &a)))
            break;
        FUZZ_WITHIN(a.file_name, a.file_name_len, buf, len);
        /* The encoder takes UTF-8: only a well-formed UTF-16 name converts. */
        char *utf8 = malloc((size_t)a.file_name_len * 2 + 1);
        if (utf8 == NULL)
            abort();
        size_t ulen = 0;
        if (nt_ok(utf16le_to_utf8(a.file_name, a.file_name_len, utf8,
                                  (size_t)a.file_name_len * 2 + 1, &ulen))) {
            a.name = utf8;
            a.name_len = ulen;
            INFO_RT(fscc_all_info_encode(&w_, &a), fscc_all_info_decode, &b,
                    memcmp(&a.basic, &b.basic, sizeof(a.basic)) == 0 &&
                        SAME(&a, &b, file_name, file_name_len));
            FUZZ_CHECK(memcmp(&a.standard, &b.standard, sizeof(a.standard)) == 0);
            FUZZ_CHECK(a.index_number == b.index_number && a.ea_size == b.ea_size &&
                       a.access_flags == b.access_flags && a.current_offset == b.current_offset &&
                       a.mode == b.mode && a.alignment == b.alignment);
        }
        free(utf8);
        break;
    }
    default:
        break;
    }
}

static void fuzz_fs_info(uint8_t cls, const uint8_t *buf, size_t len)
{
    if (cls == FileFsFullSizeInformation) {
        struct fscc_fs_full_size_info a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        if (nt_ok(fscc_fs_full_size_info_decode(buf, len, &a))) {
            INFO_RT(fscc_fs_full_size_info_encode(&w_, &a), fscc_fs_full_size_info_decode, &b,
                    memcmp(&a, &b, sizeof(a)) == 0);
        }
    }
}

static void fuzz_vni(bool response, const uint8_t *buf, size_t len)
{
    if (!response) {
        struct smb2_validate_negotiate_req a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        if (nt_ok(smb2_validate_negotiate_req_decode(buf, len, &a))) {
            FUZZ_CHECK(a.dialect_count >= 1 && a.dialect_count <= SMB2_VNI_MAX_DIALECTS);
            INFO_RT(smb2_validate_negotiate_req_encode(&w_, &a), smb2_validate_negotiate_req_decode,
                    &b, memcmp(&a, &b, sizeof(a)) == 0);
        }
    } else {
        struct smb2_validate_negotiate_rsp a, b;
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        if (nt_ok(smb2_validate_negotiate_rsp_decode(buf, len, &a))) {
            INFO_RT(smb2_validate_negotiate_rsp_encode(&w_, &a), smb2_validate_negotiate_rsp_decode,
                    &b, memcmp(&a, &b, sizeof(a)) == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* Each decoder gets its own exact-size copy, so ASan sees overreads. */
    size_t len = size - 1;
    uint8_t *msg = fuzz_dup(data + 1, len);
    switch (data[0] % 16) {
    case 0:
        ROUNDTRIP(struct smb2_read_req, smb2_read_req_decode, smb2_read_req_encode, v_read_req,
                  skip_read_req, eq_read_req, msg, len);
        break;
    case 1:
        ROUNDTRIP(struct smb2_read_rsp, smb2_read_rsp_decode, smb2_read_rsp_encode, v_read_rsp,
                  NEVER, eq_read_rsp, msg, len);
        break;
    case 2:
        ROUNDTRIP(struct smb2_write_req, smb2_write_req_decode, smb2_write_req_encode, v_write_req,
                  skip_write_req, eq_write_req, msg, len);
        break;
    case 3:
        ROUNDTRIP(struct smb2_write_rsp, smb2_write_rsp_decode, smb2_write_rsp_encode,
                  v_none_write_rsp, NEVER, eq_write_rsp, msg, len);
        break;
    case 4:
        ROUNDTRIP(struct smb2_ioctl_req, smb2_ioctl_req_decode, smb2_ioctl_req_encode, v_ioctl_req,
                  NEVER, eq_ioctl_req, msg, len);
        break;
    case 5:
        ROUNDTRIP(struct smb2_ioctl_rsp, smb2_ioctl_rsp_decode, smb2_ioctl_rsp_encode, v_ioctl_rsp,
                  NEVER, eq_ioctl_rsp, msg, len);
        break;
    case 6:
        ROUNDTRIP(struct smb2_query_info_req, smb2_query_info_req_decode,
                  smb2_query_info_req_encode, v_qi_req, NEVER, eq_qi_req, msg, len);
        break;
    case 7:
        ROUNDTRIP(struct smb2_query_info_rsp, smb2_query_info_rsp_decode,
                  smb2_query_info_rsp_encode, v_qi_rsp, NEVER, eq_qi_rsp, msg, len);
        break;
    case 8:
        ROUNDTRIP(struct smb2_set_info_req, smb2_set_info_req_decode, smb2_set_info_req_encode,
                  v_si_req, NEVER, eq_si_req, msg, len);
        break;
    case 9:
        if (nt_ok(smb2_set_info_rsp_decode(msg, len))) {
            struct wr w;
            size_t l2;
            fuzz_rt_begin(&w, msg);
            uint8_t *m2 = fuzz_rt_end(&w, smb2_set_info_rsp_encode(&w), &l2);
            FUZZ_CHECK_OK(smb2_set_info_rsp_decode(m2, l2));
            free(m2);
        }
        break;
    case 10:
        ROUNDTRIP(struct smb2_query_directory_req, smb2_query_directory_req_decode,
                  smb2_query_directory_req_encode, v_qd_req, NEVER, eq_qd_req, msg, len);
        break;
    case 11:
        ROUNDTRIP(struct smb2_query_directory_rsp, smb2_query_directory_rsp_decode,
                  smb2_query_directory_rsp_encode, v_qd_rsp, skip_qd_rsp, eq_qd_rsp, msg, len);
        break;
    case 12:
        if (len >= 1) {
            (void)fscc_dir_entry_fixed_size(msg[0]);
            uint8_t *b = fuzz_dup(msg + 1, len - 1);
            fuzz_dirents(msg[0], b, len - 1);
            free(b);
        }
        break;
    case 13:
        if (len >= 2) {
            uint8_t *b = fuzz_dup(msg + 2, len - 2);
            if (msg[0] == SMB2_0_INFO_FILESYSTEM)
                fuzz_fs_info(msg[1], b, len - 2);
            else
                fuzz_file_info(msg[1], b, len - 2);
            free(b);
        }
        break;
    case 14:
        fuzz_notify(msg, len);
        break;
    case 15:
        if (len >= 1) {
            uint8_t *b = fuzz_dup(msg + 1, len - 1);
            fuzz_vni(msg[0] != 0, b, len - 1);
            free(b);
        }
        break;
    }
    free(msg);
    return 0;
}
