/* The Windows-name view of signet.conf: the settings that
 * Get-SmbClientConfiguration and Get-SmbServerConfiguration show, each with
 * its role, its type, how to read it from a struct cfg, and which Samba key
 * and value a Windows value becomes. `signet config show` and `signet config
 * set` share this one table (design.md "Policy").
 *
 * Values read as PowerShell prints them: True / False, numbers, enum names
 * (Smb2DialectMin: None, SMB202 ... SMB311, None meaning "no limit", which
 * for Signet is the same as SMB202 / SMB311), and lists as "A, B, C".
 * EnableSecuritySignature (SMB1 only) and the server's EncryptionCiphers are
 * shown but fixed here: Signet has no SMB1, and the server's cipher order is
 * set with `server smb3 encryption algorithms`. */
#ifndef SIGNET_CONFIG_WINVIEW_H
#define SIGNET_CONFIG_WINVIEW_H

#include "base/buf.h"
#include "config/config.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>

#define WV_VALUE_MAX 128

enum wv_role { WV_CLIENT, WV_SERVER };
enum wv_type { WV_BOOL, WV_UINT, WV_ENUM, WV_LIST };

struct wv_setting {
    const char *name; /* "RequireSecuritySignature" */
    enum wv_role role;
    enum wv_type type;
    const char *key;    /* the Samba key; NULL when the setting is fixed */
    const char *values; /* the values set accepts, for help and errors */
    const char *fixed;  /* why it cannot be set (key == NULL) */
    void (*get)(const struct cfg *c, char *out, size_t cap);
    bool (*to_samba)(const char *value, char *out, size_t cap);
};

/* A NAME... filter for show; n == 0 selects every setting. */
struct wv_filter {
    const char *const *names;
    size_t n;
};

const char *wv_role_name(enum wv_role role); /* "client", "server" */
const char *wv_section(enum wv_role role);   /* the section of its keys: "client", "global" */

/* The settings, ordered by role and then by name (as PowerShell lists them). */
size_t wv_count(void);
const struct wv_setting *wv_at(size_t i);
/* Case-insensitive; NULL when role has no such setting. */
const struct wv_setting *wv_find(enum wv_role role, const char *name);
/* "A, B, C": the names of role, for error messages. */
void wv_names(enum wv_role role, char *out, size_t cap);
bool wv_selected(const struct wv_setting *s, const struct wv_filter *f);

/* The Windows value of s in c ("True", "2000", "None", "AES-128-GMAC, ..."). */
void wv_get(const struct wv_setting *s, const struct cfg *c, char out[WV_VALUE_MAX]);
/* Windows value -> the Samba value of s->key ("True" -> "required"). An
 * unknown value, or a fixed setting, is STATUS_INVALID_PARAMETER with err
 * naming the valid values. */
ntstatus_t wv_to_samba(const struct wv_setting *s, const char *value, char out[WV_VALUE_MAX],
                       char *err, size_t err_len);

/* What Format-List prints: "Name : Value" lines, the names padded to the
 * longest shown, for the settings of role that f selects. */
ntstatus_t wv_format_list(const struct cfg *c, enum wv_role role, const struct wv_filter *f,
                          struct buf *out);
/* The same as one JSON object: booleans, numbers, strings, lists as arrays;
 * members indented by indent + 2 spaces, the closing brace by indent, no
 * line break after it (so it can be nested in an object per role). */
ntstatus_t wv_format_json(const struct cfg *c, enum wv_role role, const struct wv_filter *f,
                          unsigned indent, struct buf *out);

#endif
