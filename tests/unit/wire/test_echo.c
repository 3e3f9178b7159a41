/* [MS-SMB2] 2.2.28, 2.2.29: ECHO (StructureSize 4, Reserved). */
#include "reserved_body_check.h"
#include "wire/echo.h"

RESERVED_BODY_ADAPTERS(echo_req)
RESERVED_BODY_ADAPTERS(echo_rsp)

static void request(void **state)
{
    (void)state;
    check_reserved_body(echo_req_dec, echo_req_enc);
}

static void response(void **state)
{
    (void)state;
    check_reserved_body(echo_rsp_dec, echo_rsp_enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request),
        cmocka_unit_test(response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
