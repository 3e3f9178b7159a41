/* Verdicts derived from a probe result (probe.h). */
#include "probe/probe.h"

#include "wire/smb2.h"

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
