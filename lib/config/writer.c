/* The comment-preserving edit of signet.conf and its atomic write. */
#include "config/writer.h"

#include "base/buf.h"
#include "base/status.h"
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define CFG_FILE_MAX (1u << 20) /* a configuration file larger than this is refused */

static ntstatus_t fail(ntstatus_t st, char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ntstatus_t fail(ntstatus_t st, char *err, size_t err_len, const char *fmt, ...)
{
    if (err && err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return st;
}

bool cfg_key_eq(const char *a, const char *b)
{
    for (;;) {
        while (*a == ' ' || *a == '_')
            a++;
        while (*b == ' ' || *b == '_')
            b++;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        if (!*a)
            return true;
        a++, b++;
    }
}

/* ---- reading lines as inih does ---- */

enum line_kind { LINE_BLANK, LINE_COMMENT, LINE_SECTION, LINE_KEY, LINE_OTHER };

struct ini_line {
    size_t start, end, next; /* offsets: content [start, end), next line at next */
    enum line_kind kind;
    size_t lead;   /* first non-space character */
    size_t a, b;   /* section name or key name */
    size_t vs, ve; /* the value, without surrounding spaces or inline comment */
    bool match;    /* sets the key being edited, in the section being edited */
};

static bool is_space(char c)
{
    return isspace((unsigned char)c) != 0;
}

/* inih's find_chars_or_comment: the first of chars, or a ';' after a space. */
static size_t find_chars(const char *t, size_t s, size_t e, const char *chars)
{
    bool was_space = false;
    while (s < e && !(chars && strchr(chars, t[s])) && !(was_space && t[s] == ';')) {
        was_space = is_space(t[s]);
        s++;
    }
    return s;
}

static size_t rstrip(const char *t, size_t s, size_t e)
{
    while (e > s && is_space(t[e - 1]))
        e--;
    return e;
}

static void classify_key(const char *t, size_t p, size_t e, struct ini_line *l)
{
    size_t q = find_chars(t, p, e, "=:");
    if (q == e || (t[q] != '=' && t[q] != ':')) {
        l->kind = LINE_OTHER;
        return;
    }
    l->kind = LINE_KEY;
    l->a = p;
    l->b = rstrip(t, p, q);
    size_t ve = find_chars(t, q + 1, e, NULL);
    size_t vs = q + 1;
    while (vs < ve && is_space(t[vs]))
        vs++;
    l->vs = vs;
    l->ve = rstrip(t, vs, ve);
}

static void classify(const char *t, bool first, struct ini_line *l)
{
    size_t p = l->start;
    if (first && l->end - p >= 3 && !memcmp(t + p, "\xEF\xBB\xBF", 3))
        p += 3; /* a UTF-8 byte order mark, skipped as inih does */
    while (p < l->end && is_space(t[p]))
        p++;
    size_t e = rstrip(t, p, l->end);
    l->lead = p;
    if (p == e)
        l->kind = LINE_BLANK;
    else if (t[p] == ';' || t[p] == '#')
        l->kind = LINE_COMMENT;
    else if (t[p] != '[')
        classify_key(t, p, e, l);
    else {
        size_t q = find_chars(t, p + 1, e, "]");
        l->kind = q < e && t[q] == ']' ? LINE_SECTION : LINE_OTHER;
        l->a = p + 1;
        l->b = q;
    }
}

/* Split text into lines (each keeps its line ending). */
static ntstatus_t split_lines(const char *t, size_t len, struct ini_line **out, size_t *n_out)
{
    size_t n = 0, cap = 16;
    struct ini_line *v = malloc(cap * sizeof *v);
    if (!v)
        return STATUS_NO_MEMORY;
    for (size_t s = 0; s < len;) {
        if (n == cap) {
            struct ini_line *w = realloc(v, (cap *= 2) * sizeof *v);
            if (!w) {
                free(v);
                return STATUS_NO_MEMORY;
            }
            v = w;
        }
        const char *nl = memchr(t + s, '\n', len - s);
        struct ini_line *l = &v[n];
        memset(l, 0, sizeof *l);
        l->start = s;
        l->next = nl ? (size_t)(nl - t) + 1 : len;
        l->end = nl ? (size_t)(nl - t) : len;
        if (l->end > s && t[l->end - 1] == '\r')
            l->end--;
        classify(t, n == 0, l);
        s = l->next;
        n++;
    }
    *out = v;
    *n_out = n;
    return STATUS_SUCCESS;
}

/* ---- the edit ---- */

struct edit_plan {
    const char *t;
    struct ini_line *lines;
    size_t n;
    size_t last_match;   /* SIZE_MAX: the key is not set in the section */
    size_t append_after; /* SIZE_MAX: the section does not exist */
    const char *eol;     /* the file's line ending */
    size_t indent_from;  /* a key line whose indentation new keys copy (SIZE_MAX: none) */
};

static bool span_eq_ci(const char *t, size_t a, size_t b, const char *s)
{
    return strlen(s) == b - a && strncasecmp(t + a, s, b - a) == 0;
}

static bool line_is_key(const char *t, const struct ini_line *l, const char *key)
{
    char name[128];
    if (l->kind != LINE_KEY || l->b - l->a >= sizeof name)
        return false;
    memcpy(name, t + l->a, l->b - l->a);
    name[l->b - l->a] = '\0';
    return cfg_key_eq(name, key);
}

static void plan_edit(struct edit_plan *p, const char *section, const char *key)
{
    bool in_target = false;
    p->last_match = p->append_after = p->indent_from = SIZE_MAX;
    p->eol = "\n";
    bool eol_seen = false;
    for (size_t i = 0; i < p->n; i++) {
        struct ini_line *l = &p->lines[i];
        if (!eol_seen && l->next > l->end) {
            p->eol = l->next - l->end == 2 ? "\r\n" : "\n";
            eol_seen = true;
        }
        if (l->kind == LINE_SECTION) {
            in_target = span_eq_ci(p->t, l->a, l->b, section);
            if (in_target)
                p->append_after = i;
        } else if (l->kind == LINE_KEY) {
            if (p->indent_from == SIZE_MAX)
                p->indent_from = i;
            if (in_target) {
                p->append_after = i;
                if (line_is_key(p->t, l, key)) {
                    l->match = true;
                    p->last_match = i;
                }
            }
        }
    }
    if (p->append_after != SIZE_MAX && p->lines[p->append_after].kind == LINE_KEY)
        p->indent_from = p->append_after;
}

static ntstatus_t emit_replaced(struct buf *b, const char *t, const struct ini_line *l,
                                const char *value)
{
    ntstatus_t st = buf_append(b, t + l->start, l->vs - l->start);
    if (nt_ok(st) && l->vs == l->ve && !is_space(t[l->vs - 1]))
        st = buf_append(b, " ", 1); /* "key =" had no value and no space */
    if (nt_ok(st))
        st = buf_append(b, value, strlen(value));
    if (nt_ok(st))
        st = buf_append(b, t + l->ve, l->next - l->ve);
    return st;
}

static ntstatus_t emit_key_line(struct buf *b, const struct edit_plan *p, const char *key,
                                const char *value)
{
    ntstatus_t st = STATUS_SUCCESS;
    if (p->indent_from != SIZE_MAX) {
        const struct ini_line *l = &p->lines[p->indent_from];
        st = buf_append(b, p->t + l->start, l->lead - l->start);
    } else {
        st = buf_append(b, "   ", 3); /* as signet.conf(5) shows it */
    }
    char line[CFG_EDIT_VALUE_MAX + 160];
    int n = snprintf(line, sizeof line, "%s = %s%s", key, value, p->eol);
    if (nt_ok(st))
        st = buf_append(b, line, (size_t)n);
    return st;
}

/* The line of the last key of the section, then the new key (an unterminated
 * last line gets a line ending first). */
static ntstatus_t emit_with_append(struct buf *b, const struct edit_plan *p,
                                   const struct ini_line *l, const char *key, const char *value)
{
    ntstatus_t st = buf_append(b, p->t + l->start, l->next - l->start);
    if (nt_ok(st) && l->next == l->end)
        st = buf_append(b, p->eol, strlen(p->eol));
    return nt_ok(st) ? emit_key_line(b, p, key, value) : st;
}

static ntstatus_t emit_new_section(struct buf *b, const struct edit_plan *p, const char *section,
                                   const char *key, const char *value)
{
    ntstatus_t st = STATUS_SUCCESS;
    const struct ini_line *last = p->n ? &p->lines[p->n - 1] : NULL;
    if (last && last->next == last->end)
        st = buf_append(b, p->eol, strlen(p->eol));
    if (nt_ok(st) && last && last->kind != LINE_BLANK)
        st = buf_append(b, p->eol, strlen(p->eol)); /* a blank line before the section */
    char head[96];
    int n = snprintf(head, sizeof head, "[%s]%s", section, p->eol);
    if (nt_ok(st))
        st = buf_append(b, head, (size_t)n);
    return nt_ok(st) ? emit_key_line(b, p, key, value) : st;
}

static ntstatus_t build_text(const struct edit_plan *p, const char *section, const char *key,
                             const char *value, struct buf *b)
{
    ntstatus_t st = STATUS_SUCCESS;
    for (size_t i = 0; i < p->n && nt_ok(st); i++) {
        const struct ini_line *l = &p->lines[i];
        if (l->match)
            st = emit_replaced(b, p->t, l, value);
        else if (p->last_match == SIZE_MAX && i == p->append_after)
            st = emit_with_append(b, p, l, key, value);
        else
            st = buf_append(b, p->t + l->start, l->next - l->start);
    }
    if (nt_ok(st) && p->append_after == SIZE_MAX)
        st = emit_new_section(b, p, section, key, value);
    if (nt_ok(st))
        st = buf_append(b, "", 1); /* NUL */
    return st;
}

/* What the edit writes must read back as written: no line breaks or control
 * characters, no ';' (an inline comment), no spaces at either end. */
static bool word_ok(const char *s, size_t max, const char *forbidden)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max || is_space(s[0]) || is_space(s[n - 1]))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F || strchr(forbidden, s[i]))
            return false;
    return true;
}

