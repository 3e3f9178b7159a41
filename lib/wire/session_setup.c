/* [MS-SMB2] session_setup: not yet written. */
#include "wire/smb2.h"
