/* [MS-SMB2] set_info: not yet written. */
#include "wire/smb2.h"
