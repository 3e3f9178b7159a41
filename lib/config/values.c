/* Parsing of individual signet.conf values (Samba's spellings). */
#include "config/parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool cfg_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"yes", "true", "on", "1"};
    static const char *const no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *out = true, true;
        if (strcasecmp(s, no[i]) == 0)
            return *out = false, true;
    }
    return false;
}

static const struct {
    const char *name;
    uint16_t dialect;
} protocols[] = {
    {"SMB2_02", SMB2_DIALECT_0202},
    {"SMB2_10", SMB2_DIALECT_0210},
    {"SMB3_00", SMB2_DIALECT_0300},
    {"SMB3_02", SMB2_DIALECT_0302},
    {"SMB3_11", SMB2_DIALECT_0311},
    /* Samba's aliases: SMB2 means its highest 2.x, SMB3 its highest 3.x. */
    {"SMB2", SMB2_DIALECT_0210},
    {"SMB3", SMB2_DIALECT_0311},
};

bool cfg_parse_protocol(const char *s, uint16_t *dialect)
{
    for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++) {
        if (strcasecmp(s, protocols[i].name) == 0) {
            *dialect = protocols[i].dialect;
            return true;
        }
    }
    return false;
}

const char *cfg_protocol_name(uint16_t dialect)
{
    for (size_t i = 0; i < 5; i++)
        if (protocols[i].dialect == dialect)
            return protocols[i].name;
    return "unknown";
}

static const char *const alg_names[] = {"HMAC-SHA256", "AES-128-CMAC", "AES-128-GMAC"};

const char *cfg_signing_alg_name(uint16_t alg_id)
{
    return alg_id < 3 ? alg_names[alg_id] : "unknown";
}

bool cfg_next_word(const char **s, char *word, size_t cap, bool *too_long)
{
    const char *p = *s;
    *too_long = false;
    while (*p == ',' || isspace((unsigned char)*p))
        p++;
    size_t n = strcspn(p, ", \t\r\n\v\f");
    *s = p + n;
    if (n == 0)
        return false;
    if (n >= cap) {
        *too_long = true;
        return false;
    }
    memcpy(word, p, n);
    word[n] = '\0';
    return true;
}

/* "AES-128-GMAC, AES-128-CMAC HMAC-SHA256": comma and/or space separated,
 * case-insensitive, no repeats, at least one. */
bool cfg_parse_signing_algs(const char *s, struct sec_signing_algs *out)
{
    struct sec_signing_algs a = {{0}, 0};
    char word[32];
    bool too_long;
    while (cfg_next_word(&s, word, sizeof word, &too_long)) {
        uint16_t id = 3;
        for (uint16_t k = 0; k < 3; k++)
            if (strcasecmp(word, alg_names[k]) == 0)
                id = k;
        if (id == 3 || a.count == SEC_MAX_SIGNING_ALGS)
            return false;
        for (size_t k = 0; k < a.count; k++)
            if (a.ids[k] == id)
                return false;
        a.ids[a.count++] = id;
    }
    if (too_long || a.count == 0)
        return false;
    *out = a;
    return true;
}

/* Samba's names, indexed by CipherId ([MS-SMB2] 2.2.3.1.2). */
static const char *const cipher_names[] = {"none", "AES-128-CCM", "AES-128-GCM", "AES-256-CCM",
                                           "AES-256-GCM"};

const char *cfg_cipher_name(uint16_t cipher_id)
{
    return cipher_id < sizeof cipher_names / sizeof cipher_names[0] ? cipher_names[cipher_id]
                                                                    : "unknown";
}

struct cfg_ciphers cfg_ciphers_default(void)
{
    return (struct cfg_ciphers){{SMB2_CIPHER_AES128_GCM, SMB2_CIPHER_AES128_CCM,
                                 SMB2_CIPHER_AES256_GCM, SMB2_CIPHER_AES256_CCM},
                                4};
}

bool cfg_parse_ciphers(const char *s, struct cfg_ciphers *out)
{
    struct cfg_ciphers c = {{0}, 0};
    char word[32];
    bool too_long;
    while (cfg_next_word(&s, word, sizeof word, &too_long)) {
        uint16_t id = 0;
        for (uint16_t k = 1; k < sizeof cipher_names / sizeof cipher_names[0]; k++)
            if (strcasecmp(word, cipher_names[k]) == 0)
                id = k;
        if (id == 0 || c.count == CFG_MAX_CIPHERS)
            return false;
        for (size_t k = 0; k < c.count; k++)
            if (c.ids[k] == id)
                return false;
        c.ids[c.count++] = id;
    }
    if (too_long || c.count == 0)
        return false;
    *out = c;
    return true;
}

bool cfg_parse_client_signing(const char *s, enum sec_client_signing *out)
{
    /* Samba also spells these auto/mandatory/yes/no. */
    if (!strcasecmp(s, "required") || !strcasecmp(s, "mandatory"))
        *out = SEC_CLIENT_SIGNING_REQUIRED;
    else if (!strcasecmp(s, "desired") || !strcasecmp(s, "auto") || !strcasecmp(s, "default") ||
             !strcasecmp(s, "if_required"))
        *out = SEC_CLIENT_SIGNING_DESIRED;
    else if (!strcasecmp(s, "disabled") || !strcasecmp(s, "off") || !strcasecmp(s, "no"))
        *out = SEC_CLIENT_SIGNING_DISABLED;
    else
        return false;
    return true;
}

bool cfg_parse_server_signing(const char *s, enum sec_server_signing *out)
{
    if (!strcasecmp(s, "mandatory") || !strcasecmp(s, "required"))
        *out = SEC_SERVER_SIGNING_MANDATORY;
    else if (!strcasecmp(s, "auto") || !strcasecmp(s, "default") || !strcasecmp(s, "desired"))
        *out = SEC_SERVER_SIGNING_AUTO;
    else if (!strcasecmp(s, "disabled") || !strcasecmp(s, "off") || !strcasecmp(s, "no"))
        *out = SEC_SERVER_SIGNING_DISABLED;
    else
        return false;
    return true;
}
