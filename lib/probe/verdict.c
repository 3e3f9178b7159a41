/* Verdicts derived from a probe result (probe.h). */
#include "probe/probe.h"

#include "wire/smb2.h"

#include <stdio.h>

int probe_dialect_index(uint16_t dialect)
{
    for (int i = 0; i < PROBE_N_DIALECTS; i++)
        if (probe_dialects[i] == dialect)
            return i;
    return -1;
}

uint16_t probe_max_dialect(const struct probe_result *r)
{
    for (int i = PROBE_N_DIALECTS - 1; i >= 0; i--)
        if (r->dialects[i].accepted)
            return probe_dialects[i];
    return 0;
}

/* nmap's smb2-security-mode negotiates once, offering every dialect, and
 * reads SecurityMode ([MS-SMB2] 2.2.4) of what the server picked: the
 * highest dialect it accepts. */
enum probe_signing probe_signing_verdict(const struct probe_result *r)
{
    int i = probe_dialect_index(probe_max_dialect(r));
    if (i < 0)
        return PROBE_SIGNING_UNKNOWN;
    uint16_t mode = r->dialects[i].security_mode;
    if (mode & SMB2_NEGOTIATE_SIGNING_REQUIRED)
        return PROBE_SIGNING_REQUIRED;
    return mode & SMB2_NEGOTIATE_SIGNING_ENABLED ? PROBE_SIGNING_NOT_REQUIRED
                                                 : PROBE_SIGNING_DISABLED;
}

bool probe_relayable(const struct probe_result *r)
{
    enum probe_signing v = probe_signing_verdict(r);
    return v == PROBE_SIGNING_NOT_REQUIRED || v == PROBE_SIGNING_DISABLED;
}

const char *probe_cipher_name(uint16_t cipher)
{
    static const char *const names[] = {"none", "AES-128-CCM", "AES-128-GCM", "AES-256-CCM",
                                        "AES-256-GCM"};
    return cipher < 5 ? names[cipher] : "unknown";
}

/* 3.0 and 3.0.2 encrypt with AES-128-CCM when the server sets
 * SMB2_GLOBAL_CAP_ENCRYPTION (the probe offers it); 3.1.1 picks from the
 * ENCRYPTION_CAPABILITIES of each single-cipher offer ([MS-SMB2] 3.3.5.4). */
size_t probe_dialect_ciphers(const struct probe_result *r, int i, uint16_t out[PROBE_N_CIPHERS])
{
    if (i < 0 || i >= PROBE_N_DIALECTS || !r->dialects[i].accepted)
        return 0;
    uint16_t d = probe_dialects[i];
    if (d == SMB2_DIALECT_0300 || d == SMB2_DIALECT_0302) {
        if (!(r->dialects[i].capabilities & SMB2_GLOBAL_CAP_ENCRYPTION))
            return 0;
        out[0] = SMB2_CIPHER_AES128_CCM;
        return 1;
    }
    if (d != SMB2_DIALECT_0311)
        return 0;
    size_t n = 0;
    for (int v = 0; v < PROBE_N_CIPHERS; v++) {
        const struct probe_offer *f = &r->ciphers[v];
        if (f->tried && f->present && f->picked == (uint16_t)(v + 1))
            out[n++] = (uint16_t)(v + 1);
    }
    return n;
}

bool probe_ciphers_all_asked(const struct probe_result *r)
{
    for (int v = 0; v < PROBE_N_CIPHERS; v++)
        if (!r->ciphers[v].tried)
            return false;
    return true;
}

void probe_cipher_list(const struct probe_result *r, int i, char *out, size_t cap)
{
    uint16_t ids[PROBE_N_CIPHERS];
    size_t n = probe_dialect_ciphers(r, i, ids), off = 0;
    out[0] = '\0';
    for (size_t k = 0; k < n && off < cap; k++) {
        int m = snprintf(out + off, cap - off, "%s%s", k ? " " : "", probe_cipher_name(ids[k]));
        off += m > 0 ? (size_t)m : 0;
    }
}

/* Whether the server makes a session encrypt is only known from a session
 * it granted: SMB2_SESSION_FLAG_ENCRYPT_DATA (2.2.6). */
enum probe_encrypt probe_encrypt_verdict(const struct probe_result *r)
{
    if (probe_max_dialect(r) == 0)
        return PROBE_ENCRYPT_UNKNOWN;
    bool can = false;
    uint16_t ids[PROBE_N_CIPHERS];
    for (int i = 0; i < PROBE_N_DIALECTS; i++)
        can |= probe_dialect_ciphers(r, i, ids) > 0;
    if (!can) /* scan offers 3.1.1 one cipher: the others may be accepted */
        return r->dialects[PROBE_N_DIALECTS - 1].accepted && !probe_ciphers_all_asked(r)
                   ? PROBE_ENCRYPT_UNKNOWN
                   : PROBE_ENCRYPT_UNSUPPORTED;
    const struct probe_session *s[] = {&r->anonymous, &r->guest};
    for (int k = 0; k < 2; k++)
        if (s[k]->tried && s[k]->granted)
            return (s[k]->session_flags & SMB2_SESSION_FLAG_ENCRYPT_DATA)
                       ? PROBE_ENCRYPT_REQUIRED
                       : PROBE_ENCRYPT_NOT_REQUIRED;
    return PROBE_ENCRYPT_UNKNOWN;
}

const char *probe_encrypt_key(enum probe_encrypt v)
{
    static const char *const k[] = {"unknown", "required", "not required", "unsupported"};
    return k[v];
}
