/* `signet doctor` (lib/probe/doctor.c): client profiles judged against
 * canned probe results (mandatory, auto, guest-only, a server that does not
 * sign, SMB1 only, unreachable, no signing algorithm in common) and canned
 * logons; the enforcement finding; exit statuses; text and JSON (parsed back
 * with json-c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "probe/doctor.h"
#include "wire/smb2.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

enum { PRO, HOME, SERVER2025, MACOS };

static const char *text(struct buf *b)
{
    assert_true(nt_ok(buf_append(b, "", 1)));
    b->len--;
    return (const char *)b->p;
}

/* A Samba-like server: 2.0.2 .. max_dialect with one SecurityMode, all three
 * 3.1.1 signing algorithms taken, guest as given. */
static struct probe_result server(uint16_t mode, bool guest, uint16_t max_dialect)
{
    struct probe_result r;
    memset(&r, 0, sizeof r);
    snprintf(r.host, sizeof r.host, "127.0.0.1");
    r.reachable = true;
    for (int i = 0; i < PROBE_N_DIALECTS; i++) {
        struct probe_dialect *d = &r.dialects[i];
        d->tried = true;
        d->accepted = probe_dialects[i] <= max_dialect;
        d->status = d->accepted ? STATUS_SUCCESS : STATUS_NOT_SUPPORTED;
        d->security_mode = mode;
    }
    for (int v = 1; v < PROBE_N_SIGN_OFFER && max_dialect == SMB2_DIALECT_0311; v++)
        r.signing[v] = (struct probe_offer){
            .tried = true, .answered = true, .present = true, .picked = (uint16_t)(v - 1)};
    r.smb1.tried = true;
    r.guest = (struct probe_session){.tried = true,
                                     .granted = guest,
                                     .status = guest ? STATUS_SUCCESS : STATUS_LOGON_FAILURE,
                                     .session_flags = guest ? SMB2_SESSION_FLAG_IS_GUEST : 0,
                                     .dialect = max_dialect};
    return r;
}

#define REQUIRED (SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED)
#define ENABLED  SMB2_NEGOTIATE_SIGNING_ENABLED

static struct doctor_verdict judge(int profile, const struct probe_result *r,
                                   const struct doctor_login *login)
{
    struct doctor_verdict v;
    doctor_evaluate(doctor_profile_at((size_t)profile), r, login, &v);
    return v;
}

static void report_of(struct doctor_report *rep, const struct probe_result *r)
{
    memset(rep, 0, sizeof *rep);
    snprintf(rep->target, sizeof rep->target, "//127.0.0.1/share");
    rep->probe = r;
    doctor_evaluate_all(rep);
}

static void test_profiles(void **state)
{
    (void)state;
    assert_string_equal(doctor_profile_at(PRO)->name, "Windows 11 24H2 Pro/Enterprise/Education");
    assert_null(doctor_profile_at(DOCTOR_N_PROFILES));
    assert_ptr_equal(doctor_profile_find("macos"), doctor_profile_at(MACOS));
    struct sec_client_policy pro = doctor_profile_policy(doctor_profile_at(PRO));
    assert_true(sec_client_requires_signing(&pro));
    assert_false(pro.allow_insecure_guest);
    struct sec_client_policy home = doctor_profile_policy(doctor_profile_at(HOME));
    assert_false(sec_client_requires_signing(&home));
    assert_true(home.allow_insecure_guest);
    struct sec_client_policy srv = doctor_profile_policy(doctor_profile_at(SERVER2025));
    assert_true(sec_client_requires_signing(&srv));
}

static void test_mandatory_server(void **state)
{
    (void)state;
    struct probe_result r = server(REQUIRED, false, SMB2_DIALECT_0311);
    for (int p = 0; p < DOCTOR_N_PROFILES; p++) {
        struct doctor_verdict v = judge(p, &r, NULL);
        assert_true(v.works);
        assert_true(v.signed_session); /* the server requires it */
        assert_int_equal(v.sign_alg, SMB2_SIGNING_AES_GMAC);
    }
    struct doctor_report rep;
    report_of(&rep, &r);
    assert_int_equal(doctor_exit_status(&rep), 0);
}

