/* [MS-SMB2] close: not yet written. */
#include "wire/smb2.h"
