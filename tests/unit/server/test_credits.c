/* The command sequence window ([MS-SMB2] 3.3.1.1, 3.3.5.2.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "server/srv_int.h"

static void test_initial_window_is_message_zero(void **state)
{
    (void)state;
    struct srv_credits c;
    srv_credits_init(&c);
    assert_false(srv_credits_consume(&c, 1, 1));
    assert_true(srv_credits_consume(&c, 0, 1));
    assert_false(srv_credits_consume(&c, 0, 1));   /* used */
    assert_false(srv_credits_consume(&c, 1, 1));   /* nothing granted yet */
    assert_int_equal(srv_credits_grant(&c, 0), 1); /* never starve */
    assert_true(srv_credits_consume(&c, 1, 1));
}

static void test_out_of_order_and_multi_credit(void **state)
{
    (void)state;
    struct srv_credits c;
    srv_credits_init(&c);
    assert_true(srv_credits_consume(&c, 0, 1));
    assert_int_equal(srv_credits_grant(&c, 10), 10); /* ids 1..10 */
    assert_true(srv_credits_consume(&c, 5, 4));      /* 5..8 */
    assert_false(srv_credits_consume(&c, 8, 1));     /* already used */
    assert_false(srv_credits_consume(&c, 9, 3));     /* 9..11: 11 not granted */
    assert_true(srv_credits_consume(&c, 1, 4));      /* 1..4: low moves to 9 */
    assert_int_equal(c.low, 9);
    assert_int_equal(c.range, 2);
    assert_true(srv_credits_consume(&c, 10, 1));
    assert_true(srv_credits_consume(&c, 9, 1));
    assert_int_equal(c.low, 11);
    assert_int_equal(c.range, 0);
}

static void test_window_bounded(void **state)
{
    (void)state;
    struct srv_credits c;
    srv_credits_init(&c);
    assert_true(srv_credits_consume(&c, 0, 1));
    assert_int_equal(srv_credits_grant(&c, 65535), SRV_MAX_CREDITS);
    assert_int_equal(srv_credits_grant(&c, 100), 0);
    assert_false(srv_credits_consume(&c, SRV_MAX_CREDITS + 1, 1));
    assert_true(srv_credits_consume(&c, SRV_MAX_CREDITS, 1));
    assert_false(srv_credits_consume(&c, UINT64_MAX, 1));
}

static void test_charge_for_payload(void **state)
{
    (void)state;
    assert_int_equal(srv_credit_charge_for(0), 1);
    assert_int_equal(srv_credit_charge_for(65536), 1);
    assert_int_equal(srv_credit_charge_for(65537), 2);
    assert_int_equal(srv_credit_charge_for(8u * 1024 * 1024), 128);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_window_is_message_zero),
        cmocka_unit_test(test_out_of_order_and_multi_credit),
        cmocka_unit_test(test_window_bounded),
        cmocka_unit_test(test_charge_for_payload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