static void test_auto_server(void **state)
{
    (void)state;
    struct probe_result r = server(ENABLED, false, SMB2_DIALECT_0311);
    struct doctor_verdict pro = judge(PRO, &r, NULL), home = judge(HOME, &r, NULL);
    assert_true(pro.works);
    assert_true(pro.signed_session); /* the client requires it */
    assert_true(home.works);
    assert_false(home.signed_session); /* neither side requires it */
    assert_true(judge(MACOS, &r, NULL).works);
    struct doctor_report rep;
    report_of(&rep, &r);
    assert_int_equal(doctor_exit_status(&rep), 0);
    struct buf b = BUF_INIT;
    assert_true(nt_ok(doctor_format_text(&rep, &b)));
    assert_non_null(strstr(text(&b), "Windows 11 24H2 Home: WORKS - but NOT signed"));
    buf_free(&b);
}

static void test_guest_only_server(void **state)
{
    (void)state;
    struct probe_result r = server(ENABLED, true, SMB2_DIALECT_0311);
    struct doctor_verdict pro = judge(PRO, &r, NULL);
    assert_false(pro.works);
    assert_int_equal(pro.cause, DOCTOR_GUEST_BLOCKED);
    assert_true(nt_eq(pro.status, STATUS_SMB_GUEST_LOGON_BLOCKED));
    assert_int_equal(judge(SERVER2025, &r, NULL).cause, DOCTOR_GUEST_BLOCKED);
    struct doctor_verdict home = judge(HOME, &r, NULL);
    assert_true(home.works);
    assert_true(home.guest);
    assert_false(home.signed_session);
    struct doctor_report rep;
    report_of(&rep, &r);
    assert_int_equal(doctor_exit_status(&rep), 1);
    struct buf b = BUF_INIT;
    assert_true(nt_ok(doctor_format_text(&rep, &b)));
    const char *t = text(&b);
    assert_non_null(strstr(t, "Windows 11 24H2 Pro/Enterprise/Education: FAILS - 'You can't "
                              "access this shared folder because your organization's security "
                              "policies block unauthenticated guest access."));
    assert_non_null(strstr(t, "(STATUS_SMB_GUEST_LOGON_BLOCKED 0xC05D0002)"));
    assert_non_null(strstr(t, "Samba: `map to guest = never`, `server signing = mandatory`"));
    assert_non_null(strstr(t, "ksmbd: `map to guest = never`"));
    assert_non_null(strstr(t, "last resort: Microsoft cautions"));
    assert_non_null(strstr(t, "Set-SmbClientConfiguration -EnableInsecureGuestLogons $true "
                              "-RequireSecuritySignature $false"));
    assert_non_null(strstr(t, "Enable insecure guest logons' = Enabled"));
    buf_free(&b);
}

/* SecurityMode without the ENABLED bit: a server that does not sign. */
static void test_server_that_does_not_sign(void **state)
{
    (void)state;
    struct probe_result r = server(0, false, SMB2_DIALECT_0311);
    struct doctor_verdict pro = judge(PRO, &r, NULL);
    assert_false(pro.works);
    assert_int_equal(pro.cause, DOCTOR_SERVER_NO_SIGN);
    assert_true(nt_eq(pro.status, STATUS_INVALID_SIGNATURE));
    /* 3.1.1: the final SESSION_SETUP must be signed whatever the policy */
    assert_int_equal(judge(HOME, &r, NULL).cause, DOCTOR_SERVER_NO_SIGN);
    /* on 3.0.2 only a client that requires signing fails */
    struct probe_result r302 = server(0, false, SMB2_DIALECT_0302);
    assert_int_equal(judge(PRO, &r302, NULL).cause, DOCTOR_SERVER_NO_SIGN);
    struct doctor_verdict home = judge(HOME, &r302, NULL);
    assert_true(home.works);
    assert_false(home.signed_session);
    struct doctor_report rep;
    report_of(&rep, &r302);
    struct buf b = BUF_INIT;
    assert_true(nt_ok(doctor_format_text(&rep, &b)));
    const char *t = text(&b);
    assert_non_null(strstr(t, "'The cryptographic signature is invalid.' "
                              "(STATUS_INVALID_SIGNATURE 0xC000A000)"));
    assert_non_null(strstr(t, "`Set-SmbClientConfiguration -RequireSecuritySignature $false`"));
    assert_non_null(strstr(t, "Digitally sign communications (always)' = Disabled"));
    buf_free(&b);
}

