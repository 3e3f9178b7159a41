/* File-level helpers shared by file.c, stream.c, info.c and dir.c. */
#ifndef SIGNET_CLIENT_FILE_H
#define SIGNET_CLIENT_FILE_H

#include "client/core.h"

struct cli_open_args {
    const char *path;
    uint32_t access;
    uint32_t disposition;
    uint32_t options;
    uint32_t attributes;
};

/* CREATE; *stat (may be NULL) from the CREATE response. */
ntstatus_t cli_open(struct signet_tree *t, const struct cli_open_args *a, struct signet_file **out,
                    struct signet_stat *stat);
void cli_stat_from_create(const void *smb2_create_rsp, struct signet_stat *st);

/* One READ / WRITE put in flight, and its response taken. */
ntstatus_t cli_send_read(struct signet_file *f, uint64_t off, uint32_t len, int *slot);
ntstatus_t cli_take_read(struct signet_conn *c, const struct cli_slot *sl, uint32_t asked,
                         const uint8_t **data, size_t *len);
/* scratch: p is the library's buffer and may be encrypted in place. */
ntstatus_t cli_send_write(struct signet_file *f, uint64_t off, const void *p, uint32_t len,
                          bool scratch, int *slot);
ntstatus_t cli_take_write(struct signet_conn *c, const struct cli_slot *sl, uint32_t asked);

#endif
