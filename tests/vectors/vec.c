#include "vec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef VECTOR_DIR
#error "VECTOR_DIR must name tests/vectors"
#endif

static void *allocs[4096];
static size_t n_allocs;

static void *vec_keep(void *p)
{
    if (n_allocs < sizeof allocs / sizeof allocs[0])
        allocs[n_allocs++] = p;
    return p;
}

json_object *vec_load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", VECTOR_DIR, name);
    json_object *root = json_object_from_file(path);
    if (!root) {
        fprintf(stderr, "cannot parse %s: %s\n", path, json_util_get_last_err());
        exit(2);
    }
    return root;
}

json_object *vec_get(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(obj, key, &v))
        fail_msg("vector has no member \"%s\"", key);
    return v;
}

const char *vec_str(json_object *obj, const char *key)
{
    return json_object_get_string(vec_get(obj, key));
}

int64_t vec_int(json_object *obj, const char *key)
{
    return json_object_get_int64(vec_get(obj, key));
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

struct vec_bytes vec_hex_str(const char *hex)
{
    size_t n = strlen(hex);
    if (n % 2)
        fail_msg("odd-length hex string");
    struct vec_bytes b = {vec_keep(malloc(n / 2 + 1)), n / 2};
    assert_non_null(b.p);
    for (size_t i = 0; i < b.len; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            fail_msg("bad hex digit at %zu", 2 * i);
        b.p[i] = (uint8_t)(hi << 4 | lo);
    }
    return b;
}

struct vec_bytes vec_hex(json_object *obj, const char *key)
{
    return vec_hex_str(vec_str(obj, key));
}

static void vec_free_all(void)
{
    for (size_t i = 0; i < n_allocs; i++)
        free(allocs[i]);
    n_allocs = 0;
}

static void hexdump(const char *label, const uint8_t *p, size_t n)
{
    fprintf(stderr, "  %s: ", label);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "%02x", p[i]);
    fprintf(stderr, "\n");
}

void vec_assert_bytes(const char *what, const uint8_t *got, size_t got_len, struct vec_bytes want)
{
    if (got_len == want.len && memcmp(got, want.p, got_len) == 0)
        return;
    fprintf(stderr, "%s differs\n", what);
    hexdump("got ", got, got_len);
    hexdump("want", want.p, want.len);
    fail_msg("%s mismatch", what);
}

int vec_run(const char *group, json_object *array, void (*fn)(void **state))
{
    size_t n = json_object_array_length(array);
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    char **names = calloc(n, sizeof *names);
    if (!tests || !names)
        return 1;
    for (size_t i = 0; i < n; i++) {
        json_object *v = json_object_array_get_idx(array, i);
        json_object *id = NULL, *published = NULL;
        const char *name =
            json_object_object_get_ex(v, "id", &id) ? json_object_get_string(id) : "unnamed";
        bool computed = json_object_object_get_ex(v, "published", &published) &&
                        !json_object_get_boolean(published);
        size_t len = strlen(name) + 16;
        names[i] = malloc(len);
        snprintf(names[i], len, "%s%s", name, computed ? " [computed]" : "");
        tests[i].name = names[i];
        tests[i].test_func = fn;
        tests[i].initial_state = v;
    }
    int failed = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(tests);
    vec_free_all();
    return failed;
}