static void test_unreachable_and_smb1_only(void **state)
{
    (void)state;
    struct probe_result r;
    memset(&r, 0, sizeof r);
    r.error = STATUS_CONNECTION_REFUSED;
    struct doctor_verdict v = judge(PRO, &r, NULL);
    assert_int_equal(v.cause, DOCTOR_UNREACHABLE);
    struct doctor_report rep;
    report_of(&rep, &r);
    assert_int_equal(doctor_exit_status(&rep), 3);

    struct probe_result smb1 = server(ENABLED, false, 0);
    smb1.smb1.accepted = true;
    v = judge(MACOS, &smb1, NULL);
    assert_int_equal(v.cause, DOCTOR_NO_SMB2);
    assert_true(nt_eq(v.status, STATUS_NOT_SUPPORTED));
}

static void test_no_signing_algorithm_in_common(void **state)
{
    (void)state;
    struct probe_result r = server(REQUIRED, false, SMB2_DIALECT_0311);
    for (int i = 1; i < PROBE_N_SIGN_OFFER; i++)
        r.signing[i] = (struct probe_offer){
            .tried = true, .answered = false, .status = STATUS_INVALID_PARAMETER};
    assert_int_equal(judge(PRO, &r, NULL).cause, DOCTOR_NO_ALG_OVERLAP);
    /* one taken is enough, and the algorithm predicted is that one */
    r.signing[2] = (struct probe_offer){
        .tried = true, .answered = true, .present = true, .picked = SMB2_SIGNING_AES_CMAC};
    struct doctor_verdict v = judge(PRO, &r, NULL);
    assert_true(v.works);
    assert_int_equal(v.sign_alg, SMB2_SIGNING_AES_CMAC);
}

/* With -U: the real logon's facts win over the prediction. */
static void test_logon_facts(void **state)
{
    (void)state;
    struct probe_result r = server(ENABLED, false, SMB2_DIALECT_0311);
    struct doctor_login l = {.tried = true, .status = STATUS_LOGON_FAILURE, .have_facts = false};
    assert_int_equal(judge(HOME, &r, &l).cause, DOCTOR_LOGON_FAILED);

    /* the user's logon became a guest session (map to guest = bad password) */
    l = (struct doctor_login){.tried = true,
                              .status = STATUS_SMB_GUEST_LOGON_BLOCKED,
                              .have_facts = true,
                              .facts = {.dialect = SMB2_DIALECT_0311,
                                        .session_flags = SMB2_SESSION_FLAG_IS_GUEST,
                                        .authenticated_as_user = true}};
    assert_int_equal(judge(PRO, &r, &l).cause, DOCTOR_GUEST_BLOCKED);
    assert_true(judge(MACOS, &r, &l).guest);

    /* IS_NULL for a user logon: a downgrade, refused by every profile */
    l.facts.session_flags = SMB2_SESSION_FLAG_IS_NULL;
    assert_int_equal(judge(HOME, &r, &l).cause, DOCTOR_DOWNGRADE);

    /* a signed user session whose share does not exist */
    l = (struct doctor_login){.tried = true,
                              .status = STATUS_SUCCESS,
                              .have_facts = true,
                              .facts = {.dialect = SMB2_DIALECT_0311,
                                        .authenticated_as_user = true,
                                        .response_signed = true},
                              .tree_tried = true,
                              .tree_status = STATUS_BAD_NETWORK_NAME,
                              .signed_session = true,
                              .sign_alg = SMB2_SIGNING_HMAC_SHA256};
    assert_int_equal(judge(PRO, &r, &l).cause, DOCTOR_SHARE_FAILED);
    l.tree_status = STATUS_SUCCESS;
    struct doctor_verdict v = judge(PRO, &r, &l);
    assert_true(v.works);
    assert_int_equal(v.sign_alg, SMB2_SIGNING_HMAC_SHA256); /* the real one, id 0 */
}