static ntstatus_t check_edit_args(const char *section, const char *key, const char *value,
                                  char *err, size_t err_len)
{
    if (!word_ok(section, 80, "[];"))
        return fail(STATUS_INVALID_PARAMETER, err, err_len, "invalid section name '%s'", section);
    if (!word_ok(key, 64, "=:;#[]"))
        return fail(STATUS_INVALID_PARAMETER, err, err_len, "invalid key name '%s'", key);
    if (!word_ok(value, CFG_EDIT_VALUE_MAX, ";"))
        return fail(STATUS_INVALID_PARAMETER, err, err_len,
                    "invalid value '%s' for '%s': it must not be empty, nor contain ';', line "
                    "breaks or control characters",
                    value, key);
    return STATUS_SUCCESS;
}

/* The proof: the new text loads with the loader's own parser. */
static ntstatus_t check_loads(const char *name, const char *text, char *err, size_t err_len)
{
    struct cfg *c = malloc(sizeof *c);
    if (!c)
        return STATUS_NO_MEMORY;
    cfg_defaults(c);
    ntstatus_t st = cfg_load_string(name, text, c, err, err_len);
    free(c);
    return st;
}

static void record_old_value(struct cfg_edit *out, const struct edit_plan *p)
{
    out->had_key = p->last_match != SIZE_MAX;
    out->how = out->had_key                  ? CFG_EDIT_REPLACED
               : p->append_after != SIZE_MAX ? CFG_EDIT_APPENDED
                                             : CFG_EDIT_NEW_SECTION;
    out->old_value[0] = '\0';
    if (out->had_key) {
        const struct ini_line *l = &p->lines[p->last_match];
        snprintf(out->old_value, sizeof out->old_value, "%.*s", (int)(l->ve - l->vs), p->t + l->vs);
    }
}

