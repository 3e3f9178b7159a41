/* NTLMSSP NEGOTIATE / CHALLENGE / AUTHENTICATE codecs ([MS-NLMP] 2.2.1.1-2.2.1.3,
 * 2.2.2.10); AV pairs live in ntlm_av.c. See ntlmssp.h. */
#include "auth/ntlmssp.h"

#include "base/endian.h"
#include "base/utf16.h"

#include <string.h>

/* The protocol identifier every NTLMSSP message starts with (not a MAC). */
static const uint8_t ntlmssp_magic[8] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};

uint32_t ntlmssp_message_type(const uint8_t *msg, size_t len)
{
    if (!msg || len < 12 || memcmp(msg, ntlmssp_magic, sizeof ntlmssp_magic) != 0)
        return 0;
    return le32_get(msg + 8);
}

/* ---- decoding ---- */

/* Decoder state: the whole message and the smallest Offset of any non-empty
 * payload field, which bounds how long the fixed header can be. */
struct msg_rd {
    struct rd r;
    size_t min_payload;
};

/* Signature and MessageType ([MS-NLMP] 2.2.1.x). */
static void msg_rd_init(struct msg_rd *m, const uint8_t *msg, size_t len, uint32_t type,
                        size_t fixed)
{
    rd_init(&m->r, msg, len);
    m->min_payload = SIZE_MAX;
    const uint8_t *sig = rd_bytes(&m->r, sizeof ntlmssp_magic);
    rd_require(&m->r, sig && memcmp(sig, ntlmssp_magic, sizeof ntlmssp_magic) == 0);
    rd_require(&m->r, rd_u32(&m->r) == type);
    rd_require(&m->r, len >= fixed);
}

/* Len(2) MaxLen(2) Offset(4): the range must lie in the message. MaxLen is
 * ignored on receipt (2.2.1.1). */
static struct ntlm_bytes read_field(struct msg_rd *m)
{
    struct ntlm_bytes b = {NULL, 0};
    uint16_t len = rd_u16(&m->r);
    (void)rd_u16(&m->r);
    uint32_t off = rd_u32(&m->r);
    if (!rd_ok(&m->r))
        return b;
    if (len == 0) {
        b.p = m->r.p; /* non-NULL, zero length */
        return b;
    }
    struct rd sub = rd_sub(&m->r, off, len);
    b.p = rd_bytes(&sub, len);
    b.len = b.p ? len : 0;
    if (off < m->min_payload)
        m->min_payload = off;
    return b;
}

static void read_version(struct rd *r, struct ntlm_version *v)
{
    v->major = rd_u8(r);
    v->minor = rd_u8(r);
    v->build = rd_u16(r);
    rd_skip(r, 3);
    v->revision = rd_u8(r);
}

/* Version follows the fixed header when the flag says so and no payload field
 * starts inside it (a 32-byte NEGOTIATE has neither). Returns the header end. */
static size_t read_optional_version(struct msg_rd *m, size_t fixed, uint32_t flags, bool *has,
                                    struct ntlm_version *v)
{
    *has = (flags & NTLMSSP_NEGOTIATE_VERSION) && m->r.len >= fixed + NTLMSSP_VERSION_LEN &&
           m->min_payload >= fixed + NTLMSSP_VERSION_LEN;
    if (!*has)
        return fixed;
    rd_seek(&m->r, fixed);
    read_version(&m->r, v);
    return fixed + NTLMSSP_VERSION_LEN;
}

/* No payload field may overlap the fixed header. */
static ntstatus_t msg_rd_finish(struct msg_rd *m, size_t header_end)
{
    if (rd_ok(&m->r) && m->min_payload < header_end)
        rd_fail(&m->r, STATUS_INVALID_PARAMETER);
    return rd_status(&m->r);
}

ntstatus_t ntlmssp_decode_negotiate(const uint8_t *msg, size_t len, struct ntlmssp_negotiate *out)
{
    struct msg_rd m;
    memset(out, 0, sizeof *out);
    msg_rd_init(&m, msg, len, NTLMSSP_MSG_NEGOTIATE, NTLMSSP_NEGOTIATE_FIXED);
    out->flags = rd_u32(&m.r);
    out->domain = read_field(&m);
    out->workstation = read_field(&m);
    size_t end = read_optional_version(&m, NTLMSSP_NEGOTIATE_FIXED, out->flags, &out->has_version,
                                       &out->version);
    ntstatus_t st = msg_rd_finish(&m, end);
    if (!nt_ok(st))
        memset(out, 0, sizeof *out);
    return st;
}

