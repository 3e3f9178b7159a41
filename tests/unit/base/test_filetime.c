/* FILETIME conversions ([MS-DTYP] 2.3.3). */
#include "base/filetime.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void unix_epoch(void **state)
{
    (void)state;
    struct timespec ts = {0, 0};
    assert_true(filetime_from_timespec(ts) == 116444736000000000ull);
    struct timespec back = filetime_to_timespec(116444736000000000ull);
    assert_int_equal(back.tv_sec, 0);
    assert_int_equal(back.tv_nsec, 0);
}

static void known_date_round_trip(void **state)
{
    (void)state;
    /* 2017-05-26 00:00:00.1234567 UTC */
    struct timespec ts = {1495756800, 123456700};
    uint64_t ft = filetime_from_timespec(ts);
    assert_true(ft == 131402304001234567ull);
    struct timespec back = filetime_to_timespec(ft);
    assert_int_equal(back.tv_sec, ts.tv_sec);
    assert_int_equal(back.tv_nsec, ts.tv_nsec);
}

static void clamps(void **state)
{
    (void)state;
    struct timespec before_1601 = {-20000000000LL, 0};
    assert_true(filetime_from_timespec(before_1601) == 0);
    struct timespec far = {INT64_MAX / 2, 0};
    assert_true(filetime_from_timespec(far) == UINT64_MAX);
    assert_true(filetime_now() > 133000000000000000ull); /* after 2022 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unix_epoch),
        cmocka_unit_test(known_date_round_trip),
        cmocka_unit_test(clamps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
