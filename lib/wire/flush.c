/* [MS-SMB2] flush: not yet written. */
#include "wire/smb2.h"
