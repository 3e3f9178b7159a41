/* [MS-SMB2] read: not yet written. */
#include "wire/smb2.h"
