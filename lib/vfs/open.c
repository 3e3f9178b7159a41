/* CREATE and CLOSE: the dispositions and options of [MS-SMB2] 2.2.13 with the
 * semantics of [MS-FSA] 2.1.5.1, over descriptors resolved beneath the root.
 * Share access (FILE_SHARE_*), oplocks and leases are the server's. */
#include "vfs/internal.h"

#include "base/status.h"
#include "wire/create.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPEN_BASE         (O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_LARGEFILE)
#define OPEN_RACE_RETRIES 4

/* Access bits that change something: refused on a read-only share. */
#define ACCESS_CHANGES                                                                             \
    (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_DELETE_CHILD |                      \
     FILE_WRITE_ATTRIBUTES | DELETE | WRITE_DAC | WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL)
#define ACCESS_READS  (FILE_READ_DATA | FILE_EXECUTE | GENERIC_READ | GENERIC_EXECUTE | GENERIC_ALL)
#define ACCESS_WRITES (FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE | GENERIC_ALL)

struct open_ctx {
    struct vfs_share *s;
    const struct vfs_open_req *req;
    char rel[VFS_PATH_MAX];
    unsigned path_flags;
    bool want_read, want_write;
    int fd;
    bool can_read, can_write;
    struct stat st;
    ntstatus_t parent_st; /* why create_new could not resolve the parent */
};

#define CREATE_PARENT_FAILED (-0x7fff) /* create_new: see parent_st */

static bool is_truncating(uint32_t disposition)
{
    return disposition == FILE_SUPERSEDE || disposition == FILE_OVERWRITE ||
           disposition == FILE_OVERWRITE_IF;
}

/* The checks that need no disk: [MS-SMB2] 3.3.5.9, [MS-FSA] 2.1.5.1. */
static ntstatus_t check_request(const struct vfs_share *s, const struct vfs_open_req *r)
{
    uint32_t opt = r->create_options;
    if (r->create_disposition > FILE_OVERWRITE_IF)
        return STATUS_INVALID_PARAMETER;
    if ((opt & FILE_DIRECTORY_FILE) && (opt & FILE_NON_DIRECTORY_FILE))
        return STATUS_INVALID_PARAMETER;
    if ((opt & FILE_DIRECTORY_FILE) && is_truncating(r->create_disposition))
        return STATUS_INVALID_PARAMETER;
    if ((opt & FILE_DELETE_ON_CLOSE) && !(r->desired_access & (DELETE | GENERIC_ALL)))
        return STATUS_ACCESS_DENIED;
    if (s->read_only &&
        ((r->desired_access & ACCESS_CHANGES) || (opt & FILE_DELETE_ON_CLOSE) ||
         (r->create_disposition != FILE_OPEN && r->create_disposition != FILE_OPEN_IF)))
        return STATUS_ACCESS_DENIED;
    return STATUS_SUCCESS;
}

/* ENOENT from a resolution: the last component, or a directory before it? */
static ntstatus_t missing_status(const struct vfs_share *s, const char *rel)
{
    int dirfd;
    const char *name;
    ntstatus_t st = vfs_resolve_parent(s, rel, &dirfd, &name);
    if (!nt_ok(st))
        return nt_eq(st, STATUS_OBJECT_NAME_INVALID) ? STATUS_OBJECT_NAME_NOT_FOUND : st;
    close(dirfd);
    return STATUS_OBJECT_NAME_NOT_FOUND;
}

static ntstatus_t open_error(const struct open_ctx *c, int neg_errno)
{
    if (neg_errno == -ENOENT)
        return missing_status(c->s, c->rel);
    return vfs_resolve_status(neg_errno);
}

/* Open what is there. A directory is always opened read-only; a client that
 * wants neither data nor write gets an O_PATH descriptor when the mode
 * refuses reading. Devices, FIFOs and sockets are refused. */
