/* The user database: the NT hashes the server's NTLM checks against, managed
 * by `signet user add|passwd|del|list NAME --db FILE`.
 *
 * File format, one user per line, no plaintext ever:
 *     NAME:NTHASH
 * NAME is UTF-8 (see userdb_name_valid); NTHASH is the 32 hex digits of
 * MD4(UTF-16LE(password)) ([MS-NLMP] 3.3.1 NTOWFv1), written in upper case,
 * read in either. Blank lines and lines starting with '#' are skipped when
 * loading and are not kept by an update. Names are unique ignoring case.
 *
 * Security: the file must have mode 0600 (no group or other bits). A file
 * that allows more is refused by userdb_load with STATUS_ACCESS_DENIED and a
 * message naming the fix (chmod 600) - a readable NT hash is a password
 * equivalent. Updates hold an exclusive flock on the containing directory,
 * write a temporary file in the same directory with mode 0600, fsync it and
 * rename it over the database (then fsync the directory): readers see the
 * old file or the new one, never a mix, and no temporary file is left.
 *
 * Errors come with a message for the user in msg (may be NULL; always
 * NUL-terminated when msg_cap > 0); the library never prints. */
#ifndef SIGNET_AUTH_USERDB_H
#define SIGNET_AUTH_USERDB_H

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USERDB_NAME_MAX     64   /* characters (code points) */
#define USERDB_PASSWORD_MAX 1024 /* bytes of UTF-8 */

struct userdb; /* loaded entries; hashes zeroed when freed */

/* 1..64 code points of valid UTF-8, no ':', no control characters, no
 * white space at either end. */
bool userdb_name_valid(const char *name);

/* Load path. STATUS_ACCESS_DENIED (mode not 0600 or stricter),
 * STATUS_OBJECT_NAME_NOT_FOUND (no file), STATUS_INVALID_PARAMETER (a bad
 * line; msg names it), STATUS_NO_MEMORY. */
ntstatus_t userdb_load(const char *path, struct userdb **out, char *msg, size_t msg_cap);
void userdb_free(struct userdb *db);

/* The NT hash of name, compared case-insensitively as Windows compares user
 * names (UTF-16 upcase table). STATUS_NOT_FOUND when there is no such user. */
ntstatus_t userdb_lookup(const struct userdb *db, const char *name, uint8_t nt_hash[16]);
/* Listing: the names in file order. */
size_t userdb_count(const struct userdb *db);
const char *userdb_name(const struct userdb *db, size_t i);

/* The NT hash of a password: MD4(UTF-16LE(password)). */
ntstatus_t userdb_nt_hash(const char *password, uint8_t nt_hash[16]);

/* Add name or change its password (creating the file, mode 0600, when it is
 * missing). *created tells which (may be NULL). */
ntstatus_t userdb_set_password(const char *path, const char *name, const char *password,
                               bool *created, char *msg, size_t msg_cap);
/* Remove name; STATUS_NOT_FOUND when it is not there. */
ntstatus_t userdb_delete(const char *path, const char *name, char *msg, size_t msg_cap);

#endif
