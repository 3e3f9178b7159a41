/* not yet written */
#include <signet/ntstatus.h>
