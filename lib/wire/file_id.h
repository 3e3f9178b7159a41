/* SMB2_FILEID ([MS-SMB2] 2.2.14.1): the 16-byte handle of an open file,
 * carried by CREATE responses and by most file-level requests. */
#ifndef SIGNET_WIRE_FILE_ID_H
#define SIGNET_WIRE_FILE_ID_H

#include "base/cursor.h"

#include <stdint.h>

#define SMB2_FILE_ID_SIZE 16

/* [MS-SMB2] 2.2.14.1 SMB2_FILEID: Persistent then Volatile, both LE. */
struct smb2_file_id {
    uint64_t persistent;
    uint64_t volatile_id;
};

static inline void smb2_file_id_read(struct rd *r, struct smb2_file_id *id)
{
    id->persistent = rd_u64(r);
    id->volatile_id = rd_u64(r);
}

static inline void smb2_file_id_write(struct wr *w, const struct smb2_file_id *id)
{
    wr_u64(w, id->persistent);
    wr_u64(w, id->volatile_id);
}

#endif
