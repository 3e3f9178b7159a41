/* Which shares take part in VFS_NOWAIT calls, and the tests' hook. */
#include "vfs/internal.h"

#include <sys/vfs.h>

static _Atomic(vfs_test_hook_fn) test_hook;

void vfs_test_set_hook(vfs_test_hook_fn fn)
{
    atomic_store(&test_hook, fn);
}

void vfs_test_point(const char *op, unsigned flags)
{
    vfs_test_hook_fn fn = atomic_load(&test_hook);
    if (fn && !(flags & VFS_NOWAIT))
        fn(op);
}

/* statfs(2) f_type of the file systems whose metadata calls on an open
 * descriptor never wait on a network or a user-space daemon. */
bool vfs_fs_is_local(int fd)
{
    static const long local[] = {
        0xEF53,     /* ext2/3/4 */
        0x58465342, /* xfs */
        0x9123683E, /* btrfs */
        0x01021994, /* tmpfs */
        0xF2F52010, /* f2fs */
        0x2FC12FC1, /* zfs */
        0x794C7630, /* overlayfs */
    };
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0)
        return false;
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        if ((long)sf.f_type == local[i])
            return true;
    return false;
}
