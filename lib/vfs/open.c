/* Opening: the dispositions and options of [MS-SMB2] 2.2.13 with the
 * semantics of [MS-FSA] 2.1.5.1, over descriptors resolved beneath the root.
 * Share access (FILE_SHARE_*), delete on close, oplocks and leases are the
 * server's; so is the truncation of an overwrite, once its checks passed. */
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
    struct posix_share *s;
    const struct vfs_open_req *req;
    unsigned flags; /* VFS_NOWAIT */
    char *rel;      /* the result's */
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
    if (s->read_only &&
        ((r->desired_access & ACCESS_CHANGES) ||
         (r->create_disposition != FILE_OPEN && r->create_disposition != FILE_OPEN_IF)))
        return STATUS_ACCESS_DENIED;
    return STATUS_SUCCESS;
}

/* ENOENT from a resolution: the last component, or a directory before it? */
static ntstatus_t missing_status(const struct posix_share *s, const char *rel)
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
    if (neg_errno == -ENOENT && !(c->flags & VFS_NOWAIT))
        return missing_status(c->s, c->rel);
    if (neg_errno == -ENOENT)
        return STATUS_SIGNET_WOULD_BLOCK; /* telling which part is missing would look it up */
    return vfs_resolve_status(neg_errno, c->flags);
}

/* Open what is there. A directory is always opened read-only; a client that
 * wants neither data nor write gets an O_PATH descriptor when the mode
 * refuses reading. Devices, FIFOs and sockets are refused. */
static int open_existing(struct open_ctx *c, bool truncating)
{
    bool wr = c->want_write || truncating;
    int fd = vfs_resolve(c->s, c->rel, OPEN_BASE | (wr ? O_RDWR : O_RDONLY), 0, c->flags);
    c->can_read = true;
    c->can_write = wr;
    if (fd == -EISDIR || (fd == -EACCES && !wr && !c->want_read)) {
        bool dir = fd == -EISDIR; /* openat2 takes O_PATH with O_CLOEXEC alone */
        fd =
            vfs_resolve(c->s, c->rel, dir ? OPEN_BASE | O_RDONLY | O_DIRECTORY : O_PATH | O_CLOEXEC,
                        0, c->flags);
        c->can_read = dir;
        c->can_write = false;
    } else if (fd == -EACCES && wr && !c->want_read && !truncating) {
        fd = vfs_resolve(c->s, c->rel, OPEN_BASE | O_WRONLY, 0, c->flags);
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
    if (c->flags & VFS_NOWAIT)
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
    bool read_only = c->s->base.read_only;
    if (read_only)
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
            if (r != -ENOENT || (!may_create && !read_only))
                return open_error(c, r);
            if (read_only) {
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

/* nowait (vfs.h): opening what exists, without creating it. A create or
 * the lookup of an uncached name comes back as STATUS_SIGNET_WOULD_BLOCK
 * from the resolver (EAGAIN). */
static bool nowait_can_open(const struct posix_share *s, const struct vfs_open_req *r,
                            unsigned flags)
{
    if (!(flags & VFS_NOWAIT))
        return true;
    return s->local_fs && r->create_disposition != FILE_CREATE;
}

static struct posix_file *file_new(struct open_ctx *c)
{
    struct posix_file *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    pthread_mutex_init(&f->mu, NULL);
    f->base.share = &c->s->base;
    f->base.is_dir = S_ISDIR(c->st.st_mode);
    f->base.dev = c->st.st_dev;
    f->base.ino = c->st.st_ino;
    f->fd = c->fd;
    f->can_read = c->can_read;
    f->can_write = c->can_write;
    atomic_fetch_add(&c->s->refs, 1);
    return f;
}

/* Does the normalized path have a "." or ".." component? The kernel
 * resolved it beneath the root; the server keeps the name it now has. */
static bool has_dot_component(const char *rel)
{
    if (strcmp(rel, ".") == 0)
        return false;
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return true;
        p += n;
        if (*p == '/')
            p++;
    }
    return false;
}

static const char *base_name(const char *rel)
{
    const char *slash = strrchr(rel, '/');
    return slash ? slash + 1 : rel;
}

ntstatus_t posix_open(struct vfs_share *vs, const struct vfs_open_req *req, unsigned flags,
                      struct vfs_file **out, struct vfs_open_result *res)
{
    struct posix_share *s = psh(vs);
    ntstatus_t st = check_request(vs, req);
    if (!nt_ok(st))
        return st;
    if (!nowait_can_open(s, req, flags))
        return STATUS_SIGNET_WOULD_BLOCK;
    vfs_test_point("open", flags);
    struct open_ctx c = {.s = s, .req = req, .flags = flags, .rel = res->rel, .fd = -1};
    c.want_read = req->desired_access & (ACCESS_READS | MAXIMUM_ALLOWED);
    c.want_write = (req->desired_access & ACCESS_WRITES) ||
                   ((req->desired_access & MAXIMUM_ALLOWED) && !vs->read_only);
    uint32_t action = FILE_OPENED;
    st = vfs_path_normalize(req->path, req->path_len, c.rel, sizeof res->rel, &c.path_flags);
    if (nt_ok(st))
        st = open_or_create(&c, &action);
    if (nt_ok(st))
        st = check_type(&c);
    if (nt_ok(st) && has_dot_component(c.rel))
        st = vfs_fd_rel(s, c.fd, c.rel, sizeof res->rel); /* one name for one file */
    if (nt_ok(st))
        st = vfs_stat_fd(c.fd, base_name(c.rel), &res->st);
    struct posix_file *f = nt_ok(st) ? file_new(&c) : NULL;
    if (!f) {
        if (c.fd >= 0)
            close(c.fd);
        return nt_ok(st) ? STATUS_NO_MEMORY : st;
    }
    res->action = action;
    res->is_root = c.st.st_dev == s->root_dev && c.st.st_ino == s->root_ino;
    *out = &f->base;
    return STATUS_SUCCESS;
}
