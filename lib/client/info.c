/* QUERY_INFO / SET_INFO ([MS-SMB2] 3.2.4.12, 3.2.4.13; classes [MS-FSCC] 2.4)
 * and the path-level operations built on CREATE and SET_INFO. */
#include "client/file.h"

#include "wire/create.h"
#include "wire/query_info.h"
#include "wire/set_info.h"

#include <string.h>

ntstatus_t signet_fstat(struct signet_file *f, struct signet_stat *out)
{
    struct signet_conn *c = f->tree->conn;
    struct smb2_query_info_req req = {.info_type = SMB2_0_INFO_FILE,
                                      .file_info_class = FileNetworkOpenInformation,
                                      .output_buffer_length = FSCC_NETWORK_OPEN_INFO_SIZE,
                                      .file_id = f->fid};
    struct wr w;
    struct cli_slot *sl;
    int slot = -1;
    struct cli_send_opts o = {.with_session = true, .tree_id = f->tree->id};
    ntstatus_t st = cli_begin(c, &w, 64);
    if (nt_ok(st))
        st = smb2_query_info_req_encode(&w, &req);
    if (nt_ok(st))
        st = cli_call(c, SMB2_QUERY_INFO, &w, &o, &sl, &slot);
    if (!nt_ok(st))
        return st;
    struct smb2_query_info_rsp r;
    struct fscc_network_open_info i;
    if (!nt_ok(smb2_query_info_rsp_decode(sl->msg, sl->msg_len, &r)) ||
        !nt_ok(fscc_network_open_info_decode(r.output_buffer, r.output_buffer_length, &i)))
        st = cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "malformed QUERY_INFO response");
    cli_release(c, slot);
    if (!nt_ok(st))
        return st;
    memset(out, 0, sizeof *out);
    out->size = i.end_of_file;
    out->allocation = i.allocation_size;
    out->attributes = i.file_attributes;
    out->is_dir = i.file_attributes & FILE_ATTRIBUTE_DIRECTORY;
    out->creation_time = i.creation_time;
    out->last_access_time = i.last_access_time;
    out->last_write_time = i.last_write_time;
    out->change_time = i.change_time;
    return STATUS_SUCCESS;
}

/* SET_INFO of a FILE class whose buffer is already encoded. */
static ntstatus_t set_info(struct signet_file *f, uint8_t info_class, const uint8_t *buf,
                           size_t len)
{
    struct signet_conn *c = f->tree->conn;
    struct smb2_set_info_req req = {.info_type = SMB2_0_INFO_FILE,
                                    .file_info_class = info_class,
                                    .buffer = buf,
                                    .buffer_length = (uint32_t)len,
                                    .file_id = f->fid};
    struct wr w;
    struct cli_slot *sl;
    int slot = -1;
    struct cli_send_opts o = {.with_session = true, .tree_id = f->tree->id};
    ntstatus_t st = cli_begin(c, &w, 64 + len);
    if (nt_ok(st))
        st = smb2_set_info_req_encode(&w, &req);
    if (nt_ok(st))
        st = cli_call(c, SMB2_SET_INFO, &w, &o, &sl, &slot);
    if (nt_ok(st))
        cli_release(c, slot);
    return st;
}

ntstatus_t signet_truncate(struct signet_file *f, uint64_t size)
{
    uint8_t b[8];
    struct wr w;
    wr_init(&w, b, sizeof b);
    ntstatus_t st = fscc_u64_info_encode(&w, size);
    return nt_ok(st) ? set_info(f, FileEndOfFileInformation, b, wr_pos(&w)) : st;
}

ntstatus_t signet_set_times(struct signet_file *f, uint64_t creation, uint64_t access,
                            uint64_t write, uint64_t change)
{
    struct fscc_basic_info bi = {creation, access, write, change, 0}; /* attributes 0: unchanged */
    uint8_t b[FSCC_BASIC_INFO_SIZE];
    struct wr w;
    wr_init(&w, b, sizeof b);
    ntstatus_t st = fscc_basic_info_encode(&w, &bi);
    return nt_ok(st) ? set_info(f, FileBasicInformation, b, wr_pos(&w)) : st;
}

