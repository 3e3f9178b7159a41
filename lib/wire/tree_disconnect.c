/* [MS-SMB2] tree_disconnect: not yet written. */
#include "wire/smb2.h"
