/* [MS-SMB2] tree_connect: not yet written. */
#include "wire/smb2.h"
