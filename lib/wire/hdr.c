/* not yet written */
#include "wire/smb2.h"
