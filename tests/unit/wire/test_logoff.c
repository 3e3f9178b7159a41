/* [MS-SMB2] 2.2.7, 2.2.8: LOGOFF (StructureSize 4, Reserved). */
#include "reserved_body_check.h"
#include "wire/logoff.h"

RESERVED_BODY_ADAPTERS(logoff_req)
RESERVED_BODY_ADAPTERS(logoff_rsp)

static void request(void **state)
{
    (void)state;
    check_reserved_body(logoff_req_dec, logoff_req_enc);
}

static void response(void **state)
{
    (void)state;
    check_reserved_body(logoff_rsp_dec, logoff_rsp_enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request),
        cmocka_unit_test(response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
