/* [MS-SMB2] oplock_break: not yet written. */
#include "wire/smb2.h"
