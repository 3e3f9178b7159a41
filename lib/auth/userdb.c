/* The user database file: see userdb.h for the format and its guarantees. */
#include "auth/userdb.h"

#include "auth/ntlm_crypto.h"
#include "base/buf.h"
#include "base/mem.h"
#include "base/status.h"
#include "base/utf16.h"
#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define USERDB_FILE_MAX (16u << 20) /* refuse to load anything larger */
#define NAME_BYTES_MAX  (USERDB_NAME_MAX * 4)

struct userdb_entry {
    char name[NAME_BYTES_MAX + 1];
    uint8_t hash[16];
};

struct userdb {
    struct userdb_entry *e;
    size_t n, cap;
};

static ntstatus_t fail(ntstatus_t st, char *msg, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static ntstatus_t fail(ntstatus_t st, char *msg, size_t cap, const char *fmt, ...)
{
    if (msg && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, cap, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* ---- names ---- */

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == '\n';
}

bool userdb_name_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > NAME_BYTES_MAX || utf8_utf16le_len(name, len) == SIZE_MAX)
        return false;
    if (is_space((unsigned char)name[0]) || is_space((unsigned char)name[len - 1]))
        return false;
    size_t points = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7F || c == ':')
            return false;
        if ((c & 0xC0) != 0x80)
            points++;
    }
    return points <= USERDB_NAME_MAX;
}

/* The comparison key: UTF-16LE through Windows' upcase table. */
static bool name_key(const char *name, uint8_t key[NAME_BYTES_MAX * 2], size_t *len)
{
    if (!nt_ok(utf8_to_utf16le(name, strlen(name), key, NAME_BYTES_MAX * 2, len)))
        return false;
    ntlm_upcase_utf16le(key, *len);
    return true;
}

static bool names_equal(const char *a, const char *b)
{
    uint8_t ka[NAME_BYTES_MAX * 2], kb[NAME_BYTES_MAX * 2];
    size_t la, lb;
    return name_key(a, ka, &la) && name_key(b, kb, &lb) && la == lb && memcmp(ka, kb, la) == 0;
}

static struct userdb_entry *find(const struct userdb *db, const char *name)
{
    for (size_t i = 0; i < db->n; i++)
        if (names_equal(db->e[i].name, name))
            return &db->e[i];
    return NULL;
}

/* ---- the in-memory database ---- */

void userdb_free(struct userdb *db)
{
    if (!db)
        return;
    if (db->e)
        secure_zero(db->e, db->cap * sizeof *db->e);
    free(db->e);
    free(db);
}

static struct userdb_entry *db_add(struct userdb *db)
{
    if (db->n == db->cap) {
        size_t cap = db->cap ? db->cap * 2 : 8;
        struct userdb_entry *e = calloc(cap, sizeof *e);
        if (!e)
            return NULL;
        if (db->e) {
            memcpy(e, db->e, db->n * sizeof *e);
            secure_zero(db->e, db->cap * sizeof *db->e);
            free(db->e);
        }
        db->e = e;
        db->cap = cap;
    }
    return &db->e[db->n++];
}

size_t userdb_count(const struct userdb *db)
{
    return db->n;
}

const char *userdb_name(const struct userdb *db, size_t i)
{
    return i < db->n ? db->e[i].name : NULL;
}

ntstatus_t userdb_lookup(const struct userdb *db, const char *name, uint8_t nt_hash[16])
{
    const struct userdb_entry *e = find(db, name);
    if (!e)
        return STATUS_NOT_FOUND;
    memcpy(nt_hash, e->hash, 16);
    return STATUS_SUCCESS;
}

