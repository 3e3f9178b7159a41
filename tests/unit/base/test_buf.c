/* Growable buffers and iovec helpers. */
#include "base/buf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void append_grows_and_reset_keeps_memory(void **state)
{
    (void)state;
    struct buf b = BUF_INIT;
    uint8_t chunk[1000];
    memset(chunk, 0x5A, sizeof chunk);
    for (int i = 0; i < 10; i++)
        assert_true(nt_ok(buf_append(&b, chunk, sizeof chunk)));
    assert_int_equal(b.len, 10000);
    assert_true(b.cap >= 10000);
    assert_int_equal(b.p[9999], 0x5A);
    uint8_t *mem = b.p;
    buf_reset(&b);
    assert_true(nt_ok(buf_append(&b, "x", 1)));
    assert_ptr_equal(b.p, mem); /* no reallocation once warm */
    assert_true(nt_eq(buf_reserve(&b, SIZE_MAX), STATUS_NO_MEMORY));
    buf_free_secret(&b);
    assert_null(b.p);
    assert_int_equal(b.cap, 0);
}

static void iov_copy_out_spans_elements(void **state)
{
    (void)state;
    char a[] = "hello", c[] = "world";
    struct iovec iov[3] = {{a, 5}, {NULL, 0}, {c, 5}};
    assert_int_equal(iov_total(iov, 3), 10);
    char out[8] = {0};
    assert_true(iov_copy_out(iov, 3, 3, out, 5));
    assert_memory_equal(out, "lowor", 5);
    assert_false(iov_copy_out(iov, 3, 6, out, 5)); /* runs past the end */
    assert_true(iov_copy_out(iov, 3, 10, out, 0));
    assert_false(iov_copy_out(iov, 3, 11, out, 0));
    struct iovec huge[2] = {{a, SIZE_MAX}, {c, 5}};
    assert_true(iov_total(huge, 2) == SIZE_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(append_grows_and_reset_keeps_memory),
        cmocka_unit_test(iov_copy_out_spans_elements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