ntstatus_t cfg_edit_text(const char *name, const char *text, const char *section, const char *key,
                         const char *value, struct cfg_edit *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    ntstatus_t st = check_edit_args(section, key, value, err, err_len);
    if (!nt_ok(st)) {
        out->invalid = true;
        return st;
    }
    struct edit_plan p = {.t = text};
    st = split_lines(text, strlen(text), &p.lines, &p.n);
    if (!nt_ok(st))
        return st;
    plan_edit(&p, section, key);
    struct buf b = BUF_INIT;
    st = build_text(&p, section, key, value, &b);
    if (nt_ok(st)) {
        record_old_value(out, &p);
        st = check_loads(name, (const char *)b.p, err, err_len);
        out->invalid = nt_eq(st, STATUS_INVALID_PARAMETER);
    }
    free(p.lines);
    if (!nt_ok(st)) {
        buf_free(&b);
        bool invalid = out->invalid;
        memset(out, 0, sizeof *out);
        out->invalid = invalid;
        return st;
    }
    out->text = (char *)b.p;
    out->len = b.len - 1;
    out->changed = strcmp(out->text, text) != 0;
    return STATUS_SUCCESS;
}

void cfg_edit_free(struct cfg_edit *e)
{
    free(e->text);
    e->text = NULL;
    e->len = 0;
}

