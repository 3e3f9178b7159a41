/* CREATE / CLOSE / READ / WRITE / FLUSH, client side. [MS-SMB2] 3.2.4.3
 * (create), 3.2.4.5 (close), 3.2.4.6 (read), 3.2.4.7 (write), 3.2.4.8
 * (flush); credits and large MTU 3.2.4.1.5. */
#include "client/file.h"

#include "base/utf16.h"
#include "wire/close.h"
#include "wire/create.h"
#include "wire/flush.h"
#include "wire/read.h"
#include "wire/write.h"

#include <stdlib.h>
#include <string.h>

ntstatus_t cli_path_utf16(const char *path, uint8_t *out, size_t cap, size_t *out_len)
{
    while (*path == '/' || *path == '\\')
        path++;
    size_t n = strlen(path);
    while (n > 0 && (path[n - 1] == '/' || path[n - 1] == '\\'))
        n--;
    ntstatus_t st = utf8_to_utf16le(path, n, out, cap, out_len);
    if (!nt_ok(st))
        return nt_eq(st, STATUS_BUFFER_TOO_SMALL) ? STATUS_NAME_TOO_LONG : st;
    for (size_t i = 0; i + 1 < *out_len; i += 2)
        if (out[i] == '/' && out[i + 1] == 0)
            out[i] = '\\';
    return STATUS_SUCCESS;
}

void cli_stat_from_create(const void *rsp_, struct signet_stat *st)
{
    const struct smb2_create_rsp *r = rsp_;
    memset(st, 0, sizeof *st);
    st->size = r->end_of_file;
    st->allocation = r->allocation_size;
    st->attributes = r->file_attributes;
    st->is_dir = r->file_attributes & FILE_ATTRIBUTE_DIRECTORY;
    st->creation_time = r->creation_time;
    st->last_access_time = r->last_access_time;
    st->last_write_time = r->last_write_time;
    st->change_time = r->change_time;
}

static ntstatus_t send_create(struct signet_tree *t, const struct cli_open_args *a, int *slot)
{
    struct signet_conn *c = t->conn;
    uint8_t name[2048];
    size_t name_len = 0;
    ntstatus_t st = cli_path_utf16(a->path, name, sizeof name, &name_len);
    if (!nt_ok(st))
        return cli_fail(c, st, "invalid path '%s'", a->path);
    struct smb2_create_req req = {.requested_oplock_level = SMB2_OPLOCK_LEVEL_NONE,
                                  .impersonation_level = SMB2_IMPERSONATION_IMPERSONATION,
                                  .desired_access = a->access,
                                  .file_attributes = a->attributes,
                                  .share_access =
                                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                  .create_disposition = a->disposition,
                                  .create_options = a->options,
                                  .name = name,
                                  .name_len = (uint16_t)name_len};
    struct wr w;
    st = cli_begin(c, &w, 64 + name_len);
    if (nt_ok(st))
        st = smb2_create_req_encode(&w, &req);
    struct cli_send_opts o = {.with_session = true, .tree_id = t->id};
    if (nt_ok(st))
        st = cli_send(c, SMB2_CREATE, &w, &o, slot);
    return st;
}

ntstatus_t cli_open(struct signet_tree *t, const struct cli_open_args *a, struct signet_file **out,
                    struct signet_stat *stat)
{
    struct signet_conn *c = t->conn;
    *out = NULL;
    int slot = -1;
    struct cli_slot *sl = NULL;
    ntstatus_t st = send_create(t, a, &slot);
    if (nt_ok(st))
        st = cli_wait(c, slot, &sl);
    if (!nt_ok(st)) {
        cli_release(c, slot);
        return st;
    }
    ntstatus_t status = NT_STATUS(sl->hdr.status);
    struct smb2_create_rsp r;
    if (nt_ok(status) && !nt_ok(smb2_create_rsp_decode(sl->msg, sl->msg_len, &r)))
        status = cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "malformed CREATE response");
    if (!nt_ok(status)) {
        cli_release(c, slot);
        if (nt_ok(c->dead))
            cli_fail(c, status, "/%s: %s", a->path, cli_status_text(status));
        return status;
    }
    struct signet_file *f = calloc(1, sizeof *f);
    if (!f) {
        cli_release(c, slot);
        return STATUS_NO_MEMORY;
    }
    f->tree = t;
    f->fid = r.file_id;
    f->size = r.end_of_file;
    f->is_dir = r.file_attributes & FILE_ATTRIBUTE_DIRECTORY;
    if (stat)
        cli_stat_from_create(&r, stat);
    cli_release(c, slot);
    *out = f;
    return STATUS_SUCCESS;
}

ntstatus_t signet_open(struct signet_tree *t, const char *path, enum signet_open_mode mode,
                       struct signet_file **out, struct signet_stat *st)
{
    struct cli_open_args a = {.path = path, .disposition = FILE_OPEN};
    switch (mode) {
    case SIGNET_OPEN_READ:
        a.access = FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE;
        break;
    case SIGNET_OPEN_WRITE:
        a.access = FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_READ_ATTRIBUTES |
                   FILE_WRITE_ATTRIBUTES | SYNCHRONIZE;
        a.disposition = FILE_OVERWRITE_IF;
        a.options = FILE_NON_DIRECTORY_FILE;
        a.attributes = FILE_ATTRIBUTE_NORMAL;
        break;
    case SIGNET_OPEN_MODIFY:
        a.access = DELETE | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE;
        break;
    }
    return cli_open(t, &a, out, st);
}

