/* libFuzzer target: Direct TCP framing, the SMB2 header and the compound
 * walk (lib/wire/hdr.h, compound.h), dispatching every element to its
 * command's request AND response decoders (and the ERROR response decoder),
 * so every command codec is reached through the chain walker.
 *
 * Input: a byte stream of Direct TCP frames (4-byte length prefix each), as
 * read from a socket. 0xFE frames are walked as compound chains, 0xFD frames
 * go to the TRANSFORM_HEADER decoder, 0xFF frames to the SMB1 negotiate
 * probe.
 *
 * Each element is copied into its own exact-size allocation before it is
 * decoded, so that a decoder reading past the element's extent (into the
 * next element) is caught by ASan.
 *
 * Oracles: chain invariants (8-byte aligned elements inside the frame, in
 * order, not overlapping, the first not related); the header re-encodes to
 * the same 64 bytes (the sync Reserved field aside); the commands without a
 * target of their own (CLOSE, FLUSH, ECHO, LOGOFF, TREE_CONNECT,
 * TREE_DISCONNECT, CANCEL, LOCK, CHANGE_NOTIFY, OPLOCK_BREAK, ERROR) re-encode
 * and decode to the same fields. */
#include "fuzz_smb2.h"
#include "wire/wire.h"

#include <stdbool.h>

/* Decode, re-encode behind the same header, decode again, compare. */
#define ROUNDTRIP(T, DEC, ENC, EQ, msg, len)                                                       \
    do {                                                                                           \
        T a_, b_;                                                                                  \
        memset(&a_, 0, sizeof(a_));                                                                \
        memset(&b_, 0, sizeof(b_));                                                                \
        if (!nt_ok(DEC((msg), (len), &a_)))                                                        \
            break;                                                                                 \
        struct wr w_;                                                                              \
        size_t l2_;                                                                                \
        fuzz_rt_begin(&w_, (msg));                                                                 \
        uint8_t *m2_ = fuzz_rt_end(&w_, ENC(&w_, &a_), &l2_);                                      \
        FUZZ_CHECK_OK(DEC(m2_, l2_, &b_));                                                         \
        FUZZ_CHECK(EQ(&a_, &b_, (msg), (len)));                                                    \
        free(m2_);                                                                                 \
    } while (0)

/* Reserved-only bodies: nothing to compare beyond decoding again. */
#define EQ_TRUE(a, b, m, l) ((void)(a), (void)(b), true)

static bool eq_file_id(const struct smb2_file_id *a, const struct smb2_file_id *b)
{
    return a->persistent == b->persistent && a->volatile_id == b->volatile_id;
}

static bool eq_close_req(const struct smb2_close_req *a, const struct smb2_close_req *b,
                         const uint8_t *m, size_t l)
{
    (void)m, (void)l;
    return a->flags == b->flags && eq_file_id(&a->file_id, &b->file_id);
}

static bool eq_close_rsp(const struct smb2_close_rsp *a, const struct smb2_close_rsp *b,
                         const uint8_t *m, size_t l)
{
    (void)m, (void)l;
    return a->flags == b->flags && a->creation_time == b->creation_time &&
           a->last_access_time == b->last_access_time && a->last_write_time == b->last_write_time &&
           a->change_time == b->change_time && a->allocation_size == b->allocation_size &&
           a->end_of_file == b->end_of_file && a->file_attributes == b->file_attributes;
}

static bool eq_flush_req(const struct smb2_flush_req *a, const struct smb2_flush_req *b,
                         const uint8_t *m, size_t l)
{
    (void)m, (void)l;
    return eq_file_id(&a->file_id, &b->file_id);
}

static bool eq_tc_req(const struct smb2_tree_connect_req *a, const struct smb2_tree_connect_req *b,
                      const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->path, a->path_length, m, l);
    return a->flags == b->flags &&
           fuzz_same_bytes(a->path, a->path_length, b->path, b->path_length);
}