/* ---- the file ---- */

/* path, or the target of the symbolic link path is; *exists and *st tell
 * about that file. */
static ntstatus_t resolve_target(const char *path, char target[PATH_MAX], struct stat *st,
                                 bool *exists, char *err, size_t err_len)
{
    struct stat lst;
    *exists = false;
    if (lstat(path, &lst) < 0) {
        if (errno != ENOENT)
            return fail(nt_from_errno(errno), err, err_len, "%s: %s", path, strerror(errno));
        if (strlen(path) >= PATH_MAX - 16)
            return fail(STATUS_NAME_TOO_LONG, err, err_len, "%s: path too long", path);
        snprintf(target, PATH_MAX, "%s", path);
        return STATUS_SUCCESS;
    }
    if (S_ISLNK(lst.st_mode) && !realpath(path, target))
        return fail(nt_from_errno(errno), err, err_len,
                    "%s: the symbolic link cannot be followed: %s", path, strerror(errno));
    if (!S_ISLNK(lst.st_mode))
        snprintf(target, PATH_MAX, "%s", path);
    if (strlen(target) >= PATH_MAX - 16)
        return fail(STATUS_NAME_TOO_LONG, err, err_len, "%s: path too long", target);
    if (stat(target, st) < 0)
        return fail(nt_from_errno(errno), err, err_len, "%s: %s", target, strerror(errno));
    if (!S_ISREG(st->st_mode))
        return fail(STATUS_INVALID_PARAMETER, err, err_len, "%s: not a regular file", target);
    *exists = true;
    return STATUS_SUCCESS;
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Owner first (a chown may clear set-id bits), then the mode. */
static ntstatus_t copy_owner_mode(int fd, const char *target, const struct stat *old, bool exists,
                                  char *err, size_t err_len)
{
    if (exists && (old->st_uid != geteuid() || old->st_gid != getegid()) &&
        fchown(fd, old->st_uid, old->st_gid) < 0)
        return fail(nt_from_errno(errno), err, err_len,
                    "%s: cannot keep its owner (uid %u, gid %u): %s; run as root or as its owner",
                    target, (unsigned)old->st_uid, (unsigned)old->st_gid, strerror(errno));
    if (fchmod(fd, exists ? old->st_mode & 07777 : 0644) < 0)
        return fail(nt_from_errno(errno), err, err_len, "%s: %s", target, strerror(errno));
    return STATUS_SUCCESS;
}

static ntstatus_t write_temp(const char *tmp, int fd, const char *text, size_t len, char *err,
                             size_t err_len)
{
    bool ok = write_all(fd, text, len) && fsync(fd) == 0;
    int e = errno;
    if (close(fd) < 0 && ok) {
        ok = false;
        e = errno;
    }
    return ok ? STATUS_SUCCESS
              : fail(nt_from_errno(e), err, err_len, "%s: cannot write: %s", tmp, strerror(e));
}

static void fsync_dir_of(const char *target)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", target);
    int fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd); /* the rename itself */
        close(fd);
    }
}

