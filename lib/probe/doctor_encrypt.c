/* `signet doctor`: what a Windows client with RequireEncryption = True
 * (Set-SmbClientConfiguration -RequireEncryption $true; signet
 * --encrypt=required) sees against this server (doctor.h). Encryption needs
 * SMB 3: AES-128-CCM on 3.0 / 3.0.2 when the server sets
 * SMB2_GLOBAL_CAP_ENCRYPTION, a cipher from ENCRYPTION_CAPABILITIES on 3.1.1
 * ([MS-SMB2] 3.2.5.2); a guest or anonymous session never encrypts
 * (3.2.4.1.8). Such a client refuses the server with "Access is denied."
 * (STATUS_ACCESS_DENIED), which is what signet --encrypt=required shows. */
#include "probe/doctor.h"

#include "wire/smb2.h"
#include "wire/smb2_names.h"

#include <stdio.h>
#include <string.h>

/* "SMB 3.1.1: AES-128-GCM AES-128-CCM; SMB 3.0.2: AES-128-CCM". */
static void cipher_summary(const struct probe_result *r, char *out, size_t cap)
{
    size_t off = 0;
    out[0] = '\0';
    for (int i = PROBE_N_DIALECTS - 1; i >= 0 && off < cap; i--) {
        char list[64];
        probe_cipher_list(r, i, list, sizeof list);
        if (!list[0])
            continue;
        int n = snprintf(out + off, cap - off, "%sSMB %s: %s", off ? "; " : "",
                         smb2_dialect_name(probe_dialects[i]), list);
        off += n > 0 ? (size_t)n : 0;
    }
}

static void fail(struct doctor_encryption *e, enum doctor_enc_cause cause)
{
    e->works = false;
    e->cause = cause;
    e->status = STATUS_ACCESS_DENIED;
}

void doctor_evaluate_encryption(const struct doctor_report *rep, struct doctor_encryption *e)
{
    const struct probe_result *r = rep->probe;
    memset(e, 0, sizeof *e);
    e->status = STATUS_SUCCESS;
    e->dialect = probe_max_dialect(r);
    cipher_summary(r, e->ciphers, sizeof e->ciphers);
    if (!r->reachable || e->dialect == 0) {
        e->cause = DOCTOR_ENC_UNKNOWN;
        e->status = r->reachable ? STATUS_NOT_SUPPORTED : STATUS_CONNECTION_REFUSED;
        return;
    }
    const struct doctor_enc_login *l = &rep->enc_login;
    if (l->tried && nt_ok(l->status)) { /* the real thing worked */
        e->works = true;
        e->dialect = l->dialect;
        e->cipher = l->cipher;
        return;
    }
    if (e->dialect < SMB2_DIALECT_0300)
        fail(e, DOCTOR_ENC_NO_SMB3);
    else if (!e->ciphers[0] && probe_encrypt_verdict(r) == PROBE_ENCRYPT_UNSUPPORTED)
        fail(e, DOCTOR_ENC_NO_CIPHER);
    else if (l->tried)
        fail(e, DOCTOR_ENC_REFUSED); /* its own words say why */
    else if (r->guest.granted && (r->guest.session_flags & SMB2_SESSION_FLAG_IS_GUEST))
        fail(e, DOCTOR_ENC_GUEST);
    else
        e->works = true; /* predicted: a user with an account, a cipher in common */
    if (l->tried)
        e->status = l->status;
}

const char *doctor_encryption_cause(const struct doctor_encryption *e)
{
    switch (e->cause) {
    case DOCTOR_ENC_UNKNOWN:
        return "the server could not be reached over SMB2 or SMB3.";
    case DOCTOR_ENC_NO_SMB3:
        return "the server speaks no SMB 3 dialect, and encryption needs SMB 3.0 or later.";
    case DOCTOR_ENC_NO_CIPHER:
        return "the server speaks SMB 3 but offers no cipher: SMB 3.0 and 3.0.2 without "
               "SMB2_GLOBAL_CAP_ENCRYPTION, and none of AES-128-GCM, AES-128-CCM, AES-256-GCM, "
               "AES-256-CCM taken on SMB 3.1.1.";
    case DOCTOR_ENC_GUEST:
        return "the server offers only a guest session (it maps users without an account to "
               "guest), and a guest session cannot encrypt.";
    case DOCTOR_ENC_REFUSED:
        return "the logon with encryption required was refused (signet's explanation below).";
    case DOCTOR_ENC_OK:
        break;
    }
    return "";
}

const char *doctor_encryption_server_fix(const struct doctor_encryption *e)
{
    switch (e->cause) {
    case DOCTOR_ENC_NO_SMB3:
    case DOCTOR_ENC_NO_CIPHER:
        return "let SMB 3 encrypt. Samba: `server max protocol = SMB3`, `server smb encrypt = "
               "desired` (any value but `off`), `server smb3 encryption algorithms = AES-128-GCM "
               "AES-128-CCM AES-256-GCM AES-256-CCM`; signetd: `server smb encrypt = "
               "if_required` (the default) or `desired`, not `off`; Windows Server: "
               "`Set-SmbServerConfiguration -EncryptData $true`; ksmbd: enable `smb3 "
               "encryption` in ksmbd.conf.";
    case DOCTOR_ENC_GUEST:
        return "give users real accounts. Samba and signetd: `map to guest = never`, accounts "
               "with `smbpasswd -a USER` or `signet user add USER --db FILE`.";
    case DOCTOR_ENC_REFUSED:
        return "see the explanation; the cause and the fix are named there.";
    default:
        return "";
    }
}

const char *doctor_encryption_client_fix(const struct doctor_encryption *e)
{
    if (e->works || e->cause == DOCTOR_ENC_UNKNOWN)
        return "";
    return "last resort, everything then crosses the network readable: Group Policy "
           "'Computer Configuration > Administrative Templates > Network > Lanman Workstation > "
           "Require Encryption' = Disabled; PowerShell `Set-SmbClientConfiguration "
           "-RequireEncryption $false`; signet: --encrypt=desired or `client smb encrypt = "
           "if_required`.";
}
