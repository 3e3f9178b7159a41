/* signetd's core: listeners, connections, the dispatch table and the command
 * handlers, on a libuv loop. design.md "Layers" (lib/server), [MS-SMB2] 3.3.
 *
 * The server runs on the loop the caller gives it (srv_run or uv_run); file
 * commands that would block run on libuv's thread pool. The configuration is
 * a snapshot: srv_reload installs a new one for the connections accepted
 * afterwards, existing connections keep theirs. */
#ifndef SIGNET_SERVER_SERVER_H
#define SIGNET_SERVER_SERVER_H

#include "config/config.h"

#include <signet/ntstatus.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

struct srv;

/* Fill nt_hash (MD4 of the UTF-16LE password) for user; false: unknown. The
 * lookup must be case-insensitive as Windows account names are. */
typedef bool (*srv_user_lookup_fn)(void *ctx, const char *user, uint8_t nt_hash[16]);

/* An audit-worthy event with its fields, for a program that files them
 * structured (signetd: journald's SIGNET_* fields). message is the plain
 * text the log line carries after its level ("audit 3021: session ...").
 * Strings are never NULL ("" when unknown); they live for the call only. */
struct srv_event {
    unsigned id;      /* Windows' SMBServer/Audit event id (3021, 3022), 0: none */
    const char *kind; /* "audit", "logon-failed", "signature" */
    int level;        /* enum sg_log_level */
    const char *message;
    const char *client;  /* "ADDR:PORT" */
    const char *user;    /* as authenticated; "" before */
    uint64_t session;    /* SessionId, 0: none */
    const char *dialect; /* "3.1.1" */
    const char *signing; /* "AES-128-GMAC", "none" */
    const char *cipher;  /* "AES-128-GCM", "none" */
};

/* Returns true when the event was filed and the plain line must not also be
 * logged (it would reach the same journal twice); false: log it as usual. */
typedef bool (*srv_event_fn)(void *ctx, const struct srv_event *ev);

struct srv_opts {
    srv_user_lookup_fn lookup;
    void *lookup_ctx;
    const char *netbios_name; /* NULL: the host name, upper-cased, at most 15 */
    srv_event_fn event;       /* NULL: events are only logged */
    void *event_ctx;
};

/* Copies cfg. The listeners are not opened yet. */
ntstatus_t srv_new(uv_loop_t *loop, const struct cfg *cfg, const struct srv_opts *opts,
                   struct srv **out);
/* Open every cfg listen address (or only `listen` when not NULL, "ADDR:PORT").
 * err receives a message naming the address on failure. */
ntstatus_t srv_listen(struct srv *s, const char *listen, char *err, size_t err_len);
/* The configuration's `metrics listen` (Prometheus, GET /metrics), if set. */
ntstatus_t srv_listen_metrics(struct srv *s, char *err, size_t err_len);
/* Serve an already connected stream socket (a socketpair end in tests). */
ntstatus_t srv_adopt_fd(struct srv *s, int fd);
/* A new configuration for connections accepted from now on. */
ntstatus_t srv_reload(struct srv *s, const struct cfg *cfg);
/* Close the listeners and every connection; the loop then runs dry. */
void srv_shutdown(struct srv *s);
/* After the loop has run dry. NULL is fine. */
void srv_free(struct srv *s);
unsigned srv_connection_count(const struct srv *s);
/* Run the loop until it runs dry, polling between frames for up to the
 * configuration's `busy poll` (srv_main.c). */
void srv_run(struct srv *s);
/* The admin socket `signet status` asks (srv_admin.c): path, or NULL for
 * srv_admin_default_path's. Owner or root only. Closed by srv_shutdown. */
ntstatus_t srv_admin_listen(struct srv *s, const char *path, char *err, size_t err_len);

#endif
