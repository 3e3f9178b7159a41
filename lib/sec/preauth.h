/* SMB 3.1.1 preauthentication integrity: the SHA-512 chain over NEGOTIATE and
 * SESSION_SETUP messages ([MS-SMB2] 3.2.5.2, 3.3.5.4, 3.2.5.3.1, 3.3.5.5).
 * The connection hash is H0 = 0^64 -> NEGOTIATE request -> response. Each
 * session starts from a copy of the CONNECTION hash and adds every
 * SESSION_SETUP request and every STATUS_MORE_PROCESSING_REQUIRED response;
 * the final STATUS_SUCCESS response is never hashed (its signature is made
 * with the key derived from the hash). */
#ifndef SIGNET_SEC_PREAUTH_H
#define SIGNET_SEC_PREAUTH_H

#include <signet/ntstatus.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* hash = 64 zero bytes. */
void sec_preauth_init(uint8_t hash[64]);
/* hash = SHA-512(hash || message). The message is every byte from the SMB2
 * header to the end of what was on the wire, without the 4-byte Direct TCP
 * length. On failure hash is left unchanged. */
ntstatus_t sec_preauth_update(uint8_t hash[64], const struct iovec *msg, size_t n);

#endif