/* ---- parsing ---- */

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool parse_hash(const char *s, size_t len, uint8_t out[16])
{
    if (len != 32)
        return false;
    for (size_t i = 0; i < 16; i++) {
        int hi = hex_val(s[2 * i]), lo = hex_val(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* One line (without its '\n'): "NAME:HASH". */
static ntstatus_t parse_line(struct userdb *db, char *line, size_t len, size_t lineno,
                             const char *path, char *msg, size_t cap)
{
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    if (len == 0 || line[0] == '#')
        return STATUS_SUCCESS;
    char *colon = memchr(line, ':', len);
    if (!colon)
        return fail(STATUS_INVALID_PARAMETER, msg, cap, "%s:%zu: expected NAME:NTHASH", path,
                    lineno);
    *colon = '\0';
    struct userdb_entry e;
    if (!userdb_name_valid(line))
        return fail(STATUS_INVALID_PARAMETER, msg, cap, "%s:%zu: invalid user name", path, lineno);
    if (!parse_hash(colon + 1, len - (size_t)(colon + 1 - line), e.hash))
        return fail(STATUS_INVALID_PARAMETER, msg, cap,
                    "%s:%zu: the NT hash must be 32 hexadecimal digits", path, lineno);
    if (find(db, line)) {
        secure_zero(e.hash, sizeof e.hash);
        return fail(STATUS_INVALID_PARAMETER, msg, cap, "%s:%zu: user \"%s\" appears twice", path,
                    lineno, line);
    }
    struct userdb_entry *slot = db_add(db);
    if (!slot) {
        secure_zero(e.hash, sizeof e.hash);
        return STATUS_NO_MEMORY;
    }
    snprintf(slot->name, sizeof slot->name, "%s", line);
    memcpy(slot->hash, e.hash, 16);
    secure_zero(e.hash, sizeof e.hash);
    return STATUS_SUCCESS;
}

static ntstatus_t parse(struct userdb *db, char *text, size_t len, const char *path, char *msg,
                        size_t cap)
{
    if (memchr(text, '\0', len))
        return fail(STATUS_INVALID_PARAMETER, msg, cap, "%s: not a text file", path);
    size_t lineno = 0, start = 0;
    while (start < len) {
        char *nl = memchr(text + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - text) : len;
        text[end] = '\0'; /* text has one spare byte past len */
        ntstatus_t st = parse_line(db, text + start, end - start, ++lineno, path, msg, cap);
        if (!nt_ok(st))
            return st;
        start = end + 1;
    }
    return STATUS_SUCCESS;
}

/* Read the whole file (mode checked) into a buffer with a spare NUL byte. */
static ntstatus_t read_db_file(const char *path, struct buf *b, char *msg, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return fail(nt_from_errno(errno), msg, cap, "%s: %s", path, strerror(errno));
    struct stat st;
    ntstatus_t r = STATUS_SUCCESS;
    if (fstat(fd, &st) < 0)
        r = fail(nt_from_errno(errno), msg, cap, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        r = fail(STATUS_INVALID_PARAMETER, msg, cap, "%s: not a regular file", path);
    else if (st.st_mode & 077)
        r = fail(STATUS_ACCESS_DENIED, msg, cap,
                 "%s: the user database is accessible to group or others (mode %04o); it holds "
                 "password equivalents: run 'chmod 600 %s'",
                 path, (unsigned)(st.st_mode & 07777), path);
    else if ((uint64_t)st.st_size > USERDB_FILE_MAX)
        r = fail(STATUS_INVALID_PARAMETER, msg, cap, "%s: too large for a user database", path);
    uint8_t chunk[4096];
    ssize_t n = 0;
    while (nt_ok(r) && (n = read(fd, chunk, sizeof chunk)) > 0) {
        r = b->len + (size_t)n > USERDB_FILE_MAX ? STATUS_INVALID_PARAMETER
                                                 : buf_append(b, chunk, (size_t)n);
    }
    if (nt_ok(r) && n < 0)
        r = fail(nt_from_errno(errno), msg, cap, "%s: %s", path, strerror(errno));
    if (nt_ok(r))
        r = buf_reserve(b, 1);
    secure_zero(chunk, sizeof chunk);
    close(fd);
    return r;
}

ntstatus_t userdb_load(const char *path, struct userdb **out, char *msg, size_t msg_cap)
{
    if (msg && msg_cap)
        msg[0] = '\0';
    struct buf b = BUF_INIT;
    ntstatus_t st = read_db_file(path, &b, msg, msg_cap);
    struct userdb *db = calloc(1, sizeof *db);
    if (nt_ok(st) && !db)
        st = STATUS_NO_MEMORY;
    if (nt_ok(st))
        st = parse(db, (char *)b.p, b.len, path, msg, msg_cap);
    buf_free_secret(&b);
    if (!nt_ok(st)) {
        userdb_free(db);
        return st;
    }
    *out = db;
    return STATUS_SUCCESS;
}

ntstatus_t userdb_nt_hash(const char *password, uint8_t nt_hash[16])
{
    size_t len = strlen(password);
    if (len > USERDB_PASSWORD_MAX)
        return STATUS_INVALID_PARAMETER;
    uint8_t u16[USERDB_PASSWORD_MAX * 2];
    size_t u16_len = 0;
    ntstatus_t st = utf8_to_utf16le(password, len, u16, sizeof u16, &u16_len);
    if (nt_ok(st))
        st = crypto_md4(u16, u16_len, nt_hash); /* [MS-NLMP] 3.3.1 NTOWFv1 */
    secure_zero(u16, sizeof u16);
    return st;
}

/* ---- updates: locked, written to a temporary file, renamed over ---- */

struct db_dir {
    int fd;          /* the containing directory, flock()ed */
    char tmpl[4096]; /* "<path>.tmpXXXXXX" */
};

static ntstatus_t dir_lock(const char *path, struct db_dir *d, char *msg, size_t cap)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (strlen(path) + 16 > sizeof d->tmpl)
        return fail(STATUS_NAME_TOO_LONG, msg, cap, "%s: path too long", path);
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == path)
        snprintf(dir, sizeof dir, "/");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    snprintf(d->tmpl, sizeof d->tmpl, "%s.tmpXXXXXX", path);
    d->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->fd < 0)
        return fail(nt_from_errno(errno), msg, cap, "%s: %s", dir, strerror(errno));
    if (flock(d->fd, LOCK_EX) < 0) {
        ntstatus_t st =
            fail(nt_from_errno(errno), msg, cap, "%s: cannot lock: %s", dir, strerror(errno));
        close(d->fd);
        return st;
    }
    return STATUS_SUCCESS;
}

static ntstatus_t serialize(const struct userdb *db, struct buf *b)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < db->n; i++) {
        char line[NAME_BYTES_MAX + 1 + 32 + 2];
        size_t nl = strlen(db->e[i].name);
        memcpy(line, db->e[i].name, nl);
        line[nl++] = ':';
        for (size_t k = 0; k < 16; k++) {
            line[nl++] = hex[db->e[i].hash[k] >> 4];
            line[nl++] = hex[db->e[i].hash[k] & 15];
        }
        line[nl++] = '\n';
        ntstatus_t st = buf_append(b, line, nl);
        secure_zero(line, sizeof line);
        if (!nt_ok(st))
            return st;
    }
    return STATUS_SUCCESS;
}

