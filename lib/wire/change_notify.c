/* [MS-SMB2] change_notify: not yet written. */
#include "wire/smb2.h"