ntstatus_t ntlmssp_decode_challenge(const uint8_t *msg, size_t len, struct ntlmssp_challenge *out)
{
    struct msg_rd m;
    memset(out, 0, sizeof *out);
    msg_rd_init(&m, msg, len, NTLMSSP_MSG_CHALLENGE, NTLMSSP_CHALLENGE_FIXED);
    out->target_name = read_field(&m);
    out->flags = rd_u32(&m.r);
    rd_copy(&m.r, out->server_challenge, sizeof out->server_challenge);
    rd_skip(&m.r, 8); /* Reserved */
    out->target_info = read_field(&m);
    size_t end = read_optional_version(&m, NTLMSSP_CHALLENGE_FIXED, out->flags, &out->has_version,
                                       &out->version);
    ntstatus_t st = msg_rd_finish(&m, end);
    if (!nt_ok(st))
        memset(out, 0, sizeof *out);
    return st;
}

/* The MIC is there when the NtChallengeResponse's MsvAvFlags says so
 * ([MS-NLMP] 2.2.1.3, 3.2.5.1.2), at offset 72 whether or not the Version flag
 * is set; then no payload may start before its end. */
static size_t read_optional_mic(struct msg_rd *m, size_t header_end,
                                struct ntlmssp_authenticate *out)
{
    const size_t mic_end = NTLMSSP_MIC_OFFSET + NTLMSSP_MIC_LEN;
    out->has_mic = rd_ok(&m->r) && ntlmssp_auth_mic_required(out);
    if (!out->has_mic)
        return header_end;
    rd_require(&m->r, m->r.len >= mic_end);
    rd_seek(&m->r, NTLMSSP_MIC_OFFSET);
    rd_copy(&m->r, out->mic, NTLMSSP_MIC_LEN);
    return mic_end;
}

ntstatus_t ntlmssp_decode_authenticate(const uint8_t *msg, size_t len,
                                       struct ntlmssp_authenticate *out)
{
    struct msg_rd m;
    memset(out, 0, sizeof *out);
    msg_rd_init(&m, msg, len, NTLMSSP_MSG_AUTHENTICATE, NTLMSSP_AUTHENTICATE_FIXED);
    out->lm_response = read_field(&m);
    out->nt_response = read_field(&m);
    out->domain = read_field(&m);
    out->user = read_field(&m);
    out->workstation = read_field(&m);
    out->encrypted_session_key = read_field(&m);
    out->flags = rd_u32(&m.r);
    size_t end = read_optional_version(&m, NTLMSSP_AUTHENTICATE_FIXED, out->flags,
                                       &out->has_version, &out->version);
    end = read_optional_mic(&m, end, out);
    ntstatus_t st = msg_rd_finish(&m, end);
    if (!nt_ok(st))
        memset(out, 0, sizeof *out);
    return st;
}

/* ---- encoding ---- */

/* A payload field descriptor to back-patch: where its Len/MaxLen/Offset sit. */
static void write_field_placeholder(struct wr *w, size_t *at)
{
    *at = wr_pos(w);
    wr_zero(w, 8);
}

/* Append the field's bytes to the payload and patch its descriptor. Empty
 * fields point at the payload position, or at 0 when zero_empty (what Windows
 * sends in NEGOTIATE). */
static void write_field_payload(struct wr *w, size_t at, struct ntlm_bytes b, bool zero_empty)
{
    if (b.len > UINT16_MAX) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return;
    }
    size_t off = (b.len == 0 && zero_empty) ? 0 : wr_pos(w);
    if (off > UINT32_MAX) {
        wr_fail(w, STATUS_INVALID_PARAMETER);
        return;
    }
    wr_u16_at(w, at, (uint16_t)b.len);
    wr_u16_at(w, at + 2, (uint16_t)b.len);
    wr_u32_at(w, at + 4, (uint32_t)off);
    if (b.len)
        wr_bytes(w, b.p, b.len);
}

static void write_header(struct wr *w, uint32_t type)
{
    wr_bytes(w, ntlmssp_magic, sizeof ntlmssp_magic);
    wr_u32(w, type);
}

static void write_version(struct wr *w, const struct ntlm_version *v)
{
    wr_u8(w, v->major);
    wr_u8(w, v->minor);
    wr_u16(w, v->build);
    wr_zero(w, 3);
    wr_u8(w, v->revision);
}

static ntstatus_t wr_finish(struct wr *w, size_t *out_len)
{
    ntstatus_t st = wr_status(w);
    *out_len = nt_ok(st) ? wr_pos(w) : 0;
    return st;
}