static bool write_all(int fd, const uint8_t *p, size_t n)
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

/* Temporary file (0600) + fsync + rename + fsync of the directory. */
static ntstatus_t write_atomic(const char *path, struct db_dir *d, const struct userdb *db,
                               char *msg, size_t cap)
{
    struct buf b = BUF_INIT;
    ntstatus_t st = serialize(db, &b);
    if (!nt_ok(st)) {
        buf_free_secret(&b);
        return st;
    }
    int fd = mkstemp(d->tmpl); /* O_EXCL, mode 0600 */
    if (fd < 0) {
        buf_free_secret(&b);
        return fail(nt_from_errno(errno), msg, cap, "%s: %s", d->tmpl, strerror(errno));
    }
    bool ok = fchmod(fd, 0600) == 0 && write_all(fd, b.p, b.len) && fsync(fd) == 0;
    int err = errno;
    buf_free_secret(&b);
    if (close(fd) < 0 && ok) {
        ok = false;
        err = errno;
    }
    if (ok && rename(d->tmpl, path) < 0) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        unlink(d->tmpl);
        return fail(nt_from_errno(err), msg, cap, "%s: cannot write: %s", path, strerror(err));
    }
    fsync(d->fd); /* the rename itself */
    return STATUS_SUCCESS;
}

