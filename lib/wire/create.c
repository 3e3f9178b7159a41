/* [MS-SMB2] create: not yet written. */
#include "wire/smb2.h"
