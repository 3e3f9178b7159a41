/* Target specifications and their lazy iterator (targets.h). */
#include "probe/targets.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SPEC_MAX 300

static ntstatus_t bad(char *err, size_t err_len, const char *spec, const char *why)
{
    snprintf(err, err_len, "'%s': %s", spec, why);
    return STATUS_INVALID_PARAMETER;
}

/* Strict dotted quad (inet_pton) of s[0..n). */
static bool parse_ipv4(const char *s, size_t n, uint32_t *out)
{
    char tmp[INET_ADDRSTRLEN];
    if (n == 0 || n >= sizeof tmp)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    struct in_addr a;
    if (inet_pton(AF_INET, tmp, &a) != 1)
        return false;
    *out = ntohl(a.s_addr);
    return true;
}

/* Decimal number of s[0..n) within [0, max]. */
static bool parse_uint(const char *s, size_t n, unsigned max, unsigned *out)
{
    if (n == 0 || n > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static ntstatus_t parse_cidr(const char *spec, const char *slash, struct target_range *r, char *err,
                             size_t err_len)
{
    uint32_t base;
    unsigned prefix;
    if (!parse_ipv4(spec, (size_t)(slash - spec), &base) ||
        !parse_uint(slash + 1, strlen(slash + 1), 32, &prefix))
        return bad(err, err_len, spec, "not a.b.c.d/nn");
    if (prefix < TARGET_MIN_PREFIX)
        return bad(err, err_len, spec, "blocks larger than /16 are refused; split the range");
    uint32_t mask = prefix == 0 ? 0 : 0xFFFFFFFFu << (32 - prefix);
    r->first = base & mask;
    r->last = r->first | ~mask;
    return STATUS_SUCCESS;
}

static ntstatus_t parse_range(const char *spec, const char *dash, struct target_range *r, char *err,
                              size_t err_len)
{
    const char *end = dash + 1;
    if (!parse_ipv4(spec, (size_t)(dash - spec), &r->first))
        return bad(err, err_len, spec, "not a.b.c.d-e or a.b.c.d-w.x.y.z");
    unsigned last_octet;
    if (parse_uint(end, strlen(end), 255, &last_octet))
        r->last = (r->first & 0xFFFFFF00u) | last_octet;
    else if (!parse_ipv4(end, strlen(end), &r->last))
        return bad(err, err_len, spec, "not a.b.c.d-e or a.b.c.d-w.x.y.z");
    if (r->last < r->first)
        return bad(err, err_len, spec, "the range ends before it starts");
    if ((uint64_t)r->last - r->first + 1 > TARGET_MAX_PER_SPEC)
        return bad(err, err_len, spec, "more than 65536 addresses; split the range");
    return STATUS_SUCCESS;
}

/* RFC 1123 host name characters; a spec of digits, dots and punctuation
 * only is an address form and must parse as one. */
static bool looks_like_name(const char *s)
{
    bool letter = false;
    for (const char *p = s; *p; p++) {
        if (isalpha((unsigned char)*p))
            letter = true;
        else if (!isdigit((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_')
            return false;
    }
    return letter;
}

ntstatus_t target_parse(const char *spec, struct target_range *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof *out);
    out->kind = TARGET_RANGE;
    size_t n = strlen(spec);
    if (n == 0)
        return bad(err, err_len, spec, "empty target");
    const char *slash = strchr(spec, '/');
    const char *dash = strchr(spec, '-');
    if (slash)
        return parse_cidr(spec, slash, out, err, err_len);
    if (parse_ipv4(spec, n, &out->first)) {
        out->last = out->first;
        return STATUS_SUCCESS;
    }
    if (looks_like_name(spec)) {
        if (n >= sizeof out->name || n > 253)
            return bad(err, err_len, spec, "host name too long");
        out->kind = TARGET_NAME;
        memcpy(out->name, spec, n + 1);
        return STATUS_SUCCESS;
    }
    if (dash)
        return parse_range(spec, dash, out, err, err_len);
    return bad(err, err_len, spec, "not an address, range, CIDR block or host name");
}

/* "@path", or the path of an existing regular file. */
static const char *file_path(const char *spec)
{
    if (spec[0] == '@')
        return spec + 1;
    struct stat st;
    if (strchr(spec, '/') == NULL && strchr(spec, '.') != NULL && !looks_like_name(spec))
        return NULL; /* an address form: never a file, even if one exists */
    return stat(spec, &st) == 0 && S_ISREG(st.st_mode) ? spec : NULL;
}

/* The next specification in f: trimmed, comments removed; false at EOF. */
static bool file_next_spec(FILE *f, char *spec, size_t cap, unsigned *line_no)
{
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        (*line_no)++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char)s[n - 1]))
            s[--n] = 0;
        if (n == 0)
            continue;
        snprintf(spec, cap, "%s", s);
        return true;
    }
    return false;
}