/* Load for an update: a missing file is an empty database when allowed. */
static ntstatus_t load_for_update(const char *path, bool may_be_missing, struct userdb **db,
                                  char *msg, size_t cap)
{
    ntstatus_t st = userdb_load(path, db, msg, cap);
    if (nt_eq(st, STATUS_OBJECT_NAME_NOT_FOUND) && may_be_missing) {
        *db = calloc(1, sizeof **db);
        if (msg && cap)
            msg[0] = '\0';
        return *db ? STATUS_SUCCESS : STATUS_NO_MEMORY;
    }
    return st;
}

ntstatus_t userdb_set_password(const char *path, const char *name, const char *password,
                               bool *created, char *msg, size_t msg_cap)
{
    if (!userdb_name_valid(name))
        return fail(STATUS_INVALID_PARAMETER, msg, msg_cap,
                    "invalid user name: 1 to %d characters, no ':' or control characters, no "
                    "spaces at either end",
                    USERDB_NAME_MAX);
    if (password[0] == '\0')
        return fail(STATUS_INVALID_PARAMETER, msg, msg_cap, "the password must not be empty");
    uint8_t hash[16];
    ntstatus_t st = userdb_nt_hash(password, hash);
    if (!nt_ok(st))
        return fail(st, msg, msg_cap, "the password is not valid UTF-8 or longer than %d bytes",
                    USERDB_PASSWORD_MAX);
    struct db_dir d;
    st = dir_lock(path, &d, msg, msg_cap);
    if (!nt_ok(st)) {
        secure_zero(hash, sizeof hash);
        return st;
    }
    struct userdb *db = NULL;
    st = load_for_update(path, true, &db, msg, msg_cap);
    struct userdb_entry *e = NULL;
    if (nt_ok(st)) {
        e = find(db, name);
        if (created)
            *created = e == NULL;
        if (!e && (e = db_add(db)) != NULL)
            snprintf(e->name, sizeof e->name, "%s", name);
        if (!e)
            st = STATUS_NO_MEMORY;
    }
    if (nt_ok(st)) {
        memcpy(e->hash, hash, 16);
        st = write_atomic(path, &d, db, msg, msg_cap);
    }
    secure_zero(hash, sizeof hash);
    userdb_free(db);
    close(d.fd); /* drops the lock */
    return st;
}

ntstatus_t userdb_delete(const char *path, const char *name, char *msg, size_t msg_cap)
{
    struct db_dir d;
    ntstatus_t st = dir_lock(path, &d, msg, msg_cap);
    if (!nt_ok(st))
        return st;
    struct userdb *db = NULL;
    st = load_for_update(path, false, &db, msg, msg_cap);
    if (nt_ok(st)) {
        struct userdb_entry *e = find(db, name);
        if (!e) {
            st = fail(STATUS_NOT_FOUND, msg, msg_cap, "%s: no user \"%s\"", path, name);
        } else {
            size_t i = (size_t)(e - db->e);
            memmove(e, e + 1, (db->n - i - 1) * sizeof *e);
            db->n--;
            secure_zero(&db->e[db->n], sizeof db->e[db->n]);
            st = write_atomic(path, &d, db, msg, msg_cap);
        }
    }
    userdb_free(db);
    close(d.fd);
    return st;
}
