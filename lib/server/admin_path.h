/* Where signetd's admin socket is when `admin socket` is not set: shared by
 * signetd (lib/server/srv_admin.c) and `signet status` (tools/status_cmd.c).
 *
 *   root:                        /run/signetd/admin.sock
 *   others, $XDG_RUNTIME_DIR set: $XDG_RUNTIME_DIR/signetd/admin.sock
 *   others:                      /tmp/signetd-UID/admin.sock */
#ifndef SIGNET_SERVER_ADMIN_PATH_H
#define SIGNET_SERVER_ADMIN_PATH_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void srv_admin_default_path(char *out, size_t len)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (geteuid() == 0)
        snprintf(out, len, "/run/signetd/admin.sock");
    else if (xdg && xdg[0] == '/')
        snprintf(out, len, "%s/signetd/admin.sock", xdg);
    else
        snprintf(out, len, "/tmp/signetd-%u/admin.sock", (unsigned)geteuid());
}

#endif
