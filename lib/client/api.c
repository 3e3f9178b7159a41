/* The public client API (include/signet/client.h): configuration, the
 * connection's life cycle and what the user is told about it. */
#include "client/core.h"
#include "wire/smb2_names.h"

#include "base/log.h"
#include "config/config.h"
#include "wire/echo.h"
#include "wire/logoff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define RECV_TIMEOUT_SECONDS 120

static void from_cfg_client(const struct cfg_client *in, struct signet_client_config *c)
{
    c->signing = (enum signet_signing)in->policy.signing;
    c->allow_insecure_guest = in->policy.allow_insecure_guest;
    c->n_sign_algs = in->policy.algs.count;
    for (size_t i = 0; i < in->policy.algs.count && i < SIGNET_MAX_SIGN_ALGS; i++)
        c->sign_algs[i] = in->policy.algs.ids[i];
    c->min_dialect = in->min_protocol;
    c->max_dialect = in->max_protocol;
    c->signing_audit = in->signing_audit;
    c->encrypt = (enum signet_encrypt)in->encrypt; /* same order as enum cfg_encrypt */
    c->n_ciphers = in->ciphers.count;
    for (size_t i = 0; i < in->ciphers.count && i < SIGNET_MAX_CIPHERS; i++)
        c->ciphers[i] = in->ciphers.ids[i];
}

void signet_client_config_default(struct signet_client_config *c)
{
    struct cfg cfg;
    cfg_defaults(&cfg);
    memset(c, 0, sizeof *c);
    from_cfg_client(&cfg.client, c);
}

ntstatus_t signet_client_config_load(const char *path, struct signet_client_config *c, char *err,
                                     size_t err_len)
{
    struct cfg *cfg = malloc(sizeof *cfg);
    if (!cfg)
        return STATUS_NO_MEMORY;
    cfg_defaults(cfg); /* the file is read on top of the defaults */
    ntstatus_t st = cfg_load_file(path, cfg, err, err_len);
    if (nt_ok(st))
        from_cfg_client(&cfg->client, c);
    free(cfg);
    return st;
}

