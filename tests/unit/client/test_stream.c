/* lib/client/stream.c: several READs / WRITEs in flight, responses out of
 * order, data delivered in file order, every response signed and verified.
 * A child process plays the server on a socketpair. */
#include "client_test_util.h"

#include "client/file.h"
#include "wire/read.h"
#include "wire/write.h"

#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>

#include <cmocka.h>

#define FILE_SIZE (5u * 1024 * 1024 + 12345) /* not a multiple of the chunk */

static const uint8_t key16[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};

static uint8_t pattern(uint64_t off)
{
    return (uint8_t)((off * 7 + (off >> 11)) & 0xff);
}

static void die_unless(bool ok)
{
    if (!ok)
        _exit(3);
}

static bool more_waiting(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, 50) == 1;
}

static size_t read_response(const uint8_t *req, size_t n, uint8_t *out, size_t cap)
{
    struct smb2_read_req r;
    die_unless(nt_ok(smb2_read_req_decode(req, n, &r)));
    if (r.offset >= FILE_SIZE) {
        static const uint8_t err_body[9] = {9};
        return make_response(out, cap, req, STATUS_END_OF_FILE_CODE, err_body, 9, 0);
    }
    uint32_t len = r.length;
    if (r.offset + len > FILE_SIZE)
        len = (uint32_t)(FILE_SIZE - r.offset);
    uint8_t *body = malloc(SMB2_HDR_SIZE + 16 + len);
    struct wr w;
    wr_init(&w, body, SMB2_HDR_SIZE + 16 + len);
    wr_zero(&w, SMB2_HDR_SIZE);
    uint8_t *data = malloc(len ? len : 1);
    for (uint32_t i = 0; i < len; i++)
        data[i] = pattern(r.offset + i);
    struct smb2_read_rsp rsp = {.data_length = len, .data = data};
    die_unless(nt_ok(smb2_read_rsp_encode(&w, &rsp)));
    size_t m = make_response(out, cap, req, 0, body + SMB2_HDR_SIZE, wr_pos(&w) - SMB2_HDR_SIZE, 0);
    free(data);
    free(body);
    return m;
}

static size_t write_response(const uint8_t *req, size_t n, uint8_t *out, size_t cap)
{
    struct smb2_write_req r;
    if (!nt_ok(smb2_write_req_decode(req, n, &r)))
        _exit(4);
    for (uint32_t i = 0; i < r.length; i++)
        if (r.data[i] != pattern(r.offset + i))
            _exit(5);
    uint8_t body[SMB2_HDR_SIZE + 32];
    struct wr w;
    wr_init(&w, body, sizeof body);
    wr_zero(&w, SMB2_HDR_SIZE);
    struct smb2_write_rsp rsp = {.count = r.length};
    die_unless(nt_ok(smb2_write_rsp_encode(&w, &rsp)));
    return make_response(out, cap, req, 0, body + SMB2_HDR_SIZE, wr_pos(&w) - SMB2_HDR_SIZE, 0);
}

/* Serve until the client closes; answer each batch in reverse order.
 * Exit status: the largest batch seen (how many were in flight at once). */
static void server_child(struct pair *p)
{
    enum { MAXB = 32 };
    static uint8_t reqs[MAXB][2u << 20];
    static uint8_t out[2u << 20];
    size_t lens[MAXB];
    int max_batch = 0;
    close(p->c->fd); /* the client's end: the parent closing it is our EOF */
    for (;;) {
        size_t nb = 0;
        struct pollfd pf = {p->peer, POLLIN, 0};
        if (poll(&pf, 1, 5000) != 1 || (pf.revents & POLLHUP))
            break;
        do {
            lens[nb] = peer_read(p, reqs[nb], sizeof reqs[nb]);
            nb++;
        } while (nb < MAXB && more_waiting(p->peer));
        if ((int)nb > max_batch)
            max_batch = (int)nb;
        for (size_t i = nb; i-- > 0;) {
            uint16_t cmd = reqs[i][12];
            size_t m = cmd == SMB2_READ ? read_response(reqs[i], lens[i], out, sizeof out)
                                        : write_response(reqs[i], lens[i], out, sizeof out);
            struct iovec iov = {out, m};
            die_unless(nt_ok(sec_sign(&p->c->sess.key, &iov, 1)));
            peer_write(p, out, m);
        }
    }
    _exit(max_batch > 60 ? 60 : max_batch);
}

struct check_sink {
    uint64_t off;
    bool bad;
};

static ntstatus_t sink(void *ctx, const void *p, size_t n)
{
    struct check_sink *s = ctx;
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != pattern(s->off + i))
            s->bad = true;
    s->off += n;
    return STATUS_SUCCESS;
}

struct gen_source {
    uint64_t off, size;
};

static ntstatus_t source(void *ctx, void *p, size_t cap, size_t *got)
{
    struct gen_source *s = ctx;
    size_t n = s->size - s->off < cap ? (size_t)(s->size - s->off) : cap;
    for (size_t i = 0; i < n; i++)
        ((uint8_t *)p)[i] = pattern(s->off + i);
    s->off += n;
    *got = n;
    return STATUS_SUCCESS;
}

static void setup(struct pair *p, struct signet_tree *t, struct signet_file *f)
{
    pair_open(p, SMB2_DIALECT_0311);
    p->c->credits = 256;
    p->c->sess.id = 7;
    p->c->sess.signing_required = true;
    assert_true(nt_ok(sec_sign_key_init(&p->c->sess.key, SMB2_SIGNING_AES_GMAC, key16, 16)));
    memset(t, 0, sizeof *t);
    memset(f, 0, sizeof *f);
    t->conn = p->c;
    t->id = 1;
    f->tree = t;
    f->size = FILE_SIZE;
}

static int finish(struct pair *p, pid_t pid)
{
    close(p->c->fd); /* the child sees EOF */
    p->c->fd = -1;
    int ws = 0;
    waitpid(pid, &ws, 0);
    assert_true(WIFEXITED(ws));
    pair_close(p);
    return WEXITSTATUS(ws);
}

static void test_read_all_pipelined(void **state)
{
    (void)state;
    struct pair p;
    struct signet_tree t;
    struct signet_file f;
    setup(&p, &t, &f);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        server_child(&p);
    close(p.peer); /* the child's end: EOF reaches us if it dies */
    p.peer = -1;
    struct check_sink s = {0};
    assert_true(nt_ok(signet_file_read_all(&f, sink, &s, NULL, NULL)));
    assert_int_equal(s.off, FILE_SIZE);
    assert_false(s.bad);
    assert_int_equal(cli_inflight(p.c), 0);
    int max_batch = finish(&p, pid);
    assert_true(max_batch >= 2); /* several READs were in flight at once */
}

static void test_write_all_pipelined(void **state)
{
    (void)state;
    struct pair p;
    struct signet_tree t;
    struct signet_file f;
    setup(&p, &t, &f);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        server_child(&p);
    close(p.peer); /* the child's end: EOF reaches us if it dies */
    p.peer = -1;
    struct gen_source src = {0, FILE_SIZE};
    uint64_t written = 0;
    assert_true(nt_ok(signet_file_write_all(&f, source, &src, NULL, NULL, &written)));
    assert_int_equal(written, FILE_SIZE);
    int max_batch = finish(&p, pid);
    assert_true(max_batch >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_all_pipelined),
        cmocka_unit_test(test_write_all_pipelined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
