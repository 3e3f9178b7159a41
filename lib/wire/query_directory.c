/* [MS-SMB2] query_directory: not yet written. */
#include "wire/smb2.h"