static int open_existing(struct open_ctx *c, bool truncating)
{
    bool wr = c->want_write || truncating;
    int fd = vfs_resolve(c->s, c->rel, OPEN_BASE | (wr ? O_RDWR : O_RDONLY), 0);
    c->can_read = true;
    c->can_write = wr;
    if (fd == -EISDIR || (fd == -EACCES && !wr && !c->want_read)) {
        bool dir = fd == -EISDIR; /* openat2 takes O_PATH with O_CLOEXEC alone */
        fd = vfs_resolve(c->s, c->rel,
                         dir ? OPEN_BASE | O_RDONLY | O_DIRECTORY : O_PATH | O_CLOEXEC, 0);
        c->can_read = dir;
        c->can_write = false;
    } else if (fd == -EACCES && wr && !c->want_read && !truncating) {
        fd = vfs_resolve(c->s, c->rel, OPEN_BASE | O_WRONLY, 0);
        c->can_read = false;
    }
    if (fd < 0)
        return fd;
    if (fstat(fd, &c->st) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    if (!S_ISREG(c->st.st_mode) && !S_ISDIR(c->st.st_mode)) {
        close(fd);
        return -EACCES;
    }
    c->fd = fd;
    return 0;
}

/* Create the last component; -EEXIST when something is there already. */
static int create_new(struct open_ctx *c, bool dir)
{
    if (vfs_nowait())
        return -EAGAIN; /* creating writes to the disk */
    int dirfd;
    const char *name;
    ntstatus_t st = vfs_resolve_parent(c->s, c->rel, &dirfd, &name);
    if (!nt_ok(st)) {
        c->parent_st = st;
        return CREATE_PARENT_FAILED;
    }
    int fd;
    if (dir) {
        fd = mkdirat(dirfd, name, 0777);
        if (fd == 0)
            fd = openat(dirfd, name, OPEN_BASE | O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } else {
        mode_t mode = (c->req->file_attributes & FILE_ATTRIBUTE_READONLY) ? 0444 : 0666;
        int acc = c->want_write ? O_RDWR : O_RDONLY;
        fd = openat(dirfd, name, OPEN_BASE | acc | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
    }
    int e = errno;
    close(dirfd);
    if (fd < 0)
        return -e;
    c->fd = fd;
    c->can_read = true;
    c->can_write = !dir && c->want_write;
    if (fstat(fd, &c->st) < 0) {
        e = errno;
        close(fd);
        return -e;
    }
    return 0;
}

/* Is what we opened what the options asked for? */
static ntstatus_t check_type(const struct open_ctx *c)
{
    bool dir = S_ISDIR(c->st.st_mode);
    uint32_t opt = c->req->create_options;
    if (dir && (opt & FILE_NON_DIRECTORY_FILE))
        return STATUS_FILE_IS_A_DIRECTORY;
    if (!dir && (opt & FILE_DIRECTORY_FILE))
        return STATUS_NOT_A_DIRECTORY;
    if (!dir && (c->path_flags & VFS_PATH_TRAILING_SEP))
        return STATUS_OBJECT_NAME_INVALID;
    if (dir && is_truncating(c->req->create_disposition))
        return STATUS_INVALID_PARAMETER; /* as Samba: a directory cannot be overwritten */
    return STATUS_SUCCESS;
}

/* Open or create per the disposition; c->fd set on success. */
static ntstatus_t open_or_create(struct open_ctx *c, uint32_t *action)
{
    uint32_t disp = c->req->create_disposition;
    bool want_dir = c->req->create_options & FILE_DIRECTORY_FILE;
    bool may_create = disp != FILE_OPEN && disp != FILE_OVERWRITE;
    if (c->s->read_only)
        may_create = false;
    for (int tries = 0; tries < OPEN_RACE_RETRIES; tries++) {
        if (disp != FILE_CREATE) {
            int r = open_existing(c, is_truncating(disp));
            if (r == 0) {
                *action = disp == FILE_SUPERSEDE ? FILE_SUPERSEDED
                          : is_truncating(disp)  ? FILE_OVERWRITTEN
                                                 : FILE_OPENED;
                return STATUS_SUCCESS;
            }
            if (r != -ENOENT || (!may_create && !c->s->read_only))
                return open_error(c, r);
            if (c->s->read_only) {
                ntstatus_t st = open_error(c, r);
                return nt_eq(st, STATUS_OBJECT_NAME_NOT_FOUND) && disp == FILE_OPEN_IF
                           ? STATUS_ACCESS_DENIED
                           : st;
            }
        }
        if ((c->path_flags & VFS_PATH_TRAILING_SEP) && !want_dir)
            return STATUS_OBJECT_NAME_INVALID;
        int r = create_new(c, want_dir);
        if (r == 0) {
            *action = FILE_CREATED;
            return STATUS_SUCCESS;
        }
        if (r == CREATE_PARENT_FAILED)
            return c->parent_st;
        if (r != -EEXIST || disp == FILE_CREATE)
            return open_error(c, r);
        /* created by someone else between our two attempts: open it */
    }
    return STATUS_OBJECT_NAME_COLLISION;
}

static ntstatus_t finish_open(struct open_ctx *c, struct vfs_file *f, uint32_t action)
{
    ntstatus_t st = check_type(c);
    if (nt_ok(st))
        st = vfs_node_get(c->s, &c->st, c->rel, &f->node);
    if (!nt_ok(st))
        return st;
    if ((action == FILE_OVERWRITTEN || action == FILE_SUPERSEDED) && ftruncate(c->fd, 0) < 0)
        return nt_from_errno(errno);
    if (c->req->create_options & FILE_DELETE_ON_CLOSE) {
        f->fd = c->fd;
        st = vfs_set_delete_on_close(f, true);
        f->fd = -1;
    }
    return st;
}

/* nowait mode (vfs.h): opening what exists, no truncation, no delete on
 * close. A create or the lookup of an uncached name comes back as
 * STATUS_SIGNET_WOULD_BLOCK from the resolver (EAGAIN). */
static bool nowait_can_open(const struct vfs_share *s, const struct vfs_open_req *r)
{
    if (!vfs_nowait())
        return true;
    return s->local_fs && !(r->create_options & FILE_DELETE_ON_CLOSE) &&
           (r->create_disposition == FILE_OPEN || r->create_disposition == FILE_OPEN_IF);
}

ntstatus_t vfs_open(struct vfs_share *s, const struct vfs_open_req *req, struct vfs_file **out,
                    uint32_t *create_action)
{
    ntstatus_t st = check_request(s, req);
    if (!nt_ok(st))
        return st;
    if (!nowait_can_open(s, req))
        return STATUS_SIGNET_WOULD_BLOCK;
    vfs_test_point("open");
    struct open_ctx *c = calloc(1, sizeof *c);
    struct vfs_file *f = calloc(1, sizeof *f);
    if (!c || !f) {
        free(c);
        free(f);
        return STATUS_NO_MEMORY;
    }
    pthread_mutex_init(&f->mu, NULL);
    c->s = s;
    c->req = req;
    c->fd = -1;
    c->want_read = req->desired_access & (ACCESS_READS | MAXIMUM_ALLOWED);
    c->want_write = (req->desired_access & ACCESS_WRITES) ||
                    ((req->desired_access & MAXIMUM_ALLOWED) && !s->read_only);
    uint32_t action = FILE_OPENED;
    st = vfs_path_normalize(req->path, req->path_len, c->rel, sizeof c->rel, &c->path_flags);
    if (nt_ok(st))
        st = open_or_create(c, &action);
    f->share = s;
    f->fd = -1;
    if (nt_ok(st))
        st = finish_open(c, f, action);
    if (!nt_ok(st)) {
        if (f->node) {
            f->fd = c->fd;
            c->fd = -1;
            atomic_fetch_add(&s->refs, 1);
            vfs_close(f);
        } else {
            pthread_mutex_destroy(&f->mu);
            free(f);
        }
        if (c->fd >= 0)
            close(c->fd);
        free(c);
        return st;
    }
    f->fd = c->fd;
    f->can_read = c->can_read;
    f->can_write = c->can_write;
    atomic_fetch_add(&s->refs, 1);
    free(c);
    *out = f;
    if (create_action)
        *create_action = action;
    return STATUS_SUCCESS;
}

bool vfs_file_is_dir(const struct vfs_file *f)
{
    return f->node->is_dir;
}

ntstatus_t vfs_file_path(const struct vfs_file *f, char *out, size_t cap)
{
    pthread_mutex_lock(&f->share->mu);
    size_t n = strlen(f->node->path);
    ntstatus_t st = STATUS_BUFFER_TOO_SMALL;
    if (n < cap) {
        memcpy(out, f->node->path, n + 1);
        st = STATUS_SUCCESS;
    }
    pthread_mutex_unlock(&f->share->mu);
    return st;
}
