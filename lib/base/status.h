/* Status helpers beyond the public ntstatus.h: the errno map. */
#ifndef SIGNET_BASE_STATUS_H
#define SIGNET_BASE_STATUS_H

#include <signet/ntstatus.h>

/* Convert a system-call errno once, at the system-call edge. */
ntstatus_t nt_from_errno(int err);

#endif