ntstatus_t signet_close(struct signet_file *f)
{
    if (!f)
        return STATUS_SUCCESS;
    struct signet_conn *c = f->tree->conn;
    struct smb2_close_req req = {.file_id = f->fid};
    struct wr w;
    struct cli_slot *sl;
    int slot;
    struct cli_send_opts o = {.with_session = true, .tree_id = f->tree->id};
    ntstatus_t st = cli_begin(c, &w, 32);
    if (nt_ok(st))
        st = smb2_close_req_encode(&w, &req);
    if (nt_ok(st))
        st = cli_call(c, SMB2_CLOSE, &w, &o, &sl, &slot);
    if (nt_ok(st))
        cli_release(c, slot);
    free(f);
    return st;
}

ntstatus_t signet_flush(struct signet_file *f)
{
    struct signet_conn *c = f->tree->conn;
    struct smb2_flush_req req = {.file_id = f->fid};
    struct wr w;
    struct cli_slot *sl;
    int slot;
    struct cli_send_opts o = {.with_session = true, .tree_id = f->tree->id};
    ntstatus_t st = cli_begin(c, &w, 32);
    if (nt_ok(st))
        st = smb2_flush_req_encode(&w, &req);
    if (nt_ok(st))
        st = cli_call(c, SMB2_FLUSH, &w, &o, &sl, &slot);
    if (nt_ok(st))
        cli_release(c, slot);
    return st;
}

ntstatus_t cli_send_read(struct signet_file *f, uint64_t off, uint32_t len, int *slot)
{
    struct signet_conn *c = f->tree->conn;
    struct smb2_read_req req = {
        .padding = SMB2_READ_RSP_DATA_OFFSET, .length = len, .offset = off, .file_id = f->fid};
    struct wr w;
    struct cli_send_opts o = {.with_session = true, .tree_id = f->tree->id, .expect_rsp_len = len};
    ntstatus_t st = cli_begin(c, &w, 64);
    if (nt_ok(st))
        st = smb2_read_req_encode(&w, &req);
    if (nt_ok(st))
        st = cli_send(c, SMB2_READ, &w, &o, slot);
    return st;
}

/* The data of a READ response; STATUS_END_OF_FILE gives 0 bytes. */
ntstatus_t cli_take_read(struct signet_conn *c, const struct cli_slot *sl, uint32_t asked,
                         const uint8_t **data, size_t *len)
{
    ntstatus_t status = NT_STATUS(sl->hdr.status);
    *data = NULL;
    *len = 0;
    if (nt_eq(status, STATUS_END_OF_FILE))
        return STATUS_SUCCESS;
    if (!nt_ok(status))
        return status;
    struct smb2_read_rsp r;
    if (!nt_ok(smb2_read_rsp_decode(sl->msg, sl->msg_len, &r)) || r.data_length > asked)
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "malformed READ response");
    *data = r.data;
    *len = r.data_length;
    return STATUS_SUCCESS;
}

ntstatus_t signet_read(struct signet_file *f, uint64_t offset, void *buf, size_t len, size_t *got)
{
    struct signet_conn *c = f->tree->conn;
    *got = 0;
    if (len > c->max_read)
        len = c->max_read;
    int slot = -1;
    struct cli_slot *sl = NULL;
    ntstatus_t st = cli_send_read(f, offset, (uint32_t)len, &slot);
    if (nt_ok(st))
        st = cli_wait(c, slot, &sl);
    const uint8_t *data = NULL;
    if (nt_ok(st))
        st = cli_take_read(c, sl, (uint32_t)len, &data, got);
    if (nt_ok(st) && *got)
        memcpy(buf, data, *got);
    cli_release(c, slot);
    return st;
}

ntstatus_t cli_send_write(struct signet_file *f, uint64_t off, const void *p, uint32_t len,
                          bool scratch, int *slot)
{
    struct signet_conn *c = f->tree->conn;
    struct smb2_write_req req = {.length = len, .offset = off, .file_id = f->fid};
    struct wr w;
    struct cli_send_opts o = {.with_session = true,
                              .tree_id = f->tree->id,
                              .data = p,
                              .data_len = len,
                              .data_scratch = scratch};
    ntstatus_t st = cli_begin(c, &w, 64);
    if (nt_ok(st))
        st = smb2_write_req_encode(&w, &req);
    if (nt_ok(st))
        st = cli_send(c, SMB2_WRITE, &w, &o, slot);
    return st;
}

ntstatus_t cli_take_write(struct signet_conn *c, const struct cli_slot *sl, uint32_t asked)
{
    ntstatus_t status = NT_STATUS(sl->hdr.status);
    if (!nt_ok(status))
        return status;
    struct smb2_write_rsp r;
    if (!nt_ok(smb2_write_rsp_decode(sl->msg, sl->msg_len, &r)))
        return cli_kill(c, STATUS_INVALID_NETWORK_RESPONSE, "malformed WRITE response");
    return r.count == asked ? STATUS_SUCCESS : STATUS_DISK_FULL;
}

ntstatus_t signet_write(struct signet_file *f, uint64_t offset, const void *buf, size_t len)
{
    struct signet_conn *c = f->tree->conn;
    if (len > c->max_write)
        return STATUS_INVALID_PARAMETER;
    int slot = -1;
    struct cli_slot *sl = NULL;
    ntstatus_t st = cli_send_write(f, offset, buf, (uint32_t)len, false, &slot);
    if (nt_ok(st))
        st = cli_wait(c, slot, &sl);
    if (nt_ok(st))
        st = cli_take_write(c, sl, (uint32_t)len);
    cli_release(c, slot);
    return st;
}
