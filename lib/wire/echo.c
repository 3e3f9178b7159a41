/* [MS-SMB2] echo: not yet written. */
#include "wire/smb2.h"
