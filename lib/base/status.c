#include "base/status.h"

#include <errno.h>
#include <stdio.h>

const char *nt_name(ntstatus_t s)
{
    switch (s.code) {
#define X(name, value)                                                                             \
    case name##_CODE:                                                                              \
        return #name;
#include <signet/ntstatus_list.h>
#undef X
    default:
        break;
    }
    static _Thread_local char unknown[16];
    snprintf(unknown, sizeof unknown, "0x%08X", (unsigned)s.code);
    return unknown;
}

/* The one errno map: the only place errno becomes a status. */
ntstatus_t nt_from_errno(int err)
{
    switch (err) {
    case 0:
        return STATUS_SUCCESS;
    case ENOENT:
        return STATUS_OBJECT_NAME_NOT_FOUND;
    case ENOTDIR:
        return STATUS_OBJECT_PATH_NOT_FOUND;
    case EEXIST:
        return STATUS_OBJECT_NAME_COLLISION;
    case EACCES:
    case EPERM:
        return STATUS_ACCESS_DENIED;
    case EROFS:
        return STATUS_MEDIA_WRITE_PROTECTED;
    case EISDIR:
        return STATUS_FILE_IS_A_DIRECTORY;
    case ENOTEMPTY:
        return STATUS_DIRECTORY_NOT_EMPTY;
    case ENOSPC:
    case EDQUOT:
        return STATUS_DISK_FULL;
    case ENOMEM:
        return STATUS_NO_MEMORY;
    case EMFILE:
    case ENFILE:
        return STATUS_TOO_MANY_OPENED_FILES;
    case ENAMETOOLONG:
        return STATUS_NAME_TOO_LONG;
    case EINVAL:
        return STATUS_INVALID_PARAMETER;
    case EBADF:
        return STATUS_INVALID_HANDLE;
    case EXDEV:
        return STATUS_NOT_SAME_DEVICE;
    case EFBIG:
        return STATUS_FILE_TOO_LARGE;
    case ELOOP:
        return STATUS_OBJECT_PATH_NOT_FOUND; /* a symlink we refused to follow */
    case ENOTSUP:
        return STATUS_NOT_SUPPORTED;
    case ETIMEDOUT:
        return STATUS_IO_TIMEOUT;
    case ECONNREFUSED:
        return STATUS_CONNECTION_REFUSED;
    case ECONNRESET:
    case EPIPE:
        return STATUS_CONNECTION_RESET;
    case EHOSTUNREACH:
    case ENETUNREACH:
        return STATUS_HOST_UNREACHABLE;
    case EBUSY:
    case ETXTBSY:
        return STATUS_SHARING_VIOLATION;
    case EAGAIN:
        return STATUS_INSUFFICIENT_RESOURCES;
    case EINTR:
        return STATUS_CANCELLED;
    default:
        return STATUS_UNSUCCESSFUL;
    }
}
