/* Every lib/wire codec in one include: the SMB2 header, framing, compound
 * chains, the transform header and one header per command ([MS-SMB2] 2.2).
 * Prefer the individual headers inside the tree; this is for tools, fuzzers
 * and tests that use many commands. */
#ifndef SIGNET_WIRE_WIRE_H
#define SIGNET_WIRE_WIRE_H

#include "wire/smb2.h"

#include "wire/compound.h"
#include "wire/file_id.h"
#include "wire/hdr.h"
#include "wire/transform.h"

#include "wire/cancel.h"
#include "wire/change_notify.h"
#include "wire/close.h"
#include "wire/create.h"
#include "wire/create_ctx.h"
#include "wire/echo.h"
#include "wire/error.h"
#include "wire/flush.h"
#include "wire/fscc_info.h"
#include "wire/ioctl.h"
#include "wire/lock.h"
#include "wire/logoff.h"
#include "wire/negotiate.h"
#include "wire/negotiate_ctx.h"
#include "wire/oplock_break.h"
#include "wire/query_directory.h"
#include "wire/query_info.h"
#include "wire/read.h"
#include "wire/session_setup.h"
#include "wire/set_info.h"
#include "wire/tree_connect.h"
#include "wire/tree_disconnect.h"
#include "wire/write.h"

#endif