ntstatus_t signet_client_config_set(struct signet_client_config *c, const char *key,
                                    const char *value, char *err, size_t err_len)
{
    enum sec_client_signing s;
    struct sec_signing_algs algs;
    struct cfg_ciphers ciphers;
    enum cfg_encrypt enc;
    uint16_t d;
    bool b;
    if (strcmp(key, "client signing") == 0 && cfg_parse_client_signing(value, &s)) {
        c->signing = (enum signet_signing)s;
    } else if (strcmp(key, "client smb3 signing algorithms") == 0 &&
               cfg_parse_signing_algs(value, &algs)) {
        c->n_sign_algs = algs.count;
        memcpy(c->sign_algs, algs.ids, algs.count * sizeof algs.ids[0]);
    } else if (strcmp(key, "client min protocol") == 0 && cfg_parse_protocol(value, &d)) {
        c->min_dialect = d;
    } else if (strcmp(key, "client max protocol") == 0 && cfg_parse_protocol(value, &d)) {
        c->max_dialect = d;
    } else if (strcmp(key, "client insecure guest logons") == 0 && cfg_parse_bool(value, &b)) {
        c->allow_insecure_guest = b;
    } else if (strcmp(key, "client signing audit") == 0 && cfg_parse_bool(value, &b)) {
        c->signing_audit = b;
    } else if (strcmp(key, "client smb encrypt") == 0 && cfg_parse_encrypt(value, &enc)) {
        c->encrypt = (enum signet_encrypt)enc;
    } else if (strcmp(key, "client smb3 encryption algorithms") == 0 &&
               cfg_parse_ciphers(value, &ciphers)) {
        c->n_ciphers = ciphers.count;
        memcpy(c->ciphers, ciphers.ids, ciphers.count * sizeof ciphers.ids[0]);
    } else {
        snprintf(err, err_len,
                 "invalid value '%s' for '%s' (signing: required, desired, disabled; "
                 "algorithms: a list of AES-128-GMAC, AES-128-CMAC, HMAC-SHA256; protocols: "
                 "SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11; encrypt: off, if_required, "
                 "desired, required; ciphers: a list of AES-128-GCM, AES-128-CCM, AES-256-GCM, "
                 "AES-256-CCM)",
                 value, key);
        return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

static signet_log_fn user_log;

static void log_bridge(void *ctx, enum sg_log_level level, const char *msg)
{
    if (user_log)
        user_log(ctx, (int)level, msg);
}

void signet_client_set_log(signet_log_fn fn, void *ctx, int max_level)
{
    user_log = fn;
    if (max_level < SG_LOG_ERROR)
        max_level = SG_LOG_ERROR;
    if (max_level > SG_LOG_DEBUG)
        max_level = SG_LOG_DEBUG;
    sg_log_set(fn ? log_bridge : NULL, ctx, (enum sg_log_level)max_level);
}

const char *signet_dialect_name(uint16_t dialect)
{
    return smb2_dialect_name(dialect);
}

const char *signet_sign_alg_name(uint16_t alg)
{
    return cfg_signing_alg_name(alg);
}

const char *signet_cipher_name(uint16_t cipher)
{
    return cfg_cipher_name(cipher);
}

static void policy_from_config(const struct signet_client_config *cfg, struct sec_client_policy *p)
{
    p->signing = (enum sec_client_signing)cfg->signing;
    p->allow_insecure_guest = cfg->allow_insecure_guest;
    p->algs.count =
        cfg->n_sign_algs > SEC_MAX_SIGNING_ALGS ? SEC_MAX_SIGNING_ALGS : cfg->n_sign_algs;
    memcpy(p->algs.ids, cfg->sign_algs, p->algs.count * sizeof p->algs.ids[0]);
}

ntstatus_t signet_connect(const char *host, uint16_t port, const struct signet_client_config *cfg,
                          struct signet_conn **out)
{
    *out = NULL;
    struct signet_conn *c = calloc(1, sizeof *c);
    if (!c)
        return STATUS_NO_MEMORY;
    c->fd = -1;
    c->credits = 1;
    c->cfg = *cfg;
    policy_from_config(cfg, &c->policy);
    snprintf(c->host, sizeof c->host, "%s", host);
    *out = c;
    if (c->policy.algs.count == 0)
        return cli_fail(c, STATUS_INVALID_PARAMETER, "no signing algorithm configured");
    ntstatus_t st = cli_tcp_connect(host, port, &c->fd, c->err, sizeof c->err);
    if (!nt_ok(st)) {
        c->dead = st;
        c->err_status = st; /* c->err was filled by cli_tcp_connect */
        return st;
    }
    struct timeval tv = {RECV_TIMEOUT_SECONDS, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return cli_negotiate(c);
}

ntstatus_t signet_login(struct signet_conn *c, const struct signet_creds *creds)
{
    if (!nt_ok(c->dead))
        return c->dead;
    if (!creds->user || !creds->user[0])
        return cli_fail(c, STATUS_NOT_SUPPORTED, "anonymous logon is not supported; give -U user");
    return cli_session_setup(c, creds);
}

static void logoff(struct signet_conn *c)
{
    struct wr w;
    struct smb2_logoff_req req = {0};
    struct cli_slot *sl;
    int slot;
    struct cli_send_opts o = {.with_session = true};
    if (!c->sess.established || !nt_ok(c->dead) || !nt_ok(cli_begin(c, &w, 8)))
        return;
    if (nt_ok(smb2_logoff_req_encode(&w, &req)) &&
        nt_ok(cli_call(c, SMB2_LOGOFF, &w, &o, &sl, &slot)))
        cli_release(c, slot);
}

void signet_disconnect(struct signet_conn *c)
{
    if (!c)
        return;
    while (c->trees)
        signet_tree_disconnect(c->trees);
    logoff(c);
    if (c->fd >= 0)
        close(c->fd);
    for (size_t i = 0; i < CLI_MAX_INFLIGHT; i++)
        buf_free(&c->slots[i].frame);
    buf_free(&c->tx);
    buf_free(&c->rx);
    buf_free(&c->gss_hint);
    sec_sign_key_clear(&c->sess.key);
    cli_clear_cipher_keys(c);
    free(c);
}

const char *signet_conn_error(const struct signet_conn *c, ntstatus_t st)
{
    if (c && c->err[0] && nt_eq(c->err_status, st))
        return c->err;
    return cli_status_text(st);
}

void signet_conn_info(const struct signet_conn *c, struct signet_conn_info *out)
{
    memset(out, 0, sizeof *out);
    out->dialect = c->dialect;
    out->signing = c->sess.signing_required && sec_sign_key_is_set(&c->sess.key);
    out->sign_alg = (uint16_t)c->sess.key.alg;
    out->guest = c->sess.guest;
    out->cipher = c->cipher;
    out->encrypted = c->sess.encrypt;
    for (const struct signet_tree *t = c->trees; t && !out->encrypted; t = t->next)
        out->encrypted = t->encrypt;
    snprintf(out->user, sizeof out->user, "%s", c->sess.user);
    snprintf(out->domain, sizeof out->domain, "%s", c->sess.domain);
    out->max_read = c->max_read;
    out->max_write = c->max_write;
}

void signet_conn_describe(const struct signet_conn *c, char *out, size_t cap)
{
    struct signet_conn_info i;
    signet_conn_info(c, &i);
    char how[96];
    if (i.encrypted) /* an encrypted message is not also signed (3.1.4.1) */
        snprintf(how, sizeof how, "encrypted with %s", signet_cipher_name(i.cipher));
    else if (i.signing)
        snprintf(how, sizeof how, "signed with %s", signet_sign_alg_name(i.sign_alg));
    else if (sec_sign_key_is_set(&c->sess.key) && i.dialect >= SMB2_DIALECT_0300)
        /* 3.x signs TREE_CONNECT (3.1.1) or VALIDATE_NEGOTIATE_INFO (3.0.x)
         * even when the session does not require signing: smbstatus says
         * "partial(...)". */
        snprintf(how, sizeof how, "partially signed with %s (signing not required)",
                 signet_sign_alg_name(i.sign_alg));
    else
        snprintf(how, sizeof how, "NOT signed");
    const char *enc = i.encrypted ? "" : ", not encrypted";
    if (i.guest)
        snprintf(out, cap, "SMB %s, %s%s, guest session (insecure)", signet_dialect_name(i.dialect),
                 how, enc);
    else
        snprintf(out, cap, "SMB %s, %s%s, user %s\\%s", signet_dialect_name(i.dialect), how, enc,
                 i.domain, i.user);
}

ntstatus_t signet_echo(struct signet_conn *c)
{
    struct wr w;
    struct smb2_echo_req req = {0};
    struct cli_slot *sl;
    int slot;
    struct cli_send_opts o = {.with_session = c->sess.established};
    ntstatus_t st = cli_begin(c, &w, 8);
    if (nt_ok(st))
        st = smb2_echo_req_encode(&w, &req);
    if (nt_ok(st))
        st = cli_call(c, SMB2_ECHO, &w, &o, &sl, &slot);
    if (nt_ok(st))
        cli_release(c, slot);
    return st;
}
