/* The signet client commands (tools/cli_cmds.c) and what they share with
 * tools/signet.c. */
#ifndef SIGNET_TOOLS_CLI_CMDS_H
#define SIGNET_TOOLS_CLI_CMDS_H

#include <signet/client.h>
#include <stdbool.h>

struct cli_target {
    char host[256];
    uint16_t port;
    char share[256];
    char path[1024]; /* inside the share, '/' separated, may be empty */
};

struct cli_ctx {
    struct signet_conn *conn;
    struct signet_tree *tree;
    struct cli_target target;
    const char *arg; /* the optional last argument: local file, or mv's target */
    bool verbose;
    bool progress; /* stderr is a terminal */
};

/* Parse //host[:port]/share[/path] (also \\host\share, [v6addr]:port). */
bool cli_parse_target(const char *s, struct cli_target *t, char *err, size_t err_len);

/* Each returns 0 on success, or prints one message and returns 1. */
int cmd_ls(struct cli_ctx *x);
int cmd_get(struct cli_ctx *x);
int cmd_put(struct cli_ctx *x);
int cmd_mkdir(struct cli_ctx *x);
int cmd_rmdir(struct cli_ctx *x);
int cmd_rm(struct cli_ctx *x);
int cmd_mv(struct cli_ctx *x);
int cmd_stat(struct cli_ctx *x);

/* "signet: <what>: <the library's explanation or the status>" on stderr. */
int cli_report(struct cli_ctx *x, const char *what, ntstatus_t st);

#endif