static void test_enforcement_finding(void **state)
{
    (void)state;
    struct probe_result r = server(REQUIRED, false, SMB2_DIALECT_0311);
    struct doctor_report rep;
    report_of(&rep, &r);
    assert_null(doctor_enforcement_finding(&rep)); /* not checked */
    rep.control = (struct doctor_tamper){.tried = true, .status = STATUS_SUCCESS};
    rep.unsigned_req =
        (struct doctor_tamper){.tried = true, .rejected = true, .status = STATUS_ACCESS_DENIED};
    rep.bad_signature = (struct doctor_tamper){
        .tried = true, .rejected = true, .dropped = true, .status = STATUS_CONNECTION_RESET};
    assert_null(doctor_enforcement_finding(&rep));
    assert_int_equal(doctor_exit_status(&rep), 0);

    rep.unsigned_req = (struct doctor_tamper){.tried = true, .status = STATUS_SUCCESS};
    assert_string_equal(doctor_enforcement_finding(&rep),
                        "the server advertises signing required but does not enforce it");
    assert_int_equal(doctor_exit_status(&rep), 1);
    struct buf b = BUF_INIT;
    assert_true(nt_ok(doctor_format_text(&rep, &b)));
    const char *t = text(&b);
    assert_non_null(strstr(t, "unsigned ECHO: SERVED (STATUS_SUCCESS): NOT enforced"));
    assert_non_null(
        strstr(t, "ECHO with a corrupted signature: rejected (connection dropped): enforced"));
    assert_non_null(strstr(t, "FINDING: the server advertises signing required but does not "
                              "enforce it"));
    buf_free(&b);

    /* a server that does not advertise it: the session still required it */
    struct probe_result a = server(ENABLED, false, SMB2_DIALECT_0311);
    rep.probe = &a;
    assert_non_null(strstr(doctor_enforcement_finding(&rep), "does not enforce the signing"));

    /* the control was refused too: inconclusive, no finding */
    rep.control.rejected = true;
    assert_null(doctor_enforcement_finding(&rep));
}

static void test_json(void **state)
{
    (void)state;
    struct probe_result r = server(ENABLED, true, SMB2_DIALECT_0311);
    struct doctor_report rep;
    report_of(&rep, &r);
    rep.unsigned_req =
        (struct doctor_tamper){.tried = true, .rejected = true, .status = STATUS_ACCESS_DENIED};
    struct buf b = BUF_INIT;
    assert_true(nt_ok(doctor_format_json(&rep, &b)));
    json_object *j = json_tokener_parse(text(&b));
    assert_non_null(j);
    json_object *profiles, *p0, *v, *u;
    assert_true(json_object_object_get_ex(j, "profiles", &profiles));
    assert_int_equal(json_object_array_length(profiles), DOCTOR_N_PROFILES);
    p0 = json_object_array_get_idx(profiles, 0);
    assert_true(json_object_object_get_ex(p0, "profile", &v));
    assert_string_equal(json_object_get_string(v), "windows11-pro");
    assert_true(json_object_object_get_ex(p0, "works", &v));
    assert_false(json_object_get_boolean(v));
    assert_true(json_object_object_get_ex(p0, "status", &v));
    assert_string_equal(json_object_get_string(v), "STATUS_SMB_GUEST_LOGON_BLOCKED");
    assert_true(json_object_object_get_ex(j, "unsigned_request", &u));
    assert_true(json_object_object_get_ex(u, "rejected", &v));
    assert_true(json_object_get_boolean(v));
    assert_true(json_object_object_get_ex(j, "bad_signature", &v));
    assert_null(v);
    assert_true(json_object_object_get_ex(j, "exit", &v));
    assert_int_equal(json_object_get_int(v), 1);
    json_object_put(j);
    buf_free(&b);
}

