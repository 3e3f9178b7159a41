/* Helpers shared by the lib/auth unit tests: real tokens taken from the
 * known-answer vector files (tests/vectors), so the decoders are exercised on
 * bytes Windows sent. Header-only: each test program includes it once. */
#ifndef SIGNET_TESTS_AUTH_UTIL_H
#define SIGNET_TESTS_AUTH_UTIL_H

#include "base/cursor.h"

#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef VECTOR_DIR
#error "VECTOR_DIR must name tests/vectors"
#endif

struct tbytes {
    uint8_t *p;
    size_t len;
};

/* Parsed vector files, loaded once per program. */
static struct {
    const char *name;
    json_object *root;
} tu_roots[4];
static size_t tu_n_roots;

static inline json_object *tu_load(const char *name)
{
    for (size_t i = 0; i < tu_n_roots; i++)
        if (strcmp(tu_roots[i].name, name) == 0)
            return tu_roots[i].root;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", VECTOR_DIR, name);
    json_object *root = json_object_from_file(path);
    if (!root || tu_n_roots == sizeof tu_roots / sizeof tu_roots[0]) {
        fprintf(stderr, "cannot parse %s\n", path);
        exit(2);
    }
    tu_roots[tu_n_roots].name = name;
    tu_roots[tu_n_roots++].root = root;
    return root;
}

static inline void tu_free_all(void)
{
    for (size_t i = 0; i < tu_n_roots; i++)
        json_object_put(tu_roots[i].root);
    tu_n_roots = 0;
}

static inline json_object *tu_get(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        fail_msg("no member %s", key);
    return v;
}

static inline int tu_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode hex into a test-owned buffer (caller frees with free()). */
static inline struct tbytes tu_hex(const char *hex)
{
    size_t n = strlen(hex) / 2;
    struct tbytes b = {malloc(n + 1), n};
    assert_non_null(b.p);
    for (size_t i = 0; i < n; i++) {
        int hi = tu_hexval(hex[2 * i]), lo = tu_hexval(hex[2 * i + 1]);
        assert_true(hi >= 0 && lo >= 0);
        b.p[i] = (uint8_t)(hi << 4 | lo);
    }
    return b;
}

/* A member of the ntlm.json vector with the given id. */
static inline struct tbytes tu_ntlm_field(const char *id, const char *group, const char *key)
{
    json_object *root = tu_load("ntlm.json");
    json_object *vs = tu_get(root, "vectors");
    for (size_t i = 0; i < json_object_array_length(vs); i++) {
        json_object *v = json_object_array_get_idx(vs, i);
        if (strcmp(json_object_get_string(tu_get(v, "id")), id) == 0)
            return tu_hex(json_object_get_string(tu_get(tu_get(v, group), key)));
    }
    fail_msg("no vector %s", id);
    return (struct tbytes){NULL, 0};
}

/* The security buffer of an SMB2 NEGOTIATE response or SESSION_SETUP
 * request/response message ([MS-SMB2] 2.2.4, 2.2.5, 2.2.6), copied out. */
static inline struct tbytes tu_security_buffer(struct tbytes msg)
{
    struct rd r;
    rd_init(&r, msg.p, msg.len);
    rd_seek(&r, 64);
    uint16_t size = rd_u16(&r);
    size_t at = size == 65 ? 64 + 56 : size == 25 ? 64 + 12 : 64 + 4;
    assert_true(size == 65 || size == 25 || size == 9);
    rd_seek(&r, at);
    uint16_t off = rd_u16(&r), len = rd_u16(&r);
    struct rd sub = rd_sub(&r, off, len);
    const uint8_t *p = rd_bytes(&sub, len);
    assert_non_null(p);
    struct tbytes b = {malloc(len + 1u), len};
    assert_non_null(b.p);
    memcpy(b.p, p, len);
    return b;
}

/* Security buffers of one preauth chain: [0] NEGOTIATE response, [1]
 * SESSION_SETUP request #1, [2] response #1, [3] request #2, [4] the final
 * response. Returns the count (5). */
static inline size_t tu_chain_tokens(size_t chain, struct tbytes out[5])
{
    json_object *root = tu_load("smb311_preauth_integrity.json");
    json_object *c = json_object_array_get_idx(tu_get(root, "chains"), chain);
    assert_non_null(c);
    json_object *steps = tu_get(c, "steps");
    for (size_t i = 1; i < 5; i++) {
        json_object *s = json_object_array_get_idx(steps, i);
        struct tbytes m = tu_hex(json_object_get_string(tu_get(s, "message_hex")));
        out[i - 1] = tu_security_buffer(m);
        free(m.p);
    }
    struct tbytes fin =
        tu_hex(json_object_get_string(tu_get(c, "final_session_setup_response_hex")));
    out[4] = tu_security_buffer(fin);
    free(fin.p);
    return 5;
}

static inline void tu_free_tokens(struct tbytes *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i].p);
}

#endif
