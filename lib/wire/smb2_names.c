#include "wire/smb2_names.h"

#include "wire/smb2.h"

const char *smb2_dialect_name(uint16_t dialect)
{
    switch (dialect) {
    case SMB2_DIALECT_0202:
        return "2.0.2";
    case SMB2_DIALECT_0210:
        return "2.1";
    case SMB2_DIALECT_0300:
        return "3.0";
    case SMB2_DIALECT_0302:
        return "3.0.2";
    case SMB2_DIALECT_0311:
        return "3.1.1";
    case SMB2_DIALECT_WILDCARD:
        return "2.???";
    default:
        return "unknown";
    }
}

const char *smb2_command_name(uint16_t command)
{
    static const char *const names[SMB2_COMMAND_COUNT] = {
        "NEGOTIATE",     "SESSION_SETUP", "LOGOFF",   "TREE_CONNECT", "TREE_DISCONNECT",
        "CREATE",        "CLOSE",         "FLUSH",    "READ",         "WRITE",
        "LOCK",          "IOCTL",         "CANCEL",   "ECHO",         "QUERY_DIRECTORY",
        "CHANGE_NOTIFY", "QUERY_INFO",    "SET_INFO", "OPLOCK_BREAK",
    };
    return command < SMB2_COMMAND_COUNT ? names[command] : "unknown";
}
