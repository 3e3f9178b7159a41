/* libFuzzer target: SMB2 SESSION_SETUP request and response
 * (lib/wire/session_setup.h).
 *
 * Input: one message starting at the SMB2 header; both decoders run on it.
 * A decoded message is re-encoded behind the same header and decoded again;
 * every field and the security buffer must come back unchanged. */
#include "fuzz_smb2.h"
#include "wire/session_setup.h"

static void fuzz_req(const uint8_t *msg, size_t len)
{
    struct smb2_session_setup_req a, b;
    if (!nt_ok(smb2_session_setup_req_decode(msg, len, &a)))
        return;
    FUZZ_WITHIN(a.security_buffer, a.security_buffer_length, msg, len);
    FUZZ_CHECK(a.security_buffer_length == 0 || a.security_buffer >= msg + SMB2_HDR_SIZE + 24);
    fuzz_consume(a.security_buffer, a.security_buffer_length);

    struct wr w;
    size_t len2;
    fuzz_rt_begin(&w, msg);
    uint8_t *msg2 = fuzz_rt_end(&w, smb2_session_setup_req_encode(&w, &a), &len2);
    FUZZ_CHECK_OK(smb2_session_setup_req_decode(msg2, len2, &b));
    FUZZ_CHECK(a.flags == b.flags);
    FUZZ_CHECK(a.security_mode == b.security_mode);
    FUZZ_CHECK(a.capabilities == b.capabilities);
    FUZZ_CHECK(a.channel == b.channel);
    FUZZ_CHECK(a.previous_session_id == b.previous_session_id);
    FUZZ_CHECK(fuzz_same_bytes(a.security_buffer, a.security_buffer_length, b.security_buffer,
                               b.security_buffer_length));
    free(msg2);
}

static void fuzz_rsp(const uint8_t *msg, size_t len)
{
    struct smb2_session_setup_rsp a, b;
    if (!nt_ok(smb2_session_setup_rsp_decode(msg, len, &a)))
        return;
    FUZZ_WITHIN(a.security_buffer, a.security_buffer_length, msg, len);
    FUZZ_CHECK(a.security_buffer_length == 0 || a.security_buffer >= msg + SMB2_HDR_SIZE + 8);
    fuzz_consume(a.security_buffer, a.security_buffer_length);

    struct wr w;
    size_t len2;
    fuzz_rt_begin(&w, msg);
    uint8_t *msg2 = fuzz_rt_end(&w, smb2_session_setup_rsp_encode(&w, &a), &len2);
    FUZZ_CHECK_OK(smb2_session_setup_rsp_decode(msg2, len2, &b));
    FUZZ_CHECK(a.session_flags == b.session_flags);
    FUZZ_CHECK(fuzz_same_bytes(a.security_buffer, a.security_buffer_length, b.security_buffer,
                               b.security_buffer_length));
    free(msg2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_req(data, size);
    fuzz_rsp(data, size);
    return 0;
}
