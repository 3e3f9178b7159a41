/* [MS-SMB2] 2.2.30: CANCEL (StructureSize 4, Reserved). */
#include "reserved_body_check.h"
#include "wire/cancel.h"

RESERVED_BODY_ADAPTERS(cancel_req)

static void request(void **state)
{
    (void)state;
    check_reserved_body(cancel_req_dec, cancel_req_enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
