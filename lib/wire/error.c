/* [MS-SMB2] error: not yet written. */
#include "wire/smb2.h"
