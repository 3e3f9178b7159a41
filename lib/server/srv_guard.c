/* Failed-logon throttles and log rate limiting: what keeps a hostile client
 * from guessing passwords at the server's pace or flooding its log.
 *
 * Two tables, one keyed by account name (case-insensitive), one by client
 * address (without the port), count failed logons with Windows' account
 * lockout semantics: `account lockout threshold` failures (`address lockout
 * threshold` for an address), each within `reset account lockout counter
 * after` seconds of the previous one, lock the account (address) for
 * `account lockout duration` seconds; a successful logon resets the
 * account's count (not the address's: one valid account must not buy an
 * attacker more guesses). While locked, a logon's outcome is replaced by
 * STATUS_ACCOUNT_LOCKED_OUT whatever the password, so the attempt tells
 * nothing, and is not counted again.
 *
 * The tables are fixed (GUARD_SLOTS entries each, open addressing over
 * GUARD_PROBE slots): an attacker who sprays names evicts the entry
 * unused for longest among those, a locked one last, and never grows
 * memory. */
#include "server/srv_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#define GUARD_SLOTS 1024 /* a power of two */
#define GUARD_PROBE 8
#define GUARD_KEY   64

struct guard_entry {
    char key[GUARD_KEY]; /* "" : free */
    unsigned failures;
    uint64_t last_ms;         /* the last failure */
    uint64_t locked_until_ms; /* 0: not locked */
};

struct user_opens {
    char key[GUARD_KEY]; /* "" : free */
    unsigned n;          /* descriptors reserved for the user's opens */
};

struct srv_guard {
    struct guard_entry acct[GUARD_SLOTS], addr[GUARD_SLOTS];
    struct user_opens users[GUARD_SLOTS];
};

static uint32_t key_hash(const char *k)
{
    uint32_t h = 2166136261u; /* FNV-1a over the lower-cased key */
    for (; *k; k++) {
        unsigned char ch = (unsigned char)*k;
        h = (h ^ (uint32_t)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch)) * 16777619u;
    }
    return h;
}

static bool is_locked(const struct guard_entry *e, uint64_t now)
{
    return e && e->locked_until_ms > now;
}

/* Should slot e be taken rather than v? Free first, then unlocked, then the
 * stalest: spraying new names must not evict a lockout. */
static bool better_victim(const struct guard_entry *e, const struct guard_entry *v, uint64_t now)
{
    if (!v)
        return true;
    if (!v->key[0] || !e->key[0])
        return !e->key[0] && v->key[0];
    if (is_locked(v, now) != is_locked(e, now))
        return is_locked(v, now);
    return e->last_ms < v->last_ms;
}

/* The entry of key; when absent and create, a free or the stalest slot. */
static struct guard_entry *lookup(struct guard_entry *t, const char *key, bool create, uint64_t now)
{
    uint32_t h = key_hash(key);
    struct guard_entry *victim = NULL;
    for (unsigned i = 0; i < GUARD_PROBE; i++) {
        struct guard_entry *e = &t[(h + i) & (GUARD_SLOTS - 1)];
        if (e->key[0] && strcasecmp(e->key, key) == 0)
            return e;
        if (better_victim(e, victim, now))
            victim = e;
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof *victim);
    snprintf(victim->key, sizeof victim->key, "%s", key);
    return victim;
}

/* One more failure; true when it locks the entry now. */
static bool count_failure(struct guard_entry *e, unsigned threshold, const struct cfg_server *cs,
                          uint64_t now)
{
    if (is_locked(e, now))
        return false; /* not counted while locked, as Windows */
    if (e->locked_until_ms)
        e->failures = e->locked_until_ms = 0; /* the lockout ended: a fresh count */
    if (e->failures && now - e->last_ms > (uint64_t)cs->lockout_window_s * 1000)
        e->failures = 0; /* "reset account lockout counter after" */
    e->failures++;
    e->last_ms = now;
    if (threshold == 0 || e->failures < threshold)
        return false;
    e->locked_until_ms = now + (uint64_t)cs->lockout_duration_s * 1000;
    return true;
}

static struct srv_guard *guard(struct srv *s)
{
    if (!s->guard)
        s->guard = calloc(1, sizeof *s->guard); /* NULL: no throttle, logged below */
    return s->guard;
}

void srv_guard_free(struct srv *s)
{
    free(s->guard);
    s->guard = NULL;
}

void srv_peer_addr(const struct srv_conn *c, char *out, size_t cap)
{
    snprintf(out, cap, "%s", c->peer);
    char *colon = strrchr(out, ':');
    if (colon && colon != out && (out[0] != '[' || colon[-1] == ']'))
        *colon = '\0';
}

const char *srv_guard_locked(struct srv_conn *c, const char *account)
{
    struct srv_guard *g = guard(c->srv);
    if (!g)
        return NULL;
    uint64_t now = uv_now(c->srv->loop);
    char addr[sizeof c->peer];
    srv_peer_addr(c, addr, sizeof addr);
    if (account && account[0] && is_locked(lookup(g->acct, account, false, now), now))
        return "account locked out";
    if (is_locked(lookup(g->addr, addr, false, now), now))
        return "client address locked out";
    return NULL;
}

