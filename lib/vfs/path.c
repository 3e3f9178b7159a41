/* SMB path checks and directory pattern matching. These string checks only
 * reject what Windows rejects; containment beneath the share root is the
 * kernel's job (resolve.c). */
#include "vfs/vfs.h"

#include <string.h>
#include <strings.h>

/* [MS-FSCC] 2.1.5.2: characters a file name may not contain (':' is the
 * stream separator and handled apart; '\' separates components). */
static bool char_forbidden(unsigned char c)
{
    return c < 0x20 || c == 0x7F || c == '<' || c == '>' || c == '"' || c == '|' || c == '?' ||
           c == '*' || c == '/';
}

/* Check one component; is_last allows a stream suffix. *cut receives the
 * length to keep (the "::$DATA" suffix dropped). */
static ntstatus_t check_component(const char *c, size_t len, bool is_last, size_t *cut)
{
    if (len == 0)
        return STATUS_OBJECT_NAME_INVALID;
    const char *colon = memchr(c, ':', len);
    size_t keep = colon ? (size_t)(colon - c) : len;
    if (colon) {
        size_t rest = len - keep;
        bool default_stream = rest == 7 && strncasecmp(colon, "::$DATA", 7) == 0;
        if (!is_last || keep == 0)
            return STATUS_OBJECT_NAME_INVALID;
        if (!default_stream)
            return STATUS_OBJECT_NAME_NOT_FOUND; /* a named stream we do not have */
    }
    if (keep > VFS_NAME_MAX)
        return STATUS_OBJECT_NAME_INVALID;
    for (size_t i = 0; i < keep; i++)
        if (char_forbidden((unsigned char)c[i]))
            return STATUS_OBJECT_NAME_INVALID;
    *cut = keep;
    return STATUS_SUCCESS;
}

ntstatus_t vfs_path_normalize(const char *smb, size_t len, char *out, size_t out_cap,
                              unsigned *flags)
{
    unsigned fl = 0;
    if (len > 0 && smb[0] == '\\')
        return STATUS_INVALID_PARAMETER; /* [MS-SMB2] 3.3.5.9 */
    if (len > 1 && smb[len - 1] == '\\') {
        len--;
        fl |= VFS_PATH_TRAILING_SEP;
    }
    if (len + 1 > VFS_PATH_MAX)
        return STATUS_NAME_TOO_LONG;
    if (out_cap < len + 1 || out_cap < 2)
        return STATUS_BUFFER_TOO_SMALL;
    if (len == 0) {
        memcpy(out, ".", 2);
        if (flags)
            *flags = fl;
        return STATUS_SUCCESS;
    }
    size_t o = 0, start = 0;
    while (start <= len) {
        const char *sep = memchr(smb + start, '\\', len - start);
        size_t end = sep ? (size_t)(sep - smb) : len;
        size_t keep = 0;
        ntstatus_t st = check_component(smb + start, end - start, !sep, &keep);
        if (!nt_ok(st))
            return st;
        if (o > 0)
            out[o++] = '/';
        memcpy(out + o, smb + start, keep);
        o += keep;
        start = end + 1;
    }
    out[o] = '\0';
    if (flags)
        *flags = fl;
    return STATUS_SUCCESS;
}

/* Length of the UTF-8 sequence starting with byte c (1 for a stray byte). */
static size_t utf8_seq_len(unsigned char c)
{
    if (c >= 0xF0)
        return 4;
    if (c >= 0xE0)
        return 3;
    if (c >= 0xC0)
        return 2;
    return 1;
}

#define PATTERN_MAX 2048 /* longer patterns match nothing */

/* The matcher of [MS-FSA] 2.1.4.4 as a set of pattern positions (an NFA run
 * in O(pattern * name), never exponential):
 *   '*' any run; '?' one character;
 *   '<' (DOS_STAR) any run that does not take the name's last '.';
 *   '>' (DOS_QM) one character, or nothing at a '.' or the end of the name;
 *   '"' (DOS_DOT) a '.', or nothing at the end of the name.
 * Characters are UTF-8 code points; literals compare byte for byte. */
struct nfa {
    const char *p;
    size_t plen;
    bool *cur, *next;
};

/* Add position i and what it reaches without consuming, given the name's
 * next character c (0 at the end). */
static void nfa_add(struct nfa *m, bool *set, size_t i, char c)
{
    while (i <= m->plen && !set[i]) {
        set[i] = true;
        if (i == m->plen)
            return;
        char w = m->p[i];
        bool skip =
            w == '*' || w == '<' || (w == '>' && (c == '.' || c == 0)) || (w == '"' && c == 0);
        if (!skip)
            return;
        i++;
    }
}

/* Consume the code point n[0..len) (a last '.' when last_dot) from cur into
 * next; nc is the character after it (0 at the end). */
static void nfa_step(struct nfa *m, const char *n, size_t len, bool last_dot, char nc)
{
    memset(m->next, 0, m->plen + 1);
    for (size_t i = 0; i < m->plen; i++) {
        if (!m->cur[i])
            continue;
        char w = m->p[i];
        if (w == '*' || (w == '<' && !last_dot))
            nfa_add(m, m->next, i, nc);
        else if (w == '?' || (w == '>' && n[0] != '.') || (w == '"' && n[0] == '.'))
            nfa_add(m, m->next, i + 1, nc);
        else if (w != '<' && w != '>' && w != '"' && i + len <= m->plen &&
                 memcmp(m->p + i, n, len) == 0)
            nfa_add(m, m->next, i + len, nc);
    }
    bool *t = m->cur;
    m->cur = m->next;
    m->next = t;
}

static bool nfa_match(const char *p, size_t plen, const char *n, size_t nlen)
{
    bool a[PATTERN_MAX + 1] = {false}, b[PATTERN_MAX + 1];
    struct nfa m = {p, plen, a, b};
    const char *last_dot = memrchr(n, '.', nlen);
    nfa_add(&m, m.cur, 0, nlen ? n[0] : 0);
    for (size_t i = 0; i < nlen;) {
        size_t len = utf8_seq_len((unsigned char)n[i]);
        if (len > nlen - i)
            len = nlen - i;
        nfa_step(&m, n + i, len, n + i == last_dot, i + len < nlen ? n[i + len] : 0);
        i += len;
    }
    return m.cur[plen];
}

bool vfs_name_match(const char *pattern, size_t pattern_len, const char *name)
{
    if (pattern_len == 0 || (pattern_len == 1 && pattern[0] == '*') ||
        (pattern_len == 3 && memcmp(pattern, "*.*", 3) == 0))
        return true;
    if (pattern_len > PATTERN_MAX)
        return false;
    return nfa_match(pattern, pattern_len, name, strlen(name));
}
