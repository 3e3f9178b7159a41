/* [MS-SMB2] ioctl: not yet written. */
#include "wire/smb2.h"
