/* The public client API against a real server, beyond what the CLI uses:
 * ECHO, several trees, single READ/WRITE, FLUSH, truncate (SET_INFO
 * EndOfFile), timestamps (SET_INFO Basic), QUERY_INFO, rename with and
 * without replace, delete, errors on a live connection.
 * Usage: client_api_check HOST PORT SHARE USER PASSWORD [SMB3_11|...]
 * Prints "client_api_check: N passed, N failed"; exit status 0 when all pass. */
#include <signet/client.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            fprintf(stderr, "FAIL line %d: %s (%s)\n", __LINE__, #cond,                            \
                    signet_conn_error(c, STATUS_SUCCESS));                                         \
        }                                                                                          \
    } while (0)

static int count_entry(void *ctx, const char *name, const struct signet_stat *st)
{
    (void)st;
    if (strcmp(name, "api-b.bin") == 0)
        (*(int *)ctx)++;
    return 0;
}

static void file_ops(struct signet_conn *c, struct signet_tree *t)
{
    struct signet_file *f = NULL;
    static const char data[] = "0123456789abcdef";
    char back[32] = {0};
    size_t got = 0;
    CHECK(nt_ok(signet_open(t, "api-a.bin", SIGNET_OPEN_WRITE, &f, NULL)));
    CHECK(nt_ok(signet_write(f, 0, data, 16)));
    CHECK(nt_ok(signet_write(f, 100, data, 4))); /* a hole */
    CHECK(nt_ok(signet_flush(f)));
    CHECK(nt_ok(signet_read(f, 0, back, 16, &got)) && got == 16 && !memcmp(back, data, 16));
    CHECK(nt_ok(signet_truncate(f, 10)));
    struct signet_stat st;
    CHECK(nt_ok(signet_fstat(f, &st)) && st.size == 10 && !st.is_dir);
    uint64_t t2000 = 125911584000000000ULL; /* 2000-01-01 00:00:00 UTC */
    CHECK(nt_ok(signet_set_times(f, 0, 0, t2000, 0)));
    CHECK(nt_ok(signet_fstat(f, &st)) && st.last_write_time == t2000);
    CHECK(nt_ok(signet_read(f, 10, back, 16, &got)) && got == 0); /* at EOF */
    CHECK(nt_ok(signet_close(f)));
    CHECK(nt_ok(signet_stat(t, "api-a.bin", &st)) && st.size == 10);
    CHECK(nt_ok(signet_rename(t, "api-a.bin", "api-b.bin", false)));
    int seen = 0;
    CHECK(nt_ok(signet_list(t, "", count_entry, &seen)) && seen == 1);
    CHECK(nt_ok(signet_open(t, "api-c.bin", SIGNET_OPEN_WRITE, &f, NULL)) &&
          nt_ok(signet_close(f)));
    CHECK(nt_eq(signet_rename(t, "api-c.bin", "api-b.bin", false), STATUS_OBJECT_NAME_COLLISION));
    CHECK(nt_ok(signet_rename(t, "api-c.bin", "api-b.bin", true)));
    CHECK(nt_ok(signet_unlink(t, "api-b.bin")));
    CHECK(nt_eq(signet_stat(t, "api-b.bin", &st), STATUS_OBJECT_NAME_NOT_FOUND));
    CHECK(nt_ok(signet_mkdir(t, "api-d")));
    CHECK(nt_eq(signet_mkdir(t, "api-d"), STATUS_OBJECT_NAME_COLLISION));
    CHECK(nt_eq(signet_unlink(t, "api-d"), STATUS_FILE_IS_A_DIRECTORY));
    CHECK(nt_ok(signet_rmdir(t, "api-d")));
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s HOST PORT SHARE USER PASSWORD [PROTOCOL]\n", argv[0]);
        return 2;
    }
    struct signet_client_config cfg;
    char err[256];
    signet_client_config_default(&cfg);
    if (argc > 6 &&
        !nt_ok(signet_client_config_set(&cfg, "client max protocol", argv[6], err, sizeof err))) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    struct signet_conn *c = NULL;
    struct signet_tree *t = NULL, *t2 = NULL;
    CHECK(nt_ok(signet_connect(argv[1], (uint16_t)atoi(argv[2]), &cfg, &c)));
    CHECK(nt_ok(signet_echo(c)));
    struct signet_creds cr = {argv[4], argv[5], NULL};
    CHECK(nt_ok(signet_login(c, &cr)));
    CHECK(nt_ok(signet_echo(c)));
    CHECK(nt_eq(signet_tree_connect(c, "no-such-share", &t2), STATUS_BAD_NETWORK_NAME));
    CHECK(nt_ok(signet_tree_connect(c, argv[3], &t)));
    CHECK(nt_ok(signet_tree_connect(c, argv[3], &t2))); /* a second tree */
    if (t && t2) {
        file_ops(c, t);
        signet_tree_disconnect(t2);
    }
    struct signet_conn_info info;
    signet_conn_info(c, &info);
    CHECK(info.signing && !info.encrypted && !info.guest);
    signet_disconnect(c);
    printf("client_api_check: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
