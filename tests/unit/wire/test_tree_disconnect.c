/* [MS-SMB2] 2.2.11, 2.2.12: TREE_DISCONNECT (StructureSize 4, Reserved). */
#include "reserved_body_check.h"
#include "wire/tree_disconnect.h"

RESERVED_BODY_ADAPTERS(tree_disconnect_req)
RESERVED_BODY_ADAPTERS(tree_disconnect_rsp)

static void request(void **state)
{
    (void)state;
    check_reserved_body(tree_disconnect_req_dec, tree_disconnect_req_enc);
}

static void response(void **state)
{
    (void)state;
    check_reserved_body(tree_disconnect_rsp_dec, tree_disconnect_rsp_enc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request),
        cmocka_unit_test(response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