ntstatus_t ntlmssp_encode_negotiate(const struct ntlmssp_negotiate *in, uint8_t *out, size_t cap,
                                    size_t *out_len)
{
    struct wr w;
    size_t dom, ws;
    wr_init(&w, out, cap);
    write_header(&w, NTLMSSP_MSG_NEGOTIATE);
    wr_u32(&w, in->flags);
    write_field_placeholder(&w, &dom);
    write_field_placeholder(&w, &ws);
    if (in->has_version)
        write_version(&w, &in->version);
    write_field_payload(&w, dom, in->domain, true);
    write_field_payload(&w, ws, in->workstation, true);
    return wr_finish(&w, out_len);
}

ntstatus_t ntlmssp_encode_challenge(const struct ntlmssp_challenge *in, uint8_t *out, size_t cap,
                                    size_t *out_len)
{
    struct wr w;
    size_t name, info;
    wr_init(&w, out, cap);
    write_header(&w, NTLMSSP_MSG_CHALLENGE);
    write_field_placeholder(&w, &name);
    wr_u32(&w, in->flags);
    wr_bytes(&w, in->server_challenge, sizeof in->server_challenge);
    wr_zero(&w, 8); /* Reserved */
    write_field_placeholder(&w, &info);
    if (in->has_version)
        write_version(&w, &in->version);
    write_field_payload(&w, name, in->target_name, false);
    write_field_payload(&w, info, in->target_info, false);
    return wr_finish(&w, out_len);
}

ntstatus_t ntlmssp_encode_authenticate(const struct ntlmssp_authenticate *in, uint8_t *out,
                                       size_t cap, size_t *out_len)
{
    struct wr w;
    size_t lm, nt, dom, user, ws, key;
    wr_init(&w, out, cap);
    write_header(&w, NTLMSSP_MSG_AUTHENTICATE);
    write_field_placeholder(&w, &lm);
    write_field_placeholder(&w, &nt);
    write_field_placeholder(&w, &dom);
    write_field_placeholder(&w, &user);
    write_field_placeholder(&w, &ws);
    write_field_placeholder(&w, &key);
    wr_u32(&w, in->flags);
    if (in->has_version)
        write_version(&w, &in->version);
    else if (in->has_mic)
        wr_zero(&w, NTLMSSP_VERSION_LEN); /* the MIC stays at offset 72 */
    if (in->has_mic)
        wr_bytes(&w, in->mic, NTLMSSP_MIC_LEN);
    /* Windows' payload order: names first, then responses, then the key. */
    write_field_payload(&w, dom, in->domain, false);
    write_field_payload(&w, user, in->user, false);
    write_field_payload(&w, ws, in->workstation, false);
    write_field_payload(&w, lm, in->lm_response, false);
    write_field_payload(&w, nt, in->nt_response, false);
    write_field_payload(&w, key, in->encrypted_session_key, false);
    return wr_finish(&w, out_len);
}

ntstatus_t ntlmssp_patch_mic(uint8_t *msg, size_t len, const uint8_t mic[NTLMSSP_MIC_LEN])
{
    if (ntlmssp_message_type(msg, len) != NTLMSSP_MSG_AUTHENTICATE ||
        len < NTLMSSP_MIC_OFFSET + NTLMSSP_MIC_LEN)
        return STATUS_INVALID_PARAMETER;
    memcpy(msg + NTLMSSP_MIC_OFFSET, mic, NTLMSSP_MIC_LEN);
    return STATUS_SUCCESS;
}

/* ---- strings ---- */

ntstatus_t ntlmssp_wire_string(uint32_t flags, const char *utf8, uint8_t *buf, size_t cap,
                               struct ntlm_bytes *out)
{
    size_t n = strlen(utf8), got = 0;
    out->p = buf;
    out->len = 0;
    if (flags & NTLMSSP_NEGOTIATE_UNICODE) {
        ntstatus_t st = utf8_to_utf16le(utf8, n, buf, cap, &got);
        out->len = got;
        return st;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)utf8[i] >= 0x80)
            return STATUS_OBJECT_NAME_INVALID;
    if (n > cap)
        return STATUS_BUFFER_TOO_SMALL;
    memcpy(buf, utf8, n);
    out->len = n;
    return STATUS_SUCCESS;
}

ntstatus_t ntlmssp_string_utf8(uint32_t flags, struct ntlm_bytes s, char *out, size_t cap)
{
    size_t got = 0;
    if (cap == 0)
        return STATUS_BUFFER_TOO_SMALL;
    out[0] = '\0';
    if (flags & NTLMSSP_NEGOTIATE_UNICODE)
        return utf16le_to_utf8(s.p, s.len, out, cap, &got);
    if (s.len >= cap)
        return STATUS_BUFFER_TOO_SMALL;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] >= 0x80 || s.p[i] == 0) {
            out[0] = '\0';
            return STATUS_OBJECT_NAME_INVALID;
        }
        out[i] = (char)s.p[i];
    }
    out[s.len] = '\0';
    return STATUS_SUCCESS;
}