ntstatus_t cfg_write_file(const char *path, const char *text, size_t len, char *err, size_t err_len)
{
    char target[PATH_MAX], tmp[PATH_MAX + 16];
    struct stat old;
    bool exists;
    ntstatus_t st = resolve_target(path, target, &old, &exists, err, err_len);
    if (!nt_ok(st))
        return st;
    snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", target);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return fail(nt_from_errno(errno), err, err_len, "%s: cannot create a file next to it: %s",
                    target, strerror(errno));
    st = copy_owner_mode(fd, target, &old, exists, err, err_len);
    if (!nt_ok(st))
        close(fd);
    else
        st = write_temp(tmp, fd, text, len, err, err_len);
    if (nt_ok(st)) {
        struct cfg *c = malloc(sizeof *c);
        st = c ? STATUS_SUCCESS : STATUS_NO_MEMORY;
        if (c)
            cfg_defaults(c);
        if (c)
            st = cfg_load_file(tmp, c, err, err_len);
        free(c);
    }
    if (nt_ok(st) && rename(tmp, target) < 0)
        st = fail(nt_from_errno(errno), err, err_len, "%s: cannot replace: %s", target,
                  strerror(errno));
    if (!nt_ok(st)) {
        unlink(tmp);
        return st;
    }
    fsync_dir_of(target);
    return STATUS_SUCCESS;
}

/* The whole file as a NUL-terminated string; a missing file is "". */
static ntstatus_t read_text(const char *path, struct buf *b, char *err, size_t err_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 && errno == ENOENT)
        return buf_append(b, "", 1);
    if (fd < 0)
        return fail(nt_from_errno(errno), err, err_len, "%s: %s", path, strerror(errno));
    ntstatus_t st = STATUS_SUCCESS;
    char chunk[4096];
    ssize_t n;
    while (nt_ok(st) && (n = read(fd, chunk, sizeof chunk)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            st = fail(nt_from_errno(errno), err, err_len, "%s: %s", path, strerror(errno));
        else if (b->len + (size_t)n > CFG_FILE_MAX || memchr(chunk, '\0', (size_t)n))
            st = fail(STATUS_INVALID_PARAMETER, err, err_len,
                      "%s: not a configuration file (binary, or larger than 1 MiB)", path);
        else
            st = buf_append(b, chunk, (size_t)n);
    }
    close(fd);
    return nt_ok(st) ? buf_append(b, "", 1) : st;
}

static ntstatus_t lock_dir_of(const char *target, int *fd_out, char *err, size_t err_len)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", target);
    const char *d = dirname(dir);
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return fail(STATUS_OBJECT_PATH_NOT_FOUND, err, err_len,
                    "the directory %s does not exist: create it (mkdir -p %s) or choose "
                    "another file",
                    d, d);
    if (fd < 0)
        return fail(nt_from_errno(errno), err, err_len, "%s: %s", d, strerror(errno));
    if (flock(fd, LOCK_EX) < 0) {
        ntstatus_t st =
            fail(nt_from_errno(errno), err, err_len, "%s: cannot lock: %s", d, strerror(errno));
        close(fd);
        return st;
    }
    *fd_out = fd;
    return STATUS_SUCCESS;
}

ntstatus_t cfg_edit_file(const char *path, const char *section, const char *key, const char *value,
                         struct cfg_edit *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    char target[PATH_MAX];
    struct stat old;
    bool exists;
    ntstatus_t st = resolve_target(path, target, &old, &exists, err, err_len);
    if (!nt_ok(st))
        return st;
    int lock = -1;
    st = lock_dir_of(target, &lock, err, err_len);
    if (!nt_ok(st))
        return st;
    struct buf b = BUF_INIT;
    st = read_text(target, &b, err, err_len);
    if (nt_ok(st))
        st = cfg_edit_text(path, (const char *)b.p, section, key, value, out, err, err_len);
    if (nt_ok(st) && out->changed)
        st = cfg_write_file(target, out->text, out->len, err, err_len);
    if (!nt_ok(st))
        cfg_edit_free(out);
    buf_free(&b);
    close(lock);
    return st;
}