static bool eq_tc_rsp(const struct smb2_tree_connect_rsp *a, const struct smb2_tree_connect_rsp *b,
                      const uint8_t *m, size_t l)
{
    (void)m, (void)l;
    return a->share_type == b->share_type && a->share_flags == b->share_flags &&
           a->capabilities == b->capabilities && a->maximal_access == b->maximal_access;
}

static bool eq_lock_req(const struct smb2_lock_req *a, const struct smb2_lock_req *b,
                        const uint8_t *m, size_t l)
{
    (void)m, (void)l;
    if (a->lock_count != b->lock_count || a->lock_count > SMB2_LOCK_MAX_ELEMENTS ||
        a->lock_sequence_number != b->lock_sequence_number ||
        a->lock_sequence_index != b->lock_sequence_index || !eq_file_id(&a->file_id, &b->file_id))
        return false;
    for (uint16_t i = 0; i < a->lock_count; i++)
        if (a->locks[i].offset != b->locks[i].offset || a->locks[i].length != b->locks[i].length ||
            a->locks[i].flags != b->locks[i].flags)
            return false;
    return true;
}

static bool eq_cn_req(const struct smb2_change_notify_req *a,
                      const struct smb2_change_notify_req *b, const uint8_t *m, size_t l)
{
    (void)m, (void)l;
    return a->flags == b->flags && a->output_buffer_length == b->output_buffer_length &&
           eq_file_id(&a->file_id, &b->file_id) && a->completion_filter == b->completion_filter;
}

static bool eq_cn_rsp(const struct smb2_change_notify_rsp *a,
                      const struct smb2_change_notify_rsp *b, const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->output_buffer, a->output_buffer_length, m, l);
    return fuzz_same_bytes(a->output_buffer, a->output_buffer_length, b->output_buffer,
                           b->output_buffer_length);
}

static bool eq_break(const struct smb2_break *a, const struct smb2_break *b, const uint8_t *m,
                     size_t l)
{
    (void)m, (void)l;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case SMB2_BREAK_OPLOCK:
        return a->u.oplock.oplock_level == b->u.oplock.oplock_level &&
               eq_file_id(&a->u.oplock.file_id, &b->u.oplock.file_id);
    case SMB2_BREAK_LEASE_NOTIFY: {
        const struct smb2_lease_break_notify *x = &a->u.lease_notify, *y = &b->u.lease_notify;
        return x->new_epoch == y->new_epoch && x->flags == y->flags &&
               memcmp(x->lease_key, y->lease_key, 16) == 0 &&
               x->current_lease_state == y->current_lease_state &&
               x->new_lease_state == y->new_lease_state;
    }
    case SMB2_BREAK_LEASE_ACK: {
        const struct smb2_lease_break_ack *x = &a->u.lease_ack, *y = &b->u.lease_ack;
        return memcmp(x->lease_key, y->lease_key, 16) == 0 && x->lease_state == y->lease_state;
    }
    }
    return false;
}

static bool eq_error(const struct smb2_error_rsp *a, const struct smb2_error_rsp *b,
                     const uint8_t *m, size_t l)
{
    FUZZ_WITHIN(a->error_data, a->byte_count, m, l);
    return a->error_context_count == b->error_context_count &&
           fuzz_same_bytes(a->error_data, a->byte_count, b->error_data, b->byte_count);
}

static void walk_error_contexts(const uint8_t *msg, size_t len)
{
    struct smb2_error_rsp e;
    if (!nt_ok(smb2_error_rsp_decode(msg, len, &e)))
        return;
    struct smb2_error_ctx_iter it;
    struct smb2_error_ctx c;
    smb2_error_ctx_iter_init(&it, &e);
    unsigned n = 0;
    while (smb2_error_ctx_next(&it, &c)) {
        FUZZ_WITHIN(c.error_context_data, c.error_data_length, e.error_data, e.byte_count);
        fuzz_consume(c.error_context_data, c.error_data_length);
        n++;
    }
    (void)smb2_error_ctx_iter_status(&it);
    FUZZ_CHECK(n <= e.error_context_count);
}

