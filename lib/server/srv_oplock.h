/* Oplocks and leases: what a client may cache of a file, and the breaks
 * that take it back ([MS-SMB2] 3.3.5.9.8-11, 3.3.4.6, 3.3.4.7, 3.3.5.22;
 * [MS-FSA] 2.1.4.12). Both are held as caching states: R (read), W
 * (write), H (handle); a batch oplock is RWH, an exclusive one RW, a level
 * II one R. An oplock belongs to one open; a lease to a client (ClientGuid)
 * and a key, shared by that client's opens of the file under the key.
 *
 * A CREATE that conflicts with another client's caching breaks it (a
 * notification) and, when the break takes away W or H, waits, pending,
 * until the holder acknowledges, closes, or the 35 s break timeout passes;
 * then it tries again. Writes, truncation and locks break other holders'
 * read caching to none without waiting. All of it belongs to the loop. */
#ifndef SIGNET_SERVER_SRV_OPLOCK_H
#define SIGNET_SERVER_SRV_OPLOCK_H

#include "wire/create_ctx.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stdint.h>

struct srv;
struct srv_conn;
struct srv_file;
struct srv_open;
struct srv_req;
struct smb2_create_req;

#define SRV_BREAK_TIMEOUT_MS 35000 /* Windows' and Samba's oplock break wait */

/* [MS-SMB2] 3.3.1.12 Lease. */
struct srv_lease {
    struct srv_lease *next;          /* the file's leases */
    struct srv_lease *snext, *sprev; /* the server's */
    struct srv_file *file;           /* a reference */
    uint8_t client_guid[16], key[16], parent_key[16];
    bool has_parent;
    uint8_t version; /* 1 or 2 */
    uint32_t state;  /* SMB2_LEASE_READ | _HANDLE | _WRITE */
    uint16_t epoch;  /* v2 */
    bool breaking;
    uint32_t breaking_to;          /* what the notification asked for */
    uint32_t breaking_to_required; /* what the opens since then need */
    uint64_t break_deadline_ms;
    unsigned refs;         /* its opens */
    struct srv_conn *conn; /* where its breaks go (its latest connected open's), or NULL */
    struct srv *srv;
};

/* What a CREATE asks to cache. */
struct srv_cache_req {
    uint8_t oplock_level; /* RequestedOplockLevel */
    bool lease;           /* a lease context came (and leases are on) */
    bool overwrite;       /* SUPERSEDE, OVERWRITE or OVERWRITE_IF */
    bool delete_on_close; /* FILE_DELETE_ON_CLOSE */
    struct smb2_ctx_lease ctx;
};

/* What a CREATE was granted, for its response. */
struct srv_cache_grant {
    uint8_t oplock_level;
    bool lease; /* answer with a lease context */
    struct smb2_ctx_lease ctx;
};

/* The CREATE's request as the share and connection allow it. */
void srv_cache_req_init(struct srv_req *r, const struct smb2_create_req *q,
                        struct srv_cache_req *c);
/* Before an open of f joins it (on the loop, after the file was opened):
 * break what conflicts with it ([MS-FSA] 2.1.4.12, Samba's reading).
 * STATUS_SUCCESS: go on (grant); STATUS_SHARING_VIOLATION; STATUS_RETRY: a
 * break it must wait for is under way (wait on f->break_waiters, then call
 * again with first_attempt false); STATUS_INVALID_PARAMETER: the client
 * uses this lease key for another file (3.3.5.9.8). */
ntstatus_t srv_cache_before_open(struct srv_req *r, struct srv_file *f,
                                 const struct srv_cache_req *c, uint32_t access,
                                 uint32_t share_access, bool first_attempt);
/* The caching the new open o gets (3.3.5.9.8, [MS-FSA] 2.1.5.17). */
ntstatus_t srv_cache_grant(struct srv_req *r, struct srv_open *o, const struct srv_cache_req *c,
                           struct srv_cache_grant *g);
/* o leaves its file: its oplock or its share of the lease goes; CREATEs
 * waiting for its break go on. */
void srv_cache_open_gone(struct srv_open *o);
/* What o caches now (SMB2_LEASE_* bits), and whether a break of it is
 * under way. */
uint32_t srv_cache_held(const struct srv_open *o, bool *breaking);
/* o's caching as a CREATE response gives it (a durable reconnect). */
void srv_cache_describe(const struct srv_open *o, struct srv_cache_grant *g);
/* o (durable) left its connection `was` / joined r's: its lease's breaks go
 * elsewhere / there. */
void srv_cache_detached(struct srv_open *o, const struct srv_conn *was);
void srv_cache_reattached(struct srv_open *o);
/* o is about to write, truncate or lock: other holders' read caching is
 * broken to none ([MS-FSA] 2.1.4.12: the operation does not wait). */
void srv_cache_contend(struct srv_open *o);
/* r waits, pending, for the breaks under way on f: done(r, STATUS_SUCCESS)
 * runs once one is answered (then r looks again), done(r, a failure) on a
 * cancel. Returns STATUS_SIGNET_ASYNC or srv_req_pend's failure. */
ntstatus_t srv_cache_wait(struct srv_req *r, struct srv_file *f,
                          ntstatus_t (*done)(struct srv_req *r, ntstatus_t st));
/* A break was answered (or timed out, or its holder closed): wake the
 * requests waiting on f. */
void srv_cache_wake(struct srv_file *f);
/* Before o renames its file: other leases give up handle caching (the
 * name they cache goes; Windows and Samba). STATUS_RETRY: wait
 * (srv_cache_wait), then look again. */
ntstatus_t srv_cache_before_rename(struct srv_open *o);
/* o marks its file delete-pending: other leases' handle caching is broken
 * (the answer is not waited for). */
void srv_cache_before_delete(struct srv_open *o);

/* For OPLOCK_BREAK (srv_oplock_ack.c): o's oplock break was answered (or
 * is over); l's holder answered a break with `state`, and more may be
 * needed (a further break is sent). */
void srv_cache_breaking_done(struct srv *s, struct srv_open *o);
void srv_cache_lease_acked(struct srv *s, struct srv_lease *l, uint32_t state);

void srv_oplock_init(struct srv *s);
void srv_oplock_close(struct srv *s);

#endif
