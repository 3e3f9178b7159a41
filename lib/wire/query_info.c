/* [MS-SMB2] query_info: not yet written. */
#include "wire/smb2.h"
