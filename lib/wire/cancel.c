/* [MS-SMB2] cancel: not yet written. */
#include "wire/smb2.h"