/* Decode-only dispatch for the commands that have their own fuzz target
 * (where the round trips are checked). */
#define DECODE_ONLY(T, DEC, msg, len)                                                              \
    do {                                                                                           \
        T x_;                                                                                      \
        (void)DEC((msg), (len), &x_);                                                              \
    } while (0)

static void dispatch(uint16_t command, const uint8_t *msg, size_t len)
{
    switch (command) {
    case SMB2_NEGOTIATE:
        DECODE_ONLY(struct smb2_negotiate_req, smb2_negotiate_req_decode, msg, len);
        DECODE_ONLY(struct smb2_negotiate_rsp, smb2_negotiate_rsp_decode, msg, len);
        break;
    case SMB2_SESSION_SETUP:
        DECODE_ONLY(struct smb2_session_setup_req, smb2_session_setup_req_decode, msg, len);
        DECODE_ONLY(struct smb2_session_setup_rsp, smb2_session_setup_rsp_decode, msg, len);
        break;
    case SMB2_LOGOFF:
        ROUNDTRIP(struct smb2_logoff_req, smb2_logoff_req_decode, smb2_logoff_req_encode, EQ_TRUE,
                  msg, len);
        ROUNDTRIP(struct smb2_logoff_rsp, smb2_logoff_rsp_decode, smb2_logoff_rsp_encode, EQ_TRUE,
                  msg, len);
        break;
    case SMB2_TREE_CONNECT:
        ROUNDTRIP(struct smb2_tree_connect_req, smb2_tree_connect_req_decode,
                  smb2_tree_connect_req_encode, eq_tc_req, msg, len);
        ROUNDTRIP(struct smb2_tree_connect_rsp, smb2_tree_connect_rsp_decode,
                  smb2_tree_connect_rsp_encode, eq_tc_rsp, msg, len);
        break;
    case SMB2_TREE_DISCONNECT:
        ROUNDTRIP(struct smb2_tree_disconnect_req, smb2_tree_disconnect_req_decode,
                  smb2_tree_disconnect_req_encode, EQ_TRUE, msg, len);
        ROUNDTRIP(struct smb2_tree_disconnect_rsp, smb2_tree_disconnect_rsp_decode,
                  smb2_tree_disconnect_rsp_encode, EQ_TRUE, msg, len);
        break;
    case SMB2_CREATE:
        DECODE_ONLY(struct smb2_create_req, smb2_create_req_decode, msg, len);
        DECODE_ONLY(struct smb2_create_rsp, smb2_create_rsp_decode, msg, len);
        break;
    case SMB2_CLOSE:
        ROUNDTRIP(struct smb2_close_req, smb2_close_req_decode, smb2_close_req_encode, eq_close_req,
                  msg, len);
        ROUNDTRIP(struct smb2_close_rsp, smb2_close_rsp_decode, smb2_close_rsp_encode, eq_close_rsp,
                  msg, len);
        break;
    case SMB2_FLUSH:
        ROUNDTRIP(struct smb2_flush_req, smb2_flush_req_decode, smb2_flush_req_encode, eq_flush_req,
                  msg, len);
        ROUNDTRIP(struct smb2_flush_rsp, smb2_flush_rsp_decode, smb2_flush_rsp_encode, EQ_TRUE, msg,
                  len);
        break;
    case SMB2_READ:
        DECODE_ONLY(struct smb2_read_req, smb2_read_req_decode, msg, len);
        DECODE_ONLY(struct smb2_read_rsp, smb2_read_rsp_decode, msg, len);
        break;
    case SMB2_WRITE:
        DECODE_ONLY(struct smb2_write_req, smb2_write_req_decode, msg, len);
        DECODE_ONLY(struct smb2_write_rsp, smb2_write_rsp_decode, msg, len);
        break;
    case SMB2_LOCK: {
        ROUNDTRIP(struct smb2_lock_req, smb2_lock_req_decode, smb2_lock_req_encode, eq_lock_req,
                  msg, len);
        if (nt_ok(smb2_lock_rsp_decode(msg, len))) {
            struct wr w;
            size_t l2;
            fuzz_rt_begin(&w, msg);
            uint8_t *m2 = fuzz_rt_end(&w, smb2_lock_rsp_encode(&w), &l2);
            FUZZ_CHECK_OK(smb2_lock_rsp_decode(m2, l2));
            free(m2);
        }
        break;
    }
    case SMB2_IOCTL:
        DECODE_ONLY(struct smb2_ioctl_req, smb2_ioctl_req_decode, msg, len);
        DECODE_ONLY(struct smb2_ioctl_rsp, smb2_ioctl_rsp_decode, msg, len);
        break;
    case SMB2_CANCEL:
        ROUNDTRIP(struct smb2_cancel_req, smb2_cancel_req_decode, smb2_cancel_req_encode, EQ_TRUE,
                  msg, len);
        break;
    case SMB2_ECHO:
        ROUNDTRIP(struct smb2_echo_req, smb2_echo_req_decode, smb2_echo_req_encode, EQ_TRUE, msg,
                  len);
        ROUNDTRIP(struct smb2_echo_rsp, smb2_echo_rsp_decode, smb2_echo_rsp_encode, EQ_TRUE, msg,
                  len);
        break;
    case SMB2_QUERY_DIRECTORY:
        DECODE_ONLY(struct smb2_query_directory_req, smb2_query_directory_req_decode, msg, len);
        DECODE_ONLY(struct smb2_query_directory_rsp, smb2_query_directory_rsp_decode, msg, len);
        break;
    case SMB2_CHANGE_NOTIFY:
        ROUNDTRIP(struct smb2_change_notify_req, smb2_change_notify_req_decode,
                  smb2_change_notify_req_encode, eq_cn_req, msg, len);
        ROUNDTRIP(struct smb2_change_notify_rsp, smb2_change_notify_rsp_decode,
                  smb2_change_notify_rsp_encode, eq_cn_rsp, msg, len);
        break;
    case SMB2_QUERY_INFO:
        DECODE_ONLY(struct smb2_query_info_req, smb2_query_info_req_decode, msg, len);
        DECODE_ONLY(struct smb2_query_info_rsp, smb2_query_info_rsp_decode, msg, len);
        break;
    case SMB2_SET_INFO:
        DECODE_ONLY(struct smb2_set_info_req, smb2_set_info_req_decode, msg, len);
        (void)smb2_set_info_rsp_decode(msg, len);
        break;
    case SMB2_OPLOCK_BREAK:
        ROUNDTRIP(struct smb2_break, smb2_oplock_break_req_decode, smb2_oplock_break_encode,
                  eq_break, msg, len);
        ROUNDTRIP(struct smb2_break, smb2_oplock_break_rsp_decode, smb2_oplock_break_encode,
                  eq_break, msg, len);
        break;
    default:
        break;
    }
    /* Any command may come back as an ERROR response. */
    ROUNDTRIP(struct smb2_error_rsp, smb2_error_rsp_decode, smb2_error_rsp_encode, eq_error, msg,
              len);
    walk_error_contexts(msg, len);
}

