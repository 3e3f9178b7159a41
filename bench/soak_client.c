/* The load of bench/soak_bench.sh, through Signet's client library (signed
 * SMB 3.1.1 sessions):
 *
 *   soak_client work HOST PORT SHARE USER PASS SESSIONS SECONDS
 *     SESSIONS threads, each its own connection, session and tree, looping
 *     create + 64 KiB write + read back (compared) + close + delete of its
 *     own file for SECONDS. Every 10 s a line: elapsed, operations done
 *     (one loop = one), errors, the slowest loop so far (ms).
 *   soak_client hold HOST PORT SHARE USER PASS SESSIONS SECONDS
 *     SESSIONS connections logged on and tree-connected (8 threads open
 *     them), held SECONDS, each sending an ECHO every 30 s; prints when all
 *     are up ("held N") and how many failed.
 *
 * Exit 0 when no operation failed. Not a test: it measures. */
#include <signet/client.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

struct soak {
    const char *host, *share;
    uint16_t port;
    struct signet_creds creds;
    unsigned sessions, seconds;
    atomic_ulong ops, errors, worst_us, up;
    atomic_bool stop;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool session_open(struct soak *s, struct signet_conn **c, struct signet_tree **t)
{
    struct signet_client_config cfg;
    signet_client_config_default(&cfg);
    *c = NULL;
    *t = NULL;
    if (!nt_ok(signet_connect(s->host, s->port, &cfg, c)) || !nt_ok(signet_login(*c, &s->creds)) ||
        !nt_ok(signet_tree_connect(*c, s->share, t))) {
        signet_disconnect(*c);
        *c = NULL;
        return false;
    }
    return true;
}

/* One create + write + read back + close + delete; false on any failure. */
static bool one_loop(struct signet_tree *t, const char *name, const uint8_t *data, uint8_t *back,
                     size_t len)
{
    struct signet_file *f;
    size_t got = 0;
    if (!nt_ok(signet_open(t, name, SIGNET_OPEN_WRITE, &f, NULL)))
        return false;
    bool ok = nt_ok(signet_write(f, 0, data, len)) && nt_ok(signet_read(f, 0, back, len, &got)) &&
              got == len && memcmp(data, back, len) == 0;
    ok = nt_ok(signet_close(f)) && ok;
    return nt_ok(signet_unlink(t, name)) && ok;
}

static void *worker(void *arg)
{
    struct soak *s = arg;
    static atomic_uint next_id;
    unsigned id = atomic_fetch_add(&next_id, 1);
    enum { LEN = 64 * 1024 };
    uint8_t *data = malloc(LEN), *back = malloc(LEN);
    char name[64];
    snprintf(name, sizeof name, "soak-%u.bin", id);
    for (size_t i = 0; data && i < LEN; i++)
        data[i] = (uint8_t)(i * 31 + id);
    struct signet_conn *c;
    struct signet_tree *t;
    if (!data || !back || !session_open(s, &c, &t)) {
        atomic_fetch_add(&s->errors, 1);
        free(data), free(back);
        return NULL;
    }
    while (!atomic_load(&s->stop)) {
        double t0 = now_s();
        bool ok = one_loop(t, name, data, back, LEN);
        unsigned long us = (unsigned long)((now_s() - t0) * 1e6);
        atomic_fetch_add(ok ? &s->ops : &s->errors, 1);
        unsigned long w = atomic_load(&s->worst_us);
        while (us > w && !atomic_compare_exchange_weak(&s->worst_us, &w, us))
            ;
    }
    signet_disconnect(c);
    free(data), free(back);
    return NULL;
}

struct holder {
    struct soak *s;
    unsigned first, count;
    struct signet_conn **conns;
};

static void *hold_opener(void *arg)
{
    struct holder *h = arg;
    struct signet_tree *t;
    for (unsigned i = h->first; i < h->first + h->count; i++) {
        if (session_open(h->s, &h->conns[i], &t))
            atomic_fetch_add(&h->s->up, 1);
        else
            atomic_fetch_add(&h->s->errors, 1);
    }
    return NULL;
}

static int run_hold(struct soak *s)
{
    enum { OPENERS = 8 };
    struct signet_conn **conns = calloc(s->sessions, sizeof *conns);
    struct holder hs[OPENERS];
    pthread_t th[OPENERS];
    if (!conns)
        return 1;
    double t0 = now_s();
    for (unsigned i = 0; i < OPENERS; i++) {
        unsigned per = s->sessions / OPENERS;
        hs[i] = (struct holder){s, i * per, i == OPENERS - 1 ? s->sessions - i * per : per, conns};
        pthread_create(&th[i], NULL, hold_opener, &hs[i]);
    }
    for (unsigned i = 0; i < OPENERS; i++)
        pthread_join(th[i], NULL);
    printf("held %lu sessions (%lu failed) after %.1f s\n", atomic_load(&s->up),
           atomic_load(&s->errors), now_s() - t0);
    fflush(stdout);
    for (unsigned waited = 0; waited < s->seconds; waited += 30) {
        sleep(s->seconds - waited < 30 ? s->seconds - waited : 30);
        unsigned long alive = 0;
        for (unsigned i = 0; i < s->sessions; i++)
            alive += conns[i] && nt_ok(signet_echo(conns[i]));
        printf("%u s: %lu of %lu sessions answer an ECHO\n", waited + 30, alive,
               atomic_load(&s->up));
        fflush(stdout);
    }
    for (unsigned i = 0; i < s->sessions; i++)
        signet_disconnect(conns[i]);
    free(conns);
    return atomic_load(&s->errors) ? 1 : 0;
}

static int run_work(struct soak *s)
{
    pthread_t *th = calloc(s->sessions, sizeof *th);
    if (!th)
        return 1;
    for (unsigned i = 0; i < s->sessions; i++)
        pthread_create(&th[i], NULL, worker, s);
    for (unsigned e = 10; e <= s->seconds; e += 10) {
        sleep(10);
        printf("%u s: %lu loops, %lu errors, slowest %.1f ms\n", e, atomic_load(&s->ops),
               atomic_load(&s->errors), (double)atomic_load(&s->worst_us) / 1000);
        fflush(stdout);
    }
    atomic_store(&s->stop, true);
    for (unsigned i = 0; i < s->sessions; i++)
        pthread_join(th[i], NULL);
    free(th);
    return atomic_load(&s->errors) ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 9 || (strcmp(argv[1], "work") != 0 && strcmp(argv[1], "hold") != 0)) {
        fprintf(stderr, "usage: soak_client work|hold HOST PORT SHARE USER PASS SESSIONS SECONDS\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) { /* one socket a session */
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
    static struct soak s;
    s.host = argv[2];
    s.port = (uint16_t)atoi(argv[3]);
    s.share = argv[4];
    s.creds = (struct signet_creds){argv[5], argv[6], NULL};
    s.sessions = (unsigned)atoi(argv[7]);
    s.seconds = (unsigned)atoi(argv[8]);
    return strcmp(argv[1], "work") == 0 ? run_work(&s) : run_hold(&s);
}
