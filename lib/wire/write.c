/* [MS-SMB2] write: not yet written. */
#include "wire/smb2.h"