/* The header re-encodes to the same bytes, the sync Reserved field aside. */
static void check_hdr(const uint8_t *msg, size_t len, const struct smb2_hdr *h)
{
    struct smb2_hdr again;
    FUZZ_CHECK_OK(smb2_hdr_decode(msg, len, &again));
    FUZZ_CHECK(again.command == h->command && again.flags == h->flags &&
               again.message_id == h->message_id && again.session_id == h->session_id &&
               again.next_command == h->next_command && again.status == h->status);
    uint8_t buf[SMB2_HDR_SIZE];
    struct wr w;
    wr_init(&w, buf, sizeof(buf));
    FUZZ_CHECK_OK(smb2_hdr_encode(&w, h));
    FUZZ_CHECK(wr_pos(&w) == SMB2_HDR_SIZE);
    bool async = (h->flags & SMB2_FLAGS_ASYNC_COMMAND) != 0;
    FUZZ_CHECK(memcmp(buf, msg, 32) == 0);
    FUZZ_CHECK(memcmp(buf + 32, msg + 32, 4) == 0 || !async);
    FUZZ_CHECK(memcmp(buf + 36, msg + 36, SMB2_HDR_SIZE - 36) == 0);
    FUZZ_CHECK(smb2_hdr_is_response(h) == ((msg[16] & 1) != 0));
}

