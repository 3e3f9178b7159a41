/* [MS-SMB2] logoff: not yet written. */
#include "wire/smb2.h"
