/* Session and tree tables of a connection. [MS-SMB2] 3.3.1.8 (Session),
 * 3.3.1.9 (TreeConnect), 3.3.5.6 (LOGOFF: a session leaves the table at once,
 * its key lives until the LOGOFF response is signed), 3.3.4.16 / 3.3.7.1
 * (a tree's or session's opens go with it).
 *
 * Sessions and trees are counted: the connection's list holds one
 * reference, and so does every request and response that uses them, so
 * that a LOGOFF or TREE_DISCONNECT never frees what a request waiting on
 * the pool or for an event still points at. */
#include "server/srv_int.h"

#include "auth/ntlm_server.h"
#include "base/mem.h"
#include "crypto/crypto.h"

#include <stdlib.h>

static bool session_id_used(const struct srv *srv, uint64_t id)
{
    for (const struct srv_conn *c = srv->conns; c; c = c->next) {
        for (const struct srv_session *s = c->sessions; s; s = s->next)
            if (s->id == id)
                return true;
        for (const struct srv_session *s = c->ghosts; s; s = s->next)
            if (s->id == id)
                return true;
    }
    return false;
}

/* SessionIds are unique per server (3.3.5.5.1 leaves the choice to us):
 * random, so that they cannot be guessed across restarts, and within 32
 * bits, as Samba's are; smbtorture's smb2.session-id keeps one in a
 * 32-bit variable. */
static uint64_t new_session_id(struct srv *srv)
{
    for (;;) {
        uint32_t rnd = 0;
        if (!nt_ok(crypto_random(&rnd, sizeof rnd)))
            rnd = (uint32_t)++srv->next_session_id * 2654435761u;
        if (rnd != 0 && rnd != UINT32_MAX && !session_id_used(srv, rnd))
            return rnd;
    }
}

struct srv_session *srv_session_new(struct srv_conn *c)
{
    if (c->n_sessions >= SRV_MAX_SESSIONS)
        return NULL;
    struct srv_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->id = new_session_id(c->srv);
    s->refs = 1; /* the connection's list */
    s->state = SRV_SESS_IN_PROGRESS;
    s->created_ms = uv_now(c->srv->loop);
    s->next_tree_id = 1;
    s->conn = c;
    s->next = c->sessions;
    c->sessions = s;
    c->n_sessions++;
    return s;
}

struct srv_session *srv_session_find(struct srv_conn *c, uint64_t id)
{
    for (struct srv_session *s = c->sessions; s; s = s->next)
        if (s->id == id)
            return s;
    return NULL;
}

void srv_session_ref(struct srv_session *s)
{
    s->refs++;
}

void srv_session_unref(struct srv_session *s)
{
    if (--s->refs > 0)
        return;
    ntlm_server_free(s->auth);
    sec_sign_key_clear(&s->sign_key);
    sec_cipher_key_clear(&s->enc_key);
    sec_cipher_key_clear(&s->dec_key);
    secure_zero(s, sizeof *s);
    free(s);
}

/* Every tree of s goes (its opens closed, what waits on them cancelled). */
static void drop_trees(struct srv_session *s)
{
    while (s->trees)
        srv_tree_remove(s, s->trees, true); /* durable opens outlive their session (3.3.5.6) */
}

/* Keep s (a valid session just logged off) as a ghost; the newest
 * SRV_MAX_GHOSTS ghosts are kept. The list takes s's reference. */
static void haunt(struct srv_conn *c, struct srv_session *s)
{
    s->next = c->ghosts;
    c->ghosts = s;
    unsigned n = 0;
    for (struct srv_session **p = &c->ghosts; *p; p = &(*p)->next) {
        if (++n > SRV_MAX_GHOSTS) {
            struct srv_session *old = *p;
            *p = NULL;
            while (old) {
                struct srv_session *nx = old->next;
                srv_session_unref(old);
                old = nx;
            }
            break;
        }
    }
}

void srv_session_retire(struct srv_conn *c, struct srv_session *s)
{
    struct srv_session **p = &c->sessions;
    while (*p && *p != s)
        p = &(*p)->next;
    if (!*p)
        return;
    *p = s->next;
    c->n_sessions--;
    s->gone = true;
    srv_conn_cancel_matching(c, NULL, NULL, s, SRV_CANCEL_LOGOFF);
    drop_trees(s);
    ntlm_server_free(s->auth);
    s->auth = NULL;
    if (s->state == SRV_SESS_VALID && sec_sign_key_is_set(&s->sign_key) && !c->closing)
        haunt(c, s);
    else
        srv_session_unref(s);
}

struct srv_session *srv_ghost_find(struct srv_conn *c, uint64_t id)
{
    for (struct srv_session *s = c->ghosts; s; s = s->next)
        if (s->id == id)
            return s;
    return NULL;
}

void srv_ghosts_free(struct srv_conn *c)
{
    while (c->ghosts) {
        struct srv_session *s = c->ghosts;
        c->ghosts = s->next;
        srv_session_unref(s);
    }
}

struct srv_tree *srv_tree_new(struct srv_session *s)
{
    if (s->n_trees >= SRV_MAX_TREES || s->next_tree_id == UINT32_MAX)
        return NULL;
    struct srv_tree *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->refs = 1; /* the session's list */
    t->id = s->next_tree_id++;
    t->next = s->trees;
    s->trees = t;
    s->n_trees++;
    return t;
}

struct srv_tree *srv_tree_find(struct srv_session *s, uint32_t id)
{
    for (struct srv_tree *t = s->trees; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

void srv_tree_ref(struct srv_tree *t)
{
    t->refs++;
}

void srv_tree_unref(struct srv_tree *t)
{
    if (--t->refs == 0)
        free(t);
}

void srv_tree_remove(struct srv_session *s, struct srv_tree *t, bool keep_durable)
{
    for (struct srv_tree **p = &s->trees; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            s->n_trees--;
            t->gone = true;
            srv_conn_cancel_matching(s->conn, NULL, t, NULL, SRV_CANCEL_TREE);
            srv_open_remove_tree(s->conn, t, keep_durable);
            srv_tree_unref(t);
            return;
        }
    }
}
