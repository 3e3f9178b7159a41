/* [MS-SMB2] negotiate_ctx: not yet written. */
#include "wire/smb2.h"