static void walk_chain(const uint8_t *frame, size_t len)
{
    struct smb2_chain c;
    struct smb2_chain_elem e;
    size_t prev_end = 0;
    unsigned n = 0;
    smb2_chain_init(&c, frame, len);
    while (smb2_chain_next(&c, &e)) {
        FUZZ_CHECK(e.msg == frame + e.offset);
        FUZZ_CHECK(e.offset % 8 == 0 && e.offset >= prev_end);
        FUZZ_CHECK(e.len >= SMB2_HDR_SIZE && e.offset + e.len <= len);
        FUZZ_CHECK(n > 0 || !e.related);
        FUZZ_CHECK(e.related == ((e.hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS) != 0));
        FUZZ_CHECK(e.hdr.next_command == 0 || e.hdr.next_command == e.len);
        prev_end = e.offset + e.len;
        n++;
        FUZZ_CHECK(c.count == n);

        uint8_t *msg = fuzz_dup(e.msg, e.len);
        check_hdr(msg, e.len, &e.hdr);
        dispatch(e.hdr.command, msg, e.len);
        free(msg);
    }
    if (nt_ok(smb2_chain_status(&c)))
        FUZZ_CHECK(n > 0 && prev_end == len);
}

static void one_frame(const uint8_t *frame, size_t len)
{
    if (len < 4)
        return;
    uint32_t magic = (uint32_t)frame[0] | (uint32_t)frame[1] << 8 | (uint32_t)frame[2] << 16 |
                     (uint32_t)frame[3] << 24;
    switch (magic) {
    case SMB2_PROTOCOL_ID:
        walk_chain(frame, len);
        break;
    case SMB2_TRANSFORM_ID: {
        struct smb2_transform_hdr t;
        if (nt_ok(smb2_transform_decode(frame, len, &t)))
            FUZZ_CHECK((size_t)t.original_message_size + SMB2_TRANSFORM_HDR_SIZE == len);
        break;
    }
    case SMB1_PROTOCOL_ID:
        (void)smb1_negotiate_smb2_dialect(frame, len);
        break;
    default:
        /* A header decode on anything else must fail cleanly. */
        {
            struct smb2_hdr h;
            FUZZ_CHECK(!nt_ok(smb2_hdr_decode(frame, len, &h)));
        }
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    while (size - off >= 4) {
        uint32_t len = 0;
        uint8_t fh[4];
        memcpy(fh, data + off, 4);
        if (!nt_ok(smb2_frame_decode(fh, SMB2_MAX_FRAME, &len))) {
            FUZZ_CHECK(fh[0] != 0 ||
                       (((uint32_t)fh[1] << 16 | (uint32_t)fh[2] << 8 | fh[3]) == 0) ||
                       ((uint32_t)fh[1] << 16 | (uint32_t)fh[2] << 8 | fh[3]) > SMB2_MAX_FRAME);
            return 0;
        }
        FUZZ_CHECK(len > 0 && len <= SMB2_MAX_FRAME);
        uint8_t back[4];
        smb2_frame_encode(back, len);
        FUZZ_CHECK(memcmp(back, fh, 4) == 0);
        off += 4;
        if (len > size - off)
            return 0; /* a short read: wait for more */
        uint8_t *frame = fuzz_dup(data + off, len);
        one_frame(frame, len);
        free(frame);
        off += len;
    }
    return 0;
}
