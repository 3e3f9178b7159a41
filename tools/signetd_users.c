/* signetd's accounts: the in-memory demo user and `user database`. */
#include "signetd_users.h"

#include "auth/ntlm_crypto.h"
#include "auth/userdb.h"
#include "base/log.h"
#include "base/mem.h"
#include "crypto/crypto.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void signetd_users_init(struct signetd_users *u)
{
    memset(u, 0, sizeof *u);
}

void signetd_users_free(struct signetd_users *u)
{
    secure_zero(u->mem, sizeof u->mem);
    u->n_mem = 0;
    userdb_free(u->db);
    u->db = NULL;
}

bool signetd_users_add(struct signetd_users *u, const char *name, const char *password)
{
    if (u->n_mem >= SIGNETD_MAX_MEM_USERS || strlen(name) >= sizeof u->mem[0].name)
        return false;
    struct signetd_user *e = &u->mem[u->n_mem];
    if (!nt_ok(ntlm_nt_hash(password, e->nt_hash)))
        return false;
    snprintf(e->name, sizeof e->name, "%s", name);
    u->n_mem++;
    return true;
}

bool signetd_users_reload(struct signetd_users *u, const char *path)
{
    if (!path || !path[0])
        return false;
    struct userdb *db = NULL;
    char msg[512] = "";
    ntstatus_t st = userdb_load(path, &db, msg, sizeof msg);
    if (!nt_ok(st)) {
        sg_log(SG_LOG_ERROR, "user database %s: %s (%s)%s", path, msg[0] ? msg : "cannot load",
               nt_name(st), u->db ? "; keeping the previous one" : "");
        return false;
    }
    userdb_free(u->db);
    u->db = db;
    sg_log(SG_LOG_NOTICE, "user database %s: %zu user(s)", path, userdb_count(db));
    return true;
}

bool signetd_users_lookup(void *ctx, const char *user, uint8_t nt_hash[16])
{
    const struct signetd_users *u = ctx;
    for (size_t i = 0; i < u->n_mem; i++) {
        if (strcasecmp(u->mem[i].name, user) == 0) {
            memcpy(nt_hash, u->mem[i].nt_hash, 16);
            return true;
        }
    }
    return u->db && nt_ok(userdb_lookup(u->db, user, nt_hash));
}

bool signetd_generate_password(char *out, size_t cap)
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";
    const unsigned n = sizeof alphabet - 1, limit = 256 - 256 % n; /* no modulo bias */
    if (cap < SIGNETD_PASSWORD_LEN + 1)
        return false;
    size_t got = 0;
    while (got < SIGNETD_PASSWORD_LEN) {
        uint8_t rnd[32];
        if (!nt_ok(crypto_random(rnd, sizeof rnd)))
            return false;
        for (size_t i = 0; i < sizeof rnd && got < SIGNETD_PASSWORD_LEN; i++)
            if (rnd[i] < limit)
                out[got++] = alphabet[rnd[i] % n];
        secure_zero(rnd, sizeof rnd);
    }
    out[SIGNETD_PASSWORD_LEN] = '\0';
    return true;
}
