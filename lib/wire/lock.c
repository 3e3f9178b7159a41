/* [MS-SMB2] lock: not yet written. */
#include "wire/smb2.h"
