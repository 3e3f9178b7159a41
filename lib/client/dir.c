/* Directory listing: CREATE the directory, QUERY_DIRECTORY until
 * STATUS_NO_MORE_FILES ([MS-SMB2] 3.2.4.17), entries in
 * FileIdBothDirectoryInformation ([MS-FSCC] 2.4.17). */
#include "client/file.h"

#include "base/utf16.h"
#include "wire/create.h"
#include "wire/query_directory.h"

#include <string.h>

#define DIR_CLASS  FileIdBothDirectoryInformation
#define DIR_OUTBUF 65536u

static ntstatus_t send_query(struct signet_file *d, bool first, int *slot)
{
    struct signet_conn *c = d->tree->conn;
    static const uint8_t star[] = {'*', 0};
    uint32_t out_len = c->max_transact < DIR_OUTBUF ? c->max_transact : DIR_OUTBUF;
    struct smb2_query_directory_req req = {.file_information_class = DIR_CLASS,
                                           .flags = first ? SMB2_RESTART_SCANS : 0,
                                           .file_id = d->fid,
                                           .file_name = star,
                                           .file_name_len = sizeof star,
                                           .output_buffer_length = out_len};
    struct wr w;
    struct cli_send_opts o = {
        .with_session = true, .tree_id = d->tree->id, .expect_rsp_len = out_len};
    ntstatus_t st = cli_begin(c, &w, 64);
    if (nt_ok(st))
        st = smb2_query_directory_req_encode(&w, &req);
    if (nt_ok(st))
        st = cli_send(c, SMB2_QUERY_DIRECTORY, &w, &o, slot);
    return st;
}

static void stat_from_entry(const struct fscc_dir_entry *e, struct signet_stat *st)
{
    memset(st, 0, sizeof *st);
    st->size = e->end_of_file;
    st->allocation = e->allocation_size;
    st->attributes = e->file_attributes;
    st->is_dir = e->file_attributes & FILE_ATTRIBUTE_DIRECTORY;
    st->creation_time = e->creation_time;
    st->last_access_time = e->last_access_time;
    st->last_write_time = e->last_write_time;
    st->change_time = e->change_time;
}

/* Hand every entry of one response to fn; *stop when fn asked to. */
static ntstatus_t walk_entries(struct signet_conn *c, const struct cli_slot *sl, signet_dir_fn fn,
                               void *ctx, bool *stop)
{
    struct smb2_query_directory_rsp r;
    if (!nt_ok(smb2_query_directory_rsp_decode(sl->msg, sl->msg_len, &r)))
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "malformed QUERY_DIRECTORY response");
    struct fscc_dir_iter it;
    struct fscc_dir_entry e;
    fscc_dir_iter_init(&it, DIR_CLASS, r.output_buffer, r.output_buffer_length);
    while (!*stop && fscc_dir_iter_next(&it, &e)) {
        char name[1024];
        size_t n = 0;
        struct signet_stat st;
        if (!nt_ok(utf16le_to_utf8(e.file_name, e.file_name_len, name, sizeof name, &n)))
            continue; /* a name we cannot show; skip it rather than fail the listing */
        stat_from_entry(&e, &st);
        *stop = fn(ctx, name, &st) != 0;
    }
    if (!nt_ok(fscc_dir_iter_status(&it)))
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "malformed directory entries");
    return STATUS_SUCCESS;
}

static ntstatus_t list_open(struct signet_file *d, signet_dir_fn fn, void *ctx)
{
    struct signet_conn *c = d->tree->conn;
    bool stop = false;
    for (bool first = true; !stop; first = false) {
        int slot = -1;
        struct cli_slot *sl = NULL;
        ntstatus_t st = send_query(d, first, &slot);
        if (nt_ok(st))
            st = cli_wait(c, slot, &sl);
        if (!nt_ok(st)) {
            cli_release(c, slot);
            return st;
        }
        ntstatus_t status = NT_STATUS(sl->hdr.status);
        if (nt_eq(status, STATUS_NO_MORE_FILES)) {
            cli_release(c, slot);
            return STATUS_SUCCESS;
        }
        st = nt_ok(status) ? walk_entries(c, sl, fn, ctx, &stop) : status;
        cli_release(c, slot);
        if (!nt_ok(st))
            return st;
    }
    return STATUS_SUCCESS;
}

ntstatus_t signet_list(struct signet_tree *t, const char *dir, signet_dir_fn fn, void *ctx)
{
    struct cli_open_args a = {.path = dir,
                              .access = FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                              .disposition = FILE_OPEN,
                              .options = FILE_DIRECTORY_FILE};
    struct signet_file *d = NULL;
    ntstatus_t st = cli_open(t, &a, &d, NULL);
    if (!nt_ok(st))
        return st;
    st = list_open(d, fn, ctx);
    if (!nt_ok(st) && nt_ok(t->conn->dead))
        cli_fail(t->conn, st, "listing /%s: %s", dir, cli_status_text(st));
    ntstatus_t cst = signet_close(d);
    return nt_ok(st) ? cst : st;
}
