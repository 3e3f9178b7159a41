/* signetd's view of the accounts: the demo user (in memory) and the user
 * database file of `user database` (lib/auth/userdb). The lookup is the
 * server's srv_user_lookup_fn: user name -> NT hash, case-insensitive. */
#ifndef SIGNETD_USERS_H
#define SIGNETD_USERS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct userdb;

#define SIGNETD_PASSWORD_LEN  20
#define SIGNETD_MAX_MEM_USERS 4

struct signetd_user {
    char name[81];
    uint8_t nt_hash[16];
};

struct signetd_users {
    struct signetd_user mem[SIGNETD_MAX_MEM_USERS];
    size_t n_mem;
    struct userdb *db; /* the loaded `user database`, when there is one */
};

void signetd_users_init(struct signetd_users *u);
void signetd_users_free(struct signetd_users *u);
/* An in-memory account (the demo user). */
bool signetd_users_add(struct signetd_users *u, const char *name, const char *password);
/* (Re)load `user database`; false when path is empty or it cannot be read
 * (the previous database, if any, stays). */
bool signetd_users_reload(struct signetd_users *u, const char *path);
bool signetd_users_lookup(void *ctx, const char *user, uint8_t nt_hash[16]);
/* A random password from an unambiguous alphabet. */
bool signetd_generate_password(char *out, size_t cap);

#endif