/* What a client with RequireEncryption = True sees. */
static void test_require_encryption(void **state)
{
    (void)state;
    struct doctor_report rep;
    /* SMB 3.1.1 without any cipher taken (all four asked): fails, no cipher */
    struct probe_result r = server(REQUIRED, false, SMB2_DIALECT_0311);
    for (int v = 0; v < PROBE_N_CIPHERS; v++)
        r.ciphers[v] = (struct probe_offer){.tried = true, .answered = true};
    report_of(&rep, &r);
    assert_false(rep.encryption.works);
    assert_int_equal(rep.encryption.cause, DOCTOR_ENC_NO_CIPHER);
    assert_true(nt_eq(rep.encryption.status, STATUS_ACCESS_DENIED));
    assert_int_equal(doctor_exit_status(&rep), 0); /* informational */
    struct buf b = BUF_INIT;
    assert_true(nt_ok(doctor_format_text(&rep, &b)));
    assert_non_null(strstr(text(&b), "-RequireEncryption $true; signet --encrypt=required): "
                                     "FAILS - 'Access is denied.' (STATUS_ACCESS_DENIED"));
    assert_non_null(strstr(text(&b), "Set-SmbClientConfiguration -RequireEncryption $false"));
    assert_non_null(strstr(text(&b), "`server smb encrypt = desired`"));
    /* one cipher taken: works, and the text names it */
    r.ciphers[1].present = true;
    r.ciphers[1].picked = SMB2_CIPHER_AES128_GCM;
    report_of(&rep, &r);
    assert_true(rep.encryption.works);
    buf_reset(&b);
    assert_true(nt_ok(doctor_format_text(&rep, &b)));
    assert_non_null(strstr(text(&b), "WORKS - the server encrypts (SMB 3.1.1: AES-128-GCM;"));
    /* SMB 2.1 at most: no SMB 3 */
    struct probe_result r21 = server(REQUIRED, false, SMB2_DIALECT_0210);
    report_of(&rep, &r21);
    assert_int_equal(rep.encryption.cause, DOCTOR_ENC_NO_SMB3);
    /* a guest-only server: a guest session cannot encrypt */
    r.guest.granted = true;
    r.guest.session_flags = SMB2_SESSION_FLAG_IS_GUEST;
    report_of(&rep, &r);
    assert_int_equal(rep.encryption.cause, DOCTOR_ENC_GUEST);
    /* the real logon decides when it was tried */
    memset(&rep, 0, sizeof rep);
    rep.probe = &r;
    rep.enc_login = (struct doctor_enc_login){.tried = true,
                                              .status = STATUS_SUCCESS,
                                              .dialect = SMB2_DIALECT_0311,
                                              .cipher = SMB2_CIPHER_AES256_GCM};
    doctor_evaluate_all(&rep);
    assert_true(rep.encryption.works);
    buf_reset(&b);
    assert_true(nt_ok(doctor_format_json(&rep, &b)));
    json_object *j = json_tokener_parse(text(&b)), *e, *v;
    assert_non_null(j);
    assert_true(json_object_object_get_ex(j, "require_encryption", &e));
    assert_true(json_object_object_get_ex(e, "cipher", &v));
    assert_string_equal(json_object_get_string(v), "AES-256-GCM");
    json_object_put(j);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profiles),
        cmocka_unit_test(test_mandatory_server),
        cmocka_unit_test(test_auto_server),
        cmocka_unit_test(test_guest_only_server),
        cmocka_unit_test(test_server_that_does_not_sign),
        cmocka_unit_test(test_unreachable_and_smb1_only),
        cmocka_unit_test(test_no_signing_algorithm_in_common),
        cmocka_unit_test(test_logon_facts),
        cmocka_unit_test(test_enforcement_finding),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_require_encryption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
