/* Durable opens ([MS-SMB2] 3.3.5.9.6, 3.3.5.9.7, 3.3.5.9.10, 3.3.5.9.12,
 * 3.3.7.1, 3.3.2.2): an open that a client asked to be durable (a DHnQ or
 * DH2Q create context) and that caches its handle (a batch oplock, or a
 * lease with H) outlives its connection and its session. It is kept,
 * disconnected, for its durable timeout; the client reclaims it from a new
 * connection and session (a DHnC or DH2C create context) with its FileId,
 * locks, oplock or lease, share mode and position; an open that needs what
 * it caches closes it (it cannot be told of a break); then it is closed.
 * A TREE_DISCONNECT or CLOSE closes it for good; a LOGOFF, a session
 * replaced through PreviousSessionId or a lost connection keep it.
 *
 * Budgets: SRV_MAX_DISCONNECTED disconnected opens on the server and
 * SRV_MAX_DISCONNECTED_USER per user. An open that would go over either is
 * closed when its connection goes, rather than an older one given up: a
 * disconnected open was promised its timeout, and the client whose open
 * is refused is the one that holds the most. Nothing is kept across a
 * restart of signetd. All of it belongs to the loop thread. */
#ifndef SIGNET_SERVER_SRV_DURABLE_H
#define SIGNET_SERVER_SRV_DURABLE_H

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct srv;
struct srv_open;
struct srv_req;
struct srv_cache_grant;
struct srv_file;
struct smb2_create_req;

#define SRV_DURABLE_DEFAULT_MS    60000u  /* a DHnQ, or a DH2Q Timeout of 0 (Windows 2012's) */
#define SRV_DURABLE_MAX_MS        300000u /* a DH2Q Timeout is capped here, as Windows does */
#define SRV_MAX_DISCONNECTED      4096    /* disconnected opens on the server */
#define SRV_MAX_DISCONNECTED_USER 1024    /* ... of one user */
#define SRV_LOCK_SEQUENCES        64      /* Open.LockSequenceArray (3.3.5.14) */

/* What a CREATE's contexts ask of durability. */
struct srv_durable_req {
    uint8_t want;               /* 0, 1 (DHnQ) or 2 (DH2Q): make the new open durable */
    uint32_t timeout_ms;        /* the timeout it would get */
    uint8_t create_guid[16];    /* DH2Q's CreateGuid */
    uint8_t reconnect;          /* 0, 1 (DHnC) or 2 (DH2C): reclaim a disconnected open */
    uint64_t persistent;        /* ... its FileId.Persistent */
    uint8_t rc_create_guid[16]; /* DH2C's CreateGuid */
    bool app;                   /* an SMB2_CREATE_APP_INSTANCE_ID came (3.x) */
    uint8_t app_id[16];
};

/* The durable state of an open (srv_open.durable), NULL when not durable. */
struct srv_durable {
    char *owner;         /* the user whose session opened it (Open.DurableOwner) */
    uint64_t owner_hash; /* of the lower-cased owner, for the per-user budget */
    uint8_t version;     /* 1 (DHnQ) or 2 (DH2Q) */
    uint8_t create_guid[16];
    uint32_t timeout_ms;
    uint64_t deadline_ms;           /* while disconnected */
    struct srv_open *dnext, *dprev; /* the server's disconnected opens */
    bool doomed;                    /* to be closed by srv_durable_purge */
    /* 3.3.5.14: LOCK replay detection, entries 1..64 */
    uint8_t lock_seq[SRV_LOCK_SEQUENCES];
    uint64_t lock_seq_valid;
};

/* The durable contexts of q: STATUS_INVALID_PARAMETER for a combination
 * [MS-SMB2] forbids (3.3.5.9.6/7/10/12) or a payload of the wrong size.
 * DH2Q and DH2C are ignored before SMB 3.0. */
ntstatus_t srv_durable_parse(const struct srv_req *r, const struct smb2_create_req *q,
                             struct srv_durable_req *d);
/* After the grant: o becomes durable when d asks, the share allows and o
 * caches its handle (3.3.5.9.6, 3.3.5.9.10). */
void srv_durable_grant(const struct srv_req *r, struct srv_open *o, const struct srv_durable_req *d,
                       const struct srv_cache_grant *g);
/* 3.3.5.9.13: opens of f under the same AppInstanceId from another client
 * (ClientGuid), or disconnected, are closed: the application's new
 * instance replaces its old one (a failover), without a break. */
void srv_durable_app_instance(struct srv_req *r, struct srv_file *f,
                              const struct srv_durable_req *d);
/* The response context of a durable grant: its tag (NULL: none) and data
 * (8 bytes) in out. */
const char *srv_durable_rsp(const struct srv_open *o, const struct srv_durable_req *d,
                            uint8_t out[8]);
/* 3.3.5.9.7 / 3.3.5.9.12: find the disconnected open d names and give it
 * to r's connection, session and tree. STATUS_OBJECT_NAME_NOT_FOUND when
 * there is none (or it is connected, or on another share, or the CreateGuid,
 * lease key or ClientGuid differ), STATUS_INVALID_PARAMETER for a leased
 * open named by another name, STATUS_ACCESS_DENIED for another user. */
ntstatus_t srv_durable_reclaim(struct srv_req *r, const struct smb2_create_req *q,
                               const struct srv_durable_req *d, struct srv_open **out);
/* o's connection or session goes (3.3.7.1, 3.3.5.6): true when o is kept,
 * disconnected (it left its connection's table), false when the caller is
 * to close it. */
bool srv_durable_keep(struct srv_open *o);
/* o (disconnected) is being closed: off the server's list. */
void srv_durable_forget(struct srv_open *o);
/* o is freed. */
void srv_durable_free(struct srv_open *o);
/* o, disconnected, holds what another open needs: it is closed at the next
 * srv_durable_purge (callers walking lists mark, then purge). */
void srv_durable_doom(struct srv_open *o);
/* Close the doomed opens; true if there were any. */
bool srv_durable_purge(struct srv *s);
/* 3.3.5.14: a LOCK with this LockSequence on o was done already (answer
 * success, do nothing); else the entry is invalidated until
 * srv_durable_lock_done records it. */
bool srv_durable_lock_replayed(struct srv_open *o, uint16_t dialect, uint32_t index, uint8_t seq);
void srv_durable_lock_done(struct srv_open *o, uint16_t dialect, uint32_t index, uint8_t seq);

void srv_durable_init(struct srv *s);
/* Close every disconnected open and the timer (shutdown, srv_free). */
void srv_durable_close(struct srv *s);

#endif