static ntstatus_t set_delete(struct signet_file *f)
{
    uint8_t b[4];
    struct wr w;
    wr_init(&w, b, sizeof b);
    ntstatus_t st = fscc_disposition_info_encode(&w, true);
    return nt_ok(st) ? set_info(f, FileDispositionInformation, b, wr_pos(&w)) : st;
}

static ntstatus_t set_rename(struct signet_file *f, const char *to, bool replace)
{
    uint8_t name[2048], b[2048 + FSCC_RENAME_INFO_FIXED_SIZE];
    size_t name_len = 0;
    ntstatus_t st = cli_path_utf16(to, name, sizeof name, &name_len);
    if (!nt_ok(st))
        return st;
    struct fscc_rename_info ri = {
        .replace_if_exists = replace, .file_name = name, .file_name_len = (uint32_t)name_len};
    struct wr w;
    wr_init(&w, b, sizeof b);
    st = fscc_rename_info_encode(&w, &ri);
    return nt_ok(st) ? set_info(f, FileRenameInformation, b, wr_pos(&w)) : st;
}

/* Open, apply op, close; the first error wins and names the path. */
static ntstatus_t with_open(struct signet_tree *t, const struct cli_open_args *a,
                            ntstatus_t (*op)(struct signet_file *, const void *), const void *arg,
                            struct signet_stat *stat)
{
    struct signet_file *f = NULL;
    ntstatus_t st = cli_open(t, a, &f, stat);
    if (!nt_ok(st))
        return st;
    ntstatus_t op_st = op ? op(f, arg) : STATUS_SUCCESS;
    if (!nt_ok(op_st) && nt_ok(t->conn->dead))
        cli_fail(t->conn, op_st, "/%s: %s", a->path, cli_status_text(op_st));
    st = signet_close(f);
    return nt_ok(op_st) ? st : op_st;
}

ntstatus_t signet_stat(struct signet_tree *t, const char *path, struct signet_stat *st)
{
    struct cli_open_args a = {
        .path = path, .access = FILE_READ_ATTRIBUTES | SYNCHRONIZE, .disposition = FILE_OPEN};
    return with_open(t, &a, NULL, NULL, st);
}

ntstatus_t signet_mkdir(struct signet_tree *t, const char *path)
{
    struct cli_open_args a = {.path = path,
                              .access = FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                              .disposition = FILE_CREATE,
                              .options = FILE_DIRECTORY_FILE,
                              .attributes = FILE_ATTRIBUTE_DIRECTORY};
    return with_open(t, &a, NULL, NULL, NULL);
}

static ntstatus_t op_delete(struct signet_file *f, const void *arg)
{
    (void)arg;
    return set_delete(f);
}

ntstatus_t signet_rmdir(struct signet_tree *t, const char *path)
{
    struct cli_open_args a = {.path = path,
                              .access = DELETE | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                              .disposition = FILE_OPEN,
                              .options = FILE_DIRECTORY_FILE};
    return with_open(t, &a, op_delete, NULL, NULL);
}

ntstatus_t signet_unlink(struct signet_tree *t, const char *path)
{
    struct cli_open_args a = {.path = path,
                              .access = DELETE | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                              .disposition = FILE_OPEN,
                              .options = FILE_NON_DIRECTORY_FILE};
    return with_open(t, &a, op_delete, NULL, NULL);
}

struct rename_arg {
    const char *to;
    bool replace;
};

static ntstatus_t op_rename(struct signet_file *f, const void *arg)
{
    const struct rename_arg *r = arg;
    return set_rename(f, r->to, r->replace);
}

ntstatus_t signet_rename(struct signet_tree *t, const char *from, const char *to, bool replace)
{
    struct cli_open_args a = {.path = from,
                              .access = DELETE | FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                              .disposition = FILE_OPEN};
    struct rename_arg r = {to, replace};
    return with_open(t, &a, op_rename, &r, NULL);
}
