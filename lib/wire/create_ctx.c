/* [MS-SMB2] create_ctx: not yet written. */
#include "wire/smb2.h"
