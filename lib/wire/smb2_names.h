/* Human names of SMB2 protocol values, for logs and tool output. */
#ifndef SIGNET_WIRE_SMB2_NAMES_H
#define SIGNET_WIRE_SMB2_NAMES_H

#include <stdint.h>

/* "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "2.???" for the wildcard, else "unknown". */
const char *smb2_dialect_name(uint16_t dialect);
/* "NEGOTIATE", "SESSION_SETUP", ... ([MS-SMB2] 2.2.1.2), else "unknown". */
const char *smb2_command_name(uint16_t command);

#endif
