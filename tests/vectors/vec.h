/* Known-answer test harness: loads a vector file of this directory (copied
 * from the published sources listed in SOURCES.md) and runs one cmocka test
 * per vector, named by the vector's id. Vectors whose values were computed
 * here rather than published carry "[computed]" in the test name. */
#ifndef SIGNET_TESTS_VEC_H
#define SIGNET_TESTS_VEC_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

struct vec_bytes {
    uint8_t *p;
    size_t len;
};

/* Parse tests/vectors/<name>; aborts the test program if it cannot. */
json_object *vec_load(const char *name);
/* The named member; fails the current test if absent. */
json_object *vec_get(json_object *obj, const char *key);
const char *vec_str(json_object *obj, const char *key);
int64_t vec_int(json_object *obj, const char *key);
/* Decode a lowercase/uppercase hex member; fails the test on bad hex.
 * The bytes live until vec_free_all() (called by vec_run). */
struct vec_bytes vec_hex(json_object *obj, const char *key);
/* Decode a hex string (not a member). */
struct vec_bytes vec_hex_str(const char *hex);

/* Run fn once per element of array (each element is the test's *state).
 * Returns the number of failed tests, like cmocka_run_group_tests. */
int vec_run(const char *group, json_object *array, void (*fn)(void **state));
/* Compare with a message naming the vector on mismatch. */
void vec_assert_bytes(const char *what, const uint8_t *got, size_t got_len, struct vec_bytes want);

#endif