static uint64_t range_size(const struct target_range *r)
{
    return r->kind == TARGET_NAME ? 1 : (uint64_t)r->last - r->first + 1;
}

static ntstatus_t count_file(const char *path, uint64_t *count, char *err, size_t err_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    char spec[SPEC_MAX], why[SPEC_MAX + 100];
    unsigned line = 0;
    ntstatus_t st = STATUS_SUCCESS;
    while (nt_ok(st) && file_next_spec(f, spec, sizeof spec, &line)) {
        struct target_range r;
        st = spec[0] == '@' ? bad(why, sizeof why, spec, "files cannot include files")
                            : target_parse(spec, &r, why, sizeof why);
        if (nt_ok(st))
            *count += range_size(&r);
        else
            snprintf(err, err_len, "%s:%u: %s", path, line, why);
    }
    fclose(f);
    return st;
}

ntstatus_t target_count(char *const *specs, size_t n, uint64_t *count, char *err, size_t err_len)
{
    *count = 0;
    for (size_t i = 0; i < n; i++) {
        const char *path = file_path(specs[i]);
        struct target_range r;
        ntstatus_t st =
            path ? count_file(path, count, err, err_len) : target_parse(specs[i], &r, err, err_len);
        if (!nt_ok(st))
            return st;
        if (!path)
            *count += range_size(&r);
    }
    return STATUS_SUCCESS;
}

struct target_iter {
    char *const *specs;
    size_t n;
    size_t idx;
    uint16_t port;
    FILE *file;
    unsigned line_no;
    struct target_range cur;
    bool have_cur;
    uint64_t next_addr;
    char err[SPEC_MAX + 200];
};

ntstatus_t target_iter_new(char *const *specs, size_t n, uint16_t port, struct target_iter **out)
{
    struct target_iter *it = calloc(1, sizeof *it);
    if (!it)
        return STATUS_NO_MEMORY;
    it->specs = specs;
    it->n = n;
    it->port = port;
    *out = it;
    return STATUS_SUCCESS;
}

void target_iter_free(struct target_iter *it)
{
    if (!it)
        return;
    if (it->file)
        fclose(it->file);
    free(it);
}

const char *target_iter_error(const struct target_iter *it)
{
    return it->err[0] ? it->err : NULL;
}

/* Load the next range into it->cur; false when there is none left. */
static bool load_next(struct target_iter *it)
{
    char spec[SPEC_MAX], why[SPEC_MAX + 100];
    for (;;) {
        const char *s = NULL;
        if (it->file && file_next_spec(it->file, spec, sizeof spec, &it->line_no)) {
            s = spec[0] == '@' ? NULL : spec;
        } else if (it->file) {
            fclose(it->file);
            it->file = NULL;
            continue;
        } else if (it->idx < it->n) {
            const char *path = file_path(it->specs[it->idx]);
            s = it->specs[it->idx++];
            if (path) {
                it->file = fopen(path, "r");
                it->line_no = 0;
                if (!it->file)
                    snprintf(it->err, sizeof it->err, "%s: %s", path, strerror(errno));
                continue;
            }
        } else {
            return false;
        }
        if (s && nt_ok(target_parse(s, &it->cur, why, sizeof why))) {
            it->next_addr = it->cur.first;
            return true;
        }
        snprintf(it->err, sizeof it->err, "skipped %s", s ? why : "a nested file");
    }
}

static void resolve_name(const char *name, struct probe_target *t)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res) {
        t->status = STATUS_BAD_NETWORK_PATH;
        return;
    }
    t->addr.sin_addr = ((const struct sockaddr_in *)(const void *)res->ai_addr)->sin_addr;
    freeaddrinfo(res);
}

bool target_iter_next(struct target_iter *it, struct probe_target *t)
{
    if (!it->have_cur || it->next_addr > it->cur.last) {
        it->have_cur = load_next(it);
        if (!it->have_cur)
            return false;
    }
    memset(t, 0, sizeof *t);
    t->addr.sin_family = AF_INET;
    t->addr.sin_port = htons(it->port);
    t->status = STATUS_SUCCESS;
    if (it->cur.kind == TARGET_NAME) {
        snprintf(t->host, sizeof t->host, "%s", it->cur.name);
        resolve_name(it->cur.name, t);
        it->have_cur = false;
        return true;
    }
    t->addr.sin_addr.s_addr = htonl((uint32_t)it->next_addr);
    inet_ntop(AF_INET, &t->addr.sin_addr, t->host, sizeof t->host);
    it->next_addr++;
    return true;
}
