/* Error texts the user reads (design.md "Errors"; windows-behaviour.md
 * "What users see"). The library never prints: it keeps one line per
 * connection for signet_conn_error(). */
#include "client/core.h"

#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static void vrecord(struct signet_conn *c, ntstatus_t st, const char *fmt, va_list ap)
{
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    c->err_status = st;
}

ntstatus_t cli_fail(struct signet_conn *c, ntstatus_t st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vrecord(c, st, fmt, ap);
    va_end(ap);
    return st;
}

ntstatus_t cli_kill(struct signet_conn *c, ntstatus_t st, const char *fmt, ...)
{
    if (nt_ok(c->dead)) {
        va_list ap;
        va_start(ap, fmt);
        vrecord(c, st, fmt, ap);
        va_end(ap);
        c->dead = st;
        sg_log(SG_LOG_ERROR, "connection to %s dropped: %s (%s)", c->host, c->err, nt_name(st));
    }
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    return c->dead;
}

struct status_text {
    uint32_t code;
    const char *text;
};

static const struct status_text texts[] = {
    {STATUS_LOGON_FAILURE_CODE, "The user name or password is incorrect."},
    {STATUS_ACCESS_DENIED_CODE, "Access is denied."},
    {STATUS_BAD_NETWORK_NAME_CODE, "The network name cannot be found (no such share)."},
    {STATUS_OBJECT_NAME_NOT_FOUND_CODE, "The system cannot find the file specified."},
    {STATUS_OBJECT_PATH_NOT_FOUND_CODE, "The system cannot find the path specified."},
    {STATUS_OBJECT_NAME_COLLISION_CODE, "Cannot create a file when that file already exists."},
    {STATUS_DIRECTORY_NOT_EMPTY_CODE, "The directory is not empty."},
    {STATUS_NOT_A_DIRECTORY_CODE, "The directory name is invalid (not a directory)."},
    {STATUS_FILE_IS_A_DIRECTORY_CODE, "The file is a directory."},
    {STATUS_SHARING_VIOLATION_CODE,
     "The process cannot access the file because it is being used by another process."},
    {STATUS_INVALID_SIGNATURE_CODE, "The cryptographic signature is invalid."},
    {STATUS_SMB_GUEST_LOGON_BLOCKED_CODE,
     "You can't access this shared folder because your organization's security policies block "
     "unauthenticated guest access. These policies help protect your PC from unsafe or malicious "
     "devices on the network."},
    {STATUS_DISK_FULL_CODE, "There is not enough space on the disk."},
    {STATUS_MEDIA_WRITE_PROTECTED_CODE, "The media is write protected (read-only share)."},
    {STATUS_OBJECT_NAME_INVALID_CODE, "The file name is not valid."},
    {STATUS_CONNECTION_REFUSED_CODE, "The remote computer refused the network connection."},
};

const char *cli_status_text(ntstatus_t st)
{
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (texts[i].code == st.code)
            return texts[i].text;
    return nt_name(st);
}
