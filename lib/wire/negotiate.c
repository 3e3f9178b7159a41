/* [MS-SMB2] negotiate: not yet written. */
#include "wire/smb2.h"