void srv_guard_failed(struct srv_conn *c, const char *account)
{
    struct srv_guard *g = guard(c->srv);
    if (!g)
        return;
    const struct cfg_server *cs = &c->cfg->cfg.server;
    uint64_t now = uv_now(c->srv->loop);
    char addr[sizeof c->peer];
    srv_peer_addr(c, addr, sizeof addr);
    if (account && account[0] &&
        count_failure(lookup(g->acct, account, true, now), cs->account_lockout_threshold, cs, now))
        sg_log(SG_LOG_WARN,
               "account '%s' locked out for %u s: %u failed logons (the last from %s) "
               "(account lockout threshold)",
               account, cs->lockout_duration_s, cs->account_lockout_threshold, addr);
    if (count_failure(lookup(g->addr, addr, true, now), cs->address_lockout_threshold, cs, now))
        sg_log(SG_LOG_WARN,
               "client address %s locked out for %u s: %u failed logons "
               "(address lockout threshold)",
               addr, cs->lockout_duration_s, cs->address_lockout_threshold);
}

void srv_guard_succeeded(struct srv_conn *c, const char *account)
{
    struct srv_guard *g = guard(c->srv);
    uint64_t now = uv_now(c->srv->loop);
    struct guard_entry *e =
        g && account && account[0] ? lookup(g->acct, account, false, now) : NULL;
    if (e && !is_locked(e, now))
        e->failures = 0;
}

/* ---- file descriptors ----
 *
 * Every CREATE reserves a descriptor before its file is opened on the pool;
 * the open keeps it (a durable one while disconnected too) until its file is
 * closed. The server's budget is the soft RLIMIT_NOFILE (raised to the hard
 * limit at start) less SRV_FD_RESERVE for accept, the admin socket and the
 * pool's own, less one per connection; `max open files` may lower it. One
 * user gets at most `max open files per user` of it (0: half), so that no
 * account can take every descriptor from the others. */

void srv_fd_limits_init(struct srv *s)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        s->fd_limit = 1024;
        return;
    }
    if (rl.rlim_cur < rl.rlim_max) {
        struct rlimit want = {rl.rlim_max, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
            rl = want;
        else
            sg_log(SG_LOG_WARN, "cannot raise the open file limit from %llu to %llu: %s",
                   (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
                   strerror(errno));
    }
    s->fd_limit = rl.rlim_cur > 1u << 30 ? 1u << 30 : (unsigned)rl.rlim_cur;
}

static unsigned fd_budget(const struct srv *s, const struct cfg_server *cs)
{
    unsigned used = SRV_FD_RESERVE + s->n_conns;
    unsigned b = s->fd_limit > used ? s->fd_limit - used : 0;
    return cs->max_open_files && cs->max_open_files < b ? cs->max_open_files : b;
}

static struct user_opens *user_slot(struct srv_guard *g, const char *user)
{
    uint32_t h = key_hash(user);
    struct user_opens *free_slot = NULL;
    for (unsigned i = 0; i < GUARD_PROBE; i++) {
        struct user_opens *u = &g->users[(h + i) & (GUARD_SLOTS - 1)];
        if (u->key[0] && strcasecmp(u->key, user) == 0)
            return u;
        if (!free_slot && (!u->key[0] || u->n == 0))
            free_slot = u;
    }
    if (free_slot) {
        free_slot->n = 0;
        snprintf(free_slot->key, sizeof free_slot->key, "%s", user);
    }
    return free_slot; /* NULL: every slot busy, refused */
}

ntstatus_t srv_fd_reserve(struct srv_conn *c, const char *user, unsigned *slot)
{
    struct srv *s = c->srv;
    const struct cfg_server *cs = &c->cfg->cfg.server;
    struct srv_guard *g = guard(s);
    *slot = 0;
    unsigned budget = fd_budget(s, cs);
    unsigned per_user = cs->max_open_files_per_user ? cs->max_open_files_per_user : budget / 2;
    struct user_opens *u = g ? user_slot(g, user && user[0] ? user : "(anonymous)") : NULL;
    const char *why = s->n_fds >= budget       ? "the server's open file budget"
                      : !u || u->n >= per_user ? "max open files per user"
                                               : NULL;
    if (why) {
        if (srv_ratelog_allow(&s->log_fds, uv_now(s->loop), "refused opens"))
            sg_log(SG_LOG_WARN,
                   "conn %" PRIu64 " (%s): CREATE of '%s' refused: %s (%u of %u; %u for the "
                   "user) reached: STATUS_TOO_MANY_OPENED_FILES",
                   c->id, c->peer, user, why, s->n_fds, budget, per_user);
        return STATUS_TOO_MANY_OPENED_FILES;
    }
    s->n_fds++;
    u->n++;
    *slot = (unsigned)(u - g->users) + 1;
    return STATUS_SUCCESS;
}

void srv_fd_release(struct srv *s, unsigned *slot)
{
    if (*slot == 0 || *slot > GUARD_SLOTS)
        return;
    if (s->n_fds)
        s->n_fds--;
    if (s->guard && s->guard->users[*slot - 1].n)
        s->guard->users[*slot - 1].n--;
    *slot = 0;
}

/* ---- log rate limiting ---- */

bool srv_ratelog_allow(struct srv_ratelog *rl, uint64_t now, const char *what)
{
    if (now - rl->start_ms >= SRV_LOG_INTERVAL_MS || rl->start_ms == 0) {
        if (rl->suppressed)
            sg_log(SG_LOG_WARN, "%u more %s in the last %u s not logged (at most %u a %u s)",
                   rl->suppressed, what, (unsigned)((now - rl->start_ms) / 1000), SRV_LOG_BURST,
                   SRV_LOG_INTERVAL_MS / 1000);
        rl->start_ms = now ? now : 1;
        rl->n = rl->suppressed = 0;
    }
    if (rl->n < SRV_LOG_BURST) {
        rl->n++;
        return true;
    }
    rl->suppressed++;
    return false;
}
