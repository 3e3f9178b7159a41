/* ntstatus_t names, classification and the errno map. */
#include "base/mem.h"
#include "base/status.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void names_and_values(void **state)
{
    (void)state;
    assert_string_equal(nt_name(STATUS_INVALID_SIGNATURE), "STATUS_INVALID_SIGNATURE");
    assert_int_equal(STATUS_INVALID_SIGNATURE.code, 0xC000A000);
    assert_int_equal(STATUS_SMB_GUEST_LOGON_BLOCKED.code, 0xC05D0002);
    assert_int_equal(STATUS_SMB_NO_SIGNING_ALGORITHM_OVERLAP.code, 0xC05D0003);
    assert_int_equal(STATUS_ACCESS_DENIED.code, 0xC0000022);
    assert_string_equal(nt_name(STATUS_SUCCESS), "STATUS_SUCCESS");
    assert_string_equal(nt_name(NT_STATUS(0xC0001234)), "0xC0001234");
}

static void classification(void **state)
{
    (void)state;
    assert_true(nt_ok(STATUS_SUCCESS));
    assert_false(nt_ok(STATUS_PENDING));
    assert_false(nt_is_error(STATUS_PENDING));
    assert_false(nt_is_error(STATUS_BUFFER_OVERFLOW)); /* a warning */
    assert_true(nt_is_error(STATUS_ACCESS_DENIED));
    assert_true(nt_eq(NT_STATUS(0xC0000022), STATUS_ACCESS_DENIED));
}

static void errno_map(void **state)
{
    (void)state;
    assert_true(nt_eq(nt_from_errno(0), STATUS_SUCCESS));
    assert_true(nt_eq(nt_from_errno(ENOENT), STATUS_OBJECT_NAME_NOT_FOUND));
    assert_true(nt_eq(nt_from_errno(EEXIST), STATUS_OBJECT_NAME_COLLISION));
    assert_true(nt_eq(nt_from_errno(EACCES), STATUS_ACCESS_DENIED));
    assert_true(nt_eq(nt_from_errno(ENOTEMPTY), STATUS_DIRECTORY_NOT_EMPTY));
    assert_true(nt_eq(nt_from_errno(ENOSPC), STATUS_DISK_FULL));
    assert_true(nt_eq(nt_from_errno(EROFS), STATUS_MEDIA_WRITE_PROTECTED));
    assert_true(nt_eq(nt_from_errno(ELOOP), STATUS_OBJECT_PATH_NOT_FOUND));
    assert_true(nt_eq(nt_from_errno(12345), STATUS_UNSUCCESSFUL));
}

static void constant_time_compare(void **state)
{
    (void)state;
    uint8_t a[16] = {1, 2, 3}, b[16] = {1, 2, 3};
    assert_true(ct_equal(a, b, sizeof a));
    b[15] ^= 0x80;
    assert_false(ct_equal(a, b, sizeof a));
    secure_zero(a, sizeof a);
    for (size_t i = 0; i < sizeof a; i++)
        assert_int_equal(a[i], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_and_values),
        cmocka_unit_test(classification),
        cmocka_unit_test(errno_map),
        cmocka_unit_test(constant_time_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
